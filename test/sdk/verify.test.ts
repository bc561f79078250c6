/**
 * Verification from the chain alone with the SDK (sdk/src/verify.ts): a registry on a test chain with a batch whose
 * device root is a real device tree and a retirement from it. The SDK's answers are the registry's own (the API and
 * CLI read through core/chain/reads.ts, which calls the same reader), fit the API's declared schemas, and say which
 * check failed when one does.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { getAddress, keccak256, toBeHex, toUtf8Bytes, type JsonRpcProvider } from "ethers";

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
import { deployOverRpc, startTestChain, type DeployedRegistry, type TestChain } from "../helpers/chain.ts";
import { DAY, METHOD, PARAMS, retirementRequest, signAttestation } from "../helpers/registry.ts";

const RETIREMENT_CHECKS = [
  "retirement stored in contract state",
  "claim texts bound to the stored hash",
  "certificates burned",
  "batch issued against an audited attestation",
  "report hash indexes this batch",
  "batch not suspended",
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

  before(async function () {
    chain = await startTestChain();
    deployed = await deployOverRpc(chain, { auditors: 2 });
    provider = chain.provider;
    address = deployed.address;
    const now = BigInt((await provider.getBlock("latest"))!.timestamp);
    const attestation: Attestation = {
      owner: deployed.wallet("refurbisher").address,
      category: 6,
      certificates: BigInt(devices.length),
      baselineGrams: 1_246_000n,
      reductionGrams: 261_023n,
      vintageStart: now - 30n * DAY,
      vintageEnd: now - 3600n,
      methodology: METHOD,
      parameters: PARAMS,
      reportHash: keccak256(toUtf8Bytes("sdk-verify-report")),
      referenceDataHash: keccak256(toUtf8Bytes("reference-data")),
      deviceRoot: tree.root,
      evidenceURI: "https://registry.example/lots/L1/report",
      deadline: now + 30n * DAY,
    };
    const signatures = await signAttestation({ chainId: chain.chainId, address }, attestation, [
      deployed.wallet("auditor1"),
      deployed.wallet("auditor2"),
    ]);
    await (await deployed.registry.connect(deployed.wallet("oracle")).issue(attestation, signatures)).wait();
    const refurbisher = deployed.wallet("refurbisher");
    const request = retirementRequest(1n, { amount: 2n, scope3Category: 2, purpose: "FY2026 server procurement" });
    await (await deployed.registry.connect(refurbisher).retire(refurbisher.address, request)).wait();
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
        beneficiaryName: "Acme Corporation",
        amount: "2",
        scope3Category: 2,
        purpose: "FY2026 server procurement",
      });
      expect(v.totals.reductionKgClaimed).to.equal("522.046");
      expect(v.batch).to.deep.include({ category: "server", deviceRoot: tree.root, suspended: false });
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
      expect(v.checks).to.deep.equal(retirement.checks.slice(3));
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
    it("a suspended batch fails 'batch not suspended' and the answer is not verified", async function () {
      const admin = deployed.adminRegistry;
      await (await admin.suspendBatch(1n, "audit finding")).wait();
      try {
        const reader = new RegistryReader(provider, address.toLowerCase());
        const v = await reader.verifyRetirement(1n);
        expect(v.verified).to.equal(false);
        expect(v.checks.filter((c) => !c.passed).map((c) => c.check)).to.deep.equal(["batch not suspended"]);
        expect(v.batch.suspended).to.equal(true);
        expect(v.chain.registry, "checksummed whatever the case given").to.equal(address);
        expect((await reader.verifyBatch(1n)).verified).to.equal(false);
      } finally {
        await (await admin.reinstateBatch(1n, "cleared")).wait();
      }
      expect((await verifyRetirement(provider, address, 1n)).verified).to.equal(true);
    });
  });
});
