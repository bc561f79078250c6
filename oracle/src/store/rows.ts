/**
 * The job tables' rows as TypeScript sees them (`SELECT *` maps one column to one field, so no mapping code sits
 * between), and the typed query access every part of the store reads and writes through.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { resolve } from "node:path";

import type { SqlDatabase, SqlExecutor, SqlRow, SqlValue, Utf8Text } from "../../../core/db/sql.ts";
import { SqliteThread } from "../../../core/db/sqlite-thread.ts";
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

/** A lot's row without its input and report JSON (tens of MB at the device cap): what most readers need. */
export type LotHead = Omit<LotRow, "input_json" | "report_json">;

/**
 * What a calculated lot adds to its row. The report may come as its UTF-8 bytes (Utf8Text, from a worker thread):
 * written without this thread decoding it (see JobStore.insertLot for what the returned row then holds).
 */
export type LotCalculatedFields = {
  [K in "report_hash" | "reference_sha256" | "summary_json"]: string;
} & { report_json: string | Utf8Text };

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

/**
 * The transactions in progress per SQLite file in this process. `node:sqlite` runs a statement synchronously; a
 * transaction whose body awaits (even already settled promises) lets other code of this process run between its
 * statements, and a statement of that code on the SAME connection would join the transaction (committed or rolled
 * back with it), one on ANOTHER connection to the same file would block the thread on the file lock. So while one
 * transaction is open, every other statement and transaction on that file waits for it (PostgreSQL needs none of
 * this: a transaction has its own pooled connection).
 */
const sqliteGates = new Map<string, { open: Promise<void> | undefined; users: number }>();

/**
 * Typed statements on the job database, stamped with the store's clock. Inside `tx(fn)` every statement of `fn`
 * (and of what it calls, found through AsyncLocalStorage) runs on the transaction's connection, so the store's
 * methods compose into one transaction without passing a handle around; a nested `tx` joins the open one.
 */
export class Rows {
  readonly db: SqlDatabase;
  readonly #now: () => Date;
  readonly #tx = new AsyncLocalStorage<SqlExecutor>();
  readonly #gate: { open: Promise<void> | undefined; users: number } | undefined;
  readonly #gateKey: string | undefined;
  #thread: SqliteThread | undefined;

  constructor(db: SqlDatabase, now: () => Date, sqliteFile?: string) {
    this.db = db;
    this.#now = now;
    if (db.dialect === "sqlite") {
      // ":memory:" databases are one per connection: a gate of their own.
      const key = sqliteFile && sqliteFile !== ":memory:" ? resolve(sqliteFile) : undefined;
      this.#gateKey = key;
      let gate = key ? sqliteGates.get(key) : undefined;
      if (!gate) {
        gate = { open: undefined, users: 0 };
        if (key) sqliteGates.set(key, gate);
      }
      gate.users += 1;
      this.#gate = gate;
    }
  }

  /** Forgets this connection's share of its file's gate (on close), and stops its SQLite thread if it has one. */
  async detach(): Promise<void> {
    await this.#thread?.close();
    this.#thread = undefined;
    if (!this.#gate) return;
    this.#gate.users -= 1;
    if (this.#gate.users === 0 && this.#gateKey) sqliteGates.delete(this.#gateKey);
  }

  /** Whether the caller runs inside a transaction of this store. */
  get inTransaction(): boolean {
    return this.#tx.getStore() !== undefined;
  }

  /**
   * Runs `fn` in one transaction — SQLite: BEGIN IMMEDIATE (the file's write lock from the first statement);
   * PostgreSQL: READ COMMITTED, with the row locks each invariant takes (see docs/adr/0041-oracle-store-engines.md).
   * Committed when `fn` resolves, rolled back when it rejects. Inside a transaction, `tx` joins it.
   *
   * `offThread` (a large write, e.g. a lot at the device cap): on an SQLite file, the transaction runs on a second
   * connection on a worker thread (core/db/sqlite-thread.ts), so its statements and COMMIT do not hold this
   * thread's event loop; the gate keeps this process's other statements on the file waiting, as for any
   * transaction. PostgreSQL's statements never hold the loop, and an in-memory database has one connection only:
   * there it is an ordinary transaction.
   */
  async tx<T>(fn: () => Promise<T>, options: { offThread?: boolean } = {}): Promise<T> {
    if (this.#tx.getStore()) return fn();
    const gate = this.#gate;
    if (!gate) return this.db.transaction((tx) => this.#tx.run(tx, fn));
    while (gate.open) await gate.open;
    const key = options.offThread ? this.#gateKey : undefined;
    // No await between the check above and here: BEGIN IMMEDIATE runs synchronously inside transaction(), and
    // the thread's transaction is behind the gate before its BEGIN is even posted.
    const running = key
      ? (this.#thread ??= new SqliteThread(key)).transaction((tx) => this.#tx.run(tx, fn))
      : this.db.transaction((tx) => this.#tx.run(tx, fn));
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    gate.open = settled;
    try {
      return await running;
    } finally {
      if (gate.open === settled) gate.open = undefined;
    }
  }

  /** Now, as the ISO 8601 text stored in `*_at` columns. */
  iso(): string {
    return this.#now().toISOString();
  }

  get<T>(sql: string, ...params: SqlValue[]): Promise<T | undefined> {
    return this.#on((x) => x.get<T & SqlRow>(sql, params));
  }

  all<T>(sql: string, ...params: SqlValue[]): Promise<T[]> {
    return this.#on((x) => x.all<T & SqlRow>(sql, params));
  }

  /** Runs a write; returns the number of rows it changed. */
  run(sql: string, ...params: SqlValue[]): Promise<number> {
    return this.#on((x) => x.run(sql, params));
  }

  /**
   * Issues `statement` on the caller's transaction, else on the database once no SQLite transaction of this file
   * is open — checked and issued in one synchronous run (a transaction begun in between would take it in).
   */
  async #on<T>(statement: (x: SqlExecutor) => Promise<T>): Promise<T> {
    for (;;) {
      const tx = this.#tx.getStore();
      if (tx) return statement(tx);
      if (!this.#gate?.open) return statement(this.db);
      await this.#gate.open;
    }
  }
}
