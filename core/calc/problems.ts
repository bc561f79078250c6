/**
 * A lot's input problems grouped for people: rows with the same problem (same column, value and expectation) are
 * one group with their line ranges, so twenty rows without a transport read as one line, not twenty. Pure; used by
 * the stored lot summary (`GET /lots/:id`), the LOT_NOTHING_ELIGIBLE problem and `itec calc`'s summary.
 */
import type { InputProblem } from "./index.ts";

/** Rows that share one problem. */
export interface ProblemGroup {
  /** 1-based column of the lot format; `null` when the problem is the whole row. */
  column: number | null;
  field: string;
  value: string;
  expected: string;
  /** How many rows (distinct lines) have this problem. */
  rows: number;
  /** Line ranges `[first, last]` in line order, at most MAX_RANGES (`rows` counts them all). */
  lines: [number, number][];
}

/** Groups kept in a summary (the report lists every problem). */
export const MAX_GROUPS = 50;
/** Line ranges kept per group. */
export const MAX_RANGES = 12;

/** Groups problems by (column, field, value, expected), in order of each group's first line. */
export function groupProblems(problems: readonly InputProblem[]): { groups: ProblemGroup[]; more: number } {
  const byKey = new Map<string, { group: ProblemGroup; all: number[] }>();
  for (const p of problems) {
    const key = JSON.stringify([p.column, p.field, p.value, p.expected]);
    let entry = byKey.get(key);
    if (!entry) {
      entry = {
        group: { column: p.column, field: p.field, value: p.value, expected: p.expected, rows: 0, lines: [] },
        all: [],
      };
      byKey.set(key, entry);
    }
    entry.all.push(p.line);
  }
  const groups = [...byKey.values()].map(({ group, all }) => {
    const sorted = [...new Set(all)].sort((a, b) => a - b);
    const ranges: [number, number][] = [];
    for (const line of sorted) {
      const last = ranges[ranges.length - 1];
      if (last && line === last[1] + 1) last[1] = line;
      else ranges.push([line, line]);
    }
    return { ...group, rows: sorted.length, lines: ranges.slice(0, MAX_RANGES) };
  });
  groups.sort((a, b) => a.lines[0]![0] - b.lines[0]![0]);
  return { groups: groups.slice(0, MAX_GROUPS), more: Math.max(0, groups.length - MAX_GROUPS) };
}

/** Rows without a transport of their own in a lot without a default (the usual first stumble). */
export function missingTransportRows(problems: readonly InputProblem[]): number {
  return problems.filter((p) => p.field === "transport" && p.value === "").length;
}
