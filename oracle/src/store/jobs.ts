/**
 * The oracle's durable job store: lots, batches (with their state machine and every transition), reserved
 * device ids, auditor signatures and chain transactions. SQLite (node:sqlite) in WAL mode; every state change
 * is one transaction, so a crash leaves either the old or the new state, never half of one.
 */
import type { DatabaseSync, SQLInputValue } from "node:sqlite";

import { openDatabase, transaction, type Migration } from "./sqlite.ts";

/** Batch states (issue 4). Terminal: confirmed, rejected, not_issuable, failed. */
export const BATCH_STATES = [
  "submitted",
  "calculated",
  "awaiting_signatures",
  "ready",
  "posted",
  "confirmed",
  "rejected",
  "not_issuable",
  "failed",
] as const;
export type BatchState = (typeof BATCH_STATES)[number];

/** Which state may follow which; anything else is a bug and throws. */
const NEXT: Record<BatchState, readonly BatchState[]> = {
  submitted: ["calculated", "failed"],
  calculated: ["awaiting_signatures", "not_issuable", "failed"],
  awaiting_signatures: ["awaiting_signatures", "ready", "rejected", "failed", "confirmed"],
  ready: ["awaiting_signatures", "ready", "posted", "rejected", "failed", "confirmed"],
  posted: ["posted", "confirmed", "failed", "ready"],
  confirmed: [],
  rejected: [],
  not_issuable: [],
  failed: [],
};

/** States whose device ids stay reserved (pending or issued). */
export const RESERVING_STATES: readonly BatchState[] = [
  "calculated",
  "awaiting_signatures",
  "ready",
  "posted",
  "confirmed",
];

export const LOT_STATUSES = ["submitted", "calculated", "failed"] as const;
export type LotStatus = (typeof LOT_STATUSES)[number];

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "oracle jobs",
    sql: `
      CREATE TABLE lots (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        refurbisher TEXT NOT NULL,
        lot_ref TEXT NOT NULL,
        status TEXT NOT NULL,
        as_of TEXT NOT NULL,
        options_json TEXT NOT NULL,
        input_sha256 TEXT NOT NULL,
        input_json TEXT NOT NULL,
        report_json TEXT,
        report_hash TEXT,
        reference_sha256 TEXT,
        summary_json TEXT,
        correlation_id TEXT NOT NULL,
        error TEXT,
        submitted_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (refurbisher, lot_ref)
      );
      CREATE INDEX lots_status ON lots(status);
      CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        lot_id TEXT NOT NULL REFERENCES lots(id),
        category TEXT NOT NULL,
        state TEXT NOT NULL,
        certificates INTEGER NOT NULL,
        baseline_grams TEXT NOT NULL,
        reduction_grams TEXT NOT NULL,
        device_root TEXT,
        vintage_start TEXT,
        vintage_end TEXT,
        reason TEXT,
        error TEXT,
        attestation_json TEXT,
        digest TEXT,
        deadline INTEGER,
        token_id TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (lot_id, category)
      );
      CREATE INDEX batches_state ON batches(state);
      CREATE TABLE batch_devices (
        device_id TEXT PRIMARY KEY,
        batch_id TEXT NOT NULL REFERENCES batches(id)
      );
      CREATE INDEX batch_devices_batch ON batch_devices(batch_id);
      CREATE TABLE transitions (
        id INTEGER PRIMARY KEY,
        batch_id TEXT NOT NULL REFERENCES batches(id),
        from_state TEXT,
        to_state TEXT NOT NULL,
        at TEXT NOT NULL,
        note TEXT
      );
      CREATE INDEX transitions_batch ON transitions(batch_id);
      CREATE TABLE signatures (
        id INTEGER PRIMARY KEY,
        batch_id TEXT NOT NULL REFERENCES batches(id),
        digest TEXT NOT NULL,
        auditor TEXT NOT NULL,
        signature TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        created_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX signatures_accepted ON signatures(batch_id, digest, auditor) WHERE status = 'accepted';
      CREATE TABLE chain_txs (
        hash TEXT PRIMARY KEY,
        batch_id TEXT NOT NULL REFERENCES batches(id),
        nonce INTEGER NOT NULL,
        raw TEXT NOT NULL,
        status TEXT NOT NULL,
        block_number INTEGER,
        error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX chain_txs_batch ON chain_txs(batch_id);
    `,
  },
];

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
  attempts: number;
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

