/**
 * Property tests: fast-check drives random sequences of everything that moves or freezes certificates — issue
 * (fresh, replayed report, reused device root, too few signatures, to an inactive owner), single / batch /
 * operator transfers, retirement by the holder or an approved operator, approvals on and off, admission,
 * participant and batch suspension, and the duplicate-device fraud proof with its settlement (an open challenge
 * freezes both batches; a settled one never again) — against the real contract and a plain TypeScript model of it.
 * Every step must either succeed on both, or revert on-chain with exactly the custom error (and arguments) the model
 * predicts (invariants-model.ts); after every step the chain's balances, totals, statuses and retirement records must
 * equal the model's, every certificate outstanding must be held by someone, and nothing of an inactive account or a
 * suspended batch may have moved. Reversal and replacement are exercised by claims.property.test.ts. Transactions
 * and reads go out as raw JSON-RPC (invariants-chain.ts); the soak's runs are split over two processes
 * (test/soak/invariants-shards.ts). ITEC_FC_SEED, ITEC_FC_RUNS and ITEC_FC_PROCESSES override seed, runs and processes.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import type { LogDescription } from "ethers";
import fc from "fast-check";
import { network } from "hardhat";

import { decodeRegistryError } from "../../core/chain/errors.ts";
import { reportFigures } from "../soak/figures.ts";
import { count, runShards, SHARD_LINE } from "../soak/invariants-shards.ts";
import { SCALE } from "../soak/scale.ts";
import { deployRegistry, makeAttestation, retirementRequest, signAttestation } from "../helpers/registry.ts";
import {
  ACCOUNTS,
  ACTIVE,
  bal,
  BATCH_REFS,
  describeRevert,
  DEVICES,
  deviceTree,
  firstRevert,
  frozen,
  initialModel,
  invariantSetup,
  key,
  leafIndex,
  op,
  readBalances,
  revert,
  success,
  SUSPENDED,
  TRADER_KIND,
  UNKNOWN_ROOT,
  type Revert,
  type Prediction,
} from "./invariants-model.ts";
import { registryChannel } from "./invariants-chain.ts";

const connection = await network.create();
const { networkHelpers } = connection;

/**
 * `expect(actual, what()).to.equal(expected)`, asked of chai only when the two differ: the sweep after every step
 * compares hundreds of balances, and a chai assertion with its message costs more than the chain read (issue 18).
 */
function same(actual: bigint, expected: bigint, what: () => string): void {
  if (actual !== expected) expect(actual, what()).to.equal(expected);
}

async function invariantFixture() {
  return invariantSetup(await deployRegistry(connection));
}

