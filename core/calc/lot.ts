/**
 * `calculateLot`: eligibility (docs/methodology.md §6), per-device figures (§5), batches per category and issuance
 * (§7), device ids and Merkle roots (§8). Pure: the lot, the options (including the calculation date) and the reference
 * table are all inputs.
 *
 * Speed without approximation (docs/adr/0011): everything a device's figures depend on is a small set of discrete
 * inputs — the reference values (category, manufacturer, model), the months L1 and L2, and the project items (parts,
 * mass, transport). Each stage is computed once per distinct combination and memoised; a memo hit returns the very
 * Decimal results a fresh evaluation would, so the figures are identical to evaluating every device from scratch
 * (`test/calc/memo.test.ts` checks that). Per-device 3-dp results are held as integer grams, so sums
 * are exact integers.
 */
import { batchReport, emptySums, type GramSums } from "./batch.ts";
import { ceil3, Dec, dec, decToGrams, gramsToKg, plain } from "./decimal.ts";
import { compareDays, formatDay, parseDay, parseManufactureDate, wholeMonths, type Ymd } from "./dates.ts";
import {
  allocationStage,
  baselineStage,
  deviceFigures,
  lifeStage,
  projectItems,
  refTerms,
  shareF,
  shares,
  type LifeStage,
  type ProjectItems,
  type RefTerms,
} from "./device.ts";
import { ceil3Grams, ceilGramsFast, scaledRatio, terminates, toScaled } from "./exact.ts";
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
import { hexAt, keccak256PairInto } from "./keccak.ts";
import { DeviceMerkleTree, MAX_LEAVES } from "./merkle.ts";
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
  readonly defaultTransport?: string | undefined;
  readonly lotId?: string | undefined;
  readonly refurbisher?: string | undefined;
  /** Device ids (`0x` lower-case hex) already certified in the registry: such devices are `SERIAL_DUPLICATE`. */
  readonly certifiedDeviceIds?: ReadonlySet<string> | undefined;
  /** Called now and then during the calculation with (devices done, devices in the lot). */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Reference values of one (category, manufacturer, model). */
export interface RefInfo {
  readonly id: number;
  readonly category: Category;
  readonly tier: Tier;
  readonly M: Dec;
  readonly d: Dec;
  readonly Lref: number;
  readonly terms: RefTerms;
  /** `M` in plain decimal notation, all digits. */
  readonly Mtext: Text;
  /** `M`, `M·(1+d)`, `d·M` at scale 10^-48 (exact path), when representable. */
  readonly MS: bigint | undefined;
  readonly MdS: bigint | undefined;
  readonly dMS: bigint | undefined;
  /** Double images, in grams, of `M`, `M·(1+d)` and `d·M` (for the double filter). */
  readonly Mg: number;
  readonly Mdg: number;
  readonly dMg: number;
  /** `M / 2`, the `PARTS_EXCEED_HALF` threshold. */
  readonly half: Dec;
  /** Memo tables of the calculation (emptied when it ends: the figures outlive them). */
  /** Project-items id → whether its central parts reach M/2. */
  readonly exceeds: (boolean | undefined)[];
  /** L2 → baseline values. */
  readonly baselines: (BaselineInfo | undefined)[];
  /** L1·64 + L2 → life values (L1 ≤ 96 and L2 ≤ 60 for eligible devices). */
  readonly lives: (LifeInfo | undefined)[];
}

/** The figures shared by every device with the same reference values, months and project items. */
export interface Figures {
  readonly ref: RefInfo;
  readonly L1: number;
  readonly L2: number;
  /** Integer grams of the 3-dp outputs (safe integers: see `safeGrams`). */
  readonly B: number;
  readonly R: number;
  readonly R_up: number;
  readonly U: number;
  readonly cutR: number;
  readonly cutR_up: number;
  readonly cutU: number;
  /** Eligible devices of the lot carrying these figures. */
  count: number;
  /** The figure members of a device's canonical JSON, as bytes, cached when shared. */
  json?: Uint8Array;
}

/** Project items of (category, parts, mass, transport) — and the reference, when a display makes them depend on M. */
interface ProjInfo {
  readonly id: number;
  readonly items: ProjectItems;
  /** `P`, `UP` at scale 10^-48 (undefined: not exactly representable → Decimal path). */
  readonly PS: bigint | undefined;
  readonly UPS: bigint | undefined;
  /** Double images of `P`, `UP` in grams. */
  readonly Pg: number;
  readonly UPg: number;
  /** Cut-off `R = ceil3(P)` and `R_up = ceil3(P + UP)`, grams. */
  readonly cutR: number;
  readonly cutR_up: number;
}

