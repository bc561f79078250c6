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

export type CalcReply =
  { id: number; ok: true; result: BrowserLotResult; ms: number } | { id: number; ok: false; error: CalcFailure };
