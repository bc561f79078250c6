/**
 * `calculateLot`: eligibility (METHODOLOGY.md §6), per-device figures (§5), batches per category and issuance (§7),
 * device ids and Merkle roots (§8). Pure: the lot, the options (including the calculation date) and the reference
 * table are all inputs.
 *
 * Speed without approximation (docs/adr/0011): everything a device's figures depend on is a small set of discrete
 * inputs — the reference values (category, manufacturer, model), the months L1 and L2, and the project items (parts,
 * mass, transport). Each stage is computed once per distinct combination and memoised; a memo hit returns the very
 * Decimal results a fresh evaluation would, so the figures are identical to evaluating every device from scratch
 * (`test/oracle/methodology/memo.test.ts` checks that). Per-device 3-dp results are held as integer grams, so sums
 * are exact integers.
 */
import { batchReport, emptySums, type GramSums } from "./batch.ts";
import { Dec, dec, decToGrams, gramsToKg, plain } from "./decimal.ts";
import { compareDays, formatDay, parseDay, parseManufactureDate, wholeMonths, type Ymd } from "./dates.ts";
import { deviceFigures, lifeStage, projectItems, type LifeStage, type ProjectItems } from "./device.ts";
import { CalcInputError } from "./errors.ts";
import {
  parseMonths,
  parseParts,
  parsePositiveQuantity,
  parseTransport,
  TRANSPORT_GRAMMAR,
  type Leg,
  type Part,
} from "./grammar.ts";
import { hexAt, keccak256Utf8Into } from "./keccak.ts";
import { DeviceMerkleTree } from "./merkle.ts";
import { normaliseCategory, normaliseName, normaliseSerial } from "./normalise.ts";
import { CATEGORIES, PARAMS, type Category, type Tier } from "./params.ts";
import type { ReferenceTable } from "./reference.ts";
import {
  EXCLUSION_REASONS,
  LOT_COLUMNS,
  type BatchReport,
  type BatchResult,
  type DeviceInput,
  type ExclusionReason,
  type InputProblem,
  type LotColumn,
} from "./types.ts";

