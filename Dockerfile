# syntax=docker/dockerfile:1
# I-TEC Registry services: `itec serve` (oracle worker, event indexer, API) as an installed package runs it.
#
#   docker build -t itec-registry:0.1.0 .                          # the runtime image (last stage)
#   docker build --target deploy -t itec-registry-deploy:0.1.0 .   # the one-off Ignition deployment
#
# The runtime stage runs the compiled JavaScript that `npm pack` ships (ADR 0004: Node refuses to strip types under
# node_modules, and an installed package has no sources), on the same Node release as the project's own
# devDependency `node`, with production dependencies only. docs/containers.md; the structure is checked by
# test/runtime/dockerfile.test.ts, which also runs the runtime stage's steps without Docker.

# --- build: the clone with every dependency; `npm pack` compiles dist/ (prepack → npm run build:dist) -------------
FROM node:22.23.3-bookworm-slim AS build
WORKDIR /app
RUN chown node:node /app
USER node
# Dependencies first (a layer that changes only with the lockfile). npm ci runs the project's `prepare`, which
# needs its script.
COPY --chown=node:node package.json package-lock.json .npmrc ./
COPY --chown=node:node scripts/build/prepare.ts scripts/build/prepare.ts
RUN npm ci --no-audit --no-fund
# The sources (.dockerignore keeps out node_modules, build output, local state and every secret-looking file).
COPY --chown=node:node . .
RUN mkdir -p /tmp/pack \
 && npm pack --pack-destination /tmp/pack --silent \
 && tar -xzf /tmp/pack/itec-registry-*.tgz -C /tmp/pack

# --- deploy: the one-off Ignition deployment (compose service `deploy`); needs Hardhat, a devDependency ----------
FROM build AS deploy
# Compiled once here rather than on every run; the journal directory exists so a volume mounted there is writable.
RUN npx hardhat build --quiet \
 && mkdir -p ignition/deployments

# --- runtime: the packed package with production dependencies only, run as the unprivileged `node` user ---------
FROM node:22.23.3-bookworm-slim AS runtime
ENV NODE_ENV=production \
    ITEC_API_HOST=0.0.0.0 \
    ITEC_API_PORT=8080 \
    ITEC_DB_PATH=/var/lib/itec/registry.db
WORKDIR /app
# The oracle's job store (and the SQLite index when DATABASE_URL is unset): mount a volume here.
RUN mkdir -p /var/lib/itec \
 && chown node:node /var/lib/itec
# Production dependencies from the lockfile, exactly; no install scripts (none of them needs one).
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
# What the package ships (package.json "files": bin/, dist/, data/, api/public/, licences), owned by root: the
# process cannot change its own code.
COPY --from=build /tmp/pack/package/ ./
USER node
EXPOSE 8080
# Liveness: the process answers (readiness, /ready, also needs the chain and the database: compose.yaml uses it).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.ITEC_API_PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/itec.js"]
CMD ["serve"]
