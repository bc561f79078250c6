/**
 * `computeLot`: eligibility (docs/methodology.md §6), per-device figures (§5), batches per category and issuance
 * (§7), device ids and Merkle roots (§8). Pure: the lot, the options (including the calculation date) and the reference
 * table are all inputs.
 *
 * Speed without approximation (docs/adr/0011): everything a device's figures depend on is a small set of discrete
 * inputs — the reference values (category, manufacturer, model), the months L1 and L2, and the project items (parts,
 * mass, transport). Each stage is computed once per distinct combination and memoised (memo.ts); a memo hit returns
 * the very Decimal results a fresh evaluation would, so the figures are identical to evaluating every device from
 * scratch (`test/calc/differential.test.ts` checks that). Per-device 3-dp results are held as integer grams, so sums
 * are exact integers.
 *
 * This file is the calculation's hot loop: one pass over the devices whose parse caches and memo lookups are locals
 * of `computeLot`. It stays whole on purpose (docs/adr/0011, "The hot loop stays whole"); what is not the loop lives
 * beside it — the input caches (lot-inputs.ts), the memo entries (memo.ts), the figure decision (figures.ts), the
 * duplicate serials (duplicates.ts) and the batches (lot-batches.ts).
 */
import { compareDays, formatDay, parseDay, parseManufactureDate, wholeMonths } from "./dates.ts";
import { duplicateSerials } from "./duplicates.ts";
import { CalcInputError } from "./errors.ts";
import { figuresOf } from "./figures.ts";
import { parseMonths, parseTransport, TRANSPORT_GRAMMAR, type Leg } from "./grammar.ts";
import { hexAt, keccak256PairInto } from "./keccak.ts";
import { lotBatches } from "./lot-batches.ts";
import {
  addProblem,
  isBlank,
  newText,
  parseCached,
  parseMass,
  parsePartList,
  type CategoryInfo,
  type DayInfo,
  type ParsedText,
  type PartList,
  type Text,
} from "./lot-inputs.ts";
import type { LotOptions, LotState, MemoStats, NameInfo } from "./lot-state.ts";
import {
  addFigures,
  baselineInfo,
  figuresByCategory,
  findFigures,
  lifeInfo,
  projInfo,
  refInfo,
  releaseMemo,
  type Figures,
  type LifeInfo,
  type ProjInfo,
  type RefInfo,
} from "./memo.ts";
import { MAX_LEAVES } from "./merkle.ts";
import { normaliseCategory, normaliseName, normaliseSerial } from "./normalise.ts";
import { CATEGORIES, PARAMS } from "./params.ts";
import type { ReferenceTable } from "./reference.ts";
import {
  EXCLUSION_REASONS,
  type DeviceInput,
  type ExclusionReason,
  type ExternalClaim,
  type InputProblem,
} from "./types.ts";

/** Per-device codes (`LotState.codes`): 0 eligible, else 1 + the index of the reason in EXCLUSION_REASONS. */
const codeOf = (reason: ExclusionReason): number => EXCLUSION_REASONS.indexOf(reason) + 1;
const SERIAL_MISSING = codeOf("SERIAL_MISSING");
const SERIAL_DUPLICATE = codeOf("SERIAL_DUPLICATE");
const CLAIMED_ELSEWHERE = codeOf("CLAIMED_ELSEWHERE");
const NO_TEST_REPORT = codeOf("NO_TEST_REPORT");
const NO_ERASURE_CERTIFICATE = codeOf("NO_ERASURE_CERTIFICATE");
const CATEGORY_UNKNOWN = codeOf("CATEGORY_UNKNOWN");
const BAD_INPUT = codeOf("BAD_INPUT");
const TOO_OLD = codeOf("TOO_OLD");
const SECOND_LIFE_TOO_SHORT = codeOf("SECOND_LIFE_TOO_SHORT");
const MAINBOARD_REPLACED = codeOf("MAINBOARD_REPLACED");
const PARTS_EXCEED_HALF = codeOf("PARTS_EXCEED_HALF");

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
  const elsewhere = options.claimedElsewhere;
  const checkElsewhere = elsewhere !== undefined && elsewhere.size > 0;

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
  const claims = new Map<number, ExternalClaim>();
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
    if (checkElsewhere) {
      const claim = elsewhere.get(hexAt(idBytes, i * 32));
      if (claim !== undefined) {
        codes[i] = CLAIMED_ELSEWHERE;
        claims.set(i, claim);
        continue;
      }
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
  const perCategory = figuresByCategory(allLives);
  releaseMemo(allRefs, allLives);
  stats.figures = perCategory.figures.reduce((k, list) => k + list.length, 0);
  const { batches, batchReports, excluded, eligible } = lotBatches({
    codes,
    catIndexOf,
    eligibleOf,
    idBytes,
    vintage,
    figures: perCategory.figures,
    tiers: perCategory.tiers,
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
    claims,
    batches,
    batchReports,
    excluded,
    eligible,
    stats,
  };
}
