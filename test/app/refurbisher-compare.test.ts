/**
 * The upload screen's comparison of the browser's calculation with the registry's (app/src/screens/refurbisher/
 * compare.ts): identical when every figure matches; otherwise each difference is named, with the reason when the
 * registry's answer shows it (devices already certified elsewhere, other reference data).
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { getAddress } from "ethers";

import { compareLot } from "../../app/src/screens/refurbisher/compare.ts";
import type { LotView } from "../../app/src/screens/refurbisher/lots-api.ts";
import { calculateLotCsv, type BrowserLotResult } from "../../core/calc/browser.ts";

const refurbisher = getAddress("0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc");
const browser: BrowserLotResult = calculateLotCsv(
  readFileSync("data/samples/demo-lot.csv", "utf8"),
  readFileSync("data/reference/boavizta-data-us.csv"),
  { asOf: "2026-12-01", refurbisher },
);

/** The lot as GET /lots/:id answers it when the oracle calculated exactly what the browser did. */
function registryView(): LotView {
  return {
    id: "L1",
    refurbisher,
    lotRef: browser.lotRef,
    status: "calculated",
    asOf: browser.asOf,
    reportHash: browser.reportHash,
    referenceDataSha256: browser.referenceSha256,
    submittedAt: "2026-12-01T10:00:00.000Z",
    error: null,
    summary: {
      asOf: browser.asOf,
      devices: browser.devices,
      eligible: browser.eligible,
      excluded: { ...browser.excluded },
      problems: browser.problems.length,
      batches: browser.batches.map((b) => ({
        category: b.category,
        eligible: b.eligible,
        certificates: b.certificates,
        baselineKg: b.baselineKg,
        reductionKg: b.reductionKg,
        relU: b.relU,
        issued: b.issued,
        reason: b.reason,
      })),
    },
    batches: browser.batches.map((b) => ({
      id: `L1-${b.category}`,
      lotId: "L1",
      category: b.category,
      state: "awaiting_signatures",
      certificates: b.certificates,
      baselineGrams: b.baselineGrams,
      reductionGrams: b.reductionGrams,
      deviceRoot: b.deviceRoot,
      vintageStart: b.vintageStart,
      vintageEnd: b.vintageEnd,
      reason: null,
      error: null,
      digest: null,
      deadline: null,
      tokenId: null,
    })),
  };
}

describe("Web app: the browser's lot calculation compared with the registry's", () => {
  it("is identical when the report hash and every figure match", () => {
    const c = compareLot(browser, registryView());
    expect(c.identical).to.equal(true);
    expect(c.differences).to.deep.equal([]);
    // report hash, reference, date, devices, eligible + six figures for each of the six batches
    expect(c.figures).to.have.length(5 + 6 * 6);
  });

  it("names each difference, to the gram", () => {
    const lot = registryView();
    const server = lot.summary!.batches.find((b) => b.category === "server")!;
    server.reductionKg = "314.049";
    lot.batches.find((b) => b.category === "server")!.reductionGrams = "314049";
    lot.reportHash = `0x${"0".repeat(64)}`;
    const c = compareLot(browser, lot);
    expect(c.identical).to.equal(false);
    expect(c.differences).to.deep.equal([
      `Report hash: ${browser.reportHash} in your browser, 0x${"0".repeat(64)} at the registry.`,
      "server: V̄ per device: 314.050 in your browser, 314.049 at the registry.",
      "server: V̄ on the certificate: 314050 in your browser, 314049 at the registry.",
    ]);
  });

  it("explains a difference the registry's answer accounts for", () => {
    const taken = registryView();
    taken.reportHash = `0x${"1".repeat(64)}`;
    taken.summary!.excluded.SERIAL_DUPLICATE = (taken.summary!.excluded.SERIAL_DUPLICATE ?? 0) + 3;
    expect(compareLot(browser, taken).explanation).to.match(/excluded 3 more device\(s\) as SERIAL_DUPLICATE/);

    const otherReference = registryView();
    otherReference.referenceDataSha256 = "ab".repeat(32);
    const c = compareLot(browser, otherReference);
    expect(c.identical).to.equal(false);
    expect(c.explanation).to.match(/other reference data/);
  });

  it("names a batch only one side has", () => {
    const lot = registryView();
    lot.summary!.batches = lot.summary!.batches.filter((b) => b.category !== "tablet");
    lot.batches = lot.batches.filter((b) => b.category !== "tablet");
    const c = compareLot(browser, lot);
    expect(c.differences).to.include("tablet: certificates: 4 in your browser, none at the registry.");
  });
});
