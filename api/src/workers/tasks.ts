/**
 * The work a worker thread does (worker.ts runs it; pool.ts sends it) — Scope 3 rendering and lot calculation: pure
 * functions of structured-clonable input, so the same code runs in a worker or, in a test, in the calling thread.
 */
import { createHash } from "node:crypto";

import {
  parseInventoryCsv,
  scope3ChartSvg,
  scope3Report,
  scope3Csv,
  scope3Html,
  scope3Pdf,
  svgToPng,
  type InventoryLine,
  type Scope3Report,
  type scope3ChainInputs,
} from "../../../core/documents/index.ts";
import { CalcInputError, buildReferenceTable, type ReferenceTable } from "../../../core/calc/index.ts";
import { parseReferenceCsv, REFERENCE_LICENSE, REFERENCE_SOURCE } from "../../../core/calc/reference-csv.ts";
import { calculateLotFigures, LotReadError, workerLot, type LotCalculationRequest } from "../../../oracle/src/index.ts";

export type Scope3Format = "json" | "csv" | "html" | "pdf" | "svg" | "png";

/** Renders a Scope 3 report (built on the main thread: it reads the chain) in one format. */
export interface Scope3RenderTask {
  kind: "scope3";
  report: Scope3Report;
  format: Scope3Format;
}

/**
 * Builds a Scope 3 report from what the main thread read from the chain (core/documents scope3ChainInputs) and
 * renders it: at 10,000 inventory rows, parsing the CSV and building the report take hundreds of milliseconds of
 * CPU the event loop must not give. The inventory comes parsed (JSON body) or as the CSV text, parsed here.
 */
export interface Scope3BuildTask {
  kind: "scope3Build";
  input: Awaited<ReturnType<typeof scope3ChainInputs>> & { account: string; reportingYear: number };
  inventory: readonly InventoryLine[] | { csv: string };
  reference: Uint8Array;
  format: Scope3Format;
}

/** Holds a worker for `ms` (tests and the benchmark only: fills the pool without depending on a payload's speed). */
export interface HoldTask {
  kind: "hold";
  ms: number;
}

/**
 * Calculates a lot (the oracle's intake awaits it before its store transaction). The reference table has methods, so
 * it travels as its file's bytes and each worker builds it once per file (by sha256).
 */
export interface LotTask {
  kind: "lot";
  request: LotCalculationRequest;
  reference: Uint8Array;
}

/** A lot task's answer: a lot that cannot be calculated is an answer too, so its error keeps its class. */
export type LotTaskResult =
  | { ok: true; lot: ReturnType<typeof calculateLotFigures> }
  | { ok: false; code: CalcInputError["code"]; message: string; read?: boolean };

export type WorkerTask = Scope3RenderTask | Scope3BuildTask | HoldTask | LotTask;

/** An error as it crosses the thread boundary (structured clone keeps no class). */
export interface TaskError {
  name: string;
  code?: string | undefined;
  message: string;
}

/** Runs a task: its value, and the buffers to transfer rather than copy. */
export async function runTask(task: WorkerTask): Promise<{ value: unknown; transfer: ArrayBuffer[] }> {
  if (task.kind === "hold") {
    await new Promise((resolve) => setTimeout(resolve, task.ms));
    return { value: task.ms, transfer: [] };
  }
  if (task.kind === "lot") {
    const result = calculateLotTask(task);
    if (!result.ok) return { value: result, transfer: [] };
    // The input and report JSON (tens of MB at the device cap) as transferred bytes: the API's thread neither
    // copies nor decodes them, and hands them on to the store's SQLite thread the same way.
    const { lot, transfer } = workerLot(result.lot);
    return { value: { ok: true, lot } satisfies LotTaskResult, transfer };
  }
  const body = await renderScope3(task.kind === "scope3" ? task.report : buildScope3(task), task.format);
  if (typeof body === "string") return { value: body, transfer: [] };
  // Copied into memory this thread owns, then transferred: a Buffer may be a view into Node's shared pool, and a
  // native addon's (resvg's PNG) is external memory that cannot be transferred at all (DataCloneError).
  const bytes = new Uint8Array(body.byteLength);
  bytes.set(body);
  return { value: bytes, transfer: [bytes.buffer] };
}

export async function renderScope3(report: Scope3Report, format: Scope3Format): Promise<string | Buffer> {
  switch (format) {
    case "json":
      return JSON.stringify(report);
    case "csv":
      return scope3Csv(report);
    case "html":
      return scope3Html(report);
    case "pdf":
      return scope3Pdf(report);
    case "svg":
      return scope3ChartSvg(report);
    case "png":
      return svgToPng(scope3ChartSvg(report));
  }
}

const tables = new Map<string, ReferenceTable>();

/** The reference table of a reference file's bytes, built once per file (by sha256). */
function referenceTable(reference: Uint8Array): ReferenceTable {
  const sha256 = createHash("sha256").update(reference).digest("hex");
  let table = tables.get(sha256);
  if (!table) {
    const rows = parseReferenceCsv(new TextDecoder("utf-8").decode(reference));
    table = buildReferenceTable(rows, { sha256, source: REFERENCE_SOURCE, license: REFERENCE_LICENSE });
    tables.clear(); // one reference file per API: keep only the latest
    tables.set(sha256, table);
  }
  return table;
}

/**
 * The report of a Scope3BuildTask (as core/documents scope3ForAccount builds it), with the task's reference file
 * or the `table` given. @throws Scope3InputError
 */
export function buildScope3(task: Scope3BuildTask, table?: ReferenceTable): Scope3Report {
  const inventory =
    "csv" in task.inventory ? parseInventoryCsv(task.inventory.csv, task.input.reportingYear) : task.inventory;
  const reference = table ?? referenceTable(task.reference);
  const report = scope3Report({ ...task.input, inventory, reference });
  return { ...report, readAt: task.input.readAt };
}

export function calculateLotTask(task: LotTask): LotTaskResult {
  const table = referenceTable(task.reference);
  try {
    return { ok: true, lot: calculateLotFigures(task.request, table) };
  } catch (error) {
    if (error instanceof CalcInputError) {
      return { ok: false, code: error.code, message: error.message, read: error instanceof LotReadError };
    }
    throw error;
  }
}

/** What crosses back for a failed task. */
export function taskError(error: unknown): TaskError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, code: typeof code === "string" ? code : undefined, message: error.message };
  }
  return { name: "Error", message: String(error) };
}