/** Lot-level inputs of the calculation. */
export interface LotOptions {
  /** The calculation date, `YYYY-MM-DD` (recorded in the report; never read from a clock). */
  readonly asOf: string;
  /** Legs applied to devices whose `transport` is empty, e.g. `hgv:600;van:250`. */
  readonly defaultTransport?: string;
  readonly lotId?: string;
  readonly refurbisher?: string;
  /** Device ids (`0x` lower-case hex) already certified in the registry: such devices are `SERIAL_DUPLICATE`. */
  readonly certifiedDeviceIds?: ReadonlySet<string>;
  /** Called now and then during the calculation with (devices done, devices in the lot). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Reference values of one (category, manufacturer, model). */
export interface RefInfo {
  readonly id: number;
  readonly category: Category;
  readonly tier: Tier;
  readonly M: Dec;
  readonly d: Dec;
  readonly Lref: number;
  /** `M / 2`, the `PARTS_EXCEED_HALF` threshold. */
  readonly half: Dec;
}

/** The figures shared by every device with the same reference values, months and project items. */
export interface Figures {
  readonly ref: RefInfo;
  readonly L1: number;
  readonly L2: number;
  readonly P: string;
  readonly UP: string;
  /** Integer grams of the 3-dp outputs. */
  readonly B: bigint;
  readonly R: bigint;
  readonly R_up: bigint;
  readonly U: bigint;
  readonly cutR: bigint;
  readonly cutR_up: bigint;
  readonly cutU: bigint;
  /** Eligible devices of the lot carrying these figures. */
  count: number;
  /** The figure members of a device's canonical JSON (`"B":…,"V":…`), cached. */
  block?: string;
}

interface ProjInfo {
  readonly id: number;
  readonly items: ProjectItems;
}

interface ParsedText<T> {
  readonly id: number;
  readonly text: string;
  readonly value?: T;
  readonly expected?: string;
}

const CODE_ELIGIBLE = 0;
const codeOf = (reason: ExclusionReason): number => EXCLUSION_REASONS.indexOf(reason) + 1;
const COLUMN = Object.fromEntries(LOT_COLUMNS.map((c, i) => [c, i + 1])) as Record<LotColumn, number>;

/** Everything the report and the batch results are rendered from. */
export interface LotState {
  readonly devices: readonly DeviceInput[];
  readonly options: LotOptions;
  readonly asOf: string;
  readonly defaultTransport: string | null;
  readonly reference: ReferenceTable;
  /** Per device: normalised serial, manufacturer, model, category text. */
  readonly serials: string[];
  readonly manufacturers: string[];
  readonly models: string[];
  readonly categories: string[];
  /** Per device: 0 eligible, else 1 + index in EXCLUSION_REASONS. */
  readonly codes: Uint8Array;
  /** Per device: 1 when it has a device id. */
  readonly hasId: Uint8Array;
  /** 32 bytes per device. */
  readonly idBytes: Uint8Array;
  /** Per device: its figures when eligible. */
  readonly figures: (Figures | undefined)[];
  /** Per device: applied mass and transport text. */
  readonly masses: string[];
  readonly transports: string[];
  readonly problems: Map<number, InputProblem[]>;
  readonly batches: readonly BatchResult[];
  readonly batchReports: readonly BatchReport[];
  readonly excluded: Partial<Record<ExclusionReason, number>>;
  readonly eligible: number;
}

/** Runs ITEC-CALC 1.0 over a lot. See {@link LotOptions}; throws {@link CalcInputError} only for whole-lot failures. */
export function computeLot(devices: readonly DeviceInput[], options: LotOptions, reference: ReferenceTable): LotState {
  const n = devices.length;
  if (n === 0) throw new CalcInputError("LOT_EMPTY", "the lot has no devices");
  const asOfDay = parseDay(options.asOf);
  if (asOfDay === undefined) {
    throw new CalcInputError("BAD_OPTIONS", `as-of date "${options.asOf}" is not a YYYY-MM-DD calendar date`);
  }
  const defaultTransport = options.defaultTransport?.trim() ? options.defaultTransport.trim() : null;
  if (defaultTransport !== null) {
    const legs = parseTransport(defaultTransport);
    if (!legs.ok) throw new CalcInputError("BAD_OPTIONS", `default transport "${defaultTransport}": expected ${legs.expected}`);
  }
  const certified = options.certifiedDeviceIds;
  const checkCertified = certified !== undefined && certified.size > 0;

  // ---- pass 1: serials and in-lot duplicates ----
  const serials = new Array<string>(n);
  const dup = new Uint8Array(n);
  const firstSeen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const dev = devices[i]!;
    const raw = dev.serial ?? "";
    const s = normaliseSerial(raw);
    serials[i] = s === raw ? raw : s;
    if (s === "" || (dev.readerProblems !== undefined && dev.readerProblems.length > 0)) continue;
    const j = firstSeen.get(s);
    if (j === undefined) firstSeen.set(s, i);
    else {
      dup[i] = 1;
      dup[j] = 1;
    }
  }
  firstSeen.clear();

  // ---- caches of parsed text (lots repeat the same values) ----
  const names = new Map<string, string>();
  const internName = (raw: string): string => {
    let v = names.get(raw);
    if (v === undefined) names.set(raw, (v = normaliseName(raw)));
    return v;
  };
  const categoryCache = new Map<string, { text: string; index: number }>();
  const manufactureCache = new Map<string, Ymd | null>();
  const refurbishedCache = new Map<string, { day: Ymd; text: string } | null>();
  const monthsCache = new Map<string, number | null>();
  const partsCache = new Map<string, ParsedText<readonly Part[]>>();
  const massCache = new Map<string, ParsedText<string>>();
  const transportCache = new Map<string, ParsedText<readonly Leg[]>>();
  const refCache = new Map<string, RefInfo>();
  const projCache = new Map<string, ProjInfo>();
  const lifeCache = new Map<number, { id: number; life: LifeStage }>();
  const figCache = new Map<number, Figures>();

  const parseCached = <T>(
    cache: Map<string, ParsedText<T>>,
    raw: string,
    parse: (text: string) => { ok: true; value: T } | { ok: false; expected: string },
  ): ParsedText<T> => {
    let v = cache.get(raw);
    if (v === undefined) {
      const text = raw.trim();
      const r = parse(text);
      v = r.ok ? { id: cache.size, text, value: r.value } : { id: cache.size, text, expected: r.expected };
      cache.set(raw, v);
    }
    return v;
  };
  const defaultMass = CATEGORIES.map((c) => parseCached(massCache, PARAMS.categories[c].defaultShipMassKg, (t) => parsePositiveQuantity(t, "a shipping mass in kg")));
  const lotLegs = defaultTransport === null ? undefined : parseCached(transportCache, defaultTransport, parseTransport);

