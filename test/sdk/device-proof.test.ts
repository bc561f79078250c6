/**
 * Device-inclusion proofs in the SDK (ethers' keccak256) against the two trees they must agree with: OpenZeppelin's
 * StandardMerkleTree (leaf encoding ["uint256", "bytes32"], values [index, deviceId]) and the calculation's own
 * builder (core/calc/merkle.ts); and the worked example of docs/methodology.md §8.2.
 */
import { readFileSync } from "node:fs";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { AbiCoder, keccak256, toBeHex } from "ethers";

import { DeviceMerkleTree, deviceId } from "../../core/calc/index.ts";
import {
  DeviceProofError,
  deviceLeaf,
  deviceProofRoot,
  reportDeviceIds,
  verifyDeviceInclusion,
} from "../../sdk/src/device-proof.ts";
import * as sdk from "../../sdk/src/index.ts";

const ENCODING = ["uint256", "bytes32"];

/** n distinct pseudo-random device ids, deterministic. */
function ids(n: number, seed: number): string[] {
  return Array.from({ length: n }, (_, i) => keccak256(toBeHex(seed * 1_000_003 + i, 32)));
}

function libTree(list: readonly string[]) {
  return StandardMerkleTree.of(
    list.map((id, k) => [k, id]),
    ENCODING,
  );
}

