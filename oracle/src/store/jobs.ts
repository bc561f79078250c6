/**
 * The oracle's durable job store: lots, batches (with their state machine and every transition), reserved
 * device ids, auditor signatures and chain transactions. One set of queries on two engines (core/db/sql.ts):
 * SQLite (node:sqlite, WAL, synchronous FULL) at ITEC_DB_PATH, or PostgreSQL when DATABASE_URL is set (the same
 * database as the event index, its own tables and migrations table). Every state change is one transaction, so a
 * crash leaves either the old or the new state, never half of one. How each invariant holds on PostgreSQL, at
 * READ COMMITTED: docs/adr/0041-oracle-store-engines.md.
 *
 * JobStore is the entry point; the schema (schema.ts), the rows (rows.ts), the state machine (transitions.ts) and
 * the worker lease with its fencing (leases.ts), the device reservations (devices.ts) and the auditor signatures
 * (signatures.ts) each have their own file.
 */
import { openSql, type SqlDatabase } from "../../../core/db/sql.ts";
import {
  inline,
  insertedLot,
  LOT_HEAD,
  lotReportSql,
  writeInPieces,
  type LotReport,
  type NewLot,
} from "./lot-bytes.ts";
import { CATEGORY_CODES } from "../../../sdk/src/enums.ts";
import { Deliveries } from "./deliveries.ts";
import { Devices } from "./devices.ts";
import { Leases, type LeaseHolder, type LeaseResult, type LeaseRow } from "./leases.ts";
import {
  Rows,
  type BatchRow,
  type ChainTxRow,
  type LotCalculatedFields,
  type LotHead,
  type LotRow,
  type LotStatus,
  type SignatureRow,
  type TransitionRow,
  type UnattributedSignatureRow,
} from "./rows.ts";
import { MIGRATIONS, PG_MIGRATIONS_TABLE } from "./schema.ts";
import { Samples } from "./samples.ts";
import { Signatures } from "./signatures.ts";
import { BATCH_STATES, moveBatch, type BatchState } from "./transitions.ts";

/** Where the job store lives: PostgreSQL when `databaseUrl` is given (DATABASE_URL), else SQLite at `sqlitePath`. */
export interface JobStoreOptions {
  databaseUrl?: string | undefined;
  sqlitePath?: string | undefined;
  /** PostgreSQL only: the schema to use (created if missing), e.g. one per test run. */
  pgSchema?: string | undefined;
  /** PostgreSQL only: connections in the pool (default 4). */
  pgPoolSize?: number | undefined;
}

/** The PostgreSQL advisory lock serialising the job store's migration runs (the index uses its own key). */
const PG_MIGRATIONS_LOCK = 4242041;

/** Typed access to the job tables. All writes go through here. */
export class JobStore {
  readonly db: SqlDatabase;
  readonly #rows: Rows;
  readonly #leases: Leases;
  readonly #devices: Devices;
  readonly #signatures: Signatures;
  /** Audit samples and the auditors' evidence outcomes (samples.ts). */
  readonly samples: Samples;
  /** Flow-through deliveries (deliveries.ts, docs/deliveries.md). */
  readonly deliveries: Deliveries;
  #closed: Promise<void> | undefined;

