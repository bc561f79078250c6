/**
 * `npm run bench:api` — autocannon on loopback against the running registry (`npm start` in a child process, with
 * its demonstration retirement): `GET /verify/retirements/1` and a balance query, 50 connections, 20 s each, and —
 * in the same run, on the same server — a bare express endpoint (`GET /health`) as the ceiling. Writes
 * bench/results/api.json as {"ceiling": {rps, p50_ms, p99_ms}, "verify": {…}, "balance": {…}}.
 * The per-client read and health rate limits are raised for the run (one client makes every request).
 * Options: `--duration 20`, `--connections 50`.
 */
import { mkdirSync, writeFileSync } from "node:fs";

import autocannon from "autocannon";

import { startRegistry } from "./registry.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const DURATION = Number(arg("duration", "20"));
const CONNECTIONS = Number(arg("connections", "50"));

const registry = await startRegistry({ ITEC_RATE_LIMIT_READ: "100000000", ITEC_RATE_LIMIT_HEALTH: "100000000" });
const base = registry.api;
const corporate = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";

async function measure(path: string) {
  const check = await fetch(base + path);
  if (!check.ok) throw new Error(`${path} answered ${check.status}`);
  const r = await autocannon({ url: base + path, connections: CONNECTIONS, duration: DURATION });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${path}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return {
    rps: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    requests: r.requests.total,
  };
}

const results = {
  ceiling: await measure("/health"),
  verify: await measure("/verify/retirements/1"),
  balance: await measure(`/accounts/${corporate}/balances`),
};
await registry.stop();

console.log("endpoint   req/s    p50 ms  p99 ms");
for (const [k, v] of Object.entries(results)) {
  console.log(
    `${k.padEnd(9)} ${String(v.rps).padStart(7)} ${String(v.p50_ms).padStart(8)} ${String(v.p99_ms).padStart(7)}`,
  );
}
console.log(
  `verify = ${((results.verify.rps / results.ceiling.rps) * 100).toFixed(0)} % of the ceiling (target ≥ 50 %, p99 ≤ 25 ms)`,
);
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/api.json", JSON.stringify(results, null, 2) + "\n");
