/** docs/methodology.md §9 — every published figure, from the lot CSV, through `calculateLot`. */
import { expect } from "chai";

import { calculateLot, ceil3, Dec, projectItemsOf, type LotResult } from "../../core/calc/index.ts";
import { reference, readVector, readVectorLot } from "./fixtures.ts";

interface Section9 {
  asOf: string;
  defaultTransport: string;
  devices: Record<string, string | number>[];
  batches: Record<string, unknown>[];
  batchesWithout7420: Record<string, unknown>[];
  t3: { laptop: { p25: string; generic: string; M: string } };
}

const S9 = readVector<Section9>("section9.json");

async function run(file: string): Promise<LotResult> {
  const devices = await readVectorLot(file);
  return calculateLot(devices, { asOf: S9.asOf, defaultTransport: S9.defaultTransport }, reference());
}

describe("ITEC-CALC 1.0 — docs/methodology.md §9", () => {
  let lot: LotResult;
  before(async () => {
    lot = await run("section9-lot.csv");
  });

  describe("devices", () => {
    for (const expected of S9.devices) {
      it(`reproduces every figure of ${String(expected.serial)} when calculated from the lot CSV`, () => {
        const d = lot.devices.find((x) => x.serial === expected.serial)!;
        expect(d, "device").to.not.equal(undefined);
        expect(d.excluded).to.equal(undefined);
        expect({ tier: d.tier, L_ref: d.L_ref, L1: d.L1, L2: d.L2 }).to.deep.equal({
          tier: expected.tier,
          L_ref: expected.L_ref,
          L1: expected.L1,
          L2: expected.L2,
        });
        // M as published (3 dp), P and UP rounded up to 3 dp for reading, as the table shows them.
        expect(new Dec(d.M!).toFixed(3)).to.equal(expected.M);
        const items = projectItemsOf(d)!;
        expect(ceil3(new Dec(items.P)).toFixed(3)).to.equal(expected.P);
        expect(ceil3(new Dec(items.UP)).toFixed(3)).to.equal(expected.UP);
        expect([d.B, d.R, d.R_up, d.U, d.V]).to.deep.equal([
          expected.B,
          expected.R,
          expected.R_up,
          expected.U,
          expected.V,
        ]);
      });
    }
  });

  describe("batches", () => {
    it("splits the lot into laptop, desktop and server batches", () => {
      expect(lot.batches.map((b) => b.category)).to.deep.equal(["laptop", "desktop", "server"]);
    });

    for (const expected of S9.batches) {
      it(`gives the published ${String(expected.category)} batch`, () => {
        const b = lot.batches.find((x) => x.category === expected.category)!;
        expect(b).to.deep.include(expected.totals === undefined ? expected : { ...expected, totals: b.totals });
        if (expected.totals !== undefined) expect(b.totals).to.deep.include(expected.totals);
      });
    }

    it("issues nothing for the four laptops because ΣV = −56.697 < 0", () => {
      const b = lot.batches[0]!;
      expect(b).to.deep.include({ issued: false, reason: "NO_VERIFIED_REDUCTION", certificates: 0, eligible: 4 });
    });

    it("issues 3 I-TECs with B̄ 189.413 and V̄ 34.217 when the 7420 is left out", async () => {
      const without = await run("section9-lot-without-7420.csv");
      const b = without.batches[0]!;
      const expected = S9.batchesWithout7420[0]!;
      expect(b.totals).to.deep.include(expected.totals);
      expect(b).to.deep.include({ ...expected, totals: b.totals });
      expect(b.baselineGrams).to.equal(189413n);
      expect(b.reductionGrams).to.equal(34217n);
    });
  });

  describe("reference data", () => {
    it("computes the laptop P25 176.175 below the generic 181", () => {
      const t3 = reference().t3("laptop");
      expect([t3.p25!.toFixed(), t3.generic.toFixed(), t3.M.toFixed()]).to.deep.equal([
        S9.t3.laptop.p25,
        S9.t3.laptop.generic,
        S9.t3.laptop.M,
      ]);
    });
  });
});
