/**
 * The per-device formulas of docs/methodology.md §3 and §5, evaluated literally, left to right, in the method's Decimal
 * (40 significant digits, half-even) with no rounding before the named outputs. The order of evaluation is part of the
 * method (it decides the last digit of a quotient); it is written down in docs/adr/0010 and must not change within
 * ITEC-CALC 1.0.
 *
 * The work is split in the two stages the lot calculation memoises: `lifeStage` depends only on the reference values
 * and the months, `deviceFigures` adds the project items. Both are exact functions of their inputs.
 */
import { ceil3, Dec, dec, decInt, floor3 } from "./decimal.ts";
import type { Leg, Part } from "./grammar.ts";
import { PARAMS, type Category } from "./params.ts";

const ZERO = new Dec(0);
const ONE = new Dec(1);

/** Project emissions of one device: `P` = Σ central items, `UP` = Σ u·item, and the parts' central sum. */
export interface ProjectItems {
  readonly P: Dec;
  readonly UP: Dec;
  /** Σ central parts (for `PARTS_EXCEED_HALF`). */
  readonly parts: Dec;
  readonly mainboard: boolean;
}

/** Central kgCO2e of one part (× its units), given the device's `M`. The mainboard carries none: it excludes. */
export function partCentral(part: Part, M: Dec): Dec {
  const f = PARAMS.parts;
  switch (part.kind) {
    case "battery":
      return dec(part.amount).times(dec(f.batteryPerWh));
    case "ssd":
      return dec(part.amount).div(dec(f.ssdGbPerUnit)).times(dec(f.ssdPerUnit)).plus(dec(f.ssdFixed));
    case "ram":
      return dec(part.amount).div(dec(f.ramGbPerUnit)).times(dec(f.ramPerUnit)).plus(dec(f.ramFixed));
    case "hdd":
      return dec(f.hdd).times(decInt(part.units));
    case "display":
      return dec(f.displayShareOfM).times(M).times(decInt(part.units));
    case "other":
      return dec(part.amount).times(dec(f.otherPerKg));
    case "mainboard":
      return ZERO;
  }
}

/** One transport leg: `ship_mass_kg / 1000 × km × EF`. */
export function legCentral(leg: Leg, massKg: string): Dec {
  return dec(massKg).div(new Dec(1000)).times(dec(leg.km)).times(dec(PARAMS.transport[leg.mode]));
}

/**
 * Sums the project items in a fixed order: process, packaging, the parts as written, the transport legs as written.
 * `P = Σ p`, `UP = Σ u·p` with u = 0.50 for process, packaging and parts, 0.20 for transport.
 */
export function projectItems(
  category: Category,
  M: Dec,
  parts: readonly Part[],
  massKg: string,
  legs: readonly Leg[],
): ProjectItems {
  const c = PARAMS.categories[category];
  const u = PARAMS.uncertainty;
  const processing = dec(c.processKg);
  const packaging = dec(c.packagingKg);
  let P = processing.plus(packaging);
  let UP = dec(u.process).times(processing).plus(dec(u.packaging).times(packaging));
  let partsSum = ZERO;
  let mainboard = false;
  const uPart = dec(u.part);
  for (const part of parts) {
    if (part.kind === "mainboard") mainboard = true;
    const p = partCentral(part, M);
    P = P.plus(p);
    UP = UP.plus(uPart.times(p));
    partsSum = partsSum.plus(p);
  }
  const uLeg = dec(u.transport);
  for (const leg of legs) {
    const p = legCentral(leg, massKg);
    P = P.plus(p);
    UP = UP.plus(uLeg.times(p));
  }
  return { P, UP, parts: partsSum, mainboard };
}

/** The shares of §5 that depend only on the months: `f = min(L2, L_ref) / L_ref`, `α = L2 / (L1 + L2)`. */
export interface Shares {
  readonly f: Dec;
  readonly alpha: Dec;
  /** `|f − α|`. */
  readonly gap: Dec;
}

