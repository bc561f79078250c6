/**
 * Residual forms of two audit findings that contract v2 (b4c187f) still lets through: these tests FAIL on v2 and
 * are kept apart from attacks-*.test.ts, whose tests all pass, so that the fix and its test land together
 * (docs/audit/findings-2026-12.md, "Residual"). The errors asserted are the proposed fixes.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import { ALL_CATEGORIES, deployRegistry, issueBatch, type RegistryFixture } from "../helpers/registry.ts";

const connection = await network.create();
const { networkHelpers } = connection;

const ACTIVE = 0n;
const SUSPENDED = 1n;
const REVERSED = 2n;
const EVIDENCE = "https://registry.example/challenges/evidence.pdf";

type Leaf = [number, string];

function device(label: string): string {
  return keccak256(toUtf8Bytes(label));
}

function proofOf(tree: StandardMerkleTree<Leaf>, index: number, deviceId: string) {
  return { root: tree.root, index, deviceId, proof: tree.getProof([index, deviceId]) };
}

async function registryFixture(): Promise<RegistryFixture> {
  return deployRegistry(connection);
}

/**
 * Batch 1 (the trader's): 1 certificate, but its tree also lists the two devices of batch 2, an honest 2-certificate
 * batch issued after it.
 */
async function poisonedAndHonest(f: RegistryFixture, tag: string) {
  const c1 = device(`hp|${tag}-1`);
  const c2 = device(`hp|${tag}-2`);
  const poisoned = StandardMerkleTree.of<Leaf>(
    [
      [0, device(`acer|${tag}-0`)],
      [1, c1],
      [2, c2],
    ],
    ["uint256", "bytes32"],
  );
  const honest = StandardMerkleTree.of<Leaf>(
    [
      [0, c1],
      [1, c2],
    ],
    ["uint256", "bytes32"],
  );
  await issueBatch(f, { deviceRoot: poisoned.root, certificates: 1n, owner: f.trader.address });
  await issueBatch(f, { deviceRoot: honest.root, certificates: 2n });
  return { c1, c2, poisoned, honest };
}

describe("residual forms of the audit attacks, closed in v2 (audit 2026-12)", function () {
  it("finding 3: a batch reversed for a lying tree cannot freeze an honest batch again with its next fake leaf", async function () {
    const f = await networkHelpers.loadFixture(registryFixture);
    const { registry, trader, outsider } = f;
    const { c1, c2, poisoned, honest } = await poisonedAndHonest(f, "C");
    await registry.connect(trader).challengeDuplicateDevice(proofOf(poisoned, 1, c1), proofOf(honest, 0, c1));
    await registry.connect(outsider).challengeTreeSize(proofOf(poisoned, 1, c1));
    await registry.settleChallenge(1, 1, "the tree lists more devices than it certified", EVIDENCE);
    await registry.settleChallenge(2, 1, "the tree lists more devices than it certified", EVIDENCE);
    // The admin goes as far as it can: batch 1 is reversed, final.
    await registry.reverseBatch(1, "device tree lists 3 devices for 1 certificate", EVIDENCE);
    expect([(await registry.batch(1)).status, (await registry.batch(2)).status]).to.deep.equal([REVERSED, ACTIVE]);

    // The poisoner's next fake leaf: a new proof (another device), so ITECAlreadyChallenged does not apply. A
    // reversed batch's tree is void and should prove nothing against anyone.
    await expect(registry.connect(trader).challengeDuplicateDevice(proofOf(poisoned, 2, c2), proofOf(honest, 1, c2)))
      .to.be.revertedWithCustomError(registry, "ITECBatchReversed")
      .withArgs(1);
    expect((await registry.batch(2)).status).to.equal(ACTIVE);
  });

  it("finding 3: a batch found at fault (not yet reversed) cannot freeze an honest batch with its next fake leaf", async function () {
    const f = await networkHelpers.loadFixture(registryFixture);
    const { registry, trader } = f;
    const { c1, c2, poisoned, honest } = await poisonedAndHonest(f, "D");
    await registry.connect(trader).challengeDuplicateDevice(proofOf(poisoned, 1, c1), proofOf(honest, 0, c1));
    await registry.settleChallenge(1, 1, "the poisoning batch listed a competitor's devices", EVIDENCE);
    expect((await registry.batchHold(1)).atFault).to.equal(true);
    expect([(await registry.batch(1)).status, (await registry.batch(2)).status]).to.deep.equal([SUSPENDED, ACTIVE]);

    await expect(registry.connect(trader).challengeDuplicateDevice(proofOf(poisoned, 2, c2), proofOf(honest, 1, c2)))
      .to.be.revertedWithCustomError(registry, "ITECBatchAtFault")
      .withArgs(1);
    expect((await registry.batch(2)).status).to.equal(ACTIVE);
  });

  it("finding 5: an accreditation that has already expired does not raise the threshold's bound", async function () {
    const f = await networkHelpers.loadFixture(registryFixture);
    const { registry, outsider } = f;
    await registry.registerAuditorBody("Lapsed Audit Body");
    // An accreditation whose window ended before it was recorded: the account can never sign.
    await expect(registry.setAccreditation(outsider.address, 4, ALL_CATEGORIES, 0, f.now - 1n))
      .to.be.revertedWithCustomError(registry, "ITECInvalidAccreditation")
      .withArgs("validity");
    await expect(registry.setAuditorThreshold(4))
      .to.be.revertedWithCustomError(registry, "ITECInvalidThreshold")
      .withArgs(4, 3);
  });
});
