/**
 * `npm run bench:cli` — how long a person waits for `itec`: wall time of whole processes, as a shell runs them.
 * In one run, interleaved round by round (so machine drift hits every command alike), each command's median over
 * `--runs` runs (default 9) and its ratio to `node -e "require('ethers')"` — the floor of any command that talks to
 * a chain. Read commands run against a registry started here (`node scripts/start.ts`, free ports, temporary data
 * directory, its demonstration's retirement #1). Targets (issue 11): `itec --help` ≤ 0.5 s; `verify retirement` and
 * `cert balance` ≤ 1.5 s. Also reported, not targeted: `npx itec --help` (npx's own start-up) and `itec calc` on the
 * sample lot. Writes bench/results/cli.json.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

import { startRegistry } from "./registry.ts";

const RUNS = Number(process.argv[process.argv.indexOf("--runs") + 1] ?? 9) || 9;
const NODE = process.execPath;
const corporate = "0x976EA74026E726554dB657fA54763abd0C3a0aa9"; // Hardhat test account #6, the demo's corporate

const registry = await startRegistry();
const { api, rpc, dataDir } = registry;
const itec = (...args: string[]) => [NODE, "bin/itec.js", ...args];
const commands: Record<string, { argv: string[]; target_s?: number }> = {
  "node -e \"require('ethers')\" (baseline)": { argv: [NODE, "-e", "require('ethers')"] },
  'node -e ""': { argv: [NODE, "-e", ""] },
  "itec --help": { argv: itec("--help"), target_s: 0.5 },
  "itec --version": { argv: itec("--version") },
  "itec verify retirement 1": {
    argv: itec("verify", "retirement", "1", "--rpc", rpc, "--data-dir", dataDir),
    target_s: 1.5,
  },
  "itec cert balance <corporate>": { argv: itec("cert", "balance", corporate, "--api", api), target_s: 1.5 },
  "itec calc data/samples/demo-lot.csv": { argv: itec("calc", "data/samples/demo-lot.csv") },
  "npx itec --help": { argv: ["npx", "itec", "--help"] },
};

const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let round = 0; round < RUNS + 1; round++) {
  for (const [name, { argv }] of Object.entries(commands)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    if (round > 0) times[name]!.push(seconds); // round 0 warms the file cache
  }
}
await registry.stop();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const baseline = median(Object.values(times)[0]!);
const results = Object.fromEntries(
  Object.entries(commands).map(([name, { target_s }]) => {
    const m = median(times[name]!);
    return [
      name,
      {
        median_s: +m.toFixed(3),
        min_s: +Math.min(...times[name]!).toFixed(3),
        max_s: +Math.max(...times[name]!).toFixed(3),
        ratio_to_baseline: +(m / baseline).toFixed(2),
        ...(target_s === undefined ? {} : { target_s, met: m <= target_s }),
      },
    ];
  }),
);
const report = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, loadavg_1m: +loadavg()[0]!.toFixed(2), node: process.version },
  runs: RUNS,
  results,
};
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/cli.json", JSON.stringify(report, null, 2) + "\n");
console.log("command                                   median s   ×baseline  target");
for (const [name, r] of Object.entries(results)) {
  const target = "target_s" in r ? `≤ ${r.target_s} ${r.met ? "met" : "MISSED"}` : "";
  console.log(
    `${name.padEnd(42)} ${r.median_s.toFixed(3).padStart(8)} ${r.ratio_to_baseline.toFixed(2).padStart(10)}  ${target}`,
  );
}
console.log(`(load average ${report.machine.loadavg_1m} on ${report.machine.cpus} cores) → bench/results/cli.json`);
