/** Reference table (docs/methodology.md §2): validity, tiers, P25, lifetimes; and its adapter. */
import { expect } from "chai";

import { buildReferenceTable, CalcInputError, type ReferenceRow } from "../../core/calc/index.ts";
import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import { reference } from "./fixtures.ts";

const SOURCE = { sha256: "00", source: "test", license: "test" };

function row(over: Partial<ReferenceRow>): ReferenceRow {
  return {
    manufacturer: "Acme",
    name: "Book 1",
    subcategory: "Laptop",
    gwp_total: "100",
    gwp_use_ratio: "0.2",
    gwp_manufacturing_ratio: "0.7",
    gwp_transport_ratio: "",
    gwp_eol_ratio: "",
    lifetime: "4",
    ...over,
  };
}

describe("reference table", () => {
  describe("loadReferenceTable", () => {
    it("loads the shipped Boavizta table and hashes its bytes", () => {
      const t = reference();
      expect(t.sha256).to.equal("eaeb19cc36308c8759deeea496d270d9d6ed0e46c3f113099844c3f9bf6cca9c");
      expect(t.rows).to.equal(1226);
      expect(t.validRows).to.be.within(1000, 1226);
    });

    it("stops with BAD_REFERENCE when the file cannot be read", () => {
      expect(() => loadReferenceTable("/nonexistent.csv"))
        .to.throw(CalcInputError)
        .with.property("code", "BAD_REFERENCE");
    });
  });

  describe("match", () => {
    it("finds T1 and T2 rows by normalised manufacturer and model", () => {
      const t = reference();
      expect(t.match("dell", "latitude 5420")).to.deep.include({ tier: "T1", lifetimeMonths: 48 });
      expect(t.match("dell", "latitude 5420")!.M.toFixed()).to.equal("308.672");
      expect(t.match("lenovo", "thinkpad t490")!.tier).to.equal("T2");
      expect(t.match("lenovo", "thinkpad t490")!.M.toFixed()).to.equal("341.01");
      expect(t.match("fujitsu", "lifebook u7410")).to.equal(undefined);
    });

    it("prefers T1 over T2, then the lowest M", () => {
      const t = buildReferenceTable(
        [row({ gwp_manufacturing_ratio: "", gwp_total: "50" }), row({ gwp_total: "300" }), row({ gwp_total: "200" })],
        SOURCE,
      );
      const m = t.match("acme", "book 1")!;
      expect([m.tier, m.M.toFixed(), m.row]).to.deep.equal(["T1", "140", 3]);
    });

    it("skips invalid rows: total ≤ 0, ratios summing above 1.05, manufacturing ratio outside (0, 1]", () => {
      const t = buildReferenceTable(
        [
          row({ name: "A", gwp_total: "0" }),
          row({ name: "B", gwp_use_ratio: "0.5", gwp_manufacturing_ratio: "0.5", gwp_transport_ratio: "0.06" }),
          row({ name: "C", gwp_manufacturing_ratio: "1.2", gwp_use_ratio: "" }),
          row({ name: "D", gwp_manufacturing_ratio: "0", gwp_use_ratio: "" }),
          row({ name: "E", gwp_total: "n/a" }),
          row({ name: "F", gwp_use_ratio: "0.5", gwp_manufacturing_ratio: "0.5", gwp_transport_ratio: "0.05" }),
        ],
        SOURCE,
      );
      expect(["a", "b", "c", "d", "e", "f"].map((n) => t.match("acme", n)?.tier ?? "-")).to.deep.equal([
        "-",
        "-",
        "-",
        "-",
        "-",
        "T1",
      ]);
      expect(t.validRows).to.equal(1);
    });

    it("computes T2 as total × max(0, 1 − use − transport (0.08) − eol (0.01))", () => {
      const t = buildReferenceTable(
        [
          row({ name: "A", gwp_manufacturing_ratio: "", gwp_use_ratio: "0.1" }),
          row({
            name: "B",
            gwp_manufacturing_ratio: "",
            gwp_use_ratio: "0.1",
            gwp_transport_ratio: "0",
            gwp_eol_ratio: "0.02",
          }),
          row({ name: "C", gwp_manufacturing_ratio: "", gwp_use_ratio: "0.99", gwp_transport_ratio: "0.05" }),
        ],
        SOURCE,
      );
      expect(["a", "b", "c"].map((n) => t.match("acme", n)!.M.toFixed())).to.deep.equal(["81", "88", "0"]);
    });

    it("takes floor(lifetime × 12) months within 1–10 years, else leaves the category default", () => {
      const t = buildReferenceTable(
        [
          row({ name: "A", lifetime: "3.5" }),
          row({ name: "B", lifetime: "10" }),
          row({ name: "C", lifetime: "12" }),
          row({ name: "D", lifetime: "" }),
          row({ name: "E", lifetime: "0.5" }),
        ],
        SOURCE,
      );
      expect(["a", "b", "c", "d", "e"].map((n) => t.match("acme", n)!.lifetimeMonths)).to.deep.equal([
        42,
        120,
        undefined,
        undefined,
        undefined,
      ]);
    });
  });

  describe("t3", () => {
    it("takes the nearest-rank P25 of the subcategory's manufacturing emissions, capped by the generic M", () => {
      const rows = ["10", "20", "30", "40", "50"].map((total, i) =>
        row({ name: `N${i}`, gwp_total: total, gwp_manufacturing_ratio: "1", gwp_use_ratio: "" }),
      );
      const t = buildReferenceTable(rows, SOURCE);
      // n = 5 → position ceil(1.25) = 2 → 20; laptop generic 181 is higher.
      expect(t.t3("laptop").p25!.toFixed()).to.equal("20");
      expect(t.t3("laptop").M.toFixed()).to.equal("20");
      expect(t.t3("server").p25).to.equal(undefined);
      expect(t.t3("server").M.toFixed()).to.equal("3660");
    });
  });

  describe("buildReferenceTable", () => {
    it("stops with BAD_REFERENCE when a column is missing", () => {
      const { lifetime: _l, ...partial } = row({});
      expect(() => buildReferenceTable([partial as ReferenceRow], SOURCE))
        .to.throw(CalcInputError)
        .with.property("code", "BAD_REFERENCE");
    });
  });
});
