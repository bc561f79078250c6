/**
 * Hardening campaign, scenario 3 — the oracle chaos loop (issue 18 item 7): two `itec serve` processes behind a
 * round-robin proxy on anvil mining a block a second (test/helpers/failover-cluster.ts), a steady client reading
 * through the proxy all along, and
 *   1. one chain restart with an issue transaction in flight: anvil is stopped and started again from its own state
 *      right after the oracle sent a mint (the transaction pool, and that transaction with it, is lost);
 *   2. SCALE.chaos.kills SIGKILLs of the `itec serve` holding the worker lease (≥ 20 under `npm run soak`, 3 in
 *      `npm test`) while lots are submitted and attested — every other kill right after that process sent an issue
 *      transaction where the timing allows, the others at a random (seeded) instant — each followed by a restart
 *      (test/helpers/failover-run.ts, the failover test's run).
 * Asserted from the chain: every issuable batch minted exactly once (no duplicate, none lost, none stuck), the
 * oracle's transactions one per batch with no nonce gap, none reverted and none left pending; and the steady client
 * never answered 500 and is answered 200 at the end.
 */
import { expect } from "chai";

import { formatSiweMessage } from "../../api/src/siwe.ts";
import type { AttestationView } from "../../oracle/src/pipeline/reads.ts";
import { startCluster, type Cluster } from "../helpers/failover-cluster.ts";
import { lotDevices, runFailoverScenario, type ScenarioFigures } from "../helpers/failover-run.ts";
import { signView } from "../helpers/sign.ts";
import { reportFigures } from "./figures.ts";
import { SCALE } from "./scale.ts";

const LEASE_MS = 3_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** A request through the proxy, retried while the chain or an instance is down (502/503, refused). */
async function call(base: string, method: string, path: string, body?: unknown, token?: string): Promise<Reply> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      if ((res.status === 502 || res.status === 503) && attempt < 120) {
        await sleep(250);
        continue;
      }
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    } catch (error) {
      if (attempt >= 120) throw error;
      await sleep(250);
    }
  }
}

/** A client reading through the proxy every 100 ms until stopped: how it was answered. */
function steadyClient(base: string) {
  const statuses: Record<string, number> = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      const status = await fetch(`${base}/network`).then(
        async (r) => {
          await r.arrayBuffer();
          return String(r.status);
        },
        () => "refused",
      );
      statuses[status] = (statuses[status] ?? 0) + 1;
      await sleep(100);
    }
  })();
  return {
    statuses,
    async stop() {
      running = false;
      await loop;
    },
  };
}

