/**
 * The first-start demonstration under `npm start` (scripts/lib/demo.ts runs its steps): run once, recorded in
 * `<data-dir>/demo.json`, completed by the next start if it was interrupted (`demo.started`), and on later starts
 * only recalled.
 *
 * TEST ONLY: `ITEC_DEMO_STOP_AFTER=<1–6>` makes the process interrupt itself (SIGINT, exactly as a Ctrl-C) right
 * after that step — a deterministic "Ctrl-C during the demonstration" for test/e2e/start.test.ts.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";

import type { JsonRpcProvider } from "ethers";

import type { RunningApi } from "../../api/src/server.ts";
import { devAccount } from "../../core/keys.ts";
import { runDemo, type DemoResult } from "../lib/demo.ts";
import type { DataDir } from "./data-dir.ts";
import { START_ROLES } from "./dev-accounts.ts";
import { recordDocuments, type DemoDocuments } from "./documents.ts";
import { complain, elapsed, oneLine, say } from "./terminal.ts";

export interface DemoContext {
  api: RunningApi;
  provider: JsonRpcProvider;
  rpcUrl: string;
  registry: string;
  dir: DataDir;
  /** Throws once a stop is under way. */
  guard(): void;
  /** `--no-demo`: recall an earlier demonstration, but run none. */
  noDemo: boolean;
  /** TEST ONLY: interrupt after this step. */
  stopAfter: number | undefined;
}

/** Runs (or completes) the demonstration, or recalls the one an earlier start made. */
export async function demonstrate(ctx: DemoContext): Promise<void> {
  const { api, dir } = ctx;
  if (existsSync(dir.demo)) {
    const demo = JSON.parse(readFileSync(dir.demo, "utf8")) as DemoResult & { documents?: DemoDocuments };
    // the API's URL now (a restart may use another --port or ITEC_PUBLIC_URL), not the one recorded then
    say(`demonstration retirement (from an earlier start): ${api.url}/verify/retirements/${demo.retirementId}`);
    if (demo.documents) say(`retirement certificate (PDF): ${demo.documents.certificatePdf}`);
    else await recordDocuments(ctx, demo.retirementId); // an earlier start could not render them: once more
    return;
  }
  if (ctx.noDemo) return;
  say(
    existsSync(dir.demoStarted)
      ? "\nCompleting the demonstration an earlier start began (the steps it did are skipped)\n"
      : "\nFirst start: running the demonstration with the sample lot data/samples/demo-lot.csv\n",
  );
  writeFileSync(dir.demoStarted, new Date().toISOString() + "\n");
  let result: DemoResult | undefined;
  try {
    result = await runDemo({
      apiUrl: api.url,
      provider: ctx.provider,
      registry: ctx.registry,
      wallets: {
        admin: devAccount(START_ROLES.admin),
        auditor1: devAccount(START_ROLES.auditor1),
        auditor2: devAccount(START_ROLES.auditor2),
        refurbisher: devAccount(START_ROLES.refurbisher),
        corporate: devAccount(START_ROLES.corporate),
      },
      lotCsv: "data/samples/demo-lot.csv",
      say,
      afterStep: (step) => afterStep(ctx, step),
    });
  } catch (error) {
    ctx.guard(); // interrupted (Ctrl-C): the next start completes it
    complain(
      `the demonstration failed: ${oneLine(error)} — the registry keeps running; the next npm start resumes the ` +
        `demonstration (npm start -- --fresh starts over)`,
    );
  }
  ctx.guard();
  if (!result) return;
  writeFileSync(dir.demo, JSON.stringify({ ...result, at: new Date().toISOString() }, null, 2) + "\n");
  rmSync(dir.demoStarted, { force: true });
  say(`\nverify the retirement: ${result.verifyUrl}   — ${elapsed()} after npm start`);
  await recordDocuments(ctx, result.retirementId);
}

/** Between steps: a real Ctrl-C stops the demonstration here; the test hook sends one. */
async function afterStep(ctx: DemoContext, step: number): Promise<void> {
  ctx.guard();
  if (ctx.stopAfter !== step) return;
  say(`ITEC_DEMO_STOP_AFTER=${step} (test hook): interrupting the demonstration after step ${step}`);
  process.kill(process.pid, "SIGINT");
  await new Promise<never>(() => undefined); // the stop exits the process
}
