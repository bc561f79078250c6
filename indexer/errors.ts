/** Typed errors of the indexer: a stable machine-readable `code`, a short message and the `cause`. */

export const INDEXER_ERROR_CODES = {
  /** Bad configuration (store URL, schema name, ranges). */
  CONFIG: 500,
  /** A query filter is invalid (e.g. not an address). */
  INVALID_FILTER: 400,
  /** The chain changed under a range being read (node restarted or replaced); the range was not applied. */
  CHAIN_CHANGED: 503,
  /** Another indexer advanced the same store first; this range was not applied. */
  CONCURRENT_WRITER: 409,
  /** The index contradicts itself (e.g. a balance below zero): it did not start at the registry's deployment. */
  INCONSISTENT: 500,
  /** The store refused an operation. */
  STORE: 500,
} as const;

export type IndexerErrorCode = keyof typeof INDEXER_ERROR_CODES;

export class IndexerError extends Error {
  override readonly name = "IndexerError";
  readonly code: IndexerErrorCode;
  /** The HTTP status this error maps to in the API. */
  readonly status: number;

  constructor(code: IndexerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = INDEXER_ERROR_CODES[code];
  }
}
