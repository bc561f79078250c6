/** The calculation report: content, canonical form, hash and the published file. */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import {
  canonicalJson,
  calculateLot,
  METHOD_VERSION,
  PARAMS,
  PARAMS_VERSION,
  type LotResult,
} from "../../core/calc/index.ts";
import { DEFAULT_LEGS, reference, readVector, readVectorLot } from "./fixtures.ts";

function fileOf(r: LotResult): string {
  const parts: Uint8Array[] = [];
  r.writeReportFile((b) => parts.push(Buffer.from(b)));
  return Buffer.concat(parts).toString("utf8");
}

describe("calculation report", () => {
  let lot: LotResult;
  before(async () => {
    lot = calculateLot(
      await readVectorLot("section9-lot.csv"),
      { asOf: "2026-06-30", defaultTransport: DEFAULT_LEGS, lotId: "S9", refurbisher: "Refurb Ltd" },
      reference(),
    );
  });

  describe("content", () => {
    it("records method, parameters, reference data and lot options", () => {
      const r = lot.report;
      expect(r.method).to.equal(METHOD_VERSION).and.to.equal("ITEC-CALC 1.0");
      expect(r.params).to.equal(PARAMS_VERSION).and.to.equal("ITEC-PARAMS-1");
      expect(r.parameters).to.deep.equal(PARAMS);
      expect(r.referenceData.sha256).to.equal("eaeb19cc36308c8759deeea496d270d9d6ed0e46c3f113099844c3f9bf6cca9c");
      expect(r.referenceData.license).to.match(/ODbL/);
      expect(r.lot).to.deep.include({
        id: "S9",
        refurbisher: "Refurb Ltd",
        asOf: "2026-06-30",
        devices: 6,
        eligible: 6,
      });
    });

    it("holds each device's normalised inputs, id and figures", () => {
      const d = lot.report.devices[0]!;
      expect(d).to.deep.include({
        line: 2,
        serial: "S9-5420-001",
        manufacturer: "dell",
        model: "latitude 5420",
        category: "laptop",
        ship_mass_kg: "2.0",
        transport: DEFAULT_LEGS,
        tier: "T1",
        B: "231.504",
        V: "58.625",
      });
      expect(d.deviceId).to.equal(keccak256(toUtf8Bytes("dell|S9-5420-001")));
    });

    it("holds each batch with its grams, root and vintage", () => {
      const b = lot.report.batches.find((x) => x.category === "desktop")!;
      expect(b).to.deep.include({
        certificates: 1,
        baselineKg: "500.640",
        baselineGrams: "500640",
        reductionGrams: "71325",
        vintageStart: "2026-03-31",
        vintageEnd: "2026-03-31",
      });
      expect(b.deviceRoot).to.match(/^0x[0-9a-f]{64}$/);
      expect(b.cutOff).to.deep.include({ R: "35.552", R_up: "52.971", U: "117.548", V: "347.540" });
    });
  });

  describe("canonical JSON and hash", () => {
    it("streams exactly canonicalJson(report)", () => {
      expect(lot.reportJson).to.equal(canonicalJson(lot.report));
      expect([...lot.reportChunks()].join("")).to.equal(lot.reportJson);
    });

    it("hashes the canonical bytes with keccak256", () => {
      expect(lot.reportHash).to.equal(keccak256(toUtf8Bytes(lot.reportJson)));
    });

    it("streams a synthetic 3,000-device lot (every exclusion, all categories) exactly as canonicalJson", () => {
      const { cases } = readVector<{ cases: { devices: Record<string, string>[] }[] }>("calc-vectors.json");
      const rows = cases.flatMap((c) => c.devices);
      const devices = Array.from({ length: 3000 }, (_, i) => {
        const d = rows[i % rows.length]!;
        return { ...d, serial: d.serial === "" ? "" : `${d.serial}/${i}`, test_report_id: `TR "${i}" \\ é` } as never;
      });
      const big = calculateLot(devices, { asOf: "2026-06-30" }, reference());
      expect(big.reportJson).to.equal(canonicalJson(big.report));
      expect(big.reportHash).to.equal(keccak256(toUtf8Bytes(big.reportJson)));
    });
  });

  describe("writeReportFile", () => {
    it("writes the canonical report plus a final reportHash member, itself canonical", () => {
      const text = fileOf(lot);
      const parsed = JSON.parse(text) as Record<string, unknown>;
      expect(Object.keys(parsed).at(-1)).to.equal("reportHash");
      expect(parsed.reportHash).to.equal(lot.reportHash);
      expect(canonicalJson(parsed)).to.equal(text);
      delete parsed.reportHash;
      expect(keccak256(toUtf8Bytes(canonicalJson(parsed)))).to.equal(lot.reportHash);
    });

    it("computes the hash on the way when it was not asked for before", async () => {
      const fresh = calculateLot(
        await readVectorLot("section9-lot.csv"),
        { asOf: "2026-06-30", defaultTransport: DEFAULT_LEGS, lotId: "S9", refurbisher: "Refurb Ltd" },
        reference(),
      );
      const text = fileOf(fresh);
      expect((JSON.parse(text) as { reportHash: string }).reportHash).to.equal(lot.reportHash);
    });
  });
});
