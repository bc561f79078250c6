/**
 * The issuance-time report hash (oracle/src/pipeline/report-hash.ts): the same keccak256 in this thread and on the
 * worker thread a large report goes to, the event loop kept free while a report at the device cap's size is hashed,
 * and the store reads a report as its UTF-8 bytes (multi-byte characters included).
 */
import { monitorEventLoopDelay } from "node:perf_hooks";

import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { IN_THREAD_BYTES, reportKeccak } from "../../oracle/src/pipeline/report-hash.ts";
import { JobStore } from "../../oracle/src/store/jobs.ts";
import { forEachEngine } from "./engines.ts";
import { utf8Text } from "../../core/db/sql.ts";

describe("Report hash at issuance", () => {
  it("hashes a small report in this thread and a large one on a worker, to the same keccak256", async function () {
    this.timeout(60_000);
    const small = toUtf8Bytes(JSON.stringify({ report: "é€", n: 1 }));
    expect(await reportKeccak(small)).to.equal(keccak256(small));
    const text = JSON.stringify({ devices: Array.from({ length: 40_000 }, (_, i) => ({ id: `DEV-${i}`, kg: "1.5" })) });
    const large = new TextEncoder().encode(text);
    expect(large.byteLength).to.be.greaterThan(IN_THREAD_BYTES);
    const expected = keccak256(large);
    // A view into a larger buffer is hashed as the view (copied before the transfer, the caller's bytes intact).
    const padded = new Uint8Array(large.byteLength + 10);
    padded.set(large, 5);
    expect(await reportKeccak(padded.subarray(5, 5 + large.byteLength))).to.equal(expected);
    expect(padded[5]).to.equal(large[0]);
    expect(await reportKeccak(large)).to.equal(expected);
  });

  it("keeps the event loop free while a 26 MB report is hashed", async function () {
    this.timeout(120_000);
    const bytes = new Uint8Array(26_000_000).fill(0x61);
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const hash = await reportKeccak(bytes);
    delay.disable();
    expect(hash).to.match(/^0x[0-9a-f]{64}$/);
    // In this thread (ethers' UTF-8 encoder and keccak) it is one stretch of ~2.5 s (load 4); on the worker only its
    // start-up (the bound leaves room for a shared machine).
    expect(delay.max / 1e6, "longest stall (ms)").to.be.below(300);
  });
});

forEachEngine("Lot JSON as UTF-8 bytes", (makeEngine) => {
  it("stores input and report given as bytes as TEXT, and reads the report back as bytes", async function () {
    const engine = makeEngine();
    const store = await JobStore.open(engine.target);
    try {
      const report = JSON.stringify({ beneficiary: "Société Générale — 東京" });
      const input = JSON.stringify([{ serial: "Ä-1" }]);
      const lot = await store.tx(
        () =>
          store.insertLot(
            {
              refurbisher: "0x" + "11".repeat(20),
              lot_ref: "R1",
              as_of: "2026-06-30",
              options_json: "{}",
              input_sha256: "00",
              input_json: utf8Text(new TextEncoder().encode(input)),
              correlation_id: "c",
            },
            {
              report_json: utf8Text(new TextEncoder().encode(report)),
              report_hash: keccak256(toUtf8Bytes(report)),
              reference_sha256: "r",
              summary_json: "{}",
            },
          ),
        { offThread: true },
      );
      // Given as bytes (moved to the SQLite thread on a file), they are not held by the returned row.
      expect(() => lot.report_json).to.throw(/not held/);
      const row = (await store.lot(lot.id))!;
      expect(row.report_json).to.equal(report);
      expect(row.input_json).to.equal(input);
      const stored = (await store.lotReport(lot.id))!;
      expect(Buffer.from(stored.report!).toString("utf8")).to.equal(report);
      expect(await reportKeccak(stored.report!)).to.equal(stored.report_hash);
      expect(await store.lotReport("L999")).to.equal(undefined);
    } finally {
      await store.close();
      await engine.dispose();
    }
  });
});
