/**
 * From the per-device outcome of a lot to its batches (docs/methodology.md §7, §8): the exclusion counts, one batch
 * per category present — exact integer-gram sums, the issuance gate, the device Merkle tree — and its result. A
 * batch's eligible devices keep lot order: the k-th is the device of index k in its tree (docs/adr/0015).
 */
import { batchReport, emptySums, type GramSums } from "./batch.ts";
import { hexAt } from "./keccak.ts";
import type { Figures } from "./memo.ts";
import { DeviceMerkleTree } from "./merkle.ts";
import { CATEGORIES, type Tier } from "./params.ts";
import { EXCLUSION_REASONS, type BatchReport, type BatchResult, type ExclusionReason } from "./types.ts";

/** The per-device outcome of a lot, as the loop of `computeLot` leaves it. */
export interface LotOutcome {
  /** Per device: 0 eligible, else 1 + index in EXCLUSION_REASONS. */
  readonly codes: Uint8Array;
  /** Per device: index in `CATEGORIES`, −1 when unknown. */
  readonly catIndexOf: Int8Array;
  /** Per category: the eligible devices, in lot order. */
  readonly eligibleOf: readonly (readonly number[])[];
  /** 32 bytes of device id per device. */
  readonly idBytes: Uint8Array;
  /** Per category: the first and last refurbished date of its eligible devices. */
  readonly vintage: readonly ({ start: string; end: string } | undefined)[];
  /** Per category: its distinct figure sets (each with its device count) and eligible devices per tier. */
  readonly figures: readonly (readonly Figures[])[];
  readonly tiers: readonly Record<Tier, number>[];
}

export function lotBatches(lot: LotOutcome): {
  batches: BatchResult[];
  batchReports: BatchReport[];
  excluded: Partial<Record<ExclusionReason, number>>;
  eligible: number;
} {
  const { codes, catIndexOf, eligibleOf, idBytes, vintage, tiers } = lot;
  const n = codes.length;
  const sums = lot.figures.map(sumFigures);
  const excluded: Partial<Record<ExclusionReason, number>> = {};
  const inCategory = CATEGORIES.map(() => 0);
  const excludedByCategory = CATEGORIES.map((): Partial<Record<ExclusionReason, number>> => ({}));
  let eligible = 0;
  for (let i = 0; i < n; i++) {
    const c = catIndexOf[i]!;
    if (c >= 0) inCategory[c]!++;
    if (codes[i] === 0) {
      eligible++;
      continue;
    }
    const reason = EXCLUSION_REASONS[codes[i]! - 1]!;
    excluded[reason] = (excluded[reason] ?? 0) + 1;
    if (c >= 0) excludedByCategory[c]![reason] = (excludedByCategory[c]![reason] ?? 0) + 1;
  }

  const batches: BatchResult[] = [];
  const batchReports: BatchReport[] = [];
  CATEGORIES.forEach((category, c) => {
    if (inCategory[c] === 0) return;
    const members = eligibleOf[c]!;
    const offsets = Int32Array.from(members, (i) => i * 32);
    const tree = DeviceMerkleTree.build(idBytes, offsets, members.length);
    const { report, baselineGrams, reductionGrams } = batchReport({
      category,
      devices: inCategory[c]!,
      eligible: members.length,
      excluded: excludedByCategory[c]!,
      sums: sums[c]!,
      tiers: tiers[c]!,
      deviceRoot: tree.root,
      vintageStart: vintage[c]?.start ?? null,
      vintageEnd: vintage[c]?.end ?? null,
    });
    batchReports.push(report);
    let ids: string[] | undefined;
    let indexOf: Map<string, number> | undefined;
    const deviceIds = () => (ids ??= members.map((i) => hexAt(idBytes, i * 32)));
    const deviceProof = (id: string) => {
      indexOf ??= new Map(deviceIds().map((d, k) => [d, k]));
      const k = indexOf.get(id.toLowerCase());
      if (k === undefined) throw new Error(`not a device of this batch: ${id}`);
      return tree.deviceProof(k, id);
    };
    batches.push({
      ...report,
      baselineGrams,
      reductionGrams,
      get deviceIds(): readonly string[] {
        return deviceIds();
      },
      deviceProof,
      proof: (id: string) => [...deviceProof(id).proof],
    });
  });
  return { batches, batchReports, excluded, eligible };
}

/** Batch sums Σ count × figure, exact: numbers while they stay safe integers, bigints otherwise. */
function sumFigures(figs: readonly Figures[]): GramSums {
  // One pass with numbers; every partial sum is checked, and any step outside the safe range redoes it in bigint.
  let B = 0;
  let R = 0;
  let R_up = 0;
  let U = 0;
  let cutR = 0;
  let cutR_up = 0;
  let cutU = 0;
  let safe = true;
  for (const f of figs) {
    const k = f.count;
    B += f.B * k;
    R += f.R * k;
    R_up += f.R_up * k;
    U += f.U * k;
    cutR += f.cutR * k;
    cutR_up += f.cutR_up * k;
    cutU += f.cutU * k;
    if (Math.abs(B) + Math.abs(R_up) + Math.abs(U) + Math.abs(cutR_up) + Math.abs(cutU) > SAFE_SUM) {
      safe = false;
      break;
    }
  }
  if (safe) {
    return {
      B: BigInt(B),
      R: BigInt(R),
      R_up: BigInt(R_up),
      U: BigInt(U),
      cutR: BigInt(cutR),
      cutR_up: BigInt(cutR_up),
      cutU: BigInt(cutU),
    };
  }
  const sums = emptySums();
  for (const f of figs) {
    const k = BigInt(f.count);
    sums.B += BigInt(f.B) * k;
    sums.R += BigInt(f.R) * k;
    sums.R_up += BigInt(f.R_up) * k;
    sums.U += BigInt(f.U) * k;
    sums.cutR += BigInt(f.cutR) * k;
    sums.cutR_up += BigInt(f.cutR_up) * k;
    sums.cutU += BigInt(f.cutU) * k;
  }
  return sums;
}

/**
 * Below this, every product f·count (each figure ≤ its sum) and every partial sum is an exact integer in a double:
 * 2^53 / 4 leaves room for the largest product added to the running total. R ≤ R_up and cutR ≤ cutR_up.
 */
const SAFE_SUM = 2 ** 51;
