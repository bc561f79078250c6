/**
 * Regression tests for the audit's findings on fraud proofs (issue 13, findings 2 and 3; the table is
 * docs/audit/findings-2026-12.md). Each test makes the attack that succeeded against contract v1 (its v1 form and
 * output: docs/audit/v1-attacks.test.ts.txt) and asserts that v2 refutes it. Device trees are built here in the v2
 * leaf form, [index, deviceId] as ["uint256","bytes32"] (ADR 0015), straight from @openzeppelin/merkle-tree, so a
 * tree can lie about its size exactly as a careless or dishonest lot would.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import { deployRegistry, issueBatch, type RegistryFixture } from "../helpers/registry.ts";

const connection = await network.create();
const { networkHelpers } = connection;

const ACTIVE = 0n;
const SUSPENDED = 1n;
const DUPLICATE_DEVICE = 0;
const INDEX_OUT_OF_RANGE = 1;
const INDEX_REUSED = 2;
const EVIDENCE = "https://registry.example/challenges/evidence.pdf";

type Leaf = [number, string];

/** A device id as the calculation derives it: the hash of a normalised manufacturer and serial. */
function device(label: string): string {
  return keccak256(toUtf8Bytes(label));
}

/** A batch's device tree in the v2 leaf form. */
function deviceTree(leaves: Leaf[]): StandardMerkleTree<Leaf> {
  return StandardMerkleTree.of(leaves, ["uint256", "bytes32"]);
}

/** The `DeviceProof` of leaf (`index`, `deviceId`) in `tree`. */
function proofOf(tree: StandardMerkleTree<Leaf>, index: number, deviceId: string) {
  return { root: tree.root, index, deviceId, proof: tree.getProof([index, deviceId]) };
}

async function registryFixture(): Promise<RegistryFixture> {
  return deployRegistry(connection);
}

/**
 * Two honest-looking batches whose trees share device D (batch 1 of the refurbisher, batch 2 of the trader), and
 * the duplicate-device challenge that froze both.
 */
async function duplicateFixture() {
  const f = await registryFixture();
  const shared = device("dell|D-SHARED");
  const treeA = deviceTree([
    [0, shared],
    [1, device("dell|A-1")],
  ]);
  const treeB = deviceTree([
    [0, device("lenovo|B-0")],
    [1, shared],
  ]);
  await issueBatch(f, { deviceRoot: treeA.root, certificates: 2n });
  await issueBatch(f, { deviceRoot: treeB.root, certificates: 2n, owner: f.trader.address });
  const a = proofOf(treeA, 0, shared);
  const b = proofOf(treeB, 1, shared);
  await (await f.registry.connect(f.outsider).challengeDuplicateDevice(a, b)).wait();
  return { ...f, a, b };
}

async function statuses(f: RegistryFixture, ...batchIds: number[]): Promise<bigint[]> {
  return Promise.all(batchIds.map(async (id) => (await f.registry.batch(id)).status));
}

