/**
 * The job store on its own (no chain): compare-and-set transitions, no second ready → posted, the worker lease, and
 * the migration that takes unverifiable refusals out of auditors' names.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { JobStore } from "../../oracle/src/store/jobs.ts";
import { MIGRATIONS } from "../../oracle/src/store/schema.ts";
import { StaleStateError, StateTransitionError } from "../../oracle/src/store/transitions.ts";
import { openDatabase } from "../../core/db/sqlite.ts";

const T0 = "2026-01-01T00:00:00.000Z";

function addBatch(store: JobStore, id = "L1-server"): void {
  store.tx(() => {
    if (!store.lot("L1")) {
      store.insertLot({
        refurbisher: "0x0000000000000000000000000000000000000001",
        lot_ref: "r",
        as_of: "2026-01-01",
        options_json: "{}",
        input_sha256: "00",
        input_json: "[]",
        correlation_id: "c",
      });
    }
    store.insertBatch(
      {
        id,
        lot_id: "L1",
        category: "server",
        certificates: 1,
        baseline_grams: "1",
        reduction_grams: "1",
        device_root: null,
        vintage_start: null,
        vintage_end: null,
      },
      T0,
    );
  });
}

describe("Oracle job store", function () {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "itec-store-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("moves a batch only from the state the caller read (compare-and-set), and never posts a posted batch again", async function () {
    const path = join(dir, "jobs.db");
    const one = await JobStore.open(path);
    const two = await JobStore.open(path);
    try {
      addBatch(one);
      for (const to of ["calculated", "awaiting_signatures", "ready"] as const) one.transition("L1-server", to);
      // Two connections claim the same ready batch: the first wins, the second writes nothing.
      one.tx(() => one.transition("L1-server", "posted", "first", {}, "ready"));
      expect(() => two.tx(() => two.transition("L1-server", "posted", "second", {}, "ready"))).to.throw(
        StaleStateError,
        "batch L1-server is posted, no longer ready",
      );
      expect(() => two.transition("L1-server", "posted", "again")).to.throw(
        StateTransitionError,
        "posted → posted is not a valid transition",
      );
      expect(two.transitions("L1-server").filter((t) => t.to_state === "posted")).to.have.length(1);
      // Failures count per state: leaving the state resets them.
      one.setFailure("L1-server", 2, 0, "error: x");
      expect(one.batch("L1-server")!.failures).to.equal(2);
      one.transition("L1-server", "confirmed");
      expect(one.batch("L1-server")!.failures).to.equal(0);
    } finally {
      one.close();
      two.close();
    }
  });

  it("grants the worker lease to one holder at a time, until it expires or is released", async function () {
    const path = join(dir, "jobs.db");
    const one = await JobStore.open(path);
    const two = await JobStore.open(path);
    try {
      const a = { id: "a", host: "h", pid: process.pid };
      const b = { id: "b", host: "h", pid: process.pid };
      expect(one.acquireLease("worker", a, 1_000, 30_000)).to.include({ acquired: true, tookOver: null });
      const refused = two.acquireLease("worker", b, 2_000, 30_000);
      expect(refused.acquired).to.equal(false);
      expect(refused.lease).to.include({ holder: "a", pid: process.pid, expires_at: 31_000 });
      expect(one.acquireLease("worker", a, 20_000, 30_000).lease.expires_at).to.equal(50_000); // renewed
      expect(two.acquireLease("worker", b, 49_999, 30_000).acquired).to.equal(false);
      const taken = two.acquireLease("worker", b, 50_000, 30_000);
      expect(taken.acquired && taken.tookOver?.why).to.equal("expired");
      expect(one.holdsLease("worker", "a")).to.equal(false);
      expect(one.acquireLease("worker", a, 50_001, 30_000).acquired).to.equal(false);
      two.close(); // a clean shutdown releases it
      expect(one.acquireLease("worker", a, 50_002, 30_000)).to.include({ acquired: true, tookOver: null });
    } finally {
      one.close();
      two.close();
    }
  });

  it("migrates refusals recorded without a verifying signature out of the auditor's name", async function () {
    const path = join(dir, "v1.db");
    const v1 = await openDatabase(path, MIGRATIONS.slice(0, 1));
    const auditor = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
    v1.exec(`
      INSERT INTO lots (id, seq, refurbisher, lot_ref, status, as_of, options_json, input_sha256, input_json,
        correlation_id, submitted_at, updated_at)
        VALUES ('L1', 1, '0x01', 'r', 'calculated', '2026-01-01', '{}', '00', '[]', 'c', '${T0}', '${T0}');
      INSERT INTO batches (id, lot_id, category, state, certificates, baseline_grams, reduction_grams, created_at,
        updated_at) VALUES ('L1-server', 'L1', 'server', 'awaiting_signatures', 1, '1', '1', '${T0}', '${T0}');
    `);
    const insert = v1.prepare(
      "INSERT INTO signatures (batch_id, digest, auditor, signature, status, reason, created_at) VALUES ('L1-server', '0xd', ?, ?, ?, ?, ?)",
    );
    insert.run(auditor, "0xdeadbeef", "refused", `the signature does not verify for ${auditor} over digest 0xd`, T0);
    insert.run(auditor, "0xzz", "refused", "the signature is not hex", T0);
    insert.run(auditor, "0x01", "refused", `${auditor} does not hold the auditor role on the registry`, T0);
    insert.run(auditor, "0x02", "accepted", null, T0);
    v1.close();

    const migrated = await JobStore.open(path);
    try {
      expect(migrated.signatures("L1-server").map((s) => [s.signature, s.status])).to.deep.equal([
        ["0x01", "refused"],
        ["0x02", "accepted"],
      ]);
      expect(migrated.unattributedSignatures("L1-server").map((s) => [s.claimed_auditor, s.signature])).to.deep.equal([
        [auditor, "0xdeadbeef"],
        [auditor, "0xzz"],
      ]);
    } finally {
      migrated.close();
    }
  });
});
