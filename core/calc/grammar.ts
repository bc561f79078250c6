/**
 * The text grammars of a device row (docs/methodology.md §4): decimal quantities, months, parts and transport legs.
 * Parsers return a value or the human description of what was expected; they never throw on bad input.
 */
import { TRANSPORT_MODES, type TransportMode } from "./params.ts";

/** A parse outcome: the value, or what was expected instead. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly expected: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(expected: string): Parsed<T> => ({ ok: false, expected });

/**
 * Plain non-negative decimal: up to 6 integer and 6 fraction digits, no sign, no exponent. The bounds (with at most
 * 32 parts and 16 legs per device) keep every figure an exact safe integer of grams (docs/adr/0014).
 */
const DECIMAL = /^\d{1,6}(?:\.\d{1,6})?$/;
export const MAX_PARTS = 32;
export const MAX_LEGS = 16;
const COUNT = /^\d{1,4}$/;

export function isDecimalText(text: string): boolean {
  return DECIMAL.test(text);
}

/** Non-negative decimal quantity (kept as text: it goes into a Decimal, never a JS number). */
export function parseQuantity(text: string, what: string): Parsed<string> {
  return DECIMAL.test(text) ? ok(text) : fail(`${what} as a plain decimal number (e.g. 2.5)`);
}

/** Positive decimal quantity. */
export function parsePositiveQuantity(text: string, what: string): Parsed<string> {
  return DECIMAL.test(text) && /[1-9]/.test(text) ? ok(text) : fail(`${what} as a positive decimal number (e.g. 2.5)`);
}

/** Whole months, 0–9999. */
export function parseMonths(text: string): Parsed<number> {
  return COUNT.test(text) ? ok(Number(text)) : fail("a whole number of months (e.g. 36)");
}

export type PartKind = "battery" | "ssd" | "ram" | "hdd" | "display" | "other" | "mainboard";

/** One replaced part: `amount` in Wh (battery), GB (ssd, ram) or kg (other); `units` for hdd, display, mainboard. */
export interface Part {
  readonly kind: PartKind;
  readonly amount: string;
  readonly units: number;
}

export const PARTS_GRAMMAR =
  "parts like battery:63Wh;ssd:512GB;ram:16GB;hdd:2;display;other:0.4kg;mainboard (or empty / none)";

const MEASURED: Record<string, { kind: PartKind; units: Record<string, string> }> = {
  battery: { kind: "battery", units: { wh: "" } },
  ssd: { kind: "ssd", units: { gb: "", tb: "000" } },
  ram: { kind: "ram", units: { gb: "" } },
  other: { kind: "other", units: { kg: "" } },
};
const COUNTED: Record<string, PartKind> = { hdd: "hdd", display: "display", mainboard: "mainboard" };
const MEASURE = /^(\d{1,6}(?:\.\d{1,6})?)\s*([a-z]+)$/;

/**
 * `battery:63Wh;ssd:512GB;hdd:2;ram:16GB;display;other:0.4kg;mainboard`. Items are separated by `;`, names and units
 * are case-insensitive, blanks around items are ignored, `hdd`/`display`/`mainboard` take an optional unit count
 * (`hdd:2` = two drives), `ssd` also accepts TB (= 1000 GB). An empty value or `none` means no parts.
 * Items keep their written order: it is the order of summation.
 */
export function parseParts(text: string): Parsed<readonly Part[]> {
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.toLowerCase() === "none") return ok([]);
  const parts: Part[] = [];
  for (const raw of trimmed.split(";")) {
    const item = raw.trim().toLowerCase();
    if (item === "") continue;
    const colon = item.indexOf(":");
    const name = (colon < 0 ? item : item.slice(0, colon)).trim();
    const arg = colon < 0 ? undefined : item.slice(colon + 1).trim();
    // Own keys only: a part named "constructor" or "__proto__" must be an unknown part, not Object.prototype's.
    const counted = Object.hasOwn(COUNTED, name) ? COUNTED[name] : undefined;
    if (counted !== undefined) {
      if (arg === undefined) {
        parts.push({ kind: counted, amount: "1", units: 1 });
        continue;
      }
      if (!COUNT.test(arg) || Number(arg) < 1) return fail(`${PARTS_GRAMMAR}; "${raw.trim()}" needs a unit count ≥ 1`);
      parts.push({ kind: counted, amount: arg, units: Number(arg) });
      continue;
    }
    const measured = Object.hasOwn(MEASURED, name) ? MEASURED[name] : undefined;
    if (measured === undefined) return fail(`${PARTS_GRAMMAR}; unknown part "${raw.trim()}"`);
    const m = arg === undefined ? null : MEASURE.exec(arg);
    const scale = m === null || !Object.hasOwn(measured.units, m[2]!) ? undefined : measured.units[m[2]!];
    if (m === null || scale === undefined) {
      const units = Object.keys(measured.units).join(" or ");
      return fail(`${PARTS_GRAMMAR}; "${raw.trim()}" needs an amount in ${units}`);
    }
    const amount = scale === "" ? m[1]! : shiftDecimal(m[1]!, scale.length);
    parts.push({ kind: measured.kind, amount, units: 1 });
  }
  if (parts.length > MAX_PARTS) return fail(`${PARTS_GRAMMAR}; at most ${MAX_PARTS} items`);
  return ok(parts);
}

/** Multiplies a plain decimal string by 10^k by moving the point (exact, no arithmetic). */
function shiftDecimal(text: string, k: number): string {
  const [int, frac = ""] = text.split(".") as [string, string?];
  const digits = int + frac.padEnd(k, "0");
  const point = int.length + k;
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/, "");
  const rest = digits.slice(point);
  return rest === "" ? whole : `${whole}.${rest}`;
}

/** One transport leg. */
export interface Leg {
  readonly mode: TransportMode;
  readonly km: string;
}

export const TRANSPORT_GRAMMAR = `transport legs like hgv:600;van:250 (modes ${TRANSPORT_MODES.join(", ")}; or none)`;

/**
 * `hgv:600;van:250` — legs separated by `;`, each `mode:km`, modes case-insensitive; `none` means no transport.
 * An empty value is not accepted here: the caller substitutes the lot's default legs first.
 */
export function parseTransport(text: string): Parsed<readonly Leg[]> {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === "none") return ok([]);
  if (trimmed === "") return fail(TRANSPORT_GRAMMAR);
  const legs: Leg[] = [];
  for (const raw of trimmed.split(";")) {
    const item = raw.trim().toLowerCase();
    if (item === "") continue;
    const colon = item.indexOf(":");
    const mode = colon < 0 ? item : item.slice(0, colon).trim();
    const km = colon < 0 ? "" : item.slice(colon + 1).trim();
    if (!(TRANSPORT_MODES as readonly string[]).includes(mode)) {
      return fail(`${TRANSPORT_GRAMMAR}; unknown mode in "${raw.trim()}"`);
    }
    if (!DECIMAL.test(km)) return fail(`${TRANSPORT_GRAMMAR}; "${raw.trim()}" needs a distance in km`);
    legs.push({ mode: mode as TransportMode, km });
  }
  if (legs.length === 0) return fail(TRANSPORT_GRAMMAR);
  if (legs.length > MAX_LEGS) return fail(`${TRANSPORT_GRAMMAR}; at most ${MAX_LEGS} legs`);
  return ok(legs);
}
