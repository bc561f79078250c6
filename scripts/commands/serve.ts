/**
 * `itec serve` — the registry's services against a chain you run (a Besu QBFT network in production): the oracle
 * worker, the event indexer and the API with the verification page, in one process, configured only from validated
 * `ITEC_*` variables (core/config.ts). `npm start` runs the same services (scripts/lib/services.ts) plus an embedded
 * chain, a deployment and dev keys; this is what an operator runs once the registry is deployed
 * (network/besu/README.md §6–7).
 */
import type { Command } from "commander";
import { pino } from "pino";

import { readServeEnv } from "../../core/config.ts";
import { startServices } from "../lib/services.ts";

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
      const services = await startServices(env, { logger, worker: options.worker, index: options.index });
      try {
        const { chain } = services.oracle.oracle;
        process.stdout.write(
          `itec serve: API ${services.api.url} · registry ${chain.address} on chain ${chain.chainId} · ` +
            `worker ${options.worker ? "on" : "off"} · index ${options.index ? "on" : "off"}\n`,
        );
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
      } finally {
        await services.stop();
      }
    });
}
