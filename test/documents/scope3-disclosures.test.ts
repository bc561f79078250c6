/**
 * Disclosure exports (core/documents/scope3-disclosures.ts, docs/disclosures.md): exact tCO2e on a hand-computed
 * report, gross never reduced, the certificate adjustment separate, the supplier-specific share, the line stated
 * when the inventory gives no Scope 3 category, and a reversed (failed-check) retirement never in the adjustment.
 */
import { expect } from "chai";

import { Dec } from "../../core/calc/index.ts";
import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import type { InventoryLine } from "../../core/documents/inventory.ts";
import { scope3Report } from "../../core/documents/scope3.ts";
import { disclosureTable, scope3Disclosures } from "../../core/documents/scope3-disclosures.ts";
import type { RetirementForReport } from "../../core/documents/scope3-types.ts";
import { ACME as ACCOUNT, retirementFactory } from "../helpers/scope3-retirements.ts";

const reference = loadReferenceTable();

const retirement = retirementFactory("Acme");

/**
 * Category 1: 10 laptops × supplier PCF 300 = 3000.000 kg.
 * Category 2: 5 Dell Latitude 5420 × T1 308.672 = 1543.360 kg, 2 servers × supplier PCF 1300 = 2600.000 kg → 4143.360.
 */
const split: InventoryLine[] = [
  { year: 2026, category: "laptop", devices: 10, pcfKgPerDevice: "300", scope3Category: 1, source: "line 2" },
  {
    year: 2026,
    category: "laptop",
    devices: 5,
    manufacturer: "Dell",
    model: "Latitude 5420",
    scope3Category: 2,
    source: "line 3",
  },
  { year: 2026, category: "server", devices: 2, pcfKgPerDevice: "1300", scope3Category: 2, source: "line 4" },
];
const build = (retirements: RetirementForReport[], inventory: InventoryLine[] = split) =>
  scope3Report({ account: ACCOUNT, reportingYear: 2026, inventory, retirements, reference });