/** What depends on (reference, L2): `B` and `d·M·f` (exact, scaled, and as a double image in grams). */
interface BaselineInfo {
  readonly B: number;
  readonly dMfS: bigint | undefined;
  readonly dmf: number;
}

/** The exact scaled terms of a life entry (computed only when the double filter cannot decide). */
interface ExactLife {
  readonly MalphaS: bigint;
  readonly MdAlphaS: bigint;
  readonly dMgapS: bigint;
}

/** What depends on (reference, L1, L2): double images (grams) of `M·α`, `M·(1+d)·α`, `d·M·|f−α|`. */
interface LifeInfo {
  readonly id: number;
  readonly ref: RefInfo;
  readonly L1: number;
  readonly L2: number;
  readonly baseline: BaselineInfo;
  readonly malpha: number;
  readonly mdalpha: number;
  readonly dmgap: number;
  /** Lazily: the exact terms, or null when one is not representable at scale 10^-48. */
  exact?: ExactLife | null;
  /** Project-items id → figures: a short list (most entries have a few), a map beyond 8. */
  readonly figs: (number | Figures)[];
  figMap?: Map<number, Figures>;
}

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

interface ParsedText<T> {
  readonly id: number;
  readonly text: string;
  readonly t: Text;
  readonly value?: T;
  readonly expected?: string;
}

interface CategoryInfo {
  readonly t: Text;
  readonly index: number;
}

interface DayInfo {
  readonly t: Text;
  readonly day: Ymd | null;
  /** `YYYY-MM-DD` of `day` (vintage). */
  readonly norm: string;
}

const CODE_ELIGIBLE = 0;
const codeOf = (reason: ExclusionReason): number => EXCLUSION_REASONS.indexOf(reason) + 1;
const SERIAL_MISSING = codeOf("SERIAL_MISSING");
const SERIAL_DUPLICATE = codeOf("SERIAL_DUPLICATE");
const NO_TEST_REPORT = codeOf("NO_TEST_REPORT");
const NO_ERASURE_CERTIFICATE = codeOf("NO_ERASURE_CERTIFICATE");
const CATEGORY_UNKNOWN = codeOf("CATEGORY_UNKNOWN");
const BAD_INPUT = codeOf("BAD_INPUT");
const TOO_OLD = codeOf("TOO_OLD");
const SECOND_LIFE_TOO_SHORT = codeOf("SECOND_LIFE_TOO_SHORT");
const MAINBOARD_REPLACED = codeOf("MAINBOARD_REPLACED");
const PARTS_EXCEED_HALF = codeOf("PARTS_EXCEED_HALF");
const COLUMN = Object.fromEntries(LOT_COLUMNS.map((c, i) => [c, i + 1])) as Record<LotColumn, number>;

/** Sizes of the memo tables (how much distinct work a lot needed) and Decimal fallbacks of the shortcut. */
export interface MemoStats {
  references: number;
  projects: number;
  lives: number;
  figures: number;
  /** Figures the double filter left to the exact fixed-point path / to the Decimal evaluation. */
  exact: number;
  fallbacks: number;
}

/** Everything the report and the batch results are rendered from. */
export interface LotState {
  readonly devices: readonly DeviceInput[];
  readonly options: LotOptions;
  readonly asOf: string;
  readonly defaultTransport: string | null;
  readonly reference: ReferenceTable;
  /** Per device: normalised serial; normalised names and category; the report's text of the other inputs. */
  readonly serials: string[];
  readonly names: NameInfo[];
  readonly categories: Text[];
  readonly madeTexts: Text[];
  readonly refurbishedTexts: Text[];
  readonly monthsTexts: Text[];
  readonly partsTexts: Text[];
  /** Per device: 0 eligible, else 1 + index in EXCLUSION_REASONS. */
  readonly codes: Uint8Array;
  /** Per device: 1 when it has a device id. */
  readonly hasId: Uint8Array;
  /** 32 bytes per device. */
  readonly idBytes: Uint8Array;
  /** Per device: its figures when eligible. */
  readonly figures: (Figures | undefined)[];
  /** Per device: applied mass and transport. */
  readonly masses: Text[];
  readonly transports: Text[];
  readonly problems: Map<number, InputProblem[]>;
  readonly batches: readonly BatchResult[];
  readonly batchReports: readonly BatchReport[];
  readonly excluded: Partial<Record<ExclusionReason, number>>;
  readonly eligible: number;
  readonly stats: MemoStats;
}

