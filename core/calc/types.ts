/** Inputs, reason codes and results of ITEC-CALC 1.0. */
import type { DeviceProof } from "../../sdk/src/device-proof.ts";
import type { Category, Tier } from "./params.ts";

/** The lot columns (docs/methodology.md §4), in the order of the CSV header. */
export const LOT_COLUMNS = [
  "serial",
  "manufacturer",
  "model",
  "category",
  "manufacture_date",
  "refurbished_date",
  "second_life_months",
  "parts",
  "ship_mass_kg",
  "transport",
  "test_report_id",
  "erasure_certificate_id",
] as const;
export type LotColumn = (typeof LOT_COLUMNS)[number];

/** One device row as submitted; every quantity is text (it reaches a Decimal, never a JS number). */
export interface DeviceInput {
  /** Source line (CSV: physical line where the row starts, header = 1); defaults to the 1-based position. */
  readonly line?: number;
  readonly serial: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly category: string;
  /** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. */
  readonly manufacture_date: string;
  /** `YYYY-MM-DD`. */
  readonly refurbished_date: string;
  /** Warranted second life, whole months. */
  readonly second_life_months: string;
  /** e.g. `battery:63Wh;ssd:512GB;hdd:2;ram:16GB;display;other:0.4kg;mainboard`; empty = none. */
  readonly parts?: string;
  /** Empty = the category's default shipping mass. */
  readonly ship_mass_kg?: string;
  /** e.g. `hgv:600;van:250` or `none`; empty = the lot's default legs. */
  readonly transport?: string;
  readonly test_report_id: string;
  readonly erasure_certificate_id: string;
  /**
   * Problems the reader found before the calculation saw the row (e.g. a CSV row with the wrong number of columns,
   * whose fields cannot be trusted): such a row is excluded as `BAD_INPUT` without further checks.
   */
  readonly readerProblems?: readonly InputProblem[];
}

/** Why a field of a row is unusable: where it is, what it holds and what was expected. */
export interface InputProblem {
  readonly line: number;
  /** 1-based column of the lot format (`serial` = 1 … `erasure_certificate_id` = 12); `null` for the whole row. */
  readonly column: number | null;
  readonly field: string;
  readonly value: string;
  readonly expected: string;
}

/**
 * A registered external device set (another scheme's published list of devices it credited, docs/adr/0056), as the
 * report names it for a device excluded as `CLAIMED_ELSEWHERE`: the set's id in the registry's register, its Merkle
 * root (`0x` lower-case hex) and its scheme's name.
 */
export interface ExternalClaim {
  readonly setId: number;
  readonly root: string;
  readonly scheme: string;
}

/** Device exclusion reasons, in the order they are checked (the first that applies is reported). */
export const EXCLUSION_REASONS = [
  "SERIAL_MISSING",
  "SERIAL_DUPLICATE",
  "CLAIMED_ELSEWHERE",
  "NO_TEST_REPORT",
  "NO_ERASURE_CERTIFICATE",
  "CATEGORY_UNKNOWN",
  "BAD_INPUT",
  "TOO_OLD",
  "SECOND_LIFE_TOO_SHORT",
  "MAINBOARD_REPLACED",
  "PARTS_EXCEED_HALF",
] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

/** Why a batch is not issued, in the order the gate checks them. */
export const BATCH_REASONS = [
  /** n = 0 */
  "NO_ELIGIBLE_DEVICES",
  /** ΣΔ ≤ 0 */
  "NO_CENTRAL_REDUCTION",
  /** ΣV ≤ 0 */
  "NO_VERIFIED_REDUCTION",
  /** relU > 0.500 */
  "UNCERTAINTY_TOO_HIGH",
] as const;
export type BatchReason = (typeof BATCH_REASONS)[number];

