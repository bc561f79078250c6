/**
 * The calculation engine's device trees verify on-chain: its root is OpenZeppelin's StandardMerkleTree over the
 * v2 leaves [index, deviceId] (index = the device's place among the batch's eligible devices, docs/adr/0015), so two
 * lots calculated independently (no registry exclusivity) that share one device are issued, and the engine's proofs
 * of that device against both batch roots are accepted by the contract's fraud proof (OpenZeppelin MerkleProof).
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { network } from "hardhat";

import { readLotCsv } from "../../core/calc/lot/index.ts";
import { calculateLot } from "../../core/calc/index.ts";
import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import { issueBatch } from "../helpers/registry.ts";
import { B_SUSPENDED, K_DUPLICATE, deployRegistry } from "./support.ts";

const connection = await network.create();

describe("device Merkle proofs from ITEC-CALC on-chain", function () {
  it("proves a device shared by two batches with the engine's proofs, freezing both batches", async function () {
    const f = await deployRegistry(connection);
    const reference = loadReferenceTable();
    const rows = await readLotCsv("test/vectors/section9-lot.csv");
    const laptops = rows.filter(
      (r) => r.category === "laptop" && !r.serial.includes("7420") && !r.serial.includes("U7410"),
    );
    const options = { asOf: "2026-11-28", defaultTransport: "hgv:600;van:250" };
    const lotA = calculateLot(laptops, options, reference);
    // Lot B: another laptop first, then the same Latitude 5420 again (a different index in its tree).
    const lotB = calculateLot([{ ...laptops[1]!, serial: "OTHER-T490-9" }, laptops[0]!], options, reference);
    const a = lotA.batches.find((b) => b.category === "laptop")!;
    const b = lotB.batches.find((x) => x.category === "laptop")!;
    expect(a.issued && b.issued).to.equal(true);
    // The engine's root is the library's over [index, deviceId], in the engine's device order.
    for (const batch of [a, b]) {
      const tree = StandardMerkleTree.of(
        batch.deviceIds.map((id, k) => [k, id]),
        ["uint256", "bytes32"],
      );
      expect(batch.deviceRoot).to.equal(tree.root);
      expect(batch.deviceIds).to.have.length(batch.certificates);
    }
    const shared = a.deviceIds.find((id) => b.deviceIds.includes(id))!;
    expect(shared).to.match(/^0x[0-9a-f]{64}$/);
    const proofIn = (batch: typeof a, id: string) => ({
      root: batch.deviceRoot,
      index: BigInt(batch.deviceIds.indexOf(id)),
      deviceId: id,
      proof: batch.proof(id),
    });
    await issueBatch(f, { deviceRoot: a.deviceRoot, certificates: BigInt(a.certificates) });
    await issueBatch(f, { deviceRoot: b.deviceRoot, certificates: BigInt(b.certificates) });
    await expect(f.registry.challengeDuplicateDevice(proofIn(a, shared), proofIn(b, shared)))
      .to.emit(f.registry, "ChallengeOpened")
      .withArgs(1, 1, 2, K_DUPLICATE, shared, 0, f.admin.address);
    expect((await f.registry.batch(1)).status).to.equal(BigInt(B_SUSPENDED));
    expect((await f.registry.batch(2)).status).to.equal(BigInt(B_SUSPENDED));
    // Every other device of lot A verifies against its own root (it is not in B's tree): the tree-size proof of an
    // honest batch is refused because its index is within the batch, not because the proof fails.
    for (const id of a.deviceIds.filter((x) => x !== shared)) {
      await expect(f.registry.challengeTreeSize(proofIn(a, id)))
        .to.be.revertedWithCustomError(f.registry, "ITECInvalidChallenge")
        .withArgs("index within batch");
      await expect(f.registry.challengeDuplicateDevice(proofIn(a, id), { ...proofIn(a, id), root: b.deviceRoot }))
        .to.be.revertedWithCustomError(f.registry, "ITECInvalidDeviceProof")
        .withArgs(b.deviceRoot, a.deviceIds.indexOf(id), id);
    }
  });
});
