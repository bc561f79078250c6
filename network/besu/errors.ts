/** Typed errors of the Besu network generator: a stable `code`, a one-line message and, where useful, details. */
import { CodedError } from "../../sdk/src/errors.ts";

export type BesuNetworkErrorCode =
  /** An option is missing, malformed or out of range; `details.issues` lists every problem found. */
  | "INVALID_OPTIONS"
  /** A key, address or enode is not what it claims to be. */
  | "INVALID_KEY"
  /** Bytes that should be QBFT `extraData` are not. */
  | "INVALID_EXTRA_DATA"
  /** The output directory exists and is not empty (pass `force` to write into it anyway). */
  | "OUTPUT_EXISTS";

export class BesuNetworkError extends CodedError<BesuNetworkErrorCode> {
  constructor(
    code: BesuNetworkErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(code, message, { ...(details ? { details } : {}), ...(options ?? {}) });
  }
}
