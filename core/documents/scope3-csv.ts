/**
 * The Scope 3 report as CSV: one tidy table per section (docs/documents.md, "Scope 3 report as CSV"). Each table has
 * its own header row, its first column `section` names it on every row, and a blank line separates the tables — so
 * a table is read by splitting on blank lines, or by filtering rows on their first field.
 *
 * Spreadsheet formula injection (OWASP "CSV Injection"): a number column holds only plain decimals, written as
 * numbers (a negative change stays a usable number); every text cell that is not a plain safe word is written in
 * double quotes, and one starting with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'`, so no
 * spreadsheet evaluates it.
 */
import { tonnes } from "./scope3-footprint.ts";
import { disclosureTable } from "./scope3-disclosures.ts";
import type { ClaimParticulars, Scope3Report } from "./scope3-types.ts";

type Kind = "number" | "text";
type Cell = string | number | boolean | null | undefined;

interface Section {
  name: string;
  columns: readonly (readonly [string, Kind])[];
  rows: Record<string, Cell>[];
}

const NUMBER = /^-?\d+(\.\d+)?$/;
/** Text written bare: letters, digits and a few separators, never a leading formula character. */
const SAFE = /^[A-Za-z0-9_][A-Za-z0-9_.:/ -]*$/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: numbers as numbers, text neutralised against formula injection and quoted (RFC 4180). */
export function csvCell(value: Cell, kind: Kind): string {
  if (value === null || value === undefined || value === "") return "";
  const s = String(value);
  if (kind === "number" && NUMBER.test(s)) return s;
  if (SAFE.test(s)) return s;
  const text = FORMULA_START.test(s) ? `'${s}` : s;
  return `"${text.replace(/"/g, '""')}"`;
}

const n = "number" as const;
const t = "text" as const;

const CLAIM_COLUMNS = [
  ["beneficiary_name", t],
  ["beneficiary_account", t],
  ["attributed_to_account", t],
  ["attributed_to_name", t],
  ["attribution_rule", t],
  ["retired_by", t],
  ["claim_status", t],
  ["period_start", t],
  ["period_end", t],
  ["vintage_start", t],
  ["vintage_end", t],
  ["tx_hash", t],
  ["quality_met", t],
  ["delivery_references", t],
] as const;

function claimCells(c: ClaimParticulars): Record<string, Cell> {
  return {
    beneficiary_name: c.beneficiaryName,
    beneficiary_account: c.beneficiaryAccount,
    attributed_to_account: c.attribution.account,
    attributed_to_name: c.attribution.name,
    attribution_rule: c.attribution.rule,
    retired_by: c.retiredBy,
    claim_status: c.claimStatus,
    period_start: c.periodStart,
    period_end: c.periodEnd,
    vintage_start: c.vintageStart.slice(0, 10),
    vintage_end: c.vintageEnd.slice(0, 10),
    tx_hash: c.txHash,
    quality_met: c.quality === null ? "" : c.quality.met ? "yes" : "no",
    delivery_references: (c.deliveries ?? []).map((d) => d.reference).join("; "),
  };
}

