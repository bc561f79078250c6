/**
 * Reversal of a batch found wrong after some of it was retired (issue 13 deliverable 3): its outstanding certificates
 * are cancelled, every claim on it reads Reversed until it is replaced with certificates of the same category, and
 * the status change is announced (BatchStatusChanged, ERC-1155 URI).
 */
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { ZeroAddress, ZeroHash } from "ethers";
import { network } from "hardhat";

import { issueBatch, retirementRequest, type RegistryFixture } from "../helpers/registry.ts";
import {
  B_REVERSED,
  B_SUSPENDED,
  C_REPLACED,
  C_REVERSED,
  C_VERIFIED,
  P_SUSPENDED,
  deployRegistry,
  metadataJson,
  plain,
} from "./support.ts";

const connection = await network.create();
const { networkHelpers } = connection;

const EVIDENCE = "https://registry.example/findings/7";

/**
 * Batch 1 (laptops, 100): 30 to the corporate, which retires 10 (claim 1) and 5 (claim 2); batch 2 (laptops, 100)
 * stays with the refurbisher; batch 3 is of another category (servers).
 */
async function reversalFixture() {
  const f: RegistryFixture = await deployRegistry(connection);
  const { registry, refurbisher, corporate } = f;
  const { batchId: bad } = await issueBatch(f);
  const { batchId: good } = await issueBatch(f);
  const { batchId: servers } = await issueBatch(f, { category: 6 });
  await (
    await registry.connect(refurbisher).safeTransferFrom(refurbisher.address, corporate.address, bad, 30n, "0x")
  ).wait();
  await (await registry.connect(corporate).retire(corporate.address, retirementRequest(bad, { amount: 10n }))).wait();
  await (await registry.connect(corporate).retire(corporate.address, retirementRequest(bad, { amount: 5n }))).wait();
  return { ...f, bad, good, servers };
}