/** `f = min(L2, L_ref) / L_ref`. */
export function shareF(Lref: number, L2: number): Dec {
  const lref = decInt(Lref);
  return Dec.min(decInt(L2), lref).div(lref);
}

/** `f`, `α` and `|f − α|`. `L2` is already capped; `L1 + L2 > 0` for any eligible device (L2 ≥ 12). */
export function shares(Lref: number, L1: number, L2: number): Shares {
  const f = shareF(Lref, L2);
  const alpha = decInt(L2).div(decInt(L1).plus(decInt(L2)));
  return { f, alpha, gap: f.minus(alpha).abs() };
}

/** The reference terms of §5: `M`, `M·(1+d)` and `d·M`. */
export interface RefTerms {
  readonly M: Dec;
  readonly Md: Dec;
  readonly dM: Dec;
}

export function refTerms(M: Dec, d: Dec): RefTerms {
  return { M, Md: M.times(ONE.plus(d)), dM: d.times(M) };
}

/** What the figures need from the reference values and the months: everything of §5 without `P` or `UP`. */
export interface LifeStage {
  /** `B = floor3(M·f)`. */
  readonly B: Dec;
  /** `M·α`. */
  readonly Malpha: Dec;
  /** `M·(1+d)·α`. */
  readonly MdAlpha: Dec;
  /** `d·M·|f − α|`. */
  readonly dMgap: Dec;
  /** `d·M·|f − 0|` = `d·M·f`, the cut-off (α = 0) counterpart. */
  readonly dMf: Dec;
}

/** The part of the life stage that depends on `f` only (L2, L_ref): `B = floor3(M·f)` and `d·M·f`. */
export function baselineStage(ref: RefTerms, s: Pick<Shares, "f">): Pick<LifeStage, "B" | "dMf"> {
  return { B: floor3(ref.M.times(s.f)), dMf: ref.dM.times(s.f) };
}

/** The part that involves `α` (L1 too): `M·α`, `M·(1+d)·α`, `d·M·|f−α|`. */
export function allocationStage(ref: RefTerms, s: Shares): Pick<LifeStage, "Malpha" | "MdAlpha" | "dMgap"> {
  return { Malpha: ref.M.times(s.alpha), MdAlpha: ref.Md.times(s.alpha), dMgap: ref.dM.times(s.gap) };
}

/** `B`, `M·α`, `M·(1+d)·α`, `d·M·|f−α|` and `d·M·f`, each a product evaluated left to right. */
export function lifeStage(ref: RefTerms, s: Shares): LifeStage {
  return { ...baselineStage(ref, s), ...allocationStage(ref, s) };
}

/** The named outputs of one device, 3 dp (Δ and V follow exactly: Δ = B − R, V = Δ − U). */
export interface DeviceFigures {
  readonly B: Dec;
  readonly R: Dec;
  readonly R_up: Dec;
  readonly U: Dec;
  /** Cut-off allocation (α = 0), disclosure only. */
  readonly cutR: Dec;
  readonly cutR_up: Dec;
  readonly cutU: Dec;
}

/** `R = ceil3(M·α + P)`, `R_up = ceil3(M·(1+d)·α + P + UP)`, `U = ceil3(d·M·|f − α| + UP)`; and the cut-off set. */
export function deviceFigures(life: LifeStage, items: Pick<ProjectItems, "P" | "UP">): DeviceFigures {
  const { P, UP } = items;
  return {
    B: life.B,
    R: ceil3(life.Malpha.plus(P)),
    R_up: ceil3(life.MdAlpha.plus(P).plus(UP)),
    U: ceil3(life.dMgap.plus(UP)),
    cutR: ceil3(ZERO.plus(P)),
    cutR_up: ceil3(ZERO.plus(P).plus(UP)),
    cutU: ceil3(life.dMf.plus(UP)),
  };
}
