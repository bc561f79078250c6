/**
 * A large lot's intake leaves the event loop free (issue 18, item 2): the lot is calculated on a worker thread, and
 * its store transaction — the lot's row (input and report, tens of MB at the device cap), its batches and one
 * reservation row per device — gives the loop a turn between its statements instead of holding it from BEGIN to
 * COMMIT. Measured with `monitorEventLoopDelay` around `submitLot` on a SQLite file (the embedded default, whose
 * statements are synchronous) and, with ITEC_TEST_DATABASE_URL, on PostgreSQL. The bound is generous (CI machines
 * are shared); before the change the 20,000-device lot below held the loop for one unbroken stretch well above it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";

import { expect } from "chai";
import { pino } from "pino";

import { generateLot } from "../../bench/generate-lot.ts";
import { ChainClient } from "../../core/chain/client.ts";
import { readLotCsv } from "../../core/calc/lot/index.ts";
import { loadReferenceFile } from "../../core/calc/reference-file.ts";
import { devAccount } from "../../core/keys.ts";
import { CalcInputError } from "../../core/calc/index.ts";
import { WorkerPool } from "../../api/src/workers/index.ts";
import type { LotTaskResult } from "../../api/src/workers/tasks.ts";
import { Oracle } from "../../oracle/src/pipeline/oracle.ts";
import { JobStore } from "../../oracle/src/store/jobs.ts";
import type { LotCalculator } from "../../oracle/src/index.ts";
import { forEachEngine } from "./engines.ts";
import { ACCOUNTS, deployOverRpc, startTestChain } from "../helpers/chain.ts";

const DEVICES = 20_000;
/** The longest the loop may be held at once while the lot is stored (ms). */
const BOUND_MS = 150;

forEachEngine("Lot intake and the event loop", (makeEngine) => {
  it(`stores a ${DEVICES.toLocaleString("en")}-device lot without holding the event loop ${BOUND_MS} ms`, async function () {
    this.timeout(240_000);
    const engine = makeEngine();
    const chain = await startTestChain();
    const dir = mkdtempSync(join(tmpdir(), "itec-intake-loop-"));
    const referenceFile = loadReferenceFile();
    const pool = new WorkerPool({ size: 1 });
    const deployed = await deployOverRpc(chain, { auditors: 2 });
    const client = await ChainClient.connect({ rpcUrl: chain.url, registryAddress: deployed.address, chainId: 1337n });
    const store = await JobStore.open(engine.target);
    try {
      const oracle = new Oracle({
        store,
        chain: client,
        signer: devAccount(ACCOUNTS.oracle, client.provider),
        reference: referenceFile.table,
        logger: pino({ level: "silent" }),
      });
      // The API's calculator: the lot's figures on a worker thread, so what is measured is the store.
      const calculator: LotCalculator = async (request) => {
        const result = await pool.run<LotTaskResult>({ kind: "lot", request, reference: referenceFile.bytes });
        if (!result.ok) throw new CalcInputError(result.code, result.message);
        return result.lot;
      };
      await generateLot(DEVICES, join(dir, "lot.csv"));
      const devices = await readLotCsv(join(dir, "lot.csv"));
      const refurbisher = deployed.wallet("refurbisher").address;

      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      const lot = await oracle.submitLot({ devices, refurbisher, defaultTransport: "hgv:600;van:250", calculator });
      delay.disable();
      const maxMs = delay.max / 1e6;

      // The lot is stored whole: its row, its report and a reservation per issued device.
      expect(lot.status).to.equal("calculated");
      expect(JSON.parse(lot.input_json)).to.have.length(DEVICES);
      const stored = (await store.lot(lot.id))!;
      expect(stored.report_json).to.equal(lot.report_json);
      expect(stored.input_json).to.equal(lot.input_json);
      const batches = await store.batchesOfLot(lot.id);
      const reserved = (await Promise.all(batches.map((b) => store.devicesOfBatch(b.id)))).flat();
      expect(new Set(reserved).size).to.equal(reserved.length).and.to.be.greaterThan(1_000);
      expect(maxMs, `longest event-loop stall while the lot was stored: ${maxMs.toFixed(0)} ms`).to.be.below(BOUND_MS);
    } finally {
      await store.close();
      await pool.close();
      client.provider.destroy();
      await chain.stop();
      await engine.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
