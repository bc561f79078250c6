/**
 * The device Merkle tree, byte-identical to `@openzeppelin/merkle-tree`'s
 * `StandardMerkleTree.of(ids.map((id, index) => [index, id]), ["uint256", "bytes32"])`: leaf k =
 * keccak256(keccak256(abi.encode(uint256 k, bytes32 id_k))), where k is the device's 0-based position among the
 * batch's eligible devices in report (lot) order, so a tree can be shown to hold more leaves than the batch's
 * certificates (docs/adr/0015). Leaves sorted ascending, laid out in OpenZeppelin's heap array
 * (`tree[len−1−i] = leaf[i]`), inner node = keccak256 of its two children in ascending byte order. Built in one linear
 * memory instead of 2n hex strings, so a 1,000,000-device batch takes ~64 MB rather than gigabytes.
 * `test/calc/merkle.test.ts` proves equality with the library on many sizes. See docs/adr/0012 and 0015.
 */
import { DeviceProofError, type DeviceProof } from "../../sdk/src/device-proof.ts";
import { CalcInputError } from "./errors.ts";
import { KeccakEngine, hexAt } from "./keccak.ts";
import { compareBytes, hexToBytes } from "./utf8.ts";

/** The largest batch the builder accepts (leaf indices are packed into 24 bits while sorting). */
export const MAX_LEAVES = (1 << 24) - 1;

const ZERO_ROOT = `0x${"00".repeat(32)}`;
const MSG = KeccakEngine.SCRATCH; // 64 bytes: a leaf's message abi.encode(uint256 index, bytes32 id)
const TMP = KeccakEngine.SCRATCH + 64; // 64 bytes of scratch
const TREE = KeccakEngine.SCRATCH + 256; // the heap array starts here

/** A batch's device tree: its root and the proof of any of its leaves `[index, deviceId]`. */
export class DeviceMerkleTree {
  /** `0x` root; 32 zero bytes for an empty batch (nothing is issued for it). */
  readonly root: string;
  readonly size: number;
  private readonly engine: KeccakEngine | undefined;

  private constructor(root: string, size: number, engine: KeccakEngine | undefined) {
    this.root = root;
    this.size = size;
    this.engine = engine;
  }

  /**
   * Builds the tree over `count` device ids stored as 32 raw bytes each: the device of index `k` is read from
   * `source[offsets[k] … offsets[k] + 32)`, and its leaf is `[k, id]`. Ids should be distinct (eligible devices always
   * are); the leaves are distinct anyway, since their indices are.
   */
  static build(source: Uint8Array, offsets: ArrayLike<number>, count: number): DeviceMerkleTree {
    if (count === 0) return new DeviceMerkleTree(ZERO_ROOT, 0, undefined);
    if (count > MAX_LEAVES) {
      throw new CalcInputError("LOT_TOO_LARGE", `a batch of ${count} devices exceeds the limit of ${MAX_LEAVES}`);
    }
    const nodes = 2 * count - 1;
    const e = new KeccakEngine(TREE + nodes * 32);
    const leafBase = TREE + (count - 1) * 32; // the leaf region: tree positions count−1 … 2·count−2

    // Leaf hashes, unsorted, straight into the leaf region: the message is the index as a big-endian uint256 (k
    // < 2^24: its top 29 bytes stay zero) and the id; one WebAssembly call hashes it twice.
    let u8 = e.u8;
    u8.fill(0, MSG, MSG + 32);
    for (let k = 0; k < count; k++) {
      u8[MSG + 29] = k >>> 16;
      u8[MSG + 30] = (k >>> 8) & 0xff;
      u8[MSG + 31] = k & 0xff;
      const from = offsets[k]!;
      for (let j = 0; j < 32; j++) u8[MSG + 32 + j] = source[from + j]!;
      e.fn.hashLeaf(KeccakEngine.STATE, MSG, leafBase + k * 32);
    }

    // Sort ascending by bytes: a numeric sort on (top 29 bits of the leaf, index), then exact order within ties.
    u8 = e.u8;
    const keys = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      const at = leafBase + k * 32;
      const top = ((u8[at]! << 24) | (u8[at + 1]! << 16) | (u8[at + 2]! << 8) | u8[at + 3]!) >>> 3;
      keys[k] = top * 16777216 + k;
    }
    keys.sort();
    const order = new Int32Array(count);
    for (let i = 0; i < count; i++) order[i] = keys[i]! % 16777216;
    const leafAt = (k: number): Uint8Array => u8.subarray(leafBase + k * 32, leafBase + k * 32 + 32);
    for (let i = 0; i < count;) {
      let j = i + 1;
      const prefix = Math.floor(keys[i]! / 16777216);
      while (j < count && Math.floor(keys[j]! / 16777216) === prefix) j++;
      if (j - i > 1) {
        const run = Array.from(order.subarray(i, j)).sort((a, b) => compareBytes(leafAt(a), leafAt(b)));
        order.set(run, i);
      }
      i = j;
    }

