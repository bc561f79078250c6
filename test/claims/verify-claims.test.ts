/**
 * `verifyClaims` (core/claims/verify-claims.ts) against the SDK's `verifyRetirement`, retirement by retirement:
 * the same verdict, checks, claim status, claim and batch — for plain claims (verified in bulk), a claim on a
 * reversed batch, a replaced claim and a claim on a suspended batch (sent through `verifyRetirement`, or failing
 * the same check). And what it costs: about one JSON-RPC call per plain retirement, where `verifyRetirement` makes
 * five.
 */
import { expect } from "chai";
import { getAddress } from "ethers";

import { ChainClient } from "../../core/chain/client.ts";
import { HeadCache } from "../../core/chain/head-cache.ts";
import { ChainReads } from "../../core/chain/reads.ts";
import { verifyClaims } from "../../core/claims/verify-claims.ts";
import { deployOverRpc, startTestChain, type DeployedRegistry, type TestChain } from "../helpers/chain.ts";
import { issue, retire, send, testIssuer } from "./fixture.ts";

describe("verifyClaims: the SDK's checks, from facts read in bulk", function () {
  this.timeout(180_000);
  let chain: TestChain;
  let deployed: DeployedRegistry;
  let client: ChainClient;
  const ids: bigint[] = [];
  let plain: bigint[] = [];
  let reversed: bigint;
  let replaced: bigint;
  let suspended: bigint;
  /** JSON-RPC calls the client sent, by method, since the last reset. */
  const calls = new Map<string, number>();
  const total = () => [...calls.values()].reduce((a, b) => a + b, 0);

  const fresh = () => new ChainReads(client, new HeadCache(client.provider), deployed.deployBlock);

  before(async function () {
    chain = await startTestChain();
    deployed = await deployOverRpc(chain, { auditors: 1 });
    const issuer = await testIssuer(deployed, chain);
    const refurbisher = deployed.wallet("refurbisher").connect(chain.provider);
    const corporate = getAddress(deployed.wallet("corporate").address);
    const a = await issue(deployed, chain, issuer);
    for (let i = 0; i < 12; i++) {
      const onBehalf = i % 3 === 0;
      ids.push(
        (
          await retire(deployed, refurbisher, a, {
            amount: BigInt(1 + i),
            ...(onBehalf ? { beneficiary: corporate, beneficiaryName: "Corporate plc" } : {}),
          })
        ).id,
      );
    }
    plain = [...ids];
    const b = await issue(deployed, chain, issuer);
    reversed = (await retire(deployed, refurbisher, b)).id;
    const c = await issue(deployed, chain, issuer);
    replaced = (await retire(deployed, refurbisher, c)).id;
    const d = await issue(deployed, chain, issuer);
    suspended = (await retire(deployed, refurbisher, d)).id;
    ids.push(reversed, replaced, suspended);
    const admin = deployed.adminRegistry;
    await send(admin.reverseBatch(b, "double counted", "https://registry.example/findings/1"));
    await send(admin.reverseBatch(c, "double counted", "https://registry.example/findings/2"));
    const e = await issue(deployed, chain, issuer);
    await send(deployed.registry.connect(refurbisher).replaceRetirement(replaced, refurbisher.address, e));
    await send(admin.suspendBatch(d, "under review"));

    client = await ChainClient.connect({ rpcUrl: chain.url, registryAddress: deployed.address, chainId: 1337n });
    void client.provider.on("debug", (info: { action: string; payload?: { method: string } }) => {
      if (info.action !== "sendRpcPayload" || !info.payload) return;
      calls.set(info.payload.method, (calls.get(info.payload.method) ?? 0) + 1);
    });
  });
  after(async () => {
    client?.provider.destroy();
    await chain?.stop();
  });

  it("answers what verifyRetirement answers, for every kind of claim", async function () {
    const bulk = await verifyClaims(fresh(), [...ids].reverse());
    expect(bulk.map((v) => v.retirementId)).to.deep.equal(ids.map(String));
    const one = fresh();
    for (const v of bulk) {
      const sdk = await one.verifyRetirement(BigInt(v.retirementId));
      expect(v.verdict, v.retirementId).to.equal(sdk.verdict);
      expect(v.checks, v.retirementId).to.deep.equal(sdk.checks);
      expect(v.claimStatus, v.retirementId).to.deep.equal(sdk.claimStatus);
      expect(v.batch, v.retirementId).to.deep.equal(sdk.batch);
      expect(v.proof).to.deep.include({ txHash: sdk.proof!.txHash, blockNumber: sdk.proof!.blockNumber });
      for (const field of [
        "account",
        "beneficiary",
        "beneficiaryName",
        "amount",
        "periodStart",
        "periodEnd",
        "scope3Category",
      ] as const) {
        expect(v.claim[field], `${v.retirementId} ${field}`).to.equal(sdk.claim[field]);
      }
    }
    const by = (id: bigint) => bulk.find((v) => v.retirementId === String(id))!;
    expect(by(reversed).verdict).to.equal("reversed");
    expect(by(replaced).claimStatus.status).to.equal("replaced");
    expect(
      by(suspended)
        .checks.filter((c) => !c.passed)
        .map((c) => c.check),
    ).to.deep.equal(["batch not suspended or reversed"]);
    expect(plain.every((id) => by(id).verdict === "verified")).to.equal(true);
  });

  it("costs about one call per plain retirement, where verifyRetirement makes five", async function () {
    const bulkReads = fresh();
    await bulkReads.cache.refresh();
    calls.clear();
    await verifyClaims(bulkReads, plain);
    const bulk = total();
    expect(calls.get("eth_getLogs"), "one for the texts, one for the batch's issuance").to.equal(2);
    // 12 stored claims + the batch (a handful) + the texts.
    expect(bulk).to.be.at.most(plain.length + 12);

    const oneByOne = fresh();
    await oneByOne.cache.refresh();
    calls.clear();
    for (const id of plain) await oneByOne.verifyRetirement(id);
    expect(total()).to.be.at.least(5 * plain.length);
    // What grows with the retirements: one call each in bulk, five or more one by one.
    expect(total() - bulk).to.be.at.least(4 * plain.length - 12);
  });
});
