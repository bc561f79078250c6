/**
 * The API server: from its validated configuration (core/config.ts), builds the adapters (chain client with a per-block read
 * cache, oracle service, event index, Sign-In with Ethereum) and listens. `createApp` only wires them.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { dirname, join } from "node:path";

import { pino, type Logger } from "pino";

import type { ChainClient } from "../../core/chain/client.ts";
import type { ApiEnv, ServeEnv } from "../../core/config.ts";
import { loadReferenceFile } from "../../core/calc/reference-file.ts";
import { WorkerPool } from "./workers/pool.ts";
import { createOracle, type OracleRuntime } from "../../oracle/src/index.ts";
import { createApp } from "./app.ts";
import { answerClientErrors } from "./client-error.ts";
import type { AppDeps, IndexReader } from "./deps.ts";
import { ChainReads } from "../../core/chain/reads.ts";
import { HeadCache } from "../../core/chain/head-cache.ts";
import { TransactionService } from "./services/transactions.ts";
import { SiweAuth } from "./siwe.ts";
import { MarketService } from "./services/market/market.ts";
import { ApiStore } from "./store/store.ts";
import { packagePath } from "../../core/package.ts";

export const PUBLIC_DIR = packagePath("api/public");
/** The web app, as `npm run build` (a clone) or the package (prepack) built it. */
export const APP_DIR = packagePath("app/dist");

const isWildcard = (host: string) => host === "0.0.0.0" || host === "::" || host === "[::]";

/**
 * The URL the server listens on, the public URL when ITEC_PUBLIC_URL is not set (links in answers and documents
 * name it): an IPv6 address in brackets, and loopback for a wildcard address, which no client can use as a host.
 */
