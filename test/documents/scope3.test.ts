/**
 * Golden cases for the Scope 3 matching rules (docs/adr/0030-scope3-matching.md): like-for-like categories (and
 * Scope 3 categories when the inventory gives them), at most one certificate per procured device, the claimed
 * period's year, V̄ per certificate, never negative, year on year; each inventory row's footprint source and the
 * notes when a default stood in (the inventory input: scope3-inventory.test.ts; claims and their quality:
 * scope3-claims.test.ts; renderings: scope3-render, scope3-csv and scope3-pdf tests).
 */
import { expect } from "chai";

import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import { Scope3InputError, type InventoryLine } from "../../core/documents/inventory.ts";
import { scope3Report } from "../../core/documents/scope3.ts";
import { ACME as ACCOUNT, retirementFactory } from "../helpers/scope3-retirements.ts";

const reference = loadReferenceTable();

const retirement = retirementFactory("Acme");

/** A retirement line without its claim particulars (beneficiary, status, quality: scope3-claims.test.ts). */
const line = <T extends { retirementId: string }>(x: T) => {
  const keep = ["retirementId", "batchId", "category", "scope3Category", "certificates"];
  const more = ["reductionKgPerCertificate", "reductionKg", "reason", "detail"];
  return Object.fromEntries(Object.entries(x).filter(([k]) => keep.includes(k) || more.includes(k)));
};

const laptops2026: InventoryLine[] = [{ year: 2026, category: "laptop", devices: 100, pcfKgPerDevice: "300.000" }];

