/**
 * Hardening campaign, scenario 2 — nothing on the request path starves the rest (issue 18 items 2 and 7): the
 * scenario of `npm run bench:dos` (test/helpers/dos-run.ts) — verify probes from their own thread, idle and then
 * while the largest lot is calculated and maximum-size Scope 3 PDFs render. At full scale (50,000 devices, four
 * 10,000-row reports) the budget is asserted: verify p99 ≤ 50 ms under load — not met today (bench/dos.ts
 * measured 427 ms), so `npm run soak` fails here and says by how much. The CI slice (2,000 devices, one 1,000-row
 * report) asserts that every probe and every heavy request was answered without a 5xx, and reports the p99.
 */
import { expect } from "chai";

import { runDosScenario, TARGET_P99_MS } from "../helpers/dos-run.ts";
import { reportFigures } from "./figures.ts";
import { SCALE } from "./scale.ts";

describe(`soak: DoS — verify latency under the heaviest requests (${SCALE.name} scale)`, function () {
  this.timeout(SCALE.name === "full" ? 1_800_000 : 240_000);

  it(
    SCALE.dos.assertBudget
      ? `keeps verify p99 ≤ ${TARGET_P99_MS} ms while the largest lot and ${SCALE.dos.reports} maximum reports run`
      : "answers every verify probe and every heavy request without a 5xx (p99 reported)",
    async function () {
      const r = await runDosScenario({
        devices: SCALE.dos.devices,
        reports: SCALE.dos.reports,
        inventoryRows: SCALE.dos.inventoryRows,
        idleProbes: SCALE.dos.idleProbes,
        gapMs: 10,
      });
      reportFigures("dos", {
        devices: SCALE.dos.devices,
        reports: SCALE.dos.reports,
        inventoryRows: SCALE.dos.inventoryRows,
        idle: r.idle,
        underLoad: r.underLoad,
        heavy: r.heavy,
        targetP99Ms: TARGET_P99_MS,
        budgetMet: r.underLoad.p99_ms <= TARGET_P99_MS,
      });
      expect(r.idle.failures, "failed probes on the idle API").to.equal(0);
      expect(r.underLoad.failures, "failed probes under load").to.equal(0);
      expect(r.underLoad.probes, "probes sent while the heavy requests ran").to.be.greaterThan(0);
      expect(r.heavy).to.have.length(1 + SCALE.dos.reports);
      for (const heavy of r.heavy) expect(heavy.status, JSON.stringify(heavy)).to.be.within(200, 299);
      if (SCALE.dos.assertBudget) {
        expect(
          r.underLoad.p99_ms,
          `verify p99 under load ${r.underLoad.p99_ms} ms (p50 ${r.underLoad.p50_ms} ms, max ${r.underLoad.max_ms} ms)`,
        ).to.be.at.most(TARGET_P99_MS);
      }
    },
  );
});
