import type { Command } from "commander";

import { readOracleEnv } from "../../core/config.ts";
import { createOracle, runWorker } from "../../oracle/src/index.ts";

/** `itec oracle run` — the long-running worker that advances every batch (configuration from ITEC_* variables). */
export function registerOracle(program: Command): void {
  const oracle = program.command("oracle").description("the oracle service (calculation, signatures, posting)");
  oracle
    .command("run")
    .description("run the oracle worker until SIGINT/SIGTERM (config: ITEC_RPC_URL, ITEC_REGISTRY_ADDRESS, …)")
    .action(async () => {
      const env = readOracleEnv();
      const runtime = await createOracle(env);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        await runWorker(runtime, env.ITEC_POLL_MS, controller.signal);
      } finally {
        await runtime.close();
      }
    });
}
