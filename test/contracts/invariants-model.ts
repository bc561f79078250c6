/**
 * The model behind invariants.test.ts: the operations fast-check draws, a plain TypeScript model of the registry's
 * state they act on, and the helpers that predict each operation's outcome in the contract's order of checks. Not a
 * test file: it declares no suite.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { keccak256, toUtf8Bytes } from "ethers";
import fc from "fast-check";

import { issueBatch, type RegistryFixture } from "../helpers/registry.ts";
import type { RegistryChannel } from "./invariants-chain.ts";

/** Actors of the operations: refurbisher, corporate, trader (admitted), outsider (not admitted at first). */
export const ACCOUNTS = 4;
/** Operations name batches by index 0..BATCH_REFS-1 (token id = index + 1); ids not issued yet are used too. */
export const BATCH_REFS = 5;
/** Device ids batches are made of; a batch's device set is a bit mask over them (shared devices make fraud). */
export const DEVICES = Array.from({ length: 4 }, (_, i) => keccak256(toUtf8Bytes(`device-${i}`)));
const INITIAL_MASKS = [0b0011, 0b0110]; // the fixture's two batches share device 1
const INITIAL_CERTIFICATES = 20n;
const TO_CORPORATE = 5n;
export const UNKNOWN_ROOT = keccak256(toUtf8Bytes("no batch has this root"));
export const ACTIVE = 1;
export const SUSPENDED = 2;
export const TRADER_KIND = 4;

const trees = new Map<number, StandardMerkleTree<[number, string]>>();
/**
 * The device Merkle tree of a mask (OpenZeppelin StandardMerkleTree over [index, deviceId], as issuance uses): the
 * devices of the mask in id order, indexed from 0.
 */
export function deviceTree(mask: number): StandardMerkleTree<[number, string]> {
  let tree = trees.get(mask);
  if (!tree) {
    tree = StandardMerkleTree.of(
      DEVICES.filter((_, i) => mask & (1 << i)).map((d, k): [number, string] => [k, d]),
      ["uint256", "bytes32"],
    );
    trees.set(mask, tree);
  }
  return tree;
}

/** The index of device `device` in the tree of `mask` (the number of the mask's devices before it). */
export const leafIndex = (mask: number, device: number) =>
  DEVICES.filter((_, i) => i < device && mask & (1 << i)).length;

/** The fixture registry with two batches of 20 sharing device 1, 5 of each with the corporate, the trader approved. */
export async function invariantSetup(f: RegistryFixture) {
  const reportHashes: string[] = [];
  for (const mask of INITIAL_MASKS) {
    const { batchId, attestation } = await issueBatch(f, {
      certificates: INITIAL_CERTIFICATES,
      deviceRoot: deviceTree(mask).root,
    });
    reportHashes.push(attestation.reportHash);
    await (
      await f.registry
        .connect(f.refurbisher)
        .safeTransferFrom(f.refurbisher.address, f.corporate.address, batchId, TO_CORPORATE, "0x")
    ).wait();
  }
  // The trader starts as the refurbisher's operator; the operations change approvals from there.
  await (await f.registry.connect(f.refurbisher).setApprovalForAll(f.trader.address, true)).wait();
  return { ...f, reportHashes };
}

type Op =
  | { kind: "transfer"; operator: number; from: number; to: number; batch: number; amount: number }
  | {
      kind: "batchTransfer";
      operator: number;
      from: number;
      to: number;
      moves: { batch: number; amount: number }[];
    }
  | { kind: "retire"; operator: number; holder: number; batch: number; amount: number }
  | { kind: "issue"; owner: number; certificates: number; devices: number; signers: number; replayOf: number }
  | { kind: "approve"; owner: number; operator: number; approved: boolean }
  | { kind: "challenge"; device: number; batchA: number; batchB: number }
  | { kind: "settle"; challenge: number; faulty: number }
  | { kind: "admit" | "suspendAccount" | "reinstateAccount"; account: number }
  | { kind: "suspendBatch" | "reinstateBatch"; batch: number };

// The outsider (index 3) is drawn less often: most moves it takes part in are refused.
const account = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: ACCOUNTS - 2 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: ACCOUNTS - 1 }) },
);
// Mostly the two batches that exist from the start; sometimes later ones, which may not be issued yet.
const batchRef = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: INITIAL_MASKS.length - 1 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: BATCH_REFS - 1 }) },
);
const amount = fc.integer({ min: 0, max: 8 });
// Operators are mostly the trader, so approvals granted in a sequence are also used (or revoked) in it.
const operator = fc.oneof({ weight: 3, arbitrary: fc.constant(2) }, { weight: 1, arbitrary: account });
/** Half the time the holder acts itself, else an operator acts for it (approved or not). */
const withOperator = <T extends { from: number } | { holder: number }>(arb: fc.Arbitrary<T>) =>
  fc
    .tuple(arb, fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: operator }))
    .map(([r, operator]) => ({ ...r, operator: operator ?? ("from" in r ? r.from : r.holder) }));
