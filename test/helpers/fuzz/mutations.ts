/**
 * Near-valid requests for the API fuzzers (test/api/robustness.test.ts, test/soak/fuzz.test.ts): a valid example
 * per route, then one field at a time replaced by an edge value — integers at every width the chain and JavaScript
 * care about, impossible dates, hex of every wrong length, awkward text, absent fields.
 */
import type { RouteSpec } from "../../../api/src/route/define.ts";
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Path = (string | number)[];
/** Marks a field taken out of the request. */
export const ABSENT = Symbol("absent");
export type Edge = Json | typeof ABSENT;
export type Role = "refurbisher" | "admin" | "corporate";

export interface Example {
  params?: Record<string, string>;
  query?: Record<string, Json>;
  body?: Json;
  contentType?: string;
  /** Who signs in for a route that needs a session (default: the refurbisher). */
  as?: Role;
}

export interface Case {
  route: RouteSpec;
  example: Example;
  label: string;
}

export const routeKey = (r: Pick<RouteSpec, "method" | "path">) => `${r.method} ${r.path}`;
export const pow2 = (n: number) => (1n << BigInt(n)).toString();
export const dec = (n: number) => (BigInt(pow2(n)) - 1n).toString();

/** Integers as decimal strings at and around every width the chain and JavaScript care about. */
export const NUMERIC_TEXT: Json[] = [
  "0",
  "1",
  "-1",
  "-0",
  "01",
  "1.5",
  "1e3",
  " 1",
  "1 ",
  "+1",
  "0x10",
  "١٢",
  dec(8),
  pow2(8),
  dec(32),
  pow2(32),
  dec(40),
  pow2(40),
  String(Number.MAX_SAFE_INTEGER),
  pow2(53),
  dec(63),
  pow2(63),
  dec(64),
  pow2(64),
  dec(256),
  pow2(256),
  "9".repeat(78),
  "9".repeat(1000),
];
export const NUMBERS: Json[] = [0, -1, -0, 1.5, 255, 256, 2 ** 32, 2 ** 40, 2 ** 53, 2 ** 53 + 2, 1e21, 1e308, -1e308];
/** Impossible and out-of-range calendar dates, and near misses of the format. */
export const DATES: Json[] = [
  "2026-02-31",
  "2026-02-29",
  "2024-02-29",
  "1900-02-29",
  "2026-04-31",
  "2026-13-01",
  "2026-00-10",
  "2026-01-00",
  "2026-01-32",
  "0000-01-01",
  "0999-12-31",
  "1000-01-01",
  "1969-12-31",
  "1970-01-01",
  "9999-12-31",
  "+10000-01-01",
  "2026-1-1",
  "2026-01-01T00:00:00Z",
  "2026-01-01 ",
  "２０２６-01-01",
];
/** Hex of every wrong length around addresses (20 bytes), hashes (32) and signatures (65), and bad casing. */
export const HEX: Json[] = [
  "0x",
  "0x0",
  "0xzz",
  "0X" + "ab".repeat(20),
  "ab".repeat(20),
  "0x" + "0".repeat(40),
  "0x" + "a".repeat(39),
  "0x" + "a".repeat(40),
  "0x" + "A".repeat(40),
  "0x9965507D1a55bcC2695C58ba16FB37d819B0A4DC",
  "0x" + "a".repeat(41),
  "0x" + "ab".repeat(21),
  "0x" + "a".repeat(63),
  "0x" + "ab".repeat(32),
  "0x" + "a".repeat(65),
  "0x" + "ab".repeat(33),
  "0x" + "ab".repeat(64),
  "0x" + "00".repeat(65),
  "0x" + "ff".repeat(65),
  "0x" + "ab".repeat(65),
  "0x" + "ab".repeat(66),
  "0x" + "ab".repeat(130),
  "0x" + "ab".repeat(500),
];
export const TEXT: Json[] = ["", " ", "a".repeat(1025), "𝔘ñí©ødé ✓ 中文", "\u0000", "\u202e", "\ud800", '"\\', "<b>&"];
export const HUGE = "a".repeat(100_000);
export const GENERIC: Json[] = [null, true, false, 0, -1, "", [], {}, "𝔘ñí©ødé"];

export function edgesFor(value: Json, where: "params" | "query" | "body", removable: boolean): Edge[] {
  const edges: Edge[] = [...GENERIC];
  if (typeof value === "number" || (typeof value === "string" && /^[0-9]+(\.[0-9]+)?$/.test(value))) {
    edges.push(...NUMERIC_TEXT, ...NUMBERS, "0." + "0".repeat(1000) + "1");
    if (where === "body") edges.push("9".repeat(100_000), `${"9".repeat(400)}.5`);
  } else if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    edges.push(...DATES);
  } else if (typeof value === "string" && /^0x[0-9a-fA-F]*$/.test(value)) {
    edges.push(...HEX);
  } else if (typeof value === "string") {
    edges.push(...TEXT, where === "body" ? HUGE : "a".repeat(2000));
  }
  if (removable) edges.push(ABSENT);
  const inUrl = where !== "body";
  return edges.filter((e) => {
    if (e === ABSENT) return true;
    if (inUrl && typeof e !== "string") return false;
    if (inUrl && typeof e === "string" && e.length > 2000) return false;
    return JSON.stringify(e) !== JSON.stringify(value);
  });
}

/** Every node of a JSON value with its path; `removable` when it is a member of an object. */
export function* nodes(value: Json, path: Path = [], removable = false): Generator<[Path, Json, boolean]> {
  yield [path, value, removable];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* nodes(value[i]!, [...path, i], false);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) yield* nodes(v, [...path, k], true);
  }
}

export function setAt(root: Json, path: Path, value: Edge): Json {
  if (path.length === 0) return value === ABSENT ? null : value;
  const copy = structuredClone(root);
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === ABSENT) delete parent[last];
  else parent[last] = value;
  return copy;
}

export const show = (e: Edge) => {
  if (e === ABSENT) return "(absent)";
  const text = JSON.stringify(e);
  return text.length > 48 ? `${text.slice(0, 24)}…(${text.length} chars)` : text;
};

/** The example with one field at a time replaced by each of its edge values. */
export function* mutations(example: Example): Generator<{ example: Example; label: string }> {
  for (const where of ["params", "query", "body"] as const) {
    const part: Json | undefined = example[where];
    if (part === undefined) continue;
    for (const [path, value, removable] of nodes(part)) {
      if (where !== "body" && path.length !== 1) continue; // URL parts are flat strings
      for (const edge of edgesFor(value, where, removable && where !== "params")) {
        yield {
          example: { ...example, [where]: setAt(part, path, edge) },
          label: `${where}${path.map((p) => `/${p}`).join("")} = ${show(edge)}`,
        };
      }
    }
  }
}

export async function inParallel<T>(
  items: readonly T[],
  width: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}
