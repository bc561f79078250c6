/**
 * The failover scenario on a two-instance cluster (failover-cluster.ts), shared by test/e2e/failover.test.ts and
 * bench/failover.ts: a refurbisher signs in and submits lots through the round-robin proxy while auditors attest
 * through it; meanwhile the instance holding the worker lease is SIGKILLed — preferably right after it sent an
 * issue transaction, so the mint is in flight — and restarted as a supervisor would, several times. Then it
 * waits for every issuable batch to be confirmed and gathers the figures: takeover times, lots accepted, batches
 * minted on chain per batch (duplicates, lost), the oracle's transactions and nonces, and the proxy's traffic.
 *
 * Clients retry a request the proxy answers 502 (an instance died with it) or 503: lot submission is idempotent
 * by lot reference (ADR 0040) and a repeated signature is refused as ALREADY_SIGNED, so a retry is safe.
 */
import { readFileSync } from "node:fs";

import { formatSiweMessage } from "../../api/src/siwe.ts";
import type { AttestationView } from "../../oracle/src/pipeline/reads.ts";
import type { Cluster, Instance } from "./failover-cluster.ts";
import { signView } from "./sign.ts";

/**
 * SIWE nonces live in the API's shared store (api/src/store: the index's SQLite file or PostgreSQL), so a nonce
 * one instance issued verifies at the other and the runs sign in through the proxy. Set false only to study
 * per-process nonces: sign-in is then pinned to instance A and the test expects the cross-instance refusal.
 */
export const SIWE_NONCES_SHARED = true;

export interface ScenarioOptions {
  lots: number;
  kills: number;
  /** SIWE nonces are shared by the instances: sign in through the proxy. Else pinned to instance A. */
  nonceSharedAcrossInstances?: boolean;
  /**
   * Longest wait for an issue transaction to kill in flight before killing anyway; per kill (0-based) when a
   * function — e.g. a random instant for some kills (test/soak/chaos.test.ts).
   */
  killWaitMs?: number | ((kill: number) => number);
  log?: (line: string) => void;
}

export interface SignInResult {
  status: number;
  code: string | undefined;
  nonceFrom: string;
  verifiedAt: string;
}

export interface KillFigure {
  victim: string;
  victimPid: number | undefined;
  /** Whether an issue transaction of the victim was in flight (sent, not yet confirmed) at the kill. */
  inFlight: boolean;
  takeoverMs: number;
  takenBy: string;
  why: string | undefined;
  /** From the kill to the first batch a new holder advanced (sent, re-broadcast or confirmed), if any. */
  firstAdvanceMs: number | null;
}

export interface ScenarioFigures {
  distinctHosts: boolean;
  index: string;
  oracleStore: string;
  leaseMs: number;
  lotsAccepted: number;
  batchesIssuable: number;
  batchesConfirmed: number;
  stuck: string[];
  mintedOnChain: number;
  batchCountOnChain: number;
  duplicates: number;
  lost: number;
  tokenIdsUnique: boolean;
  kills: KillFigure[];
  oracleTxs: { sent: number; reverted: number; nonceGaps: number; pendingNotMined: number };
  proxy: {
    requests: number;
    byUpstream: number[];
    lotsByUpstream: number[];
    refusedThenRetried: number;
    badGateway: number;
  };
  siwe: { crossInstance: SignInResult; signedInVia: string; tokenAcceptedBy: string[] };
  durationMs: number;
}

const S9 = readFileSync(new URL("../vectors/section9-lot.csv", import.meta.url), "utf8")
  .trim()
  .split("\n");
const HEADER = S9[0]!.split(",");

