/**
 * The memo tables of the calculation (docs/adr/0011, layer 1): everything a device's figures depend on is a small set
 * of discrete inputs, so each stage is computed once per distinct combination —
 *  - reference values per (category, manufacturer, model): {@link RefInfo};
 *  - project items per (category, parts, mass, transport), plus the reference when a display makes them depend on M:
 *    {@link ProjInfo};
 *  - `B` and `d·M·f` per (reference, L2): {@link BaselineInfo};
 *  - the allocation terms per (reference, L1, L2): {@link LifeInfo};
 *  - the figures per (those, project items): {@link Figures}.
 * A memo hit returns the very values a fresh evaluation would. Each entry also carries the exact scaled terms and the
 * double images (grams) the shortcuts of exact.ts decide with.
 */
import { ceil3, Dec, dec, decToGrams, plain } from "./decimal.ts";
import { baselineStage, projectItems, refTerms, shareF, type ProjectItems, type RefTerms } from "./device.ts";
import { toScaled } from "./exact.ts";
import { safeGrams } from "./figures.ts";
import type { Leg, Part } from "./grammar.ts";
import { newText, type Text } from "./lot-inputs.ts";
import { CATEGORIES, PARAMS, type Category, type Tier } from "./params.ts";
import type { ReferenceTable } from "./reference.ts";

/** Reference values of one (category, manufacturer, model). */
export interface RefInfo {
  readonly id: number;
  readonly category: Category;
  readonly tier: Tier;
  readonly M: Dec;
  readonly d: Dec;
  readonly Lref: number;
  readonly terms: RefTerms;
  /** `M` in plain decimal notation, all digits. */
  readonly Mtext: Text;
  /** `M`, `M·(1+d)`, `d·M` at scale 10^-48 (exact path), when representable. */
  readonly MS: bigint | undefined;
  readonly MdS: bigint | undefined;
  readonly dMS: bigint | undefined;
  /** Double images, in grams, of `M`, `M·(1+d)` and `d·M` (for the double filter). */
  readonly Mg: number;
  readonly Mdg: number;
  readonly dMg: number;
  /** `M / 2`, the `PARTS_EXCEED_HALF` threshold. */
  readonly half: Dec;
  /** Memo tables of the calculation (emptied when it ends: the figures outlive them). */
  /** Project-items id → whether its central parts reach M/2. */
  readonly exceeds: (boolean | undefined)[];
  /** L2 → baseline values. */
  readonly baselines: (BaselineInfo | undefined)[];
  /** L1·64 + L2 → life values (L1 ≤ 96 and L2 ≤ 60 for eligible devices). */
  readonly lives: (LifeInfo | undefined)[];
}

/** The figures shared by every device with the same reference values, months and project items. */
export interface Figures {
  readonly ref: RefInfo;
  readonly L1: number;
  readonly L2: number;
  /** Integer grams of the 3-dp outputs (safe integers: see `safeGrams`). */
  readonly B: number;
  readonly R: number;
  readonly R_up: number;
  readonly U: number;
  readonly cutR: number;
  readonly cutR_up: number;
  readonly cutU: number;
  /** Eligible devices of the lot carrying these figures. */
  count: number;
  /** The figure members of a device's canonical JSON, as bytes, cached when shared. */
  json?: Uint8Array;
}

/** Project items of (category, parts, mass, transport) — and the reference, when a display makes them depend on M. */
export interface ProjInfo {
  readonly id: number;
  readonly items: ProjectItems;
  /** `P`, `UP` at scale 10^-48 (undefined: not exactly representable → Decimal path). */
  readonly PS: bigint | undefined;
  readonly UPS: bigint | undefined;
  /** Double images of `P`, `UP` in grams. */
  readonly Pg: number;
  readonly UPg: number;
  /** Cut-off `R = ceil3(P)` and `R_up = ceil3(P + UP)`, grams. */
  readonly cutR: number;
  readonly cutR_up: number;
}

/** What depends on (reference, L2): `B` and `d·M·f` (exact, scaled, and as a double image in grams). */
export interface BaselineInfo {
  readonly B: number;
  readonly dMfS: bigint | undefined;
  readonly dmf: number;
}

/** The exact scaled terms of a life entry (computed only when the double filter cannot decide). */
export interface ExactLife {
  readonly MalphaS: bigint;
  readonly MdAlphaS: bigint;
  readonly dMgapS: bigint;
}

/** What depends on (reference, L1, L2): double images (grams) of `M·α`, `M·(1+d)·α`, `d·M·|f−α|`. */
export interface LifeInfo {
  readonly id: number;
  readonly ref: RefInfo;
  readonly L1: number;
  readonly L2: number;
  readonly baseline: BaselineInfo;
  readonly malpha: number;
  readonly mdalpha: number;
  readonly dmgap: number;
  /** Lazily: the exact terms, or null when one is not representable at scale 10^-48. */
  exact?: ExactLife | null;
  /** Project-items id → figures: a short list (most entries have a few), a map beyond 8. */
  readonly figs: (number | Figures)[];
  figMap?: Map<number, Figures>;
}

