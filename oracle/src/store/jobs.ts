/**
 * The oracle's durable job store: lots, batches (with their state machine and every transition), reserved
 * device ids, auditor signatures and chain transactions. SQLite (node:sqlite) in WAL mode; every state change
 * is one transaction, so a crash leaves either the old or the new state, never half of one.
 */
import { hostname } from "node:os";
import type { DatabaseSync, SQLInputValue } from "node:sqlite";

import { openDatabase, transaction, type Migration } from "../../../core/db/sqlite.ts";

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
  // No self-loops on ready or posted: a second "ready → posted" (a second worker posting the same batch) must be
  // impossible, not just unlikely.
  ready: ["awaiting_signatures", "posted", "rejected", "failed", "confirmed"],
  posted: ["confirmed", "failed", "ready"],
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
  {
    version: 2,
    name: "worker lease, per-batch failures, unattributed signatures",
    sql: `
      -- Non-transient errors of a batch's current step (transient RPC failures count in attempts, as before).
      ALTER TABLE batches ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
      -- At most one worker advances batches per database: it holds this row and renews it while it runs.
      CREATE TABLE worker_leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        acquired_at TEXT NOT NULL,
        renewed_at TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
      -- Signatures that do not verify for the auditor they name: anyone can post one, so they are kept apart and
      -- never shown as that auditor's refusal.
      CREATE TABLE unattributed_signatures (
        id INTEGER PRIMARY KEY,
        batch_id TEXT NOT NULL REFERENCES batches(id),
        digest TEXT NOT NULL,
        claimed_auditor TEXT NOT NULL,
        signature TEXT NOT NULL,
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX unattributed_signatures_batch ON unattributed_signatures(batch_id);
      -- Refusals recorded before this version without the signature verifying for the named auditor.
      INSERT INTO unattributed_signatures (batch_id, digest, claimed_auditor, signature, reason, created_at)
        SELECT batch_id, digest, auditor, signature, reason, created_at FROM signatures
        WHERE status = 'refused'
          AND (reason = 'the signature is not hex' OR reason LIKE 'the signature does not verify for %');
      DELETE FROM signatures
        WHERE status = 'refused'
          AND (reason = 'the signature is not hex' OR reason LIKE 'the signature does not verify for %');
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

/** Who holds a lease: a random id per worker instance, and where it runs (to notice a crashed local holder). */
export interface LeaseHolder {
  id: string;
  host: string;
  pid: number;
}

export interface LeaseRow {
  name: string;
  holder: string;
  host: string;
  pid: number;
  acquired_at: string;
  renewed_at: string;
  /** Unix milliseconds. */
  expires_at: number;
}

export type LeaseResult =
  | { acquired: true; lease: LeaseRow; tookOver: { from: LeaseRow; why: "expired" | "holder process gone" } | null }
  | { acquired: false; lease: LeaseRow };

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

/**
 * Thrown by a compare-and-set transition when the batch is no longer in the state the caller read (another
 * process moved it meanwhile). Nothing was written; the caller re-reads and decides again.
 */
export class StaleStateError extends Error {
  override readonly name = "StaleStateError";
}

/** This host and process, for lease rows. */
export function thisProcess(): Omit<LeaseHolder, "id"> {
  return { host: hostname(), pid: process.pid };
}

/** Whether a process with this id runs on this host (EPERM: it exists but belongs to another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Typed access to the job tables. All writes go through here. */
export class JobStore {
  readonly db: DatabaseSync;
  readonly #now: () => Date;

  private constructor(db: DatabaseSync, now: () => Date) {
    this.db = db;
    this.#now = now;
  }

  /** Leases this connection holds (name → holder id), released on close. */
  readonly #leases = new Map<string, string>();
  #closed = false;

  static async open(path: string, now: () => Date = () => new Date()): Promise<JobStore> {
    return new JobStore(await openDatabase(path, MIGRATIONS), now);
  }

  /** Releases the leases taken through this connection (a clean shutdown frees the worker lease at once). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [name, holder] of this.#leases) {
      try {
        this.releaseLease(name, holder);
      } catch {
        // Closing anyway: the lease then expires on its own.
      }
    }
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
   * any other columns given. Device ids are released when the batch leaves the reserving states. Leaving a state
   * resets its failure count.
   *
   * With `from`, the change is a compare-and-set: it is made only if the batch is still in `from`, else
   * StaleStateError (nothing written). The UPDATE itself is conditional on the state read, so even a caller
   * outside a transaction cannot overwrite a state another connection wrote meanwhile.
   */
  transition(
    id: string,
    to: BatchState,
    note: string | null = null,
    set: Partial<BatchRow> = {},
    from?: BatchState,
  ): BatchRow {
    const current = this.batch(id);
    if (!current) throw new StateTransitionError(`no batch ${id}`);
    if (from !== undefined && current.state !== from) {
      throw new StaleStateError(`batch ${id} is ${current.state}, no longer ${from}`);
    }
    if (!NEXT[current.state].includes(to)) {
      throw new StateTransitionError(`batch ${id}: ${current.state} → ${to} is not a valid transition`);
    }
    const values: Partial<BatchRow> =
      to !== current.state && set.failures === undefined ? { failures: 0, ...set } : set;
    const columns = Object.entries(values).filter(([k]) => k !== "id" && k !== "state");
    const assignments = ["state = ?", "updated_at = ?", ...columns.map(([k]) => `${k} = ?`)].join(", ");
    const changed = this.run(
      `UPDATE batches SET ${assignments} WHERE id = ? AND state = ?`,
      to,
      this.iso(),
      ...columns.map(([, v]) => v as SQLInputValue),
      id,
      current.state,
    );
    if (changed !== 1) throw new StaleStateError(`batch ${id} changed state while moving it to ${to}`);
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

  /** Records a non-transient error of the batch's current step and when to try it again (no state change). */
  setFailure(id: string, failures: number, nextAttemptAt: number, error: string): void {
    this.run(
      "UPDATE batches SET failures = ?, next_attempt_at = ?, error = ?, updated_at = ? WHERE id = ?",
      failures,
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

  addUnattributedSignature(s: Omit<UnattributedSignatureRow, "id" | "created_at">): void {
    this.run(
      `INSERT INTO unattributed_signatures (batch_id, digest, claimed_auditor, signature, reason, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      s.batch_id,
      s.digest,
      s.claimed_auditor,
      s.signature,
      s.reason,
      this.iso(),
    );
  }

  unattributedSignatures(batchId: string): UnattributedSignatureRow[] {
    return this.all<UnattributedSignatureRow>(
      "SELECT * FROM unattributed_signatures WHERE batch_id = ? ORDER BY id",
      batchId,
    );
  }

  // --- leases -----------------------------------------------------------------------------------------------

  lease(name: string): LeaseRow | undefined {
    return this.get<LeaseRow>("SELECT * FROM worker_leases WHERE name = ?", name);
  }

  /**
   * Takes or renews the lease `name` for `me` until `nowMs + ttlMs`, in one IMMEDIATE transaction (two
   * processes cannot both take it). It is taken when free, already `me`'s, expired, or held by a process of
   * this host that no longer runs (a crashed worker on this machine is noticed at once; one on another machine
   * when its lease expires). Otherwise it is refused with the current holder.
   */
  acquireLease(name: string, me: LeaseHolder, nowMs: number, ttlMs: number): LeaseResult {
    return this.tx((): LeaseResult => {
      const current = this.lease(name);
      let tookOver: { from: LeaseRow; why: "expired" | "holder process gone" } | null = null;
      if (current && current.holder !== me.id) {
        if (current.expires_at <= nowMs) tookOver = { from: current, why: "expired" };
        else if (current.host === me.host && current.pid !== me.pid && !processAlive(current.pid)) {
          tookOver = { from: current, why: "holder process gone" };
        } else return { acquired: false, lease: current };
      }
      const at = this.iso();
      this.run(
        `INSERT INTO worker_leases (name, holder, host, pid, acquired_at, renewed_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET
           acquired_at = CASE WHEN holder = excluded.holder THEN acquired_at ELSE excluded.acquired_at END,
           holder = excluded.holder, host = excluded.host, pid = excluded.pid,
           renewed_at = excluded.renewed_at, expires_at = excluded.expires_at`,
        name,
        me.id,
        me.host,
        me.pid,
        at,
        at,
        nowMs + ttlMs,
      );
      this.#leases.set(name, me.id);
      return { acquired: true, lease: this.lease(name)!, tookOver };
    });
  }

  /** Whether `holder` holds the lease `name` (call inside the transaction whose writes depend on it). */
  holdsLease(name: string, holder: string): boolean {
    return this.lease(name)?.holder === holder;
  }

  releaseLease(name: string, holder: string): void {
    this.run("DELETE FROM worker_leases WHERE name = ? AND holder = ?", name, holder);
    this.#leases.delete(name);
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
