/**
 * The messages between the upload screen and the calculation worker (worker.ts). Type-only imports of the
 * calculation: the page's bundle carries none of its code, only the worker's chunk does.
 */
import type { BrowserLotOptions, BrowserLotResult } from "../../../core/calc/browser.ts";

export type { BrowserLotOptions, BrowserLotResult };

export interface CalcRequest {
  id: number;
  /** The lot file's text: exactly what the screen submits afterwards. */
  lotCsv: string;
  options: BrowserLotOptions;
  /** Where the reference data is (GET /reference-data of this registry). */
  referenceUrl: string;
}

/** Why a lot cannot be calculated at all: a calculation code (BAD_HEADER, …) or the API's problem code. */
export interface CalcFailure {
  code: string;
  message: string;
  /** The HTTP status when the reference data could not be fetched. */
  status?: number;
}

/** Excluded rows the worker sends with their problems; the rest are counted (the report lists every one). */
export const MAX_ROWS_SHOWN = 500;

/**
 * The calculation as the screen gets it: `exclusions` and `problems` cut to the first MAX_ROWS_SHOWN excluded rows,
 * because copying tens of thousands of row objects to the page would hold its thread; the counts stay whole.
 */
export interface ShownLotResult extends BrowserLotResult {
  /** Excluded rows in the lot (`exclusions` holds the first MAX_ROWS_SHOWN). */
  exclusionCount: number;
}

export type CalcReply =
  { id: number; ok: true; result: ShownLotResult; ms: number } | { id: number; ok: false; error: CalcFailure };
