/**
 * The index's migrations on an index written by an earlier version, on SQLite and on PostgreSQL
 * (ITEC_TEST_DATABASE_URL). Version 2 (contract v2), on version-1 rows: the rows keep their meaning — a suspended
 * batch is held by the admin, a retirement rests on the batch it was retired from and is verified, a participant has
 * no name yet — and the auditor role's rows, which v2 has no use for, are gone. Version 3 (ADR 0051): the
 * organisation name keys of the rows already there, computed by the migration's TypeScript backfill.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import pg from "pg";

import { IndexStore } from "../../indexer/index.ts";
import { INDEX_MIGRATIONS } from "../../indexer/schema.ts";
import { openSql, type OpenSqlOptions } from "../../core/db/sql.ts";

const PG_URL = process.env.ITEC_TEST_DATABASE_URL;
const OWNER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const HOLDER = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";
const AUDITOR = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const ISSUER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const HASH = `0x${"ab".repeat(32)}`;

/** Rows as index version 1 wrote them: two batches (one suspended), a retirement, a participant and two roles. */
const V1_ROWS = [
  "INSERT INTO ix_methodologies VALUES (1, 'ITEC-CALC 1.0', 'ITEC-PARAMS-1', 1, 3)",
  ...[1, 2].map(
    (id) =>
      "INSERT INTO ix_batches (batch_id, owner, category, issued, retired, baseline_grams, reduction_grams, " +
      "vintage_start, vintage_end, methodology_id, suspended, report_hash, reference_data_hash, device_root, " +
      "evidence_uri, deadline, auditors, tx_hash, log_index, block_number, block_time) VALUES " +
      `(${id}, '${OWNER}', 1, '100', '${id === 1 ? 5 : 0}', '189000', '34000', 1767225600, 1767225600, 1, ` +
      `${id === 2 ? 1 : 0}, '${HASH}', '${HASH}', '${HASH}', 'https://x/${id}', 1799999999, '["${AUDITOR}"]', ` +
      `'0x${String(id).repeat(64)}', 0, ${10 + id}, 1767225600)`,
  ),
  "INSERT INTO ix_retirements (retirement_id, batch_id, account, operator, beneficiary_name, beneficiary_name_lc, " +
    "beneficiary, amount, period_start, period_end, scope3_category, purpose, claim_hash, tx_hash, log_index, " +
    `block_number, block_time) VALUES (1, 1, '${HOLDER}', '${HOLDER}', 'Acme', 'acme', NULL, '5', 1767225600, ` +
    `1798761599, 1, '', '${HASH}', '0x${"7".repeat(64)}', 1, 20, 1767225700)`,
  "INSERT INTO ix_participants (account, kind, status, admitted_block, admitted_time, updated_block, updated_time) " +
    `VALUES ('${HOLDER}', 3, 1, 5, 1767225000, 5, 1767225000)`,
  `INSERT INTO ix_roles VALUES ('auditor', '${AUDITOR}', 4, 0, 1767225000)`,
  `INSERT INTO ix_roles VALUES ('issuer', '${ISSUER}', 4, 1, 1767225000)`,
];

interface Engine {
  name: string;
  options(): OpenSqlOptions;
  dispose(): Promise<void>;
}