describe("attacks on fraud proofs (audit 2026-12)", function () {
  describe("finding 2: a fraud-proof suspension cannot be settled", function () {
    it("freezes both batches named by a duplicate-device proof until the admin settles it", async function () {
      const f = await networkHelpers.loadFixture(duplicateFixture);
      expect(await statuses(f, 1, 2)).to.deep.equal([SUSPENDED, SUSPENDED]);
      const c = await f.registry.challenge(1);
      expect([c.kind, c.status, c.batchA, c.batchB]).to.deep.equal([BigInt(DUPLICATE_DEVICE), 1n, 1n, 2n]);
    });

    it("settled with the later batch at fault: the proof cannot be re-made, even after the admin reinstates it", async function () {
      const f = await networkHelpers.loadFixture(duplicateFixture);
      const { registry, outsider, a, b } = f;
      await expect(registry.settleChallenge(1, 2, "D is in batch 1's intake records", EVIDENCE))
        .to.emit(registry, "ChallengeSettled")
        .withArgs(1, 2, f.admin.address, "D is in batch 1's intake records", EVIDENCE);
      expect(await statuses(f, 1, 2)).to.deep.equal([ACTIVE, SUSPENDED]);
      // The v1 attack: the admin reinstates the later batch (say, after a correction), and anyone re-submits the
      // same proof to freeze it again.
      await registry.reinstateBatch(2, "device list corrected by the auditor");
      for (const [x, y] of [
        [a, b],
        [b, a],
      ] as const) {
        await expect(registry.connect(outsider).challengeDuplicateDevice(x, y))
          .to.be.revertedWithCustomError(registry, "ITECAlreadyChallenged")
          .withArgs(1);
      }
      expect(await statuses(f, 1, 2)).to.deep.equal([ACTIVE, ACTIVE]);
      expect(await registry.challengeCount()).to.equal(1n);
    });

    it("settled with the earlier batch at fault: the innocent later batch is active, not frozen with it", async function () {
      const f = await networkHelpers.loadFixture(duplicateFixture);
      const { registry, outsider, a, b } = f;
      await registry.settleChallenge(1, 1, "batch 1's auditor listed a device it never saw", EVIDENCE);
      expect(await statuses(f, 1, 2)).to.deep.equal([SUSPENDED, ACTIVE]);
      await expect(registry.connect(outsider).challengeDuplicateDevice(a, b))
        .to.be.revertedWithCustomError(registry, "ITECAlreadyChallenged")
        .withArgs(1);
      expect(await statuses(f, 1, 2)).to.deep.equal([SUSPENDED, ACTIVE]);
      // The innocent batch trades again.
      await registry.connect(f.trader).safeTransferFrom(f.trader.address, f.corporate.address, 2, 1, "0x");
      expect(await registry.balanceOf(f.corporate.address, 2)).to.equal(1n);
    });

    it("settled with neither at fault: both are released and stay released", async function () {
      const f = await networkHelpers.loadFixture(duplicateFixture);
      const { registry, outsider, a, b } = f;
      await registry.settleChallenge(1, 0, "two devices with one serial: a manufacturer error", EVIDENCE);
      expect(await statuses(f, 1, 2)).to.deep.equal([ACTIVE, ACTIVE]);
      await expect(registry.connect(outsider).challengeDuplicateDevice(b, a))
        .to.be.revertedWithCustomError(registry, "ITECAlreadyChallenged")
        .withArgs(1);
      await expect(registry.settleChallenge(1, 0, "again", EVIDENCE))
        .to.be.revertedWithCustomError(registry, "ITECChallengeNotOpen")
        .withArgs(1);
      expect(await statuses(f, 1, 2)).to.deep.equal([ACTIVE, ACTIVE]);
    });
  });

  describe("finding 3: a small batch poisons future honest ones", function () {
    // The competitor's devices, which the poisoner knows (e.g. from a shared intake) before they are certified.
    const c1 = device("hp|C-1");
    const c2 = device("hp|C-2");
    const own = device("acer|P-0");

    /**
     * Issues the poisoner's 1-certificate batch (batch 1, the trader's) with `poisonLeaves`, then the competitor's
     * honest batch of c1 and c2 (batch 2), and lets the poisoner make its duplicate-device proof.
     */
    async function poison(f: RegistryFixture, poisonLeaves: Leaf[]) {
      const poisoned = deviceTree(poisonLeaves);
      const honest = deviceTree([
        [0, c1],
        [1, c2],
      ]);
      await issueBatch(f, { deviceRoot: poisoned.root, certificates: 1n, owner: f.trader.address });
      await issueBatch(f, { deviceRoot: honest.root, certificates: 2n });
      const index = poisonLeaves.find(([, d]) => d === c1)![0];
      await expect(
        f.registry.connect(f.trader).challengeDuplicateDevice(proofOf(poisoned, index, c1), proofOf(honest, 0, c1)),
      )
        .to.emit(f.registry, "ChallengeOpened")
        .withArgs(1, 1, 2, DUPLICATE_DEVICE, c1, 0, f.trader.address);
      // Unlike v1, the poisoner's own batch is frozen too: it is no longer tradable.
      expect(await statuses(f, 1, 2)).to.deep.equal([SUSPENDED, SUSPENDED]);
      await expect(f.registry.connect(f.trader).safeTransferFrom(f.trader.address, f.corporate.address, 1, 1, "0x"))
        .to.be.revertedWithCustomError(f.registry, "ITECBatchSuspended")
        .withArgs(1);
      return { poisoned, honest };
    }

    /** The admin finds the poisoner at fault in every challenge; the honest batch is released and trades. */
    async function settleAgainstPoisoner(f: RegistryFixture, challenges: number) {
      for (let id = 1; id <= challenges; id += 1) {
        await f.registry.settleChallenge(id, 1, "the tree lists more devices than it certified", EVIDENCE);
      }
      expect(await statuses(f, 1, 2)).to.deep.equal([SUSPENDED, ACTIVE]);
      expect(await f.registry.batchHold(1)).to.deep.equal([true, 0n, true]);
      expect(await f.registry.batchHold(2)).to.deep.equal([false, 0n, false]);
      await f.registry.connect(f.refurbisher).safeTransferFrom(f.refurbisher.address, f.corporate.address, 2, 1, "0x");
      expect(await f.registry.balanceOf(f.corporate.address, 2)).to.equal(1n);
    }

    it("proves a tree with leaves beyond its certificates lies (challengeTreeSize); settlement releases the honest batch", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const { poisoned, honest } = await poison(f, [
        [0, own],
        [1, c1],
        [2, c2],
      ]);
      // Anyone can show the poisoner's tree holds a leaf at index 1 of a 1-certificate batch.
      await expect(f.registry.connect(f.outsider).challengeTreeSize(proofOf(poisoned, 1, c1)))
        .to.emit(f.registry, "ChallengeOpened")
        .withArgs(2, 1, 0, INDEX_OUT_OF_RANGE, c1, 1, f.outsider.address);
      // The honest tree cannot be accused so: its leaves are within its certificates.
      await expect(f.registry.connect(f.trader).challengeTreeSize(proofOf(honest, 1, c2)))
        .to.be.revertedWithCustomError(f.registry, "ITECInvalidChallenge")
        .withArgs("index within batch");
      await settleAgainstPoisoner(f, 2);
    });

    it("proves a tree that reuses an index to hide a device lies (challengeIndexReuse); settlement releases the honest batch", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      // Every index below 1, so challengeTreeSize cannot catch it; two leaves share index 0 instead.
      const { poisoned } = await poison(f, [
        [0, own],
        [0, c1],
      ]);
      await expect(f.registry.connect(f.outsider).challengeTreeSize(proofOf(poisoned, 0, c1)))
        .to.be.revertedWithCustomError(f.registry, "ITECInvalidChallenge")
        .withArgs("index within batch");
      await expect(
        f.registry.connect(f.outsider).challengeIndexReuse(proofOf(poisoned, 0, own), proofOf(poisoned, 0, c1)),
      )
        .to.emit(f.registry, "ChallengeOpened")
        .withArgs(2, 1, 0, INDEX_REUSED, own, 0, f.outsider.address);
      await settleAgainstPoisoner(f, 2);
    });
  });
});