/** Thrown on an impossible state change (a bug, never user input). */
export class StateTransitionError extends Error {
  override readonly name = "StateTransitionError";
}

/** Typed access to the job tables. All writes go through here. */
export class JobStore {
  readonly db: DatabaseSync;
  readonly #now: () => Date;

  private constructor(db: DatabaseSync, now: () => Date) {
    this.db = db;
    this.#now = now;
  }

  static async open(path: string, now: () => Date = () => new Date()): Promise<JobStore> {
    return new JobStore(await openDatabase(path, MIGRATIONS), now);
  }

  close(): void {
    this.db.close();
  }

  tx<T>(fn: () => T): T {
    return transaction(this.db, fn);
  }

  private iso(): string {
    return this.#now().toISOString();
  }

  private get<T>(sql: string, ...params: SQLInputValue[]): T | undefined {
    return this.db.prepare(sql).get(...params) as T | undefined;
  }

  private all<T>(sql: string, ...params: SQLInputValue[]): T[] {
    return this.db.prepare(sql).all(...params) as T[];
  }

  private run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.db.prepare(sql).run(...params).changes);
  }

  // --- lots -------------------------------------------------------------------------------------------------

  insertLot(
    lot: Omit<
      LotRow,
      | "id"
      | "seq"
      | "report_json"
      | "report_hash"
      | "reference_sha256"
      | "summary_json"
      | "error"
      | "submitted_at"
      | "updated_at"
      | "status"
    >,
  ): LotRow {
    const seq = (this.get<{ s: number | null }>("SELECT MAX(seq) AS s FROM lots")?.s ?? 0) + 1;
    const id = `L${seq}`;
    const at = this.iso();
    this.run(
      `INSERT INTO lots (id, seq, refurbisher, lot_ref, status, as_of, options_json, input_sha256, input_json,
         correlation_id, submitted_at, updated_at) VALUES (?, ?, ?, ?, 'submitted', ?, ?, ?, ?, ?, ?, ?)`,
      id,
      seq,
      lot.refurbisher,
      lot.lot_ref,
      lot.as_of,
      lot.options_json,
      lot.input_sha256,
      lot.input_json,
      lot.correlation_id,
      at,
      at,
    );
    return this.lot(id)!;
  }

  lot(id: string): LotRow | undefined {
    return this.get<LotRow>("SELECT * FROM lots WHERE id = ?", id);
  }

  lotByRef(refurbisher: string, lotRef: string): LotRow | undefined {
    return this.get<LotRow>("SELECT * FROM lots WHERE refurbisher = ? AND lot_ref = ?", refurbisher, lotRef);
  }

  lotsByStatus(status: LotStatus): LotRow[] {
    return this.all<LotRow>("SELECT * FROM lots WHERE status = ? ORDER BY seq", status);
  }

  listLots(filter: { refurbisher?: string; limit?: number; offset?: number } = {}): LotRow[] {
    const limit = filter.limit ?? 100;
    const offset = filter.offset ?? 0;
    if (filter.refurbisher) {
      return this.all<LotRow>(
        "SELECT * FROM lots WHERE refurbisher = ? ORDER BY seq DESC LIMIT ? OFFSET ?",
        filter.refurbisher,
        limit,
        offset,
      );
    }
    return this.all<LotRow>("SELECT * FROM lots ORDER BY seq DESC LIMIT ? OFFSET ?", limit, offset);
  }

  setLotCalculated(
    id: string,
    r: { report_json: string; report_hash: string; reference_sha256: string; summary_json: string },
  ): void {
    this.run(
      `UPDATE lots SET status = 'calculated', report_json = ?, report_hash = ?, reference_sha256 = ?, summary_json = ?,
         error = NULL, updated_at = ? WHERE id = ?`,
      r.report_json,
      r.report_hash,
      r.reference_sha256,
      r.summary_json,
      this.iso(),
      id,
    );
  }

  setLotFailed(id: string, error: string): void {
    this.run("UPDATE lots SET status = 'failed', error = ?, updated_at = ? WHERE id = ?", error, this.iso(), id);
  }

  // --- batches ----------------------------------------------------------------------------------------------

  /** Creates a batch in `submitted` and records that transition at the lot's submission time. */
  insertBatch(
    b: Pick<
      BatchRow,
      | "id"
      | "lot_id"
      | "category"
      | "certificates"
      | "baseline_grams"
      | "reduction_grams"
      | "device_root"
      | "vintage_start"
      | "vintage_end"
    >,
    submittedAt: string,
  ): void {
    const at = this.iso();
    this.run(
      `INSERT INTO batches (id, lot_id, category, state, certificates, baseline_grams, reduction_grams, device_root,
         vintage_start, vintage_end, created_at, updated_at) VALUES (?, ?, ?, 'submitted', ?, ?, ?, ?, ?, ?, ?, ?)`,
      b.id,
      b.lot_id,
      b.category,
      b.certificates,
      b.baseline_grams,
      b.reduction_grams,
      b.device_root,
      b.vintage_start,
      b.vintage_end,
      at,
      at,
    );
    this.run(
      "INSERT INTO transitions (batch_id, from_state, to_state, at, note) VALUES (?, NULL, 'submitted', ?, NULL)",
      b.id,
      submittedAt,
    );
  }

  batch(id: string): BatchRow | undefined {
    return this.get<BatchRow>("SELECT * FROM batches WHERE id = ?", id);
  }

  batchesOfLot(lotId: string): BatchRow[] {
    return this.all<BatchRow>("SELECT * FROM batches WHERE lot_id = ? ORDER BY created_at, id", lotId);
  }

  batchesInState(...states: BatchState[]): BatchRow[] {
    return this.all<BatchRow>(
      `SELECT * FROM batches WHERE state IN (${states.map(() => "?").join(",")}) ORDER BY created_at, id`,
      ...states,
    );
  }

  batchByTokenId(tokenId: string): BatchRow | undefined {
    return this.get<BatchRow>("SELECT * FROM batches WHERE token_id = ?", tokenId);
  }

  /**
   * Moves a batch to `to` (checking the transition is allowed), records it with a timestamp and note, and sets
   * any other columns given. Device ids are released when the batch leaves the reserving states.
   */
  transition(id: string, to: BatchState, note: string | null = null, set: Partial<BatchRow> = {}): BatchRow {
    const current = this.batch(id);
    if (!current) throw new StateTransitionError(`no batch ${id}`);
    if (!NEXT[current.state].includes(to)) {
      throw new StateTransitionError(`batch ${id}: ${current.state} → ${to} is not a valid transition`);
    }
    const columns = Object.entries(set).filter(([k]) => k !== "id" && k !== "state");
    const assignments = ["state = ?", "updated_at = ?", ...columns.map(([k]) => `${k} = ?`)].join(", ");
    this.run(
      `UPDATE batches SET ${assignments} WHERE id = ?`,
      to,
      this.iso(),
      ...columns.map(([, v]) => v as SQLInputValue),
      id,
    );
    this.run(
      "INSERT INTO transitions (batch_id, from_state, to_state, at, note) VALUES (?, ?, ?, ?, ?)",
      id,
      current.state,
      to,
      this.iso(),
      note,
    );
    if (!RESERVING_STATES.includes(to)) this.releaseDevices(id);
    return this.batch(id)!;
  }

  /** Updates retry bookkeeping (no state change). */
  setRetry(id: string, attempts: number, nextAttemptAt: number, error: string | null): void {
    this.run(
      "UPDATE batches SET attempts = ?, next_attempt_at = ?, error = ?, updated_at = ? WHERE id = ?",
      attempts,
      nextAttemptAt,
      error,
      this.iso(),
      id,
    );
  }

  transitions(batchId: string): TransitionRow[] {
    return this.all<TransitionRow>("SELECT * FROM transitions WHERE batch_id = ? ORDER BY id", batchId);
  }

  countByState(): Record<string, number> {
    const out: Record<string, number> = Object.fromEntries(BATCH_STATES.map((s) => [s, 0]));
    for (const r of this.all<{ state: string; n: number }>("SELECT state, COUNT(*) AS n FROM batches GROUP BY state")) {
      out[r.state] = r.n;
    }
    return out;
  }

  // --- device exclusivity -----------------------------------------------------------------------------------

  /** Device ids among `ids` already reserved by another batch (pending or issued). */
  reservedDevices(ids: readonly string[], exceptBatch?: string): Set<string> {
    const found = new Set<string>();
    const stmt = this.db.prepare("SELECT batch_id FROM batch_devices WHERE device_id = ?");
    for (const id of ids) {
      const row = stmt.get(id) as { batch_id: string } | undefined;
      if (row && row.batch_id !== exceptBatch) found.add(id);
    }
    return found;
  }

  /** Reserves device ids for a batch; the primary key makes a second reservation impossible. */
  reserveDevices(batchId: string, ids: readonly string[]): void {
    const stmt = this.db.prepare("INSERT INTO batch_devices (device_id, batch_id) VALUES (?, ?)");
    for (const id of ids) stmt.run(id, batchId);
  }

  releaseDevices(batchId: string): void {
    this.run("DELETE FROM batch_devices WHERE batch_id = ?", batchId);
  }

  devicesOfBatch(batchId: string): string[] {
    return this.all<{ device_id: string }>("SELECT device_id FROM batch_devices WHERE batch_id = ?", batchId).map(
      (r) => r.device_id,
    );
  }

  // --- signatures -------------------------------------------------------------------------------------------

  addSignature(s: Omit<SignatureRow, "id" | "created_at">): void {
    this.run(
      "INSERT INTO signatures (batch_id, digest, auditor, signature, status, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      s.batch_id,
      s.digest,
      s.auditor,
      s.signature,
      s.status,
      s.reason,
      this.iso(),
    );
  }

  signatures(batchId: string): SignatureRow[] {
    return this.all<SignatureRow>("SELECT * FROM signatures WHERE batch_id = ? ORDER BY id", batchId);
  }

  acceptedSignatures(batchId: string, digest: string): SignatureRow[] {
    return this.all<SignatureRow>(
      "SELECT * FROM signatures WHERE batch_id = ? AND digest = ? AND status = 'accepted' ORDER BY id",
      batchId,
      digest,
    );
  }

  dropSignature(id: number, reason: string): void {
    this.run("UPDATE signatures SET status = 'dropped', reason = ? WHERE id = ?", reason, id);
  }

  // --- chain transactions -----------------------------------------------------------------------------------

  insertTx(t: Pick<ChainTxRow, "hash" | "batch_id" | "nonce" | "raw">): void {
    const at = this.iso();
    this.run(
      "INSERT INTO chain_txs (hash, batch_id, nonce, raw, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'signed', ?, ?)",
      t.hash,
      t.batch_id,
      t.nonce,
      t.raw,
      at,
      at,
    );
  }

  setTxStatus(
    hash: string,
    status: ChainTxRow["status"],
    blockNumber: number | null = null,
    error: string | null = null,
  ): void {
    this.run(
      "UPDATE chain_txs SET status = ?, block_number = COALESCE(?, block_number), error = ?, updated_at = ? WHERE hash = ?",
      status,
      blockNumber,
      error,
      this.iso(),
      hash,
    );
  }

  txsOfBatch(batchId: string): ChainTxRow[] {
    return this.all<ChainTxRow>("SELECT * FROM chain_txs WHERE batch_id = ? ORDER BY nonce", batchId);
  }

  /** The highest nonce of a transaction not known to be replaced, or -1. */
  maxNonce(): number {
    return this.get<{ n: number | null }>("SELECT MAX(nonce) AS n FROM chain_txs WHERE status != 'replaced'")?.n ?? -1;
  }
}
