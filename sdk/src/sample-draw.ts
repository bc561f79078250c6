/**
 * Audit sampling that nobody can steer (docs/methodology.md, "Audit sampling"): which devices of a batch an
 * auditor checks physical evidence for, drawn from a seed the chain fixes after the lot was submitted, in a
 * number that follows a stated attribute sampling plan. Pure: no chain, no store — anyone replays the draw from
 * public data (a block hash, the report hash, the batch's category and its eligible device ids).
 *
 * - seed = keccak256(abi.encode(bytes32 seedBlockHash, bytes32 reportHash, uint8 categoryCode)), where the seed
 *   block is the first block whose number is greater than the block the oracle recorded at the lot's submission;
 * - draw: every eligible device is ranked by keccak256(abi.encode(bytes32 seed, bytes32 deviceId)) read as an
 *   unsigned integer; the n smallest are the sample, listed in rank order (independent of the devices' order);
 * - n: zero-acceptance attribute sampling — the smallest n for which a batch of N devices with more than 5 % of
 *   them lacking evidence would show no such device in the sample with probability ≤ 5 % (hypergeometric, exact).
 */
import { AbiCoder, keccak256 } from "ethers";

import { CodedError } from "./errors.ts";

/** The sampling plan's version, recorded with every sample. */
export const SAMPLING_PLAN = "ITEC-SAMPLE-1";

/** A fraction as two integers (exact comparisons, the same on every machine). */
export interface Ratio {
  num: bigint;
  den: bigint;
}

/** The plan: confidence C that at most the tolerable rate of devices lack evidence, zero defects accepted. */
export interface SamplingPlan {
  /** C: 95/100. */
  confidence: Ratio;
  /** p: 5/100, the tolerable rate of devices without evidence. */
  tolerableRate: Ratio;
}

export const DEFAULT_PLAN: SamplingPlan = {
  confidence: { num: 95n, den: 100n },
  tolerableRate: { num: 5n, den: 100n },
};

const coder = AbiCoder.defaultAbiCoder();
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/** Raised for a malformed input of the draw (a caller's bug or a bad record; never a chain condition). */
export class SamplingError extends CodedError<"SAMPLING_INVALID"> {
  constructor(message: string) {
    super("SAMPLING_INVALID", message);
  }
}

function bytes32(value: string, what: string): string {
  if (!BYTES32.test(value)) throw new SamplingError(`${what} must be a 0x-prefixed 32-byte hex string: ${value}`);
  return value.toLowerCase();
}

/** The block whose hash seeds the draw: the first one after the block recorded at the lot's submission. */
export function seedBlockNumber(submittedBlock: number): number {
  if (!Number.isSafeInteger(submittedBlock) || submittedBlock < 0) {
    throw new SamplingError(`the submission block must be a non-negative integer: ${submittedBlock}`);
  }
  return submittedBlock + 1;
}

/** keccak256(abi.encode(bytes32 blockHash, bytes32 reportHash, uint8 categoryCode)). */
export function sampleSeed(blockHash: string, reportHash: string, categoryCode: number): string {
  if (!Number.isInteger(categoryCode) || categoryCode < 1 || categoryCode > 255) {
    throw new SamplingError(`the category code must be 1…255: ${categoryCode}`);
  }
  return keccak256(
    coder.encode(
      ["bytes32", "bytes32", "uint8"],
      [bytes32(blockHash, "the seed block hash"), bytes32(reportHash, "the report hash"), categoryCode],
    ),
  );
}

/** A device's rank key: keccak256(abi.encode(bytes32 seed, bytes32 deviceId)). */
export function rankKey(seed: string, deviceId: string): string {
  return keccak256(coder.encode(["bytes32", "bytes32"], [seed, deviceId]));
}

/**
 * The n devices of `deviceIds` with the smallest rank keys under `seed`, in rank order (ties cannot happen for
 * distinct ids short of a keccak collision). Duplicate ids count once; n larger than the batch takes all of it.
 */