describe(`soak: oracle chaos loop — ${SCALE.chaos.kills} SIGKILLs of itec serve and a chain restart (${SCALE.name} scale)`, function () {
  this.timeout(SCALE.name === "full" ? 3_600_000 : 300_000);
  let cluster: Cluster | undefined;
  after(async () => cluster?.stop());

  it("mints every batch exactly once, read from the chain, and keeps answering a steady client", async function () {
    cluster = await startCluster({ leaseMs: LEASE_MS });
    const c = cluster;
    const base = c.proxy.url;
    const steady = steadyClient(base);
    try {
      // --- 1. a chain restart with a mint in flight -------------------------------------------------------------
      const refurbisher = c.deployed.wallet("refurbisher");
      const nonce = (await call(base, "GET", "/auth/nonce")).body as Record<string, string>;
      const message = formatSiweMessage({
        domain: nonce.domain!,
        address: refurbisher.address,
        statement: "Sign in to the I-TEC Registry",
        uri: nonce.uri!,
        version: "1",
        chainId: Number(nonce.chainId),
        nonce: nonce.nonce!,
        issuedAt: new Date().toISOString(),
      });
      const signIn = await call(base, "POST", "/auth/siwe", {
        message,
        signature: await refurbisher.signMessage(message),
      });
      expect(signIn.status, JSON.stringify(signIn.body)).to.equal(200);
      const token = signIn.body.token as string;
      const lot = await call(
        base,
        "POST",
        "/lots",
        { devices: lotDevices(10_000), defaultTransport: "hgv:600;van:250", lotId: "chaos-chain-restart" },
        token,
      );
      expect(lot.status, JSON.stringify(lot.body)).to.equal(201);
      const restartBatches = (lot.body.batches as { id: string; state: string }[])
        .filter((b) => b.state !== "not_issuable")
        .map((b) => b.id);
      const sentSince = Date.now();
      for (const id of restartBatches) {
        for (const auditor of [c.deployed.wallet("auditor1"), c.deployed.wallet("auditor2")]) {
          const view = (await call(base, "GET", `/batches/${id}/attestation`)).body as unknown as AttestationView;
          await call(base, "POST", `/batches/${id}/signatures`, {
            auditor: auditor.address,
            signature: await signView(auditor, view),
          });
        }
      }
      // Restart the chain right after the oracle sent a mint, before it is confirmed.
      let inFlight = false;
      for (const until = Date.now() + 15_000; Date.now() < until && !inFlight; await sleep(10)) {
        inFlight = c.advances.some((e) => e.time >= sentSince && e.msg.startsWith("issue transaction sent"));
      }
      const restartAt = Date.now();
      await c.chain.restart!();
      const chainDownMs = Date.now() - restartAt;
      const restartStates = new Map<string, string>();
      for (const until = Date.now() + 90_000; Date.now() < until; await sleep(500)) {
        for (const id of restartBatches) {
          restartStates.set(id, String((await call(base, "GET", `/batches/${id}`)).body.state));
        }
        if ([...restartStates.values()].every((s) => s === "confirmed")) break;
      }

      // --- 2. SIGKILLs of the lease holder while lots arrive --------------------------------------------------------
      // Every other kill waits for a mint in flight (up to 12 s); the others strike at a random instant (seeded).
      let state = SCALE.chaos.seed;
      const random = () => (state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
      const f: ScenarioFigures = await runFailoverScenario(c, {
        lots: SCALE.chaos.lots,
        kills: SCALE.chaos.kills,
        killWaitMs: (k) => (k % 2 === 0 ? 12_000 : Math.floor(random() * 4_000)),
      });
      await sleep(500);
      const last = await fetch(`${base}/network`);
      await steady.stop();

      // --- figures, from the chain ----------------------------------------------------------------------------------
      const events = await c.deployed.registry.queryFilter(
        c.deployed.registry.filters.BatchIssued(),
        c.deployed.deployBlock,
        "latest",
      );
      const restartRoots = await Promise.all(
        restartBatches.map(async (id) =>
          String((await call(base, "GET", `/batches/${id}`)).body.deviceRoot).toLowerCase(),
        ),
      );
      const mintsOf = (root: string) => events.filter((e) => e.args.deviceRoot.toLowerCase() === root).length;
      const issuable = f.batchesIssuable + restartBatches.length;
      const figures = {
        kills: f.kills.length,
        killsWithMintInFlight: f.kills.filter((k) => k.inFlight).length,
        takeoverMs: f.kills.map((k) => k.takeoverMs),
        chainRestarts: 1,
        chainRestartWithMintInFlight: inFlight,
        chainDownMs,
        // Mints re-sent as the same bytes (after the restart lost the pool, or a kill lost the broadcast).
        rebroadcasts: c.advances.filter((e) => e.msg.startsWith("transaction re-broadcast")).length,
        lotsAccepted: f.lotsAccepted + 1,
        batchesIssuable: issuable,
        mintedOnChain: events.length,
        duplicates: f.duplicates,
        lost: f.lost + restartRoots.filter((r) => mintsOf(r) === 0).length,
        stuck: [
          ...f.stuck,
          ...restartBatches.filter((id) => restartStates.get(id) !== "confirmed").map((id) => `${id}=restart`),
        ],
        oracleTxs: f.oracleTxs,
        steadyClient: steady.statuses,
        durationMs: f.durationMs,
      };
      reportFigures("chaos", figures);

      expect(f.kills).to.have.length(SCALE.chaos.kills);
      expect(figures.killsWithMintInFlight, "kills with a mint in flight").to.be.greaterThan(0);
      expect(figures.stuck, "batches not confirmed").to.deep.equal([]);
      expect(figures.duplicates, "batches minted twice").to.equal(0);
      expect(figures.lost, "batches never minted").to.equal(0);
      expect(restartRoots.map(mintsOf), "the chain restart's batches, minted once each").to.deep.equal(
        restartBatches.map(() => 1),
      );
      expect(figures.mintedOnChain, "BatchIssued events").to.equal(issuable);
      expect(f.batchCountOnChain).to.equal(issuable);
      expect(f.tokenIdsUnique).to.be.true;
      // One transaction per batch: what a killed holder or the lost pool left is reconciled or re-sent as the same
      // bytes, never signed anew under another nonce.
      expect(f.oracleTxs).to.deep.equal({ sent: issuable, reverted: 0, nonceGaps: 0, pendingNotMined: 0 });
      expect(steady.statuses["500"] ?? 0, `the steady client's answers ${JSON.stringify(steady.statuses)}`).to.equal(0);
      expect(last.status, "the steady client is answered at the end").to.equal(200);
    } finally {
      await steady.stop();
    }
  });
});
