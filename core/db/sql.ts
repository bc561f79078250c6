/**
 * One small asynchronous SQL interface over two engines, so each store (the event index, the oracle's jobs, the
 * API's shared sign-in state) keeps ONE set of queries:
 * - SQLite through Node's built-in `node:sqlite` (the embedded default; opened with the project's
 *   `openDatabase`: WAL, synchronous FULL);
 * - PostgreSQL through `pg` (pure JavaScript), selected by a `postgres://…` connection string.
 * Both apply the schema's migrations with the one runner of core/db/migrate.ts.
 *
 * Queries are written once with `?` placeholders in the SQL both engines accept (see docs/adr/0020-indexer.md);
 * for PostgreSQL they are rewritten to `$1, $2, …`. BIGINT columns come back as JavaScript numbers on both
 * (block numbers and ids stay far below 2^53).
 */
import pg from "pg";
import type { PoolClient } from "pg";
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";

import { CodedError } from "../../sdk/src/errors.ts";
import { migrate, type Migration } from "./migrate.ts";
import { openDatabase, settle, transactionAsync } from "./sqlite.ts";

export const SQL_ERROR_CODES = [
  /** Bad configuration (connection string, schema name). */
  "DB_CONFIG",
  /** The store refused an operation (e.g. a nested transaction). */
  "DB_STORE",
] as const;
export type SqlErrorCode = (typeof SQL_ERROR_CODES)[number];

