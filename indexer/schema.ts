/**
 * The index schema, in SQL that SQLite and PostgreSQL both accept: TEXT for uint256 amounts (decimal strings) and
 * hashes/addresses, BIGINT for block numbers, times (Unix seconds) and sequential ids, INTEGER for small codes and
 * 0/1 flags. Every table holding an event has the event's (tx_hash, log_index[, item_index]) as its key, which is
 * what makes re-applying a range a no-op (docs/adr/0020-indexer.md).
 */
import type { Migration } from "../core/db/migrate.ts";

/** Every table the indexer owns, children first (the order a rebuild empties them in). */
export const INDEX_TABLES = [
  "ix_events",
  "ix_transfers",
  "ix_holdings",
  "ix_retirements",
  "ix_batch_events",
  "ix_batches",
  "ix_methodologies",
  "ix_participant_events",
  "ix_participants",
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
];
