/**
 * The campaign's figures: each scenario prints one JSON line ("soak figures: {…}") for the closing note, and at full
 * scale (`npm run soak`) also merges its figures into bench/results/soak.json under its own name, with the date and
 * the machine — the file bench/summary/figures.ts reads for the README's table.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";

import { SCALE } from "./scale.ts";

export const SOAK_RESULTS = "bench/results/soak.json";

export type Figures = Record<string, unknown>;

export function reportFigures(scenario: string, figures: Figures): void {
  process.stdout.write(`      soak figures: ${JSON.stringify({ scenario, scale: SCALE.name, ...figures })}\n`);
  if (SCALE.name !== "full") return;
  const previous = existsSync(SOAK_RESULTS)
    ? (JSON.parse(readFileSync(SOAK_RESULTS, "utf8")) as { scenarios?: Record<string, Figures> })
    : {};
  const results = {
    date: new Date().toISOString().slice(0, 10),
    machine: { cpus: os.availableParallelism(), loadAverage: os.loadavg()[0]!.toFixed(1), node: process.version },
    scale: SCALE.name,
    scenarios: { ...previous.scenarios, [scenario]: figures },
  };
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(SOAK_RESULTS, JSON.stringify(results, null, 2) + "\n");
}

/** p50/p99/max of latencies in ms, rounded to 0.1 ms. */
export function latency(ms: readonly number[]): { n: number; p50_ms: number; p99_ms: number; max_ms: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? 0;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: s.length, p50_ms: r(at(0.5)), p99_ms: r(at(0.99)), max_ms: r(s.at(-1) ?? 0) };
}
