/**
 * A lot's input fields as the calculation reads them: every distinct text parsed once (lots repeat the same values),
 * held as the report shows it, and the `BAD_INPUT` problems of a row.
 */
import { parseParts, parsePositiveQuantity, type Part } from "./grammar.ts";
import { LOT_COLUMNS, type InputProblem, type LotColumn } from "./types.ts";
import type { Ymd } from "./dates.ts";

/**
 * A text value as the report shows it, shared by every device that has it; `json` caches its canonical JSON bytes
 * (filled by the report writer). Always made by {@link newText}, so every instance has the same shape.
 */
export interface Text {
  readonly text: string;
  json: Uint8Array | undefined;
}

export function newText(text: string): Text {
  return { text, json: undefined };
}

/** One distinct raw value of a field: its trimmed text, and its parsed value or what was expected instead. */
export interface ParsedText<T> {
  readonly id: number;
  readonly text: string;
  readonly t: Text;
  readonly value?: T;
  readonly expected?: string;
}

/** A raw category value: its normalised text and its index in `CATEGORIES` (−1: unknown). */
export interface CategoryInfo {
  readonly t: Text;
  readonly index: number;
}

/** A raw date value and the day it names (null: not a date of the field's grammar). */
export interface DayInfo {
  readonly t: Text;
  readonly day: Ymd | null;
  /** `YYYY-MM-DD` of `day` (vintage). */
  readonly norm: string;
}

/** Parsed parts with the two facts the loop asks of them. */
export interface PartList {
  readonly list: readonly Part[];
  /** A display: the items depend on M. */
  readonly usesM: boolean;
  readonly mainboard: boolean;
}

export const isBlank = (text: string): boolean => text.length === 0 || text.trim().length === 0;

export function parsePartList(text: string): { ok: true; value: PartList } | { ok: false; expected: string } {
  const r = parseParts(text);
  if (!r.ok) return r;
  const list = r.value;
  return {
    ok: true,
    value: { list, usesM: list.some((p) => p.kind === "display"), mainboard: list.some((p) => p.kind === "mainboard") },
  };
}

export const parseMass = (text: string): ReturnType<typeof parsePositiveQuantity> =>
  parsePositiveQuantity(text, "a shipping mass in kg");

/** The parsed form of `raw`, from `cache` or parsed (trimmed) and cached; ids count the distinct raw values. */
export function parseCached<T>(
  cache: Map<string, ParsedText<T>>,
  raw: string,
  parse: (text: string) => { ok: true; value: T } | { ok: false; expected: string },
): ParsedText<T> {
  let v = cache.get(raw);
  if (v === undefined) {
    const text = raw.trim();
    const r = parse(text);
    const t = newText(text);
    v = r.ok ? { id: cache.size, text, t, value: r.value } : { id: cache.size, text, t, expected: r.expected };
    cache.set(raw, v);
  }
  return v;
}

const COLUMN = Object.fromEntries(LOT_COLUMNS.map((c, i) => [c, i + 1])) as Record<LotColumn, number>;

/** Adds a problem of `field` to a row's list (created on the first one). */
export function addProblem(
  list: InputProblem[] | undefined,
  line: number,
  field: LotColumn,
  value: string,
  expected: string,
): InputProblem[] {
  const problem: InputProblem = { line, column: COLUMN[field], field, value, expected };
  if (list === undefined) return [problem];
  list.push(problem);
  return list;
}
