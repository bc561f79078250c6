/** Typed errors of the oracle service: a stable `code`, a short message and, where useful, details. */

export const ORACLE_ERROR_CODES = {
  LOT_INVALID: 422,
  LOT_DUPLICATE: 409,
  LOT_NOTHING_ELIGIBLE: 422,
  NOT_FOUND: 404,
  BATCH_STATE: 409,
  NOT_A_PARTICIPANT: 422,
  INVALID_ADDRESS: 400,
  SIGNATURE_INVALID: 422,
  SIGNER_NOT_AUDITOR: 403,
  ALREADY_SIGNED: 409,
  ATTESTATION_EXPIRED: 409,
  CHAIN_UNAVAILABLE: 503,
} as const;

export type OracleErrorCode = keyof typeof ORACLE_ERROR_CODES;

export class OracleError extends Error {
  override readonly name = "OracleError";
  readonly code: OracleErrorCode;
  /** The HTTP status this error maps to in the API. */
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: OracleErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.status = ORACLE_ERROR_CODES[code];
    this.details = details;
  }
}
