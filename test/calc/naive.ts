/**
 * A second, independent implementation of ITEC-CALC 1.0, used by `differential.test.ts` to check the engine
 * (`core/calc`) figure by figure.
 *
 * It is written straight from docs/methodology.md §2–§7 and shares no code with the engine: its own parsing of dates,
 * parts and transport, its own reading of the reference rows (validity, matching, tiers, P25), its own formulas in its own
 * Decimal, its own eligibility and batch gate. From the project it takes only the lot input type (`DeviceInput`, a
 * type) and the reference CSV, which it reads itself with csv-parse. The parameters are copied from docs/methodology.md
 * (ITEC-PARAMS-1), not imported from the engine, so a wrong number in the engine's table shows up as a difference too.
 *
 * Where docs/methodology.md leaves a point open, the decision recorded in docs/adr/0014-calc-input-rules.md is
 * followed, and the order of evaluation of docs/adr/0010-calc-literal-decimal-evaluation.md. Details that neither
 * fixes are marked "not in ADR 0014" where they are decided; they follow the engine's documented behaviour so that
 * the test compares the formulas, not arbitrary choices.
 *
 * Meant to be obviously right rather than fast: one device at a time, one formula after the other, no cache.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { parse } from "csv-parse/sync";
import { Decimal } from "decimal.js";

import type { DeviceInput } from "../../core/calc/types.ts";

// ---------------------------------------------------------------------------------------------------------------
// ITEC-PARAMS-1, copied from docs/methodology.md (data, not logic).
// ---------------------------------------------------------------------------------------------------------------

/** §1: the six categories, in the order docs/methodology.md lists them (batches come in this order). */
export const CATEGORIES = ["laptop", "desktop", "monitor", "smartphone", "tablet", "server"] as const;
export type Category = (typeof CATEGORIES)[number];
export type Tier = "T1" | "T2" | "T3";

interface CategoryParams {
  /** §2 (T3): the Boavizta `subcategory` whose rows feed P25. */
  readonly subcategory: string;
  /** §3: default `L_ref`, `L2` cap and maximum age at refurbishment, months. */
  readonly defaultLref: number;
  readonly L2cap: number;
  readonly maxAge: number;
  /** §3: process and packaging kgCO2e, default shipping mass kg, generic archetype `M` kgCO2e. */
  readonly process: string;
  readonly packaging: string;
  readonly shipMass: string;
  readonly genericM: string;
}

/** docs/methodology.md §3 table (and the subcategory names of §2). */
const CATEGORY_PARAMS: Readonly<Record<Category, CategoryParams>> = {
  laptop: cat("Laptop", 48, 48, 96, "5.0", "0.8", "2.5", "181"),
  desktop: cat("Desktop", 72, 60, 96, "6.0", "1.5", "9.0", "277"),
  monitor: cat("Monitor", 79, 60, 96, "3.0", "1.5", "7.0", "64.7"),
  smartphone: cat("Smartphone", 30, 36, 72, "3.0", "0.2", "0.5", "84.0"),
  tablet: cat("Tablet", 36, 36, 72, "3.0", "0.3", "1.0", "75.9"),
  server: cat("Server", 48, 48, 84, "25.0", "3.0", "35.0", "3660"),
};

function cat(
  subcategory: string,
  defaultLref: number,
  L2cap: number,
  maxAge: number,
  process: string,
  packaging: string,
  shipMass: string,
  genericM: string,
): CategoryParams {
  return { subcategory, defaultLref, L2cap, maxAge, process, packaging, shipMass, genericM };
}

/** §2: conservativeness deduction `d` by tier. */
const DEDUCTION: Readonly<Record<Tier, string>> = { T1: "0.20", T2: "0.30", T3: "0.40" };
/** §2: T2 defaults for a missing transport / end-of-life ratio; validity bound on the sum of the present ratios. */
const T2_TRANSPORT_RATIO = "0.08";
const T2_EOL_RATIO = "0.01";
const MAX_RATIO_SUM = "1.05";
/** §2: a row's lifetime is used when it is between 1 and 10 years (inclusive, as ITEC-PARAMS-1 reads "between"). */
const ROW_LIFETIME_YEARS = { min: "1", max: "10" };
/** §3: transport emission factors, kgCO2e per tonne-km. */
const EMISSION_FACTOR = new Map([
  ["van", "0.60"],
  ["hgv", "0.15"],
  ["rail", "0.035"],
  ["sea", "0.03"],
  ["air", "1.75"],
]);
/** §3: uncertainty factor `u` per project item. */
const U_PROCESS = "0.50";
const U_PACKAGING = "0.50";
const U_PART = "0.50";
const U_LEG = "0.20";
/** §6: minimum `L2`, months. §7: maximum relative uncertainty for issuance. */
const MIN_L2 = 12;
const MAX_REL_U = "0.500";