  private constructor(db: SqlDatabase, now: () => Date, sqliteFile: string | undefined) {
    this.db = db;
    this.#rows = new Rows(db, now, sqliteFile);
    this.#leases = new Leases(this.#rows);
    this.#devices = new Devices(this.#rows);
    this.#signatures = new Signatures(this.#rows);
    this.samples = new Samples(this.#rows);
    this.deliveries = new Deliveries(this.#rows);
  }

  /** Opens the store (a SQLite file path, or options) and applies its migrations. */
  static async open(target: string | JobStoreOptions, now: () => Date = () => new Date()): Promise<JobStore> {
    const options = typeof target === "string" ? { sqlitePath: target } : target;
    const db = await openSql(
      {
        databaseUrl: options.databaseUrl,
        sqlitePath: options.sqlitePath,
        pgSchema: options.pgSchema,
        pgPoolSize: options.pgPoolSize,
        pgMigrationsTable: PG_MIGRATIONS_TABLE,
        pgMigrationsLockKey: PG_MIGRATIONS_LOCK,
        pgApplicationName: "itec-oracle",
      },
      MIGRATIONS,
    );
    return new JobStore(db, now, db.dialect === "sqlite" ? options.sqlitePath : undefined);
  }

  get dialect(): "sqlite" | "postgres" {
    return this.db.dialect;
  }

  /** True when the store answers a trivial query (readiness). */
  async ping(): Promise<boolean> {
    return (await this.#rows.get<{ one: number }>("SELECT 1 AS one"))?.one === 1;
  }

  /** Releases the leases taken through this connection (a clean shutdown frees the worker lease at once). */
  close(): Promise<void> {
    return (this.#closed ??= (async () => {
      await this.#leases.releaseAll();
      await this.#rows.detach();
      await this.db.close();
    })());
  }

  /** Runs `fn` in one transaction; every store call inside it joins it (see Rows.tx, and its `offThread`). */
  tx<T>(fn: () => Promise<T>, options?: { offThread?: boolean }): Promise<T> {
    return this.#rows.tx(fn, options);
  }

  /**
   * Inside a transaction: waits for (PostgreSQL: locks until COMMIT) the job lock row `name`, serialising one kind
   * of write across processes (see schema version 3). SQLite's BEGIN IMMEDIATE already holds the file's write lock.
   */
  async lock(name: "lots"): Promise<void> {
    await this.#rows.run("UPDATE job_locks SET name = name WHERE name = ?", name);
  }

  /**
   * Inside a transaction: locks batch `id`'s row until COMMIT (PostgreSQL; SQLite's write lock is already held), so
   * the reads that follow see the batch as the last writer committed it and no other writer of it runs meanwhile.
   */
  async lockBatch(id: string): Promise<void> {
    await this.#rows.run("UPDATE batches SET id = id WHERE id = ?", id);
  }

  // --- lots -------------------------------------------------------------------------------------------------

  /**
   * A new lot, `submitted` — or `calculated`: a large lot's row (tens of MB) is then written once, not twice. Input
   * and report given as bytes are not held by the returned row (lot-bytes.ts insertedLot).
   */
  insertLot(lot: NewLot, calculated?: LotCalculatedFields): Promise<LotRow> {
    return this.tx(async () => {
      // The lot's sequence number is MAX + 1: the intake lock row makes concurrent intakes (two API instances on
      // one PostgreSQL) take turns instead of both reading the same MAX.
      await this.lock("lots");
      const seq = ((await this.#rows.get<{ s: number | null }>("SELECT MAX(seq) AS s FROM lots"))?.s ?? 0) + 1;
      const id = `L${seq}`;
      const at = this.#rows.iso();
      await this.#rows.run(
        `INSERT INTO lots (id, seq, refurbisher, lot_ref, status, as_of, options_json, input_sha256, input_json,
         report_json, report_hash, reference_sha256, summary_json, correlation_id, submitted_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        id,
        seq,
        lot.refurbisher,
        lot.lot_ref,
        calculated ? "calculated" : "submitted",
        lot.as_of,
        lot.options_json,
        lot.input_sha256,
        inline(this.db.dialect, lot.input_json),
        calculated ? inline(this.db.dialect, calculated.report_json) : null,
        calculated?.report_hash ?? null,
        calculated?.reference_sha256 ?? null,
        calculated?.summary_json ?? null,
        lot.correlation_id,
        at,
        at,
      );
      await writeInPieces(this.#rows, id, { input_json: lot.input_json, report_json: calculated?.report_json });
      // The row as inserted (no re-read of the lot's input and report, which may be large).
      return insertedLot(lot, calculated, { id, seq, at });
    });
  }

  lot(id: string): Promise<LotRow | undefined> {
    return this.#rows.get<LotRow>("SELECT * FROM lots WHERE id = ?", id);
  }

  /** A lot without its input and report JSON (a read of a few hundred bytes, not tens of MB). */
  lotHead(id: string): Promise<LotHead | undefined> {
    return this.#rows.get<LotHead>(`SELECT ${LOT_HEAD} FROM lots WHERE id = ?`, id);
  }

  /** A lot's report as its UTF-8 bytes and its stored hash (lot-bytes.ts); undefined for no lot. */
  lotReport(id: string): Promise<LotReport | undefined> {
    return this.#rows.get<LotReport>(lotReportSql(this.db.dialect), id);
  }

  lotByRef(refurbisher: string, lotRef: string): Promise<LotHead | undefined> {
    const sql = `SELECT ${LOT_HEAD} FROM lots WHERE refurbisher = ? AND lot_ref = ?`;
    return this.#rows.get<LotHead>(sql, refurbisher, lotRef);
  }

  lotsByStatus(status: LotStatus): Promise<LotRow[]> {
    return this.#rows.all<LotRow>("SELECT * FROM lots WHERE status = ? ORDER BY seq", status);
  }

  listLots(filter: { refurbisher?: string; limit?: number; offset?: number } = {}): Promise<LotHead[]> {
    const limit = filter.limit ?? 100;
    const offset = filter.offset ?? 0;
    if (filter.refurbisher) {
      return this.#rows.all<LotHead>(
        `SELECT ${LOT_HEAD} FROM lots WHERE refurbisher = ? ORDER BY seq DESC LIMIT ? OFFSET ?`,
        filter.refurbisher,
        limit,
        offset,
      );
    }
    return this.#rows.all<LotHead>(`SELECT ${LOT_HEAD} FROM lots ORDER BY seq DESC LIMIT ? OFFSET ?`, limit, offset);
  }

  async setLotCalculated(id: string, r: LotCalculatedFields): Promise<void> {
    await this.#rows.run(
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

  async setLotFailed(id: string, error: string): Promise<void> {
    await this.#rows.run(
      "UPDATE lots SET status = 'failed', error = ?, updated_at = ? WHERE id = ?",
      error,
      this.#rows.iso(),
      id,
    );
  }

  // --- batches ----------------------------------------------------------------------------------------------

  /** Creates a batch in `submitted` and records that transition at the lot's submission time. */
  async insertBatch(
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
  ): Promise<void> {
    const at = this.#rows.iso();
    await this.#rows.run(
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
    await this.#rows.run(
      "INSERT INTO transitions (batch_id, from_state, to_state, at, note) VALUES (?, NULL, 'submitted', ?, NULL)",
      b.id,
      submittedAt,
    );
  }

  batch(id: string): Promise<BatchRow | undefined> {
    return this.#rows.get<BatchRow>("SELECT * FROM batches WHERE id = ?", id);
  }

  /**
   * A lot's batches in the calculation report's order (the methodology's category order). Not by `created_at, id`:
   * batches written within the same millisecond fell back to their ids' alphabetical order ("server" before
   * "tablet"), so a lot listed its batches in an order that depended on timing (seen in CI).
   */
  async batchesOfLot(lotId: string): Promise<BatchRow[]> {
    const rows = await this.#rows.all<BatchRow>("SELECT * FROM batches WHERE lot_id = ?", lotId);
    const order = (r: BatchRow) => (CATEGORY_CODES as Record<string, number>)[r.category] ?? Number.MAX_SAFE_INTEGER;
    return rows.sort((a, b) => order(a) - order(b) || a.id.localeCompare(b.id));
  }

  batchesInState(...states: BatchState[]): Promise<BatchRow[]> {
    return this.#rows.all<BatchRow>(
      `SELECT * FROM batches WHERE state IN (${states.map(() => "?").join(",")}) ORDER BY created_at, id`,
      ...states,
    );
  }

  batchByTokenId(tokenId: string): Promise<BatchRow | undefined> {
    return this.#rows.get<BatchRow>("SELECT * FROM batches WHERE token_id = ?", tokenId);
  }

  /** Moves a batch to `to`; with `from`, only if it is still in `from` (see moveBatch in transitions.ts). */
  transition(
    id: string,
    to: BatchState,
    note: string | null = null,
    set: Partial<BatchRow> = {},
    from?: BatchState,
  ): Promise<BatchRow> {
    // One transaction (joining the caller's): the state, its transition record and the released devices together.
    return this.tx(() => moveBatch(this, this.#rows, id, to, note, set, from));
  }

  /** Updates retry bookkeeping (no state change). */
  async setRetry(id: string, attempts: number, nextAttemptAt: number, error: string | null): Promise<void> {
    await this.#rows.run(
      "UPDATE batches SET attempts = ?, next_attempt_at = ?, error = ?, updated_at = ? WHERE id = ?",
      attempts,
      nextAttemptAt,
      error,
      this.#rows.iso(),
      id,
    );
  }

  /** Records a non-transient error of the batch's current step and when to try it again (no state change). */
  async setFailure(id: string, failures: number, nextAttemptAt: number, error: string): Promise<void> {
    await this.#rows.run(
      "UPDATE batches SET failures = ?, next_attempt_at = ?, error = ?, updated_at = ? WHERE id = ?",
      failures,
      nextAttemptAt,
      error,
      this.#rows.iso(),
      id,
    );
  }

  transitions(batchId: string): Promise<TransitionRow[]> {
    return this.#rows.all<TransitionRow>("SELECT * FROM transitions WHERE batch_id = ? ORDER BY id", batchId);
  }

  async countByState(): Promise<Record<string, number>> {
    const out: Record<string, number> = Object.fromEntries(BATCH_STATES.map((s) => [s, 0]));
    for (const r of await this.#rows.all<{ state: string; n: number }>(
      "SELECT state, COUNT(*) AS n FROM batches GROUP BY state",
    )) {
      out[r.state] = r.n;
    }
    return out;
  }

  // --- device exclusivity (devices.ts) ---------------------------------------------------------------------

  /** Device ids among `ids` already reserved by another batch (pending or issued). */
  reservedDevices(ids: readonly string[], exceptBatch?: string): Promise<Set<string>> {
    return this.#devices.reserved(ids, exceptBatch);
  }

  /** The batches holding any of these device ids, with how many of them each holds. */
  holdersOf(ids: readonly string[]): Promise<Map<string, number>> {
    return this.#devices.holders(ids);
  }

  /** Reserves device ids for a batch; the primary key makes a second reservation impossible. */
  reserveDevices(batchId: string, ids: readonly string[]): Promise<void> {
    return this.#devices.reserve(batchId, ids);
  }

  releaseDevices(batchId: string): Promise<void> {
    return this.#devices.release(batchId);
  }

  devicesOfBatch(batchId: string): Promise<string[]> {
    return this.#devices.ofBatch(batchId);
  }

  // --- signatures (signatures.ts) --------------------------------------------------------------------------

  addSignature(s: Omit<SignatureRow, "id" | "created_at">): Promise<void> {
    return this.#signatures.add(s);
  }

  signatures(batchId: string): Promise<SignatureRow[]> {
    return this.#signatures.of(batchId);
  }

  acceptedSignatures(batchId: string, digest: string): Promise<SignatureRow[]> {
    return this.#signatures.accepted(batchId, digest);
  }

  dropSignature(id: number, reason: string): Promise<void> {
    return this.#signatures.drop(id, reason);
  }

  addUnattributedSignature(s: Omit<UnattributedSignatureRow, "id" | "created_at">): Promise<void> {
    return this.#signatures.addUnattributed(s);
  }

  unattributedSignatures(batchId: string): Promise<UnattributedSignatureRow[]> {
    return this.#signatures.unattributed(batchId);
  }

  // --- leases -----------------------------------------------------------------------------------------------

  lease(name: string): Promise<LeaseRow | undefined> {
    return this.#leases.lease(name);
  }

  /** Takes or renews the lease `name` for `me` until `nowMs + ttlMs` (see Leases.acquire in leases.ts). */
  acquireLease(name: string, me: LeaseHolder, nowMs: number, ttlMs: number): Promise<LeaseResult> {
    return this.#leases.acquire(name, me, nowMs, ttlMs);
  }

  /**
   * Inside a transaction: LeaseLostError unless `holder` holds the lease `name` at `epoch`, unexpired at `nowMs`
   * (the fencing check; see Leases.fence). Call it first, before the writes that depend on it.
   */
  fenceLease(name: string, holder: string, epoch: number, nowMs: number): Promise<void> {
    return this.#leases.fence(name, holder, epoch, nowMs);
  }

  releaseLease(name: string, holder: string): Promise<void> {
    return this.#leases.release(name, holder);
  }

  // --- chain transactions -----------------------------------------------------------------------------------

  async insertTx(t: Pick<ChainTxRow, "hash" | "batch_id" | "nonce" | "raw">): Promise<void> {
    const at = this.#rows.iso();
    await this.#rows.run(
      "INSERT INTO chain_txs (hash, batch_id, nonce, raw, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'signed', ?, ?)",
      t.hash,
      t.batch_id,
      t.nonce,
      t.raw,
      at,
      at,
    );
  }

  async setTxStatus(
    hash: string,
    status: ChainTxRow["status"],
    blockNumber: number | null = null,
    error: string | null = null,
  ): Promise<void> {
    await this.#rows.run(
      "UPDATE chain_txs SET status = ?, block_number = COALESCE(?, block_number), error = ?, updated_at = ? WHERE hash = ?",
      status,
      blockNumber,
      error,
      this.#rows.iso(),
      hash,
    );
  }

  txsOfBatch(batchId: string): Promise<ChainTxRow[]> {
    return this.#rows.all<ChainTxRow>("SELECT * FROM chain_txs WHERE batch_id = ? ORDER BY nonce", batchId);
  }

  /** The highest nonce of a transaction not known to be replaced, or -1. */
  async maxNonce(): Promise<number> {
    const row = await this.#rows.get<{ n: number | null }>(
      "SELECT MAX(nonce) AS n FROM chain_txs WHERE status != 'replaced'",
    );
    return row?.n ?? -1;
  }
}
