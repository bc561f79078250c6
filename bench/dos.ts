/**
 * `npm run bench:dos` — requests that cannot starve the rest (issue 18, item 2): `GET /verify/retirements/{id}` probes
 * on loopback, first on an idle API, then — in the same run, on the same server — while the largest accepted lot
 * (50,000 devices, bench/generate-lot.ts, `POST /lots` as the refurbisher) is calculated and four maximum-size Scope 3
 * requests (10,000 inventory rows as CSV, rendered as PDF) run. The registry is the test harness's (a real chain, the
 * API with its oracle on a SQLite job-store file); one retirement is seeded through the real pipeline (lot, auditor
 * signature, oracle mint, relayed retirement), and the probes verify it from the chain.
 *
 * Probes are sent on a fixed schedule (one every `--gap` ms, open loop: a stall is charged to every probe it delays)
 * from a worker thread of their own, off the API's event loop. Writes
 * bench/results/dos.json with p50/p99/max of both phases and the heavy requests' status and duration.
 * The scenario itself is test/helpers/dos-run.ts (the hardening campaign, test/soak/dos.test.ts, runs the same).
 * Target: p99 ≤ 50 ms under load. Options: `--devices 50000`, `--reports 4`, `--idle 300` (probes), `--gap 10`.
 */
import { mkdirSync, writeFileSync } from "node:fs";

import { REQUEST_LIMITS } from "../core/config.ts";
import { runDosScenario, TARGET_P99_MS } from "../test/helpers/dos-run.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const results = await runDosScenario({
  devices: Number(arg("devices", String(REQUEST_LIMITS.lotDevices))),
  reports: Number(arg("reports", "4")),
  inventoryRows: REQUEST_LIMITS.inventoryRows,
  idleProbes: Number(arg("idle", "300")),
  gapMs: Number(arg("gap", "10")),
});
console.log(`idle        p50 ${results.idle.p50_ms} ms, p99 ${results.idle.p99_ms} ms (${results.idle.probes})`);
console.log(
  `under load  p50 ${results.underLoad.p50_ms} ms, p99 ${results.underLoad.p99_ms} ms, max ` +
    `${results.underLoad.max_ms} ms (${results.underLoad.probes} probes, ${results.underLoad.failures} failed, ` +
    `${results.underLoad.seconds} s)`,
);
console.log(
  `API event-loop delay: idle p99 ${results.idle.apiLoopDelay.p99_ms} ms (max ${results.idle.apiLoopDelay.max_ms}), ` +
    `under load p99 ${results.underLoad.apiLoopDelay.p99_ms} ms (max ${results.underLoad.apiLoopDelay.max_ms}); ` +
    `load average ${results.machine.loadAverageAtStart} → ${results.machine.loadAverage} on ${results.machine.cpus} cores`,
);
for (const r of results.heavy)
  console.log(`  ${r.request}: ${r.status}${r.code ? ` ${r.code}` : ""} in ${r.seconds} s`);
console.log(`target p99 ≤ ${TARGET_P99_MS} ms: ${results.underLoad.p99_ms <= TARGET_P99_MS ? "met" : "NOT met"}`);
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/dos.json", JSON.stringify(results, null, 2) + "\n");
