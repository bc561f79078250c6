/**
 * Settling fraud proofs and what holds a batch (issue 13 finding 2): the admin decides a challenge once, with a
 * reason and evidence; the batch found at fault stays suspended, the other is released, and the same proof can never
 * freeze it again. A batch is frozen while the admin suspends it or any challenge naming it is open.
 */
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { ZeroHash } from "ethers";
import { network } from "hardhat";

import {
  B_ACTIVE,
  B_REVERSED,
  B_SUSPENDED,
  CH_SETTLED,
  challengeBatches,
  deployRegistry,
  deviceProof,
  statusChanges,
} from "./support.ts";

const connection = await network.create();
const { networkHelpers } = connection;

const EVIDENCE = "https://registry.example/findings/1";

/** The challenge fixture with challenge 1 open: batches 1 and 2 share a device. */
async function openFixture() {
  const f = await challengeBatches(await deployRegistry(connection));
  const a = deviceProof(f.treeA, 1n, f.shared);
  const b = deviceProof(f.treeB, 2n, f.shared);
  await (await f.registry.connect(f.outsider).challengeDuplicateDevice(a, b)).wait();
  return { ...f, a, b };
}

describe("ITECRegistry settlement", function () {
  describe("settleChallenge", function () {
    it("keeps the batch found at fault suspended and releases the other", async function () {
      const f = await networkHelpers.loadFixture(openFixture);
      const { registry, admin } = f;
      await expect(registry.settleChallenge(1, 2, "device sold twice: batch 2 at fault", EVIDENCE))
        .to.emit(registry, "ChallengeSettled")
        .withArgs(1, 2, admin.address, "device sold twice: batch 2 at fault", EVIDENCE)
        .and.to.emit(registry, "BatchStatusChanged")
        .withArgs(1, B_ACTIVE);
      const c = await registry.challenge(1);
      expect([c.status, c.faultyBatchId]).to.deep.equal([BigInt(CH_SETTLED), 2n]);
      expect((await registry.batch(1)).status).to.equal(BigInt(B_ACTIVE));
      expect(await registry.batchHold(1)).to.deep.equal([false, 0n, false]);
      expect((await registry.batch(2)).status).to.equal(BigInt(B_SUSPENDED));
      expect(await registry.batchHold(2)).to.deep.equal([true, 0n, true]);
      // Batch 1 moves again.
      await registry.connect(f.refurbisher).safeTransferFrom(f.refurbisher.address, f.corporate.address, 1, 1n, "0x");
    });

    it("can find the earlier batch at fault without freezing both (finding 2)", async function () {
      const f = await networkHelpers.loadFixture(openFixture);
      const { registry } = f;
      await expect(registry.settleChallenge(1, 1, "batch 1 listed a device it never had", ""))
        .to.emit(registry, "BatchStatusChanged")
        .withArgs(2, B_ACTIVE);
      expect((await registry.batch(1)).status).to.equal(BigInt(B_SUSPENDED));
      expect((await registry.batch(2)).status).to.equal(BigInt(B_ACTIVE));
    });

    it("releases both when neither is at fault", async function () {
      const f = await networkHelpers.loadFixture(openFixture);
      const { registry } = f;
      await expect(registry.settleChallenge(1, 0, "same device resold legitimately after repair", EVIDENCE))
        .to.emit(registry, "BatchStatusChanged")
        .withArgs(1, B_ACTIVE)
        .and.to.emit(registry, "BatchStatusChanged")
        .withArgs(2, B_ACTIVE);
      expect((await registry.challenge(1)).faultyBatchId).to.equal(0n);
    });

    it("never lets the same proof freeze a released batch again (finding 2)", async function () {
      const f = await networkHelpers.loadFixture(openFixture);
      const { registry, a, b } = f;
      await registry.settleChallenge(1, 2, "batch 2 at fault", EVIDENCE);
      // Also after the admin reinstates the batch found at fault.
      await registry.reinstateBatch(2, "device replaced, certificates corrected");
      for (const args of [
        [a, b],
        [b, a],
      ] as const) {
        await expect(registry.connect(f.trader).challengeDuplicateDevice(...args))
          .to.be.revertedWithCustomError(registry, "ITECAlreadyChallenged")
          .withArgs(1);
      }
      expect((await registry.batch(1)).status).to.equal(BigInt(B_ACTIVE));
      expect((await registry.batch(2)).status).to.equal(BigInt(B_ACTIVE));
    });

    it("settles a one-batch challenge: the batch at fault stays frozen, or is released", async function () {
      const f = await networkHelpers.loadFixture(openFixture);
      const { registry, oversized, reused } = f;
      await registry.challengeTreeSize(deviceProof(oversized, 2n, (oversized.at(2) as [bigint, string])[1]));
      const [, r1] = reused.at(1) as [bigint, string];
      const [, r1bis] = reused.at(2) as [bigint, string];
      await registry.challengeIndexReuse(deviceProof(reused, 1n, r1), deviceProof(reused, 1n, r1bis));
      await expect(registry.settleChallenge(2, 3, "x", ""))
        .to.be.revertedWithCustomError(registry, "ITECInvalidSettlement")
        .withArgs(2, 3);
      await registry.settleChallenge(2, 4, "tree larger than certified", EVIDENCE);
      expect(await registry.batchHold(4)).to.deep.equal([true, 0n, true]);
      await expect(registry.settleChallenge(3, 0, "duplicate leaf was a clerical re-send", ""))
        .to.emit(registry, "BatchStatusChanged")
        .withArgs(5, B_ACTIVE);
    });

    it("reverts for a batch the challenge does not name, a challenge not open, bad texts and a non-admin", async function () {
      const f = await networkHelpers.loadFixture(openFixture);
      const { registry, outsider } = f;
      await expect(registry.settleChallenge(1, 3, "x", ""))
        .to.be.revertedWithCustomError(registry, "ITECInvalidSettlement")
        .withArgs(1, 3);
      for (const id of [0, 2]) {
        await expect(registry.settleChallenge(id, 0, "x", ""))
          .to.be.revertedWithCustomError(registry, "ITECChallengeNotOpen")
          .withArgs(id);
      }
      await expect(registry.settleChallenge(1, 0, "", ""))
        .to.be.revertedWithCustomError(registry, "ITECInvalidText")
        .withArgs("reason", 0);
      await expect(registry.settleChallenge(1, 0, "x", "e".repeat(1025)))
        .to.be.revertedWithCustomError(registry, "ITECInvalidText")
        .withArgs("evidenceURI", 1025);
      await expect(registry.connect(outsider).settleChallenge(1, 0, "x", ""))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
      await registry.settleChallenge(1, 0, "x", "");
      await expect(registry.settleChallenge(1, 0, "again", ""))
        .to.be.revertedWithCustomError(registry, "ITECChallengeNotOpen")
        .withArgs(1);
    });
  });

  describe("holds: admin suspension and open challenges together", function () {
    it("suspends and reinstates a batch with events, reasons and status changes", async function () {
      const f = await networkHelpers.loadFixture(openFixture);
      const { registry, admin } = f;
      await expect(registry.suspendBatch(3, "audit finding"))
        .to.emit(registry, "BatchSuspended")
        .withArgs(3, admin.address, "audit finding")
        .and.to.emit(registry, "BatchStatusChanged")
        .withArgs(3, B_SUSPENDED)
        .and.to.emit(registry, "URI")
        .withArgs(anyValue, 3);
      expect(await registry.batchHold(3)).to.deep.equal([true, 0n, false]);
      await expect(registry.reinstateBatch(3, "finding closed"))
        .to.emit(registry, "BatchReinstated")
        .withArgs(3, admin.address, "finding closed")
        .and.to.emit(registry, "BatchStatusChanged")
        .withArgs(3, B_ACTIVE)
        .and.to.emit(registry, "URI")
        .withArgs(anyValue, 3);
      expect((await registry.batch(3)).status).to.equal(BigInt(B_ACTIVE));
      expect(await registry.batchHold(3)).to.deep.equal([false, 0n, false]);
    });

    it("keeps a batch frozen while either the admin's suspension or a challenge holds it", async function () {
      const f = await networkHelpers.loadFixture(openFixture);
      const { registry, admin } = f;
      // Held by the challenge only: the admin has nothing to reinstate.
      await expect(registry.reinstateBatch(1, "x"))
        .to.be.revertedWithCustomError(registry, "ITECBatchNotSuspended")
        .withArgs(1);
      // An admin suspension on top changes no status (it is already Suspended).
      const suspend = registry.suspendBatch(1, "audit finding");
      await expect(suspend).to.emit(registry, "BatchSuspended").withArgs(1, admin.address, "audit finding");
      expect(await statusChanges(registry, suspend)).to.deep.equal([]);
      expect(await registry.batchHold(1)).to.deep.equal([true, 1n, false]);
      await expect(registry.suspendBatch(1, "again"))
        .to.be.revertedWithCustomError(registry, "ITECBatchSuspended")
        .withArgs(1);
      // Settling the challenge leaves the admin's suspension.
      const settle = registry.settleChallenge(1, 0, "no fault", "");
      await expect(settle).to.emit(registry, "URI").withArgs(anyValue, 2);
      // Batch 2, held by the challenge only, is released; batch 1 is not.
      expect(await statusChanges(registry, settle)).to.deep.equal([[2n, BigInt(B_ACTIVE)]]);
      expect((await registry.batch(1)).status).to.equal(BigInt(B_SUSPENDED));
      expect(await registry.batchHold(1)).to.deep.equal([true, 0n, false]);
      await expect(registry.reinstateBatch(1, "finding closed"))
        .to.emit(registry, "BatchReinstated")
        .withArgs(1, admin.address, "finding closed")
        .and.to.emit(registry, "BatchStatusChanged")
        .withArgs(1, B_ACTIVE);
    });

    it("keeps a batch named by two open challenges frozen until both are settled", async function () {
      const f = await networkHelpers.loadFixture(openFixture);
      const { registry, treeB, treeC, sharedBC } = f;
      const open = registry.challengeDuplicateDevice(
        deviceProof(treeB, 3n, sharedBC),
        deviceProof(treeC, 1n, sharedBC),
      );
      await expect(open).to.emit(registry, "ChallengeOpened").withArgs(2, 2, 3, 0, sharedBC, 0, f.admin.address);
      // Batch 2 was frozen already; only batch 3 changes.
      expect(await statusChanges(registry, open)).to.deep.equal([[3n, BigInt(B_SUSPENDED)]]);
      expect(await registry.batchHold(2)).to.deep.equal([false, 2n, false]);
      await registry.settleChallenge(1, 0, "no fault", "");
      expect((await registry.batch(2)).status).to.equal(BigInt(B_SUSPENDED));
      expect(await registry.batchHold(2)).to.deep.equal([false, 1n, false]);
      await registry.settleChallenge(2, 3, "batch 3 at fault", "");
      expect((await registry.batch(2)).status).to.equal(BigInt(B_ACTIVE));
      expect((await registry.batch(3)).status).to.equal(BigInt(B_SUSPENDED));
    });

    it("lets the admin reinstate a batch while a challenge is open without releasing it", async function () {
      const f = await networkHelpers.loadFixture(openFixture);
      const { registry } = f;
      // Batch 1 found at fault in challenge 1 (so its tree is no evidence any more); batch 2 is held by challenge 2.
      await registry.settleChallenge(1, 1, "batch 1 at fault", "");
      await registry.suspendBatch(2, "separate finding");
      await registry.challengeDuplicateDevice(
        deviceProof(f.treeB, 3n, f.sharedBC),
        deviceProof(f.treeC, 1n, f.sharedBC),
      );
      expect(await statusChanges(registry, registry.reinstateBatch(2, "corrected"))).to.deep.equal([]);
      expect((await registry.batch(2)).status).to.equal(BigInt(B_SUSPENDED));
      expect(await registry.batchHold(2)).to.deep.equal([false, 1n, false]);
    });

    it("leaves a reversed batch reversed, and its tree proves nothing against another batch", async function () {
      const f = await networkHelpers.loadFixture(openFixture);
      const { registry, treeB, treeC, sharedBC } = f;
      await registry.reverseBatch(3, "wrong", "");
      await expect(
        registry.challengeDuplicateDevice(deviceProof(treeB, 3n, sharedBC), deviceProof(treeC, 1n, sharedBC)),
      )
        .to.be.revertedWithCustomError(registry, "ITECBatchReversed")
        .withArgs(3);
      expect((await registry.batch(3)).status).to.equal(BigInt(B_REVERSED));
      expect((await registry.batch(2)).status).to.equal(BigInt(B_SUSPENDED)); // still held by challenge 1 only
      expect(await registry.batchHold(2)).to.deep.equal([false, 1n, false]);
    });

    it("reverts batch suspension for unknown batches and non-admins", async function () {
      const f = await networkHelpers.loadFixture(openFixture);
      const { registry, outsider } = f;
      for (const id of [0, 42]) {
        await expect(registry.suspendBatch(id, "x"))
          .to.be.revertedWithCustomError(registry, "ITECUnknownBatch")
          .withArgs(id);
        await expect(registry.reinstateBatch(id, "x"))
          .to.be.revertedWithCustomError(registry, "ITECUnknownBatch")
          .withArgs(id);
        await expect(registry.batchHold(id)).to.be.revertedWithCustomError(registry, "ITECUnknownBatch").withArgs(id);
        await expect(registry.batch(id)).to.be.revertedWithCustomError(registry, "ITECUnknownBatch").withArgs(id);
        await expect(registry.batchTotals(id)).to.be.revertedWithCustomError(registry, "ITECUnknownBatch").withArgs(id);
        await expect(registry.uri(id)).to.be.revertedWithCustomError(registry, "ITECUnknownBatch").withArgs(id);
      }
      await expect(registry.suspendBatch(3, ""))
        .to.be.revertedWithCustomError(registry, "ITECInvalidText")
        .withArgs("reason", 0);
      await expect(registry.reinstateBatch(3, ""))
        .to.be.revertedWithCustomError(registry, "ITECInvalidText")
        .withArgs("reason", 0);
      await expect(registry.connect(outsider).suspendBatch(3, "x"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
      await expect(registry.connect(outsider).reinstateBatch(3, "x"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
    });
  });
});
