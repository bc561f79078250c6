/**
 * ITEC-CALC 1.0 — the pure calculation core of the I-TEC registry (docs/methodology.md).
 *
 * No I/O, clock, environment, logging or randomness: the lot, its options (the calculation date included) and the
 * reference table are the only inputs, and the same inputs give a byte-identical report on any machine.
 */
import { computeLot } from "./lot.ts";
import type { LotOptions, LotState, MemoStats } from "./lot-state.ts";
import { buildReport, deviceResult, type Report } from "./report.ts";
import { reportBytes, reportChunks } from "./report-stream.ts";
import { Dec } from "./decimal.ts";
import { projectItems } from "./device.ts";
import { parseParts, parseTransport } from "./grammar.ts";
import { isCategory, METHOD_VERSION, PARAMS_VERSION } from "./params.ts";
import type { ReferenceTable } from "./reference.ts";
import type { BatchResult, DeviceInput, DeviceResult, ExclusionReason, InputProblem } from "./types.ts";

export { canonicalJson } from "./canonical-json.ts";
export { Dec, ceil3, floor3, kgToGrams } from "./decimal.ts";
export { compareDays, formatDay, parseDay, parseManufactureDate, wholeMonths, type Ymd } from "./dates.ts";
export { deviceId } from "./device-id.ts";
export { deviceFigures, legCentral, lifeStage, partCentral, projectItems } from "./device.ts";
export type { DeviceFigures, LifeStage, ProjectItems } from "./device.ts";
export { CalcInputError, CALC_ERROR_CODES, type CalcErrorCode } from "./errors.ts";
export { parseMonths, parseParts, parseTransport, type Leg, type Part, type PartKind } from "./grammar.ts";
export { keccak256Hex, keccak256Utf8 } from "./keccak.ts";
export { Keccak256Stream } from "./keccak-stream.ts";
export { DeviceMerkleTree } from "./merkle.ts";
export { normaliseCategory, normaliseName, normaliseSerial } from "./normalise.ts";
export {
  CATEGORIES,
  METHOD_VERSION,
  PARAMS,
  PARAMS_VERSION,
  TRANSPORT_MODES,
  isCategory,
  type Category,
  type CategoryParams,
  type ParamsTable,
  type Tier,
  type TransportMode,
} from "./params.ts";
export {
  buildReferenceTable,
  REFERENCE_COLUMNS,
  type ReferenceMatch,
  type ReferenceRow,
  type ReferenceSource,
  type ReferenceTable,
} from "./reference.ts";
export type { Report } from "./report.ts";
export {
  BATCH_REASONS,
  EXCLUSION_REASONS,
  LOT_COLUMNS,
  type BatchReason,
  type BatchReport,
  type BatchResult,
  type BatchTotals,
  type DeviceInput,
  type DeviceResult,
  type ExclusionReason,
  type ExternalClaim,
  type InputProblem,
  type LotColumn,
} from "./types.ts";
export type { LotOptions, MemoStats } from "./lot-state.ts";

/** The outcome of a lot calculation. Report renderings are computed on demand and cached. */
export interface LotResult {
  readonly method: typeof METHOD_VERSION;
  readonly params: typeof PARAMS_VERSION;
  readonly asOf: string;
  /** sha256 of the reference file (hex, no prefix). */
  readonly referenceSha256: string;
  /** Devices in the lot / eligible. */
  readonly deviceCount: number;
  readonly eligibleCount: number;
  /** Excluded devices by reason (reasons with none are absent). */
  readonly excluded: Readonly<Partial<Record<ExclusionReason, number>>>;
  /** How much distinct work the lot needed (memo table sizes) and how figures were decided (docs/adr/0011). */
  readonly memo: Readonly<MemoStats>;
  /** Every problem of every `BAD_INPUT` row, in lot order. */
  readonly problems: readonly InputProblem[];
  /** One batch per category present in the lot, in the order of `CATEGORIES`. */
  readonly batches: readonly BatchResult[];
  /** Device `i` of the lot, as the report shows it. */
  device(i: number): DeviceResult;
  /** Every device (builds all of them: for large lots prefer `device(i)` or the streamed report). */
  readonly devices: readonly DeviceResult[];
  /** The report object (holds every device). */
  readonly report: Report;
  /** The canonical JSON of the report: the bytes `reportHash` is taken over (one string: small lots only). */
  readonly reportJson: string;
  /** `0x` keccak256 of the canonical report's UTF-8 bytes. First access streams the report through the hash. */
  readonly reportHash: string;
  /** The canonical report as text, streamed in pieces (up to ~4 MB each). */
  reportChunks(): Iterable<string>;
  /**
   * Writes the published report file — the canonical report plus a final `reportHash` member, which sorts last, so
   * the file is canonical JSON too — as UTF-8 bytes to `write`, in one pass that also computes `reportHash`.
   * Each piece is a view into a reused buffer, valid only until `write` returns: write it out (e.g. `writeSync`) or
   * copy it.
   */
  writeReportFile(write: (bytes: Uint8Array) => void): void;
}

