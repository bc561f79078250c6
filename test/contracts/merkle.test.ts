/**
 * The calculation engine's device Merkle proofs verify on-chain: two lots calculated independently (no registry
 * exclusivity) that share one device are issued, and the engine's proofs of that device against both batch roots
 * are accepted by the contract's fraud proof (OpenZeppelin MerkleProof over StandardMerkleTree leaves).
 */
import { expect } from "chai";
import { network } from "hardhat";

import { readLotCsv } from "../../core/calc/lot/index.ts";
import { calculateLot } from "../../core/calc/index.ts";
import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import { deployRegistry, issueBatch } from "../helpers/registry.ts";

const connection = await network.create();

describe("device Merkle proofs from ITEC-CALC on-chain", function () {
  it("proves a device shared by two batches with the engine's proofs, suspending the later batch", async function () {
    const f = await deployRegistry(connection);
    const reference = loadReferenceTable();
    const rows = await readLotCsv("test/vectors/section9-lot.csv");
    const laptops = rows.filter(
      (r) => r.category === "laptop" && !r.serial.includes("7420") && !r.serial.includes("U7410"),
    );
    const options = { asOf: "2026-11-28", defaultTransport: "hgv:600;van:250" };
    const lotA = calculateLot(laptops, options, reference);
    // Lot B: the same Latitude 5420 again, next to another laptop.
    const lotB = calculateLot([laptops[0]!, { ...laptops[1]!, serial: "OTHER-T490-9" }], options, reference);
    const a = lotA.batches.find((b) => b.category === "laptop")!;
    const b = lotB.batches.find((x) => x.category === "laptop")!;
    expect(a.issued && b.issued).to.equal(true);
    const shared = a.deviceIds.find((id) => b.deviceIds.includes(id))!;
    expect(shared).to.match(/^0x[0-9a-f]{64}$/);
    await issueBatch(f, { deviceRoot: a.deviceRoot, certificates: BigInt(a.certificates) });
    await issueBatch(f, { deviceRoot: b.deviceRoot, certificates: BigInt(b.certificates) });
    await expect(
      f.registry.challengeDuplicateDevice(shared, a.deviceRoot, a.proof(shared), b.deviceRoot, b.proof(shared)),
    )
      .to.emit(f.registry, "DuplicateDeviceChallenged")
      .withArgs(shared, 1, 2, f.admin.address);
    // Every other device of lot A verifies against its own root and not against B's.
    for (const id of a.deviceIds.filter((x) => x !== shared)) {
      await expect(f.registry.challengeDuplicateDevice(id, a.deviceRoot, a.proof(id), b.deviceRoot, a.proof(id)))
        .to.be.revertedWithCustomError(f.registry, "ITECInvalidDeviceProof")
        .withArgs(id, b.deviceRoot);
    }
  });
});
