/**
 * Opens the embedded SQLite store (Node's built-in `node:sqlite`): WAL journal, foreign keys on, schema
 * migrations applied in code by the one runner (`migrate.ts`) and recorded in `schema_migrations`.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type * as SqliteNamespace from "node:sqlite";
import type { DatabaseSync, SQLInputValue } from "node:sqlite";

import { migrate, type Migration, type MigrationDatabase, type MigrationExecutor } from "./migrate.ts";

type SqliteModule = typeof SqliteNamespace;
let sqlite: SqliteModule | undefined;

/**
 * `node:sqlite` prints an ExperimentalWarning when first loaded; it is the embedded store the project chose
 * (docs/adr), so that one warning is dropped and every other warning still goes through.
 */
export async function loadSqlite(): Promise<SqliteModule> {
  if (sqlite) return sqlite;
  const emit = process.emitWarning.bind(process);
  process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === "ExperimentalWarning" && /SQLite/i.test(text)) return;
    (emit as (...args: unknown[]) => void)(warning, ...rest);
  };
  try {
    sqlite = await import("node:sqlite");
  } finally {
    process.emitWarning = emit;
  }
  return sqlite;
}

/** Opens (creating if needed) the database at `path` (":memory:" for tests) and applies `migrations`. */
export async function openDatabase(path: string, migrations: readonly Migration[]): Promise<DatabaseSync> {
  const { DatabaseSync } = await loadSqlite();
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA journal_mode = WAL");
    connectionPragmas(db);
    await migrate(migrationDatabase(db), migrations);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** The settings every connection to a store file takes (the WAL journal is the file's own, set once at open). */
export function connectionPragmas(db: DatabaseSync): void {
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA busy_timeout = 5000");
}

/** `db` as the migration runner's connection. */
function migrationDatabase(db: DatabaseSync): MigrationDatabase {
  const executor: MigrationExecutor = {
    exec: (sql) => settle(() => void db.exec(sql)),
    all: (sql, params = []) => settle(() => db.prepare(sql).all(...(params as SQLInputValue[]))),
    run: (sql, params = []) => settle(() => db.prepare(sql).run(...(params as SQLInputValue[]))),
  };
  return { transaction: (fn) => transactionAsync(db, () => fn(executor)) };
}

/** Runs `fn` in one IMMEDIATE transaction (committed when it returns, rolled back when it throws). */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = fn();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

/**
 * Runs `fn` in one IMMEDIATE transaction, committed when its promise resolves and rolled back when it rejects.
 * `fn` must await only statements on `db` (which `node:sqlite` runs synchronously): awaiting anything else would let
 * other users of the connection run inside this transaction.
 */
export async function transactionAsync<T>(db: DatabaseSync, fn: () => Promise<T>): Promise<T> {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = await fn();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

/** The result of a synchronous `node:sqlite` call as a promise (a throw becomes a rejection). */
export function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
