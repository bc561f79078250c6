/**
 * Device-inclusion proofs: is a device one of a batch's devices, and where? Each batch commits on-chain
 * (BatchIssued's `deviceRoot`) to the Merkle root over its devices, in OpenZeppelin's StandardMerkleTree layout with
 * leaf encoding `["uint256", "bytes32"]` and values `[index, deviceId]` — what the calculation builds
 * (core/calc/merkle.ts) and what the contract's fraud proofs verify with `MerkleProof`:
 *
 *   leaf = keccak256(keccak256(abi.encode(uint256 index, bytes32 deviceId)))     node = keccak256(sorted(left, right))
 *
 * `index` is the device's 0-based position among the batch's eligible devices in the order its calculation report
 * lists them (`reportDeviceIds`), 0 … certificates − 1. A leaf with an index at or above the batch's certificates, two
 * leaves with one index, or one device id in two batches each prove a tree wrong (docs/adr/0015). A proof is the
 * sibling hashes from the leaf up (`StandardMerkleTree.getProof(index)`). A device id is
 * `keccak256(utf8(lower(manufacturer) + "|" + upper(serial)))` after the normalisation of docs/methodology.md §8.1.
 */
import { AbiCoder, concat, keccak256 } from "ethers";

import { CodedError } from "./errors.ts";

const HASH = /^0x[0-9a-fA-F]{64}$/;
const UINT256_LIMIT = 1n << 256n;

/** A device id, index, proof element or report that is not what a device proof needs. */
export class DeviceProofError extends CodedError<
  "MALFORMED_DEVICE_ID" | "MALFORMED_DEVICE_INDEX" | "MALFORMED_PROOF" | "MALFORMED_REPORT"
> {}

/** One device's proof: its leaf `[index, deviceId]` and the sibling hashes from that leaf up to the device root. */
export interface DeviceProof {
  /** 0-based position among the batch's eligible devices in report order (`reportDeviceIds`). */
  readonly index: number;
  /** `0x` + 64 lower-case hex. */
  readonly deviceId: string;
  readonly proof: readonly string[];
}

/** The index as a bigint, refused unless it is an integer in uint256's range. */
function indexOf(index: number | bigint): bigint {
  const ok =
    typeof index === "bigint" ? index >= 0n && index < UINT256_LIMIT : Number.isSafeInteger(index) && index >= 0;
  if (!ok) {
    throw new DeviceProofError(
      "MALFORMED_DEVICE_INDEX",
      `a device index is an integer from 0 (its position in the batch), got ${String(index)}`,
    );
  }
  return BigInt(index);
}

/**
 * The tree's leaf for the device of index `index` with id `deviceId` (`0x` + 64 hex):
 * `keccak256(keccak256(abi.encode(uint256 index, bytes32 deviceId)))`, StandardMerkleTree's `leafHash([index, id])`.
 */
export function deviceLeaf(index: number | bigint, deviceId: string): string {
  const i = indexOf(index);
  if (!HASH.test(deviceId)) {
    throw new DeviceProofError("MALFORMED_DEVICE_ID", `a device id is 0x and 64 hex digits, got "${deviceId}"`);
  }
  return keccak256(keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "bytes32"], [i, deviceId])));
}

/** The root that `proof` leads to from leaf `[index, deviceId]` (lower-case hex); a valid proof reaches the batch's. */
export function deviceProofRoot(index: number | bigint, deviceId: string, proof: readonly string[]): string {
  let node = deviceLeaf(index, deviceId);
  for (const [i, sibling] of proof.entries()) {
    if (!HASH.test(sibling)) {
      throw new DeviceProofError("MALFORMED_PROOF", `proof element ${i} is not 0x and 64 hex digits: "${sibling}"`);
    }
    const s = sibling.toLowerCase();
    node = keccak256(node < s ? concat([node, s]) : concat([s, node]));
  }
  return node;
}

/**
 * Whether `proof` shows leaf `[index, deviceId]` in the device tree with root `root`. It says nothing of whether the
 * index is below the batch's certificates: `deviceInclusionCheck` (checks.ts) checks that against the chain.
 */
export function verifyDeviceInclusion(
  root: string,
  index: number | bigint,
  deviceId: string,
  proof: readonly string[],
): boolean {
  return deviceProofRoot(index, deviceId, proof) === root.toLowerCase();
}

/** What `reportDeviceIds` reads of a calculation report (docs/methodology.md §8.3). */
export interface ReportDevices {
  readonly devices: readonly { readonly deviceId?: string; readonly category: string; readonly excluded?: string }[];
}

/**
 * A batch's device ids in index order, from its calculation report (the batch's evidence): the devices of `category`
 * that are not excluded, in the order the report lists them (lot order). `ids[k]` is the device of index `k`, so
 * `StandardMerkleTree.of(ids.map((id, k) => [k, id]), ["uint256", "bytes32"])` rebuilds the batch's tree and
 * `getProof(k)` proves device `k`.
 * @throws DeviceProofError `MALFORMED_REPORT` when the report has no device list or an eligible device has no id.
 */
export function reportDeviceIds(report: ReportDevices, category: string): string[] {
  const listed: unknown = report.devices; // a parsed report is untrusted JSON, whatever its static type says
  if (!Array.isArray(listed)) throw new DeviceProofError("MALFORMED_REPORT", "the report has no device list");
  const ids: string[] = [];
  for (const [position, d] of report.devices.entries()) {
    if (d.category !== category || d.excluded !== undefined) continue;
    if (typeof d.deviceId !== "string" || !HASH.test(d.deviceId)) {
      throw new DeviceProofError(
        "MALFORMED_REPORT",
        `device ${position} of the report is an eligible ${category} without a 32-byte device id`,
      );
    }
    ids.push(d.deviceId.toLowerCase());
  }
  return ids;
}

/**
 * The root of the device tree over `ids` in index order (`ids[k]` is leaf `[k, ids[k]]`), laid out as
 * StandardMerkleTree lays it out: leaves sorted ascending, `tree[n − 1 − i] = leaf[i]` of the 2n − 1 heap array, each
 * inner node the hash of its two children in ascending order; 32 zero bytes for no device. With ethers' keccak256
 * only, so a browser can rebuild a batch's root; the calculation's builder (core/calc/merkle.ts) gives the same root
 * much faster for very large batches (`test/sdk/attestation-review.test.ts` compares them).
 * @throws DeviceProofError `MALFORMED_DEVICE_ID` when an id is not 32 bytes of hex.
 */
export function deviceTreeRoot(ids: readonly string[]): string {
  if (ids.length === 0) return `0x${"00".repeat(32)}`;
  const leaves = ids.map((id, k) => deviceLeaf(k, id)).sort();
  const n = leaves.length;
  const tree = new Array<string>(2 * n - 1);
  for (let i = 0; i < n; i++) tree[2 * n - 2 - i] = leaves[i]!;
  for (let i = n - 2; i >= 0; i--) {
    const a = tree[2 * i + 1]!;
    const b = tree[2 * i + 2]!;
    tree[i] = keccak256(a < b ? concat([a, b]) : concat([b, a]));
  }
  return tree[0]!;
}
