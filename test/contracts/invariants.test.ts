/**
 * Property tests: fast-check drives random sequences of everything that moves or freezes certificates — issue
 * (fresh, replayed report, reused device root, too few signatures, to an inactive owner), single / batch /
 * operator transfers, retirement by the holder or an approved operator, approvals on and off, admission,
 * participant and batch suspension, and the duplicate-device fraud proof with its settlement (an open challenge
 * freezes both batches; a settled one never again) — against the real contract and a plain TypeScript model of it.
 * Reversal and replacement are exercised by claims.property.test.ts. Every step must either succeed on both, or revert on-chain with exactly the
 * custom error (and arguments) the model predicts; after every step the chain's balances, totals, statuses and
 * retirement records must equal the model's, every certificate outstanding must be held by someone, and nothing
 * of an inactive account or a suspended batch may have moved.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { keccak256, toUtf8Bytes, type ContractTransactionReceipt, type ContractTransactionResponse } from "ethers";
import fc from "fast-check";
import { network } from "hardhat";

import { decodeRegistryError } from "../../core/chain/errors.ts";
import {
  deployRegistry,
  issueBatch,
  makeAttestation,
  retirementRequest,
  signAttestation,
  type RegistryFixture,
} from "../helpers/registry.ts";

const connection = await network.create();
const { networkHelpers } = connection;

/** Actors of the operations: refurbisher, corporate, trader (admitted), outsider (not admitted at first). */
const ACCOUNTS = 4;
/** Operations name batches by index 0..BATCH_REFS-1 (token id = index + 1); ids not issued yet are used too. */
const BATCH_REFS = 5;
/** Device ids batches are made of; a batch's device set is a bit mask over them (shared devices make fraud). */
const DEVICES = Array.from({ length: 4 }, (_, i) => keccak256(toUtf8Bytes(`device-${i}`)));
const INITIAL_MASKS = [0b0011, 0b0110]; // the fixture's two batches share device 1
const INITIAL_CERTIFICATES = 20n;
const TO_CORPORATE = 5n;
const UNKNOWN_ROOT = keccak256(toUtf8Bytes("no batch has this root"));
const ACTIVE = 1;
const SUSPENDED = 2;
const TRADER_KIND = 4;

const trees = new Map<number, StandardMerkleTree<[number, string]>>();
/**
 * The device Merkle tree of a mask (OpenZeppelin StandardMerkleTree over [index, deviceId], as issuance uses): the
 * devices of the mask in id order, indexed from 0.
 */
