/**
 * The bounded eth_getLogs search (sdk/src/logs.ts) without a chain: paging a range, halving a refused one, one call
 * over a whole range for a selective filter until a node refuses it, and locating a sequentially numbered event in
 * few calls. test/chain/logs.test.ts runs it through a node that caps
 * eth_getLogs ranges like Besu.
 */
import { expect } from "chai";

import { LogRanges } from "../../sdk/src/logs.ts";

describe("LogRanges", function () {
  /** Events 1…n at the given blocks (minus `without`); a probe returns those in a range and counts the calls. */
  function fakeChain(blocks: number[], without?: bigint) {
    const events = blocks.map((blockNumber, i) => ({ id: BigInt(i + 1), blockNumber })).filter((e) => e.id !== without);
    /** Blocks read more than once. */
    const read = new Set<number>();
    let twice = 0;
    let calls = 0;
    const probe = (from: number, to: number) => {
      calls += 1;
      for (let b = from; b <= to; b++) {
        if (read.has(b)) twice += 1;
        read.add(b);
      }
      return Promise.resolve(events.filter((e) => e.blockNumber >= from && e.blockNumber <= to));
    };
    return { events, probe, twice: () => twice, calls: () => calls };
  }

  it("pages a range in calls of at most maxRange blocks and halves a refused range once", async function () {
    const ranges = new LogRanges({ maxRange: 100 });
    const seen: [number, number][] = [];
    const out = await ranges.all(0, 1000, (from, to) => {
      if (to - from + 1 > 30) return Promise.reject(new Error("Requested range exceeds maximum RPC range limit"));
      seen.push([from, to]);
      return Promise.resolve([from]);
    });
    expect(ranges.span).to.equal(25);
    expect(out[0]).to.equal(0);
    expect(seen.every(([f, t]) => t - f + 1 <= 25)).to.equal(true);
    expect(seen.at(-1)![1]).to.equal(1000);
    // Other errors are not refusals: they go on as they are.
    const failing = new LogRanges({ maxRange: 100 });
    let thrown: unknown;
    await failing.all(0, 10, () => Promise.reject(new Error("socket hang up"))).catch((e: unknown) => (thrown = e));
    expect((thrown as Error).message).to.equal("socket hang up");
    expect(failing.span).to.equal(100);
  });

  it("reads a selective filter's whole range in one call, and pages for good once a node refused it", async function () {
    const calls: [number, number][] = [];
    const uncapped = new LogRanges({ maxRange: 100 });
    const all = (from: number, to: number) => {
      calls.push([from, to]);
      return Promise.resolve([from]);
    };
    expect(await uncapped.whole(0, 1_000_000, all)).to.deep.equal([0]);
    expect(await uncapped.wide(0, 1_000_000, all)).to.deep.equal([0]);
    expect(calls).to.deep.equal([
      [0, 1_000_000],
      [0, 1_000_000],
    ]);
    expect(uncapped.capped).to.equal(false);

    calls.length = 0;
    const capped = new LogRanges({ maxRange: 100 });
    const refusing = (from: number, to: number) => {
      calls.push([from, to]);
      if (to - from + 1 > 100) return Promise.reject(new Error("Requested range exceeds maximum RPC range limit"));
      return Promise.resolve([from]);
    };
    expect(await capped.whole(0, 299, refusing)).to.equal(undefined);
    expect(capped.capped).to.equal(true);
    expect(await capped.wide(0, 299, refusing)).to.deep.equal([0, 100, 200]);
    expect(calls, "refused once, then pages only").to.deep.equal([
      [0, 299],
      [0, 99],
      [100, 199],
      [200, 299],
    ]);
    // Within one page it is a plain call; other errors go on as they are.
    expect(await capped.whole(5, 9, refusing)).to.deep.equal([5]);
    let thrown: unknown;
    await new LogRanges({ maxRange: 10 })
      .whole(0, 100, () => Promise.reject(new Error("socket hang up")))
      .catch((e: unknown) => (thrown = e));
    expect((thrown as Error).message).to.equal("socket hang up");
  });

  it("locates every id on uneven chains in bounded calls, reads no block twice, and reports a missing id", async function () {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const W = 1000;
    for (let round = 0; round < 40; round++) {
      const length = 1 + Math.floor(random() * 300_000);
      const count = 1 + Math.floor(random() * 40);
      const clustered = round % 3 === 0;
      const blocks = Array.from({ length: count }, () =>
        Math.floor((clustered ? random() ** 4 : random()) * length),
      ).sort((a, b) => a - b);
      for (const target of new Set([1, Math.ceil(count / 2), count])) {
        for (const present of [true, false]) {
          const fake = fakeChain(blocks, present ? undefined : BigInt(target));
          const found = await new LogRanges({ maxRange: W, concurrency: 1 + (round % 4) }).locateSequential({
            target: BigInt(target),
            lo: 0,
            hi: length,
            below: { block: -1, id: 0n },
            above: { block: length + 1, id: BigInt(count + 1) },
            probe: fake.probe,
            idOf: (e) => e.id,
          });
          const where = `round ${round}, id ${target} of ${count} on ${length} blocks${present ? "" : " (missing)"}`;
          expect(found?.id, where).to.equal(present ? BigInt(target) : undefined);
          expect(fake.twice(), `${where}: blocks read twice`).to.equal(0);
          if (present) {
            const at = blocks[target - 1]!;
            const linear = Math.min(Math.ceil((at + 1) / W), Math.ceil((length - at + 1) / W));
            expect(fake.calls(), `${where}: calls vs a scan from the nearer end`).to.be.at.most(4 * (linear + 2));
          }
        }
      }
    }
    const fake = fakeChain([10, 5000, 9000]);
    const missing = await new LogRanges({ maxRange: 1000 }).locateSequential({
      target: 2n,
      lo: 6000,
      hi: 20_000,
      probe: fake.probe,
      idOf: (e) => e.id,
    });
    expect(missing).to.equal(undefined);
    expect(fake.calls()).to.be.at.most(5); // id 3 seen at 9000: nothing after it can be id 2
  });
});
