/**
 * What the registry's contract tests share beyond test/helpers/registry.ts: the contract's enum codes by name, device
 * trees in the v2 leaf form ([index, deviceId], docs/adr/0015) with the `DeviceProof` a challenge takes, and the
 * fixtures most files start from. Not a test file: it declares no suite.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  AbiCoder,
  FunctionFragment,
  concat,
  keccak256,
  toUtf8Bytes,
  type ContractRunner,
  type ContractTransactionResponse,
  type Result,
  type TransactionResponse,
} from "ethers";

import type { AuditorSignature } from "../../sdk/src/attestation.ts";
import type { ITECRegistry } from "../../sdk/src/registry.ts";
import { deployRegistry, issueBatch, type RegistryFixture } from "../helpers/registry.ts";

/**
 * Whether the contracts run instrumented (`hardhat test --coverage`, which Hardhat passes on as HARDHAT_COVERAGE):
 * their bytecode, sizes and gas are then not the deployed ones, so the tests of those skip.
 */
export const UNDER_COVERAGE = process.env.HARDHAT_COVERAGE === "true";

/** `ParticipantStatus`. */
export const P_NONE = 0;
export const P_ACTIVE = 1;
export const P_SUSPENDED = 2;
/** `BatchStatus`. */
export const B_ACTIVE = 0;
export const B_SUSPENDED = 1;
export const B_REVERSED = 2;
/** `ClaimStatus`. */
export const C_VERIFIED = 0;
export const C_REVERSED = 1;
export const C_REPLACED = 2;
/** `ChallengeKind`. */
export const K_DUPLICATE = 0;
export const K_OUT_OF_RANGE = 1;
export const K_INDEX_REUSED = 2;
export const K_CLAIMED_ELSEWHERE = 3;
/** `ChallengeStatus`. */
export const CH_OPEN = 1;
export const CH_SETTLED = 2;

/** Mulberry32: a small seeded PRNG giving floats in [0, 1), so a generated test checks the same cases every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A device id as the calculation derives one: keccak256 of its normalised "manufacturer|SERIAL". */
export const deviceId = (label: string): string => keccak256(toUtf8Bytes(label));

export type DeviceTree = StandardMerkleTree<[bigint, string]>;

/** The device tree over `ids` in the v2 leaf form: leaf k is [k, ids[k]] unless `leaves` says otherwise. */
export function deviceTree(ids: readonly string[], leaves?: readonly [bigint, string][]): DeviceTree {
  return StandardMerkleTree.of(leaves ? [...leaves] : ids.map((id, k): [bigint, string] => [BigInt(k), id]), [
    "uint256",
    "bytes32",
  ]);
}

/** The `DeviceProof` of leaf [index, id] of `tree` (the leaf must be in the tree). */
export function deviceProof(tree: DeviceTree, index: bigint, id: string) {
  for (const [i, [k, d]] of tree.entries()) {
    if (k === index && d === id) return { root: tree.root, index, deviceId: id, proof: tree.getProof(i) };
  }
  throw new Error(`no leaf [${index}, ${id}] in the tree`);
}

/** Signatures sorted by ascending auditor address, as `issue` requires (numeric, not string, order). */
export function byAuditor(signatures: readonly AuditorSignature[]): AuditorSignature[] {
  return [...signatures].sort((x, y) => (BigInt(x.auditor) < BigInt(y.auditor) ? -1 : 1));
}

/**
 * Sends a call whose `string` arguments are raw bytes (ethers encodes a string only from valid UTF-8): `signature` is
 * the function's own (e.g. `renameParticipant(address,string)`), and the arguments are encoded as if each `string`
 * were `bytes` — the ABI encodes the two alike, so the contract receives exactly those bytes.
 */
export async function sendRaw(
  runner: ContractRunner,
  to: string,
  signature: string,
  args: unknown[],
): Promise<TransactionResponse> {
  const selector = FunctionFragment.from(`function ${signature}`).selector;
  const asBytes = FunctionFragment.from(`function ${signature.replaceAll("string", "bytes")}`);
  if (!runner.sendTransaction) throw new Error("the runner cannot send transactions");
  return runner.sendTransaction({
    to,
    data: concat([selector, AbiCoder.defaultAbiCoder().encode(asBytes.inputs, args)]),
  });
}

/** Extracts the JSON document of a `data:application/json;base64,` URI. */
export function metadataJson(uri: string): Record<string, unknown> {
  const prefix = "data:application/json;base64,";
  if (!uri.startsWith(prefix)) throw new Error(`not a base64 JSON data URI: ${uri.slice(0, 40)}`);
  return JSON.parse(Buffer.from(uri.slice(prefix.length), "base64").toString("utf8")) as Record<string, unknown>;
}

/** A struct a view returned, as a plain object of its named members (ethers' `Result.toObject`). */
export function plain(struct: object): Record<string, unknown> {
  return (struct as Result).toObject();
}

/** The `BatchStatusChanged` events of a transaction, as [batchId, status] pairs in log order. */
export async function statusChanges(
  registry: ITECRegistry,
  tx: Promise<ContractTransactionResponse> | ContractTransactionResponse,
): Promise<[bigint, bigint][]> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("no receipt");
  return receipt.logs.flatMap((log) => {
    const parsed = registry.interface.parseLog(log);
    return parsed?.name === "BatchStatusChanged" ? [[parsed.args[0] as bigint, parsed.args[1] as bigint]] : [];
  });
}

/** The fixture registry with one batch of 100 laptop certificates held by the refurbisher. */
export async function withBatch(f: RegistryFixture) {
  const { batchId, attestation } = await issueBatch(f);
  return { ...f, batchId, attestation };
}

/**
 * Five batches with real device trees for the fraud proofs: in 1–3 each tree is well formed, but 1 and 2 share a
 * device (`shared`: index 1 in A, 2 in B) and so do 2 and 3 (`sharedBC`: index 3 in B, 1 in C); 4 has 3 leaves for
 * 2 certificates; 5 holds two leaves of index 1.
 */
export async function challengeBatches(f: RegistryFixture) {
  const shared = deviceId("dell|CN0ABC123");
  const treeA = deviceTree([deviceId("hp|X1"), shared, deviceId("hp|X2")]);
  const sharedBC = deviceId("hp|Y3");
  const treeB = deviceTree([deviceId("hp|Y1"), deviceId("hp|Y2"), shared, sharedBC]);
  const treeC = deviceTree([deviceId("hp|Z1"), sharedBC]);
  const oversized = deviceTree([deviceId("lenovo|O1"), deviceId("lenovo|O2"), deviceId("lenovo|O3")]);
  const reused = deviceTree(
    [],
    [
      [0n, deviceId("acer|R0")],
      [1n, deviceId("acer|R1")],
      [1n, deviceId("acer|R1-bis")],
    ],
  );
  for (const [tree, certificates] of [
    [treeA, 3n],
    [treeB, 4n],
    [treeC, 2n],
    [oversized, 2n],
    [reused, 3n],
  ] as const) {
    await issueBatch(f, { deviceRoot: tree.root, certificates });
  }
  return { ...f, shared, sharedBC, treeA, treeB, treeC, oversized, reused };
}

export { deployRegistry };
