/**
 * Opens the embedded SQLite store (Node's built-in `node:sqlite`): WAL journal, foreign keys on, schema
 * migrations applied in code, in order, each in its own transaction and recorded in `schema_migrations`.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type * as SqliteNamespace from "node:sqlite";
import type { DatabaseSync } from "node:sqlite";

type SqliteModule = typeof SqliteNamespace;
let sqlite: SqliteModule | undefined;

/**
 * `node:sqlite` prints an ExperimentalWarning when first loaded; it is the embedded store the project chose
 * (docs/adr), so that one warning is dropped and every other warning still goes through.
 */
async function loadSqlite(): Promise<SqliteModule> {
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

/** One schema change: applied once, in order. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Opens (creating if needed) the database at `path` (":memory:" for tests) and applies `migrations`. */
export async function openDatabase(path: string, migrations: readonly Migration[]): Promise<DatabaseSync> {
  const { DatabaseSync } = await loadSqlite();
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
  );
  const applied = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map((r) => r.version),
  );
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    transaction(db, () => {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    });
  }
  return db;
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
