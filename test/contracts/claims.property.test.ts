/**
 * The claim-conservation property of issue 13 (deliverable 3): total valid claimed certificates never exceed valid
 * issued ones. Seeded random sequences of issue, transfer, retire, reverse, replace, batch suspension, duplicate-device
 * challenges and their settlement run against the real contract; after every step, read fresh from the chain:
 *
 * - Σ amount of claims whose claimStatus is not Reversed ≤ Σ issued of batches that are not reversed;
 * - per batch b: Σ amount of the claims resting on b ≤ b.retired ≤ b.issued (equal on the left while b stands: every
 *   certificate burned from it backs exactly one claim);
 * - per batch that stands: Σ balances = issued − retired = outstanding; per reversed batch: balances read 0 and the
 *   rest is cancelled;
 * - each claim's status agrees with its batch (Reversed iff that batch is) and its replacement count.
 *
 * Operations are drawn mostly valid (amounts within balances, replacements from batches of the claim's category)
 * so that state keeps moving; a revert must be one of the registry's custom errors and changes nothing.
 */
import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import { decodeRegistryError } from "../../core/chain/errors.ts";
import { issueBatch, retirementRequest, type RegistryFixture } from "../helpers/registry.ts";
import {
  B_REVERSED,
  B_SUSPENDED,
  C_REPLACED,
  C_REVERSED,
  C_VERIFIED,
  deployRegistry,
  deviceId,
  deviceProof,
  deviceTree,
  prng,
  type DeviceTree,
} from "./support.ts";

const connection = await network.create();
const { networkHelpers } = connection;

const SEEDS = [0x1d7ec, 0xbadb47c, 0x5eed];
const STEPS = 120;
const CATEGORIES = [1, 6];

async function claimsFixture(): Promise<RegistryFixture> {
  return deployRegistry(connection);
}

interface BatchInfo {
  id: bigint;
  category: number;
  tree: DeviceTree;
  devices: string[];
}

