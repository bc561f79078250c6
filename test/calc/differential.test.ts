/**
 * The engine (`calculateLot`: memo, double filter, exact fixed point, Decimal fallback) against the independent
 * implementation of `naive.ts`, figure by figure: every device's tier, M, L_ref, L1, L2, P, UP, B, R, R_up, U, V — or
 * its exclusion reason, and for a BAD_INPUT the fields at fault — its device id, and every batch figure
 * (certificates, B̄, V̄, grams, relU, the gate's decision and reason, totals, cut-off totals, tiers, vintage).
 *
 * The naive evaluator is first held to the figures published in docs/methodology.md §9, then compared with the engine
 * on the golden-vector lots, a lot of hand-written input edge cases, a small synthetic reference table, a fuzzed lot and
 * the 30,000-device synthetic lot of the benchmark (read by csv-parse for the naive side, by the engine's reader for
 * the engine).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { parse } from "csv-parse/sync";
import { Decimal } from "decimal.js";
import { id as keccakUtf8 } from "ethers";
import fc from "fast-check";

import { generateLot } from "../../bench/generate-lot.ts";
import { readLotCsv } from "../../core/calc/lot/index.ts";
import {
  buildReferenceTable,
  calculateLot,
  projectItemsOf,
  type DeviceInput,
  type DeviceResult,
  type LotResult,
  type ReferenceRow,
  type ReferenceTable,
} from "../../core/calc/index.ts";
import { computeLot } from "../../core/calc/lot.ts";
import { DEFAULT_LEGS, VECTORS, readVector, reference } from "./fixtures.ts";
import {
  REFERENCE_CSV,
  deviceIdText,
  loadNaiveReference,
  naiveLot,
  naiveReference,
  type NaiveBatch,
  type NaiveDevice,
  type NaiveLot,
  type NaiveOptions,
  type NaiveReference,
} from "./naive.ts";

// ---- running both sides ----

let shippedNaive: NaiveReference | undefined;
const naiveShipped = (): NaiveReference => (shippedNaive ??= loadNaiveReference());

/** §8's device id, hashed with ethers' keccak256 (not the engine's). */
const deviceIdOf = (manufacturer: string, serial: string): string => keccakUtf8(deviceIdText(manufacturer, serial));

interface Run {
  readonly inputs: readonly DeviceInput[];
  readonly engine: LotResult;
  readonly naive: NaiveLot;
}

function runBoth(
  inputs: readonly DeviceInput[],
  options: NaiveOptions,
  refs: { engine: ReferenceTable; naive: NaiveReference } = { engine: reference(), naive: naiveShipped() },
  naiveInputs: readonly DeviceInput[] = inputs,
): Run {
  const engine = calculateLot(
    inputs,
    {
      asOf: options.asOf,
      ...(options.defaultTransport === undefined ? {} : { defaultTransport: options.defaultTransport }),
      certifiedDeviceIds: new Set((options.certified ?? []).map((c) => deviceIdOf(c.manufacturer, c.serial))),
    },
    refs.engine,
  );
  return { inputs, engine, naive: naiveLot(naiveInputs, options, refs.naive) };
}

// ---- what is compared ----

const readerRejected = (d: DeviceInput): boolean => (d.readerProblems ?? []).length > 0;

/** A device as the engine's report gives it (P and UP recomputed from the report record by `projectItemsOf`). */
function engineDevice(d: DeviceResult, input: DeviceInput): Record<string, unknown> {
  if (d.excluded !== undefined) {
    const own = d.excluded === "BAD_INPUT" && !readerRejected(input);
    return { excluded: d.excluded, ...(own ? { badFields: (d.problems ?? []).map((p) => p.field) } : {}) };
  }
  const items = projectItemsOf(d);
  return {
    tier: d.tier,
    M: d.M,
    L_ref: d.L_ref,
    L1: d.L1,
    L2: d.L2,
    P: items?.P,
    UP: items?.UP,
    B: d.B,
    R: d.R,
    R_up: d.R_up,
    U: d.U,
    V: d.V,
  };
}

function naiveDevice(n: NaiveDevice): Record<string, unknown> {
  if (n.excluded !== undefined) return { excluded: n.excluded, ...(n.badFields ? { badFields: n.badFields } : {}) };
  const { tier, M, L_ref, L1, L2, P, UP, B, R, R_up, U, V } = n;
  return { tier, M, L_ref, L1, L2, P, UP, B, R, R_up, U, V };
}

