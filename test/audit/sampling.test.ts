/**
 * The audit sampling plan and draw (core/audit/sampling.ts): the sample sizes against an independent computation
 * and hand-checked cases, the seed against its byte layout, and the draw's properties — n smallest rank keys,
 * independent of the devices' order, a different sample for another seed, every device equally likely.
 */
import { expect } from "chai";
import { concat, keccak256, toBeHex, zeroPadValue } from "ethers";

import {
  drawSample,
  rankKey,
  sampleRecord,
  sampleSeed,
  sampleSize,
  sampleSizeInfinite,
  SamplingError,
  seedBlockNumber,
} from "../../core/audit/sampling.ts";

const id = (i: number) => keccak256(toBeHex(i + 1, 32));
const ids = (n: number) => Array.from({ length: n }, (_, i) => id(i));
const BLOCK = "0x" + "ab".repeat(32);
const REPORT = "0x" + "cd".repeat(32);

/** Float check of the plan: P(no defect in n of N with D = ⌊0.05 N⌋ + 1 defective) ≤ 0.05, smallest such n. */
function floatSize(N: number): number {
  const D = Math.floor(N / 20) + 1;
  if (D > N) return N;
  let p = 1;
  for (let n = 1; n <= N; n++) {
    p *= Math.max(N - D - (n - 1), 0) / (N - (n - 1));
    if (p <= 0.05 + 1e-12) return n;
  }
  return N;
}

describe("audit sampling: the plan", () => {
  it("infinite population: 59 devices for 95 % confidence that at most 5 % lack evidence", () => {
    expect(sampleSizeInfinite()).to.equal(59);
    expect(0.95 ** 59).to.be.at.most(0.05);
    expect(0.95 ** 58).to.be.above(0.05);
  });

  it("a finite batch: the exact hypergeometric n, matching the documented table", () => {
    const table: [number, number][] = [
      [1, 1],
      [10, 10],
      [19, 19],
      [20, 16],
      [50, 31],
      [100, 39],
      [200, 47],
      [500, 54],
      [1000, 56],
      [10_000, 59],
      [1_000_000, 59],
    ];
    for (const [N, n] of table) expect(sampleSize(N), `N = ${N}`).to.equal(n);
    expect(sampleSize(0)).to.equal(0);
  });

  it("N = 20 by hand: two devices without evidence are missed by 16 draws with probability 12/380 ≤ 5 %", () => {
    // C(18, n) / C(20, n) = (20 − n)(19 − n) / 380: n = 15 gives 20/380 > 0.05, n = 16 gives 12/380.
    expect(sampleSize(20)).to.equal(16);
  });

  it("agrees with a floating-point computation for every batch size up to 3,000, never above N or 59", () => {
    for (let N = 1; N <= 3000; N++) {
      const n = sampleSize(N);
      expect(n, `N = ${N}`).to.equal(floatSize(N));
      expect(n).to.be.at.most(Math.min(N, 59));
    }
  });

  it("refuses a malformed plan or size with SAMPLING_INVALID", () => {
    expect(() => sampleSize(-1))
      .to.throw(SamplingError)
      .with.property("code", "SAMPLING_INVALID");
    expect(() => sampleSize(10, { confidence: { num: 1n, den: 1n }, tolerableRate: { num: 5n, den: 100n } })).to.throw(
      SamplingError,
    );
  });
});

describe("audit sampling: the seed and the draw", () => {
  it("seed = keccak256 of the 96 bytes blockHash ‖ reportHash ‖ uint8 category padded to 32 bytes", () => {
    const expected = keccak256(concat([BLOCK, REPORT, zeroPadValue(toBeHex(2), 32)]));
    expect(sampleSeed(BLOCK, REPORT, 2)).to.equal(expected);
    expect(sampleSeed(BLOCK, REPORT, 3)).to.not.equal(expected);
    expect(seedBlockNumber(41)).to.equal(42);
    expect(() => sampleSeed("0x12", REPORT, 2)).to.throw(SamplingError);
  });

  it("takes the n devices with the smallest keccak256(seed ‖ deviceId), in rank order", () => {
    const seed = sampleSeed(BLOCK, REPORT, 1);
    const all = ids(200);
    const sample = drawSample(seed, all, 47);
    const keyOf = (d: string) => BigInt(keccak256(concat([seed, d])));
    expect(rankKey(seed, all[0]!)).to.equal(keccak256(concat([seed, all[0]!])));
    const sorted = [...all].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
    expect(sample).to.deep.equal(sorted.slice(0, 47));
  });

  it("does not depend on the devices' order or duplicates; another seed draws another sample", () => {
    const seed = sampleSeed(BLOCK, REPORT, 1);
    const all = ids(500);
    const shuffled = [...all].reverse().concat(all.slice(0, 10));
    expect(drawSample(seed, shuffled, 54)).to.deep.equal(drawSample(seed, all, 54));
    const other = drawSample(sampleSeed("0x" + "ac".repeat(32), REPORT, 1), all, 54);
    expect(other).to.not.deep.equal(drawSample(seed, all, 54));
    expect(drawSample(seed, all.slice(0, 5), 59)).to.have.length(5);
  });

  it("draws every device about equally often over many seeds", () => {
    const all = ids(40);
    const counts = new Map<string, number>(all.map((d) => [d, 0]));
    const seeds = 800;
    for (let s = 0; s < seeds; s++) {
      for (const d of drawSample(keccak256(toBeHex(s + 7, 32)), all, 10)) counts.set(d, counts.get(d)! + 1);
    }
    // Expected 200 each (10/40 of 800); binomial σ ≈ 12.2: every count within 5σ.
    for (const c of counts.values()) expect(c).to.be.within(139, 261);
  });

  it("a sample record names everything needed to replay it", () => {
    const r = sampleRecord({
      submittedBlock: 9,
      seedBlockHash: BLOCK,
      reportHash: REPORT,
      categoryCode: 1,
      deviceIds: ids(100),
    });
    expect(r).to.include({ plan: "ITEC-SAMPLE-1", population: 100, size: 39, submittedBlock: 9 });
    expect(r.seedBlock).to.deep.equal({ number: 10, hash: BLOCK });
    expect(r.devices).to.deep.equal(drawSample(sampleSeed(BLOCK, REPORT, 1), ids(100), 39));
  });
});
