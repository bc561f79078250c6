/**
 * The index schema, in SQL that SQLite and PostgreSQL both accept: TEXT for uint256 amounts (decimal strings) and
 * hashes/addresses, BIGINT for block numbers, times (Unix seconds) and sequential ids, INTEGER for small codes and
 * 0/1 flags. Every table holding an event has the event's (tx_hash, log_index[, item_index]) as its key, which is
 * what makes re-applying a range a no-op (docs/adr/0020-indexer.md).
 */
import { organisationKey } from "../core/claims/attribution.ts";
import type { Migration, MigrationExecutor } from "../core/db/migrate.ts";

/** Every table the indexer owns, children first (the order a rebuild empties them in). */
export const INDEX_TABLES = [
  "ix_events",
  "ix_transfers",
  "ix_holdings",
  "ix_replacements",
  "ix_retirements",
  "ix_challenges",
  "ix_batch_events",
  "ix_batches",
  "ix_methodologies",
  "ix_participant_events",
  "ix_participants",
  "ix_accreditation_events",
  "ix_accreditations",
  "ix_auditor_bodies",
  "ix_role_events",
  "ix_roles",
] as const;

export const INDEX_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "index tables",
    sql: `
CREATE TABLE IF NOT EXISTS ix_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  chain_id TEXT NOT NULL,
  registry TEXT NOT NULL,
  start_block BIGINT NOT NULL,
  last_block BIGINT,
  last_hash TEXT,
  last_time BIGINT,
  version BIGINT NOT NULL,
  updated_at TEXT NOT NULL,
  rebuilt_at TEXT,
  rebuild_reason TEXT
);

CREATE TABLE IF NOT EXISTS ix_events (
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  name TEXT NOT NULL,
  args TEXT NOT NULL,
  PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX IF NOT EXISTS ix_events_by_block ON ix_events (block_number, log_index);

CREATE TABLE IF NOT EXISTS ix_methodologies (
  methodology_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  parameters TEXT NOT NULL,
  active INTEGER NOT NULL,
  block_number BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS ix_batches (
  batch_id BIGINT PRIMARY KEY,
  owner TEXT NOT NULL,
  category INTEGER NOT NULL,
  issued TEXT NOT NULL,
  retired TEXT NOT NULL,
  baseline_grams TEXT NOT NULL,
  reduction_grams TEXT NOT NULL,
  vintage_start BIGINT NOT NULL,
  vintage_end BIGINT NOT NULL,
  methodology_id INTEGER NOT NULL,
  suspended INTEGER NOT NULL,
  report_hash TEXT NOT NULL,
  reference_data_hash TEXT NOT NULL,
  device_root TEXT NOT NULL,
  evidence_uri TEXT NOT NULL,
  deadline BIGINT NOT NULL,
  auditors TEXT NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  UNIQUE (tx_hash, log_index)
);
CREATE INDEX IF NOT EXISTS ix_batches_by_owner ON ix_batches (owner, batch_id);
CREATE INDEX IF NOT EXISTS ix_batches_by_category ON ix_batches (category, batch_id);

CREATE TABLE IF NOT EXISTS ix_batch_events (
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  batch_id BIGINT NOT NULL,
  action TEXT NOT NULL,
  by_account TEXT NOT NULL,
  reason TEXT NOT NULL,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX IF NOT EXISTS ix_batch_events_by_batch ON ix_batch_events (batch_id, block_number, log_index);

CREATE TABLE IF NOT EXISTS ix_retirements (
  retirement_id BIGINT PRIMARY KEY,
  batch_id BIGINT NOT NULL,
  account TEXT NOT NULL,
  operator TEXT NOT NULL,
  beneficiary_name TEXT NOT NULL,
  beneficiary_name_lc TEXT NOT NULL,
  beneficiary TEXT,
  amount TEXT NOT NULL,
  period_start BIGINT NOT NULL,
  period_end BIGINT NOT NULL,
  scope3_category INTEGER NOT NULL,
  purpose TEXT NOT NULL,
  claim_hash TEXT NOT NULL,
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  UNIQUE (tx_hash, log_index)
);
CREATE INDEX IF NOT EXISTS ix_retirements_by_batch ON ix_retirements (batch_id, retirement_id);
CREATE INDEX IF NOT EXISTS ix_retirements_by_account ON ix_retirements (account, retirement_id);
CREATE INDEX IF NOT EXISTS ix_retirements_by_beneficiary ON ix_retirements (beneficiary, retirement_id);

CREATE TABLE IF NOT EXISTS ix_transfers (
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  item_index INTEGER NOT NULL,
  operator TEXT NOT NULL,
  from_account TEXT NOT NULL,
  to_account TEXT NOT NULL,
  batch_id BIGINT NOT NULL,
  amount TEXT NOT NULL,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  PRIMARY KEY (tx_hash, log_index, item_index)
);
CREATE INDEX IF NOT EXISTS ix_transfers_by_from ON ix_transfers (from_account, block_number);
CREATE INDEX IF NOT EXISTS ix_transfers_by_to ON ix_transfers (to_account, block_number);
CREATE INDEX IF NOT EXISTS ix_transfers_by_batch ON ix_transfers (batch_id, block_number);

CREATE TABLE IF NOT EXISTS ix_holdings (
  account TEXT NOT NULL,
  batch_id BIGINT NOT NULL,
  amount TEXT NOT NULL,
  PRIMARY KEY (account, batch_id)
);
CREATE INDEX IF NOT EXISTS ix_holdings_by_batch ON ix_holdings (batch_id);

CREATE TABLE IF NOT EXISTS ix_participants (
  account TEXT PRIMARY KEY,
  kind INTEGER NOT NULL,
  status INTEGER NOT NULL,
  admitted_block BIGINT NOT NULL,
  admitted_time BIGINT NOT NULL,
  updated_block BIGINT NOT NULL,
  updated_time BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS ix_participant_events (
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  account TEXT NOT NULL,
  action TEXT NOT NULL,
  kind INTEGER,
  by_account TEXT NOT NULL,
  reason TEXT,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX IF NOT EXISTS ix_participant_events_by_account ON ix_participant_events (account, block_number);

CREATE TABLE IF NOT EXISTS ix_roles (
  role TEXT NOT NULL,
  account TEXT NOT NULL,
  granted_block BIGINT NOT NULL,
  granted_log_index INTEGER NOT NULL,
  granted_time BIGINT NOT NULL,
  PRIMARY KEY (role, account)
);

CREATE TABLE IF NOT EXISTS ix_role_events (
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  role TEXT NOT NULL,
  account TEXT NOT NULL,
  action TEXT NOT NULL,
  sender TEXT NOT NULL,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  PRIMARY KEY (tx_hash, log_index)
);
`,
  },
  {
    // Contract v2 (issue 13). Rows of a v1 registry keep their meaning: a suspended batch becomes status
    // Suspended held by the admin, a retirement rests on the batch it was retired from, a participant has no name
    // yet. The auditor role is gone (auditors are accredited addresses of auditing bodies), so its rows go.
    version: 2,
    name: "contract v2: batch status and holds, reversal, challenges, replacements, names, bodies, accreditations",
    sql: `
ALTER TABLE ix_batches ADD COLUMN status INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ix_batches ADD COLUMN admin_suspended INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ix_batches ADD COLUMN open_challenges INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ix_batches ADD COLUMN cancelled TEXT NOT NULL DEFAULT '0';
UPDATE ix_batches SET status = 1, admin_suspended = 1 WHERE suspended = 1;
ALTER TABLE ix_batches DROP COLUMN suspended;
CREATE INDEX IF NOT EXISTS ix_batches_by_status ON ix_batches (status, batch_id);

ALTER TABLE ix_batch_events ADD COLUMN evidence_uri TEXT;
ALTER TABLE ix_batch_events ADD COLUMN cancelled TEXT;

ALTER TABLE ix_retirements ADD COLUMN original_batch_id BIGINT NOT NULL DEFAULT 0;
UPDATE ix_retirements SET original_batch_id = batch_id;
ALTER TABLE ix_retirements ADD COLUMN replacements INTEGER NOT NULL DEFAULT 0;

CREATE TABLE IF NOT EXISTS ix_replacements (
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  retirement_id BIGINT NOT NULL,
  previous_batch_id BIGINT NOT NULL,
  batch_id BIGINT NOT NULL,
  holder TEXT NOT NULL,
  operator TEXT NOT NULL,
  amount TEXT NOT NULL,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX IF NOT EXISTS ix_replacements_by_retirement ON ix_replacements (retirement_id, block_number, log_index);

CREATE TABLE IF NOT EXISTS ix_challenges (
  challenge_id BIGINT PRIMARY KEY,
  kind INTEGER NOT NULL,
  settled INTEGER NOT NULL,
  batch_a BIGINT NOT NULL,
  batch_b BIGINT,
  device_id TEXT NOT NULL,
  device_index TEXT NOT NULL,
  challenger TEXT NOT NULL,
  faulty_batch_id BIGINT,
  settled_by TEXT,
  settle_reason TEXT,
  settle_evidence_uri TEXT,
  settled_block BIGINT,
  settled_time BIGINT,
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  UNIQUE (tx_hash, log_index)
);
CREATE INDEX IF NOT EXISTS ix_challenges_by_batch_a ON ix_challenges (batch_a, challenge_id);
CREATE INDEX IF NOT EXISTS ix_challenges_by_batch_b ON ix_challenges (batch_b, challenge_id);

ALTER TABLE ix_participants ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE ix_participant_events ADD COLUMN name TEXT;

CREATE TABLE IF NOT EXISTS ix_auditor_bodies (
  body_id BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  registered_block BIGINT NOT NULL,
  registered_time BIGINT NOT NULL,
  updated_block BIGINT NOT NULL,
  updated_time BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS ix_accreditations (
  auditor TEXT PRIMARY KEY,
  body_id BIGINT NOT NULL,
  categories INTEGER NOT NULL,
  valid_from BIGINT NOT NULL,
  valid_until BIGINT NOT NULL,
  accredited_block BIGINT NOT NULL,
  accredited_log_index INTEGER NOT NULL,
  accredited_time BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_accreditations_by_body ON ix_accreditations (body_id, auditor);

CREATE TABLE IF NOT EXISTS ix_accreditation_events (
  tx_hash TEXT NOT NULL,
  log_index INTEGER NOT NULL,
  auditor TEXT NOT NULL,
  body_id BIGINT NOT NULL,
  action TEXT NOT NULL,
  categories INTEGER,
  valid_from BIGINT,
  valid_until BIGINT,
  by_account TEXT NOT NULL,
  reason TEXT,
  block_number BIGINT NOT NULL,
  block_time BIGINT NOT NULL,
  PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX IF NOT EXISTS ix_accreditation_events_by_auditor ON ix_accreditation_events (auditor, block_number);

DELETE FROM ix_roles WHERE role = 'auditor';
`,
  },
  {
    // Issue 14: a retirement named for an organisation by name is found by the name's key (organisationKey, ADR
    // 0051), and so are the participants registered under it. SQL cannot compute the key (Unicode NFKC, full case
    // folding): the migration's backfill computes it in TypeScript for the rows already there.
    version: 3,
    name: "organisation name keys of retirements' beneficiaries and of participants",
    sql: `
ALTER TABLE ix_retirements ADD COLUMN beneficiary_name_key TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS ix_retirements_by_name_key ON ix_retirements (beneficiary_name_key, retirement_id);
ALTER TABLE ix_participants ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS ix_participants_by_name_key ON ix_participants (name_key, account);
`,
    backfill: backfillNameKeys,
  },
  {
    // Issue 17 (ADR 0055): the attestation carries the audit sample record's hash, emitted in BatchIssued. Rows
    // indexed before have none: the zero hash, "no sample record", as the chain holds for them.
    version: 4,
    name: "audit sample hash of issued batches",
    sql: `
ALTER TABLE ix_batches ADD COLUMN sample_hash TEXT NOT NULL DEFAULT '0x0000000000000000000000000000000000000000000000000000000000000000';
`,
  },
];

/** Sets the name keys of the rows written before version 3 (an empty name keeps the empty key). */
async function backfillNameKeys(tx: MigrationExecutor): Promise<void> {
  const retirements = await tx.all(
    "SELECT retirement_id, beneficiary_name FROM ix_retirements WHERE beneficiary_name <> ''",
  );
  for (const r of retirements) {
    await tx.run("UPDATE ix_retirements SET beneficiary_name_key = ? WHERE retirement_id = ?", [
      organisationKey(String(r.beneficiary_name)),
      Number(r.retirement_id),
    ]);
  }
  const participants = await tx.all("SELECT account, name FROM ix_participants WHERE name <> ''");
  for (const p of participants) {
    await tx.run("UPDATE ix_participants SET name_key = ? WHERE account = ?", [
      organisationKey(String(p.name)),
      String(p.account),
    ]);
  }
}
