/**
 * Chain-only reads against a node that caps eth_getLogs ranges, as Besu does (`--rpc-max-logs-range`, 5000 blocks
 * by default; error -32005 "Requested range exceeds maximum RPC range limit"). A loopback JSON-RPC proxy in front
 * of the test chain refuses every eth_getLogs with `toBlock − fromBlock` above CAP; the chain is made far longer
 * than that with empty blocks between the registry's events, and the reads the verify page, the certificates and
 * the Scope 3 report use (batch detail, retirement verification, an account's retirements by a chain scan) must answer exactly
 * what an uncapped read of the chain says — in bounded ranges, halving a refused range, and in few calls. A
 * retirement's texts are one single-block read (its stored `blockNumber`); a batch's issuance is one whole-chain
 * query on its id's topic, and once the node refused that, a search in bounded ranges.
 */
import { createServer, type Server } from "node:http";

import { expect } from "chai";
import { getAddress, keccak256, toQuantity, toUtf8Bytes, type ContractTransactionResponse } from "ethers";

import type { Attestation } from "../../sdk/src/attestation.ts";
import { ChainClient } from "../../core/chain/client.ts";
import { HeadCache } from "../../core/chain/head-cache.ts";
import { isRangeRefused } from "../../sdk/src/logs.ts";
import { ChainReads, type ChainReadsOptions } from "../../core/chain/reads.ts";
import { organisationClaims } from "../../core/claims/organisation.ts";
import { chainScanClaimSource } from "../../core/claims/sources.ts";
import { deployOverRpc, startTestChain, type DeployedRegistry, type TestChain } from "../helpers/chain.ts";
import { DAY, METHOD, PARAMS, retirementRequest, signAttestation } from "../helpers/registry.ts";

/** The proxy's cap: the largest `toBlock − fromBlock` it lets through (Besu's check). */
const CAP = 1000;
/** Empty blocks mined between the registry's events: the chain ends up more than 4 × GAP blocks long. */
const GAP = 2500;
/** Seconds between the mined empty blocks (so that a batch's vintage can narrow the search by time). */
const MINED_INTERVAL = 10;

// ---------------------------------------------------------------------------------------------------------------
// A loopback JSON-RPC proxy that refuses wide eth_getLogs like Besu
// ---------------------------------------------------------------------------------------------------------------

interface GetLogsCall {
  from: number;
  to: number;
  refused: boolean;
}

interface CappedProxy {
  url: string;
  /** Every eth_getLogs seen since the last `reset()`. */
  readonly calls: GetLogsCall[];
  /** Every other method seen since the last `reset()`. */
  readonly others: string[];
  reset(): void;
  /** HTTP status of a refusal (Besu answers 200 with the JSON-RPC error; some gateways answer 400). */
  refusalStatus: number;
  close(): Promise<void>;
}

type RpcMessage = { jsonrpc: "2.0"; id: unknown; method: string; params?: unknown[] };

