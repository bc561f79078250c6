/**
 * The job store on its own (no chain), on SQLite and on PostgreSQL (ITEC_TEST_DATABASE_URL): compare-and-set
 * transitions, no second ready → posted, the worker lease with its fencing epoch, concurrent intakes, and (SQLite)
 * the migrations that existing data directories go through.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { JobStore } from "../../oracle/src/store/jobs.ts";
import { LeaseLostError } from "../../oracle/src/store/leases.ts";
import { MIGRATIONS } from "../../oracle/src/store/schema.ts";
import { StaleStateError, StateTransitionError } from "../../oracle/src/store/transitions.ts";
import { openDatabase } from "../../core/db/sqlite.ts";
import { forEachEngine, type StoreEngine } from "./engines.ts";

const T0 = "2026-01-01T00:00:00.000Z";

async function addBatch(store: JobStore, id = "L1-server"): Promise<void> {
  await store.tx(async () => {
    if (!(await store.lot("L1"))) {
      await store.insertLot({
        refurbisher: "0x0000000000000000000000000000000000000001",
        lot_ref: "r",
        as_of: "2026-01-01",
        options_json: "{}",
        input_sha256: "00",
        input_json: "[]",
        correlation_id: "c",
      });
    }
    await store.insertBatch(
      {
        id,
        lot_id: "L1",
        category: id.split("-")[1]!,
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

/** Rejects with `type` and a message including `text`. */
async function rejects(promise: Promise<unknown>, type: new (...args: never[]) => Error, text: string): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).to.be.instanceOf(type);
  expect((caught as Error).message).to.include(text);
}

