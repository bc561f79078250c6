/**
 * One reporting year of the Scope 3 report: the inventory rows with their footprints, the year's retirements matched
 * to them under the rules of scope3.ts (docs/adr/0030-scope3-matching.md), and the category rows, subtotals and total.
 */
import { Dec, type Category, type ReferenceTable } from "../calc/index.ts";
import { Scope3InputError, type InventoryLine } from "./inventory.ts";
import { assessClaims, type ClaimQuality, type QualityCriterionId } from "../claims/quality.ts";
import { footprint, kg, tonnes } from "./scope3-footprint.ts";
import type {
  CategoryRow,
  ClaimParticulars,
  Figures,
  InventoryRowReport,
  RetirementForReport,
  Scope3Category,
  UnappliedReason,
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
 * The report of `year` for organisation `account`, from its inventory rows and the retirements found for it. A
 * retirement is applied only when it meets every claim-quality criterion (core/claims/quality.ts: attributed to
 * `account`, not reversed, its chain checks passed, its vintage in the window, like-for-like device and Scope 3
 * category) and fits the year's procured devices; every other one is listed with the reason and failed criterion.
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

  // Claim quality (core/claims/quality.ts) of the retirements whose claimed period ends in this year.
  const procured = new Map<Category, number[]>();
  for (const b of buckets.values()) {
    const list = procured.get(b.category) ?? [];
    if (b.scope3Category !== null) list.push(b.scope3Category);
    procured.set(b.category, list);
  }
  const quality = assessClaims(
    account,
    { year, procured, split },
    retirements.filter((r) => yearOf(r.periodEnd) === year),
  );

  const applied: YearReport["applied"] = [];
  const unapplied: YearReport["unapplied"] = [];
  const capacity = new Map([...buckets].map(([k, v]) => [k, v.devices]));
  const reduction = new Map<string, { certs: number; kg: Dec; scope3: number }>();
  for (const r of [...retirements].sort((a, b) => Number(BigInt(a.retirementId) - BigInt(b.retirementId)))) {
    const q = quality.get(r.retirementId) ?? null;
    const base = {
      retirementId: r.retirementId,
      batchId: r.batchId,
      category: r.category,
      scope3Category: r.scope3Category,
    };
    const claim = particulars(r, q);
    const skip = (reason: UnappliedReason, detail: string, failedCriterion: QualityCriterionId | null) =>
      unapplied.push({ ...base, certificates: r.amount, reason, detail, failedCriterion, ...claim });
    const overlaps = r.periodStart.slice(0, 10) <= end && r.periodEnd.slice(0, 10) >= start;
    if (r.attribution.account !== account) {
      if (overlaps)
        skip(
          r.attribution.account === null ? "CLAIM_OF_NO_ORGANISATION" : "CLAIM_OF_ANOTHER_ORGANISATION",
          r.attribution.account === null
            ? r.attribution.detail
            : `a claim of ${r.attribution.name ?? r.attribution.account} (${r.attribution.detail}); it counts in that organisation's report only`,
          "EXCLUSIVE_CLAIM",
        );
      continue;
    }
    if (r.claimStatus === "reversed") {
      if (overlaps)
        skip("CLAIM_REVERSED", r.failedCheck ?? "the claim is reversed: not valid until replaced", "NOT_REVERSED");
      continue;
    }
    if (r.failedCheck) {
      if (overlaps) skip("CHECK_FAILED", r.failedCheck, "VERIFIED_BATCH");
      continue;
    }
    if (!overlaps) {
      skip(
        "PERIOD_OUTSIDE_YEAR",
        `claimed period ${r.periodStart.slice(0, 10)}…${r.periodEnd.slice(0, 10)} does not overlap ${year}`,
        null,
      );
      continue;
    }
    if (yearOf(r.periodEnd) !== year) {
      skip("ALLOCATED_TO_OTHER_YEAR", `the claimed period ends in ${yearOf(r.periodEnd)}; it counts there`, null);
      continue;
    }
    const verdict = (id: QualityCriterionId) => q!.criteria.find((c) => c.id === id)!;
    if (!verdict("VINTAGE_WINDOW").met) {
      skip("VINTAGE_OUTSIDE_WINDOW", verdict("VINTAGE_WINDOW").detail, "VINTAGE_WINDOW");
      continue;
    }
    const s3 = split ? r.scope3Category : null;
    const key = keyOf(s3, r.category);
    const room = capacity.get(key);
    if (room === undefined) {
      const elsewhere = [...buckets.values()].filter((b) => b.category === r.category).map((b) => b.scope3Category);
      if (split && elsewhere.length > 0)
        skip(
          "NO_MATCHING_SCOPE3_CATEGORY",
          `retired for Scope 3 Category ${r.scope3Category}; the ${year} inventory has ${r.category} only under Category ${elsewhere.join(", ")}`,
          "LIKE_FOR_LIKE_SCOPE3",
        );
      else
        skip("NO_MATCHING_CATEGORY", `no ${r.category}${s3Label(s3)} in the ${year} inventory`, "LIKE_FOR_LIKE_DEVICE");
      continue;
    }
    // Without Scope 3 categories in the inventory: never a Category 1 and a Category 2 claim in one row (CQ6).
    if (!verdict("LIKE_FOR_LIKE_SCOPE3").met) {
      skip("NO_MATCHING_SCOPE3_CATEGORY", verdict("LIKE_FOR_LIKE_SCOPE3").detail, "LIKE_FOR_LIKE_SCOPE3");
      continue;
    }
    const take = Math.min(room, r.amount);
    if (take > 0) {
      const v = new Dec(r.reductionKgPerDevice);
      const reductionKg = kg(v.times(take));
      applied.push({
        ...base,
        certificates: take,
        reductionKgPerCertificate: r.reductionKgPerDevice,
        reductionKg,
        reductionTCO2e: tonnes(reductionKg),
        ...claim,
      });
      const acc = reduction.get(key) ?? { certs: 0, kg: new Dec(0), scope3: r.scope3Category };
      reduction.set(key, { ...acc, certs: acc.certs + take, kg: acc.kg.plus(v.times(take)) });
      capacity.set(key, room - take);
    }
    if (take < r.amount) {
      unapplied.push({
        ...base,
        certificates: r.amount - take,
        reason: "EXCEEDS_PROCURED_DEVICES",
        detail: `only ${buckets.get(key)!.devices} ${r.category} devices procured${s3Label(s3)} in ${year}`,
        failedCriterion: null,
        ...claim,
      });
    }
  }
  const categories: CategoryRow[] = [...buckets.entries()]
    .sort(([, a], [, b]) => (a.scope3Category ?? 0) - (b.scope3Category ?? 0) || a.category.localeCompare(b.category))
    .map(([key, c]) => {
      const red = reduction.get(key);
      const reductionKg = red?.kg ?? new Dec(0);
      const raw = c.emissions.minus(reductionKg);
      const adjusted = Dec.max(raw, 0);
      const inventoryEmissionsKg = kg(c.emissions);
      const adjustedEmissionsKg = kg(adjusted);
      return {
        scope3Category: c.scope3Category,
        category: c.category,
        devices: c.devices,
        pcfSources: [...c.sources].sort(),
        inventoryEmissionsKg,
        inventoryIntensityKgPerDevice: c.devices ? kg(c.emissions.div(c.devices)) : "0.000",
        certificatesApplied: red?.certs ?? 0,
        reductionKg: kg(reductionKg),
        adjustedEmissionsKg,
        adjustedIntensityKgPerDevice: c.devices ? kg(adjusted.div(c.devices)) : "0.000",
        flooredAtZero: raw.isNeg(),
        inventoryEmissionsTCO2e: tonnes(inventoryEmissionsKg),
        reductionTCO2e: tonnes(kg(reductionKg)),
        adjustedEmissionsTCO2e: tonnes(adjustedEmissionsKg),
        claimsScope3Category: red?.scope3 ?? null,
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
  const reductionKg = kg(sum((c) => c.reductionKg));
  return {
    devices,
    inventoryEmissionsKg: kg(inv),
    inventoryIntensityKgPerDevice: devices ? kg(inv.div(devices)) : "0.000",
    certificatesApplied: rows.reduce((s, c) => s + c.certificatesApplied, 0),
    reductionKg,
    adjustedEmissionsKg: kg(adj),
    adjustedIntensityKgPerDevice: devices ? kg(adj.div(devices)) : "0.000",
    inventoryEmissionsTCO2e: tonnes(kg(inv)),
    reductionTCO2e: tonnes(reductionKg),
    adjustedEmissionsTCO2e: tonnes(kg(adj)),
  };
}

/** The claim behind a retirement line: beneficiary, attribution, status, period, vintage, transaction, quality. */
function particulars(r: RetirementForReport, quality: ClaimQuality | null): ClaimParticulars {
  return {
    beneficiaryName: r.beneficiaryName,
    beneficiaryAccount: r.beneficiaryAccount,
    attribution: r.attribution,
    retiredBy: r.retiredBy,
    claimStatus: r.claimStatus,
    periodStart: r.periodStart,
    periodEnd: r.periodEnd,
    vintageStart: r.vintageStart,
    vintageEnd: r.vintageEnd,
    txHash: r.txHash,
    ...(r.deliveries?.length ? { deliveries: r.deliveries } : {}),
    quality,
  };
}