/** Runs ITEC-CALC 1.0 over a lot. See {@link LotOptions}; throws {@link CalcInputError} only for whole-lot failures. */
export function computeLot(devices: readonly DeviceInput[], options: LotOptions, reference: ReferenceTable): LotState {
  const n = devices.length;
  if (n === 0) throw new CalcInputError("LOT_EMPTY", "the lot has no devices");
  if (n > MAX_LEAVES)
    throw new CalcInputError("LOT_TOO_LARGE", `a lot of ${n} devices exceeds the limit of ${MAX_LEAVES}`);
  const asOfDay = parseDay(options.asOf);
  if (asOfDay === undefined) {
    throw new CalcInputError("BAD_OPTIONS", `as-of date "${options.asOf}" is not a YYYY-MM-DD calendar date`);
  }
  const defaultTransport = options.defaultTransport?.trim() ? options.defaultTransport.trim() : null;
  if (defaultTransport !== null) {
    const legs = parseTransport(defaultTransport);
    if (!legs.ok)
      throw new CalcInputError("BAD_OPTIONS", `default transport "${defaultTransport}": expected ${legs.expected}`);
  }
  const certified = options.certifiedDeviceIds;
  const checkCertified = certified !== undefined && certified.size > 0;

  // ---- pass 1: serials and in-lot duplicates ----
  const serials = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const raw = devices[i]!.serial ?? "";
    const s = normaliseSerial(raw);
    serials[i] = s === raw ? raw : s;
  }
  const dup = duplicateSerials(devices, serials);

  // ---- caches of parsed text (lots repeat the same values) ----
  /** raw model → raw manufacturer → normalised names and the per-category references they share. */
  const rawNames = new Map<string, Map<string, NameInfo>>();
  const normalNames = new Map<string, NameInfo>();
  const categoryCache = new Map<string, CategoryInfo>();
  const manufactureCache = new Map<string, DayInfo>();
  const refurbishedCache = new Map<string, DayInfo>();
  const monthsCache = new Map<string, ParsedText<number>>();
  const partsCache = new Map<string, ParsedText<PartList>>();
  const massCache = new Map<string, ParsedText<string>>();
  const transportCache = new Map<string, ParsedText<readonly Leg[]>>();
  let refCount = 0;
  /** Numeric keys while the ids are small (always, in practice); string keys otherwise. */
  const projCache = new Map<number, ProjInfo>();
  const projCacheWide = new Map<string, ProjInfo>();
  let projCount = 0;

  const stats: MemoStats = { references: 0, projects: 0, lives: 0, figures: 0, exact: 0, fallbacks: 0 };
  const allLives: LifeInfo[] = [];
  const allRefs: RefInfo[] = [];
  let lifeCount = 0;

  const defaultMass = CATEGORIES.map((c) => parseCached(massCache, PARAMS.categories[c].defaultShipMassKg, parseMass));
  const lotLegs = defaultTransport === null ? undefined : parseCached(transportCache, defaultTransport, parseTransport);

  // ---- pass 2: eligibility and figures ----
  const names = new Array<NameInfo>(n);
  const categories = new Array<Text>(n);
  const madeTexts = new Array<Text>(n);
  const refurbishedTexts = new Array<Text>(n);
  const monthsTexts = new Array<Text>(n);
  const partsTexts = new Array<Text>(n);
  const masses = new Array<Text>(n);
  const transports = new Array<Text>(n);
  const codes = new Uint8Array(n);
  const hasId = new Uint8Array(n);
  const idBytes = new Uint8Array(n * 32);
  const figures = new Array<Figures | undefined>(n);
  const problems = new Map<number, InputProblem[]>();
  const catIndexOf = new Int8Array(n);
  const eligibleOf: number[][] = CATEGORIES.map(() => []);
  const vintage: ({ start: string; end: string } | undefined)[] = CATEGORIES.map(() => undefined);
  const progressEvery = 65536;

  for (let i = 0; i < n; i++) {
    if (options.onProgress !== undefined && i % progressEvery === 0) options.onProgress(i, n);
    const dev = devices[i]!;
    const line = dev.line ?? i + 1;
    const rawManufacturer = dev.manufacturer ?? "";
    const rawModel = dev.model ?? "";
    let byRawManufacturer = rawNames.get(rawModel);
    if (byRawManufacturer === undefined) rawNames.set(rawModel, (byRawManufacturer = new Map<string, NameInfo>()));
    let nameInfo = byRawManufacturer.get(rawManufacturer);
    if (nameInfo === undefined) {
      const m = normaliseName(rawManufacturer);
      const mo = normaliseName(rawModel);
      const key = `${m}|${mo}`;
      nameInfo = normalNames.get(key);
      if (nameInfo === undefined) {
        normalNames.set(key, (nameInfo = { manufacturer: newText(m), model: newText(mo), refs: [] }));
      }
      byRawManufacturer.set(rawManufacturer, nameInfo);
    }
    names[i] = nameInfo;
    const manufacturer = nameInfo.manufacturer.text;
    const model = nameInfo.model.text;
    const rawCategory = dev.category ?? "";
    let cat = categoryCache.get(rawCategory);
    if (cat === undefined) {
      const text = normaliseCategory(rawCategory);
      cat = { t: newText(text), index: (CATEGORIES as readonly string[]).indexOf(text) };
      categoryCache.set(rawCategory, cat);
    }
    categories[i] = cat.t;
    catIndexOf[i] = cat.index;
    const serial = serials[i]!;

    // Applied mass and transport (reported for every device).
    const massRaw = dev.ship_mass_kg ?? "";
    const mass =
      cat.index >= 0 && isBlank(massRaw) ? defaultMass[cat.index]! : parseCached(massCache, massRaw, parseMass);
    masses[i] = mass.t;
    const transportRaw = dev.transport ?? "";
    const transport =
      lotLegs !== undefined && isBlank(transportRaw)
        ? lotLegs
        : parseCached(transportCache, transportRaw, parseTransport);
    transports[i] = transport.t;
    // The other inputs as the report shows them (trimmed), parsed once per distinct value.
    const mRaw = dev.manufacture_date ?? "";
    let made = manufactureCache.get(mRaw);
    if (made === undefined) {
      const text = mRaw.trim();
      const day = parseManufactureDate(text) ?? null;
      manufactureCache.set(mRaw, (made = { t: newText(text), day, norm: day === null ? "" : formatDay(day) }));
    }
    madeTexts[i] = made.t;
    const rRaw = dev.refurbished_date ?? "";
    let refurb = refurbishedCache.get(rRaw);
    if (refurb === undefined) {
      const text = rRaw.trim();
      const day = parseDay(text) ?? null;
      refurbishedCache.set(rRaw, (refurb = { t: newText(text), day, norm: day === null ? "" : formatDay(day) }));
    }
    refurbishedTexts[i] = refurb.t;
    const sRaw = dev.second_life_months ?? "";
    const months = parseCached(monthsCache, sRaw, parseMonths);
    monthsTexts[i] = months.t;
    const partsRaw = dev.parts ?? "";
    const parts = parseCached(partsCache, partsRaw, parsePartList);
    partsTexts[i] = parts.t;

    if (dev.readerProblems !== undefined && dev.readerProblems.length > 0) {
      codes[i] = BAD_INPUT;
      problems.set(i, [...dev.readerProblems]);
      continue;
    }
    if (serial === "") {
      codes[i] = SERIAL_MISSING;
      continue;
    }
    keccak256PairInto(manufacturer, serial, idBytes, i * 32);
    hasId[i] = 1;
    if (dup[i] === 1 || (checkCertified && certified.has(hexAt(idBytes, i * 32)))) {
      codes[i] = SERIAL_DUPLICATE;
      continue;
    }
    if (isBlank(dev.test_report_id ?? "")) {
      codes[i] = NO_TEST_REPORT;
      continue;
    }
    if (isBlank(dev.erasure_certificate_id ?? "")) {
      codes[i] = NO_ERASURE_CERTIFICATE;
      continue;
    }
    if (cat.index < 0) {
      codes[i] = CATEGORY_UNKNOWN;
      continue;
    }

    // BAD_INPUT: every unusable field of the row, all listed.
    let bad: InputProblem[] | undefined;
    if (manufacturer === "") bad = addProblem(bad, line, "manufacturer", rawManufacturer, "the manufacturer's name");
    if (model === "") bad = addProblem(bad, line, "model", rawModel, "the model name");
    if (made.day === null) {
      bad = addProblem(bad, line, "manufacture_date", mRaw, "a date as YYYY, YYYY-MM or YYYY-MM-DD");
    }
    if (refurb.day === null) bad = addProblem(bad, line, "refurbished_date", rRaw, "a calendar date as YYYY-MM-DD");
    else if (compareDays(refurb.day, asOfDay) > 0) {
      bad = addProblem(bad, line, "refurbished_date", rRaw, `a date on or before the calculation date ${options.asOf}`);
    } else if (made.day !== null && compareDays(refurb.day, made.day) < 0) {
      const expected = `a date on or after the manufacture reference date ${made.norm}`;
      bad = addProblem(bad, line, "refurbished_date", rRaw, expected);
    }
    if (months.value === undefined) {
      bad = addProblem(bad, line, "second_life_months", sRaw, "a whole number of months (e.g. 36)");
    }
    if (parts.value === undefined) bad = addProblem(bad, line, "parts", partsRaw, parts.expected!);
    if (mass.value === undefined) bad = addProblem(bad, line, "ship_mass_kg", massRaw, mass.expected!);
    if (transport.value === undefined) {
      const expected = isBlank(transportRaw)
        ? `${TRANSPORT_GRAMMAR}; the lot has no default transport`
        : transport.expected!;
      bad = addProblem(bad, line, "transport", transportRaw, expected);
    }
    if (bad !== undefined) {
      codes[i] = BAD_INPUT;
      problems.set(i, bad);
      continue;
    }

    const category = CATEGORIES[cat.index]!;
    const params = PARAMS.categories[category];
    const L1 = wholeMonths(made.day!, refurb.day!);
    if (L1 > params.maxAgeMonths) {
      codes[i] = TOO_OLD;
      continue;
    }
    const L2 = Math.min(months.value!, params.secondLifeCapMonths);
    if (L2 < PARAMS.minSecondLifeMonths) {
      codes[i] = SECOND_LIFE_TOO_SHORT;
      continue;
    }
    if (parts.value!.mainboard) {
      codes[i] = MAINBOARD_REPLACED;
      continue;
    }
    let ref = nameInfo.refs[cat.index];
    if (ref === undefined) {
      nameInfo.refs[cat.index] = ref = refInfo(refCount++, category, manufacturer, model, reference);
      allRefs.push(ref);
    }
    let proj: ProjInfo | undefined;
    const useM = parts.value!.usesM;
    if (!useM && parts.id < 16384 && mass.id < 4096 && transport.id < 4096) {
      const key = ((parts.id * 4096 + mass.id) * 4096 + transport.id) * 8 + cat.index;
      proj = projCache.get(key);
      if (proj === undefined) {
        projCache.set(key, (proj = projInfo(projCount++, ref, parts.value!.list, mass.value!, transport.value!)));
      }
    } else {
      const key = `${useM ? ref.id : -1}|${cat.index}|${parts.id}|${mass.id}|${transport.id}`;
      proj = projCacheWide.get(key);
      if (proj === undefined) {
        projCacheWide.set(key, (proj = projInfo(projCount++, ref, parts.value!.list, mass.value!, transport.value!)));
      }
    }
    let exceeds = ref.exceeds[proj.id];
    if (exceeds === undefined) ref.exceeds[proj.id] = exceeds = proj.items.parts.gte(ref.half);
    if (exceeds) {
      codes[i] = PARTS_EXCEED_HALF;
      continue;
    }

    // Eligible: figures from the memo (L1 ≤ 96 and L2 ≤ 60 here, so the numeric keys cannot collide).
    let life = ref.lives[L1 * 64 + L2];
    if (life === undefined) {
      let baseline = ref.baselines[L2];
      if (baseline === undefined) ref.baselines[L2] = baseline = baselineInfo(ref, L2);
      ref.lives[L1 * 64 + L2] = life = lifeInfo(lifeCount++, ref, L1, L2, baseline);
      allLives.push(life);
    }
    let fig = findFigures(life, proj.id);
    if (fig === undefined) {
      fig = figuresOf(life, proj, stats);
      addFigures(life, proj.id, fig);
    }
    fig.count++;
    figures[i] = fig;
    eligibleOf[cat.index]!.push(i);
    const v = vintage[cat.index];
    const day = refurb.norm;
    if (v === undefined) vintage[cat.index] = { start: day, end: day };
    else if (day < v.start) v.start = day;
    else if (day > v.end) v.end = day;
  }
  options.onProgress?.(n, n);
  stats.references = refCount;
  stats.projects = projCount;
  stats.lives = lifeCount;

  // ---- batches ----
  const figsOf: Figures[][] = CATEGORIES.map(() => []);
  const tiers = CATEGORIES.map((): Record<Tier, number> => ({ T1: 0, T2: 0, T3: 0 }));
  for (const life of allLives) {
    for (const fig of lifeFigures(life)) {
      const c = CATEGORIES.indexOf(fig.ref.category);
      figsOf[c]!.push(fig);
      tiers[c]![fig.ref.tier] += fig.count;
    }
  }
  const sums = figsOf.map(sumFigures);
  // The figures reference their RefInfo: drop its memo tables so the lives, project items and exact terms can go.
  for (const ref of allRefs) {
    ref.exceeds.length = 0;
    ref.baselines.length = 0;
    ref.lives.length = 0;
  }
  allLives.length = 0;
  stats.figures = figsOf.reduce((k, list) => k + list.length, 0);
  const excluded: Partial<Record<ExclusionReason, number>> = {};
  const inCategory = CATEGORIES.map(() => 0);
  const excludedByCategory = CATEGORIES.map((): Partial<Record<ExclusionReason, number>> => ({}));
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
    names,
    categories,
    madeTexts,
    refurbishedTexts,
    monthsTexts,
    partsTexts,
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
    stats,
  };
}

