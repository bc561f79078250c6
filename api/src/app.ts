/**
 * `createApp(deps)` wires the registry API from injected services: security headers, rate limits, zod-validated
 * routes, the OpenAPI document and docs page, the verification page, and one RFC 9457 error middleware.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

import express, { type Express, type Request, type RequestHandler } from "express";
import helmet from "helmet";

import { REQUEST_LIMITS } from "../../core/config.ts";
import { isDevChain } from "../../core/keys.ts";
import { corsPolicy } from "./cors.ts";
import { DEFAULT_LIMITS, type AppDeps } from "./deps.ts";
import { mountDocs } from "./docs.ts";
import { ApiMetrics } from "./metrics.ts";
import { errorMiddleware, HttpProblem, sendProblem } from "./problem.ts";
import { BatchedRateCounter } from "./rate-batch.ts";
import { limitEveryRequest, rateLimiter } from "./rate-limit.ts";
import { requestLog } from "./request-log.ts";
import type { RouteSpec, Session } from "./route/define.ts";
import { allowedMethods } from "./route/allow.ts";
import { mountRoutes } from "./route/mount.ts";
import { openApiDocument } from "./route/openapi.ts";
import { adminRoutes } from "./routes/admin.ts";
import { authRoutes } from "./routes/auth.ts";
import { deliveryRoutes } from "./routes/deliveries.ts";
import { documentRoutes } from "./routes/documents.ts";
import { ledgerRoutes } from "./routes/ledger.ts";
import { marketRoutes } from "./routes/market.ts";
import { marketTxRoutes } from "./routes/market-tx.ts";
import { portfolioRoutes } from "./routes/portfolio.ts";
import { networkRoutes } from "./routes/network.ts";
import { referenceDataRoutes } from "./routes/reference-data.ts";
import { reviewRoutes } from "./routes/reviews.ts";
import { registryRoutes } from "./routes/registry.ts";
import { transactionRoutes } from "./routes/transactions.ts";
import { PACKAGE } from "../../core/package.ts";

const VERSION = PACKAGE.version;

const DESCRIPTION = `IT Asset Reuse Certificates: submit lots, review and sign attestations, hold, transfer and retire \
certificates, and verify retirements from the chain. uint256 and decimal values are strings; addresses are \
checksummed; times are ISO-8601 UTC.

**Errors** are RFC 9457 \`application/problem+json\` with a stable \`code\`; each operation lists the codes it can \
answer with, per status, with an example of each.

**Try it out** runs a request against this registry. Reads need nothing. Operations marked with a lock need a \
session token from Sign-In with Ethereum (EIP-4361):
1. \`GET /auth/nonce\` gives a nonce and what the message must say (domain, URI, chain id);
2. sign the EIP-4361 message in your wallet (\`personal_sign\`; the SDK's \`formatSiweMessage\` writes it);
3. \`POST /auth/siwe\` with \`{ message, signature }\` answers a short-lived \`token\` (15 minutes by default);
4. paste the token into **Authorize** (bearer). Roles are read from the chain on every request.

Writes to the chain come back unsigned (\`UnsignedTransaction\`): sign them in your wallet and send them to \
\`POST /tx/relay\`. The API never holds a participant's key.`;

/** Every route of the API (also what the OpenAPI document is built from). */
export function allRoutes(deps: AppDeps): RouteSpec[] {
  return [
    ...walletRoutes(deps),
    ...registryRoutes(deps),
    ...documentRoutes(deps),
    ...ledgerRoutes(deps),
    ...webAppRoutes(deps),
  ];
}

/**
 * What the web app reads besides the rest: the chain to add to the wallet, the reference data, the auditor's queue,
 * a holder's portfolio and operator approvals.
 */
function webAppRoutes(deps: AppDeps): RouteSpec[] {
  return [...networkRoutes(deps), ...referenceDataRoutes(deps), ...reviewRoutes(deps), ...portfolioRoutes(deps)];
}