forEachEngine("Oracle job store", (makeEngine) => {
  let engine: StoreEngine;
  let stores: JobStore[];
  const open = async () => {
    const store = await JobStore.open(engine.target);
    stores.push(store);
    return store;
  };
  beforeEach(() => {
    engine = makeEngine();
    stores = [];
  });
  afterEach(async () => {
    for (const s of stores) await s.close();
    await engine.dispose();
  });

  it("moves a batch only from the state the caller read (compare-and-set), and never posts a posted batch again", async function () {
    const one = await open();
    const two = await open();
    await addBatch(one);
    for (const to of ["calculated", "awaiting_signatures", "ready"] as const) await one.transition("L1-server", to);
    // Two connections claim the same ready batch: the first wins, the second writes nothing.
    await one.tx(() => one.transition("L1-server", "posted", "first", {}, "ready"));
    await rejects(
      two.tx(() => two.transition("L1-server", "posted", "second", {}, "ready")),
      StaleStateError,
      "batch L1-server is posted, no longer ready",
    );
    await rejects(
      two.transition("L1-server", "posted", "again"),
      StateTransitionError,
      "posted → posted is not a valid transition",
    );
    expect((await two.transitions("L1-server")).filter((t) => t.to_state === "posted")).to.have.length(1);
    // Failures count per state: leaving the state resets them.
    await one.setFailure("L1-server", 2, 0, "error: x");
    expect((await one.batch("L1-server"))!.failures).to.equal(2);
    await one.transition("L1-server", "confirmed");
    expect((await one.batch("L1-server"))!.failures).to.equal(0);
    // Millisecond times and 64-bit values round-trip as numbers on both engines.
    await one.setRetry("L1-server", 1, 1_767_225_600_123, null);
    expect((await one.batch("L1-server"))!.next_attempt_at).to.equal(1_767_225_600_123);
  });

  it("grants the worker lease to one holder at a time, until it expires or is released; the epoch counts holders", async function () {
    const one = await open();
    const two = await open();
    const a = { id: "a", host: "h", pid: process.pid };
    const b = { id: "b", host: "h", pid: process.pid };
    const first = await one.acquireLease("worker", a, 1_000, 30_000);
    expect(first).to.include({ acquired: true, tookOver: null });
    expect(first.lease.epoch).to.equal(1);
    const refused = await two.acquireLease("worker", b, 2_000, 30_000);
    expect(refused.acquired).to.equal(false);
    expect(refused.lease).to.include({ holder: "a", pid: process.pid, expires_at: 31_000 });
    const renewed = await one.acquireLease("worker", a, 20_000, 30_000);
    expect(renewed.lease).to.include({ expires_at: 50_000, epoch: 1 }); // a renewal keeps the epoch
    expect((await two.acquireLease("worker", b, 49_999, 30_000)).acquired).to.equal(false);
    const taken = await two.acquireLease("worker", b, 50_000, 30_000);
    expect(taken.acquired && taken.tookOver?.why).to.equal("expired");
    expect(taken.lease.epoch).to.equal(2); // a new holder: epoch + 1
    expect((await one.acquireLease("worker", a, 50_001, 30_000)).acquired).to.equal(false);
    await two.close(); // a clean shutdown releases it
    const back = await one.acquireLease("worker", a, 50_002, 30_000);
    expect(back).to.include({ acquired: true, tookOver: null });
    expect(back.lease.epoch).to.equal(3); // released and taken again: the epoch still only grows
  });

  it("fences writes on holder, epoch and expiry: a holder that lost its lease writes nothing (LEASE_LOST)", async function () {
    const one = await open();
    const two = await open();
    const a = { id: "a", host: "host-a", pid: 1 };
    const b = { id: "b", host: "host-b", pid: 1 };
    await addBatch(one);
    for (const to of ["calculated", "awaiting_signatures", "ready"] as const) await one.transition("L1-server", to);
    const epochA = (await one.acquireLease("worker", a, 1_000, 30_000)).lease.epoch;
    // A fenced write at A's epoch, before expiry: committed.
    await one.tx(async () => {
      await one.fenceLease("worker", "a", epochA, 30_999);
      await one.insertTx({ hash: "0x01", batch_id: "L1-server", nonce: 0, raw: "0xaa" });
    });
    // A's own clock says its lease has expired (nobody took it): refused, nothing written.
    await rejects(
      one.tx(async () => {
        await one.fenceLease("worker", "a", epochA, 31_000);
        await one.insertTx({ hash: "0x02", batch_id: "L1-server", nonce: 1, raw: "0xbb" });
      }),
      LeaseLostError,
      "it expired at",
    );
    // Another host takes the expired lease over (no pid shortcut across hosts): epoch + 1.
    expect((await two.acquireLease("worker", b, 20_000, 30_000)).acquired).to.equal(false);
    const taken = await two.acquireLease("worker", b, 31_000, 30_000);
    expect(taken.lease.epoch).to.equal(epochA + 1);
    // A, even with a clock that says its lease is still valid, cannot write at its old epoch.
    let lost: unknown;
    try {
      await one.tx(async () => {
        await one.fenceLease("worker", "a", epochA, 2_000);
        await one.insertTx({ hash: "0x03", batch_id: "L1-server", nonce: 1, raw: "0xcc" });
        await one.transition("L1-server", "posted", "A's claim", {}, "ready");
      });
    } catch (error) {
      lost = error;
    }
    expect(lost).to.be.instanceOf(LeaseLostError);
    expect((lost as LeaseLostError).code).to.equal("LEASE_LOST");
    expect((lost as Error).message).to.include(`held by another worker at epoch ${epochA + 1}`);
    expect((await two.txsOfBatch("L1-server")).map((t) => t.hash)).to.deep.equal(["0x01"]);
    expect((await two.batch("L1-server"))!.state).to.equal("ready");
    // The same holder id at the new epoch is a different lease: B writes.
    await two.tx(async () => {
      await two.fenceLease("worker", "b", epochA + 1, 32_000);
      await two.transition("L1-server", "posted", "B's claim", {}, "ready");
    });
    expect((await one.batch("L1-server"))!.state).to.equal("posted");
  });

  it("lets two concurrent takeovers of an expired lease produce one holder", async function () {
    const one = await open();
    const two = await open();
    await one.acquireLease("worker", { id: "old", host: "gone", pid: 1 }, 0, 1_000);
    const results = await Promise.all([
      one.acquireLease("worker", { id: "x", host: "hx", pid: 1 }, 5_000, 30_000),
      two.acquireLease("worker", { id: "y", host: "hy", pid: 1 }, 5_000, 30_000),
    ]);
    expect(results.filter((r) => r.acquired)).to.have.length(1);
    expect((await one.lease("worker"))!.epoch).to.equal(2);
  });

  it("makes concurrent writers of one batch take turns (the batch row lock): one signature accepted, not two", async function () {
    const one = await open();
    const two = await open();
    await addBatch(one);
    const sign = (store: JobStore) =>
      store.tx(async () => {
        await store.lockBatch("L1-server");
        const signed = await store.acceptedSignatures("L1-server", "0xd");
        await new Promise((r) => setTimeout(r, 50)); // the other writer arrives meanwhile
        if (signed.length > 0) return "already signed";
        await store.addSignature({
          batch_id: "L1-server",
          digest: "0xd",
          auditor: "0xa",
          signature: "0x01",
          status: "accepted",
          reason: null,
        });
        return "accepted";
      });
    expect((await Promise.all([sign(one), sign(two)])).sort()).to.deep.equal(["accepted", "already signed"]);
    expect(await one.acceptedSignatures("L1-server", "0xd")).to.have.length(1);
  });

  it("gives concurrent lot intakes distinct sequence numbers", async function () {
    const one = await open();
    const two = await open();
    const lot = (store: JobStore, ref: string) =>
      store.insertLot({
        refurbisher: "0x0000000000000000000000000000000000000001",
        lot_ref: ref,
        as_of: "2026-01-01",
        options_json: "{}",
        input_sha256: ref,
        input_json: "[]",
        correlation_id: ref,
      });
    const lots = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => lot(i % 2 ? one : two, `r${i}`)));
    expect(new Set(lots.map((l) => l.id)).size).to.equal(6);
    expect((await one.listLots()).map((l) => l.seq).sort()).to.deep.equal([1, 2, 3, 4, 5, 6]);
  });

  it("reserves device ids once, in chunks, and finds their holders", async function () {
    const store = await open();
    await addBatch(store);
    await addBatch(store, "L1-desktop");
    const ids = Array.from({ length: 1_234 }, (_, i) => `dev-${i}`);
    await store.tx(() => store.reserveDevices("L1-server", ids));
    expect(await store.devicesOfBatch("L1-server")).to.have.length(1_234);
    expect([...(await store.reservedDevices(["dev-5", "dev-1233", "nope"]))].sort()).to.deep.equal([
      "dev-1233",
      "dev-5",
    ]);
    expect(await store.reservedDevices(["dev-5"], "L1-server")).to.have.property("size", 0);
    expect(Object.fromEntries(await store.holdersOf(ids.slice(0, 700)))).to.deep.equal({ "L1-server": 700 });
    let duplicate: unknown;
    try {
      await store.tx(() => store.reserveDevices("L1-desktop", ["fresh", "dev-7"]));
    } catch (error) {
      duplicate = error;
    }
    expect(duplicate, "a device reserved twice").to.be.instanceOf(Error);
    expect(await store.devicesOfBatch("L1-desktop")).to.deep.equal([]); // the whole transaction rolled back
  });
});

