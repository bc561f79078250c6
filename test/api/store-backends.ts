/**
 * Databases for the API store's tests: a SQLite file (every open is another connection to it), and PostgreSQL in a
 * schema of its own when ITEC_TEST_DATABASE_URL is set (e.g. from `.ci/postgres.sh`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import pg from "pg";

const PG_URL = process.env.ITEC_TEST_DATABASE_URL;

export interface StoreBackend {
  name: "SQLite" | "PostgreSQL";
  /** Where a store opens: every call of `open` is another connection to the same database. */
  location: { sqlitePath?: string; databaseUrl?: string; pgSchema?: string };
  dispose(): Promise<void>;
}

export function sqliteStoreBackend(): StoreBackend {
  const dir = mkdtempSync(join(tmpdir(), "itec-api-store-"));
  return {
    name: "SQLite",
    location: { sqlitePath: join(dir, "index.db") },
    dispose: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

export function postgresStoreBackend(url: string): StoreBackend {
  const schema = `itec_api_test_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  return {
    name: "PostgreSQL",
    location: { databaseUrl: url, pgSchema: schema },
    async dispose() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/** The backends to run a suite on, each with its name (for the suite's title) and a maker of fresh databases. */
export const storeBackends = (): ((() => StoreBackend) & { label: string })[] => [
  Object.assign(sqliteStoreBackend, { label: "SQLite" }),
  ...(PG_URL ? [Object.assign(() => postgresStoreBackend(PG_URL), { label: "PostgreSQL" })] : []),
];