/** The sections, in order (the shape docs/documents.md describes). */
export function scope3CsvSections(r: Scope3Report): Section[] {
  const report: Section = {
    name: "report",
    columns: [
      ["field", t],
      ["value", t],
    ],
    rows: [
      ["organisation_name", r.accountName],
      ["account", r.account],
      ["reporting_year", String(r.reportingYear)],
      ["generated_at", r.readAt?.generatedAt],
      ["chain_id", r.readAt ? String(r.readAt.chainId) : null],
      ["registry", r.readAt?.registry],
      ["block", r.readAt ? String(r.readAt.block) : null],
      ["indexed_to_block", r.readAt?.indexedToBlock?.toString()],
      ["unit", r.unit],
      ["statement", r.statement],
      ["reference_data", r.sources.reference.source],
      ["reference_data_sha256", r.sources.reference.sha256],
      ["reference_data_license", r.sources.reference.license],
      ["batch_methodology", r.sources.methodologies.join("; ")],
      ["vintage_window", `${r.sources.vintageWindow.from}/${r.sources.vintageWindow.to}`],
      ...r.sources.method.map((m, i) => [`method_${i + 1}`, m] as const),
      ...r.rules.map((m, i) => [`rule_${i + 1}`, m] as const),
    ].map(([field, value]) => ({ field, value })),
  };
  const figures: Section = {
    name: "emissions",
    columns: [
      ["year", n],
      ["row_type", t],
      ["scope3_category", n],
      ["category", t],
      ["devices", n],
      ["inventory_emissions_tco2e", n],
      ["reduction_tco2e", n],
      ["adjusted_emissions_tco2e", n],
      ["inventory_intensity_kgco2e_per_device", n],
      ["adjusted_intensity_kgco2e_per_device", n],
      ["certificates_applied", n],
      ["claims_scope3_category", n],
      ["floored_at_zero", t],
    ],
    rows: r.years.flatMap((y) => [
      ...y.categories.map((c) => ({
        year: y.year,
        row_type: "category",
        scope3_category: c.scope3Category,
        category: c.category,
        ...figureCells(c),
        claims_scope3_category: c.claimsScope3Category,
        floored_at_zero: c.flooredAtZero ? "yes" : "no",
      })),
      ...y.scope3Subtotals.map((s) => ({
        year: y.year,
        row_type: "scope3_subtotal",
        scope3_category: s.scope3Category,
        category: "all",
        ...figureCells(s),
      })),
      { year: y.year, row_type: "total", category: "all", ...figureCells(y.totals) },
    ]),
  };
  const inventory: Section = {
    name: "inventory_rows",
    columns: [
      ["year", n],
      ["inventory_row", t],
      ["scope3_category", n],
      ["category", t],
      ["devices", n],
      ["manufacturer", t],
      ["model", t],
      ["footprint_kgco2e_per_device", n],
      ["emissions_tco2e", n],
      ["footprint_source", t],
      ["reference_tier", t],
      ["detail", t],
    ],
    rows: r.years.flatMap((y) =>
      y.inventory.map((i) => ({
        year: y.year,
        inventory_row: i.row,
        scope3_category: i.scope3Category,
        category: i.category,
        devices: i.devices,
        manufacturer: i.manufacturer,
        model: i.model,
        footprint_kgco2e_per_device: i.footprintKgPerDevice,
        emissions_tco2e: tonnes(i.emissionsKg),
        footprint_source: i.footprintSource,
        reference_tier: i.referenceTier,
        detail: i.detail,
      })),
    ),
  };
  const applied: Section = {
    name: "applied_retirements",
    columns: [
      ["year", n],
      ["retirement_id", n],
      ["batch_id", n],
      ["category", t],
      ["scope3_category", n],
      ["certificates", n],
      ["reduction_kgco2e_per_certificate", n],
      ["reduction_tco2e", n],
      ...CLAIM_COLUMNS,
    ],
    rows: r.years.flatMap((y) =>
      y.applied.map((a) => ({
        year: y.year,
        retirement_id: a.retirementId,
        batch_id: a.batchId,
        category: a.category,
        scope3_category: a.scope3Category,
        certificates: a.certificates,
        reduction_kgco2e_per_certificate: a.reductionKgPerCertificate,
        reduction_tco2e: a.reductionTCO2e,
        ...claimCells(a),
      })),
    ),
  };
  const unapplied: Section = {
    name: "unapplied_retirements",
    columns: [
      ["year", n],
      ["retirement_id", n],
      ["batch_id", n],
      ["category", t],
      ["scope3_category", n],
      ["certificates", n],
      ["reason", t],
      ["failed_criterion", t],
      ["detail", t],
      ...CLAIM_COLUMNS,
    ],
    rows: r.years.flatMap((y) =>
      y.unapplied.map((u) => ({
        year: y.year,
        retirement_id: u.retirementId,
        batch_id: u.batchId,
        category: u.category,
        scope3_category: u.scope3Category,
        certificates: u.certificates,
        reason: u.reason,
        failed_criterion: u.failedCriterion,
        detail: u.detail,
        ...claimCells(u),
      })),
    ),
  };
  const quality: Section = {
    name: "claim_quality",
    columns: [
      ["year", n],
      ["retirement_id", n],
      ["applied", t],
      ["rule", t],
      ["criterion", t],
      ["met", t],
      ["detail", t],
    ],
    rows: r.years.flatMap((y) =>
      [...y.applied.map((a) => ["yes", a] as const), ...y.unapplied.map((u) => ["no", u] as const)]
        .filter(
          ([, x], i, all) => x.quality !== null && all.findIndex(([, o]) => o.retirementId === x.retirementId) === i,
        )
        .flatMap(([applied, x]) =>
          x.quality!.criteria.map((c) => ({
            year: y.year,
            retirement_id: x.retirementId,
            applied,
            rule: c.rule,
            criterion: c.id,
            met: c.met ? "yes" : "no",
            detail: c.detail,
          })),
        ),
    ),
  };
  const yoy: Section = {
    name: "year_on_year",
    columns: [
      ["year", n],
      ["previous_year", n],
      ["inventory_emissions_tco2e", n],
      ["adjusted_emissions_tco2e", n],
      ["inventory_intensity_kgco2e_per_device", n],
      ["adjusted_intensity_kgco2e_per_device", n],
      ["adjusted_change_pct", n],
      ["direction", t],
      ["change", t],
    ],
    rows: r.yearOnYear.map((d) => ({
      year: d.year,
      previous_year: d.previousYear,
      inventory_emissions_tco2e: d.inventoryEmissionsTCO2e,
      adjusted_emissions_tco2e: d.adjustedEmissionsTCO2e,
      inventory_intensity_kgco2e_per_device: d.inventoryIntensityKgPerDevice,
      adjusted_intensity_kgco2e_per_device: d.adjustedIntensityKgPerDevice,
      adjusted_change_pct: d.adjustedChangePct,
      direction: d.adjustedChangeDirection,
      change: d.adjustedChangeText,
    })),
  };
  const notes: Section = {
    name: "notes",
    columns: [
      ["year", n],
      ["note", t],
    ],
    rows: r.years.flatMap((y) => y.notes.map((note) => ({ year: y.year, note }))),
  };
  const disclosures: Section = {
    name: "disclosures",
    columns: [
      ["framework", t],
      ["line", t],
      ["field", t],
      ["reference", t],
      ["value", t],
      ["unit", t],
      ["source", t],
      ["computed", t],
    ],
    rows: disclosureTable(r.disclosures).map((d) => ({
      framework: d.framework,
      line: d.line,
      field: d.name,
      reference: d.ref,
      value: Array.isArray(d.value) ? d.value.join("; ") : d.value,
      unit: d.unit,
      source: d.source,
      computed: d.computed,
    })),
  };
  return [report, figures, inventory, applied, unapplied, quality, yoy, notes, disclosures];
}

function figureCells(f: Scope3Report["current"]["totals"]): Record<string, Cell> {
  return {
    devices: f.devices,
    inventory_emissions_tco2e: f.inventoryEmissionsTCO2e,
    reduction_tco2e: f.reductionTCO2e,
    adjusted_emissions_tco2e: f.adjustedEmissionsTCO2e,
    inventory_intensity_kgco2e_per_device: f.inventoryIntensityKgPerDevice,
    adjusted_intensity_kgco2e_per_device: f.adjustedIntensityKgPerDevice,
    certificates_applied: f.certificatesApplied,
  };
}

/** The CSV: every section as its own table (header row first), the tables separated by one blank line. */
export function scope3Csv(r: Scope3Report): string {
  return scope3CsvSections(r)
    .map((s) =>
      [
        ["section", ...s.columns.map(([c]) => c)].join(","),
        ...s.rows.map((row) => [s.name, ...s.columns.map(([c, kind]) => csvCell(row[c], kind))].join(",")),
      ].join("\n"),
    )
    .join("\n\n")
    .concat("\n");
}