/** Sign-in, then the transactions participants and the admin sign in their own wallets. */
function walletRoutes(deps: AppDeps): RouteSpec[] {
  return [
    ...authRoutes(deps),
    ...transactionRoutes(deps),
    ...adminRoutes(deps),
    ...marketRoutes(deps),
    ...marketTxRoutes(deps),
    ...deliveryRoutes(deps),
  ];
}

export function buildOpenApi(deps: AppDeps) {
  return openApiDocument(allRoutes(deps), {
    title: "I-TEC Registry API",
    version: VERSION,
    description: DESCRIPTION,
  });
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  const https = deps.publicUrl.startsWith("https:");
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  // No per-response ETag: it hashes every body, and the hot answers change with each block anyway.
  app.set("etag", false);
  // Behind a reverse proxy, req.ip (rate limits, logs) is the client X-Forwarded-For names, only when trusted.
  app.set("trust proxy", deps.trustProxy ?? false);
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const metrics = appMetrics(deps);

  app.use(requestLog(deps.logger, metrics));
  app.use(onlyRealValidators);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          // 'wasm-unsafe-eval': the web app's lot calculation (a worker, app/src/calc/) compiles the calculation's
          // Keccak WebAssembly; it allows compiling WebAssembly only, never eval of JavaScript.
          "script-src": ["'self'", "'wasm-unsafe-eval'"],
          // The web app's built-in dev wallet (app/src/wallet/dev-wallet.ts) talks to the chain's JSON-RPC itself,
          // as a wallet extension would; only on a development chain, whose keys are public anyway.
          "connect-src": ["'self'", ...devRpcOrigin(deps)],
          "img-src": ["'self'", "data:"],
          // Served over plain http (npm start, a registry behind no TLS), this directive makes Safari fetch the
          // page's own script and styles over https, which fails: a blank verify page. Only for an https registry.
          "upgrade-insecure-requests": https ? [] : null,
        },
      },
      strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
    }),
  );
  // Bodies are read per route, after the rate limit and authentication (see mountRoutes), never for a path
  // that takes none; each with its route's limits (docs/api.md, "Limits").
  const bodyParsers = (route: RouteSpec) => {
    const [json, csv] = bodyLimits(route.operationId);
    return [
      express.json({ limit: json, strict: true, type: ["application/json", "application/*+json"] }),
      express.text({ limit: csv, type: ["text/csv"] }),
    ];
  };

  // Sign-in and writes count every request in the shared store (exact); the high-volume read limit is counted in
  // batches (rate-batch.ts: a store round trip per request would cost more than the hot reads themselves).
  const readCounter = new BatchedRateCounter(deps.store);
  const limiter = (bucket: keyof typeof limits, perMinute: number) =>
    rateLimiter({
      bucket,
      limit: perMinute,
      counter: bucket === "read" || bucket === "health" ? readCounter : deps.store,
      logger: deps.logger,
      onLimited: (req, res) =>
        sendProblem(
          res,
          new HttpProblem(
            429,
            "RATE_LIMITED",
            "Too many requests",
            `at most ${perMinute} such requests per minute; retry later`,
          ),
          req.originalUrl,
        ),
    });
  const limiters = {
    auth: limiter("auth", limits.auth),
    write: limiter("write", limits.write),
    read: limiter("read", limits.read),
  };
  // CORS headers first (a 429 to an allowed origin must be readable), then one limiter for every path, then
  // preflights (counted like any request).
  const cors = corsPolicy(deps.corsOrigins);
  app.use(cors.headers);
  app.use(
    limitEveryRequest({ ...limiters, health: limiter("health", limits.health), ready: limiter("ready", limits.ready) }),
  );
  app.use(cors.preflight);

  const authenticate = async (req: Request): Promise<Session> => ({
    address: deps.auth.verifyToken(req.get("authorization")),
  });

  app.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/ready", async (_req, res) => {
    const report = await readiness(deps);
    res.status(report.status === "ready" ? 200 : 503).json(report);
  });
  // Prometheus text exposition (metrics.ts). A client that prefers JSON (Accept: application/json) gets the
  // oracle's counters as /status answers them: what /metrics answered before it was Prometheus's.
  app.get("/metrics", limiters.read, async (req, res) => {
    if (req.accepts(["text/plain", "application/openmetrics-text", "application/json"]) === "application/json") {
      if (!deps.oracle) throw new HttpProblem(503, "ORACLE_UNAVAILABLE", "Service unavailable", "no oracle here");
      res.json(await deps.oracle.metrics());
      return;
    }
    res.type(metrics.contentType).send(await metrics.exposition());
  });

  const document = buildOpenApi(deps);
  app.get("/openapi.json", (_req, res) => {
    res.json(document);
  });
  mountDocs(app, `${document.info.title} ${document.info.version}`);

  const router = express.Router();
  // Mounted with the public chain reads first: the router tries routes in order and these are the hot ones (no
  // path of one group shadows another's, so the order changes no answer; the OpenAPI document keeps its order).
  const routes = [
    ...ledgerRoutes(deps),
    ...walletRoutes(deps),
    ...registryRoutes(deps),
    ...documentRoutes(deps),
    ...webAppRoutes(deps),
  ];
  mountRoutes(router, routes, { authenticate, limiters, bodyParsers });
  app.use(router);

  if (deps.publicDir) {
    app.get(["/", "/verify", "/verify/"], (_req, res) => res.sendFile("verify.html", { root: deps.publicDir }));
    // Where every browser looks for the site's icon, whatever page it opened (the docs page too).
    app.get("/favicon.ico", (_req, res) => res.sendFile("favicon.ico", { root: deps.publicDir, maxAge: "1d" }));
    app.use("/assets", express.static(deps.publicDir, { index: false, maxAge: "1h" }));
  }

  if (deps.appDir) mountWebApp(app, deps.appDir);

  app.use((req, res) => {
    // A path some route serves with another method: 405 with the methods the route table has for it.
    const allow = allowedMethods(app, req.path);
    if (allow.length > 0) {
      res.setHeader("Allow", allow.join(", "));
      const detail = `${req.method} is not an operation of ${req.path}; it answers ${allow.join(", ")}`;
      sendProblem(res, new HttpProblem(405, "METHOD_NOT_ALLOWED", "Method not allowed", detail), req.originalUrl);
      return;
    }
    sendProblem(
      res,
      new HttpProblem(404, "NOT_FOUND", "Not found", `no route ${req.method} ${req.path}`),
      req.originalUrl,
    );
  });
  app.use(errorMiddleware(deps.logger));
  return app;
}

