/**
 * The job tables' rows as TypeScript sees them (`SELECT *` maps one column to one field, so no mapping code sits
 * between), and the typed query access every part of the store reads and writes through.
 */
import type { DatabaseSync, SQLInputValue } from "node:sqlite";

import { transaction } from "../../../core/db/sqlite.ts";
import type { BatchState } from "./transitions.ts";

export const LOT_STATUSES = ["submitted", "calculated", "failed"] as const;
export type LotStatus = (typeof LOT_STATUSES)[number];

export interface LotRow {
  id: string;
  seq: number;
  refurbisher: string;
  lot_ref: string;
  status: LotStatus;
  as_of: string;
  options_json: string;
  input_sha256: string;
  input_json: string;
  report_json: string | null;
  report_hash: string | null;
  reference_sha256: string | null;
  summary_json: string | null;
  correlation_id: string;
  error: string | null;
  submitted_at: string;
  updated_at: string;
}

export interface BatchRow {
  id: string;
  lot_id: string;
  category: string;
  state: BatchState;
  certificates: number;
  baseline_grams: string;
  reduction_grams: string;
  device_root: string | null;
  vintage_start: string | null;
  vintage_end: string | null;
  reason: string | null;
  error: string | null;
  attestation_json: string | null;
  digest: string | null;
  deadline: number | null;
  token_id: string | null;
  /** Transient (RPC) retries of the current step. */
  attempts: number;
  /** Non-transient errors of the current step; reset when the batch changes state. */
  failures: number;
  next_attempt_at: number;
  created_at: string;
  updated_at: string;
}

export interface SignatureRow {
  id: number;
  batch_id: string;
  digest: string;
  auditor: string;
  signature: string;
  status: "accepted" | "refused" | "dropped";
  reason: string | null;
  created_at: string;
}

/** A signature that did not verify for the auditor it named: recorded, but never as that auditor's. */
export interface UnattributedSignatureRow {
  id: number;
  batch_id: string;
  digest: string;
  claimed_auditor: string;
  signature: string;
  reason: string;
  created_at: string;
}

export interface TransitionRow {
  id: number;
  batch_id: string;
  from_state: BatchState | null;
  to_state: BatchState;
  at: string;
  note: string | null;
}

export interface ChainTxRow {
  hash: string;
  batch_id: string;
  nonce: number;
  raw: string;
  status: "signed" | "broadcast" | "mined" | "reverted" | "replaced";
  block_number: number | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}

/** Typed statements on the job database, stamped with the store's clock. */
export class Rows {
  readonly db: DatabaseSync;
  readonly #now: () => Date;

  constructor(db: DatabaseSync, now: () => Date) {
    this.db = db;
    this.#now = now;
  }

  /** Runs `fn` in one IMMEDIATE transaction (see core/db/sqlite.ts). */
  tx<T>(fn: () => T): T {
    return transaction(this.db, fn);
  }

  /** Now, as the ISO 8601 text stored in `*_at` columns. */
  iso(): string {
    return this.#now().toISOString();
  }

  get<T>(sql: string, ...params: SQLInputValue[]): T | undefined {
    return this.db.prepare(sql).get(...params) as T | undefined;
  }

  all<T>(sql: string, ...params: SQLInputValue[]): T[] {
    return this.db.prepare(sql).all(...params) as T[];
  }

  /** Runs a write; returns the number of rows it changed. */
  run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.db.prepare(sql).run(...params).changes);
  }
}
