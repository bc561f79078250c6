/**
 * The fast path (memo, double filter, exact fixed point, Decimal fallback) against the naive per-device Decimal
 * evaluation, on a synthetic lot with the realistic mix of the benchmark.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { generateLot } from "../../../bench/generate-lot.ts";
import { readLotCsv } from "../../../oracle/src/lot/index.ts";
import { calculateLot, type DeviceInput } from "../../../oracle/src/methodology/index.ts";
import { computeLot } from "../../../oracle/src/methodology/lot.ts";
import { DEFAULT_LEGS, reference } from "./fixtures.ts";
import { naiveLot } from "./naive.ts";

const AS_OF = "2026-01-31";

describe("fast path vs naive Decimal evaluation", () => {
  let devices: DeviceInput[];
  let dir: string;
  before(async function () {
    this.timeout(60_000);
    dir = mkdtempSync(join(tmpdir(), "itec-calc-"));
    const file = join(dir, "lot.csv");
    await generateLot(30_000, file, 7);
    devices = await readLotCsv(file);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe("calculateLot", () => {
    it("gives every device of a 30,000-device synthetic lot exactly the naive figures or exclusion", function () {
      this.timeout(60_000);
      const fast = calculateLot(devices, { asOf: AS_OF, defaultTransport: DEFAULT_LEGS }, reference());
      const naive = naiveLot(devices, AS_OF, DEFAULT_LEGS, reference());
      let compared = 0;
      for (let i = 0; i < devices.length; i++) {
        const d = fast.device(i);
        const n = naive[i]!;
        const got = d.excluded ?? [d.tier, d.M, d.B, d.R, d.R_up, d.U, d.V].join(" ");
        const want = n.excluded ?? [n.tier, n.M, n.B, n.R, n.R_up, n.U, n.V].join(" ");
        expect(got, `line ${d.line}`).to.equal(want);
        compared++;
      }
      expect(compared).to.equal(30_000);
    });

    it("exercises all three levels of the shortcut on that lot", () => {
      const { stats } = computeLot(devices, { asOf: AS_OF, defaultTransport: DEFAULT_LEGS }, reference());
      expect(stats.figures).to.be.greaterThan(1000);
      expect(stats.exact, "figures decided by the exact fixed point").to.be.greaterThan(0);
      expect(stats.fallbacks, "figures left to Decimal").to.be.greaterThan(0);
    });
  });
});
