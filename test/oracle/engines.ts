/**
 * The oracle's job store on each engine, for suites that run once per engine: SQLite always, PostgreSQL when
 * ITEC_TEST_DATABASE_URL is set (`eval "$(bash .ci/postgres.sh)"`), each test in a fresh PostgreSQL schema. In CI
 * (CI=true) a missing ITEC_TEST_DATABASE_URL fails instead of skipping, as the indexer's suites do.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import pg from "pg";

import type { JobStoreOptions } from "../../oracle/src/store/jobs.ts";

export const PG_URL = process.env.ITEC_TEST_DATABASE_URL;
const IN_CI = process.env.CI === "true";

/** Where one test's job store lives; several JobStore instances opened on `target` share it. */
export interface StoreEngine {
  name: "SQLite" | "PostgreSQL";
  target: JobStoreOptions;
  dispose(): Promise<void>;
}

export type EngineFactory = () => StoreEngine;

let counter = 0;

export function sqliteEngine(): StoreEngine {
  const dir = mkdtempSync(join(tmpdir(), "itec-jobs-"));
  return {
    name: "SQLite",
    target: { sqlitePath: join(dir, "registry.db") },
    dispose: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

export function postgresEngine(url: string): StoreEngine {
  const schema = `itec_jobs_test_${process.pid}_${Date.now().toString(36)}_${++counter}`;
  return {
    name: "PostgreSQL",
    target: { databaseUrl: url, pgSchema: schema },
    dispose: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Declares `suite` once per available engine. Without ITEC_TEST_DATABASE_URL the PostgreSQL run is pending (or,
 * in CI, a failing test saying how to provide it).
 */
export function forEachEngine(title: string, suite: (engine: EngineFactory, name: StoreEngine["name"]) => void): void {
  describe(`${title} (SQLite)`, function () {
    this.timeout(120_000);
    suite(sqliteEngine, "SQLite");
  });
  const url = PG_URL;
  if (url) {
    describe(`${title} (PostgreSQL)`, function () {
      this.timeout(120_000);
      suite(() => postgresEngine(url), "PostgreSQL");
    });
  } else if (IN_CI) {
    describe(`${title} (PostgreSQL)`, function () {
      it("needs ITEC_TEST_DATABASE_URL in CI", function () {
        throw new Error(
          'ITEC_TEST_DATABASE_URL is not set: CI must run the oracle store on PostgreSQL (eval "$(bash .ci/postgres.sh)")',
        );
      });
    });
  } else {
    describe(`${title} (PostgreSQL)`, function () {
      it('is pending: set ITEC_TEST_DATABASE_URL to run it (eval "$(bash .ci/postgres.sh)" as root)');
    });
  }
}
