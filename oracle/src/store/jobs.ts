/**
 * The oracle's durable job store: lots, batches (with their state machine and every transition), reserved
 * device ids, auditor signatures and chain transactions. SQLite (node:sqlite) in WAL mode; every state change
 * is one transaction, so a crash leaves either the old or the new state, never half of one.
 *
 * JobStore is the entry point; the schema (schema.ts), the rows (rows.ts), the state machine (transitions.ts) and
 * the worker lease (leases.ts) each have their own file.
 */
import type { DatabaseSync } from "node:sqlite";

import { openDatabase } from "../../../core/db/sqlite.ts";
import { Leases, type LeaseHolder, type LeaseResult, type LeaseRow } from "./leases.ts";
import {
  Rows,
  type BatchRow,
  type ChainTxRow,
  type LotRow,
  type LotStatus,
  type SignatureRow,
  type TransitionRow,
  type UnattributedSignatureRow,
} from "./rows.ts";
import { MIGRATIONS } from "./schema.ts";
import { BATCH_STATES, moveBatch, type BatchState } from "./transitions.ts";

/** Typed access to the job tables. All writes go through here. */
export class JobStore {
  readonly db: DatabaseSync;
  readonly #rows: Rows;
  readonly #leases: Leases;
  #closed = false;

  private constructor(db: DatabaseSync, now: () => Date) {
    this.db = db;
    this.#rows = new Rows(db, now);
    this.#leases = new Leases(this.#rows);
  }

  static async open(path: string, now: () => Date = () => new Date()): Promise<JobStore> {
    return new JobStore(await openDatabase(path, MIGRATIONS), now);
  }

  /** Releases the leases taken through this connection (a clean shutdown frees the worker lease at once). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#leases.releaseAll();
    this.db.close();
  }

  tx<T>(fn: () => T): T {
    return this.#rows.tx(fn);
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
    const seq = (this.#rows.get<{ s: number | null }>("SELECT MAX(seq) AS s FROM lots")?.s ?? 0) + 1;
    const id = `L${seq}`;
    const at = this.#rows.iso();
    this.#rows.run(
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
    return this.#rows.get<LotRow>("SELECT * FROM lots WHERE id = ?", id);
  }

  lotByRef(refurbisher: string, lotRef: string): LotRow | undefined {
    return this.#rows.get<LotRow>("SELECT * FROM lots WHERE refurbisher = ? AND lot_ref = ?", refurbisher, lotRef);
  }

  lotsByStatus(status: LotStatus): LotRow[] {
    return this.#rows.all<LotRow>("SELECT * FROM lots WHERE status = ? ORDER BY seq", status);
  }

  listLots(filter: { refurbisher?: string; limit?: number; offset?: number } = {}): LotRow[] {
    const limit = filter.limit ?? 100;
    const offset = filter.offset ?? 0;
    if (filter.refurbisher) {
      return this.#rows.all<LotRow>(
        "SELECT * FROM lots WHERE refurbisher = ? ORDER BY seq DESC LIMIT ? OFFSET ?",
        filter.refurbisher,
        limit,
        offset,
      );
    }
    return this.#rows.all<LotRow>("SELECT * FROM lots ORDER BY seq DESC LIMIT ? OFFSET ?", limit, offset);
  }

  setLotCalculated(
    id: string,
    r: { report_json: string; report_hash: string; reference_sha256: string; summary_json: string },
  ): void {
    this.#rows.run(
      `UPDATE lots SET status = 'calculated', report_json = ?, report_hash = ?, reference_sha256 = ?, summary_json = ?,
         error = NULL, updated_at = ? WHERE id = ?`,
      r.report_json,
      r.report_hash,
      r.reference_sha256,
      r.summary_json,
      this.#rows.iso(),
      id,
    );
  }

  setLotFailed(id: string, error: string): void {
    this.#rows.run(
      "UPDATE lots SET status = 'failed', error = ?, updated_at = ? WHERE id = ?",
      error,
      this.#rows.iso(),
      id,
    );
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
    const at = this.#rows.iso();
    this.#rows.run(
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
    this.#rows.run(
      "INSERT INTO transitions (batch_id, from_state, to_state, at, note) VALUES (?, NULL, 'submitted', ?, NULL)",
      b.id,
      submittedAt,
    );
  }

  batch(id: string): BatchRow | undefined {
    return this.#rows.get<BatchRow>("SELECT * FROM batches WHERE id = ?", id);
  }

  batchesOfLot(lotId: string): BatchRow[] {
    return this.#rows.all<BatchRow>("SELECT * FROM batches WHERE lot_id = ? ORDER BY created_at, id", lotId);
  }

  batchesInState(...states: BatchState[]): BatchRow[] {
    return this.#rows.all<BatchRow>(
      `SELECT * FROM batches WHERE state IN (${states.map(() => "?").join(",")}) ORDER BY created_at, id`,
      ...states,
    );
  }

  batchByTokenId(tokenId: string): BatchRow | undefined {
    return this.#rows.get<BatchRow>("SELECT * FROM batches WHERE token_id = ?", tokenId);
  }

  /** Moves a batch to `to`; with `from`, only if it is still in `from` (see moveBatch in transitions.ts). */
  transition(
    id: string,
    to: BatchState,
    note: string | null = null,
    set: Partial<BatchRow> = {},
    from?: BatchState,
  ): BatchRow {
    return moveBatch(this, this.#rows, id, to, note, set, from);
  }

  /** Updates retry bookkeeping (no state change). */
  setRetry(id: string, attempts: number, nextAttemptAt: number, error: string | null): void {
    this.#rows.run(
      "UPDATE batches SET attempts = ?, next_attempt_at = ?, error = ?, updated_at = ? WHERE id = ?",
      attempts,
      nextAttemptAt,
      error,
      this.#rows.iso(),
      id,
    );
  }