export function drawSample(seed: string, deviceIds: readonly string[], n: number): string[] {
  bytes32(seed, "the seed");
  if (!Number.isSafeInteger(n) || n < 0)
    throw new SamplingError(`the sample size must be a non-negative integer: ${n}`);
  const unique = [...new Set(deviceIds.map((id) => bytes32(id, "a device id")))];
  return unique
    .map((id) => ({ id, key: BigInt(rankKey(seed, id)) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, n)
    .map((r) => r.id);
}

/**
 * Infinite population: the smallest n with (1 − p)^n ≤ 1 − C (59 for C = 95 %, p = 5 %). Exact in integers:
 * (den_p − num_p)^n · den_C ≤ (den_C − num_C) · den_p^n.
 */
export function sampleSizeInfinite(plan: SamplingPlan = DEFAULT_PLAN): number {
  const { confidence: c, tolerableRate: p } = checkPlan(plan);
  let lhs = c.den; // (1 − p)^n · den_C, scaled by den_p^n
  let rhs = c.den - c.num; // (1 − C) · den_C, scaled by den_p^n
  for (let n = 1; n <= 100_000; n++) {
    lhs *= p.den - p.num;
    rhs *= p.den;
    if (lhs <= rhs) return n;
  }
  throw new SamplingError("the plan needs more than 100,000 devices per sample");
}

/**
 * A batch of N devices: the smallest n such that, were D = ⌊p·N⌋ + 1 of them (the fewest that exceed the
 * tolerable rate) without evidence, a sample of n drawn without replacement would contain none of them with
 * probability ≤ 1 − C. That probability is C(N − D, n) / C(N, n) = ∏_{i<n} (N − D − i)/(N − i) — exact in
 * integers. Never more than N (a small batch is checked whole) nor than the infinite-population n.
 */
export function sampleSize(batchSize: number, plan: SamplingPlan = DEFAULT_PLAN): number {
  if (!Number.isSafeInteger(batchSize) || batchSize < 0) {
    throw new SamplingError(`the batch size must be a non-negative integer: ${batchSize}`);
  }
  const { confidence: c, tolerableRate: p } = checkPlan(plan);
  if (batchSize === 0) return 0;
  const N = BigInt(batchSize);
  const D = (N * p.num) / p.den + 1n;
  if (D > N) return batchSize;
  let num = c.den; // ∏ (N − D − i), times den_C
  let den = c.den - c.num; // ∏ (N − i), times (den_C − num_C)
  for (let n = 1; n <= batchSize; n++) {
    const i = BigInt(n - 1);
    num *= N - D - i > 0n ? N - D - i : 0n;
    den *= N - i;
    if (num <= den) return n;
  }
  return batchSize;
}

function checkPlan(plan: SamplingPlan): SamplingPlan {
  for (const [name, r] of [
    ["confidence", plan.confidence],
    ["tolerable rate", plan.tolerableRate],
  ] as const) {
    if (r.den <= 0n || r.num <= 0n || r.num >= r.den) throw new SamplingError(`the ${name} must be in (0, 1)`);
  }
  return plan;
}

/** Everything needed to replay a draw, as the oracle records it and the API and CLI show it. */
export interface SampleRecord {
  plan: typeof SAMPLING_PLAN;
  categoryCode: number;
  reportHash: string;
  submittedBlock: number;
  seedBlock: { number: number; hash: string };
  seed: string;
  population: number;
  size: number;
  devices: string[];
}

/** The draw for one batch from public data: the seed block's hash, the report hash, the category, the devices. */
export function sampleRecord(input: {
  submittedBlock: number;
  seedBlockHash: string;
  reportHash: string;
  categoryCode: number;
  deviceIds: readonly string[];
  plan?: SamplingPlan;
}): SampleRecord {
  const seed = sampleSeed(input.seedBlockHash, input.reportHash, input.categoryCode);
  const population = new Set(input.deviceIds.map((d) => d.toLowerCase())).size;
  const size = sampleSize(population, input.plan);
  return {
    plan: SAMPLING_PLAN,
    categoryCode: input.categoryCode,
    reportHash: input.reportHash.toLowerCase(),
    submittedBlock: input.submittedBlock,
    seedBlock: { number: seedBlockNumber(input.submittedBlock), hash: input.seedBlockHash.toLowerCase() },
    seed,
    population,
    size,
    devices: drawSample(seed, input.deviceIds, size),
  };
}