/** One device of the report: its normalised inputs, then its figures or its exclusion. Decimals are strings. */
export interface DeviceResult {
  readonly line: number;
  /** Upper-cased, whitespace removed. */
  readonly serial: string;
  /** Absent only when the serial is missing. */
  readonly deviceId?: string;
  /** Trimmed, inner whitespace collapsed, lower-cased. */
  readonly manufacturer: string;
  readonly model: string;
  /** Trimmed, lower-cased. */
  readonly category: string;
  readonly manufacture_date: string;
  readonly refurbished_date: string;
  readonly second_life_months: string;
  readonly parts: string;
  /** As applied: the given mass, or the category default when empty. */
  readonly ship_mass_kg: string;
  /** As applied: the given legs, or the lot default when empty. */
  readonly transport: string;
  readonly test_report_id: string;
  readonly erasure_certificate_id: string;
  readonly excluded?: ExclusionReason;
  /** For `CLAIMED_ELSEWHERE`: the registered external device set that lists the device (docs/adr/0056). */
  readonly claimedElsewhere?: ExternalClaim;
  /** For `BAD_INPUT`: every problem of the row. */
  readonly problems?: readonly InputProblem[];
  readonly tier?: Tier;
  /** kgCO2e of the new equivalent, all digits. */
  readonly M?: string;
  readonly L_ref?: number;
  readonly L1?: number;
  readonly L2?: number;
  /** kgCO2e per device, 3 dp. */
  readonly B?: string;
  readonly R?: string;
  readonly R_up?: string;
  readonly U?: string;
  readonly V?: string;
}

/** Totals of a batch, kgCO2e, 3 dp. */
export interface BatchTotals {
  readonly B: string;
  readonly R: string;
  readonly R_up: string;
  readonly delta: string;
  readonly U: string;
  readonly V: string;
}

/** A batch (one category) as the report publishes it. */
export interface BatchReport {
  readonly category: Category;
  /** Certificates issued: `eligible` when issued, else 0. */
  readonly certificates: number;
  /** Devices of the category in the lot (eligible + excluded). */
  readonly devices: number;
  /** Eligible devices, n. */
  readonly eligible: number;
  readonly excluded: Readonly<Partial<Record<ExclusionReason, number>>>;
  /** B̄ = floor3(ΣB/n), kgCO2e per certificate. */
  readonly baselineKg: string;
  /** V̄ = floor3(ΣV/n), kgCO2e per certificate (may be negative when not issued). */
  readonly reductionKg: string;
  /** B̄ and V̄ in integer grams (through `kgToGrams`), as decimal strings. */
  readonly baselineGrams: string;
  readonly reductionGrams: string;
  /** B̄ − V̄. */
  readonly certifiedIntensityKg: string;
  /** R̄_up = ceil3(ΣR_up/n). */
  readonly refurbishedIntensityKg: string;
  /** ceil3(ΣU/ΣΔ); `null` when ΣΔ ≤ 0. */
  readonly relU: string | null;
  readonly issued: boolean;
  readonly reason: BatchReason | null;
  /** floor1((1 − ΣR/ΣB)·100); `null` when ΣB = 0. */
  readonly centralReductionPct: string | null;
  readonly tiers: Readonly<Record<Tier, number>>;
  readonly totals: BatchTotals;
  /** The same totals under cut-off allocation (α = 0), for disclosure only. */
  readonly cutOff: BatchTotals & { readonly relU: string | null; readonly reductionKg: string };
  readonly deviceRoot: string;
  /** min / max refurbished_date of the eligible devices; `null` when there are none. */
  readonly vintageStart: string | null;
  readonly vintageEnd: string | null;
}

/** A batch as the rest of the system uses it: the published figures plus ids, grams and proofs. */
export interface BatchResult extends Omit<BatchReport, "baselineGrams" | "reductionGrams"> {
  /** B̄ × 1000 and V̄ × 1000, from `kgToGrams` (the one conversion). */
  readonly baselineGrams: bigint;
  readonly reductionGrams: bigint;
  /**
   * Device ids (`0x` + 64 lower-case hex) of the eligible devices, in lot order: `deviceIds[k]` is the device of
   * index `k` in the device tree (leaf `[k, id]`, docs/adr/0015), the order the report lists them in.
   */
  readonly deviceIds: readonly string[];
  /**
   * An eligible device's index, id and Merkle proof, compatible with `StandardMerkleTree` (["uint256", "bytes32"]),
   * the SDK's `verifyDeviceInclusion` and `MerkleProof`.
   * @throws Error when the id is not one of the batch's eligible devices.
   */
  deviceProof(deviceId: string): DeviceProof;
  /** `deviceProof(deviceId).proof`: the sibling hashes alone (the index is the id's position in `deviceIds`). */
  proof(deviceId: string): string[];
}
