/**
 * Fraud proofs anyone may make, built unsigned for the signed-in wallet: a device in two batches' trees, a tree
 * holding a leaf beyond its batch's certificates, and two leaves of one tree with one index. Each opens a
 * challenge that freezes the batches it names until the admin settles it (POST /admin/challenges/{id}/settle).
 * A device's place in a tree is a `DeviceProof`: the tree's root, the leaf's index and device id, and its
 * Merkle proof (leaves are [index, deviceId] as ["uint256","bytes32"], OpenZeppelin StandardMerkleTree).
 */
import { z } from "zod";

import { defineRoute, type RouteSpec } from "../route/define.ts";
import type { AppDeps } from "../deps.ts";
import { hash32, uintString } from "../schemas.ts";
import { txResponse } from "./transactions.ts";

/** The deepest proof taken: a tree of 2^64 leaves is far beyond any batch (certificates are a uint32). */
const MAX_PROOF_LENGTH = 64;

export const deviceProof = z
  .object({
    root: hash32.describe("the batch's device root"),
    index: uintString.describe("the leaf's index in the tree"),
    deviceId: hash32.describe("the leaf's device id"),
    proof: z.array(hash32).max(MAX_PROOF_LENGTH).describe("sibling hashes from the leaf up to the root"),
  })
  .meta({ id: "DeviceProof", description: "A device's place in a batch's device tree, with its Merkle proof" });

export type DeviceProof = z.output<typeof deviceProof>;

/** Example proofs (two batches' trees that both hold device 0x7c2e…). */
const PROOF_A = {
  root: "0x3f1b0a8f2de4a0c6b0a8e2d4c6f8a0b2c4d6e8f0a2b4c6d8e0f2a4b6c8d0e2f4",
  index: "1",
  deviceId: "0x7c2e3f8a1b4d6e9f0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b0d2f4a6c8e0b2d4f",
  proof: ["0x1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809"],
};
const PROOF_B = {
  root: "0x8e2d4c6f8a0b2c4d6e8f0a2b4c6d8e0f2a4b6c8d0e2f43f1b0a8f2de4a0c6b0a",
  index: "0",
  deviceId: PROOF_A.deviceId,
  proof: ["0x92a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081"],
};

/** The proof as the contract's `DeviceProof` tuple. */
const proofArg = (p: DeviceProof) => ({ root: p.root, index: p.index, deviceId: p.deviceId, proof: p.proof });

export function challengeRoutes(deps: AppDeps): RouteSpec[] {
  const tx = deps.txs;
  return [
    defineRoute({
      method: "post",
      path: "/tx/challenges/duplicate-device",
      operationId: "buildDuplicateDeviceChallenge",
      summary: "Unsigned challengeDuplicateDevice: one device id in two batches' trees (freezes both until settled)",
      tags: ["transactions", "challenges"],
      auth: "session",
      limit: "write",
      body: z.object({ a: deviceProof, b: deviceProof }),
      example: { body: { a: PROOF_A, b: PROOF_B } },
      responses: txResponse,
      problems: ["WOULD_REVERT"],
      handler: async ({ body, session }) => ({
        body: await tx.build(
          session!.address,
          "challengeDuplicateDevice",
          [proofArg(body.a), proofArg(body.b)],
          `challenge: device ${body.a.deviceId} is in the trees ${body.a.root} and ${body.b.root}`,
        ),
      }),
    }),
    defineRoute({
      method: "post",
      path: "/tx/challenges/tree-size",
      operationId: "buildTreeSizeChallenge",
      summary: "Unsigned challengeTreeSize: a leaf whose index is not below its batch's certificates",
      tags: ["transactions", "challenges"],
      auth: "session",
      limit: "write",
      body: z.object({ proof: deviceProof }),
      example: { body: { proof: { ...PROOF_A, index: "100" } } },
      responses: txResponse,
      problems: ["WOULD_REVERT"],
      handler: async ({ body, session }) => ({
        body: await tx.build(
          session!.address,
          "challengeTreeSize",
          [proofArg(body.proof)],
          `challenge: the tree ${body.proof.root} holds a leaf at index ${body.proof.index}`,
        ),
      }),
    }),
    defineRoute({
      method: "post",
      path: "/tx/challenges/index-reuse",
      operationId: "buildIndexReuseChallenge",
      summary: "Unsigned challengeIndexReuse: two different leaves with one index in one tree",
      tags: ["transactions", "challenges"],
      auth: "session",
      limit: "write",
      body: z.object({ a: deviceProof, b: deviceProof }),
      example: {
        body: {
          a: PROOF_A,
          b: {
            ...PROOF_A,
            deviceId: PROOF_B.root,
            proof: ["0x0a2b4c6d8e0f2a4b6c8d0e2f43f1b0a8f2de4a0c6b0a8e2d4c6f8a0b2c4d6e8f"],
          },
        },
      },
      responses: txResponse,
      problems: ["WOULD_REVERT"],
      handler: async ({ body, session }) => ({
        body: await tx.build(
          session!.address,
          "challengeIndexReuse",
          [proofArg(body.a), proofArg(body.b)],
          `challenge: index ${body.a.index} of the tree ${body.a.root} holds two devices`,
        ),
      }),
    }),
    defineRoute({
      method: "post",
      path: "/tx/challenges/claimed-elsewhere",
      operationId: "buildClaimedElsewhereChallenge",
      summary: "Unsigned challengeClaimedElsewhere: a device of a batch is in a registered external device set",
      description:
        "`ours` is the device's place in the batch's tree, `theirs` the same device id's leaf in active external " +
        "set `setId` (GET /external-sets; its list's tree has the same [index, deviceId] leaves). Freezes the batch " +
        "until the admin settles (docs/adr/0056).",
      tags: ["transactions", "challenges"],
      auth: "session",
      limit: "write",
      body: z.object({
        ours: deviceProof,
        setId: z.number().int().min(1).max(0xffffffff).describe("the external device set's id"),
        theirs: deviceProof,
      }),
      example: { body: { ours: PROOF_A, setId: 1, theirs: PROOF_B } },
      responses: txResponse,
      problems: ["WOULD_REVERT"],
      handler: async ({ body, session }) => ({
        body: await tx.build(
          session!.address,
          "challengeClaimedElsewhere",
          [proofArg(body.ours), body.setId, proofArg(body.theirs)],
          `challenge: device ${body.ours.deviceId} of the tree ${body.ours.root} is in external set ${body.setId}`,
        ),
      }),
    }),
  ];
}