describe("ITECRegistry reversal", function () {
  describe("reverseBatch", function () {
    it("cancels the outstanding certificates, reverses the claims and announces the new status", async function () {
      const f = await networkHelpers.loadFixture(reversalFixture);
      const { registry, admin, refurbisher, corporate, bad } = f;
      const tx = registry.reverseBatch(bad, "baseline model misidentified", EVIDENCE);
      await expect(tx)
        .to.emit(registry, "BatchReversed")
        .withArgs(bad, admin.address, 85n, 15n, "baseline model misidentified", EVIDENCE)
        .and.to.emit(registry, "BatchStatusChanged")
        .withArgs(bad, B_REVERSED)
        .and.to.emit(registry, "URI")
        .withArgs(anyValue, bad);
      expect((await registry.batch(bad)).status).to.equal(BigInt(B_REVERSED));
      // issued, retired, outstanding, cancelled.
      expect(await registry.batchTotals(bad)).to.deep.equal([100n, 15n, 0n, 85n]);
      expect(await registry.balanceOf(refurbisher.address, bad)).to.equal(0n);
      expect(await registry.balanceOf(corporate.address, bad)).to.equal(0n);
      expect(await registry.claimStatus(1)).to.deep.equal([BigInt(C_REVERSED), bad]);
      expect(await registry.claimStatus(2)).to.deep.equal([BigInt(C_REVERSED), bad]);
      // The URI event carries the metadata uri() now serves.
      const receipt = (await (await tx).wait())!;
      const log = receipt.logs.map((l) => registry.interface.parseLog(l)).find((e) => e?.name === "URI")!;
      expect(log.args.value).to.equal(await registry.uri(bad));
      expect(metadataJson(log.args.value as string).name).to.be.a("string");
    });

    it("reverses a batch that is suspended, releasing nothing: reversal is final", async function () {
      const f = await networkHelpers.loadFixture(reversalFixture);
      const { registry, bad } = f;
      await registry.suspendBatch(bad, "under investigation");
      expect((await registry.batch(bad)).status).to.equal(BigInt(B_SUSPENDED));
      await expect(registry.reverseBatch(bad, "confirmed", ""))
        .to.emit(registry, "BatchStatusChanged")
        .withArgs(bad, B_REVERSED);
      for (const call of [
        () => registry.reverseBatch(bad, "again", ""),
        () => registry.suspendBatch(bad, "again"),
        () => registry.reinstateBatch(bad, "undo"),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(registry, "ITECBatchReversed").withArgs(bad);
      }
      expect((await registry.batch(bad)).status).to.equal(BigInt(B_REVERSED));
      // The admin's suspension flag stays as it was; only the status is final.
      expect(await registry.batchHold(bad)).to.deep.equal([true, 0n, false]);
    });

    it("reverses a batch nobody retired from: all of it is cancelled", async function () {
      const f = await networkHelpers.loadFixture(reversalFixture);
      await expect(f.registry.reverseBatch(f.good, "duplicate lot", EVIDENCE))
        .to.emit(f.registry, "BatchReversed")
        .withArgs(f.good, f.admin.address, 100n, 0n, "duplicate lot", EVIDENCE);
      expect(await f.registry.batchTotals(f.good)).to.deep.equal([100n, 0n, 0n, 100n]);
    });

    it("reverts for an unknown batch, a bad reason or evidence URI and a non-admin", async function () {
      const f = await networkHelpers.loadFixture(reversalFixture);
      const { registry, bad, outsider } = f;
      await expect(registry.reverseBatch(99, "x", ""))
        .to.be.revertedWithCustomError(registry, "ITECUnknownBatch")
        .withArgs(99);
      await expect(registry.reverseBatch(bad, "", ""))
        .to.be.revertedWithCustomError(registry, "ITECInvalidText")
        .withArgs("reason", 0);
      await expect(registry.reverseBatch(bad, "x", "u".repeat(1025)))
        .to.be.revertedWithCustomError(registry, "ITECInvalidText")
        .withArgs("evidenceURI", 1025);
      await expect(registry.connect(outsider).reverseBatch(bad, "x", ""))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
    });
  });

  describe("replaceRetirement", function () {
    it("burns the same number of good certificates and re-points the claim, keeping its terms", async function () {
      const f = await networkHelpers.loadFixture(reversalFixture);
      const { registry, refurbisher, bad, good } = f;
      const before = await registry.retirement(1);
      await registry.reverseBatch(bad, "wrong", EVIDENCE);
      // The reversed batch's owner restores its customer's claim from a good batch.
      await expect(registry.connect(refurbisher).replaceRetirement(1, refurbisher.address, good))
        .to.emit(registry, "RetirementReplaced")
        .withArgs(1, bad, good, refurbisher.address, refurbisher.address)
        .and.to.emit(registry, "TransferSingle")
        .withArgs(refurbisher.address, refurbisher.address, ZeroAddress, good, 10n);
      const after = await registry.retirement(1);
      expect(plain(after)).to.deep.equal({ ...plain(before), batchId: good, replacements: 1n });
      expect(await registry.claimStatus(1)).to.deep.equal([BigInt(C_REPLACED), good]);
      expect(await registry.claimStatus(2)).to.deep.equal([BigInt(C_REVERSED), bad]);
      expect(await registry.batchTotals(good)).to.deep.equal([100n, 10n, 90n, 0n]);
      expect(await registry.balanceOf(refurbisher.address, good)).to.equal(90n);
      // The reversed batch's figures do not change.
      expect(await registry.batchTotals(bad)).to.deep.equal([100n, 15n, 0n, 85n]);
    });

    it("lets an approved operator replace with its holder's certificates", async function () {
      const f = await networkHelpers.loadFixture(reversalFixture);
      const { registry, refurbisher, trader, bad, good } = f;
      await registry.reverseBatch(bad, "wrong", "");
      await registry.connect(refurbisher).setApprovalForAll(trader.address, true);
      await expect(registry.connect(trader).replaceRetirement(2, refurbisher.address, good))
        .to.emit(registry, "RetirementReplaced")
        .withArgs(2, bad, good, refurbisher.address, trader.address);
    });

    it("reverses a replaced claim again when its new batch is reversed, and replaces it again", async function () {
      const f = await networkHelpers.loadFixture(reversalFixture);
      const { registry, refurbisher, bad, good } = f;
      const { batchId: third } = await issueBatch(f);
      await registry.reverseBatch(bad, "wrong", "");
      await registry.connect(refurbisher).replaceRetirement(1, refurbisher.address, good);
      await registry.reverseBatch(good, "also wrong", "");
      expect(await registry.claimStatus(1)).to.deep.equal([BigInt(C_REVERSED), good]);
      await registry.connect(refurbisher).replaceRetirement(1, refurbisher.address, third);
      expect(await registry.claimStatus(1)).to.deep.equal([BigInt(C_REPLACED), third]);
      expect((await registry.retirement(1)).replacements).to.equal(2n);
    });

    it("refuses a claim that is not reversed, naming its status", async function () {
      const f = await networkHelpers.loadFixture(reversalFixture);
      const { registry, refurbisher, bad, good } = f;
      await expect(registry.connect(refurbisher).replaceRetirement(1, refurbisher.address, good))
        .to.be.revertedWithCustomError(registry, "ITECClaimNotReversed")
        .withArgs(1, C_VERIFIED);
      await registry.reverseBatch(bad, "wrong", "");
      await registry.connect(refurbisher).replaceRetirement(1, refurbisher.address, good);
      await expect(registry.connect(refurbisher).replaceRetirement(1, refurbisher.address, good))
        .to.be.revertedWithCustomError(registry, "ITECClaimNotReversed")
        .withArgs(1, C_REPLACED);
    });

    it("refuses another category, a reversed, suspended or unknown batch, and too few certificates", async function () {
      const f = await networkHelpers.loadFixture(reversalFixture);
      const { registry, refurbisher, corporate, bad, good, servers } = f;
      await registry.reverseBatch(bad, "wrong", "");
      await expect(registry.connect(refurbisher).replaceRetirement(1, refurbisher.address, servers))
        .to.be.revertedWithCustomError(registry, "ITECCategoryMismatch")
        .withArgs(1, 6);
      // The reversed batch's own (cancelled) certificates cannot stand in.
      await expect(registry.connect(corporate).replaceRetirement(1, corporate.address, bad))
        .to.be.revertedWithCustomError(registry, "ITECBatchReversed")
        .withArgs(bad);
      await expect(registry.connect(refurbisher).replaceRetirement(1, refurbisher.address, 42))
        .to.be.revertedWithCustomError(registry, "ITECUnknownBatch")
        .withArgs(42);
      await expect(registry.connect(corporate).replaceRetirement(1, corporate.address, good))
        .to.be.revertedWithCustomError(registry, "ERC1155InsufficientBalance")
        .withArgs(corporate.address, 0n, 10n, good);
      await registry.suspendBatch(good, "check");
      await expect(registry.connect(refurbisher).replaceRetirement(1, refurbisher.address, good))
        .to.be.revertedWithCustomError(registry, "ITECBatchSuspended")
        .withArgs(good);
    });

    it("refuses a caller that is neither holder nor operator, an inactive holder and unknown claims", async function () {
      const f = await networkHelpers.loadFixture(reversalFixture);
      const { registry, refurbisher, corporate, bad, good } = f;
      await registry.reverseBatch(bad, "wrong", "");
      await expect(registry.connect(corporate).replaceRetirement(1, refurbisher.address, good))
        .to.be.revertedWithCustomError(registry, "ITECNotHolderOrOperator")
        .withArgs(corporate.address, refurbisher.address);
      for (const id of [0, 3]) {
        await expect(registry.connect(refurbisher).replaceRetirement(id, refurbisher.address, good))
          .to.be.revertedWithCustomError(registry, "ITECUnknownRetirement")
          .withArgs(id);
      }
      await registry.suspendParticipant(refurbisher.address, "review");
      await expect(registry.connect(refurbisher).replaceRetirement(1, refurbisher.address, good))
        .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
        .withArgs(refurbisher.address, P_SUSPENDED);
    });
  });
});
