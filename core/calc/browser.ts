/**
 * The lot calculation from text, for the web app's upload screen: what the oracle's intake will compute for the
 * same lot, date and refurbisher — row problems, exclusions, batches with B̄, V̄ and certificates, device roots and
 * the report hash — before anything is submitted.
 *
 * Why a separate entry: the app runs in a browser, where `core/calc/index.ts`'s neighbours that read files
 * (reference-file.ts, lot/csv.ts) cannot load. This module and everything it imports use only the calculation, the
 * SDK, decimal.js and ethers — no `node:` module and no Node global (test/calc/browser.test.ts walks the import graph
 * and runs it without `Buffer`). The rows are read by the lot reader's rules (lot/csv-records.ts) and the reference
 * by the oracle's parser (reference-csv.ts), so nothing here restates a rule.
 */
import { sha256, toUtf8Bytes } from "ethers";

import { canonicalJson } from "./canonical-json.ts";
import { calculateLot, type LotResult } from "./index.ts";
import { readLotCsvText } from "./lot/csv-records.ts";
import { groupProblems, type ProblemGroup } from "./problems.ts";
import { parseReferenceCsv, REFERENCE_LICENSE, REFERENCE_SOURCE } from "./reference-csv.ts";
import { buildReferenceTable, type ReferenceTable } from "./reference.ts";
import type { BatchReport, DeviceInput, ExclusionReason } from "./types.ts";

export { CalcInputError } from "./errors.ts";
export { LOT_HEADER } from "./lot/csv-records.ts";

export interface BrowserLotOptions {
  /** The calculation date, `YYYY-MM-DD` (the oracle's default is today, UTC). */
  asOf: string;
  /** Legs for devices without their own, e.g. `hgv:600;van:250`. */
  defaultTransport?: string | undefined;
  /**
   * The submitting account (checksummed), as the oracle records it in the report: without it the figures are the
   * same but the report hash is not the one the oracle will record.
   */
  refurbisher?: string | undefined;
  /** The lot reference the lot will be submitted under; default, as the oracle's: `sha256:` + the input hash. */
  lotRef?: string | undefined;
}

/** A row's problem, for the upload screen's table. */
export interface RowProblem {
  /** 1-based data row (the first row after the header is 1). */
  row: number;
  /** Physical line of the file where the row starts (the header is line 1). */
  line: number;
  /** 1-based column of the lot format; `null` when the problem is the whole row. */
  column: number | null;
  field: string;
  value: string;
  expected: string;
  /** The exclusion the problem causes. */
  code: "BAD_INPUT";
  message: string;
}

export interface RowExclusion {
  row: number;
  line: number;
  serial: string;
  reason: ExclusionReason;
}

/** A batch as the report publishes it (grams as decimal strings), with its device root. */
export type BrowserBatch = BatchReport;

export interface BrowserLotResult {
  method: string;
  params: string;
  asOf: string;
  /** The lot reference used (the given one, or `sha256:` + inputSha256 as the oracle defaults it). */
  lotRef: string;
  /** sha256 (hex) of the lot's canonical input JSON: what the oracle records as the lot's input hash. */
  inputSha256: string;
  /** sha256 (hex) of the reference file the calculation used: a lot's `referenceDataSha256`. */
  referenceSha256: string;
  devices: number;
  eligible: number;
  excluded: Partial<Record<ExclusionReason, number>>;
  problems: RowProblem[];
  /** The problems grouped as the oracle's lot summary groups them. */
  problemGroups: ProblemGroup[];
  exclusions: RowExclusion[];
  batches: BrowserBatch[];
  /** Category → device Merkle root, for the batches present. */
  deviceRoots: Record<string, string>;
  /** `0x` keccak256 of the canonical report: the lot's `reportHash`. */
  reportHash: string;
}

let cached: { sha256: string; table: ReferenceTable } | undefined;

/**
 * The reference table of a reference CSV (bytes preferred: its sha256 is taken over exactly what was given; text is
 * hashed as UTF-8, the same for a file without a byte-order mark). The last table is kept: a second lot costs no
 * rebuild.
 * @throws CalcInputError `BAD_REFERENCE`
 */
