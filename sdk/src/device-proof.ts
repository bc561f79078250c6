/**
 * Device-inclusion proofs: is a device one of a batch's devices? Each batch commits on-chain (BatchIssued's
 * `deviceRoot`) to the Merkle root over its device ids, in OpenZeppelin's StandardMerkleTree layout with leaf
 * encoding `["bytes32"]` — what the calculation builds (core/calc/merkle.ts) and what the contract's
 * `challengeDuplicateDevice` verifies with `MerkleProof`:
 *
 *   leaf = keccak256(keccak256(abi.encode(bytes32 deviceId)))      node = keccak256(sorted(left, right))
 *
 * A proof is the sibling hashes from the leaf up (`StandardMerkleTree.getProof`). A device id is
 * `keccak256(utf8(lower(manufacturer) + "|" + upper(serial)))` after the normalisation of docs/methodology.md §8.1.
 */
import { AbiCoder, concat, keccak256 } from "ethers";

import { CodedError } from "./errors.ts";

const HASH = /^0x[0-9a-fA-F]{64}$/;

/** A device id or proof element that is not 32 bytes of hex. */
export class DeviceProofError extends CodedError<"MALFORMED_DEVICE_ID" | "MALFORMED_PROOF"> {}

/** The tree's leaf for `deviceId` (`0x` + 64 hex): `keccak256(keccak256(abi.encode(deviceId)))`. */
export function deviceLeaf(deviceId: string): string {
  if (!HASH.test(deviceId)) {
    throw new DeviceProofError("MALFORMED_DEVICE_ID", `a device id is 0x and 64 hex digits, got "${deviceId}"`);
  }
  return keccak256(keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32"], [deviceId])));
}

/** The root that `proof` leads to from `deviceId`'s leaf (lower-case hex); a valid proof leads to the batch's root. */
export function deviceProofRoot(deviceId: string, proof: readonly string[]): string {
  let node = deviceLeaf(deviceId);
  for (const [i, sibling] of proof.entries()) {
    if (!HASH.test(sibling)) {
      throw new DeviceProofError("MALFORMED_PROOF", `proof element ${i} is not 0x and 64 hex digits: "${sibling}"`);
    }
    const s = sibling.toLowerCase();
    node = keccak256(node < s ? concat([node, s]) : concat([s, node]));
  }
  return node;
}

/** Whether `proof` shows `deviceId` to be a leaf of the device tree with root `root`. */
export function verifyDeviceInclusion(root: string, deviceId: string, proof: readonly string[]): boolean {
  return deviceProofRoot(deviceId, proof) === root.toLowerCase();
}
