/** The device Merkle tree against @openzeppelin/merkle-tree's StandardMerkleTree (leaf encoding ["bytes32"]). */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { keccak256, toBeHex } from "ethers";

import { calculateLot, DeviceMerkleTree, keccak256Hex } from "../../core/calc/index.ts";
import { DEFAULT_LEGS, reference, readVectorLot } from "./fixtures.ts";

/** n distinct pseudo-random ids, deterministic. */
function ids(n: number, seed: number): string[] {
  return Array.from({ length: n }, (_, i) => keccak256(toBeHex(seed * 1_000_003 + i, 32)));
}

function build(list: string[]): DeviceMerkleTree {
  const bytes = Buffer.concat(list.map((h) => Buffer.from(h.slice(2), "hex")));
  return DeviceMerkleTree.build(
    bytes,
    list.map((_, k) => k * 32),
    list.length,
  );
}

describe("DeviceMerkleTree", () => {
  describe("build", () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 33, 100, 257, 1000, 4099]) {
      it(`gives StandardMerkleTree's root for ${n} device${n === 1 ? "" : "s"}`, () => {
        const list = ids(n, n);
        const lib = StandardMerkleTree.of(
          list.map((id) => [id]),
          ["bytes32"],
        );
        expect(build(list).root).to.equal(lib.root);
      });
    }

    it("does not depend on the order of the ids", () => {
      const list = ids(50, 7);
      expect(build([...list].reverse()).root).to.equal(build(list).root);
    });

    it("orders exactly leaves that share the 29-bit prefix its numeric sort uses", () => {
      // Birthday search for two ids whose leaves share their first 29 bits (expected after ~30,000 ids).
      const seen = new Map<number, string>();
      let pair: [string, string] | undefined;
      for (let i = 0; pair === undefined && i < 300_000; i++) {
        const id = keccak256(toBeHex(i, 32));
        const leaf = keccak256Hex(Buffer.from(keccak256Hex(Buffer.from(id.slice(2), "hex")).slice(2), "hex"));
        const prefix = Number.parseInt(leaf.slice(2, 10), 16) >>> 3;
        const other = seen.get(prefix);
        if (other !== undefined) pair = [other, id];
        else seen.set(prefix, id);
      }
      expect(pair, "a prefix collision").to.not.equal(undefined);
      for (const list of [
        [...pair!, ...ids(5, 3)],
        [pair![1], pair![0], ...ids(5, 3)],
      ]) {
        const lib = StandardMerkleTree.of(
          list.map((id) => [id]),
          ["bytes32"],
        );
        const tree = build(list);
        expect(tree.root).to.equal(lib.root);
        expect(tree.proof(pair![0])).to.deep.equal(lib.getProof([pair![0]]));
      }
    });

    it("has a zero root when there are no devices", () => {
      expect(DeviceMerkleTree.build(new Uint8Array(), [], 0).root).to.equal(`0x${"00".repeat(32)}`);
    });
  });

  describe("proof", () => {
    it("gives StandardMerkleTree's proof for every device, and each verifies", () => {
      for (const n of [1, 2, 3, 10, 65]) {
        const list = ids(n, 100 + n);
        const tree = build(list);
        const lib = StandardMerkleTree.of(
          list.map((id) => [id]),
          ["bytes32"],
        );
        for (const [i, [id]] of lib.entries()) {
          const proof = tree.proof(id as string);
          expect(proof).to.deep.equal(lib.getProof(i));
          expect(StandardMerkleTree.verify(tree.root, ["bytes32"], [id as string], proof)).to.equal(true);
        }
      }
    });

    it("throws for an id that is not in the batch", () => {
      expect(() => build(ids(5, 1)).proof(ids(1, 2)[0]!)).to.throw(/not a device of this batch/);
    });
  });

  describe("BatchResult.proof", () => {
    it("proves every eligible device of a lot against its batch's deviceRoot", async () => {
      const devices = await readVectorLot("section9-lot.csv");
      const lot = calculateLot(devices, { asOf: "2026-06-30", defaultTransport: DEFAULT_LEGS }, reference());
      for (const batch of lot.batches) {
        for (const id of batch.deviceIds) {
          const proof = batch.proof(id);
          expect(StandardMerkleTree.verify(batch.deviceRoot, ["bytes32"], [id], proof)).to.equal(true);
        }
        const lib = StandardMerkleTree.of(
          batch.deviceIds.map((id) => [id]),
          ["bytes32"],
        );
        expect(batch.deviceRoot).to.equal(lib.root);
      }
    });
  });
});