/** Every device on which the two disagree (figures, exclusion or device id), as readable lines. */
function deviceDisagreements(run: Run): string[] {
  const out: string[] = [];
  run.inputs.forEach((input, i) => {
    const e = run.engine.device(i);
    const n = run.naive.devices[i]!;
    const got = JSON.stringify(engineDevice(e, input));
    const want = JSON.stringify(naiveDevice(n));
    if (got !== want) out.push(`line ${e.line} (${JSON.stringify(input.serial)}): engine ${got} naive ${want}`);
    const id = readerRejected(input) || n.serial === "" ? undefined : deviceIdOf(input.manufacturer, input.serial);
    if (e.deviceId !== id) out.push(`line ${e.line}: deviceId engine ${e.deviceId} §8 ${id}`);
  });
  return out;
}

/** Every batch figure compared (all the naive evaluator computes; the engine's device root is left to merkle tests). */
const BATCH_FIGURES = [
  "category",
  "devices",
  "eligible",
  "excluded",
  "certificates",
  "issued",
  "reason",
  "baselineKg",
  "reductionKg",
  "certifiedIntensityKg",
  "baselineGrams",
  "reductionGrams",
  "refurbishedIntensityKg",
  "relU",
  "centralReductionPct",
  "tiers",
  "totals",
  "cutOff",
  "vintageStart",
  "vintageEnd",
] as const satisfies readonly (keyof NaiveBatch)[];

const figuresOf = (batch: object): Record<string, unknown> =>
  Object.fromEntries(BATCH_FIGURES.map((key) => [key, (batch as Record<string, unknown>)[key]]));

function expectAgreement(run: Run): void {
  const disagreements = deviceDisagreements(run);
  expect(disagreements.slice(0, 10), `${disagreements.length} device(s) differ`).to.deep.equal([]);
  expect(run.engine.batches.map(figuresOf)).to.deep.equal(run.naive.batches.map(figuresOf));
  expect(Object.keys(run.naive.batches[0] ?? {}).sort()).to.deep.equal(
    run.naive.batches.length === 0 ? [] : [...BATCH_FIGURES].sort(),
  );
}

// ---- lots ----

/** A §9 laptop (Dell Latitude 5420) every edge-case row starts from. */
const BASE: DeviceInput = {
  serial: "",
  manufacturer: "Dell",
  model: "Latitude 5420",
  category: "laptop",
  manufacture_date: "2021-06",
  refurbished_date: "2025-09-30",
  second_life_months: "36",
  parts: "",
  ship_mass_kg: "",
  transport: "",
  test_report_id: "TR",
  erasure_certificate_id: "EC",
};
const row = (serial: string, change: Partial<DeviceInput> = {}): DeviceInput => ({ ...BASE, serial, ...change });
const phone = { manufacturer: "Google", model: "Pixel 5", category: "smartphone", second_life_months: "24" };