// ---------------------------------------------------------------------------------------------------------------
// Arithmetic (§5): one Decimal, precision 40, half-even; floor3 / ceil3 only at the named outputs.
// ---------------------------------------------------------------------------------------------------------------

const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
const ZERO = new D("0");
const ONE = new D("1");
const floor3 = (x: Decimal): Decimal => x.toDecimalPlaces(3, Decimal.ROUND_FLOOR);
const ceil3 = (x: Decimal): Decimal => x.toDecimalPlaces(3, Decimal.ROUND_CEIL);
const floor1 = (x: Decimal): Decimal => x.toDecimalPlaces(1, Decimal.ROUND_FLOOR);
/** A whole number of months or units as a Decimal (through its decimal text: §4, never a JS number into a Decimal). */
const whole = (n: number): Decimal => new D(String(n));
const kg3 = (x: Decimal): string => x.toFixed(3);

// ---------------------------------------------------------------------------------------------------------------
// Text rules (§2 matching, §6 serials; ADR 0014).
// ---------------------------------------------------------------------------------------------------------------

const isBlank = (text: string | undefined): boolean => (text ?? "").trim() === "";

/** §2: trim, collapse inner whitespace to one space, lower-case. */
function normaliseName(text: string): string {
  return text.trim().split(/\s+/).join(" ").toLowerCase();
}

/** §6 and ADR 0014: a serial is compared upper-cased with every whitespace character removed. */
function normaliseSerial(text: string): string {
  return Array.from(text)
    .filter((ch) => !/\s/.test(ch))
    .join("")
    .toUpperCase();
}

/**
 * §8: the text hashed into `deviceId`, `lower(normalised manufacturer) + "|" + upper(serial without spaces)`. Registry
 * duplicates compare devices by it (ADR 0014: by device id).
 */
export function deviceIdText(manufacturer: string, serial: string): string {
  return `${normaliseName(manufacturer)}|${normaliseSerial(serial)}`;
}

/** The category as compared: trimmed and lower-cased (not in ADR 0014; the engine's documented rule). */
function categoryOf(text: string): Category | undefined {
  const c = text.trim().toLowerCase();
  return CATEGORIES.find((x) => x === c);
}

// ---------------------------------------------------------------------------------------------------------------
// Dates (§4, §5), on the UTC calendar of `Date` (no time zone, no clock).
// ---------------------------------------------------------------------------------------------------------------

interface Day {
  readonly y: number;
  readonly m: number;
  readonly d: number;
}

/** Days in month `m` (1–12) of year `y`: day 0 of the next month is this month's last day. */
function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Years 1000–9999 only (four digits, no leading zero: not in ADR 0014; the engine's rule). */
const validYear = (y: number): boolean => y >= 1000;
const validMonth = (m: number): boolean => m >= 1 && m <= 12;

/** `YYYY-MM-DD`, a real calendar day. */
function readDay(text: string): Day | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (!validYear(y) || !validMonth(m) || d < 1 || d > daysInMonth(y, m)) return undefined;
  return { y, m, d };
}

/** §5: the manufacture reference date is the last day of the given period (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`). */
function manufactureReferenceDay(text: string): Day | undefined {
  if (/^\d{4}$/.test(text)) {
    const y = Number(text);
    return validYear(y) ? { y, m: 12, d: 31 } : undefined;
  }
  const month = /^(\d{4})-(\d{2})$/.exec(text);
  if (month !== null) {
    const y = Number(month[1]);
    const m = Number(month[2]);
    return validYear(y) && validMonth(m) ? { y, m, d: daysInMonth(y, m) } : undefined;
  }
  return readDay(text);
}

/** `YYYY-MM-DD`; with four-digit years these strings sort like the days. */
function iso(day: Day): string {
  return `${day.y}-${String(day.m).padStart(2, "0")}-${String(day.d).padStart(2, "0")}`;
}

