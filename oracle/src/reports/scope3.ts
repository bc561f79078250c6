/**
 * Scope 3 certificate-adjusted intensity (pure: no I/O, no clock). A corporate's IT procurement inventory for a
 * reporting year, and the I-TECs retired for it, give inventory-based and certificate-adjusted emissions and
 * intensity per device category. The matching rules (docs/adr/0030-scope3-matching.md):
 *  1. Like-for-like: a retirement reduces only the inventory category of its batch.
 *  2. At most one certificate per procured device of that category in the year; retirements are applied in
 *     retirement-id order, the excess is reported as unapplied.
 *  3. A retirement belongs to exactly one reporting year — the year its claimed period ends — so a certificate
 *     never reduces two years; one whose period does not overlap the year does not count there.
 *  4. The reduction applied per certificate is its batch's verified reduction V̄.
 *  5. Emissions never go negative: a category's adjusted emissions are floored at zero (and flagged).
 */
import { Dec, normaliseName, type Category, type ReferenceTable } from "../methodology/index.ts";

export interface InventoryLine {
  year: number;
  category: Category;
  devices: number;
  /** Supplier PCF, kgCO2e per device (cradle-to-gate); absent → the registry's reference for manufacturer/model. */
  pcfKgPerDevice?: string | undefined;
  manufacturer?: string | undefined;
  model?: string | undefined;
}

/** A retirement as read from the chain. */
export interface RetirementForReport {
  retirementId: string;
  batchId: string;
  category: Category;
  amount: number;
  reductionKgPerDevice: string;
  periodStart: string;
  periodEnd: string;
  scope3Category: number;
  beneficiaryName: string | null;
  txHash: string | null;
  /** The chain's checks on the retirement failed (e.g. its batch is suspended): listed, never applied. */
  failedCheck?: string | undefined;
}

export type UnappliedReason =
  | "CHECK_FAILED"
  | "PERIOD_OUTSIDE_YEAR"
  | "ALLOCATED_TO_OTHER_YEAR"
  | "NO_MATCHING_CATEGORY"
  | "EXCEEDS_PROCURED_DEVICES";

export interface CategoryRow {
  category: Category;
  devices: number;
  /** Where each PCF came from: supplier figures, registry reference tiers. */
  pcfSources: string[];
  inventoryEmissionsKg: string;
  inventoryIntensityKgPerDevice: string;
  certificatesApplied: number;
  reductionKg: string;
  adjustedEmissionsKg: string;
  adjustedIntensityKgPerDevice: string;
  flooredAtZero: boolean;
}

export interface YearReport {
  year: number;
  categories: CategoryRow[];
  totals: Omit<CategoryRow, "category" | "pcfSources" | "flooredAtZero">;
  applied: {
    retirementId: string;
    batchId: string;
    category: Category;
    certificates: number;
    reductionKgPerCertificate: string;
    reductionKg: string;
  }[];
  unapplied: {
    retirementId: string;
    batchId: string;
    category: Category;
    certificates: number;
    reason: UnappliedReason;
    detail: string;
  }[];
}

export interface Scope3Report {
  account: string;
  reportingYear: number;
  unit: string;
  rules: string[];
  years: YearReport[];
  current: YearReport;
  yearOnYear: {
    year: number;
    inventoryIntensityKgPerDevice: string;
    adjustedIntensityKgPerDevice: string;
    adjustedChangePct: string | null;
  }[];
}

export class Scope3InputError extends Error {
  override readonly name = "Scope3InputError";
  readonly code = "BAD_INVENTORY";
}

const kg = (x: Dec) => x.toDecimalPlaces(3, Dec.ROUND_HALF_EVEN).toFixed(3);
const yearOf = (iso: string) => Number(iso.slice(0, 4));

export const SCOPE3_RULES = [
  "Like-for-like: a retired I-TEC reduces only its own device category.",
  "At most one certificate per procured device of that category in the reporting year (applied in retirement order).",
  "A retirement belongs to the year its claimed period ends; periods that do not overlap the year do not count.",
  "The reduction applied per certificate is its batch's verified reduction V̄ (kgCO2e per device).",
  "Certificate-adjusted emissions are never negative (floored at zero per category).",
  "I-TECs represent lower-intensity procurement; they are not offsets.",
];