describe("scope3Disclosures", function () {
  // Retirement 1: 8 laptop certificates for Category 2, 5 fit (5 × 34.217 = 171.085 kg); retirement 2: 4 for
  // Category 1 (4 × 34.217 = 136.868 kg); retirement 3: its claim was reversed (failed check), never applied.
  const reversed = retirement(3, {
    amount: 2,
    scope3Category: 1,
    claimStatus: "reversed",
    failedCheck: "claim reversed: batch 1 was wrong",
  });
  const report = build([retirement(1, { amount: 8 }), retirement(2, { amount: 4, scope3Category: 1 }), reversed]);
  const d = scope3Disclosures(report);

  describe("GHG Protocol Scope 3 lines", function () {
    it("gives gross, the adjustment and certificate-adjusted per Scope 3 category in exact tCO2e", function () {
      expect(
        d.ghgProtocol.map((l) => [
          l.scope3Category,
          l.label,
          l.gross.value,
          l.certificateAdjustment.value,
          l.certificateAdjusted.value,
          l.retirementIds,
        ]),
      ).to.deep.equal([
        [1, "Category 1: Purchased goods and services", "3.000000", "-0.136868", "2.863132", ["2"]],
        [2, "Category 2: Capital goods", "4.143360", "-0.171085", "3.972275", ["1"]],
      ]);
      for (const l of d.ghgProtocol) {
        expect(l.gross.unit).to.equal("tCO2e");
        expect(l.note).to.equal(null);
      }
      expect(d.ghgProtocol[1]!.gross.source).to.equal("current.scope3Subtotals[1].inventoryEmissionsKg");
    });

    it("never reduces the gross figure: it is the same with or without certificates", function () {
      const none = scope3Disclosures(build([]));
      expect(d.ghgProtocol.map((l) => l.gross.value)).to.deep.equal(none.ghgProtocol.map((l) => l.gross.value));
      expect(d.esrs.gross.value).to.equal(none.esrs.gross.value).and.to.equal("7.143360");
      expect(d.cdp.map((r) => r.emissions.value)).to.deep.equal(["3.000", "4.143"]);
      expect(none.ghgProtocol.map((l) => l.certificateAdjustment.value)).to.deep.equal(["0.000000", "0.000000"]);
    });

    it("keeps the adjustment separate, and gross + adjustment = certificate-adjusted exactly", function () {
      for (const l of d.ghgProtocol) {
        const sum = new Dec(l.gross.value as string).plus(l.certificateAdjustment.value as string);
        expect(sum.toFixed(6)).to.equal(l.certificateAdjusted.value);
        expect(l.certificateAdjustment.name).to.match(/separately/);
      }
    });

    it("shows only what was applied when the certificates exceed a category's emissions (floored at zero)", function () {
      const r = scope3Disclosures(
        build(
          [retirement(1, { category: "server", amount: 1, reductionKgPerDevice: "261.023" })],
          [{ year: 2026, category: "server", devices: 1, pcfKgPerDevice: "100", scope3Category: 2 }],
        ),
      );
      const l = r.ghgProtocol[0]!;
      expect([l.gross.value, l.certificateAdjustment.value, l.certificateAdjusted.value]).to.deep.equal([
        "0.100000",
        "-0.100000",
        "0.000000",
      ]);
      expect(l.certificateAdjustment.computed).to.include("less than the certificates' 0.261023 tCO2e");
    });
  });

  describe("a reversed retirement", function () {
    it("is never in the adjustment, the retirement ids or the verify commands", function () {
      expect(report.current.unapplied.map((u) => [u.retirementId, u.reason])).to.deep.equal([
        ["1", "EXCEEDS_PROCURED_DEVICES"],
        ["3", "CLAIM_REVERSED"],
      ]);
      const without = scope3Disclosures(
        build([retirement(1, { amount: 8 }), retirement(2, { amount: 4, scope3Category: 1 })]),
      );
      expect(d.ghgProtocol).to.deep.equal(without.ghgProtocol);
      expect(d.esrs.certificateAdjustment.value).to.equal("-0.307953");
      expect(d.ghgProtocol.flatMap((l) => l.retirementIds)).to.not.include("3");
      expect(d.verifyCommands).to.deep.equal(["npx itec verify retirement 1", "npx itec verify retirement 2"]);
    });
  });

  describe("CDP 7.8 rows", function () {
    it("fill the questionnaire's columns per Scope 3 category", function () {
      const cat2 = d.cdp[1]!;
      expect(cat2.category.value).to.equal("Capital goods");
      expect(cat2.evaluationStatus.value).to.equal("Relevant, calculated");
      expect(cat2.emissions).to.include({ name: "Emissions in reporting year (metric tons CO2e)", value: "4.143" });
      expect(cat2.methodology.value).to.deep.equal(["Supplier-specific method", "Average data method"]);
      expect(d.cdp[0]!.methodology.value).to.deep.equal(["Supplier-specific method"]);
      expect(cat2.explanation.value).to.include("not deducted").and.include("-0.171085 tCO2e");
      expect((cat2.explanation.value as string).length).to.be.at.most(2400);
    });

    it("gives the share of emissions from supplier-specific data (supplier PCF rows)", function () {
      // Category 2: 2600.000 / 4143.360 = 62.751 % → 62.75; Category 1: 100 %; all: 5600.000 / 7143.360 → 78.39.
      expect(d.cdp.map((r) => r.supplierDataPct.value)).to.deep.equal(["100.00", "62.75"]);
      expect(d.cdp[1]!.supplierDataPct.name).to.equal(
        "Percentage of emissions calculated using data obtained from suppliers or value chain partners",
      );
      expect(d.esrs.supplierDataPct.value).to.equal("78.39");
      const noPcf = scope3Disclosures(
        build([], [{ year: 2026, category: "laptop", devices: 2, manufacturer: "Dell", model: "Latitude 5420" }]),
      );
      expect(noPcf.esrs.supplierDataPct.value).to.equal("0.00");
      expect(noPcf.cdp[0]!.methodology.value).to.deep.equal(["Average data method"]);
    });
  });

  describe("ESRS E1-6", function () {
    it("gives the gross data point, per category, and the adjustment disclosed separately", function () {
      expect(d.esrs.gross).to.include({ name: "Gross Scope 3 GHG emissions", value: "7.143360", unit: "tCO2e" });
      expect(d.esrs.gross.ref).to.include("E1-6_11");
      expect(d.esrs.byCategory.map((f) => f.value)).to.deep.equal(["3.000000", "4.143360"]);
      expect(d.esrs.categoriesIncluded.value).to.deep.equal([
        "Category 1: Purchased goods and services",
        "Category 2: Capital goods",
      ]);
      expect(d.esrs.certificateAdjustment.computed).to.include("certificate-adjusted 6.835407 tCO2e");
    });
  });

  describe("an inventory without Scope 3 categories", function () {
    it("gives one line saying it cannot be split, with the totals", function () {
      const r = scope3Disclosures(
        build([retirement(1)], [{ year: 2026, category: "laptop", devices: 100, pcfKgPerDevice: "300.000" }]),
      );
      expect(r.ghgProtocol).to.have.length(1);
      const l = r.ghgProtocol[0]!;
      expect(l.scope3Category).to.equal(null);
      expect(l.note).to.match(/^Not split by Scope 3 category: the 2026 inventory gives no scope3_category/);
      // 100 × 300 = 30000.000 kg; 10 × 34.217 = 342.170 kg.
      expect([l.gross.value, l.certificateAdjustment.value, l.certificateAdjusted.value]).to.deep.equal([
        "30.000000",
        "-0.342170",
        "29.657830",
      ]);
      expect(r.cdp).to.have.length(1);
      expect(r.cdp[0]!.category.value).to.equal(null);
      expect(r.esrs.byCategory.map((f) => f.value)).to.deep.equal([null]);
      expect(r.esrs.categoriesIncluded.value).to.equal(null);
    });
  });

  describe("disclosureTable", function () {
    it("lists every field once with its framework, value, unit, source and how computed", function () {
      const rows = disclosureTable(d);
      expect(rows).to.have.length(2 * 3 + 2 * 6 + 6);
      for (const r of rows) expect(r.source).to.be.a("string").and.not.equal("");
      expect(rows.filter((r) => r.framework === "ESRS E1-6").map((r) => r.value)).to.deep.include("7.143360");
    });
  });
});
