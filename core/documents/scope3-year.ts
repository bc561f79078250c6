/**
 * One reporting year of the Scope 3 report: the inventory rows with their footprints, the year's retirements matched
 * to them under the rules of scope3.ts (docs/adr/0030-scope3-matching.md), and the category rows, subtotals and total.
 */
import { Dec, type Category, type ReferenceTable } from "../calc/index.ts";
import { Scope3InputError, type InventoryLine } from "./inventory.ts";
import { footprint, kg } from "./scope3-footprint.ts";
import type {
  CategoryRow,
  Figures,
  InventoryRowReport,
  RetirementForReport,
  Scope3Category,
  YearReport,
} from "./scope3-types.ts";

const yearOf = (iso: string) => Number(iso.slice(0, 4));

interface Bucket {
  scope3Category: Scope3Category | null;
  category: Category;
  devices: number;
  emissions: Dec;
  sources: Set<string>;
}

const s3Label = (s: number | null) => (s === null ? "" : ` under Scope 3 Category ${s}`);

/**
 * The report of `year` for organisation `account`, from its inventory rows and the retirements found for it; only
 * those attributed to `account` (core/claims/attribution.ts) can be applied, the others are listed with the reason.
 */
export function yearReport(
  account: string,
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
    if (r.attribution.account !== account) {
      if (overlaps)
        unapplied.push({
          ...base,
          certificates: r.amount,
          reason: r.attribution.account === null ? "CLAIM_OF_NO_ORGANISATION" : "CLAIM_OF_ANOTHER_ORGANISATION",
          detail:
            r.attribution.account === null
              ? r.attribution.detail
              : `a claim of ${r.attribution.name ?? r.attribution.account} (${r.attribution.detail}); it counts in that organisation's report only`,
        });
      continue;
    }
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
