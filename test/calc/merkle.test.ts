/**
 * The device Merkle tree against @openzeppelin/merkle-tree's StandardMerkleTree with leaf encoding
 * ["uint256", "bytes32"] and values [index, deviceId] (docs/adr/0015).
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";

import { calculateLot, DeviceMerkleTree, keccak256Hex } from "../../core/calc/index.ts";
import { reportDeviceIds } from "../../sdk/src/device-proof.ts";
import { DEFAULT_LEGS, reference, readVectorLot } from "./fixtures.ts";

const ENCODING = ["uint256", "bytes32"];

/** n distinct pseudo-random ids, deterministic (hashed with the WebAssembly Keccak: test/calc/keccak.test.ts). */
function ids(n: number, seed: number): string[] {
  const word = Buffer.alloc(32);
  return Array.from({ length: n }, (_, i) => {
    word.writeUIntBE(seed * 1_000_003 + i, 26, 6);
    return keccak256Hex(word);
  });
}

/** The library's tree over `list` in index order: values [k, list[k]]. */
function libTree(list: readonly string[]) {
  return StandardMerkleTree.of(
    list.map((id, k) => [k, id]),
    ENCODING,
  );
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
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 33, 100, 255, 256, 257, 1000, 4099]) {
      it(`gives StandardMerkleTree's root for ${n} device${n === 1 ? "" : "s"} (leaves [index, id])`, () => {
        const list = ids(n, n);
        expect(build(list).root).to.equal(libTree(list).root);
      });
    }

    it("reads id k from its offset, and gives it index k whatever the layout of the source", () => {
      const list = ids(20, 4);
      // The ids scattered through a larger buffer in reverse, as a lot's eligible devices sit among the others.
      const source = new Uint8Array(64 * list.length);
      const offsets = list.map((id, k) => {
        const at = (list.length - 1 - k) * 64 + 32;
        source.set(Buffer.from(id.slice(2), "hex"), at);
        return at;
      });
      expect(DeviceMerkleTree.build(source, offsets, list.length).root).to.equal(libTree(list).root);
    });

    it("depends on the order of the ids: the index is part of each leaf", () => {
      const list = ids(50, 7);
      const reversed = [...list].reverse();
      expect(build(reversed).root).to.equal(libTree(reversed).root);
      expect(build(reversed).root).to.not.equal(build(list).root);
      // …and differs from the tree of bare ids (leaf encoding ["bytes32"]) that leaves carried before.
      const bare = StandardMerkleTree.of(
        list.map((id) => [id]),
        ["bytes32"],
      );
      expect(build(list).root).to.not.equal(bare.root);
    });

    it("builds the same tree from hex ids (fromIds) as from raw bytes", () => {
      const list = ids(33, 5);
      expect(DeviceMerkleTree.fromIds(list).root).to.equal(build(list).root);
      expect(DeviceMerkleTree.fromIds(list.map((h) => h.toUpperCase().replace("0X", "0x"))).root).to.equal(
        build(list).root,
      );
      expect(() => DeviceMerkleTree.fromIds([list[0]!, "0x12"]))
        .to.throw(/device 1's id is not 0x and 64 hex digits/)
        .with.property("code", "MALFORMED_DEVICE_ID");
    });

    it("writes indices of three bytes: the leaf of index 65,536 and up proves with the library", () => {
      const list = ids(65_538, 3);
      const tree = build(list);
      for (const k of [255, 256, 65_535, 65_536, 65_537]) {
        expect(StandardMerkleTree.verify(tree.root, ENCODING, [k, list[k]!], tree.proof(k, list[k]!)), `${k}`).to.equal(
          true,
        );
      }
    });

    it("orders exactly leaves that share the 29-bit prefix its numeric sort uses", () => {
      // Birthday search for leaves [0, a] and [1, b] that share their first 29 bits (expected after ~30,000 ids):
      // they fit one tree, as indices 0 and 1.
      const leafOf = (k: number, id: string) => {
        const message = Buffer.alloc(64);
        message[31] = k;
        message.set(Buffer.from(id.slice(2), "hex"), 32);
        return keccak256Hex(Buffer.from(keccak256Hex(message).slice(2), "hex"));
      };
      const seen = new Map<number, [number, string]>();
      let pair: [string, string] | undefined;
      for (const id of ids(300_000, 11)) {
        for (const k of [0, 1]) {
          const prefix = Number.parseInt(leafOf(k, id).slice(2, 10), 16) >>> 3;
          const other = seen.get(prefix);
          if (other !== undefined && other[0] !== k && other[1] !== id) {
            pair = k === 1 ? [other[1], id] : [id, other[1]];
            break;
          }
          seen.set(prefix, [k, id]);
        }
        if (pair !== undefined) break;
      }
      expect(pair, "a prefix collision").to.not.equal(undefined);
      const list = [...pair!, ...ids(5, 3)];
      expect(leafOf(0, list[0]!).slice(0, 9)).to.equal(leafOf(1, list[1]!).slice(0, 9)); // 32 bits ⊇ the 29
      const lib = libTree(list);
      const tree = build(list);
      expect(tree.root).to.equal(lib.root);
      expect(tree.proof(0, list[0]!)).to.deep.equal(lib.getProof(0));
      expect(tree.proof(1, list[1]!)).to.deep.equal(lib.getProof(1));
    });

    it("has a zero root when there are no devices", () => {
      expect(DeviceMerkleTree.build(new Uint8Array(), [], 0).root).to.equal(`0x${"00".repeat(32)}`);
      expect(DeviceMerkleTree.fromIds([]).root).to.equal(`0x${"00".repeat(32)}`);
    });
  });

  describe("proof", () => {
    it("gives StandardMerkleTree's proof for every device, and each verifies", () => {
      for (const n of [1, 2, 3, 10, 65]) {
        const list = ids(n, 100 + n);
        const tree = build(list);
        const lib = libTree(list);
        for (const [i, [k, id]] of lib.entries()) {
          expect(k).to.equal(i);
          const proof = tree.proof(k as number, id as string);
          expect(proof).to.deep.equal(lib.getProof(i));
          expect(StandardMerkleTree.verify(tree.root, ENCODING, [k, id], proof)).to.equal(true);
          expect(tree.deviceProof(k as number, id as string)).to.deep.equal({ index: k, deviceId: id, proof });
        }
      }
    });

    it("throws for an id that is not in the batch, or not at that index", () => {
      const list = ids(5, 1);
      const tree = build(list);
      expect(() => tree.proof(0, ids(1, 2)[0]!)).to.throw(/not a device of this batch/);
      expect(() => tree.proof(1, list[0]!)).to.throw(/not a device of this batch: 0x[0-9a-f]{64} at index 1/);
      for (const index of [-1, 5, 1.5, Number.NaN]) expect(() => tree.proof(index, list[0]!)).to.throw(/not a device/);
      expect(() => DeviceMerkleTree.fromIds([]).proof(0, list[0]!)).to.throw(/not a device/);
    });
  });

  describe("BatchResult.deviceProof and proof", () => {
    it("proves every eligible device of a lot, at its index in deviceIds, against its batch's deviceRoot", async () => {
      const devices = await readVectorLot("section9-lot.csv");
      const lot = calculateLot(devices, { asOf: "2026-06-30", defaultTransport: DEFAULT_LEGS }, reference());
      for (const batch of lot.batches) {
        batch.deviceIds.forEach((id, k) => {
          const p = batch.deviceProof(id.toUpperCase().replace("0X", "0x"));
          expect(p).to.deep.include({ index: k, deviceId: id });
          expect(batch.proof(id)).to.deep.equal(p.proof);
          expect(StandardMerkleTree.verify(batch.deviceRoot, ENCODING, [k, id], [...p.proof])).to.equal(true);
        });
        expect(batch.deviceRoot).to.equal(libTree(batch.deviceIds).root);
      }
      expect(() => lot.batches[0]!.deviceProof(ids(1, 9)[0]!)).to.throw(/not a device of this batch/);
    });

    it("gives each batch the root an auditor rebuilds from the report alone (eligible devices in report order)", async () => {
      const devices = await readVectorLot("section9-lot.csv");
      const lot = calculateLot(devices, { asOf: "2026-06-30", defaultTransport: DEFAULT_LEGS }, reference());
      const report = JSON.parse(lot.reportJson) as Parameters<typeof reportDeviceIds>[0];
      for (const batch of lot.batches) {
        const fromReport = reportDeviceIds(report, batch.category);
        expect(fromReport).to.deep.equal(batch.deviceIds);
        expect(DeviceMerkleTree.fromIds(fromReport).root).to.equal(batch.deviceRoot);
      }
      // The laptop batch has 4 eligible devices among 6: an order that skips the excluded ones.
      expect(lot.batches.find((b) => b.category === "laptop")!.deviceIds).to.have.length(4);
    });
  });
});
