/**
 * The one schema-migration runner of the registry's stores (the oracle's job store and the index on SQLite, the
 * index on PostgreSQL). Migrations live in code, each with a version; a table records the applied ones. A run
 * applies the missing ones in version order, each with its record, all in ONE transaction: a failing migration
 * rolls the whole run back, so the schema and its recorded version stay as they were and the next start retries.
 */
import { CodedError } from "../../sdk/src/errors.ts";

/** One schema change: applied once, in version order. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** One or more statements, without parameters. */
  readonly sql: string;
  /**
   * PostgreSQL's statements for this version when they must differ from `sql` (e.g. identity columns where SQLite
   * has `INTEGER PRIMARY KEY` row ids, BIGINT for millisecond times). Default: `sql` on both engines.
   */
  readonly postgres?: string;
  /**
   * Runs after the statements, in the same transaction: a backfill the SQL of both engines cannot compute (e.g. a
   * Unicode normalisation), written once with `?` placeholders.
   */
  readonly backfill?: (tx: MigrationExecutor) => Promise<void>;
}

/** A value bound to a `?` placeholder in the runner's own statements. */
type MigrationValue = string | number;

/** What the runner needs of a connection inside a transaction (statements use `?` placeholders). */
export interface MigrationExecutor {
  /** Runs one or more statements without parameters (a migration's DDL). */
  exec(sql: string): Promise<void>;
  /** All rows of one query. */
  all(sql: string, params?: readonly MigrationValue[]): Promise<Record<string, unknown>[]>;
  /** Runs one statement. */
  run(sql: string, params?: readonly MigrationValue[]): Promise<unknown>;
}

/** A connection that runs a function in one transaction: committed when it resolves, rolled back when it rejects. */
export interface MigrationDatabase {
  transaction<T>(fn: (tx: MigrationExecutor) => Promise<T>): Promise<T>;
}

export interface MigrateOptions {
  /** The table recording applied versions (default `schema_migrations`). */
  table?: string | undefined;
  /**
   * A statement run first in the transaction so that two processes starting at once apply the migrations once:
   * the second waits, then finds them recorded. PostgreSQL needs one (an advisory lock); SQLite does not, because
   * its transaction already starts with the write lock (BEGIN IMMEDIATE).
   */
  lock?: string | undefined;
  /** Which engine runs the migrations: picks a migration's `postgres` text on PostgreSQL (default "sqlite"). */
  dialect?: "sqlite" | "postgres" | undefined;
}

export const MIGRATION_ERROR_CODES = [
  /** The list of migrations itself is wrong (a version repeated, not a positive integer, a bad table name). */
  "MIGRATION_INVALID",
  /** A migration's SQL failed; nothing of the run was applied. */
  "MIGRATION_FAILED",
] as const;

export type MigrationErrorCode = (typeof MIGRATION_ERROR_CODES)[number];

export class MigrationError extends CodedError<MigrationErrorCode> {
  constructor(code: MigrationErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Applies the migrations `db` lacks, in version order, in one transaction. Resolves to the versions applied now. */
export async function migrate(
  db: MigrationDatabase,
  migrations: readonly Migration[],
  options: MigrateOptions = {},
): Promise<number[]> {
  const table = tableName(options.table ?? "schema_migrations");
  const ordered = inOrder(migrations);
  return db.transaction(async (tx) => {
    if (options.lock) await tx.exec(options.lock);
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
    );
    const applied = new Set((await tx.all(`SELECT version FROM ${table}`)).map((row) => Number(row.version)));
    const now: number[] = [];
    for (const m of ordered) {
      if (applied.has(m.version)) continue;
      try {
        await tx.exec(options.dialect === "postgres" && m.postgres !== undefined ? m.postgres : m.sql);
        if (m.backfill) await m.backfill(tx);
      } catch (error) {
        const before = Math.max(0, ...applied);
        throw new MigrationError(
          "MIGRATION_FAILED",
          `schema migration ${m.version} ("${m.name}") failed; the schema stays at version ${before}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      await tx.run(`INSERT INTO ${table} (version, name, applied_at) VALUES (?, ?, ?)`, [
        m.version,
        m.name,
        new Date().toISOString(),
      ]);
      now.push(m.version);
    }
    return now;
  });
}

/** The migrations sorted by version, after checking that each version is a distinct positive integer. */
function inOrder(migrations: readonly Migration[]): Migration[] {
  const seen = new Set<number>();
  for (const m of migrations) {
    if (!Number.isSafeInteger(m.version) || m.version < 1) {
      throw new MigrationError(
        "MIGRATION_INVALID",
        `migration "${m.name}" has version ${m.version}: not an integer ≥ 1`,
      );
    }
    if (seen.has(m.version)) throw new MigrationError("MIGRATION_INVALID", `migration version ${m.version} repeats`);
    seen.add(m.version);
  }
  return [...migrations].sort((a, b) => a.version - b.version);
}

/** The table name goes into SQL text (it cannot be a parameter), so only a plain identifier is accepted. */
function tableName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new MigrationError("MIGRATION_INVALID", `invalid migrations table name "${name}"`);
  }
  return name;
}
