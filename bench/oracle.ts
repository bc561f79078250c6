/**
 * `npm run bench:oracle` — the oracle end to end on the embedded chain (anvil, Cancun, zero gas price):
 * 100 lots of 1,000 devices each, submitted one after the other (as the API would, in this process); auditors
 * sign every issuable batch as soon as it is calculated; the worker — a separate `itec oracle run` process, as in
 * production — posts and confirms. Reports lots/minute, devices/s, and the time from the last signature to the
 * confirmed mint (median, p95) under that load, and again for 20 batches signed one at a time on an idle
 * registry. Runs with automine and with a block every second (Besu-like), each on the job store's two engines in
 * the same run — SQLite (a file, as `npm start`) and PostgreSQL (DATABASE_URL, else ITEC_TEST_DATABASE_URL; a
 * fresh schema per run) — and reports PostgreSQL's lots/min as a share of SQLite's (issue 16: ≥ 90 %), with the
 * SQL round trips the submitting process made per lot. Writes bench/results/oracle.json.
 *
 * Options: `--lots N` (default 100), `--devices N` (default 1000), `--block-times 0,1`, `--engines sqlite,postgres`,
 * `--worker-after` (profiling: the worker process is stopped while the lots are submitted, so `submit_s` is the
 * intake alone, without the worker competing for the two cores).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import pg from "pg";
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
const WORKER_AFTER = process.argv.includes("--worker-after");
const PG_URL = process.env.DATABASE_URL ?? process.env.ITEC_TEST_DATABASE_URL;
const ENGINES = arg("engines", PG_URL ? "sqlite,postgres" : "sqlite").split(",") as ("sqlite" | "postgres")[];
if (ENGINES.includes("postgres") && !PG_URL) {
  throw new Error('--engines postgres needs DATABASE_URL or ITEC_TEST_DATABASE_URL (eval "$(bash .ci/postgres.sh)")');
}

/** Where one run's job store lives, and the environment the worker process reads it from. */
function storeFor(engine: "sqlite" | "postgres", dir: string) {
  if (engine === "sqlite") {
    const path = join(dir, "registry.db");
    return { options: { sqlitePath: path }, env: { ITEC_DB_PATH: path }, dispose: () => Promise.resolve() };
  }
  const schema = `itec_bench_${randomBytes(4).toString("hex")}`;
  const url = new URL(PG_URL!);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return {
    options: { databaseUrl: PG_URL!, pgSchema: schema },
    env: { DATABASE_URL: url.toString(), ITEC_DB_PATH: join(dir, "unused.db") },
    dispose: async () => {
      const client = new pg.Client({ connectionString: PG_URL! });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/** Counts the statements (round trips on PostgreSQL) `store` issues, and the transactions among them. */
function countStatements(store: JobStore): { statements: number; transactions: number } {
  const counts = { statements: 0, transactions: 0 };
  const db = store.db as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of ["all", "get", "run", "exec"] as const) {
    const original = db[method]!.bind(store.db);
    db[method] = (...args: unknown[]) => ((counts.statements += 1), original(...args));
  }
  const transaction = store.db.transaction.bind(store.db);
  store.db.transaction = ((fn: Parameters<typeof transaction>[0]) => {
    counts.transactions += 1;
    counts.statements += 2; // BEGIN, COMMIT
    return transaction(async (tx) => {
      if (tx === store.db) return fn(tx); // SQLite: the transaction runs on the database object, counted above
      const inner = tx as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const wrapped = Object.create(tx) as typeof tx;
      for (const method of ["all", "get", "run", "exec"] as const) {
        const original = inner[method]!.bind(tx);
        (wrapped as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => (
          (counts.statements += 1),
          original(...args)
        );
      }
      return fn(wrapped);
    });
  }) as typeof store.db.transaction;
  return counts;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

async function run(blockTime: number, engine: "sqlite" | "postgres") {
  const dir = mkdtempSync(join(tmpdir(), "itec-bench-oracle-"));
  const target = storeFor(engine, dir);
  const chain = await startTestChain("anvil", { blockTime });
  const deployed = await deployOverRpc(chain, { auditors: 2 });
  const client = await ChainClient.connect({
    rpcUrl: chain.url,
    registryAddress: deployed.address,
    chainId: 1337n,
    gasPrice: 0n,
  });
  const store = await JobStore.open(target.options);
  const statements = countStatements(store);
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
      ...target.env,
      ITEC_GAS_PRICE: "0",
      ITEC_POLL_MS: "50",
      ITEC_LOG_LEVEL: "error",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  await new Promise((r) => setTimeout(r, 2500)); // the worker process boots (tsx) before the clock starts
  if (WORKER_AFTER) worker.kill("SIGSTOP");
  const lastSignature = new Map<string, number>();
  const before = { ...statements };
  const started = performance.now();
  let issuable = 0;
  for (let i = 0; i < LOTS; i++) {
    const lot = await oracle.submitLot({
      devices: lots[i]!,
      refurbisher,
      defaultTransport: "hgv:600;van:250",
      lotRef: `bench-${i}`,
    });
    for (const b of (await store.batchesOfLot(lot.id)).filter((x) => x.state === "awaiting_signatures")) {
      const view = await oracle.getAttestation(b.id);
      await oracle.addSignature(b.id, auditor.address, await signView(auditor, view));
      lastSignature.set(b.id, Date.now());
      issuable += 1;
    }
  }
  const submitS = (performance.now() - started) / 1000;
  if (WORKER_AFTER) worker.kill("SIGCONT");
  const submitted = {
    statements: statements.statements - before.statements,
    transactions: statements.transactions - before.transactions,
  };
  const done = async () => (await store.batchesInState("confirmed", "failed")).length;
  while ((await done()) < issuable) {
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
    const b = (await store.batchesOfLot(lot.id)).find((x) => x.state === "awaiting_signatures");
    if (!b) continue;
    await oracle.addSignature(b.id, auditor.address, await signView(auditor, await oracle.getAttestation(b.id)));
    const signedAt = performance.now();
    while (!["confirmed", "failed"].includes((await store.batch(b.id))!.state)) {
      await new Promise((r) => setTimeout(r, 5));
    }
    idle.push(performance.now() - signedAt);
  }
  idle.sort((a, b) => a - b);
  worker.kill("SIGTERM");
  await new Promise((r) => worker.once("exit", r));

  const latencies: number[] = [];
  for (const [id, signedAt] of lastSignature) {
    const confirmed = (await store.transitions(id)).find((t) => t.to_state === "confirmed");
    if (confirmed) latencies.push(Date.parse(confirmed.at) - signedAt);
  }
  latencies.sort((a, b) => a - b);
  const failed = (await store.batchesInState("failed")).length;
  const minted = Number(await deployed.registry.batchCount());
  client.provider.destroy();
  await store.close();
  await target.dispose();
  await chain.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    chain: blockTime === 0 ? "anvil automine" : `anvil, block every ${blockTime}s`,
    store: engine === "sqlite" ? "SQLite (file, WAL, synchronous FULL)" : "PostgreSQL (loopback, pool of 4)",
    lots: LOTS,
    devices_per_lot: DEVICES,
    batches_minted: minted,
    batches_failed: failed,
    wall_s: Number(wallS.toFixed(2)),
    submit_s: Number(submitS.toFixed(2)),
    lots_per_minute: Number(((LOTS / wallS) * 60).toFixed(1)),
    devices_per_s: Number(((LOTS * DEVICES) / wallS).toFixed(0)),
    // What the submitting process (intake, signatures, polling) sent to the store; the worker process is apart.
    sql_statements_per_lot: Number((submitted.statements / LOTS).toFixed(1)),
    sql_transactions_per_lot: Number((submitted.transactions / LOTS).toFixed(2)),
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

const results: Awaited<ReturnType<typeof run>>[] = [];
const comparisons = [];
for (const bt of BLOCK_TIMES) {
  const byEngine: Partial<Record<"sqlite" | "postgres", Awaited<ReturnType<typeof run>>>> = {};
  for (const engine of ENGINES) {
    const r = await run(bt, engine);
    console.log(JSON.stringify(r));
    results.push(r);
    byEngine[engine] = r;
  }
  if (byEngine.sqlite && byEngine.postgres) {
    const ratio = byEngine.postgres.lots_per_minute / byEngine.sqlite.lots_per_minute;
    comparisons.push({
      chain: byEngine.sqlite.chain,
      sqlite_lots_per_minute: byEngine.sqlite.lots_per_minute,
      postgres_lots_per_minute: byEngine.postgres.lots_per_minute,
      postgres_share_of_sqlite: Number(ratio.toFixed(3)),
      target: ">= 0.9",
      met: ratio >= 0.9,
    });
    console.log(JSON.stringify(comparisons.at(-1)));
  }
}
mkdirSync("bench/results", { recursive: true });
writeFileSync(
  "bench/results/oracle.json",
  JSON.stringify({ runs: results, postgres_vs_sqlite: comparisons }, null, 2) + "\n",
);
console.log("wrote bench/results/oracle.json");
