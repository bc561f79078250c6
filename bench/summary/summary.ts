/**
 * bench/results/summary.json and the README's figures table, built from the results files the benchmarks wrote
 * (bench/summary/figures.ts says which numbers). Each benchmark keeps the machine and date it ran on: a figure is
 * only comparable with others of the same machine and run, and the table says so.
 */
import { existsSync, readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";

import { format, resolveConfig } from "prettier";

import { BENCHES, type Figure } from "./figures.ts";

export interface BenchSummary {
  name: string;
  script: string;
  file: string;
  /** When the results were written: the file's own date field, else `npm run bench`'s run log, else null. */
  measuredAt: string | null;
  /** The machine the results file names; null when that benchmark does not record one. */
  machine: unknown;
  figures: Figure[];
  /** Why no figures: the file is missing or lacks a figure (its format changed). */
  problem: string | null;
}

export interface Summary {
  generatedAt: string;
  /** The machine this summary was written on. */
  machine: { cpus: number; cpu: string; memoryGb: number; node: string };
  benches: BenchSummary[];
}

/** What `npm run bench` records of each run it made (bench/results/runs.json): for results without a date or machine. */
export type RunLog = Record<string, { ranAt: string; machine: Summary["machine"]; note?: string }>;

export const RUN_LOG = "runs.json";

function own(results: unknown, key: string): unknown {
  return results && typeof results === "object" && !Array.isArray(results)
    ? (results as Record<string, unknown>)[key]
    : undefined;
}

/** The results' own date, else the date `npm run bench` ran it, else null (never the file's mtime: a clone resets it). */
function dateOf(results: unknown, run: RunLog[string] | undefined): string | null {
  for (const key of ["measuredAt", "generatedAt", "date"]) {
    const v = own(results, key);
    if (typeof v === "string") return v;
  }
  return run?.ranAt ?? null;
}

function machineOf(results: unknown, run: RunLog[string] | undefined): unknown {
  return own(results, "machine") ?? run?.machine ?? null;
}

export function readRunLog(dir: string): RunLog {
  const path = join(dir, RUN_LOG);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as RunLog) : {};
}

export function thisMachine(): Summary["machine"] {
  return {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

/** The summary of every benchmark's results under `dir`. */
export function summarise(dir: string, now = new Date()): Summary {
  const runs = readRunLog(dir);
  const benches = BENCHES.map((bench): BenchSummary => {
    const path = join(dir, bench.file);
    const base = { name: bench.name, script: bench.script, file: bench.file };
    if (!existsSync(path)) {
      return {
        ...base,
        measuredAt: null,
        machine: null,
        figures: [],
        problem: `no ${bench.file}: run npm run ${bench.script}`,
      };
    }
    const results: unknown = JSON.parse(readFileSync(path, "utf8"));
    const run = runs[bench.name];
    try {
      return {
        ...base,
        measuredAt: dateOf(results, run),
        machine: machineOf(results, run),
        figures: bench.figures(results),
        problem: null,
      };
    } catch (error) {
      return {
        ...base,
        measuredAt: dateOf(results, run),
        machine: machineOf(results, run),
        figures: [],
        problem: `${bench.file}: ${(error as Error).message}`,
      };
    }
  });
  return { generatedAt: now.toISOString(), machine: thisMachine(), benches };
}

const formatValue = (f: Figure): string => {
  const n = Number.isInteger(f.value) ? f.value.toLocaleString("en") : String(Math.round(f.value * 100) / 100);
  return f.unit === "×" ? `${n} ×` : `${n} ${f.unit}`;
};

/** The README's table: one row per figure, with its target, whether it is met, and the run it comes from. */
export function figuresTable(summary: Summary): string {
  const rows = ["| figure (median unless p99) | value | target | run |", "| --- | ---: | --- | --- |"];
  for (const bench of summary.benches) {
    if (bench.problem) {
      rows.push(`| ${bench.name}: ${bench.problem} | – | – | – |`);
      continue;
    }
    const day = bench.measuredAt ? bench.measuredAt.slice(0, 10) : "undated";
    for (const f of bench.figures) {
      const target = f.target === null ? "–" : `${f.target} ${f.met ? "✓" : "✗ not met"}`;
      rows.push(`| ${f.what} | ${formatValue(f)} | ${target} | ${bench.name}, ${day} |`);
    }
  }
  return rows.join("\n");
}

export const TABLE_START = "<!-- bench:figures (npm run bench writes this table) -->";
export const TABLE_END = "<!-- /bench:figures -->";

/** `readme` with the text between the table markers replaced by `table`; throws when the markers are missing. */
export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${TABLE_START} … ${TABLE_END}`);
  return `${readme.slice(0, start + TABLE_START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}

/** README.md's text with the table of `summary`, formatted as `prettier --check` (part of `npm run lint`) expects. */
export async function readmeWithFigures(readme: string, readmePath: string, summary: Summary): Promise<string> {
  const options = (await resolveConfig(readmePath)) ?? {};
  return format(withTable(readme, figuresTable(summary)), { ...options, filepath: readmePath });
}