/** The property, `runs` times from `seed`, in this process: how often each kind of operation succeeded. */
async function checkInvariants(runs: number, seed: number): Promise<Record<string, number>> {
  // How often each kind of operation succeeded over all runs: the sequences must reach every path, not only reverts.
  const succeeded = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30, size: "max" }), async (ops) => {
      const f = await networkHelpers.loadFixture(invariantFixture);
      const chain = registryChannel(connection.provider, f.address);
      const view = chain.view;
      const who = [f.refurbisher, f.corporate, f.trader, f.outsider];
      const addr = who.map((s) => s.address);
      // Everyone who could ever hold a certificate: the four actors, and the signers that never may.
      const holders = [...addr, f.admin.address, f.issuer.address, ...f.auditors.map((a) => a.address)];
      const m = initialModel(f.reportHashes);
      const id = (b: number) => BigInt(b + 1);
      const exists = (b: number) => b >= 0 && b < m.batches.length;
      const sweep = () => Math.max(m.batches.length, BATCH_REFS);
      let before = await readBalances(chain, holders, sweep());
      let beforeWidth = sweep();

      for (const [step, o] of ops.entries()) {
        const statusBefore = [...m.status];
        const suspendedBefore = m.batches.map(frozen);
        let predicted: Prediction;
        let send: () => Promise<LogDescription[]>;
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
              chain.send(addr[o.operator]!, "safeTransferFrom", [addr[o.from], addr[o.to], id(o.batch), a, "0x"]);
            break;
          }
          case "batchTransfer": {
            // Moves apply in order (an id may repeat); any failure reverts the whole call.
            const next = new Map(m.balance);
            let failure: Revert | undefined = firstRevert(approval(o.operator, o.from, "ERC1155MissingApprovalForAll"));
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
              chain.send(addr[o.operator]!, "safeBatchTransferFrom", [
                addr[o.from],
                addr[o.to],
                o.moves.map((mv) => id(mv.batch)),
                o.moves.map((mv) => BigInt(mv.amount)),
                "0x",
              ]);
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
              chain.send(addr[o.operator]!, "retire", [addr[o.holder], retirementRequest(id(o.batch), { amount: a })]);
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
                  atFault: false,
                  openChallenges: 0,
                  mask: o.devices,
                  reportHash: attestation.reportHash,
                });
              });
            send = async () =>
              chain.send(f.issuer.address, "issue", [
                attestation,
                await signAttestation(f, attestation, f.auditors.slice(0, o.signers)),
              ]);
            break;
          }
          case "approve": {
            predicted = success(() => (m.approved[o.owner]![o.operator] = o.approved));
            send = () => chain.send(addr[o.owner]!, "setApprovalForAll", [addr[o.operator], o.approved]);
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
                m.batches[earlier]?.atFault === true && revert("ITECBatchAtFault", id(earlier)),
                m.batches[later]?.atFault === true && revert("ITECBatchAtFault", id(later)),
              ) ??
              success(() => {
                m.challenges.push({ key, a: earlier, b: later, open: true });
                m.batches[earlier]!.openChallenges += 1;
                m.batches[later]!.openChallenges += 1;
              });
            // Anyone may prove fraud: the outsider does.
            send = () => chain.send(f.outsider.address, "challengeDuplicateDevice", [proof(o.batchA), proof(o.batchB)]);
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
                  if (atFault) m.batches[b]!.adminSuspended = m.batches[b]!.atFault = true;
                }
              });
            send = () => chain.send(f.admin.address, "settleChallenge", [o.challenge + 1, faulty, "property test", ""]);
            break;
          }
          case "admit": {
            predicted =
              firstRevert(m.status[o.account] !== 0 && revert("ITECParticipantAlreadyAdmitted", addr[o.account])) ??
              success(() => (m.status[o.account] = ACTIVE));
            send = () =>
              chain.send(f.admin.address, "admitParticipant", [addr[o.account], TRADER_KIND, "Property Trader"]);
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
            const fn = o.kind === "suspendAccount" ? "suspendParticipant" : "reinstateParticipant";
            send = () => chain.send(f.admin.address, fn, [addr[o.account], "property test"]);
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
            const fn = suspend ? "suspendBatch" : "reinstateBatch";
            send = () => chain.send(f.admin.address, fn, [id(o.batch), "property test"]);
            break;
          }
        }

        const where = `step ${step} ${JSON.stringify(o)}`;
        let events: LogDescription[] | undefined;
        try {
          events = await send();
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
        if (events) {
          expect(
            predicted.ok,
            `${where}: succeeded, model expected ${predicted.ok || describeRevert(predicted)}`,
          ).to.equal(true);
          if (predicted.ok) predicted.apply();
          succeeded.set(o.kind, (succeeded.get(o.kind) ?? 0) + 1);
          if (o.kind === "retire") {
            // Retirement ids are sequential from 1 and the stored claim is the one just made.
            const n = BigInt(m.retirements.length);
            expect(events.find((e) => e.name === "CertificatesRetired")?.args.retirementId, where).to.equal(n);
            const r = await view<{ account: string; batchId: bigint; amount: bigint }>("retirement", [n]);
            expect([r.account, r.batchId, r.amount], where).to.deep.equal([
              addr[o.holder],
              id(o.batch),
              BigInt(o.amount),
            ]);
          }
          if (o.kind === "issue") {
            const n = BigInt(m.batches.length);
            expect(events.find((e) => e.name === "BatchIssued")?.args.batchId, where).to.equal(n);
            expect(await view("batchOfDeviceRoot", [deviceTree(o.devices).root]), where).to.equal(n);
          }
          if (o.kind === "approve") {
            expect(await view("isApprovedForAll", [addr[o.owner], addr[o.operator]]), where).to.equal(o.approved);
          }
        }

        // --- Invariants, read fresh from the chain after every step ---
        const width = sweep();
        // One balanceOfBatch over every (holder, batch) and the other reads, all sent at once.
        const [after, batchCount, retirementCount, challengeCount, statuses, totals, records, holds] =
          await Promise.all([
            readBalances(chain, holders, width),
            view<bigint>("batchCount"),
            view<bigint>("retirementCount"),
            view<bigint>("challengeCount"),
            Promise.all(addr.map((a) => view<{ status: bigint }>("participant", [a]))),
            Promise.all(m.batches.map((_, b) => view<[bigint, bigint, bigint, bigint]>("batchTotals", [id(b)]))),
            Promise.all(m.batches.map((_, b) => view<{ status: bigint }>("batch", [id(b)]))),
            Promise.all(m.batches.map((_, b) => view<[boolean, bigint, boolean]>("batchHold", [id(b)]))),
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
            same(
              after(h, b),
              h < ACCOUNTS ? bal(m.balance, h, b) : 0n,
              () => `${where}: balance of account ${h} in batch ${b + 1}`,
            );
            // An account that was not active (suspended or never admitted) gains and loses nothing.
            if (h < ACCOUNTS && statusBefore[h] !== ACTIVE) {
              same(
                after(h, b),
                b < beforeWidth ? before(h, b) : 0n,
                () => `${where}: inactive account ${h} moved in batch ${b + 1}`,
              );
            }
            // Nothing of a suspended batch moves.
            if (suspendedBefore[b]) {
              same(after(h, b), before(h, b), () => `${where}: suspended batch ${b + 1} moved for account ${h}`);
            }
          }
        }
        for (const [b, mb] of m.batches.entries()) {
          const [issued, retired, outstanding, cancelled] = totals[b]!;
          let held = 0n;
          for (let h = 0; h < holders.length; h++) held += after(h, b);
          const retiredByClaims = m.retirements.filter((r) => r.batch === b).reduce((s, r) => s + r.amount, 0n);
          const w = () => `${where}: batch ${b + 1}`;
          // Every certificate of a batch is held by someone or retired: Σ balances = outstanding = issued − retired.
          same(held, outstanding, () => `${w()} Σ balances vs outstanding`);
          same(held, mb.issued - retiredByClaims, () => `${w()} Σ balances vs model issued − Σ retirements`);
          same(issued, mb.issued, () => `${w()} issued`);
          same(retired, mb.retired, () => `${w()} retired`);
          same(cancelled, 0n, () => `${w()} cancelled`);
          same(retired, retiredByClaims, () => `${w()} retired vs Σ retirements`);
          same(records[b]!.status, frozen(mb) ? 1n : 0n, () => `${w()} status`);
          const [adminSuspended, openChallenges, atFault] = holds[b]!;
          if (
            adminSuspended !== mb.adminSuspended ||
            openChallenges !== BigInt(mb.openChallenges) ||
            atFault !== mb.atFault
          ) {
            expect(holds[b], `${w()} hold`).to.deep.equal([mb.adminSuspended, BigInt(mb.openChallenges), mb.atFault]);
          }
        }
        before = after;
        beforeWidth = width;
      }
    }),
    // A fixed seed by default: the coverage check below (each kind of operation succeeds at least 3 times) is a
    // property of the sequences drawn, and one unlucky draw made CI red (2 settles in 100 runs). Another seed
    // explores other sequences: ITEC_FC_SEED=<n> npx hardhat test mocha test/contracts/invariants.test.ts.
    // Runs: 100 in `npm test`, ≥ 10,000 in the hardening campaign (`npm run soak`, test/soak/scale.ts).
    { numRuns: runs, seed },
  );
  return Object.fromEntries(succeeded);
}