/** One random sequence: returns how many operations of each kind succeeded. */
async function run(seed: number): Promise<Map<string, number>> {
  const f = await networkHelpers.loadFixture(claimsFixture);
  const { registry, admin } = f;
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const holders = [f.refurbisher, f.corporate, f.trader];
  // Everyone who could hold a certificate (the signers never may: they count in the sums anyway).
  const everyone = [...holders, admin, f.issuer, ...f.auditors, f.outsider].map((s) => s.address);
  const batches: BatchInfo[] = [];
  const challenges: { id: bigint; a: bigint; b: bigint; open: boolean }[] = [];
  const succeeded = new Map<string, number>();
  let devices = 0;

  async function balances(): Promise<bigint[][]> {
    if (batches.length === 0) return [];
    const accounts = everyone.flatMap((a) => batches.map(() => a));
    const ids = everyone.flatMap(() => batches.map((b) => b.id));
    const flat = await registry.balanceOfBatch(accounts, ids);
    return everyone.map((_, h) => batches.map((_, b) => flat[h * batches.length + b]!));
  }
  const statusOf = async (id: bigint) => (await registry.batch(id)).status;
  const standing = async (b: BatchInfo) => (await statusOf(b.id)) !== BigInt(B_REVERSED);
  /** Mostly a batch `filter` accepts, else any batch (undefined when there is none). */
  async function batchWhere(filter: (b: BatchInfo) => Promise<boolean>): Promise<BatchInfo | undefined> {
    const matching: BatchInfo[] = [];
    for (const b of batches) if (await filter(b)) matching.push(b);
    return matching.length && rand() < 0.9 ? pick(matching) : batches.length ? pick(batches) : undefined;
  }

  /** A random holder with a balance in a batch that moves (active, not reversed), or undefined. */
  async function holding(filter: (b: BatchInfo) => boolean = () => true) {
    const bal = await balances();
    const options: { h: number; b: BatchInfo; amount: bigint }[] = [];
    for (const [bi, b] of batches.entries()) {
      if (!filter(b) || (await statusOf(b.id)) !== 0n) continue;
      for (let h = 0; h < holders.length; h++) if (bal[h]![bi]! > 0n) options.push({ h, b, amount: bal[h]![bi]! });
    }
    return options.length ? pick(options) : undefined;
  }

  const ops: [number, string, () => Promise<ContractTransactionResponse | undefined>][] = [
    [
      2,
      "issue",
      async () => {
        const category = pick(CATEGORIES);
        const certificates = 5 + Math.floor(rand() * 30);
        // A third of the batches list one device of an earlier batch: material for duplicate-device challenges.
        const ids = Array.from({ length: certificates }, () => deviceId(`device-${seed}-${devices++}`));
        if (batches.length && rand() < 0.33) ids[Math.floor(rand() * certificates)] = pick(pick(batches).devices);
        const tree = deviceTree(ids);
        const owner = pick([f.refurbisher, f.trader]).address;
        const { batchId } = await issueBatch(f, {
          category,
          certificates: BigInt(certificates),
          deviceRoot: tree.root,
          owner,
        });
        batches.push({ id: batchId, category, tree, devices: ids });
        return undefined;
      },
    ],
    [
      4,
      "transfer",
      async () => {
        const from = await holding();
        if (!from) return undefined;
        const to = pick(holders.filter((_, i) => i !== from.h));
        const amount = 1n + BigInt(Math.floor(rand() * Number(from.amount)));
        return registry
          .connect(holders[from.h])
          .safeTransferFrom(holders[from.h]!.address, to.address, from.b.id, amount, "0x");
      },
    ],
    [
      5,
      "retire",
      async () => {
        const from = await holding();
        if (!from) return undefined;
        const amount = 1n + BigInt(Math.floor(rand() * Math.min(Number(from.amount), 12)));
        return registry
          .connect(holders[from.h])
          .retire(holders[from.h]!.address, retirementRequest(from.b.id, { amount }));
      },
    ],
    [
      1,
      "reverse",
      async () => {
        // Mostly a standing batch with retirements, so that claims get reversed.
        const b = await batchWhere(async (x) => (await standing(x)) && (await registry.batch(x.id)).retired > 0n);
        return b && registry.reverseBatch(b.id, "property test: batch found wrong", "");
      },
    ],
    [
      4,
      "replace",
      async () => {
        const count = Number(await registry.retirementCount());
        const reversed: bigint[] = [];
        for (let r = 1; r <= count; r++)
          if ((await registry.claimStatus(r))[0] === BigInt(C_REVERSED)) reversed.push(BigInt(r));
        if (!reversed.length) return undefined;
        const claim = pick(reversed);
        const r = await registry.retirement(claim);
        const category = Number((await registry.batch(r.batchId)).category);
        // Mostly from a batch of the claim's category with enough certificates; sometimes any batch (may revert).
        const from = await holding((b) => rand() < 0.1 || b.category === category);
        if (!from) return undefined;
        return registry.connect(holders[from.h]).replaceRetirement(claim, holders[from.h]!.address, from.b.id);
      },
    ],
    [
      1,
      "suspend",
      async () => {
        const b = await batchWhere(standing);
        return b && registry.suspendBatch(b.id, "property test");
      },
    ],
    [
      2,
      "reinstate",
      async () => {
        const b = await batchWhere(async (x) => (await standing(x)) && (await registry.batchHold(x.id)).adminSuspended);
        return b && registry.reinstateBatch(b.id, "property test");
      },
    ],
    [
      2,
      "challenge",
      async () => {
        const pairs: [BatchInfo, BatchInfo, string][] = [];
        for (const a of batches) {
          for (const b of batches) {
            const shared = a.id < b.id ? a.devices.find((d) => b.devices.includes(d)) : undefined;
            if (shared) pairs.push([a, b, shared]);
          }
        }
        if (!pairs.length) return undefined;
        const [a, b, shared] = pick(pairs);
        const proof = (x: BatchInfo) => deviceProof(x.tree, BigInt(x.devices.indexOf(shared)), shared);
        const tx = await registry.connect(f.outsider).challengeDuplicateDevice(proof(a), proof(b));
        challenges.push({ id: await registry.challengeCount(), a: a.id, b: b.id, open: true });
        return tx;
      },
    ],
    [
      2,
      "settle",
      async () => {
        const open = challenges.filter((c) => c.open);
        if (!open.length) return undefined;
        const c = pick(open);
        const tx = await registry.settleChallenge(c.id, pick([0n, c.a, c.b]), "property test", "");
        c.open = false;
        return tx;
      },
    ],
  ];
  const total = ops.reduce((s, [w]) => s + w, 0);

  // Start from two batches of each category.
  for (let i = 0; i < 4; i++) await ops.find(([, kind]) => kind === "issue")![2]();

  for (let step = 0; step < STEPS; step++) {
    let x = rand() * total;
    const [, kind, op] = ops.find(([w]) => (x -= w) < 0)!;
    const where = `seed ${seed} step ${step} (${kind})`;
    try {
      const tx = await op();
      await tx?.wait();
      if (tx || kind === "issue") succeeded.set(kind, (succeeded.get(kind) ?? 0) + 1);
    } catch (error) {
      const decoded = decodeRegistryError(error);
      if (!decoded || decoded.name === "UnknownRevert") throw error;
    }
    await checkInvariants(f, batches, await balances(), where);
  }
  return succeeded;
}

