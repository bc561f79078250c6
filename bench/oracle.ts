/**
 * `npm run bench:oracle` — the oracle end to end on the embedded chain (anvil, Cancun, zero gas price):
 * 100 lots of 1,000 devices each, submitted one after the other (as the API would, in this process); auditors
 * sign every issuable batch as soon as it is calculated; the worker — a separate `itec oracle run` process, as in
 * production — posts and confirms. Reports lots/minute, devices/s, and the time from the last signature to the
 * confirmed mint (median, p95) under that load, and again for 20 batches signed one at a time on an idle
 * registry. Runs with automine and with a block every second (Besu-like). Writes bench/results/oracle.json.
 *
 * Options: `--lots N` (default 100), `--devices N` (default 1000), `--block-times 0,1`.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { pino } from "pino";

import { ChainClient } from "../core/chain/client.ts";
import { readLotCsv } from "../core/calc/lot/index.ts";
import { Oracle } from "../oracle/src/pipeline/oracle.ts";
import { loadReferenceTable } from "../core/calc/reference-file.ts";
import { devAccount } from "../core/keys.ts";
import { JobStore } from "../oracle/src/store/jobs.ts";
import { ACCOUNTS, deployOverRpc, startTestChain } from "../test/helpers/chain.ts";
import { signView } from "../test/helpers/sign.ts";
import { generateLot } from "./generate-lot.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const LOTS = Number(arg("lots", "100"));
const DEVICES = Number(arg("devices", "1000"));
const BLOCK_TIMES = arg("block-times", "0,1").split(",").map(Number);

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

async function run(blockTime: number) {
  const dir = mkdtempSync(join(tmpdir(), "itec-bench-oracle-"));
  const chain = await startTestChain("anvil", { blockTime });
  const deployed = await deployOverRpc(chain, { auditors: 2 });
  const client = await ChainClient.connect({
    rpcUrl: chain.url,
    registryAddress: deployed.address,
    chainId: 1337n,
    gasPrice: 0n,
  });
  const store = await JobStore.open(join(dir, "registry.db"));
  const reference = loadReferenceTable();
  const oracle = new Oracle({
    store,
    chain: client,
    signer: devAccount(ACCOUNTS.oracle, client.provider),
    reference,
    logger: pino({ level: "silent" }),
  });
  const auditor = deployed.wallet("auditor1");
  const refurbisher = deployed.wallet("refurbisher").address;

  // Lots are generated before the clock starts (deterministic seeds; serials made unique per lot).
  const lots = [];
  for (let i = 0; i < LOTS; i++) {
    const file = join(dir, `lot-${i}.csv`);
    await generateLot(DEVICES, file, 1000 + i);
    const rows = await readLotCsv(file);
    lots.push(rows.map((r) => ({ ...r, serial: r.serial ? `B${i}-${r.serial}` : "" })));
  }

  const worker = spawn(process.execPath, ["bin/itec.js", "oracle", "run"], {
    env: {
      ...process.env,
      ITEC_RPC_URL: chain.url,
      ITEC_REGISTRY_ADDRESS: deployed.address,
      ITEC_CHAIN_ID: "1337",
      ITEC_ORACLE_DEV_ACCOUNT: String(ACCOUNTS.oracle),
      ITEC_DB_PATH: join(dir, "registry.db"),
      ITEC_GAS_PRICE: "0",
      ITEC_POLL_MS: "50",
      ITEC_LOG_LEVEL: "error",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  await new Promise((r) => setTimeout(r, 2500)); // the worker process boots (tsx) before the clock starts
  const lastSignature = new Map<string, number>();
  const started = performance.now();
  let issuable = 0;
  for (let i = 0; i < LOTS; i++) {
    const lot = await oracle.submitLot({
      devices: lots[i]!,
      refurbisher,
      defaultTransport: "hgv:600;van:250",
      lotRef: `bench-${i}`,
    });
    for (const b of store.batchesOfLot(lot.id).filter((x) => x.state === "awaiting_signatures")) {
      const view = await oracle.getAttestation(b.id);
      await oracle.addSignature(b.id, auditor.address, await signView(auditor, view));
      lastSignature.set(b.id, Date.now());
      issuable += 1;
    }
  }
  while (store.batchesInState("confirmed").length + store.batchesInState("failed").length < issuable) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const wallS = (performance.now() - started) / 1000;

  // Idle latency: one batch at a time, nothing else going on.
  const idle: number[] = [];
  for (let i = 0; i < 20; i++) {
    const rows = lots[i % LOTS]!.filter((r) => r.category === "smartphone" || r.category === "tablet").map((r) => ({
      ...r,
      serial: r.serial ? `I${i}-${r.serial}` : "",
    }));
    const lot = await oracle.submitLot({
      devices: rows,
      refurbisher,
      defaultTransport: "hgv:600;van:250",
      lotRef: `idle-${i}`,
    });
    const b = store.batchesOfLot(lot.id).find((x) => x.state === "awaiting_signatures");
    if (!b) continue;
    await oracle.addSignature(b.id, auditor.address, await signView(auditor, await oracle.getAttestation(b.id)));
    const signedAt = performance.now();
    while (!["confirmed", "failed"].includes(store.batch(b.id)!.state)) await new Promise((r) => setTimeout(r, 5));
    idle.push(performance.now() - signedAt);
  }
  idle.sort((a, b) => a - b);
  worker.kill("SIGTERM");
  await new Promise((r) => worker.once("exit", r));

  const latencies: number[] = [];
  for (const [id, signedAt] of lastSignature) {
    const confirmed = store.transitions(id).find((t) => t.to_state === "confirmed");
    if (confirmed) latencies.push(Date.parse(confirmed.at) - signedAt);
  }
  latencies.sort((a, b) => a - b);
  const failed = store.batchesInState("failed").length;
  const minted = Number(await deployed.registry.batchCount());
  client.provider.destroy();
  store.close();
  await chain.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    chain: blockTime === 0 ? "anvil automine" : `anvil, block every ${blockTime}s`,
    lots: LOTS,
    devices_per_lot: DEVICES,
    batches_minted: minted,
    batches_failed: failed,
    wall_s: Number(wallS.toFixed(2)),
    lots_per_minute: Number(((LOTS / wallS) * 60).toFixed(1)),
    devices_per_s: Number(((LOTS * DEVICES) / wallS).toFixed(0)),
    signature_to_mint_ms_under_load: {
      median: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      max: latencies.at(-1),
    },
    signature_to_mint_ms_idle: {
      batches: idle.length,
      median: Math.round(quantile(idle, 0.5)),
      p95: Math.round(quantile(idle, 0.95)),
    },
  };
}

const results = [];
for (const bt of BLOCK_TIMES) {
  const r = await run(bt);
  console.log(JSON.stringify(r));
  results.push(r);
}
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/oracle.json", JSON.stringify(results, null, 2) + "\n");
console.log("wrote bench/results/oracle.json");