/** Input edge cases of docs/methodology.md §4–§6 and ADR 0014, one row each (the serial says what it probes). */
const EDGE_LOT: DeviceInput[] = [
  // names, matching and tiers (§2)
  row("N-PLAIN"),
  row("N-CASE", { manufacturer: "  DELL ", model: "latitude   5420" }),
  row("N-TAB", { model: "Latitude\t5420" }),
  row("N-NBSP", { ...phone, model: "Pixel\u00a05", manufacture_date: "2021-03", refurbished_date: "2024-03-01" }),
  row("N-WRONG-CATEGORY", { category: "desktop" }),
  row("N-CATEGORY-CASE", { category: " Laptop " }),
  row("N-LIFETIME-10", {
    manufacturer: "Google",
    model: "Nest Learning Thermostat",
    category: "tablet",
    manufacture_date: "2022",
    refurbished_date: "2025-01-31",
  }),
  row("N-T2-NEGATIVE-SHARE", { manufacturer: "Lexmark", model: "B3340dw", category: "desktop" }),
  row("N-T2-ZERO-SHARE", { manufacturer: "Seagate", model: "Exos X12 ST12000NM0007 12TB", category: "server" }),
  row("N-INVALID-ROW", { manufacturer: "Dell", model: "OptiPlex 7070 Ultra", category: "desktop" }),
  row("N-INVALID-PHONE", { ...phone, manufacturer: "Fairphone", model: "Fairphone 4", manufacture_date: "2022-01" }),
  row("N-TWIN-ROWS", {
    manufacturer: "Apple",
    model: "iPad (9th generation) Wi-Fi + Cellular with 64GB",
    category: "tablet",
    manufacture_date: "2022",
    refurbished_date: "2025-06-30",
    second_life_months: "24",
  }),
  row("N-T3-MONITOR", {
    manufacturer: "Eizo",
    model: "FlexScan EV2460",
    category: "monitor",
    manufacture_date: "2020",
  }),
  row("N-T3-SERVER", { manufacturer: "Supermicro", model: "SYS-1029P", category: "server", parts: "hdd:4" }),
  row("N-T3-TABLET", { manufacturer: "Xiaomi", model: "Pad 5", category: "tablet", manufacture_date: "2022-05" }),
  row("N-T3-PHONE", { ...phone, manufacturer: "Nokia", model: "G21", manufacture_date: "2022-05" }),
  row("N-T3-DESKTOP", { manufacturer: "Shuttle", model: "XPC SH510", category: "desktop", manufacture_date: "2020" }),
  // dates (§4, §5; ADR 0014)
  row("D-YEAR", { manufacture_date: "2021" }),
  row("D-LEAP-FEB", { manufacture_date: "2020-02", refurbished_date: "2024-02-29" }),
  row("D-FEB", { manufacture_date: "2021-02", refurbished_date: "2025-02-27" }),
  row("D-DAY-RULE", { manufacture_date: "2021-01-31", refurbished_date: "2021-02-28" }),
  row("D-SAME-DAY", { manufacture_date: "2025-09-30", refurbished_date: "2025-09-30" }),
  row("D-BEFORE-MADE", { manufacture_date: "2025-10", refurbished_date: "2025-10-30" }),
  row("D-ON-ASOF", { refurbished_date: "2026-06-30" }),
  row("D-AFTER-ASOF", { refurbished_date: "2026-07-01" }),
  row("D-FEB-30", { manufacture_date: "2020-02-30" }),
  row("D-MONTH-13", { manufacture_date: "2020-13" }),
  row("D-MONTH-00", { manufacture_date: "2020-00" }),
  row("D-SLASHES", { manufacture_date: "2020/01/01" }),
  row("D-TWO-DIGIT-YEAR", { manufacture_date: "20-01" }),
  row("D-REFURB-FEB-29", { refurbished_date: "2025-02-29" }),
  row("D-REFURB-MONTH-ONLY", { refurbished_date: "2025-09" }),
  row("D-BLANKS", { manufacture_date: " 2021-06 ", refurbished_date: " 2025-09-30 " }),
  row("D-YEAR-0999", { manufacture_date: "0999" }),
  row("D-L1-96", { manufacture_date: "2017-09", refurbished_date: "2025-10-29" }),
  row("D-L1-97", { manufacture_date: "2017-09", refurbished_date: "2025-10-30" }),
  row("D-PHONE-L1-73", { ...phone, manufacture_date: "2018-01-15", refurbished_date: "2024-02-15" }),
  // second life (§5, §6.8)
  row("M-12", { second_life_months: "12" }),
  row("M-11", { second_life_months: "11" }),
  row("M-0", { second_life_months: "0" }),
  row("M-100-CAPPED", { second_life_months: "100" }),
  row("M-9999", { second_life_months: "9999" }),
  row("M-DESKTOP-CAP", { category: "desktop", second_life_months: "100" }),
  row("M-LEADING-ZERO", { second_life_months: "036" }),
  row("M-BLANKS", { second_life_months: " 36 " }),
  row("M-DECIMAL", { second_life_months: "36.0" }),
  row("M-NEGATIVE", { second_life_months: "-36" }),
  row("M-10000", { second_life_months: "10000" }),
  row("M-EMPTY", { second_life_months: "" }),
  // parts (§3, §4; ADR 0014)
  row("P-CASE", { parts: "BATTERY:63WH" }),
  row("P-SSD-TB", { parts: "ssd:1TB" }),
  row("P-SSD-FRACTION-TB", { parts: "ssd:1.5tb" }),
  row("P-SSD-TINY-TB", { parts: "ssd:0.000001TB" }),
  row("P-BLANKS", { parts: " ssd : 512 GB ; ram:16gb " }),
  row("P-HDD-3", { parts: "hdd:3" }),
  row("P-HDD", { parts: "hdd" }),
  row("P-DISPLAY", { parts: "display" }),
  row("P-DISPLAY-2-HALF", { parts: "display:2" }),
  row("P-OTHER", { parts: "other:0.4KG" }),
  row("P-EMPTY-ITEMS", { parts: "battery:63Wh;;ssd:256GB;" }),
  row("P-NONE", { parts: "none" }),
  row("P-NONE-UPPER", { parts: " NONE " }),
  row("P-ZERO-WH", { parts: "battery:0Wh" }),
  row("P-HEAVY", { parts: "other:9.9kg" }),
  row("P-ORDER", { parts: "ram:8GB;ssd:256GB;battery:42Wh;other:0.2kg;hdd" }),
  row("P-DISPLAY-WITH-OTHERS", { parts: "display;battery:86Wh;ram:32GB" }),
  row("P-32-ITEMS", { parts: Array(32).fill("other:0.001kg").join(";") }),
  row("P-33-ITEMS", { parts: Array(33).fill("other:0.001kg").join(";") }),
  row("P-HDD-0", { parts: "hdd:0" }),
  row("P-NO-UNIT", { parts: "battery:63" }),
  row("P-WRONG-UNIT", { parts: "battery:63kg" }),
  row("P-MB", { parts: "ssd:512MB" }),
  row("P-UNKNOWN", { parts: "gpu:1" }),
  row("P-7-DIGITS", { parts: "battery:1234567Wh" }),
  row("P-7-DECIMALS", { parts: "ssd:0.1234567GB" }),
  row("P-MAINBOARD", { parts: "mainboard" }),
  row("P-MAINBOARD-2", { parts: "Mainboard:2;battery:63Wh" }),
  row("P-NONE-AND-PART", { parts: "none;battery:63Wh" }),
  // shipping mass (§3; ADR 0014)
  row("W-ZERO", { ship_mass_kg: "0" }),
  row("W-ZERO-POINT", { ship_mass_kg: "0.0" }),
  row("W-TINY", { ship_mass_kg: "0.000001" }),
  row("W-COMMA", { ship_mass_kg: "2,5" }),
  row("W-EXPONENT", { ship_mass_kg: "1e1" }),
  row("W-PLUS", { ship_mass_kg: "+2" }),
  row("W-BLANKS", { ship_mass_kg: " 2.5 " }),
  row("W-MAX", { ship_mass_kg: "123456.123456" }),
  row("W-7-DIGITS", { ship_mass_kg: "1234567" }),
  row("W-BLANK-ONLY", { ship_mass_kg: "   " }),
  // transport (§3, §4; ADR 0014)
  row("T-NONE", { transport: "none" }),
  row("T-NONE-CASE", { transport: "None" }),
  row("T-CASE", { transport: "HGV:600;Van:250" }),
  row("T-AIR", { transport: "air:1000" }),
  row("T-RAIL-SEA", { transport: "rail:800;sea:9000" }),
  row("T-TRAILING", { transport: "hgv:600;" }),
  row("T-BLANKS", { transport: " hgv : 600 ; van:250 " }),
  row("T-ZERO-KM", { transport: "van:0" }),
  row("T-16-LEGS", { transport: Array(16).fill("van:1.5").join(";") }),
  row("T-17-LEGS", { transport: Array(17).fill("van:1.5").join(";") }),
  row("T-ONLY-SEMICOLON", { transport: ";" }),
  row("T-UNKNOWN-MODE", { transport: "truck:100" }),
  row("T-NEGATIVE", { transport: "hgv:-5" }),
  row("T-UNIT", { transport: "hgv:600km" }),
  row("T-NO-KM", { transport: "hgv" }),
  // serials and ids (§6.1–§6.4; ADR 0014)
  row(""),
  row("   "),
  row("\u00a0\t"),
  row("ab 12"),
  row("AB12"),
  row("x\t9"),
  row("X9", { test_report_id: "" }),
  row("SAME1", { manufacturer: "HP", model: "Elite Tower 880 G9 Desktop PC", category: "desktop" }),
  row("same1"),
  row("REG0001", { manufacturer: "DELL" }),
  row("REG0001-OTHER-MAKER", { manufacturer: "Lenovo", model: "ThinkPad T490" }),
  row("reg0002", { manufacturer: "Lenovo", model: "ThinkPad T490" }),
  row("I-NO-TEST", { test_report_id: "" }),
  row("I-BLANK-TEST", { test_report_id: "  " }),
  row("I-NO-ERASURE", { erasure_certificate_id: "" }),
  // categories, required fields and precedence (§6; ADR 0014)
  row("C-PRINTER", { category: "printer" }),
  row("C-EMPTY", { category: "" }),
  row("C-PLURAL", { category: "laptops" }),
  row("C-UNKNOWN-AND-BAD", { category: "printer", manufacture_date: "never" }),
  row("", { test_report_id: "" }),
  row("F-NO-MAKER", { manufacturer: "" }),
  row("F-NO-MODEL", { model: "  " }),
  row("F-ALL-BAD", {
    manufacturer: " ",
    model: "",
    manufacture_date: "x",
    refurbished_date: "y",
    second_life_months: "z",
    parts: "gpu",
    ship_mass_kg: "0",
    transport: "truck:1",
  }),
  row("F-BAD-MADE-REFURB-AFTER-ASOF", { manufacture_date: "x", refurbished_date: "2027-01-01" }),
  row("O-TOO-OLD-AND-SHORT", { manufacture_date: "2010", second_life_months: "6" }),
  row("O-SHORT-AND-MAINBOARD", { second_life_months: "6", parts: "mainboard" }),
  row("O-MAINBOARD-AND-HEAVY", { parts: "other:9.9kg;mainboard" }),
  row("O-BAD-AND-TOO-OLD", { manufacture_date: "2010", parts: "gpu" }),
  // reader-rejected rows (ADR 0014): BAD_INPUT and not counted for duplicates
  {
    ...row("RDR1"),
    readerProblems: [{ line: 0, column: null, field: "row", value: "", expected: "12 fields" }],
  },
  row("RDR1"),
  {
    ...row("RDR2", { category: "server" }),
    readerProblems: [{ line: 0, column: 3, field: "model", value: "", expected: "x" }],
  },
];
const EDGE_OPTIONS: NaiveOptions = {
  asOf: "2026-06-30",
  defaultTransport: DEFAULT_LEGS,
  certified: [
    { manufacturer: "  dell ", serial: "reg 0001" },
    { manufacturer: "lenovo", serial: "REG 0002" },
  ],
};

