/**
 * `itec challenge duplicate-device|tree-size|index-reuse|claimed-elsewhere|settle` — fraud proofs, which anyone may make, and the
 * registry admin's decision on one. A proof names a device's place in a batch's tree as a JSON file
 * `{ "root", "index", "deviceId", "proof": [...] }` (leaves [index, deviceId], OpenZeppelin StandardMerkleTree);
 * each challenge freezes the batches it names until the admin settles it, leaving the batch at fault suspended.
 */
import { readFileSync } from "node:fs";

import { InvalidArgumentError, type Command } from "commander";

import type { UnsignedTx } from "../../sdk/src/api-client.ts";
import { action, group, parsePositiveInt, transact, withSigner, type SignerOptions } from "./common.ts";

/** A DeviceProof file as the API takes it (uint256 index as a decimal string). */
interface DeviceProofFile {
  root: string;
  index: string;
  deviceId: string;
  proof: string[];
}

const HASH = /^0x[0-9a-fA-F]{64}$/;

/** Reads and checks a DeviceProof JSON file (the API checks it again). */
export function readProof(file: string): DeviceProofFile {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidArgumentError(`${file}: ${code ? `cannot read it (${code})` : "not JSON"}.`);
  }
  const p = value as Record<string, unknown>;
  const index = typeof p.index === "number" ? String(p.index) : p.index;
  if (
    typeof p.root !== "string" ||
    !HASH.test(p.root) ||
    typeof p.deviceId !== "string" ||
    !HASH.test(p.deviceId) ||
    typeof index !== "string" ||
    !/^(0|[1-9][0-9]*)$/.test(index) ||
    !Array.isArray(p.proof) ||
    !p.proof.every((h) => typeof h === "string" && HASH.test(h))
  ) {
    throw new InvalidArgumentError(
      `${file}: expected { "root": 0x…32 bytes, "index": a non-negative integer, "deviceId": 0x…32 bytes, ` +
        `"proof": [0x…32 bytes, …] }.`,
    );
  }
  return { root: p.root, index, deviceId: p.deviceId, proof: p.proof as string[] };
}

export function registerChallenge(program: Command): void {
  const challenge = group(program, "challenge", "fraud proofs against batches (anyone) and their settlement (admin)");

  withSigner(
    challenge
      .command("duplicate-device")
      .description("prove one device id is in two batches' trees: freezes both until the admin settles")
      .argument("<proofA>", "DeviceProof JSON file of the device in the first batch's tree", readProof)
      .argument("<proofB>", "DeviceProof JSON file of the same device in the second batch's tree", readProof),
  ).action(
    action(async (a: DeviceProofFile, b: DeviceProofFile, o: SignerOptions) =>
      transact(o, (s) => s.api.post<UnsignedTx>("/tx/challenges/duplicate-device", { a, b }), {
        action: "duplicate-device",
        deviceId: a.deviceId,
      }),
    ),
  );

  withSigner(
    challenge
      .command("tree-size")
      .description("prove a batch's tree holds a leaf whose index is not below its certificates")
      .argument("<proof>", "DeviceProof JSON file of that leaf", readProof),
  ).action(
    action(async (proof: DeviceProofFile, o: SignerOptions) =>
      transact(o, (s) => s.api.post<UnsignedTx>("/tx/challenges/tree-size", { proof }), {
        action: "tree-size",
        root: proof.root,
        index: proof.index,
      }),
    ),
  );

  withSigner(
    challenge
      .command("index-reuse")
      .description("prove two different leaves of one batch's tree share an index")
      .argument("<proofA>", "DeviceProof JSON file of the first leaf", readProof)
      .argument("<proofB>", "DeviceProof JSON file of the second leaf (same root and index)", readProof),
  ).action(
    action(async (a: DeviceProofFile, b: DeviceProofFile, o: SignerOptions) =>
      transact(o, (s) => s.api.post<UnsignedTx>("/tx/challenges/index-reuse", { a, b }), {
        action: "index-reuse",
        root: a.root,
        index: a.index,
      }),
    ),
  );

  withSigner(
    challenge
      .command("claimed-elsewhere")
      .description("prove a device of a batch is in a registered external device set: freezes the batch")
      .argument("<ours>", "DeviceProof JSON file of the device in the batch's tree", readProof)
      .argument("<setId>", "the external device set's id (itec admin external-set list)", parsePositiveInt)
      .argument("<theirs>", "DeviceProof JSON file of the same device in the set's tree", readProof),
  ).action(
    action(async (ours: DeviceProofFile, setId: string, theirs: DeviceProofFile, o: SignerOptions) =>
      transact(
        o,
        (s) => s.api.post<UnsignedTx>("/tx/challenges/claimed-elsewhere", { ours, setId: Number(setId), theirs }),
        { action: "claimed-elsewhere", deviceId: ours.deviceId, setId },
      ),
    ),
  );

  withSigner(
    challenge
      .command("settle")
      .description("decide a challenge: the batch at fault (or none), why, and the evidence (registry admin)")
      .argument("<challengeId>", "the challenge's id", parsePositiveInt)
      .requiredOption("--faulty <batchId|none>", "the batch found at fault (one the challenge names), or none", (v) =>
        v === "none" ? null : parsePositiveInt(v),
      )
      .requiredOption("--reason <text>", "the decision (recorded on-chain in the event)")
      .option("--evidence <uri>", "where the evidence can be read", "")
      .addHelpText(
        "after",
        "\nThe batches the challenge names are released, except the one at fault, which stays suspended by the " +
          "admin (itec batch reinstate, or itec batch reverse). The same proof can never be made again.",
      ),
  ).action(
    action(
      async (challengeId: string, o: SignerOptions & { faulty: string | null; reason: string; evidence: string }) =>
        transact(
          o,
          (s) =>
            s.api.post<UnsignedTx>(`/admin/challenges/${challengeId}/settle`, {
              faultyBatchId: o.faulty,
              reason: o.reason,
              evidenceURI: o.evidence,
            }),
          { action: "settle", challengeId, faultyBatchId: o.faulty, reason: o.reason, evidenceURI: o.evidence },
        ),
    ),
  );
}
