/**
 * Verification from the chain alone with the SDK (sdk/src/verify.ts): a registry on a test chain with a batch whose
 * device root is a real device tree and a retirement from it. The SDK's answers are the registry's own (the API and
 * CLI read through core/chain/reads.ts, which calls the same reader), fit the API's declared schemas, name the
 * organisations and auditing bodies, state the claim's status (verified, reversed, replaced), read a retirement's
 * texts with one single-block eth_getLogs, and say which check failed when one does.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { getAddress, keccak256, toBeHex, toQuantity, toUtf8Bytes, type JsonRpcProvider } from "ethers";

import { chainBatchSchema, retirementVerificationSchema } from "../../api/src/responses.ts";
import { ChainClient } from "../../core/chain/client.ts";
import { ChainError } from "../../core/chain/errors.ts";
import { HeadCache } from "../../core/chain/head-cache.ts";
import { ChainReads } from "../../core/chain/reads.ts";
import type { Attestation } from "../../sdk/src/attestation.ts";
import { deviceInclusionCheck } from "../../sdk/src/checks.ts";
import { RegistryReadError, RegistryReader } from "../../sdk/src/reader.ts";
import type { RetirementVerification } from "../../sdk/src/verification.ts";
import { verifyBatch, verifyDeviceInBatch, verifyRetirement } from "../../sdk/src/verify.ts";
import {
  deployOverRpc,
  PARTICIPANT_NAMES as NAMES,
  startTestChain,
  type DeployedRegistry,
  type TestChain,
} from "../helpers/chain.ts";
import { DAY, METHOD, PARAMS, retirementRequest, signAttestation } from "../helpers/registry.ts";

const RETIREMENT_CHECKS = [
  "retirement stored in contract state",
  "claim texts bound to the stored hash",
  "certificates burned",
  "claim not reversed",
  "batch issued against an audited attestation",
  "report hash indexes this batch",
  "batch not suspended or reversed",
];

/** The answer without the block it was read at (a chain mining on an interval moves on between two reads). */
const atAnyBlock = (v: RetirementVerification) => ({
  ...v,
  chain: { ...v.chain, checkedAtBlock: 0 },
  statement: v.statement.replace(/at block \d+/, "at block N"),
});

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error,
  );
}

