/**
 * A deliberately naive evaluation of ITEC-CALC 1.0, device by device, straight from METHODOLOGY.md §4–§6 with the
 * method's Decimal and no memo, no shortcut, no cache. Tests compare `calculateLot` against it: any difference means
 * the fast path changed a figure.
 */
import {
  CATEGORIES,
  Dec,
  EXCLUSION_REASONS,
  PARAMS,
  ceil3,
  compareDays,
  deviceFigures,
  floor3,
  lifeStage,
  normaliseCategory,
  normaliseName,
  normaliseSerial,
  parseDay,
  parseManufactureDate,
  parseMonths,
  parseParts,
  parseTransport,
  projectItems,
  wholeMonths,
  type Category,
  type DeviceInput,
  type ExclusionReason,
  type ReferenceTable,
} from "../../../oracle/src/methodology/index.ts";
import { refTerms, shares } from "../../../oracle/src/methodology/device.ts";

export interface NaiveDevice {
  excluded?: ExclusionReason;
  tier?: string;
  M?: string;
  B?: string;
  R?: string;
  R_up?: string;
  U?: string;
  V?: string;
}

const positive = /^\d{1,6}(?:\.\d{1,6})?$/;

/** The figures or exclusion of every device, evaluated independently. `certified` = serials already certified. */
export function naiveLot(
  devices: readonly DeviceInput[],
  asOf: string,
  defaultTransport: string | undefined,
  reference: ReferenceTable,
): NaiveDevice[] {
  const asOfDay = parseDay(asOf)!;
  const count = new Map<string, number>();
  for (const d of devices) {
    if (d.readerProblems?.length) continue;
    const s = normaliseSerial(d.serial);
    if (s !== "") count.set(s, (count.get(s) ?? 0) + 1);
  }
  return devices.map((d): NaiveDevice => {
    const ex = (excluded: ExclusionReason): NaiveDevice => ({ excluded });
    if (d.readerProblems?.length) return ex("BAD_INPUT");
    const serial = normaliseSerial(d.serial);
    if (serial === "") return ex("SERIAL_MISSING");
    if ((count.get(serial) ?? 0) > 1) return ex("SERIAL_DUPLICATE");
    if (d.test_report_id.trim() === "") return ex("NO_TEST_REPORT");
    if (d.erasure_certificate_id.trim() === "") return ex("NO_ERASURE_CERTIFICATE");
    const category = normaliseCategory(d.category);
    if (!(CATEGORIES as readonly string[]).includes(category)) return ex("CATEGORY_UNKNOWN");
    const cat = category as Category;
    const params = PARAMS.categories[cat];
    const manufacturer = normaliseName(d.manufacturer);
    const model = normaliseName(d.model);
    const made = parseManufactureDate(d.manufacture_date.trim());
    const refurbished = parseDay(d.refurbished_date.trim());
    const months = parseMonths(d.second_life_months.trim());
    const parts = parseParts(d.parts ?? "");
    const massText = (d.ship_mass_kg ?? "").trim() === "" ? params.defaultShipMassKg : (d.ship_mass_kg ?? "").trim();
    const massOk = positive.test(massText) && /[1-9]/.test(massText);
    const transportText = (d.transport ?? "").trim() === "" ? (defaultTransport ?? "") : (d.transport ?? "");
    const legs = parseTransport(transportText);
    if (
      manufacturer === "" ||
      model === "" ||
      made === undefined ||
      refurbished === undefined ||
      compareDays(refurbished, asOfDay) > 0 ||
      compareDays(refurbished, made) < 0 ||
      !months.ok ||
      !parts.ok ||
      !massOk ||
      !legs.ok
    ) {
      return ex("BAD_INPUT");
    }
    const L1 = wholeMonths(made, refurbished);
    if (L1 > params.maxAgeMonths) return ex("TOO_OLD");
    const L2 = Math.min(months.value, params.secondLifeCapMonths);
    if (L2 < PARAMS.minSecondLifeMonths) return ex("SECOND_LIFE_TOO_SHORT");
    if (parts.value.some((p) => p.kind === "mainboard")) return ex("MAINBOARD_REPLACED");
    const match = reference.match(manufacturer, model);
    const tier = match?.tier ?? "T3";
    const M = match?.M ?? reference.t3(cat).M;
    const Lref = match?.lifetimeMonths ?? params.defaultLifetimeMonths;
    const items = projectItems(cat, M, parts.value, massText, legs.value);
    if (items.parts.gte(M.div(new Dec(2)))) return ex("PARTS_EXCEED_HALF");
    const d2 = new Dec(PARAMS.deduction[tier]);
    const f = deviceFigures(lifeStage(refTerms(M, d2), shares(Lref, L1, L2)), items);
    const V = f.B.minus(f.R).minus(f.U);
    return {
      tier,
      M: M.toFixed(),
      B: f.B.toFixed(3),
      R: f.R.toFixed(3),
      R_up: f.R_up.toFixed(3),
      U: f.U.toFixed(3),
      V: V.toFixed(3),
    };
  });
}

/** Exported so the reason list stays in one place for tests. */
export const REASONS = EXCLUSION_REASONS;
export { ceil3, floor3 };
