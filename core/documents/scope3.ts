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
import { Dec, normaliseName, type Category, type ReferenceTable, type Tier } from "../calc/index.ts";
import { Scope3InputError, type InventoryLine } from "./inventory.ts";

export {
  INVENTORY_COLUMNS,
  parseInventory,
  parseInventoryCsv,
  parseInventoryJson,
  Scope3InputError,
  type InventoryLine,
} from "./inventory.ts";

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
  | "NO_MATCHING_SCOPE3_CATEGORY"
  | "EXCEEDS_PROCURED_DEVICES";

/** GHG Protocol Scope 3 category: 1 purchased goods and services, 2 capital goods. */
export type Scope3Category = 1 | 2;

export const SCOPE3_CATEGORY_NAMES: Record<Scope3Category, string> = {
  1: "Category 1 — purchased goods and services",
  2: "Category 2 — capital goods",
};

/** Where an inventory row's footprint (kgCO2e per device) came from. */
export type FootprintSource = "supplier_pcf" | "registry_reference" | "category_default";

export interface InventoryRowReport {
  /** "line 3" of a CSV, "row 2" of a JSON array (or the row's position in the inventory given). */
  row: string;
  /** Null when the inventory gives no Scope 3 category for the year. */
  scope3Category: Scope3Category | null;
  category: Category;
  devices: number;
  manufacturer: string | null;
  model: string | null;
  /** kgCO2e per device, rounded half-even to grams (the exact figure is used in the sums). */
  footprintKgPerDevice: string;
  emissionsKg: string;
  footprintSource: FootprintSource;
  /** The registry reference tier: T1/T2 for a matched model, T3 for the category default; null for a supplier PCF. */
  referenceTier: Tier | null;
  detail: string;
}