const isBlank = (text: string): boolean => text.length === 0 || text.trim().length === 0;
/**
 * Marks every device whose normalised serial occurs more than once (rows without a serial or with reader problems
 * do not count). Exact: 32-bit string hashes are sorted with the row index, and rows with equal hashes are compared
 * as strings — cheaper in time and memory than a map of a million serials.
 */
function duplicateSerials(devices: readonly DeviceInput[], serials: readonly string[]): Uint8Array {
  const n = serials.length;
  const dup = new Uint8Array(n);
  // key = (top hash bits) · 2^indexBits + index, kept below 2^53.
  const indexBits = Math.max(1, Math.ceil(Math.log2(n + 1)));
  const span = 2 ** indexBits;
  const hashShift = Math.max(0, 32 - (53 - indexBits));
  const keys = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const s = serials[i]!;
    const problems = devices[i]!.readerProblems;
    if (s === "" || (problems !== undefined && problems.length > 0)) continue;
    let h = 0x811c9dc5; // FNV-1a over UTF-16 code units
    for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
    keys[m++] = ((h >>> 0) >>> hashShift) * span + i;
  }
  const sorted = keys.subarray(0, m).sort();
  for (let a = 0; a < m;) {
    const hash = Math.floor(sorted[a]! / span);
    let b = a + 1;
    while (b < m && Math.floor(sorted[b]! / span) === hash) b++;
    if (b - a > 1) {
      // Equal hashes: compare the serials themselves (a map when the run is long, so no input can make it quadratic).
      const first = new Map<string, number>();
      for (let x = a; x < b; x++) {
        const i = sorted[x]! % span;
        const j = first.get(serials[i]!);
        if (j === undefined) first.set(serials[i]!, i);
        else dup[i] = dup[j] = 1;
      }
    }
    a = b;
  }
  return dup;
}

