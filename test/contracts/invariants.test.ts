/**
 * Property tests: fast-check drives random sequences of transfers (single, batch, operator), retirements and
 * suspensions against the real contract and, after every step, checks the registry's accounting invariants
 * and that the contract accepted exactly what the model allows.
 */
import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import { deployRegistry, issueBatch, retirementRequest, type RegistryFixture } from "../helpers/registry.ts";

const connection = await network.create();
const { networkHelpers } = connection;

const ACCOUNTS = 4; // refurbisher, corporate, trader, outsider (never admitted)
const BATCHES = 2;

async function invariantFixture() {
  const f = await deployRegistry(connection);
  const batchIds: bigint[] = [];
  for (let i = 0; i < BATCHES; i++) batchIds.push((await issueBatch(f, { certificates: 20n })).batchId);
  // corporate holds some of each batch too, and the trader may act as the refurbisher's operator.
  for (const id of batchIds) {
    await f.registry.connect(f.refurbisher).safeTransferFrom(f.refurbisher.address, f.corporate.address, id, 5n, "0x");
  }
  await f.registry.connect(f.refurbisher).setApprovalForAll(f.trader.address, true);
  return { ...f, batchIds };
}

type Op =
  | { kind: "transfer"; from: number; to: number; batch: number; amount: number; viaOperator: boolean }
  | { kind: "batchTransfer"; from: number; to: number; amounts: [number, number] }
  | { kind: "retire"; holder: number; batch: number; amount: number }
  | { kind: "suspendAccount" | "reinstateAccount"; account: number }
  | { kind: "suspendBatch" | "reinstateBatch"; batch: number };