describe("device-inclusion proofs (sdk/src/device-proof.ts)", function () {
  it("are exported from the SDK's entry", function () {
    expect(sdk.deviceLeaf).to.equal(deviceLeaf);
    expect(sdk.verifyDeviceInclusion).to.equal(verifyDeviceInclusion);
    expect(sdk.reportDeviceIds).to.equal(reportDeviceIds);
  });

  describe("deviceLeaf", function () {
    it("is StandardMerkleTree's leaf hash for ['uint256', 'bytes32'] and [index, id]", function () {
      const lib = libTree(ids(3, 2));
      for (const [k, id] of ids(20, 1).entries()) {
        for (const index of [k, 2 ** 24 + k, Number.MAX_SAFE_INTEGER - k]) {
          expect(deviceLeaf(index, id)).to.equal(lib.leafHash([index, id]));
          expect(deviceLeaf(BigInt(index), id)).to.equal(lib.leafHash([index, id]));
        }
      }
      const top = [(1n << 256n) - 1n, ids(1, 3)[0]!] as const;
      expect(deviceLeaf(...top)).to.equal(StandardMerkleTree.of<unknown[]>([[...top]], ENCODING).leafHash([...top]));
    });

    it("differs with the index: one device id at two positions is two leaves", function () {
      const id = ids(1, 4)[0]!;
      expect(deviceLeaf(0, id)).to.not.equal(deviceLeaf(1, id));
    });

    it("refuses an id that is not 32 bytes of hex, and an index that is not a uint256", function () {
      for (const bad of ["0x12", "12".repeat(32), `0x${"zz".repeat(32)}`]) {
        expect(() => deviceLeaf(0, bad), bad)
          .to.throw(DeviceProofError)
          .with.property("code", "MALFORMED_DEVICE_ID");
      }
      for (const bad of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1, -1n, 1n << 256n]) {
        expect(() => deviceLeaf(bad, ids(1, 5)[0]!), String(bad))
          .to.throw(DeviceProofError)
          .with.property("code", "MALFORMED_DEVICE_INDEX");
      }
    });

    it("gives the leaf printed in docs/methodology.md §8.2 for the device of §8.1 at index 0", function () {
      const doc = readFileSync(new URL("../../docs/methodology.md", import.meta.url), "utf8");
      const section = doc.slice(doc.indexOf("### 8.2"), doc.indexOf("### 8.3"));
      const id = deviceId("Dell", "S9-5420-001");
      expect(section).to.include(id);
      const printed = /leaf\(0, [^)]*\) =\s*`(0x[0-9a-f]{64})`/.exec(section);
      expect(printed, "§8.2 prints `leaf(0, …) = 0x…`").to.not.equal(null);
      expect(printed![1]).to.equal(deviceLeaf(0, id));
      const inner = keccak256(AbiCoder.defaultAbiCoder().encode(ENCODING, [0, id]));
      expect(section).to.match(new RegExp(`its \`keccak256\` is\\s+\`${inner}\``));
    });
  });

  describe("verifyDeviceInclusion", function () {
    for (const n of [1, 2, 3, 7, 16, 33, 257]) {
      it(`accepts every device of a ${n}-device batch with the library's and the calculation's proofs`, function () {
        const list = ids(n, n);
        const lib = libTree(list);
        const calc = DeviceMerkleTree.fromIds(list);
        expect(calc.root).to.equal(lib.root);
        for (const [k, id] of list.entries()) {
          const proof = calc.proof(k, id);
          expect(proof).to.deep.equal(lib.getProof(k));
          expect(verifyDeviceInclusion(lib.root, k, id, proof), id).to.equal(true);
          expect(deviceProofRoot(k, id, proof)).to.equal(lib.root);
        }
      });
    }

    it("refuses another device, another index, another root, a changed proof; accepts upper-case hex", function () {
      const list = ids(9, 99);
      const tree = libTree(list);
      const [id, other] = [list[3]!, ids(1, 7)[0]!];
      const proof = tree.getProof(3);
      expect(verifyDeviceInclusion(tree.root, 3, id, proof)).to.equal(true);
      expect(verifyDeviceInclusion(tree.root, 3, other, proof)).to.equal(false);
      for (const index of [0, 2, 4, 9]) expect(verifyDeviceInclusion(tree.root, index, id, proof)).to.equal(false);
      expect(verifyDeviceInclusion(keccak256("0x01"), 3, id, proof)).to.equal(false);
      expect(verifyDeviceInclusion(tree.root, 3, id, proof.slice(1))).to.equal(false);
      expect(verifyDeviceInclusion(tree.root, 3, id, [...proof].reverse())).to.equal(proof.length < 2);
      const upper = (h: string) => `0x${h.slice(2).toUpperCase()}`;
      expect(verifyDeviceInclusion(upper(tree.root), 3n, upper(id), proof.map(upper))).to.equal(true);
      expect(() => verifyDeviceInclusion(tree.root, 3, id, ["0x1234"]))
        .to.throw(DeviceProofError)
        .with.property("code", "MALFORMED_PROOF");
    });

    it("proves a leaf at an index beyond the certificates when a tree holds one (what a fraud proof shows)", function () {
      // A 1-certificate batch whose tree also lists two other devices (finding 3 of issue 13): their leaves carry
      // indices 1 and 2, which the index bound of the chain check and the contract refuse.
      const list = ids(3, 13);
      const tree = libTree(list);
      expect(verifyDeviceInclusion(tree.root, 2, list[2]!, tree.getProof(2))).to.equal(true);
    });

    it("works on device ids as the calculation derives them from manufacturer and serial", function () {
      const list = [deviceId("Dell", "ABC 123"), deviceId("HP Inc.", "5CD1234XYZ"), deviceId("Lenovo", "PF-2X9")];
      const calc = DeviceMerkleTree.fromIds(list);
      for (const [k, id] of list.entries()) {
        expect(verifyDeviceInclusion(calc.root, k, id, calc.proof(k, id))).to.equal(true);
      }
    });
  });

  describe("reportDeviceIds", function () {
    it("lists the eligible devices of the category in report order: the index order", function () {
      const [a, b, c, d] = ids(4, 21) as [string, string, string, string];
      const report = {
        devices: [
          { deviceId: a, category: "laptop" },
          { deviceId: b, category: "server" },
          { deviceId: c, category: "laptop", excluded: "TOO_OLD" },
          { category: "laptop", excluded: "SERIAL_MISSING" },
          { deviceId: d.toUpperCase().replace("0X", "0x"), category: "laptop" },
        ],
      };
      expect(reportDeviceIds(report, "laptop")).to.deep.equal([a, d]);
      expect(reportDeviceIds(report, "server")).to.deep.equal([b]);
      expect(reportDeviceIds(report, "tablet")).to.deep.equal([]);
    });

    it("refuses a report without a device list, or an eligible device without an id", function () {
      expect(() => reportDeviceIds({} as never, "laptop"))
        .to.throw(DeviceProofError)
        .with.property("code", "MALFORMED_REPORT");
      expect(() => reportDeviceIds({ devices: [{ category: "laptop" }] }, "laptop"))
        .to.throw(/device 0 of the report is an eligible laptop without a 32-byte device id/)
        .with.property("code", "MALFORMED_REPORT");
    });
  });
});