export function referenceTableOf(reference: string | Uint8Array): ReferenceTable {
  const bytes = typeof reference === "string" ? toUtf8Bytes(reference) : reference;
  const hash = sha256(bytes).slice(2);
  if (cached?.sha256 === hash) return cached.table;
  const text = typeof reference === "string" ? reference : new TextDecoder("utf-8").decode(reference);
  const table = buildReferenceTable(parseReferenceCsv(text), {
    sha256: hash,
    source: REFERENCE_SOURCE,
    license: REFERENCE_LICENSE,
  });
  cached = { sha256: hash, table };
  return table;
}

/**
 * Calculates a lot CSV as the oracle's intake does (`LotIntake.submit`: the same rows, lot reference, refurbisher
 * and date give the same report hash, roots and figures to the gram).
 * @param lotCsv the lot file (text, or bytes: bytes that are not UTF-8 then mark their rows as the server's reader does)
 * @param referenceCsv the reference data, e.g. the body of `GET /reference-data`
 * @throws CalcInputError for a lot that cannot be read or calculated at all (`BAD_HEADER`, `BAD_CSV`, `LOT_EMPTY`,
 *   `BAD_OPTIONS`, `LOT_TOO_LARGE`, `BAD_REFERENCE`); bad rows are reported, never thrown.
 */
export function calculateLotCsv(
  lotCsv: string | Uint8Array,
  referenceCsv: string | Uint8Array | ReferenceTable,
  options: BrowserLotOptions,
): BrowserLotResult {
  const devices = readLotCsvText(lotCsv);
  const reference =
    typeof referenceCsv === "string" || referenceCsv instanceof Uint8Array
      ? referenceTableOf(referenceCsv)
      : referenceCsv;
  // The oracle's input hash and default lot reference (oracle/src/pipeline/intake.ts): the rows without what the
  // reader noted about them.
  const inputSha256 = sha256(toUtf8Bytes(canonicalJson(devices.map(withoutReaderFields)))).slice(2);
  const lotRef = options.lotRef ?? `sha256:${inputSha256}`;
  const result = calculateLot(
    devices,
    {
      asOf: options.asOf,
      ...(options.defaultTransport ? { defaultTransport: options.defaultTransport } : {}),
      lotId: lotRef,
      ...(options.refurbisher ? { refurbisher: options.refurbisher } : {}),
    },
    reference,
  );
  return {
    method: result.method,
    params: result.params,
    asOf: result.asOf,
    lotRef,
    inputSha256,
    referenceSha256: result.referenceSha256,
    devices: result.deviceCount,
    eligible: result.eligibleCount,
    excluded: { ...result.excluded },
    problems: rowProblems(result, devices),
    problemGroups: groupProblems(result.problems).groups,
    exclusions: exclusions(result),
    batches: result.batches.map(publishedBatch),
    deviceRoots: Object.fromEntries(result.batches.map((b) => [b.category, b.deviceRoot])),
    reportHash: result.reportHash,
  };
}

function withoutReaderFields(d: DeviceInput): Omit<DeviceInput, "readerProblems"> {
  const { readerProblems: _r, ...rest } = d;
  return rest;
}

function rowProblems(result: LotResult, devices: readonly DeviceInput[]): RowProblem[] {
  const rowOfLine = new Map<number, number>();
  devices.forEach((d, i) => rowOfLine.set(d.line ?? i + 1, i + 1));
  return result.problems.map((p) => ({
    row: rowOfLine.get(p.line) ?? p.line,
    line: p.line,
    column: p.column,
    field: p.field,
    value: p.value,
    expected: p.expected,
    code: "BAD_INPUT",
    message: `${p.field}${p.column === null ? "" : ` (column ${p.column})`}: "${p.value}" — expected ${p.expected}`,
  }));
}

function exclusions(result: LotResult): RowExclusion[] {
  const out: RowExclusion[] = [];
  for (let i = 0; i < result.deviceCount; i++) {
    const d = result.device(i);
    if (d.excluded !== undefined) out.push({ row: i + 1, line: d.line, serial: d.serial, reason: d.excluded });
  }
  return out;
}

/** A batch's published figures (its report entry): no functions, no id list, grams as strings. */
function publishedBatch(b: LotResult["batches"][number]): BrowserBatch {
  const figures: Record<string, unknown> = { ...b };
  delete figures.deviceProof;
  delete figures.proof;
  delete figures.deviceIds;
  return {
    ...(figures as Omit<BrowserBatch, "baselineGrams" | "reductionGrams">),
    baselineGrams: b.baselineGrams.toString(),
    reductionGrams: b.reductionGrams.toString(),
  };
}