/** JSON and CSV body limits (bytes) of an operation: the lot and the Scope 3 inventory have their own. */
function bodyLimits(operationId: string): [json: number, csv: number] {
  const L = REQUEST_LIMITS;
  if (operationId === "submitLot") return [L.lotJsonBytes, L.lotCsvBytes];
  if (operationId === "scope3Report") return [L.inventoryJsonBytes, L.inventoryCsvBytes];
  return [L.jsonBytes, L.jsonBytes];
}

/**
 * Conditional GET only against a real validator. `If-None-Match: *` ("any current representation") would make
 * express (`fresh`) and express.static answer 304 to every GET, validator or not — a client or cache that sent it
 * gets an empty answer it has nothing to reuse for. It is dropped, so the request is unconditional; a listed
 * entity tag still matches the ETag a route sets (weak comparison, as RFC 9110 §13.1.2 asks of If-None-Match),
 * and an answer without an ETag (or Last-Modified) is never 304.
 */
const onlyRealValidators: RequestHandler = (req, _res, next) => {
  const tags = req.headers["if-none-match"];
  if (tags !== undefined && tags.split(",").some((tag) => tag.trim() === "*")) delete req.headers["if-none-match"];
  next();
};

/** The app's metrics, reading the services it was given. */
function appMetrics(deps: AppDeps): ApiMetrics {
  const signerAddress = deps.signerAddress;
  return new ApiMetrics({
    oracle: deps.oracle,
    head: () => ({ block: deps.reads.cache.head, reachable: deps.reads.cache.reachable }),
    index: deps.index,
    signer: signerAddress
      ? async () => {
          const address = await signerAddress();
          if (!address) return undefined;
          const provider = deps.chain.provider;
          const [balance, nonce, pending] = await Promise.all([
            provider.getBalance(address),
            provider.getTransactionCount(address, "latest"),
            provider.getTransactionCount(address, "pending"),
          ]);
          return { address, balance, nonce, pending };
        }
      : undefined,
  });
}

