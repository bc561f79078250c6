/**
 * The one migration runner (core/db/migrate.ts) on each engine it serves: SQLite through the oracle's
 * `openDatabase` and the index's SQL layer, PostgreSQL through the index's SQL layer (when ITEC_TEST_DATABASE_URL
 * is set, e.g. from `.ci/postgres.sh`). It applies pending migrations in version order, is idempotent, runs a
 * migration's TypeScript backfill in the same transaction, and a failing migration leaves the schema and its
 * recorded version as they were.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import pg from "pg";

import { migrate, MigrationError, type MigrateOptions, type Migration } from "../../core/db/migrate.ts";
import { openDatabase } from "../../core/db/sqlite.ts";
import { openSql, type SqlDatabase } from "../../core/db/sql.ts";

const PG_URL = process.env.ITEC_TEST_DATABASE_URL;

/** v1 makes a table, v2 writes to it (fails if v1 did not run first), v3 adds a column. */
const V1: Migration = { version: 1, name: "steps", sql: "CREATE TABLE mt_steps (step TEXT PRIMARY KEY)" };
const V2: Migration = {
  version: 2,
  name: "first step",
  sql: "INSERT INTO mt_steps (step) VALUES ('two'); CREATE TABLE mt_more (id INTEGER PRIMARY KEY)",
};
const V3: Migration = { version: 3, name: "note column", sql: "ALTER TABLE mt_steps ADD COLUMN note TEXT" };
const BROKEN_V3: Migration = { version: 3, name: "broken", sql: "ALTER TABLE mt_nowhere ADD COLUMN note TEXT" };

interface Engine {
  name: string;
  options: MigrateOptions;
  /** A fresh, empty database (closed by the test's `after`). */
  open(): Promise<SqlDatabase>;
  dispose(): Promise<void>;
}

