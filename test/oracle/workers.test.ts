/**
 * Two oracle workers on one job store (e.g. `npm start`'s worker plus `itec oracle run` on one SQLite file, or two
 * `itec serve` hosts on one PostgreSQL): only the holder of the store's worker lease advances batches; a second
 * worker waits with a clear message and takes over when the first stops, crashes (its process is gone) or lets its
 * lease expire; and a worker that lost the lease (fencing epoch) in the middle of posting neither stores nor sends
 * a transaction. Runs on SQLite and, with ITEC_TEST_DATABASE_URL, on PostgreSQL.
 */
import { spawn } from "node:child_process";
import { hostname } from "node:os";

import { expect } from "chai";
import { pino } from "pino";

import { REJECTION_TYPES } from "../../sdk/src/attestation.ts";
import { ChainClient } from "../../core/chain/client.ts";
import { readLotCsv } from "../../core/calc/lot/index.ts";
import type { FaultPoint } from "../../core/config.ts";
import { WORKER_LEASE } from "../../oracle/src/pipeline/lease.ts";
import { Oracle } from "../../oracle/src/pipeline/oracle.ts";
import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import { devAccount } from "../../core/keys.ts";
import { JobStore } from "../../oracle/src/store/jobs.ts";
import { forEachEngine, type StoreEngine } from "./engines.ts";
import { ACCOUNTS, deployOverRpc, startTestChain, type DeployedRegistry, type TestChain } from "../helpers/chain.ts";
import { signView } from "../helpers/sign.ts";

const reference = loadReferenceTable();
const LEASE_MS = 30_000;

interface Worker {
  oracle: Oracle;
  store: JobStore;
  clock: { offsetMs: number };
  logs: string[];
  /** Raw transactions this worker put on the wire (eth_sendRawTransaction through its provider). */
  sent: string[];
  close(): Promise<void>;
}

