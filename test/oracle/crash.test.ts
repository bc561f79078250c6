/**
 * Fault injection: the oracle worker runs as a real child process (`itec oracle run`) and is killed with SIGKILL
 * at each point of the posting path — before posting, after the transaction is persisted but not broadcast,
 * after broadcast while the transaction is still pending (not mined), and after the receipt but before the
 * confirmation is recorded. On restart every lot must end issued exactly once: mints are counted on-chain.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { pino } from "pino";

import { ChainClient } from "../../core/chain/client.ts";
import { readLotCsv } from "../../core/calc/lot/index.ts";
import type { FaultPoint } from "../../core/config.ts";
import { Oracle } from "../../oracle/src/pipeline/oracle.ts";
import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import { devAccount } from "../../core/keys.ts";
import { JobStore } from "../../oracle/src/store/jobs.ts";
import { ACCOUNTS, deployOverRpc, startTestChain, type DeployedRegistry, type TestChain } from "../helpers/chain.ts";
import { signView } from "../helpers/sign.ts";

const reference = loadReferenceTable();

interface Worker {
  child: ChildProcess;
  stderr: () => string;
  /** Resolves with the fault point's context when the worker announces it. */
  paused: Promise<string>;
  exited: Promise<number | null>;
}

function startWorker(env: Record<string, string>): Worker {
  const child = spawn(process.execPath, ["bin/itec.js", "oracle", "run"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  let onPause: (s: string) => void = () => {};
  const paused = new Promise<string>((resolve) => (onPause = resolve));
  child.stdout.on("data", (chunk: Buffer) => (err += chunk.toString())); // pino's JSON log lines
  child.stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
    const m = /ITEC_FAULT_POINT (\S+) (.*)\n/.exec(err);
    if (m) onPause(m[0]);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, stderr: () => err, paused, exited };
}

async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
  explain: () => Promise<string> = () => Promise.resolve(""),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${await explain()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("Oracle crash safety (SIGKILL of a real worker process)", function () {
  this.timeout(180_000);

  let chain: TestChain;
  let deployed: DeployedRegistry;
  let dir: string;

  beforeEach(async () => {
    chain = await startTestChain();
    deployed = await deployOverRpc(chain, { auditors: 2 });
    dir = mkdtempSync(join(tmpdir(), "itec-crash-"));
  });
  afterEach(async () => {
    await monitor?.close();
    monitor = undefined;
    await chain.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Submits the §9 lot and has auditor 1 sign both issuable batches, from "the API" (this process). */
  async function prepare(dbPath: string): Promise<string[]> {
    const client = await ChainClient.connect({ rpcUrl: chain.url, registryAddress: deployed.address, chainId: 1337n });
    const store = await JobStore.open(dbPath);
    const oracle = new Oracle({
      store,
      chain: client,
      signer: devAccount(ACCOUNTS.oracle, client.provider),
      reference,
      logger: pino({ level: "silent" }),
    });
    const lot = await oracle.submitLot({
      devices: await readLotCsv("test/vectors/section9-lot.csv"),
      defaultTransport: "hgv:600;van:250",
      refurbisher: deployed.wallet("refurbisher").address,
    });
    const ids = (await store.batchesInState("awaiting_signatures")).map((b) => b.id);
    const auditor = deployed.wallet("auditor1");
    for (const id of ids)
      await oracle.addSignature(id, auditor.address, await signView(auditor, await oracle.getAttestation(id)));
    expect((await store.batchesInState("ready")).map((b) => b.id)).to.deep.equal(ids);
    expect(lot.status).to.equal("calculated");
    await store.close();
    client.provider.destroy();
    return ids;
  }

  function workerEnv(dbPath: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      ITEC_RPC_URL: chain.url,
      ITEC_REGISTRY_ADDRESS: deployed.address,
      ITEC_CHAIN_ID: "1337",
      ITEC_ORACLE_DEV_ACCOUNT: String(ACCOUNTS.oracle),
      ITEC_DB_PATH: dbPath,
      ITEC_POLL_MS: "50",
      ITEC_LOG_LEVEL: "info",
      ...extra,
    };
  }

  /** Batch states as the worker has committed them (one reader connection per test, WAL: never blocks it). */
  let monitor: JobStore | undefined;
  async function states(dbPath: string): Promise<Record<string, string>> {
    monitor ??= await JobStore.open(dbPath);
    return Object.fromEntries(
      (await monitor.batchesInState("ready", "posted", "confirmed", "failed")).map((b) => [b.id, b.state]),
    );
  }

  const cases: { point: FaultPoint; automine: boolean; confirmations: number; label: string }[] = [
    { point: "before_post", automine: true, confirmations: 1, label: "before posting (ready)" },
    {
      point: "after_tx_persisted",
      automine: true,
      confirmations: 1,
      label: "after the signed tx is persisted, before broadcast",
    },
    {
      point: "after_broadcast",
      automine: false,
      confirmations: 1,
      label: "after broadcast, transaction pending (sent but not mined)",
    },
    {
      point: "after_broadcast",
      automine: true,
      confirmations: 1,
      label: "after broadcast, mined but receipt not yet read",
    },
    {
      point: "after_receipt",
      automine: true,
      confirmations: 2,
      label: "during confirmation (receipt read, 2 confirmations needed)",
    },
  ];

  for (const c of cases) {
    it(`issues every batch exactly once after a SIGKILL ${c.label}`, async function () {
      const dbPath = join(dir, "registry.db");
      const ids = await prepare(dbPath);
      if (!c.automine) await chain.setAutomine(false);

      const first = startWorker(
        workerEnv(dbPath, { ITEC_FAULT_PAUSE_AT: c.point, ITEC_CONFIRMATIONS: String(c.confirmations) }),
      );
      await Promise.race([
        first.paused,
        first.exited.then((code) =>
          Promise.reject(new Error(`worker exited (${code}) before the fault point: ${first.stderr()}`)),
        ),
      ]);
      first.child.kill("SIGKILL");
      expect(await first.exited).to.equal(null);

      if (!c.automine) {
        // The transaction sits in the node's pool; mining resumes while the worker is dead.
        await chain.setAutomine(true);
        await chain.mine();
      }

      const second = startWorker(workerEnv(dbPath, { ITEC_CONFIRMATIONS: String(c.confirmations) }));
      await waitFor(
        async () => {
          if (c.confirmations > 1) await chain.mine();
          const s = await states(dbPath);
          return ids.every((id) => s[id] === "confirmed");
        },
        "all batches confirmed",
        90_000,
        async () => `states ${JSON.stringify(await states(dbPath))}; worker stderr: ${second.stderr().slice(-2000)}`,
      );
      second.child.kill("SIGTERM");
      expect(await second.exited).to.equal(0);

      // Exactly once, counted on-chain: one BatchIssued per batch, and the oracle sent no extra transaction.
      const events = await deployed.registry.queryFilter(deployed.registry.filters.BatchIssued());
      expect(events).to.have.length(ids.length);
      expect(await deployed.registry.batchCount()).to.equal(BigInt(ids.length));
      expect(await chain.provider.getTransactionCount(deployed.wallet("oracle").address)).to.equal(ids.length);
      const store = await JobStore.open(dbPath);
      try {
        for (const id of ids) {
          const txs = await store.txsOfBatch(id);
          const mined = txs.filter((t) => t.status === "mined");
          expect(
            mined,
            `${id}: ${JSON.stringify(txs.map(({ raw: _r, ...t }) => t))} ${JSON.stringify(await store.transitions(id))}`,
          ).to.have.length(1);
          expect((await store.batch(id))!.token_id).to.not.equal(null);
        }
        const tokens = await Promise.all(ids.map(async (id) => (await store.batch(id))!.token_id));
        expect(new Set(tokens).size).to.equal(ids.length);
      } finally {
        await store.close();
      }
    });
  }
});