/** Synthetic reference rows for what the shipped table does not exercise (ties, bounds of validity and lifetime). */
function syntheticRows(): ReferenceRow[] {
  const r = (
    manufacturer: string,
    name: string,
    subcategory: string,
    gwp_total: string,
    ratios: { use?: string; mfg?: string; transport?: string; eol?: string },
    lifetime = "4",
  ): ReferenceRow => ({
    manufacturer,
    name,
    subcategory,
    gwp_total,
    gwp_use_ratio: ratios.use ?? "",
    gwp_manufacturing_ratio: ratios.mfg ?? "",
    gwp_transport_ratio: ratios.transport ?? "",
    gwp_eol_ratio: ratios.eol ?? "",
    lifetime,
  });
  return [
    r("Acme", "One", "Laptop", "100", { mfg: "0.5" }, "4"),
    r("Acme", "One", "Laptop", "80", { mfg: "0.5" }, "2.5"), // lower M: wins, with its own lifetime (30 months)
    r("Acme", "One", "Laptop", "10", { use: "0.5" }), // T2, lower M still: a worse tier
    r("Acme", "Two", "Laptop", "200", { use: "0.3" }), // T2 with both defaults: 200 × 0.61
    r("Acme", "Two", "Laptop", "200", { use: "0.3", transport: "0.1", eol: "0.05" }), // 200 × 0.55: lower
    r("Acme", "Tie", "Laptop", "100", { mfg: "0.6" }, "3"), // full tie: the earlier row (36 months)
    r("Acme", "Tie", "Laptop", "100", { mfg: "0.6" }, "5"),
    r("Acme", "Sum over", "Laptop", "100", { use: "0.5", mfg: "0.5", transport: "0.1" }),
    r("Acme", "Sum edge", "Laptop", "100", { use: "0.5", mfg: "0.5", transport: "0.05" }),
    r("Acme", "Mfg zero", "Laptop", "100", { mfg: "0" }),
    r("Acme", "Mfg one", "Laptop", "100", { mfg: "1" }),
    r("Acme", "Mfg over", "Laptop", "100", { mfg: "1.01" }),
    r("Acme", "Unreadable", "Laptop", "100", { use: "n/a", mfg: "0.5" }),
    r("Acme", "Total zero", "Laptop", "0", { mfg: "0.5" }),
    r("Acme", "Neither", "Laptop", "100", {}),
    r("Acme", "Life 1", "Laptop", "300", { mfg: "0.7" }, "1"),
    r("Acme", "Life 10", "Laptop", "300", { mfg: "0.7" }, "10"),
    r("Acme", "Life under", "Laptop", "300", { mfg: "0.7" }, "0.99"),
    r("Acme", "Life over", "Laptop", "300", { mfg: "0.7" }, "10.01"),
    r("Acme", "Life none", "Laptop", "300", { mfg: "0.7" }, ""),
    r("Acme", "Life bad", "Laptop", "300", { mfg: "0.7" }, "four"),
    r("Acme", "Life frac", "Laptop", "300", { mfg: "0.7" }, "3.99"),
    r("  ACME ", "Spaced   Name", "Laptop", "250", { mfg: "0.8" }),
    r("Acme", "Zero share", "Laptop", "100", { use: "0.95" }),
    r("Acme", "Thirds", "Laptop", "100", { mfg: "0.333" }, "3"),
    r("Acme", "Screen", "Monitor", "20", { mfg: "0.5" }), // the only monitor row: P25 = 10 < generic 64.7
    ...["1", "2", "3", "4", "5"].map((k) => r("Acme", `Phone ${k}`, "Smartphone", `${40 + Number(k)}`, { mfg: "0.5" })),
    ...["1", "2", "3"].map((k) => r("Acme", `Tab ${k}`, "Tablet", `${100 + Number(k)}`, { mfg: "0.5" })),
    r("Acme", "Box", "Server", "9000", { mfg: "0.9" }), // P25 = 8100 > generic 3660
  ];
}