/** Normalised manufacturer and model of a raw spelling, and the references of that pair per category. */
export interface NameInfo {
  readonly manufacturer: Text;
  readonly model: Text;
  readonly refs: (RefInfo | undefined)[];
}

function findFigures(life: LifeInfo, projId: number): Figures | undefined {
  if (life.figMap !== undefined) return life.figMap.get(projId);
  const list = life.figs;
  for (let k = 0; k < list.length; k += 2) if (list[k] === projId) return list[k + 1] as Figures;
  return undefined;
}

function addFigures(life: LifeInfo, projId: number, fig: Figures): void {
  if (life.figMap !== undefined) life.figMap.set(projId, fig);
  else if (life.figs.length < 16) life.figs.push(projId, fig);
  else {
    life.figMap = new Map();
    for (let k = 0; k < life.figs.length; k += 2) life.figMap.set(life.figs[k] as number, life.figs[k + 1] as Figures);
    life.figMap.set(projId, fig);
  }
}

function lifeFigures(life: LifeInfo): Iterable<Figures> {
  if (life.figMap !== undefined) return life.figMap.values();
  return life.figs.filter((_, k) => k % 2 === 1) as Figures[];
}

/** Parsed parts with the two facts the loop asks of them. */
interface PartList {
  readonly list: readonly Part[];
  /** A display: the items depend on M. */
  readonly usesM: boolean;
  readonly mainboard: boolean;
}