async function checkInvariants(f: RegistryFixture, batches: BatchInfo[], bal: bigint[][], where: string) {
  const { registry } = f;
  const count = Number(await registry.retirementCount());
  const [records, totals, claims, statuses] = await Promise.all([
    Promise.all(batches.map((b) => registry.batch(b.id))),
    Promise.all(batches.map((b) => registry.batchTotals(b.id))),
    Promise.all(Array.from({ length: count }, (_, i) => registry.retirement(i + 1))),
    Promise.all(Array.from({ length: count }, (_, i) => registry.claimStatus(i + 1))),
  ]);
  const index = new Map(batches.map((b, i) => [b.id, i]));
  const reversed = (id: bigint) => records[index.get(id)!]!.status === BigInt(B_REVERSED);

  // The issue's property: valid claims never exceed valid issuance.
  const validClaimed = claims.reduce((s, r, i) => (statuses[i]![0] !== BigInt(C_REVERSED) ? s + r.amount : s), 0n);
  const validIssued = records.reduce((s, b) => (b.status !== BigInt(B_REVERSED) ? s + b.issued : s), 0n);
  expect(validClaimed, `${where}: valid claimed ≤ valid issued`).to.be.at.most(validIssued);

  for (const [i, b] of records.entries()) {
    const w = `${where}: batch ${batches[i]!.id}`;
    const resting = claims.reduce((s, r) => (r.batchId === batches[i]!.id ? s + r.amount : s), 0n);
    expect(resting, `${w} Σ claims resting on it ≤ retired`).to.be.at.most(b.retired);
    expect(b.retired, `${w} retired ≤ issued`).to.be.at.most(b.issued);
    const held = bal.reduce((s, row) => s + row[i]!, 0n);
    const [issued, retired, outstanding, cancelled] = totals[i]!;
    expect([issued, retired], `${w} totals`).to.deep.equal([b.issued, b.retired]);
    if (b.status === BigInt(B_REVERSED)) {
      expect([held, outstanding, cancelled], `${w} reversed: nothing held, the rest cancelled`).to.deep.equal([
        0n,
        0n,
        b.issued - b.retired,
      ]);
    } else {
      expect(resting, `${w} Σ claims resting on a standing batch = retired`).to.equal(b.retired);
      expect([held, outstanding, cancelled], `${w} Σ balances = issued − retired`).to.deep.equal([
        b.issued - b.retired,
        b.issued - b.retired,
        0n,
      ]);
    }
    expect([0n, BigInt(B_SUSPENDED), BigInt(B_REVERSED)], `${w} status`).to.include(b.status);
  }
  for (const [i, r] of claims.entries()) {
    const [status, batchId] = statuses[i]!;
    const expected = reversed(r.batchId) ? C_REVERSED : r.replacements === 0n ? C_VERIFIED : C_REPLACED;
    expect([status, batchId], `${where}: claim ${i + 1} status`).to.deep.equal([BigInt(expected), r.batchId]);
  }
}

describe("ITECRegistry claim conservation (seeded random sequences)", function () {
  it("never lets valid claims exceed valid issuance, and keeps every batch's books, through every step", async function () {
    const succeeded = new Map<string, number>();
    for (const seed of SEEDS) {
      for (const [kind, n] of await run(seed)) succeeded.set(kind, (succeeded.get(kind) ?? 0) + n);
    }
    // Every kind of operation took effect several times: the property was not checked on a frozen registry.
    for (const kind of [
      "issue",
      "transfer",
      "retire",
      "reverse",
      "replace",
      "suspend",
      "reinstate",
      "challenge",
      "settle",
    ]) {
      expect(succeeded.get(kind) ?? 0, `successful ${kind} operations`).to.be.at.least(3);
    }
  });
});
