/**
 * The campaign's figures: each scenario prints one JSON line ("soak figures: {…}") for the closing note, and at full
 * scale (`npm run soak`) also writes them into bench/results/soak.json under its own name (stamped with when it ran), with the date, the
 * machine and the headline (requests, 5xx, kills, duplicates, lost, verify p99 under load, load p99) — the file
 * bench/summary/figures.ts reads for the README's table.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";

import { SCALE } from "./scale.ts";

export const SOAK_RESULTS = "bench/results/soak.json";

export type Figures = Record<string, unknown>;

/** The closing note's figures, from the scenarios' (null where a scenario has not run). */
export function headline(scenarios: Record<string, Figures>) {
  const get = (scenario: string, path: string): unknown =>
    path.split(".").reduce<unknown>((x, k) => (x as Record<string, unknown> | undefined)?.[k], scenarios[scenario]);
  const n = (scenario: string, path: string) => {
    const v = get(scenario, path);
    return typeof v === "number" ? v : null;
  };
  return {
    requests: n("fuzz", "requests"),
    "5xx": n("fuzz", "5xx"),
    kills: n("chaos", "kills"),
    chainRestarts: n("chaos", "chainRestarts"),
    duplicates: n("chaos", "duplicates"),
    lost: n("chaos", "lost"),
    verifyP99UnderLoadMs: n("dos", "underLoad.p99_ms"),
    verifyBudgetMs: n("dos", "targetP99Ms"),
    loadOperations:
      n("load", "transfers") === null ? null : (n("load", "transfers") ?? 0) + (n("load", "retirements") ?? 0),
    loadP99Ms: n("load", "submitToConfirmed.p99_ms"),
    invariantRuns: n("invariants", "runs"),
  };
}

/** bench/results/soak.json: the date, machine and scale, the headline, and each scenario's figures. */
export function soakResults(scale: string, scenarios: Record<string, Figures>) {
  return {
    date: new Date().toISOString().slice(0, 10),
    machine: { cpus: os.availableParallelism(), loadAverage: os.loadavg()[0]!.toFixed(1), node: process.version },
    scale,
    headline: headline(scenarios),
    scenarios,
  };
}

/**
 * Adds one scenario's figures to soak.json. Each scenario is stamped with when it ran, on which commit and at what
 * load average, so a scenario re-run on its own (e.g. the DoS budget on a quiet machine) replaces only its own entry
 * and the file still says which figures come from which run; entries of another scale are dropped.
 */
export function reportFigures(scenario: string, figures: Figures): void {
  process.stdout.write(`      soak figures: ${JSON.stringify({ scenario, scale: SCALE.name, ...figures })}\n`);
  if (SCALE.name !== "full") return; // `npm test` leaves the committed results alone
  let scenarios: Record<string, Figures> = {};
  if (existsSync(SOAK_RESULTS)) {
    const previous = JSON.parse(readFileSync(SOAK_RESULTS, "utf8")) as { scale?: string; scenarios?: typeof scenarios };
    if (previous.scale === SCALE.name && previous.scenarios) scenarios = previous.scenarios;
  }
  scenarios[scenario] = { ...figures, ran: runStamp() };
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(SOAK_RESULTS, JSON.stringify(soakResults(SCALE.name, scenarios), null, 2) + "\n");
}

/** When, on which commit and on how busy a machine a scenario ran. */
function runStamp() {
  let commit: string | null = null;
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: "pipe" }).trim();
  } catch {
    // not a git checkout: the figures say so with a null commit
  }
  return { at: new Date().toISOString(), commit, loadAverage: os.loadavg()[0]!.toFixed(1) };
}

/** p50/p99/max of latencies in ms, rounded to 0.1 ms. */
export function latency(ms: readonly number[]): { n: number; p50_ms: number; p99_ms: number; max_ms: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? 0;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: s.length, p50_ms: r(at(0.5)), p99_ms: r(at(0.99)), max_ms: r(s.at(-1) ?? 0) };
}