  const refInfo = (catIndex: number, manufacturer: string, model: string): RefInfo => {
    const key = `${catIndex}|${manufacturer}|${model}`;
    let info = refCache.get(key);
    if (info === undefined) {
      const category = CATEGORIES[catIndex]!;
      const match = reference.match(manufacturer, model);
      const tier: Tier = match?.tier ?? "T3";
      const M = match?.M ?? reference.t3(category).M;
      const Lref = match?.lifetimeMonths ?? PARAMS.categories[category].defaultLifetimeMonths;
      info = { id: refCache.size, category, tier, M, d: dec(PARAMS.deduction[tier]), Lref, half: M.div(new Dec(2)) };
      refCache.set(key, info);
    }
    return info;
  };

  // ---- pass 2: eligibility and figures ----
  const manufacturers = new Array<string>(n);
  const models = new Array<string>(n);
  const categories = new Array<string>(n);
  const masses = new Array<string>(n);
  const transports = new Array<string>(n);
  const codes = new Uint8Array(n);
  const hasId = new Uint8Array(n);
  const idBytes = new Uint8Array(n * 32);
  const figures = new Array<Figures | undefined>(n);
  const problems = new Map<number, InputProblem[]>();
  const catIndexOf = new Int8Array(n);
  const eligibleOf: number[][] = CATEGORIES.map(() => []);
  const vintage: ({ start: string; end: string } | null)[] = CATEGORIES.map(() => null);
  const progressEvery = 65536;

