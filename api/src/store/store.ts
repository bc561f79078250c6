/**
 * The API store: sign-in nonces and rate-limit buckets shared by every API instance on one database (see
 * schema.ts). One set of `?` queries for SQLite and PostgreSQL (core/db/sql.ts). Every operation that decides
 * something is ONE atomic statement, so instances need no lock between them:
 * - a nonce is consumed by `DELETE … WHERE nonce = ? AND expires_at > ?`: of any number of concurrent uses, on any
 *   instance, exactly one deletes the row (affected rows = 1) and succeeds;
 * - a request is taken from its client's token bucket by one upsert that admits or refuses it and says which.
 */
import { migrate } from "../../../core/db/migrate.ts";
import { openSql, type OpenSqlOptions, type SqlDatabase } from "../../../core/db/sql.ts";
import { API_MIGRATIONS, API_MIGRATIONS_TABLE } from "./schema.ts";

/** How often (at most) a process deletes expired nonces and full buckets. */
const PURGE_EVERY_MS = 60_000;
/** A rate: `limit` requests per `windowMs`, in bursts of at most `limit`. */
export interface Rate {
  readonly limit: number;
  readonly windowMs: number;
}

/** What the bucket said to one `take`. */
export interface RateTake {
  /** Whether the requests were admitted. */
  allowed: boolean;
  /**
   * The bucket's theoretical arrival time after this take (epoch ms): the client is `tat - now` ms of requests
   * ahead of its rate. Empty (full burst available) when `tat <= now`.
   */
  tat: number;
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

  // --- rate-limit buckets ----------------------------------------------------------------------------------------

  /**
   * Takes `n` (default 1) requests of `client` from its token bucket in `bucket` (GCRA: a client may send `limit`
   * at once, then one per `windowMs / limit`). Refused requests take nothing. `force` takes them whatever the
   * bucket holds (the batched counter reports requests it already admitted). One atomic upsert on both engines,
   * so instances share the bucket.
   */
  async take(bucket: string, client: string, now: number, rate: Rate, n = 1, force = false): Promise<RateTake> {
    await this.#purge(now);
    const cost = (n * rate.windowMs) / rate.limit;
    // A request is admitted while the bucket, after it, is at most one window ahead of now.
    const ceiling = force ? Number.MAX_SAFE_INTEGER : now + rate.windowMs;
    const base = "(CASE WHEN api_rate_buckets.tat > ? THEN api_rate_buckets.tat ELSE ? END)";
    const fits = `${base} + ? <= ?`;
    const first = now + cost <= ceiling;
    const row = await this.db.get<{ tat: number; refused: number }>(
      "INSERT INTO api_rate_buckets (bucket, client, tat, refused) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (bucket, client) DO UPDATE SET " +
        `tat = CASE WHEN ${fits} THEN ${base} + ? ELSE api_rate_buckets.tat END, ` +
        `refused = CASE WHEN ${fits} THEN 0 ELSE api_rate_buckets.refused + 1 END ` +
        "RETURNING tat, refused",
      [
        bucket,
        client,
        first ? now + cost : now,
        first ? 0 : 1,
        ...[now, now, cost, ceiling, now, now, cost],
        ...[now, now, cost, ceiling],
      ],
    );
    return { allowed: Number(row!.refused) === 0, tat: Number(row!.tat) };
  }

  /** Deletes expired nonces and full buckets, at most once a minute per process. */
  async #purge(now: number): Promise<void> {
    if (now - this.#lastPurge < PURGE_EVERY_MS) return;
    this.#lastPurge = now;
    await this.db.run("DELETE FROM api_siwe_nonces WHERE expires_at <= ?", [now]);
    // A bucket whose arrival time has passed is full again: the same as no row.
    await this.db.run("DELETE FROM api_rate_buckets WHERE tat < ?", [now]);
  }
}