/** Reference values of (category, manufacturer, model): T1/T2 from the table, else T3. */
export function refInfo(
  id: number,
  category: Category,
  manufacturer: string,
  model: string,
  reference: ReferenceTable,
): RefInfo {
  const match = reference.match(manufacturer, model);
  const tier: Tier = match?.tier ?? "T3";
  const M = match?.M ?? reference.t3(category).M;
  const Lref = match?.lifetimeMonths ?? PARAMS.categories[category].defaultLifetimeMonths;
  const d = dec(PARAMS.deduction[tier]);
  const terms = refTerms(M, d);
  const half = M.div(new Dec(2));
  return {
    id,
    category,
    tier,
    M,
    d,
    Lref,
    terms,
    Mtext: newText(plain(M)),
    MS: toScaled(M),
    MdS: toScaled(terms.Md),
    dMS: toScaled(terms.dM),
    Mg: gramsImage(M),
    Mdg: gramsImage(terms.Md),
    dMg: gramsImage(terms.dM),
    half,
    exceeds: [],
    baselines: [],
    lives: [],
  };
}

export function projInfo(
  id: number,
  ref: RefInfo,
  parts: readonly Part[],
  mass: string,
  legs: readonly Leg[],
): ProjInfo {
  const items = projectItems(ref.category, ref.M, parts, mass, legs);
  return {
    id,
    items,
    PS: toScaled(items.P),
    UPS: toScaled(items.UP),
    Pg: gramsImage(items.P),
    UPg: gramsImage(items.UP),
    cutR: safeGrams(decToGrams(ceil3(items.P))),
    cutR_up: safeGrams(decToGrams(ceil3(items.P.plus(items.UP)))),
  };
}

/** A Decimal kilogram value as a double number of grams (one correctly rounded conversion of exact text). */
function gramsImage(kg: Dec): number {
  return Number(kg.times(new Dec(1000)).toFixed());
}

export function baselineInfo(ref: RefInfo, L2: number): BaselineInfo {
  const b = baselineStage(ref.terms, { f: shareF(ref.Lref, L2) });
  return { B: safeGrams(decToGrams(b.B)), dMfS: toScaled(b.dMf), dmf: gramsImage(b.dMf) };
}

export function lifeInfo(id: number, ref: RefInfo, L1: number, L2: number, baseline: BaselineInfo): LifeInfo {
  // Double images: f and α from small integers, times the reference images (see ceilGramsFast for the error budget).
  const f = Math.min(L2, ref.Lref) / ref.Lref;
  const alpha = L2 / (L1 + L2);
  return {
    id,
    ref,
    L1,
    L2,
    baseline,
    figs: [],
    malpha: ref.Mg * alpha,
    mdalpha: ref.Mdg * alpha,
    dmgap: ref.dMg * Math.abs(f - alpha),
  };
}

export function findFigures(life: LifeInfo, projId: number): Figures | undefined {
  if (life.figMap !== undefined) return life.figMap.get(projId);
  const list = life.figs;
  for (let k = 0; k < list.length; k += 2) if (list[k] === projId) return list[k + 1] as Figures;
  return undefined;
}

export function addFigures(life: LifeInfo, projId: number, fig: Figures): void {
  if (life.figMap !== undefined) life.figMap.set(projId, fig);
  else if (life.figs.length < 16) life.figs.push(projId, fig);
  else {
    life.figMap = new Map();
    for (let k = 0; k < life.figs.length; k += 2) life.figMap.set(life.figs[k] as number, life.figs[k + 1] as Figures);
    life.figMap.set(projId, fig);
  }
}

function lifeFigures(life: LifeInfo): Iterable<Figures> {
  if (life.figMap !== undefined) return life.figMap.values();
  return life.figs.filter((_, k) => k % 2 === 1) as Figures[];
}

/** Every distinct figure set of the lot per category (in `CATEGORIES` order), and its devices per tier. */
export function figuresByCategory(lives: readonly LifeInfo[]): {
  figures: Figures[][];
  tiers: Record<Tier, number>[];
} {
  const figures: Figures[][] = CATEGORIES.map(() => []);
  const tiers = CATEGORIES.map((): Record<Tier, number> => ({ T1: 0, T2: 0, T3: 0 }));
  for (const life of lives) {
    for (const fig of lifeFigures(life)) {
      const c = CATEGORIES.indexOf(fig.ref.category);
      figures[c]!.push(fig);
      tiers[c]![fig.ref.tier] += fig.count;
    }
  }
  return { figures, tiers };
}

/** The figures reference their RefInfo: drop its memo tables so the lives, project items and exact terms can go. */
export function releaseMemo(refs: readonly RefInfo[], lives: LifeInfo[]): void {
  for (const ref of refs) {
    ref.exceeds.length = 0;
    ref.baselines.length = 0;
    ref.lives.length = 0;
  }
  lives.length = 0;
}