describe("SDK: verification from the chain alone", function () {
  this.timeout(120_000);

  let chain: TestChain;
  let deployed: DeployedRegistry;
  let provider: JsonRpcProvider;
  let client: ChainClient;
  let address: string;
  const devices = Array.from({ length: 12 }, (_, i) => keccak256(toBeHex(0x5dc + i, 32)));
  const tree = StandardMerkleTree.of(
    devices.map((d, index) => [index, d]),
    ["uint256", "bytes32"],
  );

  let issued = 0;
  /** Issues a server batch of `certificates` to the refurbisher (the first one's root is the real device tree). */
  async function issue(certificates: bigint, deviceRoot: string): Promise<bigint> {
    issued += 1;
    const now = BigInt((await provider.getBlock("latest"))!.timestamp);
    const attestation: Attestation = {
      owner: deployed.wallet("refurbisher").address,
      category: 6,
      certificates,
      baselineGrams: 1_246_000n,
      reductionGrams: 261_023n,
      vintageStart: now - 30n * DAY,
      vintageEnd: now - 3600n,
      methodology: METHOD,
      parameters: PARAMS,
      reportHash: keccak256(toUtf8Bytes(`sdk-verify-report-${issued}`)),
      referenceDataHash: keccak256(toUtf8Bytes("reference-data")),
      deviceRoot,
      sampleHash: `0x${"00".repeat(32)}`,
      evidenceURI: `https://registry.example/lots/L${issued}/report`,
      deadline: now + 30n * DAY,
    };
    const signatures = await signAttestation({ chainId: chain.chainId, address }, attestation, [
      deployed.wallet("auditor1"),
      deployed.wallet("auditor2"),
    ]);
    await (await deployed.registry.connect(deployed.wallet("oracle")).issue(attestation, signatures)).wait();
    return deployed.registry.batchCount();
  }

  async function retire(batchId: bigint, overrides: Parameters<typeof retirementRequest>[1]): Promise<bigint> {
    const refurbisher = deployed.wallet("refurbisher");
    const request = retirementRequest(batchId, overrides);
    await (await deployed.registry.connect(refurbisher).retire(refurbisher.address, request)).wait();
    return deployed.registry.retirementCount();
  }

  before(async function () {
    chain = await startTestChain();
    deployed = await deployOverRpc(chain, { auditors: 2 });
    provider = chain.provider;
    address = deployed.address;
    await issue(BigInt(devices.length), tree.root);
    await retire(1n, {
      amount: 2n,
      scope3Category: 2,
      purpose: "FY2026 server procurement",
      beneficiary: deployed.wallet("corporate").address,
    });
    client = await ChainClient.connect({ rpcUrl: chain.url, registryAddress: address, chainId: chain.chainId });
  });

  after(async function () {
    client?.provider.destroy();
    await chain?.stop();
  });

  describe("verifyRetirement", function () {
    it("verifies a retirement with the statement of checks, in the API's declared shape", async function () {
      const v = await verifyRetirement(provider, address, 1);
      expect(v.verified, JSON.stringify(v.checks)).to.equal(true);
      expect(v.checks.map((c) => c.check)).to.deep.equal(RETIREMENT_CHECKS);
      expect(v.claim).to.deep.include({
        account: getAddress(deployed.wallet("refurbisher").address),
        accountName: NAMES.refurbisher,
        operatorName: NAMES.refurbisher,
        beneficiaryName: "Acme Corporation",
        beneficiary: getAddress(deployed.wallet("corporate").address),
        beneficiaryAccountName: NAMES.corporate,
        onBehalf: true,
        amount: "2",
        scope3Category: 2,
        purpose: "FY2026 server procurement",
      });
      expect(v.totals.reductionKgClaimed).to.equal("522.046");
      expect(v.batch).to.deep.include({
        category: "server",
        deviceRoot: tree.root,
        status: "active",
        hold: { adminSuspended: false, openChallenges: 0 },
        cancelled: "0",
        reversal: null,
        ownerName: NAMES.refurbisher,
      });
      expect(v.batch.signers).to.deep.equal([
        { auditor: getAddress(deployed.wallet("auditor1").address), bodyId: 1, body: "Audit Body A" },
        { auditor: getAddress(deployed.wallet("auditor2").address), bodyId: 2, body: "Audit Body B" },
      ]);
      expect(v.checks[4]!.detail).to.match(
        /signed by 0x[0-9a-fA-F]{40} for Audit Body A, 0x[0-9a-fA-F]{40} for Audit Body B$/,
      );
      expect(v).to.deep.include({
        verdict: "verified",
        summary: "Retirement #1 is verified: 2 I-TEC (server) retired for Acme Corporation from batch #1.",
      });
      expect(v.claimStatus).to.deep.equal({
        status: "verified",
        batchId: "1",
        originalBatchId: "1",
        replacements: 0,
        history: [],
        owedBy: null,
      });
      expect(v.chain).to.deep.include({ chainId: chain.chainId.toString(), registry: address });
      expect(v.statement).to.match(/^Read from chain 1337 at block \d+, registry 0x[0-9a-fA-F]{40}: ✓ retirement/);
      expect(retirementVerificationSchema.parse(v)).to.deep.equal(v);
    });

    it("answers exactly what the registry's API and CLI answer (core/chain/reads.ts)", async function () {
      const reads = new ChainReads(client, new HeadCache(client.provider));
      const [ours, theirs] = [await verifyRetirement(provider, address, 1n), await reads.verifyRetirement(1n)];
      expect(atAnyBlock(ours)).to.deep.equal(atAnyBlock(theirs));
      expect(await verifyBatch(provider, address, "1")).to.deep.include({ batch: await reads.batch(1n) });
    });

    it("reads the retirement's texts with one single-block eth_getLogs, and its batch's issuance with one more", async function () {
      const calls: { fromBlock?: string; toBlock?: string; topics?: (string | null)[] }[] = [];
      type Payload = { method: string; params: unknown[] };
      const listener = (info: { action: string; payload?: Payload | Payload[] }) => {
        if (info.action !== "sendRpcPayload" || !info.payload) return;
        for (const p of [info.payload].flat()) {
          if (p.method === "eth_getLogs") calls.push(p.params[0] as (typeof calls)[number]);
        }
      };
      await provider.on("debug", listener);
      try {
        const v = await verifyRetirement(provider, address, 1n);
        const stored = await deployed.registry.retirement(1n);
        expect(v.proof!.blockNumber).to.equal(Number(stored.blockNumber));
        const r = deployed.registry;
        const retired = calls.filter((c) => c.topics?.[0] === r.filters.CertificatesRetired.fragment.topicHash);
        expect(retired, "CertificatesRetired queries").to.have.length(1);
        expect(retired[0]).to.deep.include({
          fromBlock: toQuantity(stored.blockNumber),
          toBlock: toQuantity(stored.blockNumber),
        });
        expect(retired[0]!.topics![1]).to.equal(toBeHex(1n, 32));
        const issuedQueries = calls.filter((c) => c.topics?.[0] === r.filters.BatchIssued.fragment.topicHash);
        expect(issuedQueries, "one BatchIssued query, on the batch id's topic").to.have.length(1);
        expect(issuedQueries[0]!.topics![1]).to.equal(toBeHex(1n, 32));
        expect(calls).to.have.length(2);
      } finally {
        await provider.off("debug", listener);
      }
    });

    it("refuses a fromBlock that is not a block number (a negative one once found no event)", function () {
      for (const fromBlock of [-1, 1.5, Number.NaN]) {
        expect(() => new RegistryReader(provider, address, { fromBlock }), String(fromBlock)).to.throw(
          RangeError,
          /fromBlock must be a block number/,
        );
      }
    });

    it("says NOT_FOUND for an unknown id (the API's 404)", async function () {
      const e = await failure(verifyRetirement(provider, address, 99));
      expect(e).to.be.instanceOf(RegistryReadError).and.deep.include({ code: "NOT_FOUND" });
      expect((e as Error).message).to.equal("no retirement #99 on the registry");
      const viaCore = await failure(new ChainReads(client, new HeadCache(client.provider)).verifyRetirement(99n));
      expect(viaCore).to.be.instanceOf(ChainError).and.deep.include({ code: "NOT_FOUND" });
      expect(((await failure(verifyBatch(provider, address, 7))) as Error).message).to.equal(
        "no batch #7 on the registry",
      );
    });
  });

  describe("verifyBatch and verifyDeviceInBatch", function () {
    it("verifies a batch with the batch's checks, the same as a retirement's last three", async function () {
      const v = await verifyBatch(provider, address, 1n);
      expect(v.verified).to.equal(true);
      expect(chainBatchSchema.parse(v.batch)).to.deep.equal(v.batch);
      const retirement = await verifyRetirement(provider, address, 1n);
      expect(v.checks).to.deep.equal(retirement.checks.slice(4));
      expect(v.statement).to.include("✓ report hash indexes this batch");
    });

    it("shows a device in the batch's device tree, and refuses a device, index or proof that is not", async function () {
      const device = devices[5]!;
      const ok = await verifyDeviceInBatch(provider, address, 1n, 5, device, tree.getProof(5));
      expect(ok.verified).to.equal(true);
      expect(ok).to.deep.include({ deviceId: device, deviceIndex: "5" });
      expect(ok.checks.at(-1)).to.deep.include({ check: "device in the batch's device tree", passed: true });
      expect(ok.checks.at(-1)!.detail).to.include(`at index 5 to ${tree.root}, which equals the device root`);
      expect(ok.checks.at(-1)!.detail).to.include(`equals the device root ${tree.root} of batch #1`);

      const stranger = keccak256(toUtf8Bytes("not in this batch"));
      for (const [index, id] of [
        [5, stranger],
        [4, device],
      ] as const) {
        const no = await verifyDeviceInBatch(provider, address, 1n, index, id, tree.getProof(5));
        expect(no.verified).to.equal(false);
        expect(no.checks.filter((c) => !c.passed).map((c) => c.check)).to.deep.equal([
          "device in the batch's device tree",
        ]);
        expect(no.statement).to.include("✗ device in the batch's device tree");
      }
    });

    it("fails a proof that reaches the root at an index not below the batch's certificates", async function () {
      // The batch as if it had been issued for 5 certificates: its tree of 12 then names 7 devices too many.
      const { batch } = await verifyBatch(provider, address, 1n);
      const short = { ...batch, issued: "5" };
      expect(deviceInclusionCheck(short, 4, devices[4]!, tree.getProof(4)).passed).to.equal(true);
      const over = deviceInclusionCheck(short, 5, devices[5]!, tree.getProof(5));
      expect(over.passed).to.equal(false);
      expect(over.detail).to.include("which equals the device root");
      expect(over.detail).to.include(
        "but index 5 is not below the batch's 5 certificates: the tree holds more devices than were certified",
      );
    });
  });

  describe("a failing check", function () {
    it("a suspended batch fails 'batch not suspended or reversed' and the answer is not verified", async function () {
      const admin = deployed.adminRegistry;
      await (await admin.suspendBatch(1n, "audit finding")).wait();
      try {
        const reader = new RegistryReader(provider, address.toLowerCase());
        const v = await reader.verifyRetirement(1n);
        expect(v.verified).to.equal(false);
        expect(v.verdict).to.equal("failed");
        expect(v.summary).to.equal(
          "Retirement #1 is NOT verified: 2 I-TEC (server) retired for Acme Corporation; failed: batch not suspended or reversed.",
        );
        expect(v.checks.filter((c) => !c.passed).map((c) => c.check)).to.deep.equal([
          "batch not suspended or reversed",
        ]);
        expect(v.claimStatus.status, "a suspension does not reverse the claim").to.equal("verified");
        expect(v.batch).to.deep.include({ status: "suspended", hold: { adminSuspended: true, openChallenges: 0 } });
        expect(v.batch.statusDetail).to.equal(
          "the batch is suspended by the registry admin: its certificates cannot move or be retired until it is released",
        );
        expect(v.chain.registry, "checksummed whatever the case given").to.equal(address);
        expect((await reader.verifyBatch(1n)).verified).to.equal(false);
      } finally {
        await (await admin.reinstateBatch(1n, "cleared")).wait();
      }
      expect((await verifyRetirement(provider, address, 1n)).verified).to.equal(true);
    });
  });

  describe("a reversed batch, a reversed claim and its replacement", function () {
    let bad: bigint;
    let good: bigint;
    let claim: bigint;
    const refurbisher = () => getAddress(deployed.wallet("refurbisher").address);

    before(async function () {
      bad = await issue(10n, keccak256(toUtf8Bytes("sdk-verify-bad-batch")));
      good = await issue(10n, keccak256(toUtf8Bytes("sdk-verify-good-batch")));
      claim = await retire(bad, { amount: 3n, purpose: "FY2026 servers" });
      await (
        await deployed.adminRegistry.reverseBatch(bad, "devices counted twice", "https://registry.example/x")
      ).wait();
    });

    it("a claim on a reversed batch reads REVERSED, never verified, naming who owes the replacement", async function () {
      const v = await verifyRetirement(provider, address, claim);
      expect(v.verified).to.equal(false);
      expect(v.verdict).to.equal("reversed");
      expect(v.summary).to.equal(
        `Retirement #${claim} is REVERSED: 3 I-TEC (server) retired for Acme Corporation, but batch #${bad} was ` +
          "found wrong and reversed, so the claim is not valid until it is replaced — the replacement is owed by " +
          `Refurb Co (${refurbisher()}).`,
      );
      expect(v.claimStatus).to.deep.equal({
        status: "reversed",
        batchId: bad.toString(),
        originalBatchId: bad.toString(),
        replacements: 0,
        history: [],
        owedBy: { account: refurbisher(), name: NAMES.refurbisher },
      });
      const failed = v.checks.filter((c) => !c.passed);
      expect(failed.map((c) => c.check)).to.deep.equal(["claim not reversed", "batch not suspended or reversed"]);
      expect(failed[0]!.detail).to.include("the replacement is owed by Refurb Co");
      expect(v.statement).to.include("✗ claim not reversed");
      expect(v.batch).to.deep.include({ status: "reversed", outstanding: "0", cancelled: "7", retired: "3" });
      expect(v.batch.reversal).to.deep.include({
        cancelled: "7",
        retiredReversed: "3",
        reason: "devices counted twice",
        evidenceURI: "https://registry.example/x",
        admin: getAddress(await deployed.admin.getAddress()),
      });
      expect(v.batch.reversal!.event!.txHash).to.match(/^0x[0-9a-f]{64}$/);
      expect(v.batch.statusDetail).to.equal(
        "the batch was found wrong and reversed by the registry admin: 7 outstanding certificate(s) cancelled, the " +
          "claims on 3 retired certificate(s) reversed until replaced (replacement owed by Refurb Co " +
          `(${refurbisher()}), its owner); reason: “devices counted twice”; evidence: https://registry.example/x`,
      );
      expect(retirementVerificationSchema.parse(v)).to.deep.equal(v);
      const batch = await verifyBatch(provider, address, bad);
      expect(batch.verified).to.equal(false);
      expect(chainBatchSchema.parse(batch.batch)).to.deep.equal(batch.batch);
    });

    it("a replaced claim verifies, resting on the replacement batch, originally on the reversed one", async function () {
      const holder = deployed.wallet("refurbisher");
      await (await deployed.registry.connect(holder).replaceRetirement(claim, holder.address, good)).wait();
      const v = await verifyRetirement(provider, address, claim);
      expect(v.verified, JSON.stringify(v.checks.filter((c) => !c.passed))).to.equal(true);
      expect(v.verdict).to.equal("replaced");
      expect(v.summary).to.equal(
        `Retirement #${claim} is verified (replaced): 3 I-TEC (server) retired for Acme Corporation; batch #${bad}, ` +
          `where it was retired, was reversed, and the claim now rests on batch #${good}.`,
      );
      expect(v.batch.batchId).to.equal(good.toString());
      expect(v.claimStatus).to.deep.include({
        status: "replaced",
        batchId: good.toString(),
        originalBatchId: bad.toString(),
        replacements: 1,
        owedBy: null,
      });
      expect(v.claimStatus.history).to.have.length(1);
      expect(v.claimStatus.history[0]).to.deep.include({
        previousBatchId: bad.toString(),
        batchId: good.toString(),
        holder: { account: refurbisher(), name: NAMES.refurbisher },
        operator: refurbisher(),
      });
      expect(v.checks.find((c) => c.check === "claim not reversed")!.detail).to.equal(
        `claimStatus(${claim}) = replaced: batch #${bad}, where it was retired, was reversed; the claim now rests ` +
          `on batch #${good} (1 replacement)`,
      );
      expect(retirementVerificationSchema.parse(v)).to.deep.equal(v);
      // The same answer through the registry's own reads (API, CLI, documents).
      const reads = new ChainReads(client, new HeadCache(client.provider));
      expect(atAnyBlock(await reads.verifyRetirement(claim))).to.deep.equal(atAnyBlock(v));
    });
  });
});
