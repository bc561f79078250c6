/**
 * Scope 3 certificate-adjusted intensity (pure: no I/O, no clock). A corporate's IT procurement inventory for a
 * reporting year, and the I-TECs retired for it, give inventory-based and certificate-adjusted emissions and
 * intensity per device category. The matching rules (docs/adr/0030-scope3-matching.md):
 *  1. Like-for-like: a retirement reduces only the inventory category of its batch — and, when the inventory rows
 *     of the year give a Scope 3 category, only rows of the Scope 3 category the retirement was made for; when they
 *     do not, a row holds claims of one Scope 3 category only. Every claim applied meets the claim-quality criteria
 *     (core/claims/quality.ts, docs/claim-quality.md).
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
import { QUALITY_CRITERIA, vintageWindow } from "../claims/quality.ts";
import { Scope3InputError, type InventoryLine } from "./inventory.ts";
import { scope3Disclosures } from "./scope3-disclosures.ts";
import type { ReadAt, RetirementForReport, Scope3Report, YearReport } from "./scope3-types.ts";
import { yearReport } from "./scope3-year.ts";

export const SCOPE3_RULES = [
  "Like-for-like: a retired I-TEC reduces only its own device category.",
  "Scope 3 category: when the inventory gives scope3_category for a year, a retired I-TEC reduces only rows of the Scope 3 category it was retired for (1 purchased goods, 2 capital goods), with subtotals per Scope 3 category; without it, matching is by device category, and a device category's row holds claims of one Scope 3 category only (that of its first qualifying claim).",
  "At most one certificate per procured device of that category in the reporting year (applied in retirement order).",
  "A retirement belongs to the year its claimed period ends; periods that do not overlap the year do not count.",
  "The reduction applied per certificate is its batch's verified reduction V̄ (kgCO2e per device).",
  "Certificate-adjusted emissions are never negative (floored at zero per category).",
  "Inventory footprint per device: the supplier PCF when given, else the registry reference for manufacturer/model (T1/T2), else the category default (T3) — shown per inventory row, with a note when a default was used.",
  "Claim quality: a retirement is applied only when it meets every criterion CQ1–CQ6 (docs/claim-quality.md): exclusive claim, not reversed, traceable to a verified batch, vintage within the window, like-for-like device category and Scope 3 category; without scope3_category in the inventory, a device category's row takes the Scope 3 category of its first qualifying claim, so a Category 1 and a Category 2 claim never reduce one row.",
  "I-TECs represent lower-intensity procurement; they are not offsets.",
];

/** Printed by every rendering of the report. */
export const NOT_OFFSETS_STATEMENT =
  "I-TECs are not offsets. An I-TEC certifies that one procured device is a verified refurbished device with a lower " +
  "manufacturing footprint; the certificate-adjusted figures restate this organisation's own Scope 3 procurement " +
  "emissions for the certificates it retired, beside the inventory-based figures, and compensate no other emissions.";

const METHOD = [
  "Inventory-based emissions = Σ devices × footprint per device: the supplier's PCF when given, else the registry reference for the manufacturer and model (T1/T2), else the category default (T3).",
  "Certificate-adjusted emissions = inventory-based emissions − Σ applied I-TECs × their batch's verified reduction V̄, per device category (and Scope 3 category), never below zero.",
  "Intensity = emissions ÷ procured devices (kgCO2e per device). Figures are exact decimals rounded half-even to grams; tonnes are the gram figures ÷ 1000.",
  "Retirements are read from the chain and each is verified there; batches' V̄ was computed by the methodology named on the chain and signed by accredited auditors.",
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
  /** Where and when the retirements were read (chain id, registry, block, index block, time). */
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
  const yearOnYear = reports.map((r, i) => change(r, reports[i - 1]));
  const methodologies = new Set<string>();
  const applied = new Set(reports.flatMap((y) => y.applied.map((a) => a.retirementId)));
  for (const r of input.retirements) {
    if (applied.has(r.retirementId) && r.methodology)
      methodologies.add(r.parameters ? `${r.methodology} / ${r.parameters}` : r.methodology);
  }
  const report: Omit<Scope3Report, "disclosures"> = {
    account: input.account,
    accountName: input.accountName ?? null,
    reportingYear: input.reportingYear,
    readAt: input.readAt ?? null,
    unit: "emissions in tCO2e (and kgCO2e); intensity in kgCO2e per procured device; 1 I-TEC = one verified refurbished device",
    statement: NOT_OFFSETS_STATEMENT,
    sources: {
      method: METHOD,
      reference: { source: input.reference.source, sha256: input.reference.sha256, license: input.reference.license },
      methodologies: [...methodologies].sort(),
      inventoryRows: labelled.filter((l) => years.includes(l.year)).length,
      qualityCriteria: [...QUALITY_CRITERIA],
      vintageWindow: vintageWindow(input.reportingYear),
    },
    rules: SCOPE3_RULES,
    notes: reports.flatMap((r) => r.notes),
    years: reports,
    current,
    yearOnYear,
  };
  return { ...report, disclosures: scope3Disclosures(report) };
}

/** One year's line of the year-on-year table: its totals, and the change of adjusted intensity, signed and named. */
function change(r: YearReport, prev: YearReport | undefined): Scope3Report["yearOnYear"][number] {
  const now = new Dec(r.totals.adjustedIntensityKgPerDevice);
  const before = prev ? new Dec(prev.totals.adjustedIntensityKgPerDevice) : undefined;
  const pct = before && !before.isZero() ? now.minus(before).div(before).times(100) : null;
  const delta = before ? now.comparedTo(before) : null;
  const direction = delta === null ? null : delta > 0 ? "increase" : delta < 0 ? "decrease" : "unchanged";
  const sign = direction === "increase" ? "+" : direction === "decrease" ? "-" : "±";
  const text =
    direction === null
      ? null
      : pct === null
        ? `${direction} from 0.000 kgCO2e per device vs ${prev!.year}`
        : `${sign}${pct.abs().toFixed(1)} % (${direction}) vs ${prev!.year}`;
  return {
    year: r.year,
    inventoryIntensityKgPerDevice: r.totals.inventoryIntensityKgPerDevice,
    adjustedIntensityKgPerDevice: r.totals.adjustedIntensityKgPerDevice,
    adjustedChangePct: pct === null ? null : pct.toFixed(1),
    inventoryEmissionsTCO2e: r.totals.inventoryEmissionsTCO2e,
    adjustedEmissionsTCO2e: r.totals.adjustedEmissionsTCO2e,
    previousYear: prev?.year ?? null,
    adjustedChangeDirection: direction,
    adjustedChangeText: text,
  };
}