/** Builds the report for `reportingYear`, and for every earlier year present in the inventory (year on year). */
export function scope3Report(input: {
  account: string;
  reportingYear: number;
  inventory: readonly InventoryLine[];
  retirements: readonly RetirementForReport[];
  reference: ReferenceTable;
}): Scope3Report {
  const years = [...new Set(input.inventory.map((l) => l.year))]
    .filter((y) => y <= input.reportingYear)
    .sort((a, b) => a - b);
  if (!years.includes(input.reportingYear)) {
    throw new Scope3InputError(`the inventory has no rows for ${input.reportingYear}`);
  }
  const reports = years.map((y) =>
    yearReport(
      y,
      input.inventory.filter((l) => l.year === y),
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
    reportingYear: input.reportingYear,
    unit: "kgCO2e; intensity in kgCO2e per procured device; 1 I-TEC = one verified refurbished device",
    rules: SCOPE3_RULES,
    years: reports,
    current,
    yearOnYear,
  };
}

function pcf(line: InventoryLine, reference: ReferenceTable): { value: Dec; source: string } {
  if (line.pcfKgPerDevice !== undefined && line.pcfKgPerDevice !== "") {
    const v = new Dec(line.pcfKgPerDevice);
    if (!v.isFinite() || v.isNeg())
      throw new Scope3InputError(`invalid PCF ${line.pcfKgPerDevice} for ${line.category}`);
    return { value: v, source: "supplier PCF" };
  }
  if (line.manufacturer && line.model) {
    const m = reference.match(normaliseName(line.manufacturer), normaliseName(line.model));
    if (m) return { value: m.M, source: `registry reference ${m.tier} (${line.manufacturer} ${line.model})` };
  }
  const t3 = reference.t3(line.category);
  return { value: t3.M, source: `registry reference T3 (${line.category} default)` };
}

function yearReport(
  year: number,
  lines: readonly InventoryLine[],
  retirements: readonly RetirementForReport[],
  reference: ReferenceTable,
): YearReport {
  const start = `${year}-01-01`;
  const end = `${year}-12-31`;
  const byCategory = new Map<Category, { devices: number; emissions: Dec; sources: Set<string> }>();
  for (const l of lines) {
    if (!Number.isInteger(l.devices) || l.devices < 0)
      throw new Scope3InputError(`invalid device count ${l.devices} for ${l.category}`);
    const p = pcf(l, reference);
    const c = byCategory.get(l.category) ?? { devices: 0, emissions: new Dec(0), sources: new Set<string>() };
    c.devices += l.devices;
    c.emissions = c.emissions.plus(p.value.times(l.devices));
    c.sources.add(p.source);
    byCategory.set(l.category, c);
  }
  const applied: YearReport["applied"] = [];
  const unapplied: YearReport["unapplied"] = [];
  const capacity = new Map([...byCategory].map(([k, v]) => [k, v.devices]));
  const reduction = new Map<Category, { certs: number; kg: Dec }>();
  for (const r of [...retirements].sort((a, b) => Number(BigInt(a.retirementId) - BigInt(b.retirementId)))) {
    const base = { retirementId: r.retirementId, batchId: r.batchId, category: r.category };
    const overlaps = r.periodStart.slice(0, 10) <= end && r.periodEnd.slice(0, 10) >= start;
    if (r.failedCheck) {
      if (overlaps) unapplied.push({ ...base, certificates: r.amount, reason: "CHECK_FAILED", detail: r.failedCheck });
      continue;
    }
    if (!overlaps) {
      unapplied.push({
        ...base,
        certificates: r.amount,
        reason: "PERIOD_OUTSIDE_YEAR",
        detail: `claimed period ${r.periodStart.slice(0, 10)}…${r.periodEnd.slice(0, 10)} does not overlap ${year}`,
      });
      continue;
    }
    if (yearOf(r.periodEnd) !== year) {
      unapplied.push({
        ...base,
        certificates: r.amount,
        reason: "ALLOCATED_TO_OTHER_YEAR",
        detail: `the claimed period ends in ${yearOf(r.periodEnd)}; it counts there`,
      });
      continue;
    }
    const room = capacity.get(r.category);
    if (room === undefined) {
      unapplied.push({
        ...base,
        certificates: r.amount,
        reason: "NO_MATCHING_CATEGORY",
        detail: `no ${r.category} in the ${year} inventory`,
      });
      continue;
    }
    const take = Math.min(room, r.amount);
    if (take > 0) {
      const v = new Dec(r.reductionKgPerDevice);
      applied.push({
        ...base,
        certificates: take,
        reductionKgPerCertificate: r.reductionKgPerDevice,
        reductionKg: kg(v.times(take)),
      });
      const acc = reduction.get(r.category) ?? { certs: 0, kg: new Dec(0) };
      reduction.set(r.category, { certs: acc.certs + take, kg: acc.kg.plus(v.times(take)) });
      capacity.set(r.category, room - take);
    }
    if (take < r.amount) {
      unapplied.push({
        ...base,
        certificates: r.amount - take,
        reason: "EXCEEDS_PROCURED_DEVICES",
        detail: `only ${byCategory.get(r.category)!.devices} ${r.category} devices procured in ${year}`,
      });
    }
  }
  const categories: CategoryRow[] = [...byCategory.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, c]) => {
      const red = reduction.get(category) ?? { certs: 0, kg: new Dec(0) };
      const raw = c.emissions.minus(red.kg);
      const adjusted = Dec.max(raw, 0);
      return {
        category,
        devices: c.devices,
        pcfSources: [...c.sources].sort(),
        inventoryEmissionsKg: kg(c.emissions),
        inventoryIntensityKgPerDevice: c.devices ? kg(c.emissions.div(c.devices)) : "0.000",
        certificatesApplied: red.certs,
        reductionKg: kg(red.kg),
        adjustedEmissionsKg: kg(adjusted),
        adjustedIntensityKgPerDevice: c.devices ? kg(adjusted.div(c.devices)) : "0.000",
        flooredAtZero: raw.isNeg(),
      };
    });
  const sum = (f: (c: CategoryRow) => string) => categories.reduce((s, c) => s.plus(f(c)), new Dec(0));
  const devices = categories.reduce((s, c) => s + c.devices, 0);
  const inv = sum((c) => c.inventoryEmissionsKg);
  const adj = sum((c) => c.adjustedEmissionsKg);
  return {
    year,
    categories,
    totals: {
      devices,
      inventoryEmissionsKg: kg(inv),
      inventoryIntensityKgPerDevice: devices ? kg(inv.div(devices)) : "0.000",
      certificatesApplied: categories.reduce((s, c) => s + c.certificatesApplied, 0),
      reductionKg: kg(sum((c) => c.reductionKg)),
      adjustedEmissionsKg: kg(adj),
      adjustedIntensityKgPerDevice: devices ? kg(adj.div(devices)) : "0.000",
    },
    applied,
    unapplied,
  };
}