const account = fc.integer({ min: 0, max: ACCOUNTS - 1 });
const batch = fc.integer({ min: 0, max: BATCHES - 1 });
const amount = fc.integer({ min: 0, max: 12 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("transfer" as const),
    from: account,
    to: account,
    batch,
    amount,
    viaOperator: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("batchTransfer" as const),
    from: account,
    to: account,
    amounts: fc.tuple(amount, amount),
  }),
  fc.record({ kind: fc.constant("retire" as const), holder: account, batch, amount: amount }),
  fc.record({
    kind: fc.constantFrom("suspendAccount" as const, "reinstateAccount" as const),
    account: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({ kind: fc.constantFrom("suspendBatch" as const, "reinstateBatch" as const), batch }),
);

interface Model {
  balance: bigint[][]; // [account][batch]
  active: boolean[]; // per account
  admitted: boolean[];
  batchSuspended: boolean[];
  retired: bigint[];
}

async function readChain(f: RegistryFixture, who: string[], batchIds: bigint[]) {
  const balance = await Promise.all(who.map((a) => Promise.all(batchIds.map((id) => f.registry.balanceOf(a, id)))));
  const totals = await Promise.all(batchIds.map((id) => f.registry.batchTotals(id)));
  return { balance, totals };
}

describe("ITECRegistry invariants (fast-check)", function () {
  it("keeps issued = outstanding + retired, and moves nothing of suspended/unknown accounts or suspended batches", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
        const f = await networkHelpers.loadFixture(invariantFixture);
        const who = [f.refurbisher, f.corporate, f.trader, f.outsider];
        const addr = who.map((s) => s.address);
        const m: Model = {
          balance: [
            [15n, 15n],
            [5n, 5n],
            [0n, 0n],
            [0n, 0n],
          ],
          active: [true, true, true, false],
          admitted: [true, true, true, false],
          batchSuspended: [false, false],
          retired: [0n, 0n],
        };

        for (const o of ops) {
          const before = await readChain(f, addr, f.batchIds);
          let expectOk: boolean;
          let send: () => Promise<unknown>;
          switch (o.kind) {
            case "transfer": {
              // viaOperator: the trader moves the refurbisher's certificates (it is approved for the refurbisher only).
              const operator = o.viaOperator ? 2 : o.from;
              const approved = operator === o.from || (operator === 2 && o.from === 0);
              const a = BigInt(o.amount);
              expectOk =
                approved &&
                m.active[o.from]! &&
                m.active[operator]! &&
                m.active[o.to]! &&
                !m.batchSuspended[o.batch]! &&
                m.balance[o.from]![o.batch]! >= a;
              send = async () =>
                (
                  await f.registry
                    .connect(who[operator])
                    .safeTransferFrom(addr[o.from]!, addr[o.to]!, f.batchIds[o.batch]!, a, "0x")
                ).wait();
              if (expectOk) {
                m.balance[o.from]![o.batch]! -= a;
                m.balance[o.to]![o.batch]! += a;
              }
              break;
            }
            case "batchTransfer": {
              const [a0, a1] = o.amounts.map(BigInt) as [bigint, bigint];
              expectOk =
                m.active[o.from]! &&
                m.active[o.to]! &&
                !m.batchSuspended[0]! &&
                !m.batchSuspended[1]! &&
                m.balance[o.from]![0]! >= a0 &&
                m.balance[o.from]![1]! >= a1;
              send = async () =>
                (
                  await f.registry
                    .connect(who[o.from])
                    .safeBatchTransferFrom(addr[o.from]!, addr[o.to]!, f.batchIds, [a0, a1], "0x")
                ).wait();
              if (expectOk) {
                m.balance[o.from]![0]! -= a0;
                m.balance[o.from]![1]! -= a1;
                m.balance[o.to]![0]! += a0;
                m.balance[o.to]![1]! += a1;
              }
              break;
            }
            case "retire": {
              const a = BigInt(o.amount);
              expectOk =
                a > 0n && m.active[o.holder]! && !m.batchSuspended[o.batch]! && m.balance[o.holder]![o.batch]! >= a;
              send = async () =>
                (
                  await f.registry
                    .connect(who[o.holder])
                    .retire(addr[o.holder]!, retirementRequest(f.batchIds[o.batch]!, { amount: a }))
                ).wait();
              if (expectOk) {
                m.balance[o.holder]![o.batch]! -= a;
                m.retired[o.batch]! += a;
              }
              break;
            }
            case "suspendAccount":
            case "reinstateAccount": {
              const suspend = o.kind === "suspendAccount";
              expectOk = m.admitted[o.account]! && m.active[o.account] === suspend;
              send = async () =>
                (
                  await (suspend
                    ? f.registry.suspendParticipant(addr[o.account]!, "property test")
                    : f.registry.reinstateParticipant(addr[o.account]!, "property test"))
                ).wait();
              if (expectOk) m.active[o.account] = !suspend;
              break;
            }
            case "suspendBatch":
            case "reinstateBatch": {
              const suspend = o.kind === "suspendBatch";
              expectOk = m.batchSuspended[o.batch] !== suspend;
              send = async () =>
                (
                  await (suspend
                    ? f.registry.suspendBatch(f.batchIds[o.batch]!, "property test")
                    : f.registry.reinstateBatch(f.batchIds[o.batch]!, "property test"))
                ).wait();
              if (expectOk) m.batchSuspended[o.batch] = suspend;
              break;
            }
          }
          let ok = true;
          try {
            await send();
          } catch {
            ok = false;
          }
          expect(ok, `${JSON.stringify(o)} accepted=${ok}, model expected ${expectOk}`).to.equal(expectOk);

          const after = await readChain(f, addr, f.batchIds);
          for (let b = 0; b < BATCHES; b++) {
            const [issued, retired, outstanding] = after.totals[b]!;
            const held = after.balance.reduce((s, row) => s + row[b]!, 0n);
            // Accounting: every issued certificate is either held by someone or retired.
            expect(issued).to.equal(outstanding + retired);
            expect(held).to.equal(outstanding);
            expect(retired).to.equal(m.retired[b]);
            // A suspended batch never moves.
            if (m.batchSuspended[b] && o.kind !== "reinstateBatch") {
              for (let i = 0; i < ACCOUNTS; i++) expect(after.balance[i]![b]).to.equal(before.balance[i]![b]);
            }
          }
          for (let i = 0; i < ACCOUNTS; i++) {
            // An unadmitted or suspended account never sees its balance change.
            if (!m.active[i] && o.kind !== "reinstateAccount") {
              expect(after.balance[i]).to.deep.equal(before.balance[i]);
            }
            expect(after.balance[i]).to.deep.equal(m.balance[i]);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
