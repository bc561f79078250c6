/**
 * A lot's calculation as plain data: what the intake stores, computed by a {@link LotCalculator} — in the calling
 * thread by default, or on a worker thread (the API's pool), since the result holds no methods and crosses a thread
 * boundary by structured clone. The intake awaits it before its store transaction, which then only stores.
 */
import { createHash } from "node:crypto";

import { utf8Text, type Utf8Text } from "../../../core/db/sql.ts";
import { readLotCsvText } from "../../../core/calc/lot/csv.ts";
import {
  CalcInputError,
  calculateLot,
  canonicalJson,
  type BatchResult,
  type DeviceInput,
  type ExclusionReason,
  type ExternalClaim,
  type InputProblem,
  type METHOD_VERSION,
  type PARAMS_VERSION,
  type ReferenceTable,
} from "../../../core/calc/index.ts";

/** A batch of the calculation without its proof methods (the intake stores figures and ids, never proofs). */
export type LotBatch = Omit<BatchResult, "deviceProof" | "proof">;

/** The outcome of a lot calculation as plain, structured-clonable data (a `LotResult` is one too). */
export interface LotFigures {
  readonly method: typeof METHOD_VERSION;
  readonly params: typeof PARAMS_VERSION;
  readonly asOf: string;
  /** sha256 of the reference file (hex, no prefix). */
  readonly referenceSha256: string;
  readonly deviceCount: number;
  readonly eligibleCount: number;
  readonly excluded: Readonly<Partial<Record<ExclusionReason, number>>>;
  readonly problems: readonly InputProblem[];
  readonly batches: readonly LotBatch[];
  /**
   * The canonical report JSON and its `0x` keccak256. From a worker thread, the JSON comes as its UTF-8 bytes
   * (transferred, never decoded on the receiving thread: at the device cap it is ~26 MB; see workerLot).
   */
  readonly reportJson: string | Utf8Text;
  readonly reportHash: string;
}

/**
 * A lot CSV's bytes (UTF-8), read where the lot is calculated: sent to a worker thread as bytes (a copy of a few MB),
 * not as 50,000 device objects to structure-clone on the sending thread, and parsed there.
 */
export interface LotCsvBytes {
  readonly csv: Uint8Array;
}

/**
 * A lot CSV that cannot be read (CalcInputError BAD_HEADER, BAD_CSV, LOT_EMPTY): an error of the request's body,
 * which the intake passes on as it is (the API answers its code), unlike a lot that is read but cannot be calculated.
 */
export class LotReadError extends CalcInputError {}

/** The label a lot CSV's read errors name (as `readLotCsv` names a stream). */
const CSV_LABEL = "the lot stream";

/** What a lot is calculated from. */
export interface LotCalculationRequest {
  /** The devices, or the lot CSV's bytes (parsed where the calculation runs). */
  devices: readonly DeviceInput[] | LotCsvBytes;
  asOf: string;
  defaultTransport?: string | undefined;
  /** The refurbisher's lot reference; absent: `sha256:` + the input's hash (the calculation's lot id either way). */
  lotRef?: string | undefined;
  refurbisher: string;
  /** Device ids already in another batch (SERIAL_DUPLICATE). */
  certified: readonly string[];
  /** Device ids a registered external device set lists, with the set (CLAIMED_ELSEWHERE, docs/adr/0056). */
  claimedElsewhere?: readonly (readonly [string, ExternalClaim])[] | undefined;
}

/** A calculated lot: its identity (input hash, reference) and its figures. */
export interface CalculatedLot {
  lotRef: string;
  /** The canonical JSON of the devices as submitted (reader fields dropped) and its sha256 (hex); bytes as above. */
  inputJson: string | Utf8Text;
  inputSha256: string;
  figures: LotFigures;
}

/**
 * Calculates a lot, wherever it runs.
 * @throws CalcInputError for a lot that cannot be calculated (the intake makes it LOT_INVALID)
 */
export type LotCalculator = (request: LotCalculationRequest) => Promise<CalculatedLot>;

/** The calculator that runs in the calling thread (the oracle's default; the worker thread's body). */
export function inThreadCalculator(reference: ReferenceTable): LotCalculator {
  return (request) => Promise.resolve(calculateLotFigures(request, reference));
}

/**
 * Hashes the input and calculates the lot (pure apart from the hash: the same request and table give the same
 * bytes anywhere).
 * @throws CalcInputError
 */
export function calculateLotFigures(request: LotCalculationRequest, reference: ReferenceTable): CalculatedLot {
  const devices = devicesOf(request.devices);
  const inputJson = canonicalJson(devices.map(stripReaderFields));
  const inputSha256 = createHash("sha256").update(inputJson).digest("hex");
  const lotRef = request.lotRef ?? `sha256:${inputSha256}`;
  const r = calculateLot(
    devices,
    {
      asOf: request.asOf,
      ...(request.defaultTransport ? { defaultTransport: request.defaultTransport } : {}),
      lotId: lotRef,
      refurbisher: request.refurbisher,
      certifiedDeviceIds: new Set(request.certified),
      ...(request.claimedElsewhere?.length ? { claimedElsewhere: new Map(request.claimedElsewhere) } : {}),
    },
    reference,
  );
  const figures: LotFigures = {
    method: r.method,
    params: r.params,
    asOf: r.asOf,
    referenceSha256: r.referenceSha256,
    deviceCount: r.deviceCount,
    eligibleCount: r.eligibleCount,
    excluded: r.excluded,
    problems: r.problems,
    batches: r.batches.map(plainBatch),
    reportJson: r.reportJson,
    reportHash: r.reportHash,
  };
  return { lotRef, inputJson, inputSha256, figures };
}

/** The devices of a request: given, or read from the lot CSV's bytes. @throws LotReadError */
function devicesOf(devices: LotCalculationRequest["devices"]): readonly DeviceInput[] {
  if (!("csv" in devices)) return devices;
  try {
    return readLotCsvText(devices.csv, CSV_LABEL);
  } catch (error) {
    if (error instanceof CalcInputError) throw new LotReadError(error.code, error.message, { cause: error });
    throw error;
  }
}

/** The batch without its proof methods (functions do not cross a thread boundary). */
function plainBatch(b: BatchResult): LotBatch {
  const batch: Partial<BatchResult> = { ...b };
  delete batch.deviceProof;
  delete batch.proof;
  return batch as LotBatch;
}

function stripReaderFields(d: DeviceInput): Omit<DeviceInput, "readerProblems"> {
  const { readerProblems: _r, ...rest } = d;
  return rest;
}

/**
 * `lot` as a worker thread sends it: the input and report JSON as UTF-8 bytes, with the buffers to transfer (moved,
 * not copied; the receiving thread hands them on to the store the same way — core/db/sql.ts Utf8Text).
 */
export function workerLot(lot: CalculatedLot): { lot: CalculatedLot; transfer: ArrayBuffer[] } {
  const bytes = (json: string | Utf8Text) => (typeof json === "string" ? new TextEncoder().encode(json) : json.utf8);
  const input = bytes(lot.inputJson);
  const report = bytes(lot.figures.reportJson);
  return {
    lot: { ...lot, inputJson: utf8Text(input), figures: { ...lot.figures, reportJson: utf8Text(report) } },
    transfer: [input.buffer as ArrayBuffer, report.buffer as ArrayBuffer],
  };
}