/** §5: `L1 = (y2−y1)·12 + (m2−m1)`, minus 1 if `day2 < day1`. */
function wholeMonthsBetween(from: Day, to: Day): number {
  return (to.y - from.y) * 12 + (to.m - from.m) - (to.d < from.d ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Quantities, parts and transport (§3, §4; ADR 0014).
// ---------------------------------------------------------------------------------------------------------------

/** ADR 0014 "Numbers": plain decimals, at most 6 integer and 6 fraction digits. */
const PLAIN_DECIMAL = /^\d{1,6}(?:\.\d{1,6})?$/;
/** ADR 0014: whole months 0–9999. */
const WHOLE_MONTHS = /^\d{1,4}$/;
/** ADR 0014: at most 32 parts and 16 legs per device. */
const MAX_PARTS = 32;
const MAX_LEGS = 16;

type Part =
  /** Measured parts: Wh (battery), GB (ssd, ram) or kg (other). */
  | { readonly kind: "battery" | "ssd" | "ram" | "other"; readonly amount: Decimal }
  /** Counted parts (ADR 0014: an optional unit count). */
  | { readonly kind: "hdd" | "display" | "mainboard"; readonly units: number };

/** The unit each measured part is written in, and its factor to the unit of the §3 formula (ADR 0014: TB = 1000 GB). */
const MEASURED_UNITS: Readonly<Record<"battery" | "ssd" | "ram" | "other", ReadonlyMap<string, string>>> = {
  battery: new Map([["wh", "1"]]),
  ssd: new Map([
    ["gb", "1"],
    ["tb", "1000"],
  ]),
  ram: new Map([["gb", "1"]]),
  other: new Map([["kg", "1"]]),
};

/**
 * §4 parts, e.g. `battery:63Wh;ssd:512GB;hdd:2;ram:16GB;display;other:0.4kg;mainboard`. ADR 0014: names and units
 * case-insensitive, `hdd`/`display`/`mainboard` take an optional unit count, empty or `none` = no parts, at most 32.
 * Not in ADR 0014 (the engine's documented grammar): blanks around items, around `:` and before the unit are
 * ignored, as are empty items (`a;;b`, a trailing `;`); a unit count is 1–9999 written in up to 4 digits.
 * `undefined` when the text does not parse.
 */
function readParts(text: string): Part[] | undefined {
  const all = text.trim();
  if (all === "" || all.toLowerCase() === "none") return [];
  const items = all
    .split(";")
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== "");
  if (items.length > MAX_PARTS) return undefined;
  const parts: Part[] = [];
  for (const item of items) {
    const match = /^([a-z]+)\s*(?::\s*(.*))?$/.exec(item);
    if (match === null) return undefined;
    const name = match[1]!;
    const argument = match[2];
    if (name === "hdd" || name === "display" || name === "mainboard") {
      if (argument === undefined) {
        parts.push({ kind: name, units: 1 });
        continue;
      }
      if (!/^\d{1,4}$/.test(argument) || Number(argument) < 1) return undefined;
      parts.push({ kind: name, units: Number(argument) });
      continue;
    }
    if (name !== "battery" && name !== "ssd" && name !== "ram" && name !== "other") return undefined;
    const measure = argument === undefined ? null : /^(\d{1,6}(?:\.\d{1,6})?)\s*([a-z]+)$/.exec(argument);
    const factor = measure === null ? undefined : MEASURED_UNITS[name].get(measure[2]!);
    if (measure === null || factor === undefined) return undefined;
    parts.push({ kind: name, amount: new D(measure[1]!).times(factor) });
  }
  return parts;
}

/** §3: the central kgCO2e of one part (× its units), each formula as written (ADR 0010). */
function partCentral(part: Part, M: Decimal): Decimal {
  switch (part.kind) {
    case "battery": // Wh × 0.160
      return part.amount.times("0.160");
    case "ssd": // GB / 54.884 × 2.20 + 6.34
      return part.amount.div("54.884").times("2.20").plus("6.34");
    case "ram": // GB / 1.244 × 2.20 + 5.22
      return part.amount.div("1.244").times("2.20").plus("5.22");
    case "other": // kg × 24.30
      return part.amount.times("24.30");
    case "hdd": // 31.11 per unit
      return new D("31.11").times(whole(part.units));
    case "display": // 0.25 × M per unit
      return new D("0.25").times(M).times(whole(part.units));
    case "mainboard": // never costed: a replaced mainboard excludes the device (§6.9)
      throw new Error("a mainboard has no central value");
  }
}

interface Leg {
  readonly mode: string;
  readonly km: string;
}

/**
 * §4 transport legs, e.g. `hgv:600;van:250`; ADR 0014: `none` = explicitly no transport, at most 16 legs. Not in ADR
 * 0014 (the engine's documented grammar): modes and `none` case-insensitive, blanks around legs and `:` ignored,
 * empty items skipped but at least one leg. `undefined` when the text does not parse (an empty text included: the
 * caller substitutes the lot's default legs first).
 */
function readLegs(text: string): Leg[] | undefined {
  const all = text.trim();
  if (all.toLowerCase() === "none") return [];
  const items = all
    .split(";")
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== "");
  if (items.length === 0 || items.length > MAX_LEGS) return undefined;
  const legs: Leg[] = [];
  for (const item of items) {
    const match = /^([a-z]+)\s*:\s*(\S+)$/.exec(item);
    if (match === null || !EMISSION_FACTOR.has(match[1]!) || !PLAIN_DECIMAL.test(match[2]!)) return undefined;
    legs.push({ mode: match[1]!, km: match[2]! });
  }
  return legs;
}

