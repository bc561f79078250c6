/**
 * The API store: sign-in nonces and rate-limit windows shared by every API instance on one database (see
 * schema.ts). One set of `?` queries for SQLite and PostgreSQL (core/db/sql.ts). Every operation that decides
 * something is ONE atomic statement, so instances need no lock between them:
 * - a nonce is consumed by `DELETE … WHERE nonce = ? AND expires_at > ?`: of any number of concurrent uses, on any
 *   instance, exactly one deletes the row (affected rows = 1) and succeeds;
 * - a request is counted by one upsert that starts a new window or adds one, and returns the count.
 */
import { migrate } from "../../../core/db/migrate.ts";
import { openSql, type OpenSqlOptions, type SqlDatabase } from "../../../core/db/sql.ts";
import { API_MIGRATIONS, API_MIGRATIONS_TABLE } from "./schema.ts";

/** How often (at most) a process deletes expired nonces and ended windows. */
const PURGE_EVERY_MS = 60_000;
/** Rate-limit rows are kept this long after their window started (longer than any window the API uses). */
const WINDOW_RETENTION_MS = 10 * 60_000;

export interface RateHit {
  /** Requests of this client in its current window, this one included. */
  count: number;
  /** When that window started (epoch ms). */
  windowStart: number;
}

export class ApiStore {
  readonly db: SqlDatabase;
  /** Whether other processes can open this store (false for an in-memory SQLite store: one process only). */
  readonly shared: boolean;
  #lastPurge = 0;

  private constructor(db: SqlDatabase, shared: boolean) {
    this.db = db;
    this.shared = shared;
  }

  /** Opens PostgreSQL when `databaseUrl` is set, else SQLite at `sqlitePath`, and applies the API's migrations. */
  static async open(options: OpenSqlOptions): Promise<ApiStore> {
    // No migrations through openSql: it records versions in the index's table; the API's go in their own.
    const db = await openSql({ pgPoolSize: 10, ...options }, []);
    try {
      if (db.dialect === "sqlite") {
        // Nonces and counters are worth no fsync per request: WAL with synchronous NORMAL stays consistent and
        // loses at most the last commits on a power cut (a nonce to ask again, a few requests uncounted).
        await db.exec("PRAGMA synchronous = NORMAL");
      }
      await migrate(db, API_MIGRATIONS, {
        table: API_MIGRATIONS_TABLE,
        ...(db.dialect === "postgres" ? { lock: "SELECT pg_advisory_xact_lock(4242021)" } : {}),
      });
    } catch (error) {
      await db.close();
      throw error;
    }
    return new ApiStore(db, db.dialect === "postgres" || options.sqlitePath !== ":memory:");
  }

  get dialect(): "sqlite" | "postgres" {
    return this.db.dialect;
  }

  /** True when the store answers a trivial query. */
  async ping(): Promise<boolean> {
    return (await this.db.get<{ one: number }>("SELECT 1 AS one"))?.one === 1;
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  // --- sign-in nonces ---------------------------------------------------------------------------------------------

  async issueNonce(nonce: string, expiresAt: number, now: number): Promise<void> {
    await this.#purge(now);
    await this.db.run("INSERT INTO api_siwe_nonces (nonce, expires_at) VALUES (?, ?)", [nonce, expiresAt]);
  }

  /** Whether `nonce` was issued and is neither used nor expired (a hint; only `consumeNonce` decides). */
  async hasNonce(nonce: string, now: number): Promise<boolean> {
    const row = await this.db.get("SELECT 1 AS one FROM api_siwe_nonces WHERE nonce = ? AND expires_at > ?", [
      nonce,
      now,
    ]);
    return row !== undefined;
  }

  /** Uses `nonce` up: true for exactly one caller, and only while it has not expired. */
  async consumeNonce(nonce: string, now: number): Promise<boolean> {
    return (await this.db.run("DELETE FROM api_siwe_nonces WHERE nonce = ? AND expires_at > ?", [nonce, now])) === 1;
  }

  // --- rate-limit windows -----------------------------------------------------------------------------------------

  /**
   * Counts `n` (default 1) requests of `client` in `bucket`: a window of `windowMs` starts at a client's first
   * request and the next request after it ends starts a new one. Atomic on both engines (one upsert), so instances
   * count together.
   */
  async hit(bucket: string, client: string, now: number, windowMs: number, n = 1): Promise<RateHit> {
    await this.#purge(now);
    const ended = now - windowMs;
    const row = await this.db.get<{ count: number; window_start: number }>(
      "INSERT INTO api_rate_windows (bucket, client, window_start, count) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (bucket, client) DO UPDATE SET " +
        "count = CASE WHEN api_rate_windows.window_start <= ? THEN excluded.count " +
        "ELSE api_rate_windows.count + excluded.count END, " +
        "window_start = CASE WHEN api_rate_windows.window_start <= ? THEN excluded.window_start " +
        "ELSE api_rate_windows.window_start END " +
        "RETURNING count, window_start",
      [bucket, client, now, n, ended, ended],
    );
    return { count: Number(row!.count), windowStart: Number(row!.window_start) };
  }

  /** Deletes expired nonces and long-ended windows, at most once a minute per process. */
  async #purge(now: number): Promise<void> {
    if (now - this.#lastPurge < PURGE_EVERY_MS) return;
    this.#lastPurge = now;
    await this.db.run("DELETE FROM api_siwe_nonces WHERE expires_at <= ?", [now]);
    await this.db.run("DELETE FROM api_rate_windows WHERE window_start < ?", [now - WINDOW_RETENTION_MS]);
  }
}