const SYNTHETIC_LOT: DeviceInput[] = [
  "One",
  "Two",
  "Tie",
  "Sum over",
  "Sum edge",
  "Mfg zero",
  "Mfg one",
  "Mfg over",
  "Unreadable",
  "Total zero",
  "Neither",
  "Life 1",
  "Life 10",
  "Life under",
  "Life over",
  "Life none",
  "Life bad",
  "Life frac",
  "spaced name",
  "Zero share",
  "Thirds",
].flatMap((model) =>
  ["laptop", "monitor", "desktop", "smartphone", "tablet", "server"].map((category) =>
    row(`S-${model}-${category}`, {
      manufacturer: "acme",
      model,
      category,
      manufacture_date: "2022-02-15",
      refurbished_date: "2025-01-10",
      second_life_months: "16",
      parts: category === "laptop" ? "display" : "",
    }),
  ),
);

/**
 * A fuzzed lot (deterministic seed): each field usually valid and sometimes a borderline or invalid spelling, so that
 * over a third of the rows stay eligible and every exclusion reason occurs. Pools are `|`-separated lists.
 */
function fuzzedLot(count: number, seed: number): DeviceInput[] {
  const pool = (list: string): fc.Arbitrary<string> => fc.constantFrom(...list.split("|"));
  const mostly = (usual: string, odd: string, oddWeight = 1): fc.Arbitrary<string> =>
    fc.oneof({ weight: 20 - oddWeight, arbitrary: pool(usual) }, { weight: oddWeight, arbitrary: pool(odd) });
  const refRows = parse<Record<string, string>>(readFileSync(REFERENCE_CSV), { columns: true });
  const known = refRows.filter((_, i) => i % 5 === 0).map((r) => [r.manufacturer!, r.name!] as const);
  const unknown = [["Fujitsu", "LIFEBOOK U7410"] as const, ["Nobody", "Nothing"] as const];
  const pad2 = (n: number): string => String(n).padStart(2, "0");
  const device = fc.record({
    serial: fc.noBias(fc.nat(99)), // < 6: from a pool of duplicates, missing serials and a certified one
    name: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...known) }, fc.constantFrom(...unknown)),
    // how the row spells manufacturer and model: surrounding blanks, case, doubled inner spaces
    pad: mostly("", " |\t|\u00a0", 3),
    spelling: mostly("asis", "upper|lower|double", 3),
    category: mostly(
      "laptop|laptop|laptop|desktop|desktop|monitor|smartphone|tablet|server",
      " Laptop|MONITOR|printer|",
    ),
    y: fc.noBias(fc.integer({ min: 2015, max: 2023 })),
    m: fc.oneof({ weight: 19, arbitrary: fc.noBias(fc.integer({ min: 1, max: 12 })) }, fc.constantFrom(0, 13)),
    d: fc.oneof({ weight: 9, arbitrary: fc.noBias(fc.integer({ min: 1, max: 28 })) }, fc.constantFrom(0, 29, 30, 31)),
    form: mostly("Y|YM|YM|YMD|YMD|YMD", "DMY"),
    refurbished: fc
      .noBias(
        fc.tuple(
          fc.integer({ min: 2023, max: 2026 }),
          fc.integer({ min: 1, max: 12 }),
          fc.integer({ min: 1, max: 28 }),
        ),
      )
      .map(([y, m, d]) => `${y}-${pad2(m)}-${pad2(d)}`),
    months: mostly("12|18|24|24|36|36|48|60|100", "11|0|6|036| 24 |24.0|-12||x"),
    parts: fc.oneof(
      { weight: 2, arbitrary: pool("|none") },
      fc
        .tuple(
          fc.array(
            mostly(
              "battery:63Wh|Battery:42WH|battery:12 Wh|ssd:256GB|ssd:1TB|ssd:0.5tb|ram:16GB|ram:8 gb|hdd|hdd:2|" +
                "HDD:3|display|other:0.4kg|other:1.25KG|other:0.000001kg",
              "mainboard|display:2|battery:63|gpu:1|hdd:0|ssd:512MB|other:1234567kg",
            ),
            { minLength: 1, maxLength: 3 },
          ),
          pool(";| ; |;;"),
        )
        .map(([items, separator]) => items.join(separator)),
    ),
    mass: mostly("|||2.0|1.2|35|0.000001| 9.0 |0.3", "0|0.0|2,5|123456.123456|1234567"),
    transport: mostly(
      "||||none|NONE|hgv:400;van:120|HGV:900|rail:800; van:50|sea:9000;hgv:300|air:1000|van:0",
      "truck:10|hgv:600;|;|hgv|hgv:-1",
    ),
    test: mostly("TR", "|  "),
    erasure: mostly("EC", "|\t"),
  });
  const serials = ["dup a", "DUPA", "dupb", "   ", "", "reg 1"];
  const spell = (text: string, pad: string, how: string): string =>
    pad +
    (how === "upper"
      ? text.toUpperCase()
      : how === "lower"
        ? text.toLowerCase()
        : how === "double"
          ? text.replace(/ /g, "  ")
          : text) +
    pad;
  return fc.sample(device, { seed, numRuns: count }).map((x, i) => ({
    serial: serials[x.serial] ?? `F-${i}`,
    manufacturer: spell(x.name[0], x.pad, x.spelling),
    model: spell(x.name[1], x.pad, x.spelling),
    category: x.category,
    manufacture_date: {
      Y: `${x.y}`,
      YM: `${x.y}-${pad2(x.m)}`,
      YMD: `${x.y}-${pad2(x.m)}-${pad2(x.d)}`,
      DMY: `${pad2(x.d)}/${pad2(x.m)}/${x.y}`,
    }[x.form]!,
    refurbished_date: x.refurbished,
    second_life_months: x.months,
    parts: x.parts,
    ship_mass_kg: x.mass,
    transport: x.transport,
    test_report_id: x.test,
    erasure_certificate_id: x.erasure,
  }));
}

