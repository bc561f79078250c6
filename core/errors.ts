/** Errors of the registry's services (lots, batches, signatures): stable codes on the one error base. */
import { CodedError } from "../sdk/src/errors.ts";

export const SERVICE_ERROR_CODES = [
  "LOT_INVALID",
  "LOT_DUPLICATE",
  "LOT_NOTHING_ELIGIBLE",
  "NOT_FOUND",
  "BATCH_STATE",
  "NOT_A_PARTICIPANT",
  "INVALID_ADDRESS",
  "SIGNATURE_INVALID",
  "SIGNER_NOT_AUDITOR",
  "ALREADY_SIGNED",
  "ATTESTATION_EXPIRED",
  "SAMPLE_INCOMPLETE",
  "CHAIN_UNAVAILABLE",
  "EXTERNAL_SET_UNAVAILABLE",
] as const;

export type OracleErrorCode = (typeof SERVICE_ERROR_CODES)[number];

export class OracleError extends CodedError<OracleErrorCode> {
  constructor(
    code: OracleErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(code, message, { ...(details ? { details } : {}), ...(options ?? {}) });
  }
}