export function listeningUrl(host: string, port: number): string {
  if (isWildcard(host)) return `http://127.0.0.1:${port}`;
  return `http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
}

export interface RunningApi {
  url: string;
  deps: AppDeps;
  store: ApiStore;
  oracle: OracleRuntime;
  close(): Promise<void>;
}

/** Where the API keeps what its instances share: the database of the event index. */
export type ApiStoreEnv = Pick<ApiEnv, "ITEC_DB_PATH"> & Partial<Pick<ServeEnv, "DATABASE_URL" | "ITEC_INDEX_DB_PATH">>;

/**
 * Opens the API store in the index's database: PostgreSQL with DATABASE_URL (instances on several machines), else
 * the index's SQLite file (instances on one machine; the same default as scripts/lib/services.ts), or an
 * in-memory store when the oracle's store is in memory (tests).
 */
export function openApiStore(env: ApiStoreEnv): Promise<ApiStore> {
  const sqlitePath =
    env.ITEC_INDEX_DB_PATH ??
    (env.ITEC_DB_PATH === ":memory:" ? ":memory:" : join(dirname(env.ITEC_DB_PATH), "index.db"));
  return ApiStore.open({ databaseUrl: env.DATABASE_URL, sqlitePath });
}

/**
 * Starts the API. `index` is the listing index (optional: listing routes answer 503 without it); `oracle` may be
 * passed in to share one oracle service with the worker of the same process; `store` to share one API store
 * (otherwise it is opened from `env`, see {@link openApiStore}, and closed with the API).
 */
export async function startApi(
  env: ApiEnv & Partial<Pick<ServeEnv, "DATABASE_URL" | "ITEC_INDEX_DB_PATH">>,
  options: {
    logger?: Logger;
    index?: IndexReader;
    oracle?: OracleRuntime;
    store?: ApiStore;
    /** The built web app to serve under /app/ (default: the package's app/dist). */
    appDir?: string;
  } = {},
): Promise<RunningApi> {
  const logger = options.logger ?? pino({ level: env.ITEC_LOG_LEVEL, base: { service: "itec-api" } });
  const store = options.store ?? (await openApiStore(env));
  if (!env.ITEC_SESSION_SECRET && store.shared) {
    logger.warn(
      "ITEC_SESSION_SECRET is not set: sign-in tokens are signed with a key of this process only, so another API " +
        "instance (or this one after a restart) refuses them; give every instance the same secret",
    );
  }
  const oracle = options.oracle ?? (await createOracle(env, logger, { requireKey: false }));
  const chain: ChainClient = oracle.oracle.chain;
  const cache = new HeadCache(chain.provider, { logger });
  cache.start(env.ITEC_HEAD_POLL_MS);
  // Listen first: with port 0 the public URL (and so the sign-in domain) is known only once bound.
  const server: Server = createServer();
  answerClientErrors(server, logger);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.ITEC_API_PORT, env.ITEC_API_HOST, () => resolve());
  });
  server.keepAliveTimeout = 65_000;
  const { port } = server.address() as { port: number };
  const publicUrl = env.ITEC_PUBLIC_URL?.replace(/\/+$/, "") ?? listeningUrl(env.ITEC_API_HOST, port);
  if (!env.ITEC_PUBLIC_URL && isWildcard(env.ITEC_API_HOST)) {
    logger.warn(
      { host: env.ITEC_API_HOST, publicUrl },
      "ITEC_PUBLIC_URL is not set: links in answers and documents name this machine's loopback address; set it to the URL others reach this API at",
    );
  }
  // The oracle loads the same file (ITEC_REFERENCE_PATH) for its calculation; this copy keeps its bytes to serve.
  const referenceFile = loadReferenceFile(env.ITEC_REFERENCE_PATH);
  const market = env.ITEC_MARKET_ADDRESS
    ? new MarketService(chain, store.db, env.ITEC_MARKET_ADDRESS, env.ITEC_REGISTRY_DEPLOY_BLOCK)
    : undefined;
  const deps: AppDeps = {
    chain,
    market,
    reads: new ChainReads(chain, cache, env.ITEC_REGISTRY_DEPLOY_BLOCK),
    txs: new TransactionService(chain, market ? (to) => market.relayTarget(to) : undefined),
    auth: new SiweAuth({
      domain: new URL(publicUrl).host,
      origin: new URL(publicUrl).origin,
      chainId: chain.chainId,
      secret: env.ITEC_SESSION_SECRET ? Buffer.from(env.ITEC_SESSION_SECRET, "hex") : randomBytes(32),
      tokenTtlSeconds: env.ITEC_SESSION_TTL_SECONDS,
      nonceTtlSeconds: 600,
      nonces: store,
      now: () => new Date(),
      hasCode: (a) => chain.hasCode(a),
      isValidContractSignature: (a, d, sig) => chain.isValidErc1271Signature(a, d, sig),
    }),
    store,
    logger,
    trustProxy: env.ITEC_TRUST_PROXY,
    signerAddress: () => oracle.oracle.signerAddress(),
    oracle: oracle.oracle,
    index: options.index,
    publicDir: PUBLIC_DIR,
    appDir: options.appDir ?? APP_DIR,
    publicUrl,
    publicRpcUrl: env.ITEC_PUBLIC_RPC_URL ?? env.ITEC_RPC_URL,
    reference: referenceFile.table,
    referenceFile,
    chainName: env.ITEC_CHAIN_NAME,
    limits: {
      auth: env.ITEC_RATE_LIMIT_AUTH,
      write: env.ITEC_RATE_LIMIT_WRITE,
      read: env.ITEC_RATE_LIMIT_READ,
      health: env.ITEC_RATE_LIMIT_HEALTH,
      ready: env.ITEC_RATE_LIMIT_READY,
    },
    corsOrigins: env.ITEC_CORS_ORIGINS,
    workers: new WorkerPool({ size: env.ITEC_WORKERS, queue: env.ITEC_WORKER_QUEUE }),
  };
  server.on("request", createApp(deps));
  const url = publicUrl;
  logger.info({ url, registry: chain.address, chainId: chain.chainId.toString() }, "API listening");
  return {
    url,
    deps,
    store,
    oracle,
    close: async () => {
      cache.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await deps.workers?.close();
      if (!options.oracle) await oracle.close();
      if (!options.store) await store.close();
    },
  };
}