forEachEngine("Oracle workers sharing one job store", (makeEngine) => {
  let chain: TestChain;
  let deployed: DeployedRegistry;
  let engine: StoreEngine;
  let workers: Worker[];

  beforeEach(async () => {
    chain = await startTestChain();
    deployed = await deployOverRpc(chain, { auditors: 2 });
    engine = makeEngine();
    workers = [];
  });
  afterEach(async () => {
    for (const w of workers) await w.close();
    await chain.stop();
    await engine.dispose();
  });

  /** An oracle instance with its own store connection, chain client and clock (offset from real time). */
  async function worker(
    faults?: (point: FaultPoint, context: Record<string, unknown>) => Promise<void>,
    options: { estimateOnLatest?: boolean; broadcastMarginMs?: number } = {},
  ) {
    const client = await ChainClient.connect({ rpcUrl: chain.url, registryAddress: deployed.address, chainId: 1337n });
    const sent: string[] = [];
    const send = client.provider.send.bind(client.provider);
    client.provider.send = (method: string, params: unknown[] | Record<string, unknown>) => {
      if (method === "eth_sendRawTransaction" && Array.isArray(params)) sent.push(String(params[0]));
      // Like a node that estimates gas against its latest block, not a pending one with others' transactions.
      const latest = options.estimateOnLatest && method === "eth_estimateGas" && Array.isArray(params);
      return send(method, latest ? [params[0], "latest"] : params);
    };
    const store = await JobStore.open(engine.target);
    const clock = { offsetMs: 0 };
    const logs: string[] = [];
    const oracle = new Oracle({
      store,
      chain: client,
      signer: devAccount(ACCOUNTS.oracle, client.provider),
      reference,
      logger: pino({ level: "info" }, { write: (line: string) => void logs.push(line) }),
      now: () => new Date(Date.now() + clock.offsetMs),
      config: {
        workerLeaseMs: LEASE_MS,
        ...(options.broadcastMarginMs !== undefined ? { broadcastMarginMs: options.broadcastMarginMs } : {}),
      },
      ...(faults ? { faults } : {}),
    });
    let closed = false;
    const w: Worker = {
      oracle,
      store,
      clock,
      logs,
      sent,
      close: async () => {
        if (closed) return;
        closed = true;
        await store.close();
        client.provider.destroy();
      },
    };
    workers.push(w);
    return w;
  }

  /** Submits the §9 lot through `w` and has auditor 1 sign `count` of its issuable batches (threshold 1). */
  async function readyBatches(w: Worker, count = 2): Promise<string[]> {
    await w.oracle.submitLot({
      devices: await readLotCsv("test/vectors/section9-lot.csv"),
      defaultTransport: "hgv:600;van:250",
      refurbisher: deployed.wallet("refurbisher").address,
    });
    const ids = (await w.store.batchesInState("awaiting_signatures")).map((b) => b.id).slice(0, count);
    const auditor = deployed.wallet("auditor1");
    for (const id of ids) {
      await w.oracle.addSignature(id, auditor.address, await signView(auditor, await w.oracle.getAttestation(id)));
    }
    return ids;
  }

  async function untilConfirmed(w: Worker, ids: readonly string[]): Promise<void> {
    for (let i = 0; i < 80 && !(await statesOf(w, ids)).every((s) => s === "confirmed"); i++) {
      await w.oracle.tick();
      await new Promise((r) => setTimeout(r, chain.kind === "anvil" ? 250 : 10));
    }
    expect(await statesOf(w, ids)).to.deep.equal(ids.map(() => "confirmed"));
  }

  async function statesOf(w: Worker, ids: readonly string[]): Promise<string[]> {
    return Promise.all(ids.map(async (id) => (await w.store.batch(id))!.state));
  }

  /** Exactly once, counted on-chain and in the store. */
  async function expectIssuedOnce(store: JobStore, ids: readonly string[]): Promise<void> {
    expect(await deployed.registry.batchCount()).to.equal(BigInt(ids.length));
    expect(await chain.provider.getTransactionCount(deployed.wallet("oracle").address, "pending")).to.equal(ids.length);
    for (const id of ids) {
      expect(await store.txsOfBatch(id), id).to.have.length(1);
      expect(
        (await store.transitions(id)).filter((t) => t.to_state === "posted"),
        id,
      ).to.have.length(1);
    }
  }

  it("lets one worker post while a second waits with a clear message, then hands over on a clean stop", async function () {
    const a = await worker();
    const b = await worker();
    const ids = await readyBatches(a);
    expect((await a.oracle.acquireWorkerLease()).acquired).to.equal(true);

    await b.oracle.tick();
    expect(await statesOf(b, ids)).to.deep.equal(["ready", "ready"]);
    expect((await b.oracle.metrics()).counters).to.include({ transactionsSent: 0, leaseWaits: 1 });
    const status = await b.oracle.acquireWorkerLease();
    expect(status.acquired).to.equal(false);
    expect(status.holder).to.include({ pid: process.pid, host: hostname() });
    expect(status.message).to.match(
      /^another oracle worker holds this database's worker lease \(pid \d+ on .+, since .+, valid until .+\); this worker waits/,
    );
    expect(b.logs.join("")).to.include("another oracle worker holds this database's worker lease");

    // Both run their loops at once: the holder posts everything, the other never sends.
    for (let i = 0; i < 80 && !(await statesOf(a, ids)).every((s) => s === "confirmed"); i++) {
      await Promise.all([a.oracle.tick(), b.oracle.tick()]);
      await new Promise((r) => setTimeout(r, chain.kind === "anvil" ? 250 : 10));
    }
    expect(await statesOf(a, ids)).to.deep.equal(["confirmed", "confirmed"]);
    expect((await a.oracle.metrics()).counters.transactionsSent).to.equal(2);
    expect((await b.oracle.metrics()).counters.transactionsSent).to.equal(0);
    await expectIssuedOnce(a.store, ids);

    // A clean stop (the store closed) releases the lease: the second worker takes over at once.
    await a.close();
    expect((await b.oracle.acquireWorkerLease()).acquired).to.equal(true);
  });

  it("takes over the lease of a worker whose process is gone, or whose lease expired, but not of a live one", async function () {
    const b = await worker();
    const ids = await readyBatches(b, 1);
    const setLease = async (pid: number, expiresAt: number) => {
      await b.store.db.run("DELETE FROM worker_leases WHERE name = ?", [WORKER_LEASE]);
      await b.store.db.run(
        `INSERT INTO worker_leases (name, holder, host, pid, acquired_at, renewed_at, expires_at, epoch)
           VALUES (?, 'crashed-worker', ?, ?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', ?, 7)`,
        [WORKER_LEASE, hostname(), pid, expiresAt],
      );
    };
    const runNode = (code: string) => spawn(process.execPath, ["-e", code], { stdio: "ignore" });

    // A live process of this host holds a fresh lease: wait.
    const live = runNode("setTimeout(() => {}, 60000)");
    try {
      await setLease(live.pid!, Date.now() + LEASE_MS);
      await b.oracle.tick();
      expect((await b.store.batch(ids[0]!))!.state).to.equal("ready");
      expect((await b.oracle.acquireWorkerLease()).acquired).to.equal(false);
    } finally {
      live.kill("SIGKILL");
    }
    // The holder's process is gone (killed): its lease is taken over at once, without waiting for expiry.
    const exited = runNode("");
    await new Promise((r) => exited.once("exit", r));
    await setLease(exited.pid!, Date.now() + 10 * LEASE_MS);
    await untilConfirmed(b, ids);
    expect(b.logs.join("")).to.include("took over the worker lease (holder process gone)");
    expect(b.oracle.workerLeaseEpoch).to.equal(8);

    // A holder on another machine is only known by its lease: taken over once it expires.
    await b.store.db.run(
      "UPDATE worker_leases SET holder = 'elsewhere', host = 'other-host', pid = 1, expires_at = ?, epoch = epoch + 1",
      [Date.now() + LEASE_MS],
    );
    expect((await b.oracle.acquireWorkerLease()).acquired).to.equal(false);
    b.clock.offsetMs = LEASE_MS + 1000;
    expect((await b.oracle.acquireWorkerLease()).acquired).to.equal(true);
    expect(b.logs.join("")).to.include("took over the worker lease (expired)");
    expect(b.oracle.workerLeaseEpoch).to.equal(10);
    await expectIssuedOnce(b.store, ids);
  });

  it("a worker that lost its lease while posting neither stores nor sends a transaction (compare-and-set claim)", async function () {
    // Worker A stops inside #post (batch read as ready); meanwhile its lease expires and B posts the batch. A's
    // node estimates gas on the latest block, where the batch is not minted yet: A signs a transaction of its
    // own (next nonce) and only the claim can stop it.
    let paused: () => void = () => {};
    const atPost = new Promise<void>((resolve) => (paused = resolve));
    let resume: () => void = () => {};
    const gate = new Promise<void>((resolve) => (resume = resolve));
    const a = await worker(
      async (point) => {
        if (point !== "before_post") return;
        paused();
        await gate;
      },
      { estimateOnLatest: true },
    );
    const b = await worker();
    const ids = await readyBatches(a, 1);
    const id = ids[0]!;
    const aTick = a.oracle.tick();
    await atPost;

    // Keep B's transaction pending, so that A, resumed, sees a chain without the mint.
    await chain.setAutomine(false);
    if (chain.kind === "anvil") await chain.provider.send("evm_setIntervalMining", [0]);
    try {
      b.clock.offsetMs = LEASE_MS + 1000; // A's lease has expired for B
      await b.oracle.tick();
      expect((await b.store.batch(id))!.state).to.equal("posted");
      expect((await b.oracle.metrics()).counters.transactionsSent).to.equal(1);

      resume();
      await aTick;
      expect((await a.oracle.metrics()).counters.transactionsSent).to.equal(0);
      expect(await a.store.txsOfBatch(id)).to.have.length(1);
      expect(await chain.provider.getTransactionCount(deployed.wallet("oracle").address, "pending")).to.equal(1);
      // Whatever A read from the chain (the node may estimate against its pending block: "already issued"), it
      // wrote nothing on a batch that is no longer its own.
      expect(await a.store.batch(id)).to.include({ state: "posted", failures: 0, error: null });
      // Its claim was refused by the fence (its lease is B's now, at a higher epoch).
      expect(a.logs.join("")).to.include("LEASE_LOST").and.include("worker lease lost; step abandoned");
    } finally {
      resume();
      await chain.setAutomine(true);
    }
    await chain.mine();
    await untilConfirmed(b, ids);
    await expectIssuedOnce(b.store, ids);
  });

  /** A fault hook that stops the worker once at `point` until `resume()`; `reached` resolves when it stops. */
  function pauseOnce(point: FaultPoint, onReach?: () => void) {
    let reached: () => void = () => {};
    let resume: () => void = () => {};
    const at = new Promise<void>((resolve) => (reached = resolve));
    const gate = new Promise<void>((resolve) => (resume = resolve));
    let done = false;
    return {
      at,
      resume: () => resume(),
      faults: async (p: FaultPoint) => {
        if (p !== point || done) return;
        done = true;
        onReach?.();
        reached();
        await gate;
      },
    };
  }

  it("fencing: a worker whose lease expired and was taken over (epoch + 1) writes nothing and sends nothing", async function () {
    const pause = pauseOnce("before_post");
    const a = await worker(pause.faults);
    const b = await worker();
    const [id] = await readyBatches(a, 1);
    const aTick = a.oracle.tick();
    await pause.at; // A holds the lease and has read the batch as ready
    const epochA = a.oracle.workerLeaseEpoch!;
    expect(epochA).to.be.a("number");

    // By B's clock A's lease has expired: B (no process shortcut: same pid) takes it over, epoch + 1.
    b.clock.offsetMs = LEASE_MS + 1000;
    const taken = await b.oracle.acquireWorkerLease();
    expect(taken.acquired).to.equal(true);
    expect(taken.holder.epoch).to.equal(epochA + 1);

    // A resumes with a clock that says its lease is still valid: it signs, but its fenced write is refused.
    pause.resume();
    await aTick;
    expect(a.sent, "transactions A put on the wire").to.deep.equal([]);
    expect((await a.oracle.metrics()).counters).to.include({ transactionsSent: 0, fencedWritesRefused: 1 });
    expect(await a.store.txsOfBatch(id!)).to.deep.equal([]);
    expect(await a.store.batch(id!)).to.include({ state: "ready", failures: 0, error: null });
    expect(a.logs.join("")).to.include("LEASE_LOST").and.include("worker lease lost; step abandoned");
    expect(a.oracle.workerLeaseEpoch).to.equal(null);

    // B posts it exactly once; A, ticking again, waits for B's lease.
    await untilConfirmed(b, [id!]);
    await a.oracle.tick();
    expect(a.sent).to.deep.equal([]);
    expect(b.sent).to.have.length(1);
    await expectIssuedOnce(b.store, [id!]);
  });

  it("fencing: a stored transaction is not sent when the lease is within the safety margin; the successor sends those bytes", async function () {
    // Right after its fenced write, A stalls until 5 s before its lease expires (margin: 10 s); meanwhile B, whose
    // clock runs 6 s ahead of A's, finds the lease expired and takes it over.
    const pause = pauseOnce("after_tx_persisted");
    const a = await worker(pause.faults, { broadcastMarginMs: 10_000 });
    const b = await worker();
    const [id] = await readyBatches(a, 1);
    const aTick = a.oracle.tick();
    await pause.at;
    a.clock.offsetMs = LEASE_MS - 5_000;
    b.clock.offsetMs = LEASE_MS + 1_000;
    expect((await b.oracle.acquireWorkerLease()).acquired).to.equal(true);
    pause.resume();
    await aTick;
    const [stored] = await a.store.txsOfBatch(id!);
    expect(stored).to.include({ status: "signed" });
    expect(a.sent).to.deep.equal([]);
    expect((await a.oracle.metrics()).counters).to.include({ transactionsSent: 0, broadcastsWithheld: 1 });
    expect(a.logs.join("")).to.include("worker lease too close to expiry");
    expect(await chain.provider.getTransactionCount(deployed.wallet("oracle").address, "pending")).to.equal(0);

    // B reconciles: it sends exactly the stored bytes, once.
    await untilConfirmed(b, [id!]);
    expect(b.sent).to.deep.equal([stored!.raw]);
    expect(a.sent).to.deep.equal([]);
    await expectIssuedOnce(b.store, [id!]);
  });

  it("does not post a batch an auditor rejected while the worker was posting it (compare-and-set claim)", async function () {
    let paused: () => void = () => {};
    const atPost = new Promise<void>((resolve) => (paused = resolve));
    let resume: () => void = () => {};
    const gate = new Promise<void>((resolve) => (resume = resolve));
    const worker1 = await worker(async (point) => {
      if (point !== "before_post") return;
      paused();
      await gate;
    });
    const api = await worker(); // the API process: takes signatures and rejections, never ticks
    const [id] = await readyBatches(api, 1);
    const tick = worker1.oracle.tick();
    await atPost;
    const auditor = deployed.wallet("auditor2");
    const view = await api.oracle.getAttestation(id!);
    const reason = "serials do not match the erasure certificates";
    const signature = await auditor.signTypedData(view.typedData.domain, REJECTION_TYPES, {
      attestationDigest: view.digest,
      reason,
    });
    expect((await api.oracle.rejectBatch(id!, auditor.address, reason, signature)).state).to.equal("rejected");
    resume();
    await tick;
    expect(await worker1.store.batch(id!)).to.include({ state: "rejected", failures: 0 });
    expect(await worker1.store.txsOfBatch(id!)).to.have.length(0);
    expect((await worker1.oracle.metrics()).counters.transactionsSent).to.equal(0);
    expect(await chain.provider.getTransactionCount(deployed.wallet("oracle").address, "pending")).to.equal(0);
    expect(worker1.logs.join("")).to.include("batch changed under this worker; step abandoned");
  });
});
