/**
 * The reference table of docs/methodology.md §2, built from Boavizta rows: row validity, the T1/T2 match per normalised
 * (manufacturer, model), and T3's `min(P25_c, generic_c)` per category. Pure: the rows and the file's sha256 come from
 * the adapter in `core/calc/reference-file.ts`.
 */
import { Dec, dec } from "./decimal.ts";
import { CalcInputError } from "./errors.ts";
import { normaliseName } from "./normalise.ts";
import { CATEGORIES, PARAMS, type Category, type Tier } from "./params.ts";

/** The Boavizta columns the calculation reads. */
export const REFERENCE_COLUMNS = [
  "manufacturer",
  "name",
  "subcategory",
  "gwp_total",
  "gwp_use_ratio",
  "gwp_manufacturing_ratio",
  "gwp_transport_ratio",
  "gwp_eol_ratio",
  "lifetime",
] as const;

export type ReferenceRow = Readonly<Record<(typeof REFERENCE_COLUMNS)[number], string>>;

/** A device's reference values. */
export interface ReferenceMatch {
  readonly tier: Tier;
  /** Manufacturing emissions of the new equivalent, kgCO2e. */
  readonly M: Dec;
  /** `floor(lifetime × 12)` of the matched row when its lifetime is within 1–10 years; else the category default. */
  readonly lifetimeMonths: number | undefined;
  /** 1-based data-row number of the matched row in the reference file (T1/T2), for provenance. */
  readonly row: number | undefined;
}

/** Provenance of the reference file, recorded in every report. */
export interface ReferenceSource {
  /** sha256 of the reference file's bytes, 64 lower-case hex digits. */
  readonly sha256: string;
  readonly source: string;
  readonly license: string;
}

/** The built table: what the calculation needs, nothing else. */
export interface ReferenceTable extends ReferenceSource {
  /** Data rows read / rows valid under §2. */
  readonly rows: number;
  readonly validRows: number;
  /** T1/T2 match for a normalised manufacturer and model, or `undefined` (the device falls to T3). */
  match(manufacturer: string, model: string): ReferenceMatch | undefined;
  /** T3 values of a category. */
  t3(category: Category): { readonly M: Dec; readonly p25: Dec | undefined; readonly generic: Dec };
}

const NUMBER = /^-?\d+(?:\.\d+)?$/;
const ZERO = new Dec(0);
const ONE = new Dec(1);

function optional(text: string): Dec | undefined | null {
  const t = text.trim();
  if (t === "") return undefined;
  return NUMBER.test(t) ? dec(t) : null; // null: present but unreadable → the row is invalid
}

interface Candidate {
  tier: Tier;
  M: Dec;
  lifetimeMonths: number | undefined;
  row: number;
}

/**
 * Builds the table from the reference rows (each a record keyed by the Boavizta column names).
 * @throws CalcInputError `BAD_REFERENCE` when a required column is missing.
 */
export function buildReferenceTable(rows: readonly ReferenceRow[], source: ReferenceSource): ReferenceTable {
  const first = rows[0];
  if (first !== undefined) {
    const missing = REFERENCE_COLUMNS.filter((c) => !(c in first));
    if (missing.length > 0) {
      throw new CalcInputError("BAD_REFERENCE", `reference table lacks column(s) ${missing.join(", ")}`);
    }
  }
  const maxRatioSum = dec(PARAMS.maxRatioSum);
  const minLife = dec(PARAMS.rowLifetimeYears.min);
  const maxLife = dec(PARAMS.rowLifetimeYears.max);
  const twelve = new Dec(12);
  const t2Transport = dec(PARAMS.t2DefaultTransportRatio);
  const t2Eol = dec(PARAMS.t2DefaultEolRatio);

  const best = new Map<string, Candidate>();
  const manufacturingBySubcategory = new Map<string, Dec[]>();
  let validRows = 0;

  rows.forEach((r, index) => {
    const total = optional(r.gwp_total);
    const use = optional(r.gwp_use_ratio);
    const mfg = optional(r.gwp_manufacturing_ratio);
    const transport = optional(r.gwp_transport_ratio);
    const eol = optional(r.gwp_eol_ratio);
    if (total == null || use === null || mfg === null || transport === null || eol === null) return;
    if (!total.gt(ZERO)) return;
    let sum = ZERO;
    for (const ratio of [use, mfg, transport, eol]) if (ratio !== undefined) sum = sum.plus(ratio);
    if (sum.gt(maxRatioSum)) return;
    if (mfg !== undefined && !(mfg.gt(ZERO) && mfg.lte(ONE))) return;
    validRows++;

    const lifetime = optional(r.lifetime);
    const lifetimeMonths =
      lifetime != null && lifetime.gte(minLife) && lifetime.lte(maxLife)
        ? lifetime.times(twelve).floor().toNumber()
        : undefined;

    let candidate: Candidate | undefined;
    if (mfg !== undefined) {
      const M = total.times(mfg);
      candidate = { tier: "T1", M, lifetimeMonths, row: index + 1 };
      const sub = normaliseName(r.subcategory);
      let list = manufacturingBySubcategory.get(sub);
      if (list === undefined) manufacturingBySubcategory.set(sub, (list = []));
      list.push(M);
    } else if (use !== undefined) {
      const share = ONE.minus(use)
        .minus(transport ?? t2Transport)
        .minus(eol ?? t2Eol);
      candidate = { tier: "T2", M: total.times(Dec.max(ZERO, share)), lifetimeMonths, row: index + 1 };
    }
    if (candidate === undefined) return;

    const key = `${normaliseName(r.manufacturer)}|${normaliseName(r.name)}`;
    const held = best.get(key);
    // Best tier first, then the lowest M; on a full tie the earlier row stays (the file is pinned by its sha256).
    if (held === undefined || candidate.tier < held.tier || (candidate.tier === held.tier && candidate.M.lt(held.M))) {
      best.set(key, candidate);
    }
  });

  const percentile = dec(PARAMS.t3Percentile);
  const t3 = new Map<Category, { M: Dec; p25: Dec | undefined; generic: Dec }>();
  for (const category of CATEGORIES) {
    const params = PARAMS.categories[category];
    const values = [...(manufacturingBySubcategory.get(normaliseName(params.subcategory)) ?? [])].sort((a, b) =>
      a.comparedTo(b),
    );
    // Nearest rank: the value at 1-based position ceil(0.25·n).
    const rank = values.length === 0 ? 0 : percentile.times(values.length).ceil().toNumber();
    const p25 = rank === 0 ? undefined : values[rank - 1];
    const generic = dec(params.genericM);
    t3.set(category, { M: p25 === undefined ? generic : Dec.min(p25, generic), p25, generic });
  }

  return {
    sha256: source.sha256,
    source: source.source,
    license: source.license,
    rows: rows.length,
    validRows,
    match(manufacturer, model) {
      const c = best.get(`${manufacturer}|${model}`);
      return c === undefined ? undefined : { tier: c.tier, M: c.M, lifetimeMonths: c.lifetimeMonths, row: c.row };
    },
    t3(category) {
      return t3.get(category)!;
    },
  };
}