function deviceTree(mask: number): StandardMerkleTree<[number, string]> {
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
const leafIndex = (mask: number, device: number) => DEVICES.filter((_, i) => i < device && mask & (1 << i)).length;

async function invariantFixture() {
  const f = await deployRegistry(connection);
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
const op: fc.Arbitrary<Op> = fc.oneof(
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
  mask: number;
  reportHash: string;
}

/** Whether a batch is frozen (status Suspended): the admin suspended it or an open challenge names it. */
const frozen = (b: BatchModel) => b.adminSuspended || b.openChallenges > 0;

interface Model {
  status: number[]; // per account: 0 none, 1 active, 2 suspended
  approved: boolean[][]; // [owner][operator]
  balance: Map<string, bigint>; // `${account}/${batchIndex}`
  batches: BatchModel[];
  retirements: { holder: number; batch: number; amount: bigint }[];
  /** Challenges by id − 1: the proof's key, the two batches (earlier first) and whether it is open. */
  challenges: { key: string; a: number; b: number; open: boolean }[];
}

const key = (a: number, b: number) => `${a}/${b}`;
const bal = (balance: Map<string, bigint>, a: number, b: number) => balance.get(key(a, b)) ?? 0n;

function initialModel(reportHashes: string[]): Model {
  const balance = new Map<string, bigint>();
  const batches = INITIAL_MASKS.map((mask, b) => {
    balance.set(key(0, b), INITIAL_CERTIFICATES - TO_CORPORATE);
    balance.set(key(1, b), TO_CORPORATE);
    return {
      issued: INITIAL_CERTIFICATES,
      retired: 0n,
      adminSuspended: false,
      openChallenges: 0,
      mask,
      reportHash: reportHashes[b]!,
    };
  });
  const approved = Array.from({ length: ACCOUNTS }, () => Array.from({ length: ACCOUNTS }, () => false));
  approved[0]![2] = true;
  return { status: [ACTIVE, ACTIVE, ACTIVE, 0], approved, balance, batches, retirements: [], challenges: [] };
}

/** What the model predicts for one operation: success (and how the model then changes) or this revert. */
type Revert = { ok: false; error: string; args: unknown[] };
type Prediction = { ok: true; apply: () => void } | Revert;
const revert = (error: string, ...args: unknown[]): Revert => ({ ok: false, error, args });
const success = (apply: () => void): Prediction => ({ ok: true, apply });
/** The first failing check, in the contract's order (`false` = the check passes). */
const firstRevert = (...checks: (Revert | false | undefined)[]) => checks.find((c): c is Revert => !!c);
const describeRevert = (r: Revert) => `${r.error}(${r.args.map(String).join(", ")})`;

async function wait(tx: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("no receipt");
  return receipt;
}

/** A snapshot of every balance of every signer (admin, issuer and auditors included) for batch ids 1..n. */
async function readBalances(f: RegistryFixture, holders: string[], n: number) {
  const accounts: string[] = [];
  const ids: bigint[] = [];
  for (const h of holders) {
    for (let b = 0; b < n; b++) {
      accounts.push(h);
      ids.push(BigInt(b + 1));
    }
  }
  const values = await f.registry.balanceOfBatch(accounts, ids);
  return (h: number, b: number) => (b < n ? values[h * n + b]! : 0n);
}

describe("ITECRegistry invariants (fast-check)", function () {
  it("matches a model through random issue/transfer/retire/approve/suspend/challenge/settle sequences", async function () {
    // How often each kind of operation succeeded over all runs: the sequences must reach every path, not only reverts.
    const succeeded = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30, size: "max" }), async (ops) => {
        const f = await networkHelpers.loadFixture(invariantFixture);
        const who = [f.refurbisher, f.corporate, f.trader, f.outsider];
        const addr = who.map((s) => s.address);
        // Everyone who could ever hold a certificate: the four actors, and the signers that never may.
        const holders = [...addr, f.admin.address, f.issuer.address, ...f.auditors.map((a) => a.address)];
        const m = initialModel(f.reportHashes);
        const id = (b: number) => BigInt(b + 1);
        const exists = (b: number) => b >= 0 && b < m.batches.length;
        const sweep = () => Math.max(m.batches.length, BATCH_REFS);
        let before = await readBalances(f, holders, sweep());
        let beforeWidth = sweep();

        for (const [step, o] of ops.entries()) {
          const statusBefore = [...m.status];
          const suspendedBefore = m.batches.map(frozen);
          let predicted: Prediction;
          let send: () => Promise<ContractTransactionReceipt>;
          // The contract's hooks for a transfer or retirement of one token id (to = -1: burn): `_checkParties` (sender,
          // its operator, receiver), then `_checkToken` (the batch's status).
          const moveCheck = (operator: number, from: number, to: number, b: number) =>
            firstRevert(
              m.status[from] !== ACTIVE && revert("ITECAccountNotActive", addr[from], m.status[from]),
              operator !== from &&
                m.status[operator] !== ACTIVE &&
                revert("ITECAccountNotActive", addr[operator], m.status[operator]),
              to >= 0 && m.status[to] !== ACTIVE && revert("ITECAccountNotActive", addr[to], m.status[to]),
              exists(b) && frozen(m.batches[b]!) && revert("ITECBatchSuspended", id(b)),
            );
          const approval = (operator: number, owner: number, error: string) =>
            operator !== owner && !m.approved[owner]![operator] && revert(error, addr[operator], addr[owner]);
          switch (o.kind) {
            case "transfer": {
              const a = BigInt(o.amount);
              const have = bal(m.balance, o.from, o.batch);
              predicted =
                firstRevert(
                  approval(o.operator, o.from, "ERC1155MissingApprovalForAll"),
                  moveCheck(o.operator, o.from, o.to, o.batch),
                  have < a && revert("ERC1155InsufficientBalance", addr[o.from], have, a, id(o.batch)),
                ) ??
                success(() => {
                  m.balance.set(key(o.from, o.batch), bal(m.balance, o.from, o.batch) - a);
                  m.balance.set(key(o.to, o.batch), bal(m.balance, o.to, o.batch) + a);
                });
              send = () =>
                wait(
                  f.registry
                    .connect(who[o.operator])
                    .safeTransferFrom(addr[o.from]!, addr[o.to]!, id(o.batch), a, "0x"),
                );
              break;
            }
            case "batchTransfer": {
              // Moves apply in order (an id may repeat); any failure reverts the whole call.
              const next = new Map(m.balance);
              let failure: Revert | undefined = firstRevert(
                approval(o.operator, o.from, "ERC1155MissingApprovalForAll"),
              );
              for (const mv of failure ? [] : o.moves) {
                const a = BigInt(mv.amount);
                const have = bal(next, o.from, mv.batch);
                failure = firstRevert(
                  moveCheck(o.operator, o.from, o.to, mv.batch),
                  have < a && revert("ERC1155InsufficientBalance", addr[o.from], have, a, id(mv.batch)),
                );
                if (failure) break;
                next.set(key(o.from, mv.batch), have - a);
                next.set(key(o.to, mv.batch), bal(next, o.to, mv.batch) + a);
              }
              predicted = failure ?? success(() => (m.balance = next));
              send = () =>
                wait(
                  f.registry.connect(who[o.operator]).safeBatchTransferFrom(
                    addr[o.from]!,
                    addr[o.to]!,
                    o.moves.map((mv) => id(mv.batch)),
                    o.moves.map((mv) => BigInt(mv.amount)),
                    "0x",
                  ),
                );
              break;
            }
            case "retire": {
              const a = BigInt(o.amount);
              const have = bal(m.balance, o.holder, o.batch);
              predicted =
                firstRevert(
                  approval(o.operator, o.holder, "ITECNotHolderOrOperator"),
                  a === 0n && revert("ITECInvalidRetirement", "amount"),
                  !exists(o.batch) && revert("ITECUnknownBatch", id(o.batch)),
                  moveCheck(o.operator, o.holder, -1, o.batch),
                  have < a && revert("ERC1155InsufficientBalance", addr[o.holder], have, a, id(o.batch)),
                ) ??
                success(() => {
                  m.balance.set(key(o.holder, o.batch), have - a);
                  m.batches[o.batch]!.retired += a;
                  m.retirements.push({ holder: o.holder, batch: o.batch, amount: a });
                });
              send = () =>
                wait(
                  f.registry
                    .connect(who[o.operator])
                    .retire(addr[o.holder]!, retirementRequest(id(o.batch), { amount: a })),
                );
              break;
            }
            case "issue": {
              const replayed = exists(o.replayOf) ? m.batches[o.replayOf]!.reportHash : undefined;
              const attestation = makeAttestation(f, {
                owner: addr[o.owner]!,
                certificates: BigInt(o.certificates),
                deviceRoot: deviceTree(o.devices).root,
                ...(replayed ? { reportHash: replayed } : {}),
              });
              const rootUsedBy = m.batches.findIndex((b) => b.mask === o.devices);
              // Checked in this order: report replay, device root reuse, signatures, then the mint's receiver.
              predicted =
                firstRevert(
                  replayed !== undefined && revert("ITECReportAlreadyIssued", replayed, 1, id(o.replayOf)),
                  rootUsedBy >= 0 && revert("ITECDeviceRootAlreadyUsed", deviceTree(o.devices).root, id(rootUsedBy)),
                  o.signers < 1 && revert("ITECInsufficientSignatures", o.signers, 1),
                  m.status[o.owner] !== ACTIVE && revert("ITECAccountNotActive", addr[o.owner], m.status[o.owner]),
                ) ??
                success(() => {
                  m.balance.set(key(o.owner, m.batches.length), BigInt(o.certificates));
                  m.batches.push({
                    issued: BigInt(o.certificates),
                    retired: 0n,
                    adminSuspended: false,
                    openChallenges: 0,
                    mask: o.devices,
                    reportHash: attestation.reportHash,
                  });
                });
              send = async () =>
                wait(
                  f.registry
                    .connect(f.issuer)
                    .issue(attestation, await signAttestation(f, attestation, f.auditors.slice(0, o.signers))),
                );
              break;
            }
            case "approve": {
              predicted = success(() => (m.approved[o.owner]![o.operator] = o.approved));
              send = () => wait(f.registry.connect(who[o.owner]).setApprovalForAll(addr[o.operator]!, o.approved));
              break;
            }
            case "challenge": {
              const device = DEVICES[o.device]!;
              const root = (b: number) => (exists(b) ? deviceTree(m.batches[b]!.mask).root : UNKNOWN_ROOT);
              const contains = (b: number) => exists(b) && (m.batches[b]!.mask & (1 << o.device)) !== 0;
              // A proof of the device's leaf where it is one; else a bare leaf at index 0, which cannot verify.
              const proof = (b: number) => {
                if (!contains(b)) return { root: root(b), index: 0n, deviceId: device, proof: [] };
                const k = leafIndex(m.batches[b]!.mask, o.device);
                return {
                  root: root(b),
                  index: BigInt(k),
                  deviceId: device,
                  proof: deviceTree(m.batches[b]!.mask).getProof([k, device]),
                };
              };
              const proven = (b: number) =>
                firstRevert(
                  !exists(b) && revert("ITECUnknownDeviceRoot", UNKNOWN_ROOT),
                  !contains(b) && revert("ITECInvalidDeviceProof", root(b), 0, device),
                );
              const [earlier, later] = [Math.min(o.batchA, o.batchB), Math.max(o.batchA, o.batchB)];
              const key = `${earlier}/${later}/${o.device}`;
              const made = m.challenges.findIndex((c) => c.key === key);
              predicted =
                firstRevert(
                  proven(o.batchA),
                  proven(o.batchB),
                  o.batchA === o.batchB && revert("ITECInvalidChallenge", "same batch"),
                  made >= 0 && revert("ITECAlreadyChallenged", made + 1),
                ) ??
                success(() => {
                  m.challenges.push({ key, a: earlier, b: later, open: true });
                  m.batches[earlier]!.openChallenges += 1;
                  m.batches[later]!.openChallenges += 1;
                });
              // Anyone may prove fraud: the outsider does.
              send = () =>
                wait(f.registry.connect(f.outsider).challengeDuplicateDevice(proof(o.batchA), proof(o.batchB)));
              break;
            }
            case "settle": {
              const c = m.challenges[o.challenge];
              const faulty = c ? [0n, id(c.a), id(c.b), 99n][o.faulty]! : 0n;
              predicted =
                firstRevert(
                  !c?.open && revert("ITECChallengeNotOpen", o.challenge + 1),
                  o.faulty === 3 && revert("ITECInvalidSettlement", o.challenge + 1, faulty),
                ) ??
                success(() => {
                  c!.open = false;
                  for (const [b, atFault] of [
                    [c!.a, o.faulty === 1],
                    [c!.b, o.faulty === 2],
                  ] as const) {
                    m.batches[b]!.openChallenges -= 1;
                    if (atFault) m.batches[b]!.adminSuspended = true;
                  }
                });
              send = () => wait(f.registry.settleChallenge(o.challenge + 1, faulty, "property test", ""));
              break;
            }
            case "admit": {
              predicted =
                firstRevert(m.status[o.account] !== 0 && revert("ITECParticipantAlreadyAdmitted", addr[o.account])) ??
                success(() => (m.status[o.account] = ACTIVE));
              send = () => wait(f.registry.admitParticipant(addr[o.account]!, TRADER_KIND, "Property Trader"));
              break;
            }
            case "suspendAccount":
            case "reinstateAccount": {
              const [from, to] = o.kind === "suspendAccount" ? [ACTIVE, SUSPENDED] : [SUSPENDED, ACTIVE];
              predicted =
                firstRevert(
                  m.status[o.account] !== from &&
                    revert("ITECParticipantStatus", addr[o.account], m.status[o.account], from),
                ) ?? success(() => (m.status[o.account] = to));
              send = () =>
                wait(
                  o.kind === "suspendAccount"
                    ? f.registry.suspendParticipant(addr[o.account]!, "property test")
                    : f.registry.reinstateParticipant(addr[o.account]!, "property test"),
                );
              break;
            }
            case "suspendBatch":
            case "reinstateBatch": {
              const suspend = o.kind === "suspendBatch";
              predicted =
                firstRevert(
                  !exists(o.batch) && revert("ITECUnknownBatch", id(o.batch)),
                  m.batches[o.batch]?.adminSuspended === suspend &&
                    revert(suspend ? "ITECBatchSuspended" : "ITECBatchNotSuspended", id(o.batch)),
                ) ?? success(() => (m.batches[o.batch]!.adminSuspended = suspend));
              send = () =>
                wait(
                  suspend
                    ? f.registry.suspendBatch(id(o.batch), "property test")
                    : f.registry.reinstateBatch(id(o.batch), "property test"),
                );
              break;
            }
          }

          const where = `step ${step} ${JSON.stringify(o)}`;
          let receipt: ContractTransactionReceipt | undefined;
          try {
            receipt = await send();
          } catch (error) {
            const decoded = decodeRegistryError(error);
            if (!decoded) throw error;
            expect(predicted.ok, `${where}: reverted with ${decoded.message}, model expected success`).to.equal(false);
            if (!predicted.ok) {
              expect([decoded.name, ...Object.values(decoded.args)], `${where}: wrong revert`).to.deep.equal([
                predicted.error,
                ...predicted.args.map(String),
              ]);
            }
          }
          if (receipt) {
            expect(
              predicted.ok,
              `${where}: succeeded, model expected ${predicted.ok || describeRevert(predicted)}`,
            ).to.equal(true);
            if (predicted.ok) predicted.apply();
            succeeded.set(o.kind, (succeeded.get(o.kind) ?? 0) + 1);
            const events = receipt.logs.flatMap((log) => {
              const parsed = f.registry.interface.parseLog(log);
              return parsed ? [parsed] : [];
            });
            if (o.kind === "retire") {
              // Retirement ids are sequential from 1 and the stored claim is the one just made.
              const n = BigInt(m.retirements.length);
              expect(events.find((e) => e.name === "CertificatesRetired")?.args.retirementId, where).to.equal(n);
              const r = await f.registry.retirement(n);
              expect([r.account, r.batchId, r.amount], where).to.deep.equal([
                addr[o.holder],
                id(o.batch),
                BigInt(o.amount),
              ]);
            }
            if (o.kind === "issue") {
              const n = BigInt(m.batches.length);
              expect(events.find((e) => e.name === "BatchIssued")?.args.batchId, where).to.equal(n);
              expect(await f.registry.batchOfDeviceRoot(deviceTree(o.devices).root), where).to.equal(n);
            }
            if (o.kind === "approve") {
              expect(await f.registry.isApprovedForAll(addr[o.owner]!, addr[o.operator]!), where).to.equal(o.approved);
            }
          }

          // --- Invariants, read fresh from the chain after every step ---
          const width = sweep();
          const after = await readBalances(f, holders, width);
          const [batchCount, retirementCount, challengeCount, statuses, totals, records, holds] = await Promise.all([
            f.registry.batchCount(),
            f.registry.retirementCount(),
            f.registry.challengeCount(),
            Promise.all(addr.map((a) => f.registry.participant(a))),
            Promise.all(m.batches.map((_, b) => f.registry.batchTotals(id(b)))),
            Promise.all(m.batches.map((_, b) => f.registry.batch(id(b)))),
            Promise.all(m.batches.map((_, b) => f.registry.batchHold(id(b)))),
          ]);
          expect(batchCount, `${where}: batchCount`).to.equal(BigInt(m.batches.length));
          expect(retirementCount, `${where}: retirementCount`).to.equal(BigInt(m.retirements.length));
          expect(challengeCount, `${where}: challengeCount`).to.equal(BigInt(m.challenges.length));
          expect(
            statuses.map((p) => Number(p.status)),
            `${where}: participant statuses`,
          ).to.deep.equal(m.status);
          for (let b = 0; b < width; b++) {
            for (let h = 0; h < holders.length; h++) {
              // Model balance = chain balance for every (account, batch); signers that are not actors hold nothing.
              expect(after(h, b), `${where}: balance of account ${h} in batch ${b + 1}`).to.equal(
                h < ACCOUNTS ? bal(m.balance, h, b) : 0n,
              );
              // An account that was not active (suspended or never admitted) gains and loses nothing.
              if (h < ACCOUNTS && statusBefore[h] !== ACTIVE) {
                expect(after(h, b), `${where}: inactive account ${h} moved in batch ${b + 1}`).to.equal(
                  b < beforeWidth ? before(h, b) : 0n,
                );
              }
              // Nothing of a suspended batch moves.
              if (suspendedBefore[b]) {
                expect(after(h, b), `${where}: suspended batch ${b + 1} moved for account ${h}`).to.equal(before(h, b));
              }
            }
          }
          for (const [b, mb] of m.batches.entries()) {
            const [issued, retired, outstanding, cancelled] = totals[b]!;
            let held = 0n;
            for (let h = 0; h < holders.length; h++) held += after(h, b);
            const retiredByClaims = m.retirements.filter((r) => r.batch === b).reduce((s, r) => s + r.amount, 0n);
            const w = `${where}: batch ${b + 1}`;
            // Every certificate of a batch is held by someone or retired: Σ balances = outstanding = issued − retired.
            expect(held, `${w} Σ balances vs outstanding`).to.equal(outstanding);
            expect(held, `${w} Σ balances vs model issued − Σ retirements`).to.equal(mb.issued - retiredByClaims);
            expect([issued, retired, cancelled], `${w} issued/retired/cancelled`).to.deep.equal([
              mb.issued,
              mb.retired,
              0n,
            ]);
            expect(retired, `${w} retired vs Σ retirements`).to.equal(retiredByClaims);
            expect(records[b]!.status, `${w} status`).to.equal(frozen(mb) ? 1n : 0n);
            expect(holds[b], `${w} hold`).to.deep.equal([mb.adminSuspended, BigInt(mb.openChallenges)]);
          }
          before = after;
          beforeWidth = width;
        }
      }),
      { numRuns: 100 },
    );
    const kinds = ["transfer", "batchTransfer", "retire", "issue", "approve", "challenge", "settle", "admit"];
    for (const kind of [...kinds, "suspendAccount", "reinstateAccount", "suspendBatch", "reinstateBatch"]) {
      expect(succeeded.get(kind) ?? 0, `successful ${kind} operations`).to.be.at.least(3);
    }
  });
});