/** The Section 9 lot with its serials and document ids made unique to lot `i` (devices are counted once). */
export function lotDevices(i: number): Record<string, string>[] {
  return S9.slice(1).map((row) => {
    const d = Object.fromEntries(row.split(",").map((v, j) => [HEADER[j]!, v]));
    return {
      ...d,
      serial: `F${i}-${d.serial}`,
      test_report_id: `F${i}-${d.test_report_id}`,
      erasure_certificate_id: `F${i}-${d.erasure_certificate_id}`,
    };
  });
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

export async function runFailoverScenario(cluster: Cluster, options: ScenarioOptions): Promise<ScenarioFigures> {
  const began = Date.now();
  const say = options.log ?? (() => undefined);
  const noncesShared = options.nonceSharedAcrossInstances ?? SIWE_NONCES_SHARED;
  const { deployed, proxy, instances } = cluster;
  const refurbisher = deployed.wallet("refurbisher");
  const auditors = [deployed.wallet("auditor1"), deployed.wallet("auditor2")];

  /** One request through the proxy; 502/503 and network errors are retried (idempotent requests, see above). */
  async function call(method: string, path: string, body?: unknown, token?: string, base = proxy.url): Promise<Reply> {
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
        if ((res.status === 502 || res.status === 503) && attempt < 80) {
          await sleep(250);
          continue;
        }
        return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
      } catch (error) {
        if (attempt >= 80) throw error;
        await sleep(250);
      }
    }
  }

  async function signIn(nonceAt: string, verifyAt: string): Promise<{ result: SignInResult; token?: string }> {
    const nonce = (await call("GET", "/auth/nonce", undefined, undefined, nonceAt)).body as Record<string, string>;
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
    const signature = await refurbisher.signMessage(message);
    const res = await call("POST", "/auth/siwe", { message, signature }, undefined, verifyAt);
    const result = {
      status: res.status,
      code: res.body.code as string | undefined,
      nonceFrom: nonceAt,
      verifiedAt: verifyAt,
    };
    return res.status === 200 ? { result, token: res.body.token as string } : { result };
  }

  // --- SIWE across instances, then the sign-in the run uses -----------------------------------------------------
  const [a, b] = instances as [Instance, Instance];
  const cross = await signIn(a.url, b.url);
  say(`SIWE nonce from ${a.name}, verified at ${b.name}: ${cross.result.status} ${cross.result.code ?? ""}`);
  // Until the nonces are shared (wt-api), nonce and verification go to one instance; the token then works anywhere.
  const signedInVia = noncesShared ? "proxy" : `instance ${a.name} (pinned)`;
  const session = noncesShared ? await signIn(proxy.url, proxy.url) : await signIn(a.url, a.url);
  if (!session.token) throw new Error(`sign-in via ${signedInVia} refused: ${JSON.stringify(session.result)}`);
  const token = session.token;
  const tokenAcceptedBy: string[] = [];
  const checkToken = async () => {
    for (const inst of instances) {
      const me = await call("GET", "/auth/me", undefined, token, inst.url);
      if (me.status === 200 && me.body.account === refurbisher.address)
        tokenAcceptedBy.push(`${inst.name}${inst.generation}`);
    }
  };
  await checkToken();

  // --- lots and attestations (in the background) ---------------------------------------------------------------
  const accepted: { ref: string; id: string; issuable: string[] }[] = [];
  const killWait = options.killWaitMs ?? 12_000;
  // Spread the lots over the kill phase (a kill cycle: wait for a send, takeover, restart ≈ 7 s), so submissions
  // and attestations keep arriving while an instance is down and while the lease moves.
  const intervalMs = Math.max(500, Math.floor((options.kills * 7_000) / Math.max(1, options.lots)));

  async function attest(batchId: string): Promise<void> {
    for (const auditor of auditors) {
      const view = (await call("GET", `/batches/${batchId}/attestation`)).body as unknown as AttestationView;
      const res = await call("POST", `/batches/${batchId}/signatures`, {
        auditor: auditor.address,
        signature: await signView(auditor, view),
      });
      const code = res.body.code as string | undefined;
      // ALREADY_SIGNED / BATCH_STATE: a retry of a signature whose answer was lost, or the threshold already met.
      if (res.status >= 300 && code !== "ALREADY_SIGNED" && code !== "BATCH_STATE") {
        throw new Error(`signature on ${batchId} refused: ${res.status} ${JSON.stringify(res.body)}`);
      }
      const state = (await call("GET", `/batches/${batchId}`)).body.state;
      if (state !== "awaiting_signatures") return;
    }
  }

  async function submitLots(): Promise<void> {
    for (let i = 0; i < options.lots; i++) {
      const ref = `failover-${i}`;
      const res = await call(
        "POST",
        "/lots",
        { devices: lotDevices(i), defaultTransport: "hgv:600;van:250", lotId: ref },
        token,
      );
      if (res.status !== 201 && res.status !== 200)
        throw new Error(`lot ${ref}: ${res.status} ${JSON.stringify(res.body)}`);
      const batches = res.body.batches as { id: string; state: string }[];
      const issuable = batches.filter((x) => x.state !== "not_issuable").map((x) => x.id);
      accepted.push({ ref, id: res.body.id as string, issuable });
      say(`lot ${ref} → ${String(res.body.id)} (${res.status}), ${issuable.length} issuable`);
      await Promise.all(issuable.map(attest));
      await sleep(intervalMs);
    }
  }

  // --- kills -----------------------------------------------------------------------------------------------------
  const kills: (KillFigure & { killAt: number })[] = [];
  async function killHolders(): Promise<void> {
    for (let k = 0; k < options.kills; k++) {
      let holder = cluster.holder();
      for (let i = 0; !holder && i < 200; i++) {
        await sleep(100);
        holder = cluster.holder();
      }
      if (!holder) throw new Error("no instance holds the worker lease");
      // Kill right after the holder sent an issue transaction (mint in flight), or after killWaitMs anyway.
      const since = Date.now();
      const pid = holder.pid;
      const victim = `${holder.name}${holder.generation}`;
      let inFlight = false;
      const killWaitMs = typeof killWait === "function" ? killWait(k) : killWait;
      while (Date.now() - since < killWaitMs) {
        const sent = cluster.advances.find(
          (e) => e.pid === pid && e.time >= since && e.msg.startsWith("issue transaction sent"),
        );
        if (sent && !cluster.advances.some((e) => e.batch === sent.batch && e.msg === "batch confirmed")) {
          inFlight = true;
          break;
        }
        await sleep(20);
      }
      const killAt = await cluster.kill(holder);
      say(`kill ${k + 1}: SIGKILL ${victim} (pid ${pid})${inFlight ? ", a mint in flight" : ""}`);
      const deadline = killAt + cluster.leaseMs + 30_000;
      let takeover;
      while (!takeover && Date.now() < deadline) {
        takeover = cluster.leaseEvents.find((e) => e.pid !== pid && e.time >= killAt && e.kind !== "lost");
        if (!takeover) await sleep(20);
      }
      if (!takeover)
        throw new Error(`nobody took the worker lease over within ${deadline - killAt} ms of kill ${k + 1}`);
      // While the victim is down, two reads through the round-robin proxy: one of them is sent to the dead
      // upstream, refused, and must be re-sent to the live one — whatever the timing of the lots around the kill.
      await call("GET", "/network");
      await call("GET", "/network");
      // The supervisor restarts it after a delay (systemd's RestartSec, a container's restart backoff): restarted at
      // once on its own host it would see its predecessor's process gone and take its own lease back before the
      // other instance could — a real outcome, but not the failover this run measures.
      await cluster.start(holder);
      const fig = {
        victim,
        victimPid: pid,
        inFlight,
        takeoverMs: takeover.time - killAt,
        takenBy: `${takeover.instance}${takeover.generation}`,
        why: takeover.why,
        firstAdvanceMs: null,
        killAt,
      };
      kills.push(fig);
      say(
        `  taken over by ${fig.takenBy} after ${fig.takeoverMs} ms (${fig.why ?? takeover.kind}); ${holder.name} restarted`,
      );
    }
  }

  await Promise.all([submitLots(), killHolders()]);

  // --- drain: every issuable batch confirmed ---------------------------------------------------------------------
  const issuable = accepted.flatMap((l) => l.issuable);
  const states = new Map<string, { state: string; tokenId: string | null; deviceRoot: string | null }>();
  const drainUntil = Date.now() + cluster.leaseMs + 60_000;
  for (;;) {
    for (const id of issuable) {
      const job = (await call("GET", `/batches/${id}`)).body;
      states.set(id, {
        state: job.state as string,
        tokenId: job.tokenId as string | null,
        deviceRoot: job.deviceRoot as string | null,
      });
    }
    if ([...states.values()].every((s) => s.state === "confirmed") || Date.now() > drainUntil) break;
    await sleep(500);
  }
  await checkToken(); // the same token, now at the restarted processes too

  // --- figures ---------------------------------------------------------------------------------------------------
  const registry = deployed.registry;
  const events = await registry.queryFilter(registry.filters.BatchIssued(), deployed.deployBlock, "latest");
  const minted = new Map<string, number>();
  for (const e of events) {
    const root = e.args.deviceRoot.toLowerCase();
    minted.set(root, (minted.get(root) ?? 0) + 1);
  }
  const roots = issuable.map((id) => (states.get(id)?.deviceRoot ?? "").toLowerCase());
  const duplicates = [...minted.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
  const lost = roots.filter((r) => !minted.has(r)).length;
  const tokenIds = issuable.map((id) => states.get(id)?.tokenId).filter((t): t is string => !!t);
  for (const k of kills) {
    const first = cluster.advances.find((e) => e.pid !== k.victimPid && e.time >= k.killAt);
    k.firstAdvanceMs = first ? first.time - k.killAt : null;
  }

  return {
    distinctHosts: cluster.distinctHosts,
    index: cluster.index,
    oracleStore: cluster.oracleStore(),
    leaseMs: cluster.leaseMs,
    lotsAccepted: accepted.length,
    batchesIssuable: issuable.length,
    batchesConfirmed: [...states.values()].filter((s) => s.state === "confirmed").length,
    stuck: issuable.filter((id) => states.get(id)?.state !== "confirmed").map((id) => `${id}=${states.get(id)?.state}`),
    mintedOnChain: events.length,
    batchCountOnChain: Number(await registry.batchCount()),
    duplicates,
    lost,
    tokenIdsUnique: new Set(tokenIds).size === tokenIds.length,
    kills: kills.map(({ killAt: _k, ...k }) => k),
    oracleTxs: await oracleTransactions(cluster),
    proxy: {
      requests: proxy.log.length,
      byUpstream: instances.map((_, i) => proxy.log.filter((r) => r.upstream === i).length),
      lotsByUpstream: instances.map(
        (_, i) => proxy.log.filter((r) => r.upstream === i && r.method === "POST" && r.path.startsWith("/lots")).length,
      ),
      refusedThenRetried: proxy.log.filter((r) => r.refused.length > 0 && r.upstream >= 0).length,
      badGateway: proxy.log.filter((r) => r.status === 502).length,
    },
    siwe: { crossInstance: cross.result, signedInVia, tokenAcceptedBy },
    durationMs: Date.now() - began,
  };
}

/** The oracle key's transactions on chain: sent, reverted, gaps in their nonces, and any still not mined. */
async function oracleTransactions(cluster: Cluster): Promise<ScenarioFigures["oracleTxs"]> {
  const { provider } = cluster.chain;
  const oracle = cluster.deployed.wallet("oracle").address;
  const head = await provider.getBlockNumber();
  const nonces: number[] = [];
  let reverted = 0;
  for (let n = cluster.deployed.deployBlock; n <= head; n++) {
    const block = await provider.getBlock(n, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      if (tx.from !== oracle) continue;
      nonces.push(tx.nonce);
      if ((await provider.getTransactionReceipt(tx.hash))?.status !== 1) reverted += 1;
    }
  }
  nonces.sort((x, y) => x - y);
  const gaps = nonces.reduce((g, nonce, i) => g + (i > 0 ? Math.max(0, nonce - nonces[i - 1]! - 1) : nonce), 0);
  const latest = await provider.getTransactionCount(oracle, "latest");
  const pending = await provider.getTransactionCount(oracle, "pending");
  return { sent: nonces.length, reverted, nonceGaps: gaps, pendingNotMined: pending - latest };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