describe("Scope 3 certificate-adjusted intensity", function () {
  it("applies V̄ per certificate like-for-like and reports inventory and adjusted intensity", function () {
    const r = scope3Report({
      account: ACCOUNT,
      reportingYear: 2026,
      inventory: laptops2026,
      retirements: [retirement(1)],
      reference,
    });
    const laptop = r.current.categories[0]!;
    expect(laptop).to.deep.include({
      scope3Category: null,
      category: "laptop",
      devices: 100,
      inventoryEmissionsKg: "30000.000",
      inventoryIntensityKgPerDevice: "300.000",
      certificatesApplied: 10,
      reductionKg: "342.170",
      adjustedEmissionsKg: "29657.830",
      adjustedIntensityKgPerDevice: "296.578",
      flooredAtZero: false,
      inventoryEmissionsTCO2e: "30.000000",
      reductionTCO2e: "0.342170",
      adjustedEmissionsTCO2e: "29.657830",
      claimsScope3Category: 2,
    });
    expect(r.current.applied.map(line)).to.deep.equal([
      {
        retirementId: "1",
        batchId: "1",
        category: "laptop",
        scope3Category: 2,
        certificates: 10,
        reductionKgPerCertificate: "34.217",
        reductionKg: "342.170",
      },
    ]);
    expect(r.current.applied[0]).to.include({ reductionTCO2e: "0.342170", claimStatus: "verified", txHash: null });
    expect(r.current.unapplied).to.deep.equal([]);
  });

  it("caps over-retirement at one certificate per procured device, in retirement order", function () {
    const r = scope3Report({
      account: ACCOUNT,
      reportingYear: 2026,
      inventory: [{ year: 2026, category: "laptop", devices: 12, pcfKgPerDevice: "300" }],
      retirements: [retirement(2, { amount: 5 }), retirement(1, { amount: 10 })],
      reference,
    });
    expect(r.current.applied.map((a) => [a.retirementId, a.certificates])).to.deep.equal([
      ["1", 10],
      ["2", 2],
    ]);
    expect(r.current.unapplied.map(line)).to.deep.equal([
      {
        retirementId: "2",
        batchId: "1",
        category: "laptop",
        scope3Category: 2,
        certificates: 3,
        reason: "EXCEEDS_PROCURED_DEVICES",
        detail: "only 12 laptop devices procured in 2026",
      },
    ]);
    expect(r.current.totals.certificatesApplied).to.equal(12);
  });

  it("never reduces another category (mismatched category is unapplied)", function () {
    const r = scope3Report({
      account: ACCOUNT,
      reportingYear: 2026,
      inventory: laptops2026,
      retirements: [retirement(1, { category: "server", reductionKgPerDevice: "261.023", amount: 1 })],
      reference,
    });
    expect(r.current.categories[0]!.certificatesApplied).to.equal(0);
    expect(r.current.unapplied[0]).to.include({ reason: "NO_MATCHING_CATEGORY", certificates: 1 });
  });

  it("does not count a retirement whose period is outside the year, and allocates multi-year periods to their end year", function () {
    const r = scope3Report({
      account: ACCOUNT,
      reportingYear: 2026,
      inventory: laptops2026,
      retirements: [
        retirement(1, { periodStart: "2025-01-01T00:00:00.000Z", periodEnd: "2025-12-31T23:59:59.000Z" }),
        retirement(2, { periodStart: "2026-07-01T00:00:00.000Z", periodEnd: "2027-06-30T23:59:59.000Z" }),
        retirement(3, { amount: 4 }),
      ],
      reference,
    });
    expect(r.current.unapplied.map((u) => [u.retirementId, u.reason])).to.deep.equal([
      ["1", "PERIOD_OUTSIDE_YEAR"],
      ["2", "ALLOCATED_TO_OTHER_YEAR"],
    ]);
    expect(r.current.applied.map((a) => a.retirementId)).to.deep.equal(["3"]);
  });

  it("sums several batches with different V̄", function () {
    const r = scope3Report({
      account: ACCOUNT,
      reportingYear: 2026,
      inventory: laptops2026,
      retirements: [
        retirement(1, { amount: 3 }),
        retirement(2, { batchId: "7", amount: 2, reductionKgPerDevice: "58.625" }),
      ],
      reference,
    });
    // 3 × 34.217 + 2 × 58.625 = 102.651 + 117.250 = 219.901
    expect(r.current.categories[0]!.reductionKg).to.equal("219.901");
    expect(r.current.categories[0]!.adjustedEmissionsKg).to.equal("29780.099");
  });

  it("never shows negative emissions (floored at zero, flagged)", function () {
    const r = scope3Report({
      account: ACCOUNT,
      reportingYear: 2026,
      inventory: [{ year: 2026, category: "server", devices: 1, pcfKgPerDevice: "100" }],
      retirements: [retirement(1, { category: "server", amount: 1, reductionKgPerDevice: "261.023" })],
      reference,
    });
    expect(r.current.categories[0]).to.deep.include({
      adjustedEmissionsKg: "0.000",
      adjustedIntensityKgPerDevice: "0.000",
      flooredAtZero: true,
    });
  });

  it("uses the registry reference PCF by manufacturer/model when no supplier PCF is given", function () {
    const r = scope3Report({
      account: ACCOUNT,
      reportingYear: 2026,
      inventory: [
        { year: 2026, category: "laptop", devices: 2, manufacturer: "Dell", model: "Latitude 5420" },
        { year: 2026, category: "laptop", devices: 1, manufacturer: "Nobody", model: "Unknown 1" },
      ],
      retirements: [],
      reference,
    });
    // T1 308.672 × 2 + T3 176.175 (docs/methodology.md §2, §9) = 793.519
    expect(r.current.categories[0]!.inventoryEmissionsKg).to.equal("793.519");
    expect(r.current.categories[0]!.pcfSources).to.deep.equal([
      "registry reference T1 (Dell Latitude 5420)",
      "registry reference T3 (laptop default)",
    ]);
    // Each inventory row says where its footprint came from; the unmatched model is a warning in the notes.
    expect(
      r.current.inventory.map((i) => [
        i.row,
        i.footprintSource,
        i.referenceTier,
        i.footprintKgPerDevice,
        i.emissionsKg,
      ]),
    ).to.deep.equal([
      ["row 1", "registry_reference", "T1", "308.672", "617.344"],
      ["row 2", "category_default", "T3", "176.175", "176.175"],
    ]);
    expect(r.current.inventory[1]!.detail).to.equal(
      "Nobody Unknown 1 not found in the registry reference; category default",
    );
    expect(r.notes).to.deep.equal([
      "2026 row 2: Nobody 'Unknown 1' (laptop) is not in the registry reference — the laptop category default (registry reference T3, 176.175 kgCO2e per device) was used; give the supplier PCF or the reference's manufacturer and model name.",
    ]);
    expect(r.current.notes).to.deep.equal(r.notes);
  });

  it("reports a supplier PCF row as such and warns when a row has neither PCF nor model", function () {
    const r = scope3Report({
      account: ACCOUNT,
      reportingYear: 2026,
      inventory: [
        { year: 2026, category: "laptop", devices: 2, pcfKgPerDevice: "300.5", source: "line 2" },
        { year: 2026, category: "laptop", devices: 1, manufacturer: "Dell", source: "line 3" },
      ],
      retirements: [],
      reference,
    });
    expect(r.current.inventory).to.deep.equal([
      {
        row: "line 2",
        scope3Category: null,
        category: "laptop",
        devices: 2,
        manufacturer: null,
        model: null,
        footprintKgPerDevice: "300.500",
        emissionsKg: "601.000",
        footprintSource: "supplier_pcf",
        referenceTier: null,
        detail: "supplier PCF",
      },
      {
        row: "line 3",
        scope3Category: null,
        category: "laptop",
        devices: 1,
        manufacturer: "Dell",
        model: null,
        footprintKgPerDevice: "176.175",
        emissionsKg: "176.175",
        footprintSource: "category_default",
        referenceTier: "T3",
        detail: "no supplier PCF and no model; category default",
      },
    ]);
    expect(r.notes).to.deep.equal([
      "2026 line 3: no supplier PCF and no model for 1 laptop devices — the laptop category default (registry reference T3, 176.175 kgCO2e per device) was used.",
    ]);
  });

  it("compares years (YoY) without reusing a certificate across years", function () {
    const inventory: InventoryLine[] = [
      { year: 2025, category: "laptop", devices: 50, pcfKgPerDevice: "310" },
      { year: 2026, category: "laptop", devices: 100, pcfKgPerDevice: "300" },
    ];
    const r = scope3Report({
      account: ACCOUNT,
      reportingYear: 2026,
      inventory,
      retirements: [
        retirement(1, { amount: 50, periodStart: "2025-01-01T00:00:00.000Z", periodEnd: "2025-12-31T23:59:59.000Z" }),
        retirement(2, { amount: 20 }),
      ],
      reference,
    });
    expect(r.years.map((y) => y.year)).to.deep.equal([2025, 2026]);
    expect(r.years[0]!.applied.map((a) => a.retirementId)).to.deep.equal(["1"]);
    expect(r.years[1]!.applied.map((a) => a.retirementId)).to.deep.equal(["2"]);
    // 2025: (15500 − 50×34.217)/50 = 275.783; 2026: (30000 − 20×34.217)/100 = 293.157
    expect(r.yearOnYear).to.deep.equal([
      {
        year: 2025,
        inventoryIntensityKgPerDevice: "310.000",
        adjustedIntensityKgPerDevice: "275.783",
        adjustedChangePct: null,
        inventoryEmissionsTCO2e: "15.500000",
        adjustedEmissionsTCO2e: "13.789150",
        previousYear: null,
        adjustedChangeDirection: null,
        adjustedChangeText: null,
      },
      {
        year: 2026,
        inventoryIntensityKgPerDevice: "300.000",
        adjustedIntensityKgPerDevice: "293.157",
        adjustedChangePct: "6.3",
        inventoryEmissionsTCO2e: "30.000000",
        adjustedEmissionsTCO2e: "29.315660",
        previousYear: 2025,
        adjustedChangeDirection: "increase",
        adjustedChangeText: "+6.3 % (increase) vs 2025",
      },
    ]);
  });

  it("lists a retirement whose on-chain checks failed as unapplied", function () {
    const r = scope3Report({
      account: ACCOUNT,
      reportingYear: 2026,
      inventory: laptops2026,
      retirements: [retirement(1, { failedCheck: "batch not suspended" })],
      reference,
    });
    expect(r.current.unapplied[0]).to.include({ reason: "CHECK_FAILED", detail: "batch not suspended" });
    expect(r.current.applied).to.deep.equal([]);
  });

  describe("Scope 3 categories (optional scope3_category)", function () {
    const split: InventoryLine[] = [
      { year: 2026, category: "laptop", devices: 10, pcfKgPerDevice: "300", scope3Category: 1, source: "line 2" },
      { year: 2026, category: "laptop", devices: 5, pcfKgPerDevice: "300", scope3Category: 2, source: "line 3" },
      { year: 2026, category: "server", devices: 2, pcfKgPerDevice: "1300", scope3Category: 2, source: "line 4" },
    ];

    it("applies a certificate only to rows of the Scope 3 category it was retired for, with subtotals", function () {
      const r = scope3Report({
        account: ACCOUNT,
        reportingYear: 2026,
        inventory: split,
        retirements: [
          retirement(1, { amount: 8, scope3Category: 2 }), // 5 fit under Category 2; 3 are over
          retirement(2, { amount: 4, scope3Category: 1 }),
        ],
        reference,
      });
      expect(
        r.current.categories.map((c) => [c.scope3Category, c.category, c.devices, c.certificatesApplied]),
      ).to.deep.equal([
        [1, "laptop", 10, 4],
        [2, "laptop", 5, 5],
        [2, "server", 2, 0],
      ]);
      expect(r.current.applied.map((a) => [a.retirementId, a.scope3Category, a.certificates])).to.deep.equal([
        ["1", 2, 5],
        ["2", 1, 4],
      ]);
      expect(r.current.unapplied.map(line)).to.deep.equal([
        {
          retirementId: "1",
          batchId: "1",
          category: "laptop",
          scope3Category: 2,
          certificates: 3,
          reason: "EXCEEDS_PROCURED_DEVICES",
          detail: "only 5 laptop devices procured under Scope 3 Category 2 in 2026",
        },
      ]);
      // Category 1: 3000 − 4 × 34.217 = 2863.132; Category 2: 1500 − 5 × 34.217 + 2600 = 3928.915
      expect(r.current.scope3Subtotals).to.deep.equal([
        {
          scope3Category: 1,
          devices: 10,
          inventoryEmissionsKg: "3000.000",
          inventoryIntensityKgPerDevice: "300.000",
          certificatesApplied: 4,
          reductionKg: "136.868",
          adjustedEmissionsKg: "2863.132",
          adjustedIntensityKgPerDevice: "286.313",
          inventoryEmissionsTCO2e: "3.000000",
          reductionTCO2e: "0.136868",
          adjustedEmissionsTCO2e: "2.863132",
        },
        {
          scope3Category: 2,
          devices: 7,
          inventoryEmissionsKg: "4100.000",
          inventoryIntensityKgPerDevice: "585.714",
          certificatesApplied: 5,
          reductionKg: "171.085",
          adjustedEmissionsKg: "3928.915",
          adjustedIntensityKgPerDevice: "561.274",
          inventoryEmissionsTCO2e: "4.100000",
          reductionTCO2e: "0.171085",
          adjustedEmissionsTCO2e: "3.928915",
        },
      ]);
      expect(r.current.totals).to.deep.include({
        devices: 17,
        certificatesApplied: 9,
        adjustedEmissionsKg: "6792.047",
      });
    });

    it("lists a retirement whose Scope 3 category the inventory does not have for its device category", function () {
      const r = scope3Report({
        account: ACCOUNT,
        reportingYear: 2026,
        inventory: split,
        retirements: [
          retirement(1, { category: "server", amount: 1, scope3Category: 1, reductionKgPerDevice: "261.023" }),
        ],
        reference,
      });
      expect(r.current.unapplied.map(line)).to.deep.equal([
        {
          retirementId: "1",
          batchId: "1",
          category: "server",
          scope3Category: 1,
          certificates: 1,
          reason: "NO_MATCHING_SCOPE3_CATEGORY",
          detail: "retired for Scope 3 Category 1; the 2026 inventory has server only under Category 2",
        },
      ]);
      const none = scope3Report({
        account: ACCOUNT,
        reportingYear: 2026,
        inventory: split,
        retirements: [retirement(2, { category: "monitor", amount: 1, scope3Category: 2 })],
        reference,
      });
      expect(none.current.unapplied[0]).to.include({
        reason: "NO_MATCHING_CATEGORY",
        detail: "no monitor under Scope 3 Category 2 in the 2026 inventory",
      });
    });

    it("without scope3_category never merges a Category 1 and a Category 2 claim in one row (issue 14)", function () {
      // Used to apply both to the one laptop row (5 certificates, Category 1 and Category 2 claims merged).
      const r = scope3Report({
        account: ACCOUNT,
        reportingYear: 2026,
        inventory: laptops2026,
        retirements: [retirement(1, { amount: 3, scope3Category: 1 }), retirement(2, { amount: 2, scope3Category: 2 })],
        reference,
      });
      expect(r.current.categories[0]).to.include({
        scope3Category: null,
        claimsScope3Category: 1,
        certificatesApplied: 3,
      });
      expect(r.current.scope3Subtotals).to.deep.equal([]);
      expect(r.current.applied.map((a) => [a.retirementId, a.scope3Category])).to.deep.equal([["1", 1]]);
      expect(r.current.unapplied.map((u) => [u.retirementId, u.reason, u.failedCriterion])).to.deep.equal([
        ["2", "NO_MATCHING_SCOPE3_CATEGORY", "LIKE_FOR_LIKE_SCOPE3"],
      ]);
      expect(r.current.unapplied[0]!.detail).to.equal(
        "retired for Scope 3 Category 2, but the 2026 laptop row holds Category 1 claims (retirement #1, the first); " +
          "the inventory gives no scope3_category — give it per row to apply claims of both categories",
      );
      // Every row's applied claims are of one Scope 3 category.
      for (const y of r.years) {
        for (const c of y.categories) {
          const kinds = new Set(y.applied.filter((a) => a.category === c.category).map((a) => a.scope3Category));
          expect(kinds.size, `${y.year} ${c.category}`).to.be.at.most(1);
        }
      }
    });

    it("without scope3_category still applies claims of one Scope 3 category, whichever it is", function () {
      const r = scope3Report({
        account: ACCOUNT,
        reportingYear: 2026,
        inventory: laptops2026,
        retirements: [retirement(1, { amount: 3, scope3Category: 1 }), retirement(2, { amount: 2, scope3Category: 1 })],
        reference,
      });
      expect(r.current.categories[0]).to.include({ claimsScope3Category: 1, certificatesApplied: 5 });
    });

    it("decides per year: one year may give Scope 3 categories and an earlier one not", function () {
      const r = scope3Report({
        account: ACCOUNT,
        reportingYear: 2026,
        inventory: [{ year: 2025, category: "laptop", devices: 4, pcfKgPerDevice: "310" }, ...split],
        retirements: [],
        reference,
      });
      expect(r.years[0]!.scope3Subtotals).to.deep.equal([]);
      expect(r.years[1]!.scope3Subtotals.map((s) => s.scope3Category)).to.deep.equal([1, 2]);
    });

    it("refuses a year where only some rows give a Scope 3 category", function () {
      expect(() =>
        scope3Report({
          account: ACCOUNT,
          reportingYear: 2026,
          inventory: [
            ...split,
            { year: 2026, category: "monitor", devices: 3, pcfKgPerDevice: "60", source: "line 5" },
          ],
          retirements: [],
          reference,
        }),
      ).to.throw(Scope3InputError, "2026: scope3_category is given for some inventory rows but not for line 5");
    });
  });
});
