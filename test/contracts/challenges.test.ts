/**
 * Permissionless fraud proofs over device trees in the v2 leaf form [index, deviceId] (real OpenZeppelin
 * StandardMerkleTree trees, ["uint256","bytes32"]): one device in two batches, a leaf whose index is not below the
 * batch's certificates, two leaves with one index — together they catch a tree that lies about its size (issue 13
 * finding 3). Each opens a challenge that freezes what it names. Settlement is in settlement.test.ts.
 */
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";

import { issueBatch } from "../helpers/registry.ts";
import {
  B_ACTIVE,
  B_SUSPENDED,
  CH_OPEN,
  K_DUPLICATE,
  K_INDEX_REUSED,
  K_OUT_OF_RANGE,
  challengeBatches,
  deployRegistry,
  deviceId,
  deviceProof,
  deviceTree,
  plain,
} from "./support.ts";

const connection = await network.create();
const { networkHelpers } = connection;

async function fixture() {
  return challengeBatches(await deployRegistry(connection));
}

describe("ITECRegistry fraud proofs", function () {
  describe("challengeDuplicateDevice", function () {
    it("opens a challenge that freezes both batches, whatever the argument order", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { registry, shared, treeA, treeB, outsider } = f;
      const a = deviceProof(treeA, 1n, shared);
      const b = deviceProof(treeB, 2n, shared);
      expect(await registry.connect(outsider).challengeDuplicateDevice.staticCall(b, a)).to.equal(1n);
      await expect(registry.connect(outsider).challengeDuplicateDevice(b, a))
        .to.emit(registry, "ChallengeOpened")
        .withArgs(1, 1, 2, K_DUPLICATE, shared, 0, outsider.address)
        .and.to.emit(registry, "BatchStatusChanged")
        .withArgs(1, B_SUSPENDED)
        .and.to.emit(registry, "BatchStatusChanged")
        .withArgs(2, B_SUSPENDED)
        .and.to.emit(registry, "URI")
        .withArgs(anyValue, 2);
      const c = await registry.challenge(1);
      expect(plain(c)).to.deep.equal({
        kind: BigInt(K_DUPLICATE),
        status: BigInt(CH_OPEN),
        batchA: 1n,
        batchB: 2n,
        faultyBatchId: 0n,
        challenger: outsider.address,
        deviceId: shared,
        index: 0n,
      });
      expect(await registry.challengeCount()).to.equal(1n);
      for (const id of [1, 2]) {
        expect((await registry.batch(id)).status, `batch ${id}`).to.equal(BigInt(B_SUSPENDED));
        expect(await registry.batchHold(id)).to.deep.equal([false, 1n, false]);
      }
      expect((await registry.batch(3)).status).to.equal(BigInt(B_ACTIVE));
      await expect(
        registry.connect(f.refurbisher).safeTransferFrom(f.refurbisher.address, f.corporate.address, 1, 1n, "0x"),
      )
        .to.be.revertedWithCustomError(registry, "ITECBatchSuspended")
        .withArgs(1);
      // The same proof, in either order, cannot be made again while it is open.
      for (const args of [
        [a, b],
        [b, a],
      ] as const) {
        await expect(registry.challengeDuplicateDevice(...args))
          .to.be.revertedWithCustomError(registry, "ITECAlreadyChallenged")
          .withArgs(1);
      }
    });

    it("rejects different devices, unknown roots, one batch twice and proofs that do not verify", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { registry, shared, treeA, treeB, treeC } = f;
      const a = deviceProof(treeA, 1n, shared);
      const b = deviceProof(treeB, 2n, shared);
      const other = deviceProof(treeC, 0n, deviceId("hp|Z1"));
      await expect(registry.challengeDuplicateDevice(a, other))
        .to.be.revertedWithCustomError(registry, "ITECInvalidChallenge")
        .withArgs("deviceId");
      const unknown = deviceId("not a root");
      await expect(registry.challengeDuplicateDevice({ ...a, root: unknown }, b))
        .to.be.revertedWithCustomError(registry, "ITECUnknownDeviceRoot")
        .withArgs(unknown);
      await expect(registry.challengeDuplicateDevice(a, { ...b, root: unknown }))
        .to.be.revertedWithCustomError(registry, "ITECUnknownDeviceRoot")
        .withArgs(unknown);
      await expect(registry.challengeDuplicateDevice(a, a))
        .to.be.revertedWithCustomError(registry, "ITECInvalidChallenge")
        .withArgs("same batch");
      // The device is not in C's tree; a proof under the wrong index does not verify either.
      await expect(registry.challengeDuplicateDevice({ ...b, root: treeC.root }, a))
        .to.be.revertedWithCustomError(registry, "ITECInvalidDeviceProof")
        .withArgs(treeC.root, 2, shared);
      await expect(registry.challengeDuplicateDevice(a, { ...b, index: 1n }))
        .to.be.revertedWithCustomError(registry, "ITECInvalidDeviceProof")
        .withArgs(treeB.root, 1, shared);
      await expect(registry.challengeDuplicateDevice(a, { ...b, proof: [] }))
        .to.be.revertedWithCustomError(registry, "ITECInvalidDeviceProof")
        .withArgs(treeB.root, 2, shared);
      expect(await registry.challengeCount()).to.equal(0n);
    });
  });

  describe("challengeTreeSize", function () {
    it("opens a challenge on a tree with a leaf at or beyond the batch's certificates", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { registry, oversized, outsider } = f;
      const p = deviceProof(oversized, 2n, deviceId("lenovo|O3"));
      await expect(registry.connect(outsider).challengeTreeSize(p))
        .to.emit(registry, "ChallengeOpened")
        .withArgs(1, 4, 0, K_OUT_OF_RANGE, p.deviceId, 2, outsider.address)
        .and.to.emit(registry, "BatchStatusChanged")
        .withArgs(4, B_SUSPENDED);
      const c = await registry.challenge(1);
      expect([c.kind, c.batchA, c.batchB, c.index]).to.deep.equal([BigInt(K_OUT_OF_RANGE), 4n, 0n, 2n]);
      expect(await registry.batchHold(4)).to.deep.equal([false, 1n, false]);
      await expect(registry.challengeTreeSize(p))
        .to.be.revertedWithCustomError(registry, "ITECAlreadyChallenged")
        .withArgs(1);
    });

    it("refuses a leaf whose index is within the batch, and a proof that does not verify", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { registry, oversized, treeB } = f;
      await expect(registry.challengeTreeSize(deviceProof(oversized, 1n, deviceId("lenovo|O2"))))
        .to.be.revertedWithCustomError(registry, "ITECInvalidChallenge")
        .withArgs("index within batch");
      await expect(registry.challengeTreeSize(deviceProof(treeB, 3n, deviceId("hp|Y3"))))
        .to.be.revertedWithCustomError(registry, "ITECInvalidChallenge")
        .withArgs("index within batch");
      const forged = { ...deviceProof(treeB, 3n, deviceId("hp|Y3")), index: 4n };
      await expect(registry.challengeTreeSize(forged))
        .to.be.revertedWithCustomError(registry, "ITECInvalidDeviceProof")
        .withArgs(treeB.root, 4, forged.deviceId);
    });

    it("freezes a 1-certificate batch whose tree lists a competitor's future devices (finding 3)", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { registry, outsider } = f;
      const competitors = [deviceId("dell|FUTURE-1"), deviceId("dell|FUTURE-2")];
      const poison = deviceTree([deviceId("dell|MINE"), ...competitors]);
      await issueBatch(f, { deviceRoot: poison.root, certificates: 1n });
      const poisonId = await registry.batchCount();
      // The competitor's honest batch, later.
      const honest = deviceTree(competitors);
      await issueBatch(f, { deviceRoot: honest.root, certificates: 2n });
      // The poisoning tree holds more leaves than certificates: it is the one that lies.
      await expect(registry.connect(outsider).challengeTreeSize(deviceProof(poison, 1n, competitors[0]!)))
        .to.emit(registry, "ChallengeOpened")
        .withArgs(1, poisonId, 0, K_OUT_OF_RANGE, competitors[0], 1, outsider.address);
      expect((await registry.batch(poisonId)).status).to.equal(BigInt(B_SUSPENDED));
      expect((await registry.batch(poisonId + 1n)).status).to.equal(BigInt(B_ACTIVE));
    });
  });

  describe("challengeIndexReuse", function () {
    it("opens a challenge on two different leaves with one index in one tree", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { registry, reused, outsider } = f;
      const a = deviceProof(reused, 1n, deviceId("acer|R1"));
      const b = deviceProof(reused, 1n, deviceId("acer|R1-bis"));
      await expect(registry.connect(outsider).challengeIndexReuse(a, b))
        .to.emit(registry, "ChallengeOpened")
        .withArgs(1, 5, 0, K_INDEX_REUSED, a.deviceId, 1, outsider.address)
        .and.to.emit(registry, "BatchStatusChanged")
        .withArgs(5, B_SUSPENDED);
      // One index of one tree is one proof, whichever leaf comes first.
      await expect(registry.challengeIndexReuse(b, a))
        .to.be.revertedWithCustomError(registry, "ITECAlreadyChallenged")
        .withArgs(1);
    });

    it("refuses leaves of two trees or two indices, one leaf twice and a proof that does not verify", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { registry, reused, treeA, shared } = f;
      const a = deviceProof(reused, 1n, deviceId("acer|R1"));
      const b = deviceProof(reused, 1n, deviceId("acer|R1-bis"));
      await expect(registry.challengeIndexReuse(a, deviceProof(treeA, 1n, shared)))
        .to.be.revertedWithCustomError(registry, "ITECInvalidChallenge")
        .withArgs("not one index of one tree");
      await expect(registry.challengeIndexReuse(a, deviceProof(reused, 0n, deviceId("acer|R0"))))
        .to.be.revertedWithCustomError(registry, "ITECInvalidChallenge")
        .withArgs("not one index of one tree");
      await expect(registry.challengeIndexReuse(a, a))
        .to.be.revertedWithCustomError(registry, "ITECInvalidChallenge")
        .withArgs("same leaf");
      await expect(registry.challengeIndexReuse(a, { ...b, deviceId: deviceId("acer|R9") }))
        .to.be.revertedWithCustomError(registry, "ITECInvalidDeviceProof")
        .withArgs(reused.root, 1, deviceId("acer|R9"));
      await expect(registry.challengeIndexReuse({ ...a, deviceId: deviceId("acer|R9") }, b))
        .to.be.revertedWithCustomError(registry, "ITECInvalidDeviceProof")
        .withArgs(reused.root, 1, deviceId("acer|R9"));
    });
  });

  it("answers unknown challenge ids with ITECChallengeNotOpen", async function () {
    const { registry } = await networkHelpers.loadFixture(fixture);
    for (const id of [0, 1]) {
      await expect(registry.challenge(id)).to.be.revertedWithCustomError(registry, "ITECChallengeNotOpen").withArgs(id);
    }
  });
});
