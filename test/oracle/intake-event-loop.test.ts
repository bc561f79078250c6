/**
 * A large lot's store transaction leaves the event loop free (issue 18, item 2): the lot's row (input and report,
 * 42 MB at the device cap), its batches and one reservation row per device are written — on an SQLite file, on a
 * connection of a worker thread of their own — while the loop keeps answering, instead of one synchronous run from
 * BEGIN to COMMIT. Measured with `monitorEventLoopDelay` around `submitLot` on a SQLite file (the embedded default,
 * whose statements are synchronous) and on PostgreSQL. The lot's figures are
 * calculated before the measurement (in the API they are calculated on the worker pool): what is measured is the
 * store — given the lot as the worker pool answers it (input and report JSON as transferred UTF-8 bytes, which the
 * store moves on to its SQLite thread: this thread never copies or decodes them). The bound leaves room for a shared
 * CI machine (what remains is garbage collection and the thread's own share of two cores): with the statements on
 * the main connection this lot held the loop for one unbroken stretch of 450 ms (a quiet machine) to 1.3-2.1 s (load
 * average 10 on two cores); on the SQLite thread but with the JSON as strings (structured-cloned), 85-115 ms at load
 * 4-7 and 200-250 ms at load 10; as transferred bytes, 8-34 ms at load 2.5 (PostgreSQL, written in pieces: 29-40 ms).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";

import { expect } from "chai";
import { pino } from "pino";

import { generateLot } from "../../bench/generate-lot.ts";
import { ChainClient } from "../../core/chain/client.ts";
import { REQUEST_LIMITS } from "../../core/config.ts";
import { readLotCsv } from "../../core/calc/lot/index.ts";
import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import { devAccount } from "../../core/keys.ts";
import { Oracle } from "../../oracle/src/pipeline/oracle.ts";
import { inThreadCalculator, workerLot } from "../../oracle/src/pipeline/lot-calculation.ts";
import { JobStore } from "../../oracle/src/store/jobs.ts";
import { forEachEngine } from "./engines.ts";
import { ACCOUNTS, deployOverRpc, startTestChain } from "../helpers/chain.ts";

/** The largest lot the API takes. */
const DEVICES = REQUEST_LIMITS.lotDevices;
/**
 * The longest the loop may be held at once while the lot is stored (ms). The stall this catches was 1.3-2.1 s; on a
 * quiet machine it is now 8-40 ms, and CI (npm test beside test:anvil on two cores) measured 124 ms: the bound sits
 * well above the noise and well below the regression. The latency target itself is bench:dos's, not a unit test's.
 */
const BOUND_MS = 300;

// Both engines: on SQLite the statements run on the store's thread; on PostgreSQL the input and report are written
// in 1 MB pieces, since `pg` builds a whole bind message in one synchronous call (ADR 0061: 122-390 ms for this lot
// before, 29-36 ms at load 1.6 after).
forEachEngine("Lot intake and the event loop", (makeEngine) => {
  it(`stores a ${DEVICES.toLocaleString("en")}-device lot without holding the event loop ${BOUND_MS} ms`, async function () {
    this.timeout(240_000);
    const engine = makeEngine();
    const chain = await startTestChain();
    const dir = mkdtempSync(join(tmpdir(), "itec-intake-loop-"));
    const reference = loadReferenceTable();
    const deployed = await deployOverRpc(chain, { auditors: 2 });
    const client = await ChainClient.connect({ rpcUrl: chain.url, registryAddress: deployed.address, chainId: 1337n });
    const store = await JobStore.open(engine.target);
    try {
      const oracle = new Oracle({
        store,
        chain: client,
        signer: devAccount(ACCOUNTS.oracle, client.provider),
        reference,
        logger: pino({ level: "silent" }),
      });
      await generateLot(DEVICES, join(dir, "lot.csv"));
      const devices = await readLotCsv(join(dir, "lot.csv"));
      const refurbisher = deployed.wallet("refurbisher").address;
      const request = { devices, refurbisher, asOf: "2026-06-30", defaultTransport: "hgv:600;van:250" };
      // Calculated beforehand, answered at once: no device is taken yet, so the intake asks for this lot only — and
      // answered as the API's worker pool answers, the input and report JSON as bytes the store moves to its thread.
      const calculated = await inThreadCalculator(reference)({ ...request, certified: [] });
      const answer = workerLot(calculated).lot;
      const calculator = () => Promise.resolve(answer);

      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      const lot = await oracle.submitLot({ ...request, calculator });
      delay.disable();
      const maxMs = delay.max / 1e6;

      // The lot is stored whole: its row, its report and a reservation per issued device.
      expect(lot.status).to.equal("calculated");
      // (=== on the tens of MB: chai's equal would format them into its message.)
      const stored = (await store.lot(lot.id))!;
      expect(stored.report_json === calculated.figures.reportJson, "stored report").to.equal(true);
      expect(stored.input_json === calculated.inputJson, "stored input").to.equal(true);
      // Given as bytes, they moved to the store's thread: the returned row does not hold them.
      expect(() => lot.report_json).to.throw(/not held/);
      expect(stored.report_hash).to.equal(calculated.figures.reportHash);
      const batches = await store.batchesOfLot(lot.id);
      const reserved = (await Promise.all(batches.map((b) => store.devicesOfBatch(b.id)))).flat();
      expect(new Set(reserved).size).to.equal(reserved.length).and.to.be.greaterThan(1_000);
      expect(maxMs, `longest event-loop stall while the lot was stored: ${maxMs.toFixed(0)} ms`).to.be.below(BOUND_MS);
    } finally {
      await store.close();
      client.provider.destroy();
      await chain.stop();
      await engine.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
