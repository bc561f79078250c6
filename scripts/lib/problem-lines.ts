/**
 * How `itec calc`, `itec lot submit` and `itec lot status` print a lot's exclusions and input problems — the same
 * way in all three: the missing-transport hint first and once, then one line per group of rows with the same
 * problem (not one line per row).
 */
import { EXCLUSION_REASONS } from "../../core/calc/index.ts";
import type { ProblemGroup } from "../../core/calc/problems.ts";

/** Exclusion counts in the order the reasons are checked: `SERIAL_DUPLICATE 2, BAD_INPUT 31`. */
export function exclusionText(counts: Readonly<Partial<Record<string, number>>>): string {
  const known = EXCLUSION_REASONS.filter((r) => counts[r] !== undefined);
  const other = Object.keys(counts).filter((r) => !(EXCLUSION_REASONS as readonly string[]).includes(r));
  return [...known, ...other].map((r) => `${r} ${counts[r]}`).join(", ");
}

/** `43 devices: 8 eligible, 35 excluded (SERIAL_DUPLICATE 2, BAD_INPUT 31)` */
export function devicesLine(devices: number, eligible: number, excluded: Readonly<Record<string, number>>): string {
  const reasons = exclusionText(excluded);
  return (
    `${devices} device${devices === 1 ? "" : "s"}: ${eligible} eligible, ${devices - eligible} excluded` +
    (reasons ? ` (${reasons})` : "")
  );
}

/** The hint for rows without transport in a lot without a default; empty when there are none. */
export function transportHint(rows: number): string[] {
  if (rows === 0) return [];
  return [
    `→ ${rows} row${rows === 1 ? " has" : "s have"} no transport of ${rows === 1 ? "its" : "their"} own and the lot ` +
      `has no default: pass the lot's legs, e.g. --transport "hgv:600;van:250", or fill the transport column`,
  ];
}

/** `BAD_INPUT (32 problems):` and one line per group. */
export function problemLines(groups: readonly ProblemGroup[], total: number, moreGroups = 0): string[] {
  if (total === 0) return [];
  const lines = [`BAD_INPUT (${total} problem${total === 1 ? "" : "s"}):`];
  for (const g of groups) {
    const covered = g.lines.reduce((n, [a, b]) => n + b - a + 1, 0);
    const ranges = g.lines.map(([a, b]) => (a === b ? String(a) : `${a}–${b}`)).join(", ");
    const where = g.rows === 1 ? `line ${ranges}` : `lines ${ranges}${covered < g.rows ? ", …" : ""} (${g.rows} rows)`;
    const column = g.column === null ? "" : `, column ${g.column} (${g.field})`;
    lines.push(`  ${where}${column}: "${g.value}" — expected ${g.expected}`);
  }
  if (moreGroups > 0) lines.push(`  … and ${moreGroups} more kind(s) of problem (all are listed in the report)`);
  return lines;
}