function parsePartList(text: string): { ok: true; value: PartList } | { ok: false; expected: string } {
  const r = parseParts(text);
  if (!r.ok) return r;
  const list = r.value;
  return {
    ok: true,
    value: { list, usesM: list.some((p) => p.kind === "display"), mainboard: list.some((p) => p.kind === "mainboard") },
  };
}
const parseMass = (text: string): ReturnType<typeof parsePositiveQuantity> =>
  parsePositiveQuantity(text, "a shipping mass in kg");

function parseCached<T>(
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

function addProblem(
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

/** Reference values of (category, manufacturer, model): T1/T2 from the table, else T3. */
function refInfo(
  id: number,
  category: Category,
  manufacturer: string,
  model: string,
  reference: ReferenceTable,
): RefInfo {
  const match = reference.match(manufacturer, model);
  const tier: Tier = match?.tier ?? "T3";
  const M = match?.M ?? reference.t3(category).M;
  const Lref = match?.lifetimeMonths ?? PARAMS.categories[category].defaultLifetimeMonths;
  const d = dec(PARAMS.deduction[tier]);
  const terms = refTerms(M, d);
  const half = M.div(new Dec(2));
  return {
    id,
    category,
    tier,
    M,
    d,
    Lref,
    terms,
    Mtext: newText(plain(M)),
    MS: toScaled(M),
    MdS: toScaled(terms.Md),
    dMS: toScaled(terms.dM),
    Mg: gramsImage(M),
    Mdg: gramsImage(terms.Md),
    dMg: gramsImage(terms.dM),
    half,
    exceeds: [],
    baselines: [],
    lives: [],
  };
}

function projInfo(id: number, ref: RefInfo, parts: readonly Part[], mass: string, legs: readonly Leg[]): ProjInfo {
  const items = projectItems(ref.category, ref.M, parts, mass, legs);
  return {
    id,
    items,
    PS: toScaled(items.P),
    UPS: toScaled(items.UP),
    Pg: gramsImage(items.P),
    UPg: gramsImage(items.UP),
    cutR: safeGrams(decToGrams(ceil3(items.P))),
    cutR_up: safeGrams(decToGrams(ceil3(items.P.plus(items.UP)))),
  };
}

/** A Decimal kilogram value as a double number of grams (one correctly rounded conversion of exact text). */
function gramsImage(kg: Dec): number {
  return Number(kg.times(new Dec(1000)).toFixed());
}

function baselineInfo(ref: RefInfo, L2: number): BaselineInfo {
  const b = baselineStage(ref.terms, { f: shareF(ref.Lref, L2) });
  return { B: safeGrams(decToGrams(b.B)), dMfS: toScaled(b.dMf), dmf: gramsImage(b.dMf) };
}

function lifeInfo(id: number, ref: RefInfo, L1: number, L2: number, baseline: BaselineInfo): LifeInfo {
  // Double images: f and α from small integers, times the reference images (see ceilGramsFast for the error budget).
  const f = Math.min(L2, ref.Lref) / ref.Lref;
  const alpha = L2 / (L1 + L2);
  return {
    id,
    ref,
    L1,
    L2,
    baseline,
    figs: [],
    malpha: ref.Mg * alpha,
    mdalpha: ref.Mdg * alpha,
    dmgap: ref.dMg * Math.abs(f - alpha),
  };
}

/** The exact scaled terms of a life entry, computed with Decimal on first need. */
function exactLife(life: LifeInfo): ExactLife | null {
  if (life.exact === undefined) {
    const { ref, L1, L2 } = life;
    let MalphaS: bigint | undefined;
    let MdAlphaS: bigint | undefined;
    let dMgapS: bigint | undefined;
    const fNum = Math.min(L2, ref.Lref);
    // Terminating f and α: the Decimal quotients are exact, and so are the products (few digits): integer arithmetic.
    if (ref.MS !== undefined && ref.MdS !== undefined && ref.dMS !== undefined && terminates(L2, L1 + L2)) {
      MalphaS = scaledRatio(ref.MS, L2, L1 + L2);
      MdAlphaS = scaledRatio(ref.MdS, L2, L1 + L2);
      if (terminates(fNum, ref.Lref)) {
        // |f − α| = |fNum·(L1+L2) − L2·Lref| / (Lref·(L1+L2)), exact as both quotients are.
        dMgapS = scaledRatio(ref.dMS, Math.abs(fNum * (L1 + L2) - L2 * ref.Lref), ref.Lref * (L1 + L2));
      }
    }
    if (MalphaS === undefined || MdAlphaS === undefined || dMgapS === undefined) {
      const a = allocationStage(ref.terms, shares(ref.Lref, L1, L2));
      MalphaS = toScaled(a.Malpha);
      MdAlphaS = toScaled(a.MdAlpha);
      dMgapS = toScaled(a.dMgap);
    }
    life.exact =
      MalphaS === undefined || MdAlphaS === undefined || dMgapS === undefined ? null : { MalphaS, MdAlphaS, dMgapS };
  }
  return life.exact;
}

/**
 * The figures of one (reference, months, project items) combination: the exact fixed-point shortcut where it is
 * provably equal to the Decimal evaluation (see exact.ts), else the Decimal evaluation itself.
 */
function figuresOf(life: LifeInfo, proj: ProjInfo, stats: MemoStats): Figures {
  const { ref, L1, L2, baseline } = life;
  // 1. Doubles with a proven error bound (exact.ts): decides nearly every figure.
  const { Pg, UPg } = proj;
  const scale = 2 * ref.Mdg + Math.abs(Pg) + Math.abs(UPg); // ≥ Σ|terms| + M·(1+d): the budget of ceilGramsFast
  let R = ceilGramsFast(life.malpha + Pg, scale);
  let R_up = ceilGramsFast(life.mdalpha + Pg + UPg, scale);
  let U = ceilGramsFast(life.dmgap + UPg, scale);
  let cutU = ceilGramsFast(baseline.dmf + UPg, scale);
  // 2. Exact fixed point for what the doubles could not decide (a sum on or next to a 3-dp boundary).
  if (R === undefined || R_up === undefined || U === undefined || cutU === undefined) {
    stats.exact++;
    const { PS, UPS } = proj;
    // cutU needs only the baseline term; the others the allocation terms (computed once per life, on demand).
    if (cutU === undefined && UPS !== undefined && baseline.dMfS !== undefined) {
      cutU = big(ceil3Grams(baseline.dMfS + UPS));
    }
    if (R === undefined || R_up === undefined || U === undefined) {
      const exact = exactLife(life);
      if (exact !== null && PS !== undefined && UPS !== undefined) {
        // One addition each, except R_up: (M·(1+d)·α + P) + UP, whose partial sum must not have rounded either.
        R ??= big(ceil3Grams(exact.MalphaS + PS));
        const partial = exact.MdAlphaS + PS;
        R_up ??= big(ceil3Grams(partial + UPS, partial));
        U ??= big(ceil3Grams(exact.dMgapS + UPS));
      }
    }
  }
  if (R !== undefined && R_up !== undefined && U !== undefined && cutU !== undefined) {
    return {
      ref,
      L1,
      L2,
      B: baseline.B,
      R,
      R_up,
      U,
      cutR: proj.cutR,
      cutR_up: proj.cutR_up,
      cutU,
      count: 0,
    };
  }
  // 3. The Decimal evaluation itself.
  stats.fallbacks++;
  return decimalFigures(ref, L1, L2, lifeStage(ref.terms, shares(ref.Lref, L1, L2)), proj.items);
}

const big = (grams: bigint | undefined): number | undefined => (grams === undefined ? undefined : safeGrams(grams));

/** The Decimal evaluation of one device's figures (the definition; the shortcut above must agree with it). */
export function decimalFigures(ref: RefInfo, L1: number, L2: number, life: LifeStage, items: ProjectItems): Figures {
  const f = deviceFigures(life, items);
  return {
    ref,
    L1,
    L2,
    B: safeGrams(decToGrams(f.B)),
    R: safeGrams(decToGrams(f.R)),
    R_up: safeGrams(decToGrams(f.R_up)),
    U: safeGrams(decToGrams(f.U)),
    cutR: safeGrams(decToGrams(f.cutR)),
    cutR_up: safeGrams(decToGrams(f.cutR_up)),
    cutU: safeGrams(decToGrams(f.cutU)),
    count: 0,
  };
}

/**
 * A per-device gram figure as a JS number. Exact: the input grammar bounds every quantity (≤ 6 integer digits, ≤ 32
 * parts, ≤ 16 legs) so eligible devices stay far below 2^53 g (9·10^12 kg); anything else is refused loudly.
 */
function safeGrams(grams: bigint): number {
  const n = Number(grams);
  if (!Number.isSafeInteger(n)) {
    throw new CalcInputError("LOT_TOO_LARGE", `a device figure of ${gramsToKg(grams)} kg exceeds the exact range`);
  }
  return n;
}

/** Batch sums Σ count × figure, exact: numbers while they stay safe integers, bigints otherwise. */
function sumFigures(figs: readonly Figures[]): GramSums {
  // One pass with numbers; every partial sum is checked, and any step outside the safe range redoes it in bigint.
  let B = 0;
  let R = 0;
  let R_up = 0;
  let U = 0;
  let cutR = 0;
  let cutR_up = 0;
  let cutU = 0;
  let safe = true;
  for (const f of figs) {
    const k = f.count;
    B += f.B * k;
    R += f.R * k;
    R_up += f.R_up * k;
    U += f.U * k;
    cutR += f.cutR * k;
    cutR_up += f.cutR_up * k;
    cutU += f.cutU * k;
    if (Math.abs(B) + Math.abs(R_up) + Math.abs(U) + Math.abs(cutR_up) + Math.abs(cutU) > SAFE_SUM) {
      safe = false;
      break;
    }
  }
  if (safe) {
    return {
      B: BigInt(B),
      R: BigInt(R),
      R_up: BigInt(R_up),
      U: BigInt(U),
      cutR: BigInt(cutR),
      cutR_up: BigInt(cutR_up),
      cutU: BigInt(cutU),
    };
  }
  const sums = emptySums();
  for (const f of figs) {
    const k = BigInt(f.count);
    sums.B += BigInt(f.B) * k;
    sums.R += BigInt(f.R) * k;
    sums.R_up += BigInt(f.R_up) * k;
    sums.U += BigInt(f.U) * k;
    sums.cutR += BigInt(f.cutR) * k;
    sums.cutR_up += BigInt(f.cutR_up) * k;
    sums.cutU += BigInt(f.cutU) * k;
  }
  return sums;
}

/**
 * Below this, every product f·count (each figure ≤ its sum) and every partial sum is an exact integer in a double:
 * 2^53 / 4 leaves room for the largest product added to the running total. R ≤ R_up and cutR ≤ cutR_up.
 */
const SAFE_SUM = 2 ** 51;
