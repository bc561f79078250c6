/**
 * The retirement certificate built from a real registry on a test chain, through the API's reads (a per-block
 * cache whose head a poller follows): it states the block its figures were actually read at — the head when it was
 * made, never a block before the retirement's, even when the poller has not yet seen the retirement's block (the
 * bug: "read at block 15" for a retirement in block 16) — and names the registry as its contract does and its
 * operator as the register does.
 */
import { expect } from "chai";
import { keccak256, toUtf8Bytes, type JsonRpcProvider } from "ethers";
import { PDFParse } from "pdf-parse";

import { ChainClient } from "../../core/chain/client.ts";
import { HeadCache } from "../../core/chain/head-cache.ts";
import { ChainReads } from "../../core/chain/reads.ts";
import { buildCertificate } from "../../core/documents/certificate.ts";
import { certificatePdf } from "../../core/documents/certificate-render.ts";
import type { Attestation } from "../../sdk/src/attestation.ts";
import { PARTICIPANT_KINDS } from "../../sdk/src/enums.ts";
import { deployOverRpc, startTestChain, type DeployedRegistry, type TestChain } from "../helpers/chain.ts";
import { DAY, METHOD, PARAMS, retirementRequest, signAttestation } from "../helpers/registry.ts";

async function pdfText(bytes: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    return (await parser.getText()).text.replace(/\s+/g, " ");
  } finally {
    await parser.destroy();
  }
}

describe("Retirement certificate from the chain", function () {
  this.timeout(120_000);

  let chain: TestChain;
  let deployed: DeployedRegistry;
  let provider: JsonRpcProvider;
  let client: ChainClient;
  let reads: ChainReads;
  const options = { verifyBaseUrl: "https://registry.example", rpcUrl: "http://127.0.0.1:8545" };

  async function retire(): Promise<bigint> {
    const refurbisher = deployed.wallet("refurbisher");
    const request = retirementRequest(1n, { amount: 1n });
    await (await deployed.registry.connect(refurbisher).retire(refurbisher.address, request)).wait();
    return deployed.registry.retirementCount();
  }

  before(async function () {
    chain = await startTestChain();
    deployed = await deployOverRpc(chain, { auditors: 2 });
    provider = chain.provider;
    const now = BigInt((await provider.getBlock("latest"))!.timestamp);
    const attestation: Attestation = {
      owner: deployed.wallet("refurbisher").address,
      category: 1,
      certificates: 10n,
      baselineGrams: 194_660n,
      reductionGrams: 47_959n,
      vintageStart: now - 30n * DAY,
      vintageEnd: now - 3600n,
      methodology: METHOD,
      parameters: PARAMS,
      reportHash: keccak256(toUtf8Bytes("certificate-chain-report")),
      referenceDataHash: keccak256(toUtf8Bytes("reference-data")),
      deviceRoot: keccak256(toUtf8Bytes("device-root")),
      sampleHash: `0x${"00".repeat(32)}`,
      evidenceURI: "https://registry.example/lots/L1/report",
      deadline: now + 30n * DAY,
    };
    const signatures = await signAttestation({ chainId: chain.chainId, address: deployed.address }, attestation, [
      deployed.wallet("auditor1"),
      deployed.wallet("auditor2"),
    ]);
    await (await deployed.registry.connect(deployed.wallet("oracle")).issue(attestation, signatures)).wait();
    client = await ChainClient.connect({
      rpcUrl: chain.url,
      registryAddress: deployed.address,
      chainId: chain.chainId,
    });
    // The API's reads; the head poller is not started, so the cache's head stays where its last poll left it.
    reads = new ChainReads(client, new HeadCache(client.provider));
  });

  after(async function () {
    client?.provider.destroy();
    await chain?.stop();
  });

  it("states the block its figures were read at: the head when made, not a stale poll before the retirement", async function () {
    const first = await retire();
    await buildCertificate(reads, first, options); // the cache now holds the head of that moment
    const polled = reads.cache.head;
    const id = await retire(); // mined in a block the poller has not seen
    const retiredIn = Number((await deployed.registry.retirement(id)).blockNumber);
    expect(retiredIn).to.be.greaterThan(polled);

    const m = await buildCertificate(reads, id, options);
    const head = await provider.getBlockNumber();
    expect(m.proof!.blockNumber).to.equal(retiredIn);
    expect(m.readAt.block).to.equal(head);
    expect(m.readAt.block).to.be.at.least(retiredIn);
    expect(m.statement).to.match(new RegExp(`^Read from chain 1337 at block ${head}, `));
    const text = await pdfText(await certificatePdf(m));
    expect(text).to.include(`Read from chain 1337 at block ${head}, registry ${deployed.address}`);
    expect(text).to.include(
      `Figures read at block ${head} (the chain's head when this certificate was made; the retirement is in block ${retiredIn})`,
    );
  });

  it("names the registry as its contract does, and its operator as the register names the admin", async function () {
    const admin = await deployed.admin.getAddress();
    const unnamed = await buildCertificate(reads, 1n, options);
    expect(unnamed.registry).to.deep.include({
      name: "I-TEC Registry",
      version: "2",
      address: deployed.address,
      chainId: "1337",
      operator: { account: admin, name: null },
    });
    await (
      await deployed.adminRegistry.admitParticipant(admin, PARTICIPANT_KINDS.trader, "Registry Operator Ltd")
    ).wait();
    const named = await buildCertificate(reads, 1n, options);
    expect(named.registry.operator).to.deep.equal({ account: admin, name: "Registry Operator Ltd" });
    const text = await pdfText(await certificatePdf(named));
    expect(text).to.include(`Registry Operator Ltd (${admin}), the registry's admin`);
    expect(text).to.include(`I-TEC Registry v2, registry contract ${deployed.address} on chain 1337`);
  });
});