type Part = { ok: boolean; error?: string } & Record<string, unknown>;

/**
 * /ready: the chain node, the oracle's job store, the event index and the API store each answer, each within
 * `readyTimeoutMs` — a stopped chain or an unreachable database turns it 503 in bounded time (a balancer then
 * sends clients to another instance), instead of a probe that hangs on a TCP connection nobody answers.
 */
async function readiness(deps: AppDeps) {
  const ms = deps.readyTimeoutMs ?? 2_000;
  const [chain, store, index, apiStore] = await Promise.all([
    within(ms, async () => {
      const block = await deps.reads.cache.refresh();
      return { ok: true, block, chainId: deps.chain.chainId.toString(), registry: deps.chain.address };
    }),
    within(ms, async () => {
      if (deps.oracle && !(await deps.oracle.store.ping())) throw new Error("the job store did not answer");
      return { ok: true, configured: deps.oracle !== undefined };
    }),
    deps.index
      ? within(ms, async () => {
          const index = deps.index!;
          const [ok, s] = await Promise.all([index.ping(), index.status()]);
          return { ok, lastBlock: s.lastBlock };
        })
      : Promise.resolve({ ok: true, configured: false }),
    within(ms, async () => ({ ok: await deps.store.ping(), dialect: deps.store.dialect })),
  ]);
  const ready = chain.ok && store.ok && index.ok && apiStore.ok;
  return { status: ready ? "ready" : "not ready", chain, store, index, apiStore };
}

/** `check()`'s report, or not ok when it throws or takes longer than `ms`. */
async function within(ms: number, check: () => Promise<Part>): Promise<Part> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Part>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: `no answer within ${ms} ms` }), ms);
  });
  try {
    return await Promise.race([
      check().catch((e: unknown): Part => ({ ok: false, error: (e as Error).message.split("\n")[0] ?? "failed" })),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The web app (app/, built into app/dist): its page at /app/ (never cached: it names the current bundle) and its
 * content-hashed assets under /app/assets/ (cached for a year: a new build has new names). Screens are hash routes
 * (/app/#/portfolio), so one page serves them all. Unbuilt, /app/ says how to build it.
 */
function mountWebApp(app: Express, appDir: string): void {
  // Express matches "/app" and "/app/" alike (non-strict routing): the bare path is told apart by the URL itself.
  app.get("/app", (req, res) => {
    if (!req.originalUrl.split("?")[0]!.endsWith("/")) {
      res.redirect(301, "/app/");
      return;
    }
    if (!existsSync(join(appDir, "index.html"))) {
      sendProblem(
        res,
        new HttpProblem(
          503,
          "APP_NOT_BUILT",
          "Service unavailable",
          "the web app is not built: run `npm run build` (or `npm start`, which builds it) in the registry's clone",
        ),
        req.originalUrl,
      );
      return;
    }
    res.sendFile("index.html", { root: appDir, headers: { "cache-control": "no-cache" } });
  });
  app.use("/app/assets", express.static(join(appDir, "assets"), { index: false, immutable: true, maxAge: "365d" }));
  // The verify page's recomputation (a fixed name, so revalidated: a new build replaces it).
  app.use("/app/verify", express.static(join(appDir, "verify"), { index: false, cacheControl: false }));
}

/** The chain's public JSON-RPC origin when the chain is a development chain (for the app's dev wallet), else none. */
function devRpcOrigin(deps: AppDeps): string[] {
  if (!deps.publicRpcUrl || !isDevChain(deps.chain.chainId) || !URL.canParse(deps.publicRpcUrl)) return [];
  return [new URL(deps.publicRpcUrl).origin];
}