export const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: withOperator(
      fc.record({ kind: fc.constant("transfer" as const), from: account, to: account, batch: batchRef, amount }),
    ),
  },
  {
    weight: 2,
    arbitrary: withOperator(
      fc.record({
        kind: fc.constant("batchTransfer" as const),
        from: account,
        to: account,
        moves: fc.array(fc.record({ batch: batchRef, amount }), { minLength: 1, maxLength: 3 }),
      }),
    ),
  },
  {
    weight: 4,
    arbitrary: withOperator(
      fc.record({ kind: fc.constant("retire" as const), holder: account, batch: batchRef, amount }),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("issue" as const),
      owner: account,
      certificates: fc.integer({ min: 1, max: 30 }),
      devices: fc.integer({ min: 1, max: (1 << DEVICES.length) - 1 }),
      signers: fc.constantFrom(0, 1, 1, 2),
      // Mostly a fresh report; sometimes the report hash of batch `replayOf` again (a replay).
      replayOf: fc.oneof({ weight: 3, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: batchRef }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("approve" as const),
      owner: account,
      operator,
      approved: fc.oneof({ weight: 2, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("challenge" as const),
      // Mostly device 1, the one the fixture's two batches share.
      device: fc.oneof(
        { weight: 2, arbitrary: fc.constant(1) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: DEVICES.length - 1 }) },
      ),
      batchA: batchRef,
      batchB: batchRef,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("settle" as const),
      // Mostly the challenges opened so far; faulty: 0 neither, 1 the earlier batch, 2 the later, 3 one not named.
      challenge: fc.oneof(
        { weight: 3, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }) },
      ),
      faulty: fc.integer({ min: 0, max: 3 }),
    }),
  },
  // Admission succeeds only for the outsider: all four accounts are drawn alike here.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("admit" as const), account: fc.integer({ min: 0, max: 3 }) }) },
  // Reinstating is drawn more often than suspending, so sequences do not just freeze everything.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("suspendAccount" as const), account }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("reinstateAccount" as const), account }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("suspendBatch" as const), batch: batchRef }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("reinstateBatch" as const), batch: batchRef }) },
);

interface BatchModel {
  issued: bigint;
  retired: bigint;
  adminSuspended: boolean;
  openChallenges: number;
  /** A settlement found it at fault: its tree is no evidence against another batch any more. */
  atFault: boolean;
  mask: number;
  reportHash: string;
}

/** Whether a batch is frozen (status Suspended): the admin suspended it or an open challenge names it. */
export const frozen = (b: BatchModel) => b.adminSuspended || b.openChallenges > 0;

export interface Model {
  status: number[]; // per account: 0 none, 1 active, 2 suspended
  approved: boolean[][]; // [owner][operator]
  balance: Map<string, bigint>; // `${account}/${batchIndex}`
  batches: BatchModel[];
  retirements: { holder: number; batch: number; amount: bigint }[];
  /** Challenges by id − 1: the proof's key, the two batches (earlier first) and whether it is open. */
  challenges: { key: string; a: number; b: number; open: boolean }[];
}

export const key = (a: number, b: number) => `${a}/${b}`;
export const bal = (balance: Map<string, bigint>, a: number, b: number) => balance.get(key(a, b)) ?? 0n;

export function initialModel(reportHashes: string[]): Model {
  const balance = new Map<string, bigint>();
  const batches = INITIAL_MASKS.map((mask, b) => {
    balance.set(key(0, b), INITIAL_CERTIFICATES - TO_CORPORATE);
    balance.set(key(1, b), TO_CORPORATE);
    return {
      issued: INITIAL_CERTIFICATES,
      retired: 0n,
      adminSuspended: false,
      openChallenges: 0,
      atFault: false,
      mask,
      reportHash: reportHashes[b]!,
    };
  });
  const approved = Array.from({ length: ACCOUNTS }, () => Array.from({ length: ACCOUNTS }, () => false));
  approved[0]![2] = true;
  return { status: [ACTIVE, ACTIVE, ACTIVE, 0], approved, balance, batches, retirements: [], challenges: [] };
}

/** What the model predicts for one operation: success (and how the model then changes) or this revert. */
export type Revert = { ok: false; error: string; args: unknown[] };
export type Prediction = { ok: true; apply: () => void } | Revert;
export const revert = (error: string, ...args: unknown[]): Revert => ({ ok: false, error, args });
export const success = (apply: () => void): Prediction => ({ ok: true, apply });
/** The first failing check, in the contract's order (`false` = the check passes). */
export const firstRevert = (...checks: (Revert | false | undefined)[]) => checks.find((c): c is Revert => !!c);
export const describeRevert = (r: Revert) => `${r.error}(${r.args.map(String).join(", ")})`;

/** A snapshot of every balance of every signer (admin, issuer and auditors included) for batch ids 1..n. */
export async function readBalances(chain: RegistryChannel, holders: string[], n: number) {
  const accounts: string[] = [];
  const ids: bigint[] = [];
  for (const h of holders) {
    for (let b = 0; b < n; b++) {
      accounts.push(h);
      ids.push(BigInt(b + 1));
    }
  }
  const values = await chain.uints("balanceOfBatch", [accounts, ids], accounts.length);
  return (h: number, b: number) => (b < n ? values[h * n + b]! : 0n);
}
