/**
 * Scope 3 certificate-adjusted intensity (pure: no I/O, no clock). A corporate's IT procurement inventory for a
 * reporting year, and the I-TECs retired for it, give inventory-based and certificate-adjusted emissions and
 * intensity per device category. The matching rules (docs/adr/0030-scope3-matching.md):
 *  1. Like-for-like: a retirement reduces only the inventory category of its batch — and, when the inventory rows
 *     of the year give a Scope 3 category, only rows of the Scope 3 category the retirement was made for.
 *  2. At most one certificate per procured device of that category in the year; retirements are applied in
 *     retirement-id order, the excess is reported as unapplied.
 *  3. A retirement belongs to exactly one reporting year — the year its claimed period ends — so a certificate
 *     never reduces two years; one whose period does not overlap the year does not count there.
 *  4. The reduction applied per certificate is its batch's verified reduction V̄.
 *  5. Emissions never go negative: a category's adjusted emissions are floored at zero (and flagged).
 * Each inventory row's footprint source is reported (supplier PCF, registry reference and tier, category default),
 * with a note whenever a category default stood in for a missing or unmatched model.
 */
import { Dec, type ReferenceTable } from "../calc/index.ts";
import { Scope3InputError, type InventoryLine } from "./inventory.ts";
import type { ReadAt, RetirementForReport, Scope3Report } from "./scope3-types.ts";
import { yearReport } from "./scope3-year.ts";

export const SCOPE3_RULES = [
  "Like-for-like: a retired I-TEC reduces only its own device category.",
  "Scope 3 category: when the inventory gives scope3_category for a year, a retired I-TEC reduces only rows of the Scope 3 category it was retired for (1 purchased goods, 2 capital goods), with subtotals per Scope 3 category; without it, matching is by device category alone.",
  "At most one certificate per procured device of that category in the reporting year (applied in retirement order).",
  "A retirement belongs to the year its claimed period ends; periods that do not overlap the year do not count.",
  "The reduction applied per certificate is its batch's verified reduction V̄ (kgCO2e per device).",
  "Certificate-adjusted emissions are never negative (floored at zero per category).",
  "Inventory footprint per device: the supplier PCF when given, else the registry reference for manufacturer/model (T1/T2), else the category default (T3) — shown per inventory row, with a note when a default was used.",
  "I-TECs represent lower-intensity procurement; they are not offsets.",
];

/** Builds the report for `reportingYear`, and for every earlier year present in the inventory (year on year). */
export function scope3Report(input: {
  account: string;
  /** The account's organisation name on the register, when it has one. */
  accountName?: string | null | undefined;
  reportingYear: number;
  inventory: readonly InventoryLine[];
  retirements: readonly RetirementForReport[];
  reference: ReferenceTable;
  readAt?: ReadAt | undefined;
}): Scope3Report {
  const years = [...new Set(input.inventory.map((l) => l.year))]
    .filter((y) => y <= input.reportingYear)
    .sort((a, b) => a - b);
  if (!years.includes(input.reportingYear)) {
    throw new Scope3InputError(`the inventory has no rows for ${input.reportingYear}`);
  }
  const labelled = input.inventory.map((l, i) => ({ ...l, source: l.source ?? `row ${i + 1}` }));
  const reports = years.map((y) =>
    yearReport(
      input.account,
      y,
      labelled.filter((l) => l.year === y),
      input.retirements,
      input.reference,
    ),
  );
  const current = reports.at(-1)!;
  const yearOnYear = reports.map((r, i) => {
    const prev = reports[i - 1];
    const now = new Dec(r.totals.adjustedIntensityKgPerDevice);
    const before = prev ? new Dec(prev.totals.adjustedIntensityKgPerDevice) : undefined;
    return {
      year: r.year,
      inventoryIntensityKgPerDevice: r.totals.inventoryIntensityKgPerDevice,
      adjustedIntensityKgPerDevice: r.totals.adjustedIntensityKgPerDevice,
      adjustedChangePct: before && !before.isZero() ? now.minus(before).div(before).times(100).toFixed(1) : null,
    };
  });
  return {
    account: input.account,
    accountName: input.accountName ?? null,
    reportingYear: input.reportingYear,
    unit: "kgCO2e; intensity in kgCO2e per procured device; 1 I-TEC = one verified refurbished device",
    rules: SCOPE3_RULES,
    notes: reports.flatMap((r) => r.notes),
    years: reports,
    current,
    yearOnYear,
  };
}
