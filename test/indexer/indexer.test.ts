/**
 * The event indexer against a real chain over HTTP JSON-RPC: every kind of registry event (contract v2: names,
 * auditing bodies and accreditations, batch status and holds, fraud proofs and their settlement, reversal and
 * replacement) lands in the index and the index equals the chain; it resumes from its last block, re-applying ranges changes nothing, a range that
 * fails before COMMIT leaves nothing behind, and a node restarted with another history makes it rebuild.
 * The SAME suite runs on SQLite and on PostgreSQL (ITEC_TEST_DATABASE_URL, e.g. from `.ci/postgres.sh`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import {
  AbiCoder,
  getAddress,
  id as hashText,
  keccak256,
  toUtf8Bytes,
  ZeroAddress,
  type ContractTransactionResponse,
} from "ethers";
import pg from "pg";

import type { IndexReader } from "../../api/src/deps.ts";
import {
  Indexer,
  IndexerError,
  IndexStore,
  type BlockRange,
  type IndexStatus,
  type SyncResult,
} from "../../indexer/index.ts";
import { INDEX_TABLES } from "../../indexer/schema.ts";
import { type Attestation } from "../../sdk/src/attestation.ts";
import {
  BATCH_STATUS,
  categoriesOfMask,
  challengeKindName,
  CLAIM_STATUS,
  PARTICIPANT_KINDS,
} from "../../sdk/src/enums.ts";
import { ChainClient } from "../../core/chain/client.ts";
import { isTransientError } from "../../core/chain/errors.ts";
import { devAccount } from "../../core/keys.ts";
import { deployOverRpc, startTestChain, type DeployedRegistry, type TestChain } from "../helpers/chain.ts";
import { startRpcProxy, type RpcProxy } from "../helpers/proxy.ts";
import { DAY, METHOD, PARAMS, retirementRequest, signAttestation } from "../helpers/registry.ts";

const PG_URL = process.env.ITEC_TEST_DATABASE_URL;
const IN_CI = process.env.CI === "true";
const CATEGORY = { laptop: 1, desktop: 2, server: 6 } as const;

// ---------------------------------------------------------------------------------------------------------------
// Store backends: the same suite runs on each
// ---------------------------------------------------------------------------------------------------------------

interface Backend {
  name: "SQLite" | "PostgreSQL";
  /** Opens (or reopens) this suite's store. */
  open(): Promise<IndexStore>;
  dispose(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), "itec-index-"));
  return {
    name: "SQLite",
    open: () => IndexStore.open({ sqlitePath: join(dir, "index.db") }),
    dispose: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

function postgresBackend(url: string): Backend {
  const schema = `itec_ix_test_${process.pid}_${Date.now().toString(36)}`;
  return {
    name: "PostgreSQL",
    open: () => IndexStore.open({ databaseUrl: url, pgSchema: schema }),
    dispose: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Registry activity
// ---------------------------------------------------------------------------------------------------------------

const OUTSIDER = devAccount(8).address;
const ELSEWHERE = getAddress("0x00000000000000000000000000000000000c0ffe");
let counter = 0;

async function send(tx: Promise<ContractTransactionResponse>): Promise<void> {
  await (await tx).wait();
}

type DeviceTree = StandardMerkleTree<[bigint, string]>;

/** A device tree of [index, deviceId] leaves (ADR 0015), from leaves given as they are (even if they lie). */
function deviceTree(leaves: [number, string][]): DeviceTree {
  return StandardMerkleTree.of(
    leaves.map(([i, device]) => [BigInt(i), hashText(device)] as [bigint, string]),
    ["uint256", "bytes32"],
  );
}

/** The challenge proof of leaf `position` of `tree`. */
function proofOf(tree: DeviceTree, position: number) {
  const [index, deviceId] = tree.at(position)!;
  return { root: tree.root, index, deviceId, proof: tree.getProof(position) };
}

/** Issues a batch to `owner` signed by auditor1 (under `tree`'s root when given); returns its id. */
async function issue(
  d: DeployedRegistry,
  chain: TestChain,
  category: number,
  certificates: bigint,
  tree?: DeviceTree,
): Promise<bigint> {
  counter += 1;
  const now = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
  const tag = `${counter}-${Math.random()}`;
  const attestation: Attestation = {
    owner: d.wallet("refurbisher").address,
    category,
    certificates,
    baselineGrams: 189_000n + BigInt(counter),
    reductionGrams: 34_000n + BigInt(counter),
    vintageStart: now - 30n * DAY,
    vintageEnd: now - DAY,
    methodology: METHOD,
    parameters: PARAMS,
    reportHash: keccak256(toUtf8Bytes(`report-${tag}`)),
    referenceDataHash: keccak256(toUtf8Bytes("reference-data")),
    deviceRoot: tree?.root ?? keccak256(toUtf8Bytes(`root-${tag}`)),
    sampleHash: `0x${"00".repeat(32)}`,
    evidenceURI: `https://registry.example/lots/${counter}/report.json`,
    deadline: now + 30n * DAY,
  };
  const signatures = await signAttestation({ chainId: chain.chainId, address: d.address }, attestation, [
    d.wallet("auditor1"),
  ]);
  await send(d.registry.connect(d.wallet("oracle")).issue(attestation, signatures));
  return d.registry.batchCount();
}

/**
 * Everything the index tracks: issuance, single and batch transfers, retirements (own, on behalf, by an operator),
 * batch suspension and reinstatement, participant admission, renaming and suspension, auditing bodies and
 * accreditations (registered, renamed, accredited, revoked), the three fraud proofs (one settled with a batch at
 * fault), and a reversal with one of its claims replaced from another batch.
 */
async function populate(d: DeployedRegistry, chain: TestChain): Promise<void> {
  const refurbisher = d.wallet("refurbisher");
  const corporate = d.wallet("corporate");
  const trader = d.wallet("trader");
  const b1 = await issue(d, chain, CATEGORY.laptop, 100n);
  const b2 = await issue(d, chain, CATEGORY.server, 50n);
  const b3 = await issue(d, chain, CATEGORY.desktop, 20n);
  await send(d.registry.connect(refurbisher).safeTransferFrom(refurbisher.address, corporate.address, b1, 30n, "0x"));
  await send(
    d.registry
      .connect(refurbisher)
      .safeBatchTransferFrom(refurbisher.address, trader.address, [b1, b2], [10n, 20n], "0x"),
  );
  await send(
    d.registry
      .connect(corporate)
      .retire(corporate.address, retirementRequest(b1, { amount: 5n, beneficiary: corporate.address })),
  );
  await send(
    d.registry.connect(corporate).retire(
      corporate.address,
      retirementRequest(b1, {
        amount: 3n,
        beneficiaryName: "Globex GmbH",
        purpose: "FY2026 on behalf of a subsidiary",
        scope3Category: 2,
      }),
    ),
  );
  await send(d.registry.connect(trader).setApprovalForAll(corporate.address, true));
  await send(
    d.registry
      .connect(corporate)
      .retire(
        trader.address,
        retirementRequest(b2, { amount: 4n, beneficiaryName: "Initech Ltd", beneficiary: ELSEWHERE }),
      ),
  );
  const admin = d.adminRegistry;
  await send(admin.suspendBatch(b3, "audit finding"));
  await send(admin.reinstateBatch(b3, "finding resolved"));
  await send(admin.suspendBatch(b2, "under review"));
  await send(admin.admitParticipant(OUTSIDER, PARTICIPANT_KINDS.itad, "Outsider Recycling"));
  await send(admin.renameParticipant(corporate.address, "Corporate Group plc"));
  await send(admin.suspendParticipant(trader.address, "KYC expired"));
  const now = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
  await send(admin.registerAuditorBody("Audit Body C"));
  const bodyC = (await d.registry.auditorBodyCounts()).registered;
  await send(admin.setAccreditation(d.wallet("auditor3").address, bodyC, 0x06, now - DAY, now + 365n * DAY));
  await send(admin.renameAuditorBody(1, "Audit Body A (renamed)"));
  await send(admin.revokeAccreditation(d.wallet("auditor2").address, "left the body"));

  // Fraud proofs: a device in two batches (settled: the later batch at fault), a tree larger than its batch and an
  // index used twice (both left open, so they hold their batches).
  const tag = `${counter}-${Math.random()}`;
  const [a, b, c, e, f, g] = ["a", "b", "c", "e", "f", "g"].map((x) => `device-${x}-${tag}`) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const t4 = deviceTree([
    [0, a],
    [1, b],
  ]);
  const t5 = deviceTree([
    [0, b],
    [1, c],
  ]);
  const t6 = deviceTree([
    [0, e],
    [1, f],
  ]);
  const t7 = deviceTree([
    [0, f],
    [0, g],
  ]);
  await issue(d, chain, CATEGORY.laptop, 2n, t4);
  const b5 = await issue(d, chain, CATEGORY.laptop, 2n, t5);
  await issue(d, chain, CATEGORY.desktop, 1n, t6);
  await issue(d, chain, CATEGORY.desktop, 2n, t7);
  const challenger = d.registry.connect(devAccount(8, chain.provider));
  await send(challenger.challengeDuplicateDevice(proofOf(t4, 1), proofOf(t5, 0)));
  await send(admin.settleChallenge(await d.registry.challengeCount(), b5, "b5 listed b4's device", "ipfs://finding"));
  await send(challenger.challengeTreeSize(proofOf(t6, 1)));
  await send(challenger.challengeIndexReuse(proofOf(t7, 0), proofOf(t7, 1)));

  // Reversal: batch 1 is found wrong; the corporate restores its first claim with certificates of another laptop
  // batch, the second stays reversed (replacement owed).
  const b8 = await issue(d, chain, CATEGORY.laptop, 20n);
  await send(d.registry.connect(refurbisher).safeTransferFrom(refurbisher.address, corporate.address, b8, 10n, "0x"));
  await send(admin.reverseBatch(b1, "double counted devices", "https://registry.example/findings/1"));
  await send(d.registry.connect(corporate).replaceRetirement(1, corporate.address, b8));
}

// ---------------------------------------------------------------------------------------------------------------
// The index equals the chain
// ---------------------------------------------------------------------------------------------------------------

const KNOWN_ACCOUNTS = [...Array.from({ length: 10 }, (_, i) => devAccount(i).address), ELSEWHERE];
const isoDay = (unix: bigint) => new Date(Number(unix) * 1000).toISOString().slice(0, 10);
const iso = (unix: bigint) => new Date(Number(unix) * 1000).toISOString();

async function expectIndexEqualsChain(indexer: Indexer, d: DeployedRegistry, chain: TestChain): Promise<void> {
  const r = d.registry;
  // Caught up: the indexed block is the chain's, and the registry emitted nothing after it (with interval mining
  // the head may have moved on by empty blocks), so the views at the head describe the indexed state.
  const status = await indexer.status();
  const head = await chain.provider.getBlockNumber();
  expect(status.lastBlock).to.be.a("number").and.at.most(head);
  expect(status.lastBlockHash).to.equal((await chain.provider.getBlock(status.lastBlock!))!.hash);
  if (status.lastBlock! < head) {
    const later = await chain.provider.getLogs({ address: d.address, fromBlock: status.lastBlock! + 1, toBlock: head });
    expect(later, "registry events after the indexed block").to.deep.equal([]);
  }

  const batchCount = Number(await r.batchCount());
  const batches = await indexer.listBatches({ limit: 1000 });
  expect(batches.map((b) => b.batchId)).to.deep.equal(Array.from({ length: batchCount }, (_, i) => String(i + 1)));
  const issuedLogs = await r.queryFilter(r.filters.BatchIssued(), 0, head);
  for (const b of batches) {
    const id = BigInt(b.batchId);
    const [onChain, totals, hold] = await Promise.all([r.batch(id), r.batchTotals(id), r.batchHold(id)]);
    const method = await r.methodology(onChain.methodologyId);
    const owner = await r.participant(b.owner);
    const log = issuedLogs.find((l) => l.args.batchId === id)!;
    expect(b).to.deep.include({
      owner: getAddress(log.args.owner),
      ownerName: owner.name,
      categoryCode: Number(onChain.category),
      issued: totals.issued.toString(),
      retired: totals.retired.toString(),
      outstanding: totals.outstanding.toString(),
      cancelled: totals.cancelled.toString(),
      baselineGrams: onChain.baselineGrams.toString(),
      reductionGrams: onChain.reductionGrams.toString(),
      vintageStart: isoDay(onChain.vintageStart),
      vintageEnd: isoDay(onChain.vintageEnd),
      methodologyId: Number(onChain.methodologyId),
      methodology: method.name,
      parameters: method.parameters,
      status: BATCH_STATUS[Number(onChain.status)],
      hold: { adminSuspended: hold.adminSuspended, openChallenges: Number(hold.openChallenges) },
      reportHash: log.args.reportHash,
      deviceRoot: log.args.deviceRoot,
      evidenceURI: log.args.evidenceURI,
      txHash: log.transactionHash,
      blockNumber: log.blockNumber,
    });
    expect(b.auditors).to.deep.equal(log.args.auditors.map((a) => getAddress(a)));
    expect(await indexer.batch(b.batchId)).to.deep.equal(b);
  }

  const retirementCount = Number(await r.retirementCount());
  const retirements = await indexer.listRetirements({ limit: 1000 });
  expect(retirements.map((x) => x.retirementId)).to.deep.equal(
    Array.from({ length: retirementCount }, (_, i) => String(i + 1)),
  );
  for (const x of retirements) {
    const id = BigInt(x.retirementId);
    const [claim, [status]] = await Promise.all([r.retirement(id), r.claimStatus(id)]);
    expect(x).to.deep.include({
      batchId: claim.batchId.toString(),
      replacements: Number(claim.replacements),
      claimStatus: CLAIM_STATUS[Number(status)],
      account: getAddress(claim.account),
      accountName: (await r.participant(claim.account)).name,
      amount: claim.amount.toString(),
      beneficiary: claim.beneficiary === ZeroAddress ? null : getAddress(claim.beneficiary),
      periodStart: iso(claim.periodStart),
      periodEnd: iso(claim.periodEnd),
      scope3Category: Number(claim.scope3Category),
      claimHash: claim.claimHash,
      blockNumber: Number(claim.blockNumber),
    });
    // The texts from the event are the ones the stored claim hash binds.
    expect(keccak256(AbiCoder.defaultAbiCoder().encode(["string", "string"], [x.beneficiaryName, x.purpose]))).to.equal(
      claim.claimHash,
    );
    expect(await indexer.retirement(x.retirementId)).to.deep.equal(x);
  }

  const ids = Array.from({ length: batchCount }, (_, i) => BigInt(i + 1));
  for (const account of KNOWN_ACCOUNTS) {
    const balances = ids.length
      ? await r.balanceOfBatch(
          ids.map(() => account),
          ids,
        )
      : [];
    const expected = ids
      .map((id, i) => ({ batchId: id.toString(), amount: balances[i]!.toString() }))
      .filter((h) => h.amount !== "0");
    expect(await indexer.holdings(account), `holdings of ${account}`).to.deep.equal(expected);
  }

  const participants = await indexer.participants();
  const expectedParticipants: { account: string; name: string; kind: number; status: number }[] = [];
  for (const account of KNOWN_ACCOUNTS) {
    const p = await r.participant(account);
    if (p.kind !== 0n) {
      expectedParticipants.push({ account, name: p.name, kind: Number(p.kind), status: Number(p.status) });
    }
  }
  const KINDS = ["none", "refurbisher", "itad", "corporate", "trader"];
  const STATUSES = ["none", "active", "suspended"];
  expect(
    participants.map((p) => ({ account: p.account, name: p.name, kind: p.kind, status: p.status })).sort(byAccount),
  ).to.deep.equal(
    expectedParticipants
      .map((p) => ({ account: p.account, name: p.name, kind: KINDS[p.kind], status: STATUSES[p.status] }))
      .sort(byAccount),
  );

  // Accreditations: every known account the chain accredits, with its body, scope and window.
  const accreditations = await indexer.accreditations();
  const expectedAccreditations = [];
  for (const account of KNOWN_ACCOUNTS) {
    const a = await r.accreditation(account);
    if (a.bodyId === 0n) continue;
    expectedAccreditations.push({
      auditor: account,
      bodyId: Number(a.bodyId),
      bodyName: (await r.auditorBody(a.bodyId)).name,
      categories: categoriesOfMask(a.categories),
      categoriesMask: Number(a.categories),
      validFrom: iso(a.validFrom),
      validUntil: iso(a.validUntil),
    });
  }
  expect(
    accreditations
      .map(({ accreditedBlock: _b, accreditedAt: _t, ...a }) => a)
      .sort((x, y) => x.auditor.localeCompare(y.auditor)),
  ).to.deep.equal(expectedAccreditations.sort((x, y) => x.auditor.localeCompare(y.auditor)));
  expect([...(await indexer.auditors())].sort()).to.deep.equal(expectedAccreditations.map((a) => a.auditor).sort());
  const bodies = await indexer.auditorBodies();
  const [registered] = await r.auditorBodyCounts();
  expect(bodies.map((b) => b.bodyId)).to.deep.equal(Array.from({ length: Number(registered) }, (_, i) => i + 1));
  for (const body of bodies) {
    const onChain = await r.auditorBody(body.bodyId);
    expect(body.name).to.equal(onChain.name);
    expect(body.auditors).to.have.length(Number(onChain.auditors));
  }

  // Challenges: kind, what they name and hold, and the decision.
  const challenges = await indexer.challenges({ limit: 1000 });
  expect(challenges.map((c) => c.challengeId)).to.deep.equal(
    Array.from({ length: Number(await r.challengeCount()) }, (_, i) => String(i + 1)),
  );
  for (const c of challenges) {
    const onChain = await r.challenge(BigInt(c.challengeId));
    expect(c).to.deep.include({
      kind: challengeKindName(onChain.kind),
      status: onChain.status === 2n ? "settled" : "open",
      batchA: onChain.batchA.toString(),
      batchB: onChain.batchB === 0n ? null : onChain.batchB.toString(),
      faultyBatchId: onChain.faultyBatchId === 0n ? null : onChain.faultyBatchId.toString(),
      challenger: getAddress(onChain.challenger),
      deviceId: onChain.deviceId,
      index: onChain.index.toString(),
    });
    expect(await indexer.challenge(c.challengeId)).to.deep.equal(c);
  }
}

const byAccount = (a: { account: string }, b: { account: string }) => a.account.localeCompare(b.account);

/** Every row of every index table (order-independent), to compare before and after a replay. */
async function dump(store: IndexStore): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of INDEX_TABLES) {
    out[table] = (await store.db.all(`SELECT * FROM ${table}`)).map((row) => JSON.stringify(row)).sort();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The suite, once per backend
// ---------------------------------------------------------------------------------------------------------------

function indexerSuite(makeBackend: () => Backend, name: Backend["name"]): void {
  describe(`Indexer on ${name}`, function () {
    this.timeout(120_000);
    let backend: Backend;
    let chain: TestChain;
    let d: DeployedRegistry;
    let proxy: RpcProxy;
    let client: ChainClient;
    let store: IndexStore;
    let indexer: Indexer;
    let startBlock: number;
    const chains: TestChain[] = [];
    const stopped = new Set<TestChain>();
    /** Stops a chain once (a second stop of a killed anvil would wait for an exit that already happened). */
    const stop = async (c: TestChain) => {
      if (stopped.has(c)) return;
      stopped.add(c);
      await c.stop().catch(() => undefined);
    };

    const newIndexer = (options: Partial<ConstructorParameters<typeof Indexer>[0]> = {}) =>
      new Indexer({ chain: client, store, startBlock, maxRange: 4, ...options });

    before(async function () {
      backend = makeBackend();
      chain = await startTestChain();
      chains.push(chain);
      d = await deployOverRpc(chain, { auditors: 2 });
      startBlock = d.deployBlock;
      proxy = await startRpcProxy(chain.url);
      client = await ChainClient.connect({ rpcUrl: proxy.url, registryAddress: d.address, chainId: chain.chainId });
      store = await backend.open();
      indexer = newIndexer();
    });

    after(async function () {
      await store?.close().catch(() => undefined);
      client?.provider.destroy();
      await proxy?.close();
      for (const c of chains) await stop(c);
      await backend?.dispose();
    });

    it("indexes every kind of registry event so that the index equals the chain", async function () {
      const reader: IndexReader = indexer; // what the API's listing routes take
      expect((await reader.status()).lastBlock).to.equal(null);
      expect(await reader.ping()).to.equal(true);
      await populate(d, chain);
      const result = await indexer.syncOnce();
      expect(result.rebuilt).to.equal(null);
      expect(result.fromBlock).to.equal(startBlock);
      expect(result.ranges).to.be.greaterThan(3); // maxRange 4: many ranges, each its own transaction
      expect(result.applied).to.equal(result.events);
      await expectIndexEqualsChain(indexer, d, chain);

      const refurbisher = d.wallet("refurbisher").address;
      const corporate = d.wallet("corporate").address;
      const trader = d.wallet("trader").address;
      // Beneficiary search: account OR case-insensitive text in the name.
      expect((await indexer.listRetirements({ beneficiary: "GLOBEX" })).map((x) => x.retirementId)).to.deep.equal([
        "2",
      ]);
      expect(
        (await indexer.listRetirements({ beneficiary: corporate.toLowerCase() })).map((x) => x.retirementId),
      ).to.deep.equal(["1"]);
      expect((await indexer.listRetirements({ beneficiary: "100%" })).length).to.equal(0); // LIKE wildcards escaped
      const onBehalf = await indexer.listRetirements({ account: trader });
      expect(onBehalf).to.have.length(1);
      expect(onBehalf[0]).to.deep.include({
        retirementId: "3",
        batchId: "2",
        account: trader,
        operator: corporate,
        beneficiaryName: "Initech Ltd",
        beneficiary: ELSEWHERE,
        amount: "4",
      });
      // Retirement 1 was retired from batch 1 and now rests on batch 8: it is listed under both.
      expect((await indexer.listRetirements({ batchId: "1" })).map((x) => x.retirementId)).to.deep.equal(["1", "2"]);
      expect((await indexer.listRetirements({ batchId: "8" })).map((x) => x.retirementId)).to.deep.equal(["1"]);
      expect(
        (await indexer.listRetirements({ batchId: 1, limit: 1, offset: 1 })).map((x) => x.retirementId),
      ).to.deep.equal(["2"]);
      for (const [claimStatus, expected] of [
        ["verified", ["3"]],
        ["reversed", ["2"]],
        ["replaced", ["1"]],
      ] as const) {
        const listed = await indexer.listRetirements({ claimStatus });
        expect(
          listed.map((x) => x.retirementId),
          claimStatus,
        ).to.deep.equal(expected);
      }
      expect(await indexer.retirement(1)).to.deep.include({
        batchId: "8",
        originalBatchId: "1",
        replacements: 1,
        claimStatus: "replaced",
        accountName: "Corporate Group plc",
      });
      expect(await indexer.replacements(1)).to.have.length(1);
      expect((await indexer.replacements(1))[0]).to.deep.include({
        retirementId: "1",
        previousBatchId: "1",
        batchId: "8",
        holder: corporate,
        operator: corporate,
        amount: "5",
      });

      expect((await indexer.listBatches({ owner: refurbisher })).map((b) => b.batchId)).to.deep.equal([
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
      ]);
      expect((await indexer.listBatches({ category: "server" })).map((b) => b.batchId)).to.deep.equal(["2"]);
      expect((await indexer.listBatches({ category: 2 })).map((b) => b.batchId)).to.deep.equal(["3", "6", "7"]);
      expect((await indexer.listBatches({ status: "suspended" })).map((b) => b.batchId)).to.deep.equal([
        "2",
        "5",
        "6",
        "7",
      ]);
      expect((await indexer.listBatches({ status: "reversed" })).map((b) => b.batchId)).to.deep.equal(["1"]);
      const hold = (adminSuspended: boolean, openChallenges: number) => ({ adminSuspended, openChallenges });
      expect((await indexer.batch(2))!).to.deep.include({
        ownerName: "Refurb Co",
        status: "suspended",
        hold: hold(true, 0),
        issued: "50",
        retired: "4",
        outstanding: "46",
        cancelled: "0",
      });
      expect((await indexer.batch(1))!).to.deep.include({
        status: "reversed",
        retired: "8",
        outstanding: "0",
        cancelled: "92",
      });
      expect((await indexer.batch(8))!).to.deep.include({ status: "active", retired: "5", outstanding: "15" });
      // Settled with batch 5 at fault: 4 released, 5 left suspended by the admin; 6 and 7 held by open challenges.
      expect((await indexer.batch(4))!).to.deep.include({ status: "active", hold: hold(false, 0) });
      expect((await indexer.batch(5))!).to.deep.include({ status: "suspended", hold: hold(true, 0) });
      expect((await indexer.batch(6))!).to.deep.include({ status: "suspended", hold: hold(false, 1) });
      expect(await indexer.batch(99)).to.equal(undefined);

      expect((await indexer.batchActions(3)).map((x) => [x.action, x.reason])).to.deep.equal([
        ["suspended", "audit finding"],
        ["reinstated", "finding resolved"],
      ]);
      expect(await indexer.batchActions(1)).to.have.length(1);
      expect((await indexer.batchActions(1))[0]).to.deep.include({
        action: "reversed",
        reason: "double counted devices",
        evidenceURI: "https://registry.example/findings/1",
        cancelled: "92",
      });
      expect(await indexer.holders(1)).to.deep.equal([]); // a reversed batch's balances read 0

      expect((await indexer.challenges({ status: "open" })).map((c) => [c.challengeId, c.kind])).to.deep.equal([
        ["2", "index-out-of-range"],
        ["3", "index-reused"],
      ]);
      expect((await indexer.challenges({ batchId: 5 })).map((c) => c.challengeId)).to.deep.equal(["1"]);
      expect((await indexer.challenge(1))!).to.deep.include({
        kind: "duplicate-device",
        status: "settled",
        batchA: "4",
        batchB: "5",
        faultyBatchId: "5",
      });
      expect((await indexer.challenge(1))!.settlement).to.deep.include({
        reason: "b5 listed b4's device",
        evidenceURI: "ipfs://finding",
        by: d.wallet("admin").address,
      });
      expect((await indexer.challenge(2))!).to.deep.include({ batchB: null, index: "1", settlement: null });

      expect((await indexer.participants({ status: "suspended" })).map((p) => p.account)).to.deep.equal([trader]);
      expect((await indexer.participants({ kind: "itad" })).map((p) => [p.account, p.name])).to.deep.equal([
        [OUTSIDER, "Outsider Recycling"],
      ]);
      expect((await indexer.participantEvents(trader)).map((e) => e.action)).to.deep.equal(["admitted", "suspended"]);
      expect((await indexer.participantEvents(corporate)).map((e) => [e.action, e.name])).to.deep.equal([
        ["admitted", "Corporate plc"],
        ["renamed", "Corporate Group plc"],
      ]);
      expect(await indexer.auditors()).to.deep.equal([d.wallet("auditor1").address, d.wallet("auditor3").address]);
      expect((await indexer.auditorBodies()).map((b) => [b.bodyId, b.name, b.auditors])).to.deep.equal([
        [1, "Audit Body A (renamed)", [d.wallet("auditor1").address]],
        [2, "Audit Body B", []],
        [3, "Audit Body C", [d.wallet("auditor3").address]],
      ]);
      expect((await indexer.accreditations()).find((a) => a.bodyId === 3)!.categories).to.deep.equal([
        "laptop",
        "desktop",
      ]);
      expect(
        (await indexer.accreditationEvents(d.wallet("auditor2").address)).map((e) => [e.action, e.reason]),
      ).to.deep.equal([
        ["accredited", null],
        ["revoked", "left the body"],
      ]);

      const traderMoves = await indexer.transfers({ account: trader });
      expect(traderMoves.map((t) => [t.kind, t.batchId, t.amount, t.from === trader ? "out" : "in"])).to.deep.equal([
        ["transfer", "1", "10", "in"],
        ["transfer", "2", "20", "in"],
        ["burn", "2", "4", "out"],
      ]);
      expect(traderMoves[0]!.txHash).to.equal(traderMoves[1]!.txHash); // one TransferBatch, two items
      expect(traderMoves.map((t) => t.itemIndex)).to.deep.equal([0, 1, 0]);
      expect((await indexer.transfers({ batchId: 1 })).map((t) => t.kind)).to.deep.equal([
        "mint",
        "transfer",
        "transfer",
        "burn",
        "burn",
      ]);

      for (const bad of [
        () => indexer.holdings("0x1234"),
        () => indexer.listBatches({ category: "toaster" }),
        () => indexer.listBatches({ status: "frozen" }),
        () => indexer.listRetirements({ claimStatus: "valid" }),
        () => indexer.challenges({ status: "pending" }),
      ]) {
        const error = await bad().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(IndexerError).with.property("code", "INVALID_FILTER");
      }
    });

    it("resumes from its last block after a restart of the indexer", async function () {
      const before = (await indexer.status()).lastBlock!;
      const b4 = await issue(d, chain, CATEGORY.laptop, 12n);
      const corporate = d.wallet("corporate");
      const refurbisher = d.wallet("refurbisher");
      await send(
        d.registry.connect(refurbisher).safeTransferFrom(refurbisher.address, corporate.address, b4, 7n, "0x"),
      );
      await send(d.registry.connect(corporate).retire(corporate.address, retirementRequest(b4, { amount: 2n })));

      await store.close();
      store = await backend.open();
      indexer = newIndexer();
      const result = await indexer.syncOnce();
      expect(result.rebuilt).to.equal(null);
      expect(result.fromBlock).to.equal(before + 1);
      // issue: BatchIssued + TransferSingle; transfer: TransferSingle; retire: TransferSingle + CertificatesRetired
      expect(result.applied).to.equal(5);
      await expectIndexEqualsChain(indexer, d, chain);

      // Nothing more to apply. On a chain that mines a block a second (anvil in test:anvil), empty blocks may have
      // been mined meanwhile, so the second sync may read a range — but finds no event in it.
      const again = await indexer.syncOnce();
      expect(again).to.deep.include({ rebuilt: null, applied: 0 });
      if (again.fromBlock !== null) expect(again.fromBlock).to.be.greaterThan(before + 1);
    });

    it("changes nothing when already indexed ranges are applied again", async function () {
      const snapshot = await dump(store);
      const start = (await chain.provider.getBlock(startBlock))!;
      // As if the last block had never been recorded (e.g. a crash between applying and recording it).
      await store.db.run("UPDATE ix_state SET last_block = ?, last_hash = ?, version = version + 1 WHERE id = 1", [
        start.number,
        start.hash,
      ]);
      const result = await indexer.syncOnce();
      expect(result.rebuilt).to.equal(null);
      expect(result.fromBlock).to.equal(startBlock + 1);
      expect(result.events).to.be.greaterThan(20);
      expect(result.applied).to.equal(0);
      expect(await dump(store)).to.deep.equal(snapshot);
      await expectIndexEqualsChain(indexer, d, chain);
    });

    it("leaves nothing of a range that fails before COMMIT, and completes it on the next sync", async function () {
      const b5 = await issue(d, chain, CATEGORY.server, 9n);
      const refurbisher = d.wallet("refurbisher");
      await send(d.registry.connect(refurbisher).retire(refurbisher.address, retirementRequest(b5, { amount: 9n })));
      const [issued] = await d.registry.queryFilter(d.registry.filters.BatchIssued(b5));
      const before = issued!.blockNumber - 1; // maxRange 1: blocks up to here apply, the issuance block fails
      let failed = 0;
      const crashing = newIndexer({
        maxRange: 1,
        beforeCommit: (range: BlockRange) => {
          if (range.events.length > 0 && failed++ === 0) throw new Error("simulated crash before COMMIT");
        },
      });
      const error = await crashing.syncOnce().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).to.equal("simulated crash before COMMIT");
      const state = (await store.state())!;
      expect(state.lastBlock).to.equal(before); // the failed block is not recorded …
      for (const table of ["ix_events", "ix_transfers", "ix_batches", "ix_retirements"]) {
        const row = await store.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE block_number > ?`, [
          before,
        ]);
        expect(row!.n, `${table} rows after block ${before}`).to.equal(0); // … and nothing of it was applied
      }
      expect(await indexer.batch(b5)).to.equal(undefined);
      expect((await crashing.status()).lastError).to.equal("simulated crash before COMMIT");

      const result = await crashing.syncOnce();
      expect(result.fromBlock).to.equal(before + 1);
      expect(result.applied).to.equal(4); // BatchIssued + mint, burn + CertificatesRetired
      expect((await crashing.status()).lastError).to.equal(null);
      await expectIndexEqualsChain(crashing, d, chain);
    });

    it("refuses to apply a range when another writer advanced the store first", async function () {
      await issue(d, chain, CATEGORY.laptop, 3n);
      const state = (await store.state())!;
      const range: BlockRange = {
        fromBlock: state.lastBlock! + 1,
        toBlock: state.lastBlock! + 1,
        toHash: "0x" + "00".repeat(32),
        toTime: 0,
        events: [],
      };
      const error = await store.applyRange(range, state.version - 1, {}).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(IndexerError).with.property("code", "CONCURRENT_WRITER");
      expect((await store.state())!.lastBlock).to.equal(state.lastBlock);
      await indexer.syncOnce();
      await expectIndexEqualsChain(indexer, d, chain);
    });

    it("keeps the index when a sync fails because the node is down", async function () {
      const before = await indexer.status();
      await stop(chain); // the node goes down (its state is gone with it)
      const error = await indexer.syncOnce().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isTransientError(error), String(error)).to.equal(true);
      const after = await indexer.status();
      expect(after.lastBlock).to.equal(before.lastBlock);
      expect(after.lastBlockHash).to.equal(before.lastBlockHash);
      expect(after.lastError).to.be.a("string");
      expect(await indexer.listBatches()).to.have.length(11);
    });

    it("rebuilds from the start block when the node restarts from an earlier state, with no stale rows", async function () {
      const oldLast = (await indexer.status()).lastBlock!;
      const fresh = await startTestChain();
      chains.push(fresh);
      const d2 = await deployOverRpc(fresh, { auditors: 1 });
      expect(d2.address).to.equal(d.address); // same deployer, same nonce: same registry address, other history
      await issue(d2, fresh, CATEGORY.desktop, 7n);
      expect(await fresh.provider.getBlockNumber()).to.be.lessThan(oldLast);
      proxy.retarget(fresh.url); // the restarted node behind the same URL

      const result = await syncRetrying(indexer);
      expect(result.rebuilt).to.match(/indexed block \d+ is not on the chain/);
      expect(result.fromBlock).to.equal(startBlock);
      await expectIndexEqualsChain(indexer, d2, fresh);
      expect(await indexer.listRetirements()).to.deep.equal([]);
      expect(await indexer.transfers({ account: d.wallet("trader").address })).to.deep.equal([]);
      expect(await indexer.holdings(d.wallet("trader").address)).to.deep.equal([]);
      expect(await indexer.batchActions()).to.deep.equal([]);
      expect(await indexer.challenges()).to.deep.equal([]);
      expect(await indexer.replacements()).to.deep.equal([]);
      expect(await indexer.participantEvents(OUTSIDER)).to.deep.equal([]);
      expect(await indexer.auditors()).to.deep.equal([d2.wallet("auditor1").address]);
      const status = await indexer.status();
      expect(status.rebuildReason).to.equal(result.rebuilt);
      expect(status.lagBlocks).to.equal(0);
      d = d2;
      chain = fresh;
    });

    it("rebuilds, while running, when the node restarts with a different history at the indexed height", async function () {
      const controller = new AbortController();
      await stop(chain);
      const running = indexer.run(controller.signal, 50); // runs through the outage and the swap
      try {
        const down = await waitFor(indexer, (s) => s.lastError !== null);
        const oldLast = down.lastBlock!;
        const fresh = await startTestChain();
        chains.push(fresh);
        const d2 = await deployOverRpc(fresh, { auditors: 2 });
        await populate(d2, fresh);
        while ((await fresh.provider.getBlockNumber()) < oldLast + 2) await fresh.mine();
        proxy.retarget(fresh.url);
        const head = await fresh.provider.getBlockNumber();
        // A sync in flight when the node was swapped may fail once (its socket is cut); the loop retries.
        const status = await waitFor(
          indexer,
          (s) => s.rebuildReason !== null && (s.lastBlock ?? -1) >= head && s.lastError === null,
        );
        expect(status.rebuildReason).to.match(new RegExp(`block ${oldLast} has hash 0x[0-9a-f]{64} on the chain but`));
        expect(status.lastError).to.equal(null);
        await expectIndexEqualsChain(indexer, d2, fresh);
        expect((await indexer.listRetirements()).map((x) => x.beneficiaryName)).to.deep.equal([
          "Acme Corporation",
          "Globex GmbH",
          "Initech Ltd",
        ]);
      } finally {
        controller.abort();
        await running;
      }
    });
  });
}

/** `syncOnce`, retried (like `run` does) when a connection dropped by the node swap fails a request. */
async function syncRetrying(indexer: Indexer): Promise<SyncResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await indexer.syncOnce();
    } catch (error) {
      if (attempt >= 3 || !isTransientError(error)) throw error;
    }
  }
}

/** Polls the indexer's status until `done` (10 s at most). */
async function waitFor(indexer: Indexer, done: (s: IndexStatus) => boolean): Promise<IndexStatus> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = await indexer.status();
    if (done(status)) return status;
    if (Date.now() > deadline) throw new Error(`index did not get there: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

indexerSuite(sqliteBackend, "SQLite");
if (PG_URL) {
  indexerSuite(() => postgresBackend(PG_URL), "PostgreSQL");
} else if (IN_CI) {
  describe("Indexer on PostgreSQL", function () {
    it("needs ITEC_TEST_DATABASE_URL in CI", function () {
      throw new Error(
        'ITEC_TEST_DATABASE_URL is not set: CI must run the PostgreSQL indexer tests (eval "$(bash .ci/postgres.sh)")',
      );
    });
  });
} else {
  describe("Indexer on PostgreSQL", function () {
    it('is pending: set ITEC_TEST_DATABASE_URL to run it (eval "$(bash .ci/postgres.sh)" as root)');
  });
}
