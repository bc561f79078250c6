/**
 * The audit sample record (sdk/src/sample-record.ts, ADR 0055): one record per batch from every auditor's outcomes
 * (the latest wins), hashed over its RFC 8785 bytes only once complete, and the one-line summary verifiers print.
 */
import { expect } from "chai";
import { keccak256, toUtf8Bytes, ZeroHash } from "ethers";

import {
  attestedSampleHash,
  auditSampleRecord,
  missingDevices,
  sampleComplete,
  sampleRecordBytes,
  sampleRecordHash,
  sampleSummary,
  type RecordedOutcome,
} from "../../sdk/src/sample-record.ts";
import { SamplingError, type SampleRecord } from "../../sdk/src/sample-draw.ts";

const A = `0x${"11".repeat(32)}`;
const B = `0x${"22".repeat(32)}`;
const DRAW: SampleRecord = {
  plan: "ITEC-SAMPLE-1",
  categoryCode: 1,
  reportHash: `0x${"AB".repeat(32)}`,
  submittedBlock: 41,
  seedBlock: { number: 42, hash: `0x${"cd".repeat(32)}` },
  seed: `0x${"5e".repeat(32)}`,
  population: 2,
  size: 2,
  devices: [B, A],
};
const auditor1 = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const auditor2 = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const outcome = (auditor: string, deviceId: string, o: "seen" | "missing", t: number): RecordedOutcome => ({
  auditor,
  deviceId,
  outcome: o,
  at: at(t),
});

describe("audit sample record", function () {
  describe("auditSampleRecord", function () {
    it("keeps the draw order and gives each device the latest outcome of any auditor", function () {
      const r = auditSampleRecord(DRAW, [
        outcome(auditor1, A, "seen", 1),
        outcome(auditor2, A, "missing", 2),
        outcome(auditor1, B.toUpperCase().replace("0X", "0x"), "seen", 1),
      ]);
      expect(r.devices).to.deep.equal([
        { deviceId: B, outcome: "seen" },
        { deviceId: A, outcome: "missing" },
      ]);
      expect(r.reportHash).to.equal(DRAW.reportHash.toLowerCase());
      expect(missingDevices(r)).to.deep.equal([A]);
    });

    it("breaks a tie in time by the greater auditor address, whatever the order the rows come in", function () {
      const rows = [outcome(auditor1, A, "missing", 5), outcome(auditor2, A, "seen", 5)];
      expect(auditSampleRecord(DRAW, rows).devices[1]!.outcome).to.equal("seen");
      expect(auditSampleRecord(DRAW, [...rows].reverse()).devices[1]!.outcome).to.equal("seen");
    });

    it("ignores outcomes for devices outside the sample", function () {
      const r = auditSampleRecord(DRAW, [outcome(auditor1, `0x${"99".repeat(32)}`, "seen", 1)]);
      expect(r.devices.map((d) => d.outcome)).to.deep.equal([null, null]);
    });
  });

  describe("sampleRecordHash", function () {
    const complete = auditSampleRecord(DRAW, [outcome(auditor1, A, "seen", 1), outcome(auditor1, B, "seen", 1)]);

    it("is keccak256 of the RFC 8785 bytes: members sorted, no whitespace (a pinned vector)", function () {
      const text = new TextDecoder().decode(sampleRecordBytes(complete));
      expect(text).to.equal(
        `{"categoryCode":1,"devices":[{"deviceId":"${B}","outcome":"seen"},{"deviceId":"${A}","outcome":"seen"}],` +
          `"plan":"ITEC-SAMPLE-1","population":2,"reportHash":"0x${"ab".repeat(32)}",` +
          `"seed":"0x${"5e".repeat(32)}","seedBlock":{"hash":"0x${"cd".repeat(32)}","number":42},"size":2,` +
          `"submittedBlock":41}`,
      );
      expect(sampleRecordHash(complete)).to.equal(keccak256(toUtf8Bytes(text)));
      expect(attestedSampleHash(complete)).to.equal(sampleRecordHash(complete));
    });

    it("changes when one outcome flips or one device is swapped", function () {
      const flipped = { ...complete, devices: [complete.devices[0]!, { deviceId: A, outcome: "missing" as const }] };
      const swapped = { ...complete, devices: [{ deviceId: A, outcome: "seen" as const }, complete.devices[1]!] };
      const hashes = new Set([complete, flipped, swapped].map(sampleRecordHash));
      expect(hashes.size).to.equal(3);
    });

    it("refuses an incomplete record; the attestation then carries the zero hash", function () {
      const partial = auditSampleRecord(DRAW, [outcome(auditor1, A, "seen", 1)]);
      expect(sampleComplete(partial)).to.equal(false);
      expect(() => sampleRecordHash(partial)).to.throw(SamplingError, /incomplete/);
      expect(attestedSampleHash(partial)).to.equal(ZeroHash);
      expect(attestedSampleHash(undefined)).to.equal(ZeroHash);
    });
  });

  describe("sampleSummary", function () {
    it('says "all evidence seen", "k missing" or how many have no outcome', function () {
      const seed = DRAW.seed;
      const of = (...o: ("seen" | "missing" | null)[]) => ({
        size: o.length,
        seed,
        devices: o.map((x, i) => ({ deviceId: String(i), outcome: x })),
      });
      expect(sampleSummary(of("seen", "seen"))).to.equal(`sample of 2 devices, seed ${seed}, all evidence seen`);
      expect(sampleSummary(of("seen", "missing"))).to.equal(`sample of 2 devices, seed ${seed}, 1 missing`);
      expect(sampleSummary(of("seen"))).to.equal(`sample of 1 device, seed ${seed}, all evidence seen`);
      expect(sampleSummary(of(null, "seen"))).to.equal(`sample of 2 devices, seed ${seed}, 1 without an outcome`);
    });
  });
});
