/**
 * Device-inclusion proofs in the SDK (ethers' keccak256) against the two trees they must agree with: OpenZeppelin's
 * StandardMerkleTree (leaf encoding ["bytes32"]) and the calculation's own builder (core/calc/merkle.ts).
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { keccak256, toBeHex } from "ethers";

import { DeviceMerkleTree, deviceId } from "../../core/calc/index.ts";
import { DeviceProofError, deviceLeaf, deviceProofRoot, verifyDeviceInclusion } from "../../sdk/src/device-proof.ts";

/** n distinct pseudo-random device ids, deterministic. */
function ids(n: number, seed: number): string[] {
  return Array.from({ length: n }, (_, i) => keccak256(toBeHex(seed * 1_000_003 + i, 32)));
}

function calcTree(list: string[]): DeviceMerkleTree {
  const bytes = Buffer.concat(list.map((h) => Buffer.from(h.slice(2), "hex")));
  return DeviceMerkleTree.build(
    bytes,
    list.map((_, k) => k * 32),
    list.length,
  );
}

describe("device-inclusion proofs (sdk/src/device-proof.ts)", function () {
  describe("deviceLeaf", function () {
    it("is StandardMerkleTree's leaf hash for ['bytes32']", function () {
      for (const id of ids(20, 1)) {
        expect(deviceLeaf(id)).to.equal(StandardMerkleTree.of([[id]], ["bytes32"]).leafHash([id]));
      }
    });

    it("refuses an id that is not 32 bytes of hex", function () {
      for (const bad of ["0x12", "12".repeat(32), `0x${"zz".repeat(32)}`]) {
        expect(() => deviceLeaf(bad), bad)
          .to.throw(DeviceProofError)
          .with.property("code", "MALFORMED_DEVICE_ID");
      }
    });
  });

  describe("verifyDeviceInclusion", function () {
    for (const n of [1, 2, 3, 7, 16, 33, 257]) {
      it(`accepts every device of a ${n}-device batch with the library's and the calculation's proofs`, function () {
        const list = ids(n, n);
        const lib = StandardMerkleTree.of(
          list.map((id) => [id]),
          ["bytes32"],
        );
        const calc = calcTree(list);
        expect(calc.root).to.equal(lib.root);
        for (const id of list) {
          const proof = calc.proof(id);
          expect(proof).to.deep.equal(lib.getProof([id]));
          expect(verifyDeviceInclusion(lib.root, id, proof), id).to.equal(true);
          expect(deviceProofRoot(id, proof)).to.equal(lib.root);
        }
      });
    }

    it("refuses another device, another root, a changed proof; accepts upper-case hex", function () {
      const list = ids(9, 99);
      const tree = StandardMerkleTree.of(
        list.map((id) => [id]),
        ["bytes32"],
      );
      const [id, other] = [list[3]!, ids(1, 7)[0]!];
      const proof = tree.getProof([id]);
      expect(verifyDeviceInclusion(tree.root, other, proof)).to.equal(false);
      expect(verifyDeviceInclusion(keccak256("0x01"), id, proof)).to.equal(false);
      expect(verifyDeviceInclusion(tree.root, id, proof.slice(1))).to.equal(false);
      expect(verifyDeviceInclusion(tree.root, id, [...proof].reverse())).to.equal(proof.length < 2);
      const upper = (h: string) => `0x${h.slice(2).toUpperCase()}`;
      expect(verifyDeviceInclusion(upper(tree.root), upper(id), proof.map(upper))).to.equal(true);
      expect(() => verifyDeviceInclusion(tree.root, id, ["0x1234"]))
        .to.throw(DeviceProofError)
        .with.property("code", "MALFORMED_PROOF");
    });

    it("works on device ids as the calculation derives them from manufacturer and serial", function () {
      const list = [deviceId("Dell", "ABC 123"), deviceId("HP Inc.", "5CD1234XYZ"), deviceId("Lenovo", "PF-2X9")];
      const calc = calcTree(list);
      for (const id of list) expect(verifyDeviceInclusion(calc.root, id, calc.proof(id))).to.equal(true);
    });
  });
});
