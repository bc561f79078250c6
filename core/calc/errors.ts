/** Whole-lot failures of the calculation and its input adapters. Row-level problems are exclusions, not errors. */
import { CodedError } from "../../sdk/src/errors.ts";

export const CALC_ERROR_CODES = [
  /** The lot has no device rows. */
  "LOT_EMPTY",
  /** The CSV header is not exactly the expected columns. */
  "BAD_HEADER",
  /** The CSV is malformed beyond one row (e.g. an unclosed quote). */
  "BAD_CSV",
  /** The JSON lot body does not match the schema. */
  "BAD_JSON",
  /** The lot file cannot be read. */
  "UNREADABLE_FILE",
  /** A lot-level option (as-of date, default transport, …) is invalid. */
  "BAD_OPTIONS",
  /** The reference table is missing, unreadable or lacks a required column. */
  "BAD_REFERENCE",
  /** A batch has more devices than the Merkle builder supports (2^24 − 1). */
  "LOT_TOO_LARGE",
] as const;
export type CalcErrorCode = (typeof CALC_ERROR_CODES)[number];

/** A lot that cannot be calculated at all. `message` is one line meant for a human; `code` is stable. */
export class CalcInputError extends CodedError<CalcErrorCode> {
  constructor(code: CalcErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