  for (let i = 0; i < n; i++) {
    if (options.onProgress !== undefined && i % progressEvery === 0) options.onProgress(i, n);
    const dev = devices[i]!;
    const line = dev.line ?? i + 1;
    const manufacturer = internName(dev.manufacturer ?? "");
    const model = internName(dev.model ?? "");
    manufacturers[i] = manufacturer;
    models[i] = model;
    const rawCategory = dev.category ?? "";
    let cat = categoryCache.get(rawCategory);
    if (cat === undefined) {
      const text = normaliseCategory(rawCategory);
      cat = { text, index: (CATEGORIES as readonly string[]).indexOf(text) };
      categoryCache.set(rawCategory, cat);
    }
    categories[i] = cat.text;
    catIndexOf[i] = cat.index;
    const serial = serials[i]!;

    // Applied mass and transport (reported for every device).
    const massRaw = dev.ship_mass_kg ?? "";
    const mass =
      massRaw.trim() === "" && cat.index >= 0
        ? defaultMass[cat.index]!
        : parseCached(massCache, massRaw, (t) => parsePositiveQuantity(t, "a shipping mass in kg"));
    masses[i] = mass.text;
    const transportRaw = dev.transport ?? "";
    const transport =
      transportRaw.trim() === "" && lotLegs !== undefined ? lotLegs : parseCached(transportCache, transportRaw, parseTransport);
    transports[i] = transport.text;

    const exclude = (reason: ExclusionReason): void => {
      codes[i] = codeOf(reason);
    };

    if (dev.readerProblems !== undefined && dev.readerProblems.length > 0) {
      exclude("BAD_INPUT");
      problems.set(i, [...dev.readerProblems]);
      continue;
    }
    if (serial === "") {
      exclude("SERIAL_MISSING");
      continue;
    }
    keccak256Utf8Into(`${manufacturer}|${serial}`, idBytes, i * 32);
    hasId[i] = 1;
    if (dup[i] === 1 || (checkCertified && certified.has(hexAt(idBytes, i * 32)))) {
      exclude("SERIAL_DUPLICATE");
      continue;
    }
    if ((dev.test_report_id ?? "").trim() === "") {
      exclude("NO_TEST_REPORT");
      continue;
    }
    if ((dev.erasure_certificate_id ?? "").trim() === "") {
      exclude("NO_ERASURE_CERTIFICATE");
      continue;
    }
    if (cat.index < 0) {
      exclude("CATEGORY_UNKNOWN");
      continue;
    }

    // BAD_INPUT: every unusable field of the row, all listed.
    let rowProblems: InputProblem[] | undefined;
    const problem = (field: LotColumn, value: string, expected: string): void => {
      (rowProblems ??= []).push({ line, column: COLUMN[field], field, value, expected });
    };
    if (manufacturer === "") problem("manufacturer", dev.manufacturer ?? "", "the manufacturer's name");
    if (model === "") problem("model", dev.model ?? "", "the model name");
    const mRaw = dev.manufacture_date ?? "";
    let made = manufactureCache.get(mRaw);
    if (made === undefined) manufactureCache.set(mRaw, (made = parseManufactureDate(mRaw.trim()) ?? null));
    if (made === null) problem("manufacture_date", mRaw, "a date as YYYY, YYYY-MM or YYYY-MM-DD");
    const rRaw = dev.refurbished_date ?? "";
    let refurb = refurbishedCache.get(rRaw);
    if (refurb === undefined) {
      const day = parseDay(rRaw.trim());
      refurbishedCache.set(rRaw, (refurb = day === undefined ? null : { day, text: formatDay(day) }));
    }
    if (refurb === null) problem("refurbished_date", rRaw, "a calendar date as YYYY-MM-DD");
    else if (compareDays(refurb.day, asOfDay) > 0) {
      problem("refurbished_date", rRaw, `a date on or before the calculation date ${options.asOf}`);
    } else if (made !== null && compareDays(refurb.day, made) < 0) {
      problem("refurbished_date", rRaw, `a date on or after the manufacture reference date ${formatDay(made)}`);
    }
    const sRaw = dev.second_life_months ?? "";
    let months = monthsCache.get(sRaw);
    if (months === undefined) {
      const r = parseMonths(sRaw.trim());
      monthsCache.set(sRaw, (months = r.ok ? r.value : null));
    }
    if (months === null) problem("second_life_months", sRaw, "a whole number of months (e.g. 36)");
    const parts = parseCached(partsCache, dev.parts ?? "", parseParts);
    if (parts.value === undefined) problem("parts", dev.parts ?? "", parts.expected!);
    if (mass.value === undefined) problem("ship_mass_kg", massRaw, mass.expected!);
    if (transport.value === undefined) {
      problem(
        "transport",
        transportRaw,
        transportRaw.trim() === "" ? `${TRANSPORT_GRAMMAR}; the lot has no default transport` : transport.expected!,
      );
    }
    if (rowProblems !== undefined) {
      exclude("BAD_INPUT");
      problems.set(i, rowProblems);
      continue;
    }

    const params = PARAMS.categories[CATEGORIES[cat.index]!];
    const L1 = wholeMonths(made!, refurb!.day);
    if (L1 > params.maxAgeMonths) {
      exclude("TOO_OLD");
      continue;
    }
    const L2 = Math.min(months!, params.secondLifeCapMonths);
    if (L2 < PARAMS.minSecondLifeMonths) {
      exclude("SECOND_LIFE_TOO_SHORT");
      continue;
    }
    if (parts.value!.some((p) => p.kind === "mainboard")) {
      exclude("MAINBOARD_REPLACED");
      continue;
    }
    const ref = refInfo(cat.index, manufacturer, model);
    const projKey = `${ref.id}|${parts.id}|${mass.id}|${transport.id}`;
    let proj = projCache.get(projKey);
    if (proj === undefined) {
      const items = projectItems(ref.category, ref.M, parts.value!, mass.value!, transport.value!);
      projCache.set(projKey, (proj = { id: projCache.size, items }));
    }
    if (proj.items.parts.gte(ref.half)) {
      exclude("PARTS_EXCEED_HALF");
      continue;
    }

    // Eligible: figures from the memo.
    const lifeKey = ref.id * 1048576 + L1 * 1024 + L2; // L1 ≤ 96 and L2 ≤ 60 here
    let life = lifeCache.get(lifeKey);
    if (life === undefined) lifeCache.set(lifeKey, (life = { id: lifeCache.size, life: lifeStage(ref.M, ref.d, ref.Lref, L1, L2) }));
    const figKey = life.id * 67108864 + proj.id;
    let fig = figCache.get(figKey);
    if (fig === undefined) {
      const f = deviceFigures(life.life, proj.items);
      fig = {
        ref,
        L1,
        L2,
        P: plain(proj.items.P),
        UP: plain(proj.items.UP),
        B: decToGrams(f.B),
        R: decToGrams(f.R),
        R_up: decToGrams(f.R_up),
        U: decToGrams(f.U),
        cutR: decToGrams(f.cutR),
        cutR_up: decToGrams(f.cutR_up),
        cutU: decToGrams(f.cutU),
        count: 0,
      };
      figCache.set(figKey, fig);
    }
    fig.count++;
    figures[i] = fig;
    eligibleOf[cat.index]!.push(i);
    const v = vintage[cat.index];
    const day = refurb!.text;
    if (v == null) vintage[cat.index] = { start: day, end: day };
    else if (day < v.start) v.start = day;
    else if (day > v.end) v.end = day;
  }
  options.onProgress?.(n, n);

