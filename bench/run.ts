/**
 * `npm run bench` — the one benchmark entry point (issue 18 item 8): runs each benchmark in turn (one at a time:
 * they measure time, and two at once on this 2-core machine would measure each other), then writes
 * bench/results/summary.json and the figures table of README.md from every results file, each figure with the date
 * and machine of the run it comes from.
 *
 *   npm run bench                      all benchmarks (~1 hour here; not the soak), then the summary
 *   npm run bench -- --only gas,calc   those benchmarks, then the summary of all results
 *   npm run bench -- --skip reports    all but those
 *   npm run bench -- --summary-only    no benchmark: the summary and table from the results already written
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { BENCHES } from "./summary/figures.ts";
import { readmeWithFigures, readRunLog, RUN_LOG, summarise, thisMachine } from "./summary/summary.ts";

const root = join(import.meta.dirname, "..");
const results = join(root, "bench", "results");

function list(flag: string): string[] | null {
  const i = process.argv.indexOf(flag);
  if (i < 0) return null;
  const names = (process.argv[i + 1] ?? "").split(",").filter(Boolean);
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (names.length === 0 || unknown.length > 0) {
    console.error(
      `${flag} takes benchmark names (${BENCHES.map((b) => b.name).join(", ")}); unknown: ${unknown.join(", ") || "none given"}`,
    );
    process.exit(2);
  }
  return names;
}

const only = list("--only");
const skip = list("--skip") ?? [];
const summaryOnly = process.argv.includes("--summary-only");
// The soak (hours) runs only when named: `npm run bench -- --only soak`.
const chosen = summaryOnly
  ? []
  : BENCHES.filter((b) => (only ? only.includes(b.name) : !skip.includes(b.name) && !b.onRequest));

const failed: string[] = [];
const runLog = readRunLog(results);
if (chosen.length > 0) {
  const minutes = chosen.reduce((s, b) => s + b.minutes, 0);
  console.log(`running ${chosen.map((b) => b.name).join(", ")} — about ${minutes} min on a 2-core machine`);
}
for (const bench of chosen) {
  const started = Date.now();
  console.log(`\n▶ npm run ${bench.script}`);
  const run = spawnSync("npm", ["run", "--silent", bench.script], { cwd: root, stdio: "inherit" });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (run.status === 0) {
    console.log(`✓ ${bench.name} in ${seconds} s`);
    runLog[bench.name] = { ranAt: new Date().toISOString(), machine: thisMachine() };
    writeFileSync(join(results, RUN_LOG), `${JSON.stringify(runLog, null, 2)}\n`);
  } else {
    console.log(`✗ ${bench.name} exited ${run.status ?? run.signal} after ${seconds} s`);
    failed.push(bench.name);
  }
}

const summary = summarise(results);
writeFileSync(join(results, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
const readmePath = join(root, "README.md");
writeFileSync(readmePath, await readmeWithFigures(readFileSync(readmePath, "utf8"), readmePath, summary));
const unmet = summary.benches.flatMap((b) =>
  b.figures.filter((f) => f.met === false).map((f) => `${b.name}: ${f.what}`),
);
const problems = summary.benches.flatMap((b) => (b.problem ? [b.problem] : []));
console.log(`\nwrote bench/results/summary.json and README.md's figures table (${summary.benches.length} benchmarks)`);
for (const line of unmet) console.log(`target not met — ${line}`);
for (const line of problems) console.log(`no figures — ${line}`);
if (failed.length > 0) {
  console.error(`failed: ${failed.join(", ")}`);
  process.exit(1);
}