export class SqlError extends CodedError<SqlErrorCode> {
  constructor(code: SqlErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * Text given as its UTF-8 bytes — a large JSON document a worker thread serialised, say — bound as TEXT without this
 * thread ever holding it as a string: the SQLite thread (sqlite-thread.ts) takes the bytes by transfer and decodes
 * them there; PostgreSQL takes them as a binary-format text parameter (no encoding by `pg`); only the main SQLite
 * connection decodes them here. The bytes must be valid UTF-8 (TextEncoder's output is).
 */
export interface Utf8Text {
  readonly utf8: Uint8Array;
}
export const utf8Text = (utf8: Uint8Array): Utf8Text => ({ utf8 });
export const isUtf8Text = (value: unknown): value is Utf8Text =>
  typeof value === "object" && value !== null && (value as Partial<Utf8Text>).utf8 instanceof Uint8Array;
/** A string, or Utf8Text's bytes decoded. */
export const textOf = (value: string | Utf8Text): string =>
  typeof value === "string" ? value : new TextDecoder("utf-8", { fatal: true }).decode(value.utf8);

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | bigint | null | Utf8Text;

/** `params` as `node:sqlite` binds them (Utf8Text decoded: bound as Uint8Array it would be a BLOB). */
export const sqliteParams = (params: readonly SqlValue[]): SQLInputValue[] =>
  params.map((v) => (isUtf8Text(v) ? textOf(v) : v));
/** A result row: column name → value (TEXT → string, INTEGER/BIGINT → number, NULL → null). */
export type SqlRow = Record<string, unknown>;

/** Statements on one connection (the database itself, or the connection of an open transaction). */
export interface SqlExecutor {
  /** All rows of a query. */
  all<T extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row of a query, or undefined. */
  get<T extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement; resolves to the number of rows it inserted, updated or deleted. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs one or more statements without parameters (DDL). */
  exec(sql: string): Promise<void>;
}

export interface SqlDatabase extends SqlExecutor {
  readonly dialect: "sqlite" | "postgres";
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it rejects. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenSqlOptions {
  /** `postgres://…` or `postgresql://…`: use PostgreSQL. Wins over `sqlitePath`. */
  databaseUrl?: string | undefined;
  /** SQLite database file (":memory:" for a throwaway store). */
  sqlitePath?: string | undefined;
  /** PostgreSQL only: schema to create (if missing) and use, e.g. one per test run. Default: the role's search_path. */
  pgSchema?: string | undefined;
  /** PostgreSQL only: pool size (default 4). */
  pgPoolSize?: number | undefined;
  /**
   * PostgreSQL only: the table recording this store's applied migrations (default `ix_schema_migrations`, the
   * index's). Each store sharing one database has its own, so their schema versions never mix.
   */
  pgMigrationsTable?: string | undefined;
  /** PostgreSQL only: the advisory lock key serialising this store's migration runs (default the index's). */
  pgMigrationsLockKey?: number | undefined;
  /** PostgreSQL only: `application_name` of the connections (shown in pg_stat_activity; default `itec-indexer`). */
  pgApplicationName?: string | undefined;
}

/** Opens the engine the options select and applies `migrations` (each once, in order, in its own transaction). */
export async function openSql(options: OpenSqlOptions, migrations: readonly Migration[]): Promise<SqlDatabase> {
  if (options.databaseUrl) {
    if (!/^postgres(ql)?:\/\//i.test(options.databaseUrl)) {
      throw new SqlError("DB_CONFIG", "DATABASE_URL must be a postgres:// or postgresql:// connection string");
    }
    return PostgresDatabase.open(options.databaseUrl, migrations, options);
  }
  if (!options.sqlitePath) throw new SqlError("DB_CONFIG", "a store needs a databaseUrl or a sqlitePath");
  return new SqliteDatabase(await openDatabase(options.sqlitePath, migrations));
}

// ---------------------------------------------------------------------------------------------------------------
// SQLite
// ---------------------------------------------------------------------------------------------------------------

/**
 * `node:sqlite` is synchronous: every promise here is already settled when returned, so a transaction whose body
 * awaits only these statements runs to COMMIT without yielding to the event loop — no other caller of the same
 * connection can observe it half-done.
 */
class SqliteDatabase implements SqlDatabase {
  readonly dialect = "sqlite" as const;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  #inTransaction = false;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  all<T extends SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return settle(() => this.#prepare(sql).all(...sqliteParams(params)) as T[]);
  }

  get<T extends SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return settle(() => this.#prepare(sql).get(...sqliteParams(params)) as T | undefined);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return settle(() => Number(this.#prepare(sql).run(...sqliteParams(params)).changes));
  }

  exec(sql: string): Promise<void> {
    return settle(() => void this.#db.exec(sql));
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.#inTransaction) throw new SqlError("DB_STORE", "nested transaction on one store connection");
    this.#inTransaction = true;
    try {
      return await transactionAsync(this.#db, () => fn(this));
    } finally {
      this.#inTransaction = false;
    }
  }

  close(): Promise<void> {
    return settle(() => {
      this.#statements.clear();
      if (this.#db.isOpen) this.#db.close();
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------------------------------------------

const INT8_OID = 20;
/** BIGINT (and COUNT(*)) as a JavaScript number instead of pg's default string; values here stay below 2^53. */
const parseInt8 = (value: string) => Number(value);
const pgTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary"): unknown =>
    oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};

const placeholderCache = new Map<string, string>();

/** Rewrites `?` placeholders to `$1, $2, …`, leaving quoted literals and identifiers alone. */
export function toPostgresPlaceholders(sql: string): string {
  const cached = placeholderCache.get(sql);
  if (cached !== undefined) return cached;
  let out = "";
  let n = 0;
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === "?") {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  placeholderCache.set(sql, out);
  return out;
}

function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new SqlError("DB_CONFIG", `invalid schema name "${name}"`);
  return `"${name}"`;
}

type Queryable = Pick<PoolClient, "query">;

class PgExecutor implements SqlExecutor {
  protected readonly target: Queryable;
  constructor(target: Queryable) {
    this.target = target;
  }
  async all<T extends SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const result = await this.target.query(toPostgresPlaceholders(sql), params.map(pgValue));
    return result.rows as T[];
  }
  async get<T extends SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }
  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const result = await this.target.query(toPostgresPlaceholders(sql), params.map(pgValue));
    return result.rowCount ?? 0;
  }
  async exec(sql: string): Promise<void> {
    await this.target.query(sql); // no parameters: the simple query protocol, which runs several statements
  }
}

/** A parameter as `pg` takes it; a Buffer is sent as-is in binary format (for TEXT: its UTF-8, checked by the server). */
function pgValue(value: SqlValue): string | number | null | Buffer {
  if (isUtf8Text(value)) return Buffer.from(value.utf8.buffer, value.utf8.byteOffset, value.utf8.byteLength);
  return typeof value === "bigint" ? value.toString() : value;
}

class PostgresDatabase extends PgExecutor implements SqlDatabase {
  readonly dialect = "postgres" as const;
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    super(pool);
    this.#pool = pool;
  }

  static async open(url: string, migrations: readonly Migration[], options: OpenSqlOptions): Promise<PostgresDatabase> {
    const schema = options.pgSchema ? quoteIdent(options.pgSchema) : undefined;
    if (schema) {
      const bootstrap = new pg.Client({ connectionString: url });
      await bootstrap.connect();
      try {
        await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      } finally {
        await bootstrap.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: url,
      max: options.pgPoolSize ?? 4,
      types: pgTypes,
      application_name: options.pgApplicationName ?? "itec-indexer",
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    // An idle client losing its server (restart) must not crash the process; the next query reconnects.
    pool.on("error", () => undefined);
    const db = new PostgresDatabase(pool);
    try {
      // `ix_schema_migrations`, not the SQLite stores' `schema_migrations`: a PostgreSQL database may be shared
      // with other services. Two processes starting at once: the second waits on the lock, then finds the
      // migrations applied.
      const lockKey = options.pgMigrationsLockKey ?? 4242020;
      if (!Number.isSafeInteger(lockKey)) throw new SqlError("DB_CONFIG", `invalid migrations lock key ${lockKey}`);
      await migrate(db, migrations, {
        table: options.pgMigrationsTable ?? "ix_schema_migrations",
        lock: `SELECT pg_advisory_xact_lock(${lockKey})`,
        dialect: "postgres",
      });
    } catch (error) {
      await pool.end();
      throw error;
    }
    return db;
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      try {
        const result = await fn(new PgExecutor(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        try {
          await client.query("ROLLBACK");
        } catch {
          broken = true; // the connection is gone; drop it from the pool
        }
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
