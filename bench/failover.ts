/**
 * `npm run bench:failover` — the failover scenario of test/e2e/failover.test.ts at a larger scale: two `itec serve`
 * processes behind a round-robin proxy, one oracle store, one index (PostgreSQL when ITEC_TEST_DATABASE_URL is
 * set), anvil mining a block per second; lots submitted and attested through the proxy while the worker-lease
 * holder is SIGKILLed (mid-mint where possible) and restarted, again and again. Writes
 * bench/results/failover.json: per host mode, takeover times (min/median/max) against the lease, lots accepted,
 * batches minted, duplicates, lost, the oracle's nonce gaps and the proxy's retries.
 *
 * Host modes: `distinct` (each instance under its own host name via `unshare --uts`: the lease passes only by
 * expiry, as between two machines; needs root on Linux) and `same` (one host: a standby sees the holder's pid gone
 * and takes over at once).
 *
 * Options: `--lots N` (default 20), `--kills N` (default 8), `--lease-ms N` (default 3000),
 * `--hosts distinct,same` (default both; `distinct` is skipped where unshare is refused).
 */
import { mkdirSync, writeFileSync } from "node:fs";

import { canUseDistinctHosts, startCluster } from "../test/helpers/failover-cluster.ts";
import { runFailoverScenario, type ScenarioFigures } from "../test/helpers/failover-run.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const LOTS = Number(arg("lots", "20"));
const KILLS = Number(arg("kills", "8"));
const LEASE_MS = Number(arg("lease-ms", "3000"));
const HOSTS = arg("hosts", "distinct,same").split(",");

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

function summary(hosts: string, f: ScenarioFigures) {
  const takeovers = f.kills.map((k) => k.takeoverMs).sort((a, b) => a - b);
  const advances = f.kills.map((k) => k.firstAdvanceMs).filter((x): x is number => x !== null);
  advances.sort((a, b) => a - b);
  return {
    hosts,
    index: f.index,
    oracle_store: f.oracleStore,
    lease_ms: f.leaseMs,
    kills: f.kills.length,
    kills_with_mint_in_flight: f.kills.filter((k) => k.inFlight).length,
    takeover_ms: { min: takeovers[0] ?? null, median: quantile(takeovers, 0.5), max: takeovers.at(-1) ?? null },
    // The lease lapses at most lease_ms after the kill (renewed every third of it); the standby sees that on its
    // next pass (ITEC_POLL_MS 100) — so a takeover may exceed lease_ms by up to one pass and the scheduling delay.
    takeover_max_over_lease_ms: Math.max(0, (takeovers.at(-1) ?? 0) - f.leaseMs),
    takeover_reasons: [...new Set(f.kills.map((k) => k.why ?? "first acquisition"))],
    kill_to_first_advance_ms: {
      min: advances[0] ?? null,
      median: quantile(advances, 0.5),
      max: advances.at(-1) ?? null,
    },
    lots_accepted: f.lotsAccepted,
    batches_issuable: f.batchesIssuable,
    batches_confirmed: f.batchesConfirmed,
    minted_on_chain: f.mintedOnChain,
    duplicates: f.duplicates,
    lost: f.lost,
    stuck: f.stuck,
    oracle_txs: f.oracleTxs,
    rpc_nonce_gaps: f.oracleTxs.nonceGaps,
    proxy: f.proxy,
    siwe: f.siwe,
    wall_s: Number((f.durationMs / 1000).toFixed(1)),
    per_kill: f.kills,
  };
}

const results = [];
for (const hosts of HOSTS) {
  if (hosts === "distinct" && !canUseDistinctHosts()) {
    console.log("distinct hosts: skipped (unshare --uts is refused here; needs root on Linux)");
    continue;
  }
  const cluster = await startCluster({ leaseMs: LEASE_MS, distinctHosts: hosts === "distinct" });
  try {
    const figures = await runFailoverScenario(cluster, {
      lots: LOTS,
      kills: KILLS,
      log: (line) => console.log(`[${hosts}] ${line}`),
    });
    const r = summary(hosts, figures);
    console.log(JSON.stringify({ ...r, per_kill: undefined, proxy: undefined, siwe: undefined }));
    results.push(r);
  } catch (error) {
    console.error(cluster.instances.map((i) => i.output().slice(-3000)).join("\n"));
    throw error;
  } finally {
    await cluster.stop();
  }
}
mkdirSync("bench/results", { recursive: true });
writeFileSync(
  "bench/results/failover.json",
  JSON.stringify({ machine: "2-core VM, shared", lots: LOTS, kills: KILLS, runs: results }, null, 2) + "\n",
);
console.log("wrote bench/results/failover.json");