function sqliteEngine(): Engine {
  const dir = mkdtempSync(join(tmpdir(), "itec-ix-migrate-"));
  return {
    name: "SQLite",
    options: () => ({ sqlitePath: join(dir, "index.db") }),
    dispose: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

let engines = 0;

function postgresEngine(url: string): Engine {
  const schema = `itec_ix_migrate_${process.pid}_${Date.now().toString(36)}_${++engines}`;
  return {
    name: "PostgreSQL",
    options: () => ({ databaseUrl: url, pgSchema: schema }),
    dispose: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

function migrationSuite(makeEngine: () => Engine): void {
  const engine = makeEngine();
  const v3 = makeEngine();
  describe(`Index migrations on ${engine.name}`, function () {
    after(async () => {
      await engine.dispose();
      await v3.dispose();
    });

    it("keeps the meaning of version-1 rows and drops the auditor role (version 2, contract v2)", async function () {
      const v1 = await openSql(engine.options(), INDEX_MIGRATIONS.slice(0, 1));
      for (const row of V1_ROWS) await v1.run(row);
      await v1.close();

      const store = await IndexStore.open(engine.options());
      try {
        expect((await store.batch(1))!).to.deep.include({
          status: "active",
          hold: { adminSuspended: false, openChallenges: 0 },
          retired: "5",
          outstanding: "95",
          cancelled: "0",
        });
        expect((await store.batch(2))!).to.deep.include({
          status: "suspended",
          hold: { adminSuspended: true, openChallenges: 0 },
        });
        expect((await store.listBatches({ status: "suspended" })).map((b) => b.batchId)).to.deep.equal(["2"]);
        expect((await store.retirement(1))!).to.deep.include({
          batchId: "1",
          originalBatchId: "1",
          replacements: 0,
          claimStatus: "verified",
          accountName: "",
        });
        expect((await store.participants()).map((p) => [p.account, p.name])).to.deep.equal([[HOLDER, ""]]);
        expect(await store.roleMembers("auditor")).to.deep.equal([]);
        expect(await store.roleMembers("issuer")).to.deep.equal([ISSUER]);
        expect(await store.auditors()).to.deep.equal([]);
        expect(await store.challenges()).to.deep.equal([]);
      } finally {
        await store.close();
      }
      // Applied once: opening again changes nothing.
      const again = await IndexStore.open(engine.options());
      expect((await again.batch(2))!.status).to.equal("suspended");
      await again.close();
    });

    it("computes the organisation name keys of the rows already there in TypeScript (version 3)", async function () {
      const v2 = await openSql(v3.options(), INDEX_MIGRATIONS.slice(0, 2));
      const retired = (id: number, name: string, beneficiary: string | null) =>
        v2.run(
          "INSERT INTO ix_retirements (retirement_id, batch_id, original_batch_id, account, operator, " +
            "beneficiary_name, beneficiary_name_lc, beneficiary, amount, period_start, period_end, scope3_category, " +
            "purpose, claim_hash, tx_hash, log_index, block_number, block_time) VALUES (?, 1, 1, ?, ?, ?, ?, ?, '12', " +
            "1767225600, 1798761599, 1, '', ?, ?, 0, ?, 1767225700)",
          [id, OWNER, OWNER, name, name.toLowerCase(), beneficiary, HASH, `0x${String(id).repeat(64)}`, 20 + id],
        );
      // NFKC folds the full-width letters; white space and a trailing full stop do not count; SQL could do neither.
      await retired(1, "  ＧＬＯＢＥＸ   GmbH. ", null);
      await retired(2, "Globex GmbH", HOLDER);
      await retired(3, "Globex", null);
      await retired(4, "", null);
      await v2.run(
        "INSERT INTO ix_participants (account, kind, status, name, admitted_block, admitted_time, updated_block, " +
          "updated_time) VALUES (?, 3, 2, 'Globex GmbH', 5, 1767225000, 5, 1767225000)",
        [HOLDER],
      );
      await v2.close();

      const store = await IndexStore.open(v3.options());
      try {
        const keys = await store.db.all(
          "SELECT retirement_id, beneficiary_name_key FROM ix_retirements ORDER BY retirement_id",
        );
        expect(keys.map((r) => r.beneficiary_name_key)).to.deep.equal(["globex gmbh", "globex gmbh", "globex", ""]);
        // By name: #1 only (#2 names an account, which wins; #3 is another name); by account: #2.
        const ids = async (account: string, key: string | null) =>
          (await store.claimCandidates(account, key)).map((c) => c.retirementId);
        expect(await ids(ISSUER, "globex gmbh")).to.deep.equal(["1"]);
        expect(await ids(HOLDER, "globex gmbh")).to.deep.equal(["1", "2"]);
        expect(await ids(OWNER, null)).to.deep.equal(["1", "2", "3", "4"]);
        expect(await ids(ISSUER, "")).to.deep.equal([]);
        expect(await store.participantsNamed(["globex gmbh", "globex", ""])).to.deep.equal([
          { account: HOLDER, name: "Globex GmbH", nameKey: "globex gmbh", status: "suspended" },
        ]);
      } finally {
        await store.close();
      }
    });
  });
}

migrationSuite(sqliteEngine);
if (PG_URL) migrationSuite(() => postgresEngine(PG_URL));
