/** Errors of the indexer, on the one error base: a stable code, a short message and the `cause`. */
import { CodedError } from "../sdk/src/errors.ts";

export const INDEXER_ERROR_CODES = [
  /** Bad configuration (store URL, schema name, ranges). */
  "CONFIG",
  /** A query filter is invalid (e.g. not an address). */
  "INVALID_FILTER",
  /** The chain changed under a range being read (node restarted or replaced); the range was not applied. */
  "CHAIN_CHANGED",
  /** Another indexer advanced the same store first; this range was not applied. */
  "CONCURRENT_WRITER",
  /** The index contradicts itself (e.g. a balance below zero): it did not start at the registry's deployment. */
  "INCONSISTENT",
  /** The store refused an operation. */
  "STORE",
] as const;

export type IndexerErrorCode = (typeof INDEXER_ERROR_CODES)[number];

export class IndexerError extends CodedError<IndexerErrorCode> {
  constructor(code: IndexerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
