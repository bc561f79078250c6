/**
 * The registry's services in one process — the oracle worker, the event indexer and the API with the verification
 * page, sharing one oracle service — as both `npm start` (against its embedded chain) and `itec serve` (against an
 * operator's chain) run them. Configured only from validated configuration (core/config.ts).
 */
import { dirname, join } from "node:path";

import type { Logger } from "pino";

import { startApi, type RunningApi } from "../../api/src/server.ts";
import type { ServeEnv } from "../../core/config.ts";
import { openIndexer, type Indexer } from "../../indexer/index.ts";
import { createOracle, runWorker, type OracleRuntime } from "../../oracle/src/index.ts";

export interface ServicesOptions {
  logger: Logger;
  /** Run the oracle worker (default true); without it no oracle key is needed and lots wait for a worker elsewhere. */
  worker?: boolean;
  /** Run the event indexer (default true); without it the listing routes answer 503. */
  index?: boolean;
  /** Aborted while the services start: what was opened is closed again and the start rejects with the reason. */
  signal?: AbortSignal;
}

export interface RunningServices {
  api: RunningApi;
  oracle: OracleRuntime;
  indexer: Indexer | undefined;
  /** Stops the worker and indexer loops, then closes the API, the index and the oracle service. Never throws. */
  stop(): Promise<void>;
}

/** How long a stop waits for the API's requests in flight. */
const API_CLOSE_MS = 2_000;

export async function startServices(env: ServeEnv, options: ServicesOptions): Promise<RunningServices> {
  const { logger, worker = true, index = true, signal } = options;
  const loops = new AbortController();
  const running: Promise<unknown>[] = [];
  const closers: (() => Promise<void> | void)[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      loops.abort();
      await Promise.allSettled(running);
      for (const close of closers.reverse()) {
        try {
          await close();
        } catch (error) {
          logger.warn({ err: error }, "closing a service failed");
        }
      }
    })());
  const check = () => {
    if (signal?.aborted) throw signal.reason;
  };

  try {
    check();
    const oracle = await createOracle(env, logger, { requireKey: worker });
    closers.push(() => oracle.close());
    check();
    if (worker) running.push(runWorker(oracle, env.ITEC_POLL_MS, loops.signal));
    let indexer: Indexer | undefined;
    if (index) {
      const opened = await openIndexer({
        rpcUrl: env.ITEC_RPC_URL,
        registryAddress: oracle.oracle.chain.address,
        chainId: oracle.oracle.chain.chainId,
        startBlock: env.ITEC_REGISTRY_DEPLOY_BLOCK,
        sqlitePath: env.ITEC_INDEX_DB_PATH ?? join(dirname(env.ITEC_DB_PATH), "index.db"),
        databaseUrl: env.DATABASE_URL,
        logger,
      });
      indexer = opened;
      closers.push(() => opened.close());
      check();
      running.push(opened.run(loops.signal, env.ITEC_INDEX_POLL_MS));
    }
    const api = await startApi(env, { logger, oracle, ...(indexer ? { index: indexer } : {}) });
    // Bounded: the API's close() waits for requests in flight, and one waiting on a chain that is already gone (a
    // Ctrl-C at the terminal reaches an embedded chain too) would hold the stop until its RPC timeout.
    closers.push(() => Promise.race([api.close().catch(() => undefined), sleep(API_CLOSE_MS)]));
    check();
    return { api, oracle, indexer, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