async function startCappedProxy(upstream: string, cap: number): Promise<CappedProxy> {
  const forward = async (body: unknown): Promise<unknown> => {
    const res = await fetch(upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return res.json();
  };
  const headNow = async () => {
    const answer = (await forward({ jsonrpc: "2.0", id: 0, method: "eth_blockNumber", params: [] })) as {
      result: string;
    };
    return Number(BigInt(answer.result));
  };
  const proxy: CappedProxy = {
    url: "",
    calls: [],
    others: [],
    refusalStatus: 200,
    reset() {
      proxy.calls.length = 0;
      proxy.others.length = 0;
    },
    close: () => Promise.resolve(),
  };
  /** Besu's check: the block numbers the filter resolves to, refused when `to − from > cap`. */
  const refusal = async (msg: RpcMessage) => {
    if (msg.method !== "eth_getLogs") {
      proxy.others.push(msg.method);
      return undefined;
    }
    const filter = (msg.params?.[0] ?? {}) as { fromBlock?: string; toBlock?: string; blockHash?: string };
    if (filter.blockHash) return undefined;
    let head: number | undefined;
    const resolve = async (tag: string | undefined) => {
      if (tag === undefined || ["latest", "pending", "safe", "finalized"].includes(tag))
        return (head ??= await headNow());
      return tag === "earliest" ? 0 : Number(BigInt(tag));
    };
    const from = await resolve(filter.fromBlock);
    const to = await resolve(filter.toBlock);
    const refused = to - from > cap;
    proxy.calls.push({ from, to, refused });
    if (!refused) return undefined;
    return {
      jsonrpc: "2.0",
      id: msg.id,
      error: { code: -32005, message: "Requested range exceeds maximum RPC range limit" },
    };
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RpcMessage | RpcMessage[];
          const messages = Array.isArray(body) ? body : [body];
          let refusedAny = false;
          const answers = await Promise.all(
            messages.map(async (msg) => {
              const refused = await refusal(msg);
              if (refused) refusedAny = true;
              return refused ?? forward(msg);
            }),
          );
          res.writeHead(refusedAny ? proxy.refusalStatus : 200, { "content-type": "application/json" });
          res.end(JSON.stringify(Array.isArray(body) ? answers : answers[0]));
        } catch (error) {
          res.writeHead(502, { "content-type": "text/plain" });
          res.end(String(error));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  proxy.url = `http://127.0.0.1:${port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

// ---------------------------------------------------------------------------------------------------------------
// Registry activity spread over a long chain
// ---------------------------------------------------------------------------------------------------------------

async function send(tx: Promise<ContractTransactionResponse>): Promise<void> {
  await (await tx).wait();
}

/** Mines `n` empty blocks `MINED_INTERVAL` seconds apart. */
async function mineEmpty(chain: TestChain, n: number): Promise<void> {
  const method = chain.kind === "anvil" ? "anvil_mine" : "hardhat_mine";
  await chain.rpc(method, [toQuantity(n), toQuantity(MINED_INTERVAL)]);
}

let issued = 0;

/** Issues a batch to the refurbisher whose vintage ended an hour before the latest block; returns its id. */
async function issue(d: DeployedRegistry, chain: TestChain): Promise<bigint> {
  issued += 1;
  const now = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
  const attestation: Attestation = {
    owner: d.wallet("refurbisher").address,
    category: 1,
    certificates: 100n,
    baselineGrams: 189_000n,
    reductionGrams: 34_000n + BigInt(issued),
    vintageStart: now - 30n * DAY,
    vintageEnd: now - 3600n,
    methodology: METHOD,
    parameters: PARAMS,
    reportHash: keccak256(toUtf8Bytes(`chain-logs-report-${issued}-${Math.random()}`)),
    referenceDataHash: keccak256(toUtf8Bytes("reference-data")),
    deviceRoot: keccak256(toUtf8Bytes(`chain-logs-root-${issued}-${Math.random()}`)),
    sampleHash: `0x${"00".repeat(32)}`,
    evidenceURI: `https://registry.example/lots/${issued}/report.json`,
    deadline: now + 30n * DAY,
  };
  const signatures = await signAttestation({ chainId: chain.chainId, address: d.address }, attestation, [
    d.wallet("auditor1"),
  ]);
  await send(d.registry.connect(d.wallet("oracle")).issue(attestation, signatures));
  return d.registry.batchCount();
}

/** The refurbisher retires from `batchId`, for itself or on behalf of the corporate (its beneficiary account). */
async function retire(d: DeployedRegistry, batchId: bigint, onBehalf: boolean): Promise<bigint> {
  const refurbisher = d.wallet("refurbisher");
  const request = onBehalf
    ? retirementRequest(batchId, {
        amount: 3n,
        beneficiaryName: "Globex GmbH",
        beneficiary: d.wallet("corporate").address,
        purpose: "FY2026 laptop procurement, on behalf",
      })
    : retirementRequest(batchId, { amount: 5n });
  await send(d.registry.connect(refurbisher).retire(refurbisher.address, request));
  return d.registry.retirementCount();
}

// ---------------------------------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------------------------------

describe("chain reads through a node that caps eth_getLogs ranges (Besu --rpc-max-logs-range)", function () {
  this.timeout(300_000);

  let chain: TestChain;
  let deployed: DeployedRegistry;
  let proxy: CappedProxy;
  let client: ChainClient;
  /** A block at or before the registry's deployment (what ITEC_REGISTRY_DEPLOY_BLOCK would be). */
  let deployBlock: number;
  /** The truth, read from the chain directly (no cap): event block and tx of every batch and retirement. */
  const issuance = new Map<bigint, { blockNumber: number; txHash: string }>();
  const retirement = new Map<bigint, { blockNumber: number; txHash: string; onBehalf: boolean }>();
  const onBehalf = new Map<bigint, boolean>();

  const readsVia = (options: ChainReadsOptions = {}, fromBlock = deployBlock) =>
    new ChainReads(client, new HeadCache(client.provider), fromBlock, options);

  before(async function () {
    chain = await startTestChain();
    deployBlock = await chain.provider.getBlockNumber();
    deployed = await deployOverRpc(chain, { auditors: 2 });
    // Batch 1 and retirement 1 early; batches 2 and 3 and the other retirements thousands of blocks later.
    await mineEmpty(chain, GAP);
    const b1 = await issue(deployed, chain);
    onBehalf.set(await retire(deployed, b1, false), false);
    await mineEmpty(chain, GAP);
    const b2 = await issue(deployed, chain);
    onBehalf.set(await retire(deployed, b1, true), true);
    await mineEmpty(chain, GAP);
    onBehalf.set(await retire(deployed, b2, false), false);
    const b3 = await issue(deployed, chain);
    onBehalf.set(await retire(deployed, b3, true), true);
    await mineEmpty(chain, GAP);

    const r = deployed.registry;
    const head = await chain.provider.getBlockNumber();
    for (const log of await r.queryFilter(r.filters.BatchIssued(), deployBlock, head)) {
      issuance.set(log.args.batchId, { blockNumber: log.blockNumber, txHash: log.transactionHash });
    }
    for (const log of await r.queryFilter(r.filters.CertificatesRetired(), deployBlock, head)) {
      const id = log.args.retirementId;
      retirement.set(id, { blockNumber: log.blockNumber, txHash: log.transactionHash, onBehalf: onBehalf.get(id)! });
    }
    expect([...issuance.keys()]).to.deep.equal([1n, 2n, 3n]);
    expect([...retirement.keys()]).to.deep.equal([1n, 2n, 3n, 4n]);
    expect(head - deployBlock, "deployment → head").to.be.greaterThan(4 * GAP);

    proxy = await startCappedProxy(chain.url, CAP);
    client = await ChainClient.connect({ rpcUrl: proxy.url, registryAddress: deployed.address, chainId: 1337n });
  });

  after(async function () {
    client?.provider.destroy();
    await proxy?.close();
    await chain?.stop();
  });

  beforeEach(() => proxy.reset());

  it("the proxy refuses a deployment→latest eth_getLogs like Besu (the unbounded query the reads used to send)", async function () {
    const r = client.registry;
    let error: unknown;
    try {
      await r.queryFilter(r.filters.BatchIssued(1n), deployBlock, "latest");
    } catch (e) {
      error = e;
    }
    expect(error, "refused").to.exist;
    expect(isRangeRefused(error)).to.equal(true);
    expect(proxy.calls).to.have.length(1);
    expect(proxy.calls[0]!.refused).to.equal(true);
    // A range within the cap goes through.
    await r.queryFilter(r.filters.BatchIssued(), deployBlock, deployBlock + CAP);
    expect(proxy.calls.at(-1)!.refused).to.equal(false);
  });

  it("batch detail: every batch's issuance event is found, in ranges within the cap (default range halved)", async function () {
    const reads = readsVia(); // default maxLogRange 5000 > CAP: refused, halved to 625
    for (const [id, truth] of issuance) {
      const b = await reads.batch(id);
      expect(b.issuance, `batch ${id}`).to.deep.include({ txHash: truth.txHash, blockNumber: truth.blockNumber });
      expect(b.owner).to.equal(getAddress(deployed.wallet("refurbisher").address));
      expect(b.auditors).to.deep.equal([getAddress(deployed.wallet("auditor1").address)]);
      expect(b.evidenceURI).to.match(/^https:\/\/registry\.example\/lots\/\d+\/report\.json$/);
    }
    expect(reads.logs.span).to.equal(625);
    const accepted = proxy.calls.filter((c) => !c.refused);
    expect(Math.max(...accepted.map((c) => c.to - c.from))).to.be.at.most(CAP);
    // 5000 → 2500 → 1250 → 625: three refusals, each once even with parallel windows in flight.
    expect(proxy.calls.filter((c) => c.refused).length).to.be.at.least(3);
  });

  it("retirement verification: every retirement verifies, with its proof, through the capped node", async function () {
    const reads = readsVia({ maxLogRange: CAP });
    for (const [id, truth] of retirement) {
      const v = await reads.verifyRetirement(id);
      expect(v.verified, `retirement ${id}: ${JSON.stringify(v.checks.filter((c) => !c.passed))}`).to.equal(true);
      expect(v.proof).to.deep.include({ txHash: truth.txHash, blockNumber: truth.blockNumber });
      expect(v.claim.beneficiaryName).to.equal(truth.onBehalf ? "Globex GmbH" : "Acme Corporation");
      expect(v.batch.issuance?.txHash).to.equal(issuance.get(BigInt(v.batch.batchId))!.txHash);
    }
    // One whole-chain query for the first batch, refused; from then on bounded ranges only.
    const refused = proxy.calls.filter((c) => c.refused);
    expect(refused).to.have.length(1);
    expect(refused[0]!.from).to.equal(deployBlock);
    expect(Math.max(...proxy.calls.filter((c) => !c.refused).map((c) => c.to - c.from))).to.be.at.most(CAP - 1);
    // Each retirement's texts: one single-block query at its block.
    for (const truth of retirement.values()) {
      expect(proxy.calls.filter((c) => c.from === truth.blockNumber && c.to === truth.blockNumber)).to.have.length(1);
    }
  });

  it("a Scope 3 report's claims without an index: a scan of the capped chain, then verified in bulk", async function () {
    const reads = readsVia({ maxLogRange: CAP });
    const scan = chainScanClaimSource(reads);
    const corporate = getAddress(deployed.wallet("corporate").address);
    const refurbisher = getAddress(deployed.wallet("refurbisher").address);
    const behalf = [...retirement].filter(([, t]) => t.onBehalf).map(([id]) => id);
    const ids = async (account: string) => (await scan.candidates(account, null)).candidates.map((c) => c.retirementId);
    expect(await ids(corporate)).to.deep.equal(behalf);
    expect(await ids(refurbisher)).to.deep.equal([...retirement.keys()]);
    expect(await ids(getAddress(deployed.wallet("trader").address))).to.deep.equal([]);
    expect(proxy.calls, "the stored claims are read without eth_getLogs").to.deep.equal([]);

    const corp = await organisationClaims(reads, scan, corporate);
    expect(corp.retirements.map((r) => [r.retirementId, r.attribution.rule, r.failedCheck])).to.deep.equal(
      behalf.map((id) => [String(id), "BENEFICIARY_ACCOUNT", undefined]),
    );
    expect(corp.readAt).to.include({ indexedToBlock: null, registry: deployed.address });
    // The refurbisher's report lists all it retired: for the corporate (its claims) and for an unregistered name.
    const own = await organisationClaims(reads, scan, refurbisher);
    expect(own.retirements.map((r) => [r.retirementId, r.attribution.account])).to.deep.equal(
      [...retirement].map(([id, t]) => [String(id), t.onBehalf ? corporate : null]),
    );
    for (const r of own.retirements) expect(r.txHash).to.equal(retirement.get(BigInt(r.retirementId))!.txHash);
    const accepted = proxy.calls.filter((c) => !c.refused);
    expect(Math.max(...accepted.map((c) => c.to - c.from))).to.be.at.most(CAP);
    expect(proxy.calls.filter((c) => c.refused).length, "whole-chain queries refused once each").to.be.at.most(3);
  });

  it("reads a retirement's texts in one single-block call, and finds its batch in few calls, then in one", async function () {
    const reads = readsVia({ maxLogRange: CAP });
    const windows = Math.ceil((retirement.get(1n)!.blockNumber - deployBlock) / CAP);
    await reads.verifyRetirement(1n); // batch 1's issuance, then retirement 1's event
    const cold = proxy.calls.length;
    expect(
      cold,
      `cold lookup of batch 1 (refused whole-chain query, a bounded search) + retirement 1 (one call); a linear ` +
        `scan would read ${windows}+ windows`,
    ).to.be.at.most(6);
    const first = retirement.get(1n)!.blockNumber;
    expect(proxy.calls.filter((c) => c.from === first && c.to === first)).to.have.length(1);

    // A new head clears the per-block cache; the batch's location stays remembered: one one-block query each.
    await chain.mine();
    await reads.cache.refresh();
    proxy.reset();
    expect((await reads.verifyRetirement(1n)).verified).to.equal(true);
    expect(proxy.calls.map((c) => c.to - c.from)).to.deep.equal([0, 0]);

    // A fresh process with a hint for the batch (e.g. the API's event index): one call each; a wrong hint costs
    // one more before the search.
    const truth = retirement.get(3n)!;
    const hinted = readsVia({
      maxLogRange: CAP,
      hint: (id) => Promise.resolve(issuance.get(id)!.blockNumber),
    });
    proxy.reset();
    const v = await hinted.verifyRetirement(3n);
    expect(v.verified).to.equal(true);
    expect(v.proof?.txHash).to.equal(truth.txHash);
    expect(proxy.calls.map((c) => c.to - c.from)).to.deep.equal([0, 0]);
    const wrong = readsVia({ maxLogRange: CAP, hint: (id) => Promise.resolve(issuance.get(id)!.blockNumber + 1) });
    proxy.reset();
    expect((await wrong.verifyRetirement(3n)).verified).to.equal(true);
    expect(proxy.calls.filter((c) => c.to === c.from).length, "the wrong hint and the retirement's block").to.equal(2);
  });

  it("through an uncapped node: one whole-chain call for the batch and one single-block call for the texts", async function () {
    const direct = await ChainClient.connect({ rpcUrl: chain.url, registryAddress: deployed.address, chainId: 1337n });
    try {
      const reads = new ChainReads(direct, new HeadCache(direct.provider), deployBlock);
      const v = await reads.verifyRetirement(4n);
      expect(v.verified).to.equal(true);
      expect(v.batch.issuance?.txHash).to.equal(issuance.get(3n)!.txHash);
      expect(reads.logs.capped, "the node took the whole-chain query").to.equal(false);
    } finally {
      direct.provider.destroy();
    }
  });

  it("reads with only --registry (block 0) and a node whose refusal comes as HTTP 400 still work", async function () {
    proxy.refusalStatus = 400;
    try {
      const reads = readsVia({}, 0);
      const v = await reads.verifyRetirement(4n);
      expect(v.verified).to.equal(true);
      expect(v.proof?.txHash).to.equal(retirement.get(4n)!.txHash);
      expect(reads.logs.span).to.be.at.most(CAP);
    } finally {
      proxy.refusalStatus = 200;
    }
  });

  it("an unknown event is reported missing, not searched forever (deploy block configured too late)", async function () {
    const head = await chain.provider.getBlockNumber();
    const reads = readsVia({ maxLogRange: CAP }, issuance.get(2n)!.blockNumber + 1);
    const b = await reads.batch(1n); // issued before the configured start block
    expect(b.issuance).to.equal(null);
    expect(b.auditors).to.deep.equal([]);
    // Batch 3's event (a larger id) is seen after the start block: batch 1 cannot be later, so the search stops
    // without reading to the head.
    const read = proxy.calls.filter((c) => !c.refused).reduce((n, c) => n + (c.to - c.from + 1), 0);
    expect(read).to.be.lessThan(head - issuance.get(2n)!.blockNumber);
  });
});