describe("Oracle job store: SQLite data directories", function () {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "itec-store-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

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
      expect((await migrated.signatures("L1-server")).map((s) => [s.signature, s.status])).to.deep.equal([
        ["0x01", "refused"],
        ["0x02", "accepted"],
      ]);
      expect(
        (await migrated.unattributedSignatures("L1-server")).map((s) => [s.claimed_auditor, s.signature]),
      ).to.deep.equal([
        [auditor, "0xdeadbeef"],
        [auditor, "0xzz"],
      ]);
    } finally {
      await migrated.close();
    }
  });

  it("opens a data directory made by the previous schema (version 2) with its lease, and fences from there", async function () {
    const path = join(dir, "v2.db");
    const v2 = await openDatabase(path, MIGRATIONS.slice(0, 2));
    v2.exec(`INSERT INTO worker_leases (name, holder, host, pid, acquired_at, renewed_at, expires_at)
      VALUES ('worker', 'old', 'elsewhere', 1, '${T0}', '${T0}', 5000)`);
    v2.close();
    const store = await JobStore.open(path);
    try {
      expect((await store.lease("worker"))!.epoch).to.equal(0);
      const taken = await store.acquireLease("worker", { id: "new", host: "h", pid: 1 }, 6_000, 30_000);
      expect(taken.acquired && taken.tookOver?.why).to.equal("expired");
      expect(taken.lease.epoch).to.equal(1);
      const versions = (await store.db.all<{ version: number }>("SELECT version FROM schema_migrations")).map(
        (r) => r.version,
      );
      // Every version the code defines, in order (6 is deliveries').
      expect(versions).to.deep.equal(MIGRATIONS.map((m) => m.version));
      expect(versions).to.include(6);
    } finally {
      await store.close();
    }
  });
});
