/**
 * The figures of one (reference, months, project items) combination, decided as in docs/adr/0011: doubles with a
 * proven error bound (level 1), else the exact fixed point (level 2), else the Decimal evaluation itself — which is
 * the definition the two shortcuts must agree with. See exact.ts for the proofs.
 */
import { gramsToKg } from "../../sdk/src/units.ts";
import { decToGrams } from "./decimal.ts";
import { allocationStage, deviceFigures, lifeStage, shares, type LifeStage, type ProjectItems } from "./device.ts";
import { ceil3Grams, ceilGramsFast, scaledRatio, terminates, toScaled } from "./exact.ts";
import { CalcInputError } from "./errors.ts";
import type { MemoStats } from "./lot-state.ts";
import type { ExactLife, Figures, LifeInfo, ProjInfo, RefInfo } from "./memo.ts";

/** The exact scaled terms of a life entry, computed with Decimal on first need. */
function exactLife(life: LifeInfo): ExactLife | null {
  if (life.exact === undefined) {
    const { ref, L1, L2 } = life;
    let MalphaS: bigint | undefined;
    let MdAlphaS: bigint | undefined;
    let dMgapS: bigint | undefined;
    const fNum = Math.min(L2, ref.Lref);
    // Terminating f and α: the Decimal quotients are exact, and so are the products (few digits): integer arithmetic.
    if (ref.MS !== undefined && ref.MdS !== undefined && ref.dMS !== undefined && terminates(L2, L1 + L2)) {
      MalphaS = scaledRatio(ref.MS, L2, L1 + L2);
      MdAlphaS = scaledRatio(ref.MdS, L2, L1 + L2);
      if (terminates(fNum, ref.Lref)) {
        // |f − α| = |fNum·(L1+L2) − L2·Lref| / (Lref·(L1+L2)), exact as both quotients are.
        dMgapS = scaledRatio(ref.dMS, Math.abs(fNum * (L1 + L2) - L2 * ref.Lref), ref.Lref * (L1 + L2));
      }
    }
    if (MalphaS === undefined || MdAlphaS === undefined || dMgapS === undefined) {
      const a = allocationStage(ref.terms, shares(ref.Lref, L1, L2));
      MalphaS = toScaled(a.Malpha);
      MdAlphaS = toScaled(a.MdAlpha);
      dMgapS = toScaled(a.dMgap);
    }
    life.exact =
      MalphaS === undefined || MdAlphaS === undefined || dMgapS === undefined ? null : { MalphaS, MdAlphaS, dMgapS };
  }
  return life.exact;
}

/**
 * The figures of one (reference, months, project items) combination: the exact fixed-point shortcut where it is
 * provably equal to the Decimal evaluation (see exact.ts), else the Decimal evaluation itself.
 */
export function figuresOf(life: LifeInfo, proj: ProjInfo, stats: MemoStats): Figures {
  const { ref, L1, L2, baseline } = life;
  // 1. Doubles with a proven error bound (exact.ts): decides nearly every figure.
  const { Pg, UPg } = proj;
  const scale = 2 * ref.Mdg + Math.abs(Pg) + Math.abs(UPg); // ≥ Σ|terms| + M·(1+d): the budget of ceilGramsFast
  let R = ceilGramsFast(life.malpha + Pg, scale);
  let R_up = ceilGramsFast(life.mdalpha + Pg + UPg, scale);
  let U = ceilGramsFast(life.dmgap + UPg, scale);
  let cutU = ceilGramsFast(baseline.dmf + UPg, scale);
  // 2. Exact fixed point for what the doubles could not decide (a sum on or next to a 3-dp boundary).
  if (R === undefined || R_up === undefined || U === undefined || cutU === undefined) {
    stats.exact++;
    const { PS, UPS } = proj;
    // cutU needs only the baseline term; the others the allocation terms (computed once per life, on demand).
    if (cutU === undefined && UPS !== undefined && baseline.dMfS !== undefined) {
      cutU = big(ceil3Grams(baseline.dMfS + UPS));
    }
    if (R === undefined || R_up === undefined || U === undefined) {
      const exact = exactLife(life);
      if (exact !== null && PS !== undefined && UPS !== undefined) {
        // One addition each, except R_up: (M·(1+d)·α + P) + UP, whose partial sum must not have rounded either.
        R ??= big(ceil3Grams(exact.MalphaS + PS));
        const partial = exact.MdAlphaS + PS;
        R_up ??= big(ceil3Grams(partial + UPS, partial));
        U ??= big(ceil3Grams(exact.dMgapS + UPS));
      }
    }
  }
  if (R !== undefined && R_up !== undefined && U !== undefined && cutU !== undefined) {
    return {
      ref,
      L1,
      L2,
      B: baseline.B,
      R,
      R_up,
      U,
      cutR: proj.cutR,
      cutR_up: proj.cutR_up,
      cutU,
      count: 0,
    };
  }
  // 3. The Decimal evaluation itself.
  stats.fallbacks++;
  return decimalFigures(ref, L1, L2, lifeStage(ref.terms, shares(ref.Lref, L1, L2)), proj.items);
}

const big = (grams: bigint | undefined): number | undefined => (grams === undefined ? undefined : safeGrams(grams));

/** The Decimal evaluation of one device's figures (the definition; the shortcut above must agree with it). */
export function decimalFigures(ref: RefInfo, L1: number, L2: number, life: LifeStage, items: ProjectItems): Figures {
  const f = deviceFigures(life, items);
  return {
    ref,
    L1,
    L2,
    B: safeGrams(decToGrams(f.B)),
    R: safeGrams(decToGrams(f.R)),
    R_up: safeGrams(decToGrams(f.R_up)),
    U: safeGrams(decToGrams(f.U)),
    cutR: safeGrams(decToGrams(f.cutR)),
    cutR_up: safeGrams(decToGrams(f.cutR_up)),
    cutU: safeGrams(decToGrams(f.cutU)),
    count: 0,
  };
}

/**
 * A per-device gram figure as a JS number. Exact: the input grammar bounds every quantity (≤ 6 integer digits, ≤ 32
 * parts, ≤ 16 legs) so eligible devices stay far below 2^53 g (9·10^12 kg); anything else is refused loudly.
 */
export function safeGrams(grams: bigint): number {
  const n = Number(grams);
  if (!Number.isSafeInteger(n)) {
    throw new CalcInputError("LOT_TOO_LARGE", `a device figure of ${gramsToKg(grams)} kg exceeds the exact range`);
  }
  return n;
}
