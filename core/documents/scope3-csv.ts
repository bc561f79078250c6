/** The Scope 3 report as one tidy CSV (one row per record, a `record_type` column). */
import type { Scope3Report } from "./scope3-types.ts";

const CSV_COLUMNS = [
  "record_type",
  "year",
  "category",
  "devices",
  "inventory_emissions_kgco2e",
  "inventory_intensity_kgco2e_per_device",
  "certificates_applied",
  "reduction_kgco2e",
  "adjusted_emissions_kgco2e",
  "adjusted_intensity_kgco2e_per_device",
  "retirement_id",
  "batch_id",
  "reduction_kgco2e_per_certificate",
  "reason",
  "scope3_category",
  "inventory_row",
  "manufacturer",
  "model",
  "footprint_kgco2e_per_device",
  "footprint_source",
  "reference_tier",
] as const;

/**
 * One tidy CSV for CDP / ESG data teams. Per year: a row per inventory row (its footprint and where it came from),
 * per category, per Scope 3 category (when the inventory gives them), the total, per applied and per unapplied
 * retirement, and per note (a category default used for a missing or unmatched model).
 */
export function scope3Csv(r: Scope3Report): string {
  const rows: Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null>>[] = [];
  for (const y of r.years) {
    for (const i of y.inventory) {
      rows.push({
        record_type: "inventory_row",
        year: y.year,
        category: i.category,
        devices: i.devices,
        inventory_emissions_kgco2e: i.emissionsKg,
        reason: i.detail,
        scope3_category: i.scope3Category,
        inventory_row: i.row,
        manufacturer: i.manufacturer,
        model: i.model,
        footprint_kgco2e_per_device: i.footprintKgPerDevice,
        footprint_source: i.footprintSource,
        reference_tier: i.referenceTier,
      });
    }
    for (const c of y.categories) {
      rows.push({
        record_type: "category",
        year: y.year,
        category: c.category,
        devices: c.devices,
        inventory_emissions_kgco2e: c.inventoryEmissionsKg,
        inventory_intensity_kgco2e_per_device: c.inventoryIntensityKgPerDevice,
        certificates_applied: c.certificatesApplied,
        reduction_kgco2e: c.reductionKg,
        adjusted_emissions_kgco2e: c.adjustedEmissionsKg,
        adjusted_intensity_kgco2e_per_device: c.adjustedIntensityKgPerDevice,
        reason: c.flooredAtZero ? "floored at zero" : "",
        scope3_category: c.scope3Category,
      });
    }
    const figures = (record_type: string, t: (typeof y)["totals"], scope3: number | null) => ({
      record_type,
      year: y.year,
      category: "all",
      devices: t.devices,
      inventory_emissions_kgco2e: t.inventoryEmissionsKg,
      inventory_intensity_kgco2e_per_device: t.inventoryIntensityKgPerDevice,
      certificates_applied: t.certificatesApplied,
      reduction_kgco2e: t.reductionKg,
      adjusted_emissions_kgco2e: t.adjustedEmissionsKg,
      adjusted_intensity_kgco2e_per_device: t.adjustedIntensityKgPerDevice,
      scope3_category: scope3,
    });
    for (const s of y.scope3Subtotals) rows.push(figures("scope3_subtotal", s, s.scope3Category));
    rows.push(figures("total", y.totals, null));
    for (const a of y.applied) {
      rows.push({
        record_type: "certificate_applied",
        year: y.year,
        category: a.category,
        certificates_applied: a.certificates,
        reduction_kgco2e: a.reductionKg,
        retirement_id: a.retirementId,
        batch_id: a.batchId,
        reduction_kgco2e_per_certificate: a.reductionKgPerCertificate,
        scope3_category: a.scope3Category,
      });
    }
    for (const u of y.unapplied) {
      rows.push({
        record_type: "retirement_unapplied",
        year: y.year,
        category: u.category,
        certificates_applied: 0,
        retirement_id: u.retirementId,
        batch_id: u.batchId,
        reason: `${u.reason}: ${u.detail} (${u.certificates} certificates)`,
        scope3_category: u.scope3Category,
      });
    }
    for (const n of y.notes) rows.push({ record_type: "note", year: y.year, reason: n });
  }
  const cell = (v: string | number | null | undefined) => {
    const s = v === undefined || v === null ? "" : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return (
    [CSV_COLUMNS.join(","), ...rows.map((row) => CSV_COLUMNS.map((c) => cell(row[c])).join(","))].join("\n") + "\n"
  );
}