export interface CategoryRow {
  /** Null when the inventory gives no Scope 3 category for the year (matching by device category alone). */
  scope3Category: Scope3Category | null;
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

type Figures = Omit<CategoryRow, "scope3Category" | "category" | "pcfSources" | "flooredAtZero">;

export interface YearReport {
  year: number;
  /** Every inventory row of the year with its footprint and where that came from. */
  inventory: InventoryRowReport[];
  categories: CategoryRow[];
  /** One per Scope 3 category when the year's inventory gives them; empty otherwise. */
  scope3Subtotals: ({ scope3Category: Scope3Category } & Figures)[];
  totals: Figures;
  /** This year's notes (see `Scope3Report.notes`). */
  notes: string[];
  applied: {
    retirementId: string;
    batchId: string;
    category: Category;
    scope3Category: number;
    certificates: number;
    reductionKgPerCertificate: string;
    reductionKg: string;
  }[];
  unapplied: {
    retirementId: string;
    batchId: string;
    category: Category;
    scope3Category: number;
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
  /** Warnings for the reader: footprints that fell back to a category default (model missing or not matched). */
  notes: string[];
  years: YearReport[];
  current: YearReport;
  yearOnYear: {
    year: number;
    inventoryIntensityKgPerDevice: string;
    adjustedIntensityKgPerDevice: string;
    adjustedChangePct: string | null;
  }[];
}

const kg = (x: Dec) => x.toDecimalPlaces(3, Dec.ROUND_HALF_EVEN).toFixed(3);
const yearOf = (iso: string) => Number(iso.slice(0, 4));

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
  const labelled = input.inventory.map((l, i) => ({ ...l, source: l.source ?? `row ${i + 1}` }));
  const reports = years.map((y) =>
    yearReport(
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
    reportingYear: input.reportingYear,
    unit: "kgCO2e; intensity in kgCO2e per procured device; 1 I-TEC = one verified refurbished device",
    rules: SCOPE3_RULES,
    notes: reports.flatMap((r) => r.notes),
    years: reports,
    current,
    yearOnYear,
  };
}

interface Footprint {
  value: Dec;
  source: FootprintSource;
  tier: Tier | null;
  /** The category row's PCF-source label (kept as it was before per-row sources). */
  label: string;
  detail: string;
  /** A note for the reader when a category default stood in for the row's model. */
  warning?: string;
}

function footprint(line: InventoryLine & { source: string }, reference: ReferenceTable): Footprint {
  if (line.pcfKgPerDevice !== undefined && line.pcfKgPerDevice !== "") {
    const v = new Dec(line.pcfKgPerDevice);
    if (!v.isFinite() || v.isNeg())
      throw new Scope3InputError(`${line.source}: invalid PCF ${line.pcfKgPerDevice} for ${line.category}`);
    return { value: v, source: "supplier_pcf", tier: null, label: "supplier PCF", detail: "supplier PCF" };
  }
  const t3 = reference.t3(line.category).M;
  const fallback = `the ${line.category} category default (registry reference T3, ${kg(t3)} kgCO2e per device) was used`;
  if (line.manufacturer && line.model) {
    const m = reference.match(normaliseName(line.manufacturer), normaliseName(line.model));
    if (m) {
      return {
        value: m.M,
        source: "registry_reference",
        tier: m.tier,
        label: `registry reference ${m.tier} (${line.manufacturer} ${line.model})`,
        detail: `${line.manufacturer} ${line.model} matched at ${m.tier}${m.row !== undefined ? ` (reference row ${m.row})` : ""}`,
      };
    }
    return {
      value: t3,
      source: "category_default",
      tier: "T3",
      label: `registry reference T3 (${line.category} default)`,
      detail: `${line.manufacturer} ${line.model} not found in the registry reference; category default`,
      warning: `${line.year} ${line.source}: ${line.manufacturer} '${line.model}' (${line.category}) is not in the registry reference — ${fallback}; give the supplier PCF or the reference's manufacturer and model name.`,
    };
  }
  const missing = line.manufacturer ? "no model" : line.model ? "no manufacturer" : "no manufacturer/model";
  return {
    value: t3,
    source: "category_default",
    tier: "T3",
    label: `registry reference T3 (${line.category} default)`,
    detail: `no supplier PCF and ${missing}; category default`,
    warning: `${line.year} ${line.source}: no supplier PCF and ${missing} for ${line.devices} ${line.category} devices — ${fallback}.`,
  };
}

interface Bucket {
  scope3Category: Scope3Category | null;
  category: Category;
  devices: number;
  emissions: Dec;
  sources: Set<string>;
}

const s3Label = (s: number | null) => (s === null ? "" : ` under Scope 3 Category ${s}`);

function yearReport(
  year: number,
  lines: readonly (InventoryLine & { source: string })[],
  retirements: readonly RetirementForReport[],
  reference: ReferenceTable,
): YearReport {
  const notes: string[] = [];
  const start = `${year}-01-01`;
  const end = `${year}-12-31`;
  // Scope 3 categories: all rows of the year give one, or none does (matching by device category alone).
  const given = lines.filter((l) => l.scope3Category !== undefined);
  const split = given.length > 0;
  if (split && given.length !== lines.length) {
    const without = lines.find((l) => l.scope3Category === undefined)!;
    throw new Scope3InputError(
      `${year}: scope3_category is given for some inventory rows but not for ${without.source}; give it for every row of the year, or for none`,
    );
  }
  const keyOf = (s3: number | null, category: Category) => (split ? `${s3}|${category}` : category);

  const buckets = new Map<string, Bucket>();
  const inventory: InventoryRowReport[] = [];
  for (const l of lines) {
    if (!Number.isInteger(l.devices) || l.devices < 0)
      throw new Scope3InputError(`${l.source}: invalid device count ${l.devices} for ${l.category}`);
    const s3 = split ? l.scope3Category! : null;
    const p = footprint(l, reference);
    const key = keyOf(s3, l.category);
    const b = buckets.get(key) ?? {
      scope3Category: s3,
      category: l.category,
      devices: 0,
      emissions: new Dec(0),
      sources: new Set<string>(),
    };
    b.devices += l.devices;
    b.emissions = b.emissions.plus(p.value.times(l.devices));
    b.sources.add(p.label);
    buckets.set(key, b);
    inventory.push({
      row: l.source,
      scope3Category: s3,
      category: l.category,
      devices: l.devices,
      manufacturer: l.manufacturer ?? null,
      model: l.model ?? null,
      footprintKgPerDevice: kg(p.value),
      emissionsKg: kg(p.value.times(l.devices)),
      footprintSource: p.source,
      referenceTier: p.tier,
      detail: p.detail,
    });
    if (p.warning) notes.push(p.warning);
  }

  const applied: YearReport["applied"] = [];
  const unapplied: YearReport["unapplied"] = [];
  const capacity = new Map([...buckets].map(([k, v]) => [k, v.devices]));
  const reduction = new Map<string, { certs: number; kg: Dec }>();
  for (const r of [...retirements].sort((a, b) => Number(BigInt(a.retirementId) - BigInt(b.retirementId)))) {
    const base = {
      retirementId: r.retirementId,
      batchId: r.batchId,
      category: r.category,
      scope3Category: r.scope3Category,
    };
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
    const s3 = split ? r.scope3Category : null;
    const key = keyOf(s3, r.category);
    const room = capacity.get(key);
    if (room === undefined) {
      const elsewhere = [...buckets.values()].filter((b) => b.category === r.category).map((b) => b.scope3Category);
      unapplied.push(
        split && elsewhere.length > 0
          ? {
              ...base,
              certificates: r.amount,
              reason: "NO_MATCHING_SCOPE3_CATEGORY",
              detail: `retired for Scope 3 Category ${r.scope3Category}; the ${year} inventory has ${r.category} only under Category ${elsewhere.join(", ")}`,
            }
          : {
              ...base,
              certificates: r.amount,
              reason: "NO_MATCHING_CATEGORY",
              detail: `no ${r.category}${s3Label(s3)} in the ${year} inventory`,
            },
      );
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
      const acc = reduction.get(key) ?? { certs: 0, kg: new Dec(0) };
      reduction.set(key, { certs: acc.certs + take, kg: acc.kg.plus(v.times(take)) });
      capacity.set(key, room - take);
    }
    if (take < r.amount) {
      unapplied.push({
        ...base,
        certificates: r.amount - take,
        reason: "EXCEEDS_PROCURED_DEVICES",
        detail: `only ${buckets.get(key)!.devices} ${r.category} devices procured${s3Label(s3)} in ${year}`,
      });
    }
  }
  const categories: CategoryRow[] = [...buckets.entries()]
    .sort(([, a], [, b]) => (a.scope3Category ?? 0) - (b.scope3Category ?? 0) || a.category.localeCompare(b.category))
    .map(([key, c]) => {
      const red = reduction.get(key) ?? { certs: 0, kg: new Dec(0) };
      const raw = c.emissions.minus(red.kg);
      const adjusted = Dec.max(raw, 0);
      return {
        scope3Category: c.scope3Category,
        category: c.category,
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
  const scope3Subtotals = split
    ? ([1, 2] as const)
        .filter((s) => categories.some((c) => c.scope3Category === s))
        .map((s) => ({ scope3Category: s, ...figures(categories.filter((c) => c.scope3Category === s)) }))
    : [];
  return { year, inventory, categories, scope3Subtotals, totals: figures(categories), notes, applied, unapplied };
}

/** Sums of category rows (each already rounded to grams, so the subtotals and totals add up as printed). */
function figures(rows: readonly CategoryRow[]): Figures {
  const sum = (f: (c: CategoryRow) => string) => rows.reduce((s, c) => s.plus(f(c)), new Dec(0));
  const devices = rows.reduce((s, c) => s + c.devices, 0);
  const inv = sum((c) => c.inventoryEmissionsKg);
  const adj = sum((c) => c.adjustedEmissionsKg);
  return {
    devices,
    inventoryEmissionsKg: kg(inv),
    inventoryIntensityKgPerDevice: devices ? kg(inv.div(devices)) : "0.000",
    certificatesApplied: rows.reduce((s, c) => s + c.certificatesApplied, 0),
    reductionKg: kg(sum((c) => c.reductionKg)),
    adjustedEmissionsKg: kg(adj),
    adjustedIntensityKgPerDevice: devices ? kg(adj.div(devices)) : "0.000",
  };
}
