/**
 * Golden cases for the Scope 3 matching rules (docs/adr/0030-scope3-matching.md): like-for-like categories,
 * at most one certificate per procured device, the claimed period's year, V̄ per certificate, never negative,
 * year on year.
 */
import { expect } from "chai";

import { loadReferenceTable } from "../../oracle/src/reference/index.ts";
import {
  parseInventoryCsv,
  scope3Report,
  Scope3InputError,
  type InventoryLine,
} from "../../oracle/src/reports/scope3.ts";
import type { RetirementForReport } from "../../oracle/src/reports/scope3.ts";

const reference = loadReferenceTable();
const ACCOUNT = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";

function retirement(id: number, over: Partial<RetirementForReport> = {}): RetirementForReport {
  return {
    retirementId: String(id),
    batchId: "1",
    category: "laptop",
    amount: 10,
    reductionKgPerDevice: "34.217",
    periodStart: "2026-01-01T00:00:00.000Z",
    periodEnd: "2026-12-31T23:59:59.000Z",
    scope3Category: 2,
    beneficiaryName: "Acme",
    txHash: null,
    ...over,
  };
}

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
      category: "laptop",
      devices: 100,
      inventoryEmissionsKg: "30000.000",
      inventoryIntensityKgPerDevice: "300.000",
      certificatesApplied: 10,
      reductionKg: "342.170",
      adjustedEmissionsKg: "29657.830",
      adjustedIntensityKgPerDevice: "296.578",
      flooredAtZero: false,
    });
    expect(r.current.applied).to.deep.equal([
      {
        retirementId: "1",
        batchId: "1",
        category: "laptop",
        certificates: 10,
        reductionKgPerCertificate: "34.217",
        reductionKg: "342.170",
      },
    ]);
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
    expect(r.current.unapplied).to.deep.equal([
      {
        retirementId: "2",
        batchId: "1",
        category: "laptop",
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
    // T1 308.672 × 2 + T3 176.175 (METHODOLOGY.md §2, §9) = 793.519
    expect(r.current.categories[0]!.inventoryEmissionsKg).to.equal("793.519");
    expect(r.current.categories[0]!.pcfSources).to.deep.equal([
      "registry reference T1 (Dell Latitude 5420)",
      "registry reference T3 (laptop default)",
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
      },
      {
        year: 2026,
        inventoryIntensityKgPerDevice: "300.000",
        adjustedIntensityKgPerDevice: "293.157",
        adjustedChangePct: "6.3",
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

  describe("inventory CSV", function () {
    it("reads year, category, devices, PCF and manufacturer/model", function () {
      const lines = parseInventoryCsv(
        "year,category,devices,pcf_kg_per_device,manufacturer,model\n2026,laptop,100,300.5,,\n,server,2,,Dell,PowerEdge R740\n",
        2026,
      );
      expect(lines).to.deep.equal([
        {
          year: 2026,
          category: "laptop",
          devices: 100,
          pcfKgPerDevice: "300.5",
          manufacturer: undefined,
          model: undefined,
        },
        {
          year: 2026,
          category: "server",
          devices: 2,
          pcfKgPerDevice: undefined,
          manufacturer: "Dell",
          model: "PowerEdge R740",
        },
      ]);
    });

    for (const [csv, message] of [
      ["category,devices\n", /no rows/],
      ["category\nlaptop\n", /needs a 'devices' column/],
      ["category,devices\nrobot,3\n", /line 2: unknown category 'robot'/],
      ["category,devices\nlaptop,3.5\n", /line 2: devices must be a whole number/],
      ["category,devices,pcf_kg_per_device\nlaptop,3,abc\n", /pcf_kg_per_device must be a number/],
    ] as const) {
      it(`refuses ${JSON.stringify(csv)} with a precise message`, function () {
        expect(() => parseInventoryCsv(csv, 2026)).to.throw(Scope3InputError, message);
      });
    }

    it("refuses a report year the inventory does not cover", function () {
      expect(() =>
        scope3Report({ account: ACCOUNT, reportingYear: 2027, inventory: laptops2026, retirements: [], reference }),
      ).to.throw(Scope3InputError, /no rows for 2027/);
    });
  });
});