/** §3: `ship_mass_kg / 1000 × km × EF`. */
function legCentral(leg: Leg, massKg: string): Decimal {
  return new D(massKg).div("1000").times(leg.km).times(EMISSION_FACTOR.get(leg.mode)!);
}

// ---------------------------------------------------------------------------------------------------------------
// Reference data (§2).
// ---------------------------------------------------------------------------------------------------------------

/** A row that can give a device its `M` (T1 or T2). */
interface Candidate {
  readonly tier: "T1" | "T2";
  readonly M: Decimal;
  /** `floor(lifetime × 12)` when the row's lifetime is within 1–10 years. */
  readonly lifetimeMonths: number | undefined;
  /** 1-based data row, for the tie rule (ADR 0014: the earlier row). */
  readonly row: number;
}

export interface NaiveReference {
  /** Every valid T1/T2 row, by its normalised (manufacturer, name). */
  readonly rowsByModel: ReadonlyMap<string, readonly Candidate[]>;
  /** T3's `M = min(P25_c, generic_c)` per category. */
  readonly t3: Readonly<Record<Category, Decimal>>;
}

const modelKey = (manufacturer: string, model: string): string =>
  JSON.stringify([normaliseName(manufacturer), normaliseName(model)]);

/** A number column: absent (empty), readable, or present but unreadable (ADR 0014: the row is then invalid). */
function numberCell(text: string | undefined): Decimal | undefined | "unreadable" {
  const t = (text ?? "").trim();
  if (t === "") return undefined;
  return /^-?\d+(?:\.\d+)?$/.test(t) ? new D(t) : "unreadable";
}

/** §2: validity, tiers T1/T2 per row, the best row per model and T3 per category, from the raw CSV records. */
export function naiveReference(rows: readonly Readonly<Record<string, string>>[]): NaiveReference {
  const rowsByModel = new Map<string, Candidate[]>();
  const manufacturing = new Map<string, Decimal[]>(); // subcategory → gwp_total × gwp_manufacturing_ratio
  rows.forEach((r, index) => {
    const total = numberCell(r.gwp_total);
    const use = numberCell(r.gwp_use_ratio);
    const mfg = numberCell(r.gwp_manufacturing_ratio);
    const transport = numberCell(r.gwp_transport_ratio);
    const eol = numberCell(r.gwp_eol_ratio);
    const ratios = [use, mfg, transport, eol];
    // Valid: gwp_total > 0, the present ratios sum to ≤ 1.05, a manufacturing ratio (if present) in (0, 1].
    if (total === undefined || total === "unreadable" || !total.gt(ZERO)) return;
    if (ratios.includes("unreadable")) return;
    const present = ratios.filter((x): x is Decimal => x instanceof Decimal);
    if (present.reduce((s, x) => s.plus(x), ZERO).gt(MAX_RATIO_SUM)) return;
    if (mfg instanceof Decimal && !(mfg.gt(ZERO) && mfg.lte(ONE))) return;

    const lifetime = numberCell(r.lifetime);
    const lifetimeMonths =
      lifetime instanceof Decimal && lifetime.gte(ROW_LIFETIME_YEARS.min) && lifetime.lte(ROW_LIFETIME_YEARS.max)
        ? lifetime.times("12").floor().toNumber()
        : undefined;
    let candidate: Candidate | undefined;
    if (mfg instanceof Decimal) {
      // T1: M = gwp_total × gwp_manufacturing_ratio; such rows also feed P25 of their subcategory.
      const M = total.times(mfg);
      candidate = { tier: "T1", M, lifetimeMonths, row: index + 1 };
      const sub = (r.subcategory ?? "").trim(); // compared as written in §2 (`Laptop`, …); the engine also ignores case
      manufacturing.set(sub, [...(manufacturing.get(sub) ?? []), M]);
    } else if (use instanceof Decimal) {
      // T2: M = gwp_total × max(0, 1 − use − (transport ?? 0.08) − (eol ?? 0.01)), left to right (ADR 0010).
      const share = ONE.minus(use)
        .minus(transport instanceof Decimal ? transport : T2_TRANSPORT_RATIO)
        .minus(eol instanceof Decimal ? eol : T2_EOL_RATIO);
      candidate = { tier: "T2", M: total.times(D.max(ZERO, share)), lifetimeMonths, row: index + 1 };
    }
    if (candidate === undefined) return;
    const key = modelKey(r.manufacturer ?? "", r.name ?? "");
    rowsByModel.set(key, [...(rowsByModel.get(key) ?? []), candidate]);
  });

  const t3 = {} as Record<Category, Decimal>;
  for (const category of CATEGORIES) {
    const params = CATEGORY_PARAMS[category];
    // P25: nearest rank — sort ascending, take the value at 1-based position ceil(0.25·n) (not in §2 for n = 0: the
    // generic M alone, the engine's rule).
    const values = [...(manufacturing.get(params.subcategory) ?? [])].sort((a, b) => a.comparedTo(b));
    const rank = Math.ceil(values.length / 4);
    const generic = new D(params.genericM);
    t3[category] = rank === 0 ? generic : D.min(values[rank - 1]!, generic);
  }
  return { rowsByModel, t3 };
}

