/**
 * `itec serve` — the registry's services against a chain you run (a Besu QBFT network in production): the oracle
 * worker, the event indexer and the API with the verification page, in one process, configured only from validated
 * `ITEC_*` variables (core/config.ts). `npm start` is the same stack plus an embedded chain, a deployment and dev keys; this is what an
 * operator runs once the registry is deployed (network/besu/README.md §6–7).
 */
import { dirname, join } from "node:path";

import type { Command } from "commander";
import { pino } from "pino";

import { startApi } from "../../api/src/server.ts";
import { openIndexer } from "../../indexer/index.ts";
import type { Indexer } from "../../indexer/indexer.ts";
import { readServeEnv } from "../../core/config.ts";
import { createOracle, runWorker } from "../../oracle/src/runtime/oracle.ts";

interface ServeOptions {
  worker: boolean;
  index: boolean;
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .summary("run the oracle worker, event indexer and API against an operator's chain (production)")
    .description(
      "run the oracle worker, event indexer and API against the configured chain until SIGINT/SIGTERM " +
        "(ITEC_RPC_URL, ITEC_REGISTRY_ADDRESS, ITEC_ORACLE_KEYSTORE, ITEC_DB_PATH, ITEC_API_PORT, DATABASE_URL, …)",
    )
    .option("--no-worker", "do not run the oracle worker (no oracle key needed; lots wait for a worker elsewhere)")
    .option("--no-index", "do not run the event indexer (listing routes answer 503)")
    .action(async (options: ServeOptions) => {
      const env = readServeEnv();
      const logger = pino({ level: env.ITEC_LOG_LEVEL, base: { service: "itec" } });
      const oracle = await createOracle(env, logger, { requireKey: options.worker });
      const controller = new AbortController();
      const closers: (() => Promise<void> | void)[] = [() => oracle.close()];
      const running: Promise<unknown>[] = [];
      try {
        if (options.worker) running.push(runWorker(oracle, env.ITEC_POLL_MS, controller.signal));
        let index: Indexer | undefined;
        if (options.index) {
          const opened = await openIndexer({
            rpcUrl: env.ITEC_RPC_URL,
            registryAddress: oracle.oracle.chain.address,
            chainId: oracle.oracle.chain.chainId,
            startBlock: env.ITEC_REGISTRY_DEPLOY_BLOCK,
            sqlitePath: env.ITEC_INDEX_DB_PATH ?? join(dirname(env.ITEC_DB_PATH), "index.db"),
            databaseUrl: env.DATABASE_URL,
            logger,
          });
          index = opened;
          closers.unshift(() => opened.close());
          running.push(opened.run(controller.signal, env.ITEC_INDEX_POLL_MS));
        }
        const api = await startApi(env, { logger, oracle, ...(index ? { index } : {}) });
        closers.unshift(() => api.close());
        process.stdout.write(
          `itec serve: API ${api.url} · registry ${oracle.oracle.chain.address} on chain ` +
            `${oracle.oracle.chain.chainId} · worker ${options.worker ? "on" : "off"} · index ${options.index ? "on" : "off"}\n`,
        );
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
      } finally {
        controller.abort();
        await Promise.allSettled(running);
        for (const close of closers) await close();
      }
    });
}