function sqliteEngine(): Engine {
  const dir = mkdtempSync(join(tmpdir(), "itec-migrate-"));
  let n = 0;
  return {
    name: "SQLite",
    options: {},
    open: () => openSql({ sqlitePath: join(dir, `db-${++n}.sqlite`) }, []),
    dispose: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

function postgresEngine(url: string): Engine {
  const prefix = `itec_migrate_test_${process.pid}_${Date.now().toString(36)}`;
  const schemas: string[] = [];
  return {
    name: "PostgreSQL",
    options: { table: "mt_schema_migrations", lock: "SELECT pg_advisory_xact_lock(4242021)" },
    open: () => {
      schemas.push(`${prefix}_${schemas.length + 1}`);
      return openSql({ databaseUrl: url, pgSchema: schemas.at(-1) }, []);
    },
    dispose: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

function runnerSuite(makeEngine: () => Engine, name: string) {
  describe(`migrate on ${name}`, function () {
    let engine: Engine;
    const open: SqlDatabase[] = [];

    before(function () {
      engine = makeEngine();
    });
    after(async function () {
      for (const db of open) await db.close();
      await engine.dispose();
    });

    async function fresh(): Promise<SqlDatabase> {
      const db = await engine.open();
      open.push(db);
      return db;
    }

    const table = () => engine.options.table ?? "schema_migrations";
    const versions = async (db: SqlDatabase) =>
      (await db.all<{ version: number }>(`SELECT version FROM ${table()} ORDER BY version`)).map((r) =>
        Number(r.version),
      );
    const steps = async (db: SqlDatabase) =>
      (await db.all<{ step: string }>("SELECT step FROM mt_steps ORDER BY step")).map((r) => r.step);

    it("applies the pending migrations in version order, whatever order they are listed in", async function () {
      const db = await fresh();
      expect(await migrate(db, [V3, V1, V2], engine.options)).to.deep.equal([1, 2, 3]);
      expect(await versions(db)).to.deep.equal([1, 2, 3]);
      const names = await db.all<{ name: string }>(`SELECT name FROM ${table()} ORDER BY version`);
      expect(names.map((r) => r.name)).to.deep.equal(["steps", "first step", "note column"]);
      await db.run("INSERT INTO mt_steps (step, note) VALUES ('three', 'v3 added the column')");
      expect(await steps(db)).to.deep.equal(["three", "two"]);
    });

    it("is idempotent: a second run applies and records nothing", async function () {
      const db = await fresh();
      await migrate(db, [V1, V2], engine.options);
      const recorded = await db.all(`SELECT * FROM ${table()} ORDER BY version`);
      expect(await migrate(db, [V1, V2], engine.options)).to.deep.equal([]);
      expect(await db.all(`SELECT * FROM ${table()} ORDER BY version`)).to.deep.equal(recorded);
      expect(await steps(db)).to.deep.equal(["two"]); // v2's INSERT ran once
    });

    it("applies only the migrations added since the last run", async function () {
      const db = await fresh();
      expect(await migrate(db, [V1], engine.options)).to.deep.equal([1]);
      expect(await migrate(db, [V1, V2, V3], engine.options)).to.deep.equal([2, 3]);
      expect(await versions(db)).to.deep.equal([1, 2, 3]);
    });

    it("leaves the schema and its version unchanged when a migration fails, and applies them on a retry", async function () {
      const db = await fresh();
      await migrate(db, [V1], engine.options);
      const error = await migrate(db, [V1, V2, BROKEN_V3], engine.options).then(
        () => expect.fail("the broken migration was applied"),
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(MigrationError);
      expect(error).to.include({ code: "MIGRATION_FAILED" });
      expect((error as Error).message).to.match(
        /^schema migration 3 \("broken"\) failed; the schema stays at version 1/,
      );
      expect((error as Error).cause).to.be.instanceOf(Error);
      expect(await versions(db)).to.deep.equal([1]);
      expect(await steps(db)).to.deep.equal([]); // v2, applied before v3 failed, was rolled back with it
      expect(await migrate(db, [V1, V2, V3], engine.options)).to.deep.equal([2, 3]);
      expect(await versions(db)).to.deep.equal([1, 2, 3]);
    });

    it("runs a migration's TypeScript backfill in its transaction: a failing one rolls the run back", async function () {
      const db = await fresh();
      await migrate(db, [V1, V2], engine.options);
      const backfill = (fail: boolean): Migration => ({
        ...V3,
        backfill: async (tx) => {
          for (const row of await tx.all("SELECT step FROM mt_steps")) {
            await tx.run("UPDATE mt_steps SET note = ? WHERE step = ?", [
              `${String(row.step)}`.toUpperCase(),
              String(row.step),
            ]);
          }
          if (fail) throw new Error("backfill failed");
        },
      });
      const error = await migrate(db, [V1, V2, backfill(true)], engine.options).then(
        () => expect.fail("the failing backfill was applied"),
        (e: unknown) => e,
      );
      expect(error).to.include({ code: "MIGRATION_FAILED" });
      expect(await versions(db)).to.deep.equal([1, 2]);
      expect(await migrate(db, [V1, V2, backfill(false)], engine.options)).to.deep.equal([3]);
      expect(await db.all("SELECT step, note FROM mt_steps")).to.deep.equal([{ step: "two", note: "TWO" }]);
    });

    it("refuses a list with a repeated or non-positive version, before touching the database", async function () {
      const db = await fresh();
      for (const list of [[V1, { ...V2, version: 1 }], [{ ...V1, version: 0 }], [{ ...V1, version: 1.5 }]]) {
        const error = await migrate(db, list, engine.options).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(MigrationError).and.include({ code: "MIGRATION_INVALID" });
      }
      const error = await migrate(db, [V1], { ...engine.options, table: "x; DROP TABLE y" }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(MigrationError).and.include({ code: "MIGRATION_INVALID" });
      const tables = await db.all<{ name: string }>(
        name === "SQLite"
          ? "SELECT name FROM sqlite_master WHERE type = 'table'"
          : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()",
      );
      expect(tables.map((t) => t.name)).to.not.include("mt_steps");
    });

    if (name === "PostgreSQL") {
      it("applies the migrations once when two processes start at the same time", async function () {
        const one = await fresh();
        // A second pool on the same schema, as a second process would open it.
        const schema = (await one.get<{ s: string }>("SELECT current_schema() AS s"))!.s;
        const other = await openSql({ databaseUrl: PG_URL, pgSchema: schema }, []);
        open.push(other);
        const results = await Promise.all([
          migrate(one, [V1, V2, V3], engine.options),
          migrate(other, [V1, V2, V3], engine.options),
        ]);
        expect(results.map((r) => r.length).sort()).to.deep.equal([0, 3]);
        expect(await versions(one)).to.deep.equal([1, 2, 3]);
        expect(await steps(one)).to.deep.equal(["two"]);
      });
    }
  });
}

runnerSuite(sqliteEngine, "SQLite");
if (PG_URL) {
  runnerSuite(() => postgresEngine(PG_URL), "PostgreSQL");
} else {
  describe("migrate on PostgreSQL", function () {
    it('is pending: set ITEC_TEST_DATABASE_URL to run it (eval "$(bash .ci/postgres.sh)" as root)');
  });
}

describe("openDatabase (the oracle's SQLite stores)", function () {
  let dir: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), "itec-open-db-"));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("migrates through the runner: pending ones on reopening, none twice, none of a failed run", async function () {
    const path = join(dir, "jobs.db");
    const recorded = async () => {
      const db = await openDatabase(path, []);
      try {
        return (
          db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as { version: number }[]
        ).map((r) => r.version);
      } finally {
        db.close();
      }
    };
    (await openDatabase(path, [V1])).close();
    const error = await openDatabase(path, [V1, V2, BROKEN_V3]).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(MigrationError).and.include({ code: "MIGRATION_FAILED" });
    expect(await recorded()).to.deep.equal([1]);
    (await openDatabase(path, [V1, V2, V3])).close();
    (await openDatabase(path, [V1, V2, V3])).close();
    expect(await recorded()).to.deep.equal([1, 2, 3]);
    const db = await openDatabase(path, []);
    try {
      expect(
        db
          .prepare("SELECT step FROM mt_steps")
          .all()
          .map((r) => r.step),
      ).to.deep.equal(["two"]);
    } finally {
      db.close();
    }
  });
});