/** The reference CSV shipped with the project (docs/methodology.md §2: Boavizta boavizta-data-us.csv). */
export const REFERENCE_CSV = fileURLToPath(new URL("../../data/reference/boavizta-data-us.csv", import.meta.url));

/** Reads the reference CSV with csv-parse, independently of the engine's adapter. */
export function loadNaiveReference(path: string = REFERENCE_CSV): NaiveReference {
  const rows = parse<Record<string, string>>(readFileSync(path), { columns: true, bom: true, skip_empty_lines: true });
  return naiveReference(rows);
}

/** §2: among a model's rows, the best tier, then the lowest M, then (ADR 0014) the earlier row. */
function bestRow(reference: NaiveReference, manufacturer: string, model: string): Candidate | undefined {
  const rows = reference.rowsByModel.get(modelKey(manufacturer, model)) ?? [];
  return [...rows].sort((a, b) => a.tier.localeCompare(b.tier) || a.M.comparedTo(b.M) || a.row - b.row)[0];
}

// ---------------------------------------------------------------------------------------------------------------
// Devices (§5, §6).
// ---------------------------------------------------------------------------------------------------------------

/** §6, in the order the reasons are checked. */
export type ExclusionReason =
  | "SERIAL_MISSING"
  | "SERIAL_DUPLICATE"
  | "NO_TEST_REPORT"
  | "NO_ERASURE_CERTIFICATE"
  | "CATEGORY_UNKNOWN"
  | "BAD_INPUT"
  | "TOO_OLD"
  | "SECOND_LIFE_TOO_SHORT"
  | "MAINBOARD_REPLACED"
  | "PARTS_EXCEED_HALF";

/** One device: its figures (kg, 3 dp; `M`, `P`, `UP` with every digit) or its exclusion. */
export interface NaiveDevice {
  /** Normalised serial and manufacturer (§8's device-id text), when the row was read. */
  readonly serial: string;
  readonly manufacturer: string;
  /** The device's batch: its category when it is one of the six. */
  readonly category: Category | undefined;
  readonly excluded?: ExclusionReason;
  /** For a `BAD_INPUT` the calculation found (not the reader): every unusable field, in column order (ADR 0014). */
  readonly badFields?: readonly string[];
  readonly tier?: Tier;
  readonly M?: string;
  readonly L_ref?: number;
  readonly L1?: number;
  readonly L2?: number;
  readonly P?: string;
  readonly UP?: string;
  readonly B?: string;
  readonly R?: string;
  readonly R_up?: string;
  readonly U?: string;
  readonly V?: string;
  /** The same device under cut-off allocation (α = 0), for the batch disclosure of §7. */
  readonly cutOff?: { readonly R: string; readonly R_up: string; readonly U: string };
  /** `refurbished_date` as `YYYY-MM-DD` (batch vintage). */
  readonly refurbished?: string;
}

export interface NaiveOptions {
  /** The calculation date `asOf`, `YYYY-MM-DD`. */
  readonly asOf: string;
  /** Legs for devices whose `transport` is empty. */
  readonly defaultTransport?: string | undefined;
  /** Devices already certified in the registry (§6.2), as written in the registry's records. */
  readonly certified?: readonly { readonly manufacturer: string; readonly serial: string }[];
}

interface LotContext {
  readonly asOf: Day;
  readonly lotLegs: Leg[] | undefined;
  /** Normalised serial → occurrences in the lot (rows the reader could not trust do not count: ADR 0014). */
  readonly serialCount: ReadonlyMap<string, number>;
  readonly certified: ReadonlySet<string>;
  readonly reference: NaiveReference;
}

const readerRejected = (d: DeviceInput): boolean => (d.readerProblems ?? []).length > 0;