describe("ITECRegistry invariants (fast-check)", function () {
  it("matches a model through random issue/transfer/retire/approve/suspend/challenge/settle sequences", async function () {
    // ~0.15 s a run on this two-core machine: the soak's 10,000 runs take minutes, not the default 2 minutes.
    const shard = process.env.ITEC_FC_SHARD !== undefined;
    if (SCALE.name === "full" || shard) this.timeout(0);
    const seed = count("ITEC_FC_SEED", 20261203);
    const runs = count("ITEC_FC_RUNS", SCALE.invariantRuns);
    // The soak splits its runs over processes with consecutive seeds (test/soak/invariants-shards.ts): one per core.
    const processes = shard ? 1 : count("ITEC_FC_PROCESSES", SCALE.name === "full" ? 2 : 1);
    let succeeded: Record<string, number>;
    if (shard) {
      // A shard reports to the process that started it, which adds the shards up and reports the figures.
      succeeded = await checkInvariants(runs, seed);
      process.stdout.write(`${SHARD_LINE}${JSON.stringify({ seed, runs, succeeded })}\n`);
      return;
    }
    if (processes > 1) {
      const file = path.relative(process.cwd(), fileURLToPath(import.meta.url));
      const sharded = await runShards(file, runs, seed, processes);
      succeeded = sharded.succeeded;
      reportFigures("invariants", { ...sharded, seed });
    } else {
      const started = performance.now();
      succeeded = await checkInvariants(runs, seed);
      reportFigures("invariants", { runs, seed, succeeded, seconds: Math.round((performance.now() - started) / 1000) });
    }
    const kinds = ["transfer", "batchTransfer", "retire", "issue", "approve", "challenge", "settle", "admit"];
    for (const kind of [...kinds, "suspendAccount", "reinstateAccount", "suspendBatch", "reinstateBatch"]) {
      expect(succeeded[kind] ?? 0, `successful ${kind} operations`).to.be.at.least(3);
    }
  });
});