  // ---- batches ----
  const sums = CATEGORIES.map(() => emptySums());
  const tiers = CATEGORIES.map(() => ({ T1: 0, T2: 0, T3: 0 }) as Record<Tier, number>);
  for (const fig of figCache.values()) {
    const c = CATEGORIES.indexOf(fig.ref.category);
    const s = sums[c]!;
    const k = BigInt(fig.count);
    addTimes(s, fig, k);
    tiers[c]![fig.ref.tier] += fig.count;
  }
  const excluded: Partial<Record<ExclusionReason, number>> = {};
  const inCategory = CATEGORIES.map(() => 0);
  const excludedByCategory = CATEGORIES.map(() => ({}) as Partial<Record<ExclusionReason, number>>);
  let eligible = 0;
  for (let i = 0; i < n; i++) {
    const c = catIndexOf[i]!;
    if (c >= 0) inCategory[c]!++;
    if (codes[i] === CODE_ELIGIBLE) {
      eligible++;
      continue;
    }
    const reason = EXCLUSION_REASONS[codes[i]! - 1]!;
    excluded[reason] = (excluded[reason] ?? 0) + 1;
    if (c >= 0) excludedByCategory[c]![reason] = (excludedByCategory[c]![reason] ?? 0) + 1;
  }

  const batches: BatchResult[] = [];
  const batchReports: BatchReport[] = [];
  CATEGORIES.forEach((category, c) => {
    if (inCategory[c] === 0) return;
    const members = eligibleOf[c]!;
    const offsets = Int32Array.from(members, (i) => i * 32);
    const tree = DeviceMerkleTree.build(idBytes, offsets, members.length);
    const { report, baselineGrams, reductionGrams } = batchReport({
      category,
      devices: inCategory[c]!,
      eligible: members.length,
      excluded: excludedByCategory[c]!,
      sums: sums[c]!,
      tiers: tiers[c]!,
      deviceRoot: tree.root,
      vintageStart: vintage[c]?.start ?? null,
      vintageEnd: vintage[c]?.end ?? null,
    });
    batchReports.push(report);
    let ids: string[] | undefined;
    batches.push({
      ...report,
      baselineGrams,
      reductionGrams,
      get deviceIds(): readonly string[] {
        return (ids ??= members.map((i) => hexAt(idBytes, i * 32)));
      },
      proof: (id: string) => tree.proof(id.toLowerCase()),
    });
  });

  return {
    devices,
    options,
    asOf: options.asOf,
    defaultTransport,
    reference,
    serials,
    manufacturers,
    models,
    categories,
    codes,
    hasId,
    idBytes,
    figures,
    masses,
    transports,
    problems,
    batches,
    batchReports,
    excluded,
    eligible,
  };
}

function addTimes(s: GramSums, fig: Figures, k: bigint): void {
  s.B += fig.B * k;
  s.R += fig.R * k;
  s.R_up += fig.R_up * k;
  s.U += fig.U * k;
  s.cutR += fig.cutR * k;
  s.cutR_up += fig.cutR_up * k;
  s.cutU += fig.cutU * k;
}

/** The figures' members of a device's canonical JSON, in canonical (UTF-16) key order. */
export function figureBlock(fig: Figures): string {
  return (fig.block ??=
    `"B":"${gramsToKg(fig.B)}","L1":${fig.L1},"L2":${fig.L2},"L_ref":${fig.ref.Lref},"M":"${plain(fig.ref.M)}",` +
    `"P":"${fig.P}","R":"${gramsToKg(fig.R)}","R_up":"${gramsToKg(fig.R_up)}","U":"${gramsToKg(fig.U)}",` +
    `"UP":"${fig.UP}","V":"${gramsToKg(fig.B - fig.R - fig.U)}"`);
}
