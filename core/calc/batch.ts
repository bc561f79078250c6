/** Batch totals and the issuance gate (docs/methodology.md §7), over exact integer-gram sums. */
import { gramsToKg } from "../../sdk/src/units.ts";
import { ceil3, Dec, dec, decInt, decToGrams, floor1, floor3 } from "./decimal.ts";
import { PARAMS, type Category, type Tier } from "./params.ts";
import type { BatchReason, BatchReport, BatchTotals, ExclusionReason } from "./types.ts";

/** Integer-gram sums over the eligible devices of one batch (3-dp figures are exact integers of grams). */
export interface GramSums {
  B: bigint;
  R: bigint;
  R_up: bigint;
  U: bigint;
  cutR: bigint;
  cutR_up: bigint;
  cutU: bigint;
}

export function emptySums(): GramSums {
  return { B: 0n, R: 0n, R_up: 0n, U: 0n, cutR: 0n, cutR_up: 0n, cutU: 0n };
}

const kg = (grams: bigint): Dec => dec(gramsToKg(grams));

function totals(B: bigint, R: bigint, R_up: bigint, U: bigint): BatchTotals {
  const delta = B - R;
  return {
    B: gramsToKg(B),
    R: gramsToKg(R),
    R_up: gramsToKg(R_up),
    delta: gramsToKg(delta),
    U: gramsToKg(U),
    V: gramsToKg(delta - U),
  };
}

/** `ceil3(ΣU / ΣΔ)`, or `null` when ΣΔ ≤ 0 (the ratio means nothing then). */
function relativeUncertainty(U: bigint, delta: bigint): string | null {
  return delta > 0n ? ceil3(kg(U).div(kg(delta))).toFixed(3) : null;
}

export interface BatchInput {
  readonly category: Category;
  readonly devices: number;
  readonly eligible: number;
  readonly excluded: Partial<Record<ExclusionReason, number>>;
  readonly sums: GramSums;
  readonly tiers: Record<Tier, number>;
  readonly deviceRoot: string;
  readonly vintageStart: string | null;
  readonly vintageEnd: string | null;
}

/** The published figures of a batch and whether it is issued; `baselineGrams`/`reductionGrams` via `kgToGrams`. */
export function batchReport(input: BatchInput): { report: BatchReport; baselineGrams: bigint; reductionGrams: bigint } {
  const n = input.eligible;
  const s = input.sums;
  const t = totals(s.B, s.R, s.R_up, s.U);
  const cut = totals(s.B, s.cutR, s.cutR_up, s.cutU);
  const delta = s.B - s.R;
  const V = delta - s.U;
  const relU = relativeUncertainty(s.U, delta);
  const perDevice = (sum: bigint, round: (x: Dec) => Dec): Dec =>
    n === 0 ? new Dec(0) : round(kg(sum).div(decInt(n)));
  const baseline = perDevice(s.B, floor3);
  const reduction = perDevice(V, floor3);
  const refurbished = perDevice(s.R_up, ceil3);
  const cutDelta = s.B - s.cutR;

  let reason: BatchReason | null = null;
  if (n < 1) reason = "NO_ELIGIBLE_DEVICES";
  else if (delta <= 0n) reason = "NO_CENTRAL_REDUCTION";
  else if (V <= 0n) reason = "NO_VERIFIED_REDUCTION";
  else if (relU === null || dec(relU).gt(dec(PARAMS.maxRelU))) reason = "UNCERTAINTY_TOO_HIGH";
  const issued = reason === null;

  const baselineG = decToGrams(baseline);
  const reductionG = decToGrams(reduction);
  const report: BatchReport = {
    category: input.category,
    certificates: issued ? n : 0,
    devices: input.devices,
    eligible: n,
    excluded: input.excluded,
    baselineKg: baseline.toFixed(3),
    reductionKg: reduction.toFixed(3),
    baselineGrams: baselineG.toString(),
    reductionGrams: reductionG.toString(),
    certifiedIntensityKg: gramsToKg(baselineG - reductionG),
    refurbishedIntensityKg: refurbished.toFixed(3),
    relU,
    issued,
    reason,
    centralReductionPct:
      s.B === 0n ? null : floor1(new Dec(1).minus(kg(s.R).div(kg(s.B))).times(new Dec(100))).toFixed(1),
    tiers: input.tiers,
    totals: t,
    cutOff: {
      ...cut,
      relU: relativeUncertainty(s.cutU, cutDelta),
      reductionKg: perDevice(cutDelta - s.cutU, floor3).toFixed(3),
    },
    deviceRoot: input.deviceRoot,
    vintageStart: input.vintageStart,
    vintageEnd: input.vintageEnd,
  };
  return { report, baselineGrams: baselineG, reductionGrams: reductionG };
}
