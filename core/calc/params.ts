/**
 * ITEC-PARAMS-1 — every number docs/methodology.md marks as a *parameter*, in one versioned table.
 *
 * A new calibration is a new table with a new id (`ITEC-PARAMS-2`), never an edit of this one: the id is registered
 * on-chain with each batch, so an issued certificate's figures stay reproducible forever. All quantities are decimal
 * strings (never JS numbers), read into the method's Decimal at the point of use.
 */

/** The method id registered on-chain. */
export const METHOD_VERSION = "ITEC-CALC 1.0";
/** The parameter table id registered on-chain. */
export const PARAMS_VERSION = "ITEC-PARAMS-1";

/** Device categories, in the fixed order used for batches and reports. */
export { CATEGORIES, type Category } from "../../sdk/src/enums.ts";
import { CATEGORIES, type Category } from "../../sdk/src/enums.ts";

export type Tier = "T1" | "T2" | "T3";

/** Per-category parameters (docs/methodology.md §3), quantities as decimal strings. */
export interface CategoryParams {
  /** Boavizta `subcategory` whose rows feed T3's P25. */
  readonly subcategory: string;
  /** Default reference lifetime `L_ref`, months. */
  readonly defaultLifetimeMonths: number;
  /** Cap on the warranted second life `L2`, months. */
  readonly secondLifeCapMonths: number;
  /** Maximum first-life age `L1` at refurbishment, months (`TOO_OLD` above). */
  readonly maxAgeMonths: number;
  /** Process (test, erase, clean, handling), kgCO2e. */
  readonly processKg: string;
  /** Packaging, kgCO2e. */
  readonly packagingKg: string;
  /** Shipping mass when the device row gives none, kg. */
  readonly defaultShipMassKg: string;
  /** Generic archetype `M`, kgCO2e (T3 takes min(P25, generic)). */
  readonly genericM: string;
}

export interface ParamsTable {
  readonly id: typeof PARAMS_VERSION;
  readonly categories: Readonly<Record<Category, CategoryParams>>;
  /** Conservativeness deduction `d` by tier. */
  readonly deduction: Readonly<Record<Tier, string>>;
  /** Part factors (kgCO2e). */
  readonly parts: {
    /** battery: Wh × batteryPerWh */
    readonly batteryPerWh: string;
    /** SSD: GB / ssdGbPerUnit × ssdPerUnit + ssdFixed */
    readonly ssdGbPerUnit: string;
    readonly ssdPerUnit: string;
    readonly ssdFixed: string;
    /** RAM: GB / ramGbPerUnit × ramPerUnit + ramFixed */
    readonly ramGbPerUnit: string;
    readonly ramPerUnit: string;
    readonly ramFixed: string;
    /** HDD: per unit */
    readonly hdd: string;
    /** display: displayShareOfM × M per unit */
    readonly displayShareOfM: string;
    /** other part: kg × otherPerKg */
    readonly otherPerKg: string;
  };
  /** Transport emission factors, kgCO2e per tonne-km. */
  readonly transport: Readonly<Record<TransportMode, string>>;
  /** Uncertainty factor `u` per project item kind. */
  readonly uncertainty: {
    readonly process: string;
    readonly packaging: string;
    readonly part: string;
    readonly transport: string;
  };
  /** T2 defaults for missing ratios. */
  readonly t2DefaultTransportRatio: string;
  readonly t2DefaultEolRatio: string;
  /** Reference-row validity: maximum sum of the present ratios. */
  readonly maxRatioSum: string;
  /** Reference lifetime accepted from a row, years (inclusive). */
  readonly rowLifetimeYears: { readonly min: string; readonly max: string };
  /** Nearest-rank percentile used by T3, as a fraction. */
  readonly t3Percentile: string;
  /** Minimum `L2`, months (`SECOND_LIFE_TOO_SHORT` below). */
  readonly minSecondLifeMonths: number;
  /** Issuance gate: maximum relative uncertainty. */
  readonly maxRelU: string;
}

export const TRANSPORT_MODES = ["van", "hgv", "rail", "sea", "air"] as const;
export type TransportMode = (typeof TRANSPORT_MODES)[number];

/** ITEC-PARAMS-1: the first calibration (docs/methodology.md §2, §3, §6, §7). */
export const PARAMS: ParamsTable = Object.freeze({
  id: PARAMS_VERSION,
  categories: Object.freeze({
    laptop: p("Laptop", 48, 48, 96, "5.0", "0.8", "2.5", "181"),
    desktop: p("Desktop", 72, 60, 96, "6.0", "1.5", "9.0", "277"),
    monitor: p("Monitor", 79, 60, 96, "3.0", "1.5", "7.0", "64.7"),
    smartphone: p("Smartphone", 30, 36, 72, "3.0", "0.2", "0.5", "84.0"),
    tablet: p("Tablet", 36, 36, 72, "3.0", "0.3", "1.0", "75.9"),
    server: p("Server", 48, 48, 84, "25.0", "3.0", "35.0", "3660"),
  }),
  deduction: Object.freeze({ T1: "0.20", T2: "0.30", T3: "0.40" }),
  parts: Object.freeze({
    batteryPerWh: "0.160",
    ssdGbPerUnit: "54.884",
    ssdPerUnit: "2.20",
    ssdFixed: "6.34",
    ramGbPerUnit: "1.244",
    ramPerUnit: "2.20",
    ramFixed: "5.22",
    hdd: "31.11",
    displayShareOfM: "0.25",
    otherPerKg: "24.30",
  }),
  transport: Object.freeze({ van: "0.60", hgv: "0.15", rail: "0.035", sea: "0.03", air: "1.75" }),
  uncertainty: Object.freeze({ process: "0.50", packaging: "0.50", part: "0.50", transport: "0.20" }),
  t2DefaultTransportRatio: "0.08",
  t2DefaultEolRatio: "0.01",
  maxRatioSum: "1.05",
  rowLifetimeYears: Object.freeze({ min: "1", max: "10" }),
  t3Percentile: "0.25",
  minSecondLifeMonths: 12,
  maxRelU: "0.500",
});

function p(
  subcategory: string,
  defaultLifetimeMonths: number,
  secondLifeCapMonths: number,
  maxAgeMonths: number,
  processKg: string,
  packagingKg: string,
  defaultShipMassKg: string,
  genericM: string,
): CategoryParams {
  return Object.freeze({
    subcategory,
    defaultLifetimeMonths,
    secondLifeCapMonths,
    maxAgeMonths,
    processKg,
    packagingKg,
    defaultShipMassKg,
    genericM,
  });
}

/** True when `value` names one of the six categories (already normalised: trimmed, lower-case). */
export function isCategory(value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value);
}