/** One device, from its row alone (and the lot context): §6 eligibility in order, then the §5 formulas. */
function naiveDevice(input: DeviceInput, lot: LotContext): NaiveDevice {
  const serial = normaliseSerial(input.serial);
  // Every row with a known category counts in that category's batch, even one the reader rejected (not in ADR 0014).
  const head = { serial, manufacturer: normaliseName(input.manufacturer), category: categoryOf(input.category) };
  const exclude = (excluded: ExclusionReason, badFields?: string[]): NaiveDevice => ({
    ...head,
    excluded,
    ...(badFields === undefined ? {} : { badFields }),
  });

  // ADR 0014: a row the reader could not split into its 12 fields cannot be trusted field by field.
  if (readerRejected(input)) return exclude("BAD_INPUT");
  // §6.1–§6.5
  if (serial === "") return exclude("SERIAL_MISSING");
  if (lot.serialCount.get(serial)! > 1 || lot.certified.has(deviceIdText(input.manufacturer, input.serial))) {
    return exclude("SERIAL_DUPLICATE");
  }
  if (isBlank(input.test_report_id)) return exclude("NO_TEST_REPORT");
  if (isBlank(input.erasure_certificate_id)) return exclude("NO_ERASURE_CERTIFICATE");
  const category = head.category;
  if (category === undefined) return exclude("CATEGORY_UNKNOWN");
  const params = CATEGORY_PARAMS[category];

  // §6.6 BAD_INPUT: every field that does not parse; refurbished after asOf or before the manufacture reference date.
  // Fields are read with surrounding blanks removed (not in ADR 0014; the engine's rule).
  const bad: string[] = [];
  const manufacturer = head.manufacturer;
  const model = normaliseName(input.model);
  if (manufacturer === "") bad.push("manufacturer"); // ADR 0014: manufacturer and model are required
  if (model === "") bad.push("model");
  const made = manufactureReferenceDay(input.manufacture_date.trim());
  if (made === undefined) bad.push("manufacture_date");
  const refurbished = readDay(input.refurbished_date.trim());
  if (
    refurbished === undefined ||
    iso(refurbished) > iso(lot.asOf) ||
    (made !== undefined && iso(refurbished) < iso(made))
  ) {
    bad.push("refurbished_date");
  }
  const monthsText = input.second_life_months.trim();
  if (!WHOLE_MONTHS.test(monthsText)) bad.push("second_life_months");
  const parts = readParts(input.parts ?? "");
  if (parts === undefined) bad.push("parts");
  // ADR 0014: an empty mass is the category default; a given mass must be a positive plain decimal.
  const mass = isBlank(input.ship_mass_kg) ? params.shipMass : input.ship_mass_kg!.trim();
  if (!PLAIN_DECIMAL.test(mass) || !new D(mass).gt(ZERO)) bad.push("ship_mass_kg");
  // ADR 0014: the row's legs, else the lot's default legs; neither is BAD_INPUT.
  const legs = isBlank(input.transport) ? lot.lotLegs : readLegs(input.transport!);
  if (legs === undefined) bad.push("transport");
  if (bad.length > 0) return exclude("BAD_INPUT", bad);

  // §5 months; §6.7–§6.9
  const L1 = wholeMonthsBetween(made!, refurbished!);
  if (L1 > params.maxAge) return exclude("TOO_OLD");
  const L2 = Math.min(Number(monthsText), params.L2cap);
  if (L2 < MIN_L2) return exclude("SECOND_LIFE_TOO_SHORT");
  if (parts!.some((p) => p.kind === "mainboard")) return exclude("MAINBOARD_REPLACED");

  // §2 reference values; a model without a usable row falls to T3 (not excluded).
  const row = bestRow(lot.reference, manufacturer, model);
  const tier: Tier = row?.tier ?? "T3";
  const M = row?.M ?? lot.reference.t3[category];
  const Lref = row?.lifetimeMonths ?? params.defaultLref;
  const d = new D(DEDUCTION[tier]);

  // §3 project items, summed in order (ADR 0010): process, packaging, the parts as written, the legs as written.
  const partValues = parts!.map((p) => partCentral(p, M));
  // §6.10: the parts' central sum ≥ M/2 (ADR 0014: ≥ excludes).
  if (partValues.reduce((s, x) => s.plus(x), ZERO).gte(M.div("2"))) return exclude("PARTS_EXCEED_HALF");
  const items: { central: Decimal; u: string }[] = [
    { central: new D(params.process), u: U_PROCESS },
    { central: new D(params.packaging), u: U_PACKAGING },
    ...partValues.map((central) => ({ central, u: U_PART })),
    ...legs!.map((leg) => ({ central: legCentral(leg, mass), u: U_LEG })),
  ];
  let P = ZERO;
  let UP = ZERO;
  for (const item of items) {
    P = P.plus(item.central);
    UP = UP.plus(new D(item.u).times(item.central));
  }

  // §5, literally and left to right (ADR 0010).
  const f = whole(Math.min(L2, Lref)).div(whole(Lref));
  const alpha = whole(L2).div(whole(L1 + L2));
  const figures = (a: Decimal): { R: Decimal; R_up: Decimal; U: Decimal } => ({
    R: ceil3(M.times(a).plus(P)),
    R_up: ceil3(M.times(ONE.plus(d)).times(a).plus(P).plus(UP)),
    U: ceil3(d.times(M).times(f.minus(a).abs()).plus(UP)),
  });
  const B = floor3(M.times(f));
  const { R, R_up, U } = figures(alpha);
  const V = B.minus(R).minus(U); // Δ = B − R; V = Δ − U
  const cut = figures(ZERO); // §7 disclosure: cut-off allocation, α = 0

  return {
    ...head,
    tier,
    M: M.toFixed(),
    L_ref: Lref,
    L1,
    L2,
    P: P.toFixed(),
    UP: UP.toFixed(),
    B: kg3(B),
    R: kg3(R),
    R_up: kg3(R_up),
    U: kg3(U),
    V: kg3(V),
    cutOff: { R: kg3(cut.R), R_up: kg3(cut.R_up), U: kg3(cut.U) },
    refurbished: iso(refurbished!),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Batches (§7).
// ---------------------------------------------------------------------------------------------------------------

export type BatchReason =
  "NO_ELIGIBLE_DEVICES" | "NO_CENTRAL_REDUCTION" | "NO_VERIFIED_REDUCTION" | "UNCERTAINTY_TOO_HIGH";

export interface NaiveTotals {
  readonly B: string;
  readonly R: string;
  readonly R_up: string;
  readonly delta: string;
  readonly U: string;
  readonly V: string;
}

export interface NaiveBatch {
  readonly category: Category;
  /** Devices of the category in the lot, eligible or not; n; exclusions by reason. */
  readonly devices: number;
  readonly eligible: number;
  readonly excluded: Readonly<Partial<Record<ExclusionReason, number>>>;
  /** Certificates issued: n when issued, else 0 (ADR 0014). */
  readonly certificates: number;
  readonly issued: boolean;
  readonly reason: BatchReason | null;
  /** B̄ = floor3(ΣB/n), V̄ = floor3(ΣV/n) and B̄ − V̄, kg; B̄ and V̄ in integer grams (× 1000). */
  readonly baselineKg: string;
  readonly reductionKg: string;
  readonly certifiedIntensityKg: string;
  readonly baselineGrams: bigint;
  readonly reductionGrams: bigint;
  /** R̄_up = ceil3(ΣR_up/n). */
  readonly refurbishedIntensityKg: string;
  /** ceil3(ΣU/ΣΔ); `null` when ΣΔ ≤ 0 (ADR 0014). */
  readonly relU: string | null;
  /** floor1((1 − ΣR/ΣB)·100) %; `null` when ΣB = 0. */
  readonly centralReductionPct: string | null;
  readonly tiers: Readonly<Record<Tier, number>>;
  readonly totals: NaiveTotals;
  /** The same totals with every device under cut-off allocation (α = 0), plus its relU and V̄. */
  readonly cutOff: NaiveTotals & { readonly relU: string | null; readonly reductionKg: string };
  /** min / max `refurbished_date` of the eligible devices (ADR 0014). */
  readonly vintageStart: string | null;
  readonly vintageEnd: string | null;
}

/** §7 over one category's devices (ADR 0014: a batch for every category present, even with no eligible device). */
function naiveBatch(category: Category, members: readonly NaiveDevice[]): NaiveBatch {
  const eligible = members.filter((m) => m.excluded === undefined);
  const n = eligible.length;
  const excluded: Partial<Record<ExclusionReason, number>> = {};
  for (const m of members) if (m.excluded !== undefined) excluded[m.excluded] = (excluded[m.excluded] ?? 0) + 1;
  const tiers: Record<Tier, number> = { T1: 0, T2: 0, T3: 0 };
  for (const m of eligible) tiers[m.tier!]++;
  const sum = (figure: (m: NaiveDevice) => string): Decimal => eligible.reduce((s, m) => s.plus(figure(m)), ZERO);
  const perDevice = (total: Decimal, round: (x: Decimal) => Decimal): Decimal =>
    n === 0 ? ZERO : round(total.div(whole(n))); // n = 0: no batch figure (not in ADR 0014; the engine shows 0)

  const totalsOf = (R: (m: NaiveDevice) => string, R_up: (m: NaiveDevice) => string, U: (m: NaiveDevice) => string) => {
    const sB = sum((m) => m.B!);
    const sR = sum(R);
    const sDelta = sum((m) => new D(m.B!).minus(R(m)).toFixed()); // ΣΔ = Σ(B − R)
    const sU = sum(U);
    const sV = sum((m) => new D(m.B!).minus(R(m)).minus(U(m)).toFixed()); // ΣV = Σ(Δ − U)
    return {
      sR,
      sDelta,
      sU,
      sV,
      totals: { B: kg3(sB), R: kg3(sR), R_up: kg3(sum(R_up)), delta: kg3(sDelta), U: kg3(sU), V: kg3(sV) },
      relU: sDelta.gt(ZERO) ? kg3(ceil3(sU.div(sDelta))) : null,
    };
  };
  const central = totalsOf(
    (m) => m.R!,
    (m) => m.R_up!,
    (m) => m.U!,
  );
  const cut = totalsOf(
    (m) => m.cutOff!.R,
    (m) => m.cutOff!.R_up,
    (m) => m.cutOff!.U,
  );

  // The gate, in ADR 0014's order: n ≥ 1, ΣΔ > 0, ΣV > 0, relU ≤ 0.500.
  let reason: BatchReason | null = null;
  if (n < 1) reason = "NO_ELIGIBLE_DEVICES";
  else if (!central.sDelta.gt(ZERO)) reason = "NO_CENTRAL_REDUCTION";
  else if (!central.sV.gt(ZERO)) reason = "NO_VERIFIED_REDUCTION";
  else if (new D(central.relU!).gt(MAX_REL_U)) reason = "UNCERTAINTY_TOO_HIGH";

  const sB = sum((m) => m.B!);
  const baseline = perDevice(sB, floor3);
  const reduction = perDevice(central.sV, floor3);
  const grams = (x: Decimal): bigint => BigInt(x.times("1000").toFixed(0));
  const days = eligible.map((m) => m.refurbished!).sort();
  return {
    category,
    devices: members.length,
    eligible: n,
    excluded,
    certificates: reason === null ? n : 0,
    issued: reason === null,
    reason,
    baselineKg: kg3(baseline),
    reductionKg: kg3(reduction),
    certifiedIntensityKg: kg3(baseline.minus(reduction)),
    baselineGrams: grams(baseline),
    reductionGrams: grams(reduction),
    refurbishedIntensityKg: kg3(
      perDevice(
        sum((m) => m.R_up!),
        ceil3,
      ),
    ),
    relU: central.relU,
    centralReductionPct: sB.isZero() ? null : floor1(ONE.minus(central.sR.div(sB)).times("100")).toFixed(1),
    tiers,
    totals: central.totals,
    cutOff: { ...cut.totals, relU: cut.relU, reductionKg: kg3(perDevice(cut.sV, floor3)) },
    vintageStart: days[0] ?? null,
    vintageEnd: days[days.length - 1] ?? null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The lot.
// ---------------------------------------------------------------------------------------------------------------

export interface NaiveLot {
  readonly devices: readonly NaiveDevice[];
  /** One batch per category present in the lot, in the order of §1's category list. */
  readonly batches: readonly NaiveBatch[];
}

/** Evaluates a lot device by device, then its batches. Throws on a bad `asOf` or default transport. */
export function naiveLot(devices: readonly DeviceInput[], options: NaiveOptions, reference: NaiveReference): NaiveLot {
  const asOf = readDay(options.asOf);
  if (asOf === undefined) throw new Error(`asOf ${options.asOf} is not a YYYY-MM-DD date`);
  const lotLegs = isBlank(options.defaultTransport) ? undefined : readLegs(options.defaultTransport!);
  if (!isBlank(options.defaultTransport) && lotLegs === undefined) {
    throw new Error(`default transport ${options.defaultTransport} does not parse`);
  }
  // §6.2 and ADR 0014: in-lot duplicates by normalised serial alone, every occurrence excluded.
  const serialCount = new Map<string, number>();
  for (const d of devices) {
    const s = normaliseSerial(d.serial);
    if (s !== "" && !readerRejected(d)) serialCount.set(s, (serialCount.get(s) ?? 0) + 1);
  }
  const certified = new Set((options.certified ?? []).map((c) => deviceIdText(c.manufacturer, c.serial)));
  const lot: LotContext = { asOf, lotLegs, serialCount, certified, reference };
  const results = devices.map((d) => naiveDevice(d, lot));
  const batches = CATEGORIES.filter((c) => results.some((r) => r.category === c)).map((c) =>
    naiveBatch(
      c,
      results.filter((r) => r.category === c),
    ),
  );
  return { devices: results, batches };
}