/**
 * Runs ITEC-CALC 1.0 over a lot.
 * @param devices the rows, e.g. from `readLotCsv` or `parseLotJson`
 * @param options `asOf` (required), default transport, lot id, refurbisher, already-certified device ids
 * @param reference the reference table (`loadReferenceTable()`)
 * @throws CalcInputError for whole-lot failures (`LOT_EMPTY`, `BAD_OPTIONS`, `LOT_TOO_LARGE`); bad rows are
 *   excluded as `BAD_INPUT` with every problem listed, never thrown.
 */
export function calculateLot(
  devices: readonly DeviceInput[],
  options: LotOptions,
  reference: ReferenceTable,
): LotResult {
  return new Lot(computeLot(devices, options, reference));
}

class Lot implements LotResult {
  readonly method = METHOD_VERSION;
  readonly params = PARAMS_VERSION;
  readonly asOf: string;
  readonly referenceSha256: string;
  readonly deviceCount: number;
  readonly eligibleCount: number;
  readonly excluded: Readonly<Partial<Record<ExclusionReason, number>>>;
  readonly memo: Readonly<MemoStats>;
  readonly problems: readonly InputProblem[];
  readonly batches: readonly BatchResult[];
  readonly #state: LotState;
  #hash: string | undefined;
  #report: Report | undefined;
  #json: string | undefined;

  constructor(state: LotState) {
    this.#state = state;
    this.asOf = state.asOf;
    this.referenceSha256 = state.reference.sha256;
    this.deviceCount = state.devices.length;
    this.eligibleCount = state.eligible;
    this.excluded = state.excluded;
    this.memo = state.stats;
    this.batches = state.batches;
    this.problems = [...state.problems.keys()].sort((a, b) => a - b).flatMap((i) => state.problems.get(i)!);
  }

  device(i: number): DeviceResult {
    if (!Number.isInteger(i) || i < 0 || i >= this.deviceCount) throw new RangeError(`no device ${i} in this lot`);
    return deviceResult(this.#state, i);
  }

  get devices(): readonly DeviceResult[] {
    return this.report.devices;
  }

  get report(): Report {
    return (this.#report ??= buildReport(this.#state));
  }

  get reportJson(): string {
    return (this.#json ??= [...reportChunks(this.#state)].join(""));
  }

  get reportHash(): string {
    if (this.#hash === undefined) {
      const pieces = reportBytes(this.#state);
      let step = pieces.next();
      while (step.done !== true) step = pieces.next();
      this.#hash = step.value;
    }
    return this.#hash;
  }

  reportChunks(): Iterable<string> {
    return reportChunks(this.#state);
  }

  writeReportFile(write: (bytes: Uint8Array) => void): void {
    // The canonical report ends with "}": everything before it, then `reportHash`, which sorts after every member.
    const pieces = reportBytes(this.#state, { holdLastByte: true });
    let step = pieces.next();
    while (step.done !== true) {
      write(step.value);
      step = pieces.next();
    }
    this.#hash = step.value;
    write(new TextEncoder().encode(`,"reportHash":"${this.#hash}"}`));
  }
}

/**
 * `P` and `UP` of an eligible device recomputed from its report record alone (category, M, parts, applied mass and
 * transport) — what a third party would do; exact, all digits. `undefined` for an excluded device.
 */
export function projectItemsOf(device: DeviceResult): { P: string; UP: string } | undefined {
  if (device.excluded !== undefined || device.M === undefined || !isCategory(device.category)) return undefined;
  const parts = parseParts(device.parts);
  const legs = parseTransport(device.transport);
  if (!parts.ok || !legs.ok) return undefined;
  const items = projectItems(device.category, new Dec(device.M), parts.value, device.ship_mass_kg, legs.value);
  return { P: items.P.toFixed(), UP: items.UP.toFixed() };
}