  /** Records a non-transient error of the batch's current step and when to try it again (no state change). */
  setFailure(id: string, failures: number, nextAttemptAt: number, error: string): void {
    this.#rows.run(
      "UPDATE batches SET failures = ?, next_attempt_at = ?, error = ?, updated_at = ? WHERE id = ?",
      failures,
      nextAttemptAt,
      error,
      this.#rows.iso(),
      id,
    );
  }

  transitions(batchId: string): TransitionRow[] {
    return this.#rows.all<TransitionRow>("SELECT * FROM transitions WHERE batch_id = ? ORDER BY id", batchId);
  }

  countByState(): Record<string, number> {
    const out: Record<string, number> = Object.fromEntries(BATCH_STATES.map((s) => [s, 0]));
    for (const r of this.#rows.all<{ state: string; n: number }>(
      "SELECT state, COUNT(*) AS n FROM batches GROUP BY state",
    )) {
      out[r.state] = r.n;
    }
    return out;
  }

  // --- device exclusivity -----------------------------------------------------------------------------------

  /** For each of `ids` that a batch (pending or issued) reserves: that batch. */
  #deviceBatches(ids: readonly string[]): Map<string, string> {
    const found = new Map<string, string>();
    const stmt = this.db.prepare("SELECT batch_id FROM batch_devices WHERE device_id = ?");
    for (const id of ids) {
      const row = stmt.get(id) as { batch_id: string } | undefined;
      if (row) found.set(id, row.batch_id);
    }
    return found;
  }

  /** Device ids among `ids` already reserved by another batch (pending or issued). */
  reservedDevices(ids: readonly string[], exceptBatch?: string): Set<string> {
    const found = new Set<string>();
    for (const [id, batch] of this.#deviceBatches(ids)) if (batch !== exceptBatch) found.add(id);
    return found;
  }

  /** The batches holding any of these device ids, with how many of them each holds. */
  holdersOf(ids: readonly string[]): Map<string, number> {
    const held = new Map<string, number>();
    for (const batch of this.#deviceBatches(ids).values()) held.set(batch, (held.get(batch) ?? 0) + 1);
    return held;
  }

  /** Reserves device ids for a batch; the primary key makes a second reservation impossible. */
  reserveDevices(batchId: string, ids: readonly string[]): void {
    const stmt = this.db.prepare("INSERT INTO batch_devices (device_id, batch_id) VALUES (?, ?)");
    for (const id of ids) stmt.run(id, batchId);
  }

  releaseDevices(batchId: string): void {
    this.#rows.run("DELETE FROM batch_devices WHERE batch_id = ?", batchId);
  }

  devicesOfBatch(batchId: string): string[] {
    return this.#rows
      .all<{ device_id: string }>("SELECT device_id FROM batch_devices WHERE batch_id = ?", batchId)
      .map((r) => r.device_id);
  }

  // --- signatures -------------------------------------------------------------------------------------------

  addSignature(s: Omit<SignatureRow, "id" | "created_at">): void {
    this.#rows.run(
      "INSERT INTO signatures (batch_id, digest, auditor, signature, status, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      s.batch_id,
      s.digest,
      s.auditor,
      s.signature,
      s.status,
      s.reason,
      this.#rows.iso(),
    );
  }

  signatures(batchId: string): SignatureRow[] {
    return this.#rows.all<SignatureRow>("SELECT * FROM signatures WHERE batch_id = ? ORDER BY id", batchId);
  }

  acceptedSignatures(batchId: string, digest: string): SignatureRow[] {
    return this.#rows.all<SignatureRow>(
      "SELECT * FROM signatures WHERE batch_id = ? AND digest = ? AND status = 'accepted' ORDER BY id",
      batchId,
      digest,
    );
  }

  dropSignature(id: number, reason: string): void {
    this.#rows.run("UPDATE signatures SET status = 'dropped', reason = ? WHERE id = ?", reason, id);
  }

  addUnattributedSignature(s: Omit<UnattributedSignatureRow, "id" | "created_at">): void {
    this.#rows.run(
      `INSERT INTO unattributed_signatures (batch_id, digest, claimed_auditor, signature, reason, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      s.batch_id,
      s.digest,
      s.claimed_auditor,
      s.signature,
      s.reason,
      this.#rows.iso(),
    );
  }

  unattributedSignatures(batchId: string): UnattributedSignatureRow[] {
    return this.#rows.all<UnattributedSignatureRow>(
      "SELECT * FROM unattributed_signatures WHERE batch_id = ? ORDER BY id",
      batchId,
    );
  }

  // --- leases -----------------------------------------------------------------------------------------------

  lease(name: string): LeaseRow | undefined {
    return this.#leases.lease(name);
  }

  /** Takes or renews the lease `name` for `me` until `nowMs + ttlMs` (see Leases.acquire in leases.ts). */
  acquireLease(name: string, me: LeaseHolder, nowMs: number, ttlMs: number): LeaseResult {
    return this.#leases.acquire(name, me, nowMs, ttlMs);
  }

  /** Whether `holder` holds the lease `name` (call inside the transaction whose writes depend on it). */
  holdsLease(name: string, holder: string): boolean {
    return this.#leases.holds(name, holder);
  }

  releaseLease(name: string, holder: string): void {
    this.#leases.release(name, holder);
  }

  // --- chain transactions -----------------------------------------------------------------------------------

  insertTx(t: Pick<ChainTxRow, "hash" | "batch_id" | "nonce" | "raw">): void {
    const at = this.#rows.iso();
    this.#rows.run(
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
    this.#rows.run(
      "UPDATE chain_txs SET status = ?, block_number = COALESCE(?, block_number), error = ?, updated_at = ? WHERE hash = ?",
      status,
      blockNumber,
      error,
      this.#rows.iso(),
      hash,
    );
  }

  txsOfBatch(batchId: string): ChainTxRow[] {
    return this.#rows.all<ChainTxRow>("SELECT * FROM chain_txs WHERE batch_id = ? ORDER BY nonce", batchId);
  }

  /** The highest nonce of a transaction not known to be replaced, or -1. */
  maxNonce(): number {
    return (
      this.#rows.get<{ n: number | null }>("SELECT MAX(nonce) AS n FROM chain_txs WHERE status != 'replaced'")?.n ?? -1
    );
  }
}
