/**
 * Two indexers on ONE store (one per `itec serve` instance), running at once against one chain while the registry
 * is busy: they race for every range, the loser of each race gets CONCURRENT_WRITER (the store's compare-and-set
 * on its state row) and simply syncs again. Neither crash-loops, neither falls behind, and the index holds every
 * event once: its event count is the chain's log count and every holding equals the chain's balance (an event
 * applied twice would double one). On SQLite (two connections to one file) and on PostgreSQL when
 * ITEC_TEST_DATABASE_URL is set.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";

import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import pg from "pg";
import { pino } from "pino";

import { Indexer, IndexStore, type OpenIndexStoreOptions } from "../../indexer/index.ts";
import { ChainClient } from "../../core/chain/client.ts";
import type { Attestation } from "../../sdk/src/attestation.ts";
import { deployOverRpc, startTestChain, type DeployedRegistry, type TestChain } from "../helpers/chain.ts";
import { DAY, METHOD, PARAMS, signAttestation } from "../helpers/registry.ts";

const PG_URL = process.env.ITEC_TEST_DATABASE_URL;

interface Backend {
  label: string;
  location: OpenIndexStoreOptions;
  dispose(): Promise<void>;
}

const backends: (() => Backend)[] = [
  () => {
    const dir = mkdtempSync(join(tmpdir(), "itec-two-indexers-"));
    return {
      label: "SQLite",
      location: { sqlitePath: join(dir, "index.db") },
      dispose: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  },
  ...(PG_URL
    ? [
        (): Backend => {
          const schema = `itec_ix_two_${process.pid}_${Date.now().toString(36)}`;
          return {
            label: "PostgreSQL",
            location: { databaseUrl: PG_URL, pgSchema: schema },
            async dispose() {
              const client = new pg.Client({ connectionString: PG_URL });
              await client.connect();
              await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
              await client.end();
            },
          };
        },
      ]
    : []),
];

let counter = 0;

/** Issues a batch of `certificates` to the refurbisher, signed by auditor1. */
async function issue(d: DeployedRegistry, chain: TestChain, certificates: bigint): Promise<bigint> {
  counter += 1;
  const now = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
  const tag = `${counter}-${Math.random()}`;
  const attestation: Attestation = {
    owner: d.wallet("refurbisher").address,
    category: 1,
    certificates,
    baselineGrams: 189_000n,
    reductionGrams: 34_000n,
    vintageStart: now - 30n * DAY,
    vintageEnd: now - DAY,
    methodology: METHOD,
    parameters: PARAMS,
    reportHash: keccak256(toUtf8Bytes(`report-${tag}`)),
    referenceDataHash: keccak256(toUtf8Bytes("reference-data")),
    deviceRoot: keccak256(toUtf8Bytes(`root-${tag}`)),
    sampleHash: `0x${"00".repeat(32)}`,
    evidenceURI: `https://registry.example/lots/${counter}/report.json`,
    deadline: now + 30n * DAY,
  };
  const signatures = await signAttestation({ chainId: chain.chainId, address: d.address }, attestation, [
    d.wallet("auditor1"),
  ]);
  await (await d.registry.connect(d.wallet("oracle")).issue(attestation, signatures)).wait();
  return d.registry.batchCount();
}

for (const makeBackend of backends) {
  describe(`Two indexers on one store (${makeBackend().label})`, function () {
    this.timeout(180_000);
    let chain: TestChain;
    let d: DeployedRegistry;
    let backend: Backend;

    before(async () => {
      chain = await startTestChain();
      d = await deployOverRpc(chain, { auditors: 1 });
      backend = makeBackend();
    });
    after(async () => {
      await chain?.stop();
      await backend?.dispose();
    });

    it("neither crash-loops nor duplicates rows while both sync a busy registry", async function () {
      const logs: { level: number; msg: string; err?: { message?: string } }[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _e, done) {
          for (const line of chunk.toString().split("\n").filter(Boolean)) logs.push(JSON.parse(line));
          done();
        },
      });
      const logger = pino({ level: "debug" }, sink);
      const indexers: Indexer[] = [];
      for (let i = 0; i < 2; i++) {
        const client = await ChainClient.connect({ rpcUrl: chain.url, registryAddress: d.address, chainId: 1337n });
        const store = await IndexStore.open(backend.location); // its own connection, as another process has
        const indexer = new Indexer({ chain: client, store, logger: logger.child({ indexer: i }) });
        indexer.onClose(() => Promise.resolve(client.provider.destroy()));
        indexers.push(indexer);
      }
      const stop = new AbortController();
      const loops = indexers.map((ix) => ix.run(stop.signal, 20));
      try {
        const refurbisher = d.wallet("refurbisher");
        const corporate = d.wallet("corporate");
        for (let i = 0; i < 8; i++) {
          const batch = await issue(d, chain, 10n);
          await (
            await d.registry
              .connect(refurbisher)
              .safeTransferFrom(refurbisher.address, corporate.address, batch, BigInt(1 + i), "0x")
          ).wait();
        }
        // Both catch up with the head (each sees the other's ranges as applied).
        const head = await chain.provider.getBlockNumber();
        const deadline = Date.now() + 60_000;
        for (const ix of indexers) {
          while (((await ix.status()).lastBlock ?? -1) < head) {
            if (Date.now() > deadline) throw new Error(`indexer behind: ${JSON.stringify(await ix.status())}`);
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      } finally {
        stop.abort();
        await Promise.all(loops); // run() resolves only when aborted: neither loop died
      }

      const failures = logs.filter((l) => l.msg === "index sync failed; retrying");
      const others = failures.filter((l) => !/another indexer advanced this store first/.test(l.err?.message ?? ""));
      expect(
        others.map((l) => l.err?.message),
        "failures other than losing a race",
      ).to.deep.equal([]);
      // A sync after the race: both answer without error.
      for (const ix of indexers) {
        await ix.syncOnce();
        expect((await ix.status()).lastError).to.equal(null);
      }

      const [a] = indexers;
      const head = await chain.provider.getBlockNumber();
      const chainLogs = await chain.provider.getLogs({ address: d.address, fromBlock: 0, toBlock: head });
      const events = await a!.store.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM ix_events");
      expect(Number(events!.n), "every registry log indexed once").to.equal(chainLogs.length);
      const batches = await a!.listBatches({ limit: 100 });
      expect(batches).to.have.length(Number(await d.registry.batchCount()));
      const holdings = await a!.store.db.all<{ account: string; batch_id: number; amount: string }>(
        "SELECT account, batch_id, amount FROM ix_holdings",
      );
      expect(holdings.length).to.be.greaterThan(0);
      for (const h of holdings) {
        const onChain = await d.registry.balanceOf(h.account, h.batch_id);
        expect(h.amount, `${h.account} batch ${h.batch_id}`).to.equal(onChain.toString());
      }
      console.log(
        `      (${backend.label}: ${failures.length} CONCURRENT_WRITER races lost and retried, ${chainLogs.length} events)`,
      );
      for (const ix of indexers) await ix.close();
    });
  });
}