/** A lot CSV read with csv-parse (independently of the engine's reader), rows numbered like the engine's. */
function readCsvIndependently(file: string): DeviceInput[] {
  const rows = parse<DeviceInput>(readFileSync(file), { columns: true, bom: true, skip_empty_lines: true });
  return rows.map((r, i) => ({ ...r, line: i + 2 }));
}

// ---- the tests ----

describe("ITEC-CALC 1.0 — engine against the independent naive evaluator", () => {
  describe("naive evaluator against docs/methodology.md §9 (typed-in figures)", () => {
    interface Section9 {
      asOf: string;
      defaultTransport: string;
      devices: Record<string, string | number>[];
      batches: Record<string, unknown>[];
      batchesWithout7420: Record<string, unknown>[];
    }
    const S9 = readVector<Section9>("section9.json");
    const naive = (file: string): NaiveLot => naiveLot(readCsvIndependently(`${VECTORS}${file}`), S9, naiveShipped());
    /** §9 shows M to 3 dp, and P and UP rounded up to 3 dp "for reading". */
    const dp3 = (x: string): string => new Decimal(x).toFixed(3);
    const ceil3 = (x: string): string => new Decimal(x).toDecimalPlaces(3, Decimal.ROUND_CEIL).toFixed(3);

    it("reproduces every device figure of the §9 table", () => {
      const lot = naive("section9-lot.csv");
      const got = lot.devices.map((d) => ({
        serial: d.serial,
        tier: d.tier,
        M: dp3(d.M!),
        L_ref: d.L_ref,
        L1: d.L1,
        L2: d.L2,
        P: ceil3(d.P!),
        UP: ceil3(d.UP!),
        B: d.B,
        R: d.R,
        R_up: d.R_up,
        U: d.U,
        V: d.V,
      }));
      expect(got).to.deep.equal(S9.devices);
    });

    it("reproduces the §9 batches, with and without the Latitude 7420", () => {
      const pick = (b: object, like: Record<string, unknown>): Record<string, unknown> =>
        Object.fromEntries(
          Object.entries(like).map(([k, v]) => [
            k,
            k === "totals"
              ? Object.fromEntries(
                  Object.keys(v as object).map((t) => [t, (b as { totals: Record<string, string> }).totals[t]]),
                )
              : (b as Record<string, unknown>)[k],
          ]),
        );
      const lot = naive("section9-lot.csv");
      expect(S9.batches.map((like, k) => pick(lot.batches[k]!, like))).to.deep.equal(S9.batches);
      const without = naive("section9-lot-without-7420.csv");
      expect(S9.batchesWithout7420.map((like, k) => pick(without.batches[k]!, like))).to.deep.equal(
        S9.batchesWithout7420,
      );
    });

    it("agrees with the engine on the §9 lots", async () => {
      for (const file of ["section9-lot.csv", "section9-lot-without-7420.csv"]) {
        const inputs = await readLotCsv(`${VECTORS}${file}`);
        expectAgreement(runBoth(inputs, S9, undefined, readCsvIndependently(`${VECTORS}${file}`)));
      }
    });
  });

  describe("the golden-vector lots (test/vectors/calc-vectors.json)", () => {
    interface VectorCase {
      name: string;
      asOf: string;
      defaultTransport: string | null;
      certified?: { manufacturer: string; serial: string }[];
      devices: DeviceInput[];
    }
    for (const c of readVector<{ cases: VectorCase[] }>("calc-vectors.json").cases) {
      it(`agrees on every figure: ${c.name}`, () => {
        const options: NaiveOptions = {
          asOf: c.asOf,
          ...(c.defaultTransport === null ? {} : { defaultTransport: c.defaultTransport }),
          ...(c.certified === undefined ? {} : { certified: c.certified }),
        };
        expectAgreement(runBoth(c.devices, options));
      });
    }
  });

  describe("input edge cases", () => {
    it("agrees on every row of the edge-case lot (names, dates, months, parts, mass, transport, serials, order)", () => {
      expectAgreement(runBoth(EDGE_LOT, EDGE_OPTIONS));
    });

    it("agrees when the lot has no default transport", () => {
      const lot = [row("X-EMPTY"), row("X-BLANK", { transport: "  " }), row("X-NONE", { transport: "none" })];
      expectAgreement(runBoth([...lot, row("X-LEGS", { transport: "hgv:10" })], { asOf: "2026-06-30" }));
    });

    it("agrees on a batch whose relU is exactly 0.500 (issued: the gate is relU ≤ 0.500)", () => {
      // ΣU/ΣΔ = 0.49964…, so relU = ceil3 = 0.500
      const lot = [
        row("G-12", { second_life_months: "12" }),
        row("G-24", { second_life_months: "24", parts: "other:0.4kg" }),
      ];
      const run = runBoth(lot, { asOf: "2026-06-30", defaultTransport: DEFAULT_LEGS });
      expect(run.naive.batches.map((b) => [b.relU, b.issued])).to.deep.equal([["0.500", true]]);
      expectAgreement(run);
    });

    it("agrees on a synthetic reference table (ties, validity bounds, lifetimes, P25 ranks, generic M)", () => {
      const rows = syntheticRows();
      const source = { sha256: "0".repeat(64), source: "synthetic", license: "test" };
      const refs = { engine: buildReferenceTable(rows, source), naive: naiveReference(rows) };
      expectAgreement(runBoth(SYNTHETIC_LOT, { asOf: "2026-06-30", defaultTransport: DEFAULT_LEGS }, refs));
    });

    it("agrees on a fuzzed lot of 5,000 rows", function () {
      this.timeout(30_000);
      const options: NaiveOptions = {
        asOf: "2026-06-30",
        defaultTransport: DEFAULT_LEGS,
        certified: [{ manufacturer: "Dell", serial: "REG1" }],
      };
      expectAgreement(runBoth(fuzzedLot(5000, 20261128), options));
    });
  });

  describe("engine defects the naive evaluator found (fixed; kept as regression tests)", () => {
    // core/calc/grammar.ts looked part names and units up in plain object literals, so Object.prototype
    // members matched: `constructor` / `__proto__` parsed as parts and projectItems then threw a DecimalError, failing
    // the whole lot; a unit `constructor` was read as a ×10 scale (Object.length = 1): battery:63constructor = 630 Wh.
    // docs/methodology.md §4 and §6 and ADR 0014: such a row is BAD_INPUT (parts), and bad rows never stop the lot.
    it("excludes parts named after Object.prototype members as BAD_INPUT instead of throwing or scaling", () => {
      const parts = ["constructor", "__proto__", "hdd;constructor:3", "battery:63constructor", "other:0.4constructor"];
      expectAgreement(
        runBoth(
          parts.map((p, i) => row(`PROTO-${i}`, { parts: p })),
          EDGE_OPTIONS,
        ),
      );
    });
  });

  describe("the 30,000-device synthetic lot of the benchmark", () => {
    let file: string;
    let dir: string;
    let inputs: DeviceInput[];
    before(async function () {
      this.timeout(60_000);
      dir = mkdtempSync(join(tmpdir(), "itec-calc-"));
      file = join(dir, "lot.csv");
      await generateLot(30_000, file, 7);
      inputs = await readLotCsv(file);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("gives every device and every batch exactly the naive figures", function () {
      this.timeout(60_000);
      const run = runBoth(
        inputs,
        { asOf: "2026-01-31", defaultTransport: DEFAULT_LEGS },
        undefined,
        readCsvIndependently(file),
      );
      expect(run.naive.devices).to.have.length(30_000);
      expectAgreement(run);
    });

    it("exercises all three levels of the engine's shortcut on that lot", () => {
      const { stats } = computeLot(inputs, { asOf: "2026-01-31", defaultTransport: DEFAULT_LEGS }, reference());
      expect(stats.figures).to.be.greaterThan(1000);
      expect(stats.exact, "figures decided by the exact fixed point").to.be.greaterThan(0);
      expect(stats.fallbacks, "figures left to Decimal").to.be.greaterThan(0);
    });
  });
});