/** Parses an inventory CSV: `year,category,devices,pcf_kg_per_device,manufacturer,model` (year optional: default). */
export function parseInventoryCsv(text: string, defaultYear: number): InventoryLine[] {
  const lines = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "");
  if (lines.length < 2) throw new Scope3InputError("the inventory CSV has no rows");
  const header = lines[0]!.split(",").map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  for (const required of ["category", "devices"]) {
    if (col(required) < 0)
      throw new Scope3InputError(`the inventory CSV needs a '${required}' column (header: ${lines[0]})`);
  }
  const categories = new Set(["laptop", "desktop", "monitor", "smartphone", "tablet", "server"]);
  return lines.slice(1).map((line, i) => {
    const cells = line.split(",").map((c) => c.trim());
    const get = (name: string) => (col(name) >= 0 ? (cells[col(name)] ?? "") : "");
    const where = `line ${i + 2}`;
    const category = get("category").toLowerCase();
    if (!categories.has(category)) throw new Scope3InputError(`${where}: unknown category '${get("category")}'`);
    const devices = Number(get("devices"));
    if (!/^\d+$/.test(get("devices")))
      throw new Scope3InputError(`${where}: devices must be a whole number, got '${get("devices")}'`);
    const yearText = get("year");
    if (yearText !== "" && !/^\d{4}$/.test(yearText))
      throw new Scope3InputError(`${where}: year must be YYYY, got '${yearText}'`);
    const pcfText = get("pcf_kg_per_device");
    if (pcfText !== "" && !/^\d+(\.\d+)?$/.test(pcfText))
      throw new Scope3InputError(`${where}: pcf_kg_per_device must be a number, got '${pcfText}'`);
    return {
      year: yearText ? Number(yearText) : defaultYear,
      category: category as Category,
      devices,
      pcfKgPerDevice: pcfText || undefined,
      manufacturer: get("manufacturer") || undefined,
      model: get("model") || undefined,
    };
  });
}