    // Heap layout: sorted leaf i goes to position nodes−1−i, i.e. slot count−1−i of the leaf region, where unsorted
    // leaf order[i] now is. Permute in place, cycle by cycle, through a 32-byte scratch (no copy of the region).
    const slotOf = new Int32Array(count); // unsorted leaf k → its slot
    for (let i = 0; i < count; i++) slotOf[order[i]!] = count - 1 - i;
    const tmp = TMP + 32;
    for (let start = 0; start < count; start++) {
      if (slotOf[start] === start || slotOf[start]! < 0) continue;
      // Carry the leaf at `start` to its slot, displacing that one, until the cycle closes.
      for (let j = 0; j < 32; j++) u8[tmp + j] = u8[leafBase + start * 32 + j]!;
      let k = start;
      for (;;) {
        const dest = slotOf[k]!;
        slotOf[k] = -1;
        if (dest === start) {
          for (let j = 0; j < 32; j++) u8[leafBase + dest * 32 + j] = u8[tmp + j]!;
          break;
        }
        // swap tmp with the leaf at dest (which is unsorted leaf `dest`)
        for (let j = 0; j < 32; j++) {
          const b = u8[leafBase + dest * 32 + j]!;
          u8[leafBase + dest * 32 + j] = u8[tmp + j]!;
          u8[tmp + j] = b;
        }
        k = dest;
      }
    }
    for (let i = nodes - 1 - count; i >= 0; i--) {
      e.fn.hashPair(KeccakEngine.STATE, TREE + (2 * i + 1) * 32, TREE + (2 * i + 2) * 32, TREE + i * 32);
    }
    return new DeviceMerkleTree(hexAt(e.u8, TREE), count, e);
  }

  /**
   * Builds the tree over device ids given as `0x` + 64 hex, in index order (`ids[k]` has index `k`): what an
   * auditor rebuilds from a report's eligible devices (sdk `reportDeviceIds`).
   * @throws DeviceProofError `MALFORMED_DEVICE_ID` when an id is not 32 bytes of hex.
   */
  static fromIds(ids: readonly string[]): DeviceMerkleTree {
    const bytes = new Uint8Array(ids.length * 32);
    ids.forEach((id, k) => {
      if (!/^0x[0-9a-fA-F]{64}$/.test(id)) {
        throw new DeviceProofError("MALFORMED_DEVICE_ID", `device ${k}'s id is not 0x and 64 hex digits: "${id}"`);
      }
      bytes.set(hexToBytes(id.slice(2)), k * 32);
    });
    return DeviceMerkleTree.build(
      bytes,
      Array.from(ids, (_, k) => k * 32),
      ids.length,
    );
  }

  /**
   * The proof of leaf `[index, deviceId]` (`deviceId` `0x` + 64 hex), as `StandardMerkleTree.getProof(index)` gives
   * it: sibling hashes from the leaf up. Verifies with `StandardMerkleTree.verify(root, ["uint256", "bytes32"],
   * [index, deviceId], proof)`, with the SDK's `verifyDeviceInclusion(root, index, deviceId, proof)` and with
   * OpenZeppelin's `MerkleProof.verify(proof, root, keccak256(bytes.concat(keccak256(abi.encode(index, deviceId)))))`.
   * @throws Error when `[index, deviceId]` is not a leaf of this tree.
   */
  proof(index: number, deviceId: string): string[] {
    const e = this.engine;
    if (
      e === undefined ||
      !Number.isInteger(index) ||
      index < 0 ||
      index >= this.size ||
      !/^0x[0-9a-fA-F]{64}$/.test(deviceId)
    ) {
      throw new Error(`not a device of this batch: ${deviceId} at index ${index}`);
    }
    const u8 = e.u8;
    u8.fill(0, TMP, TMP + 29);
    u8[TMP + 29] = index >>> 16;
    u8[TMP + 30] = (index >>> 8) & 0xff;
    u8[TMP + 31] = index & 0xff;
    u8.set(hexToBytes(deviceId.slice(2)), TMP + 32);
    e.fn.hashLeaf(KeccakEngine.STATE, TMP, TMP);
    const target = u8.subarray(TMP, TMP + 32);
    const nodes = 2 * this.size - 1;
    // Sorted leaf i sits at position nodes−1−i: binary search on i.
    let lo = 0;
    let hi = this.size - 1;
    let position = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = TREE + (nodes - 1 - mid) * 32;
      const c = compareBytes(u8.subarray(at, at + 32), target);
      if (c === 0) {
        position = nodes - 1 - mid;
        break;
      }
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    if (position < 0) throw new Error(`not a device of this batch: ${deviceId} at index ${index}`);
    const proof: string[] = [];
    while (position > 0) {
      const sibling = position % 2 === 1 ? position + 1 : position - 1;
      proof.push(hexAt(u8, TREE + sibling * 32));
      position = (position - 1) >> 1;
    }
    return proof;
  }

  /** The proof of the device of index `index`, with its index and id, ready for the contract or the SDK. */
  deviceProof(index: number, deviceId: string): DeviceProof {
    return { index, deviceId: deviceId.toLowerCase(), proof: this.proof(index, deviceId) };
  }
}
