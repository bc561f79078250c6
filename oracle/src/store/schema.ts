/**
 * The job database's schema: its migrations, each applied once and in order by `openDatabase`
 * (core/db/sqlite.ts).
 */
import type { Migration } from "../../../core/db/migrate.ts";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "oracle jobs",
    sql: `
      CREATE TABLE lots (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        refurbisher TEXT NOT NULL,
        lot_ref TEXT NOT NULL,
        status TEXT NOT NULL,
        as_of TEXT NOT NULL,
        options_json TEXT NOT NULL,
        input_sha256 TEXT NOT NULL,
        input_json TEXT NOT NULL,
        report_json TEXT,
        report_hash TEXT,
        reference_sha256 TEXT,
        summary_json TEXT,
        correlation_id TEXT NOT NULL,
        error TEXT,
        submitted_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (refurbisher, lot_ref)
      );
      CREATE INDEX lots_status ON lots(status);
      CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        lot_id TEXT NOT NULL REFERENCES lots(id),
        category TEXT NOT NULL,
        state TEXT NOT NULL,
        certificates INTEGER NOT NULL,
        baseline_grams TEXT NOT NULL,
        reduction_grams TEXT NOT NULL,
        device_root TEXT,
        vintage_start TEXT,
        vintage_end TEXT,
        reason TEXT,
        error TEXT,
        attestation_json TEXT,
        digest TEXT,
        deadline INTEGER,
        token_id TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (lot_id, category)
      );
      CREATE INDEX batches_state ON batches(state);
      CREATE TABLE batch_devices (
        device_id TEXT PRIMARY KEY,
        batch_id TEXT NOT NULL REFERENCES batches(id)
      );
      CREATE INDEX batch_devices_batch ON batch_devices(batch_id);
      CREATE TABLE transitions (
        id INTEGER PRIMARY KEY,
        batch_id TEXT NOT NULL REFERENCES batches(id),
        from_state TEXT,
        to_state TEXT NOT NULL,
        at TEXT NOT NULL,
        note TEXT
      );
      CREATE INDEX transitions_batch ON transitions(batch_id);
      CREATE TABLE signatures (
        id INTEGER PRIMARY KEY,
        batch_id TEXT NOT NULL REFERENCES batches(id),
        digest TEXT NOT NULL,
        auditor TEXT NOT NULL,
        signature TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        created_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX signatures_accepted ON signatures(batch_id, digest, auditor) WHERE status = 'accepted';
      CREATE TABLE chain_txs (
        hash TEXT PRIMARY KEY,
        batch_id TEXT NOT NULL REFERENCES batches(id),
        nonce INTEGER NOT NULL,
        raw TEXT NOT NULL,
        status TEXT NOT NULL,
        block_number INTEGER,
        error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX chain_txs_batch ON chain_txs(batch_id);
    `,
  },
  {
    version: 2,
    name: "worker lease, per-batch failures, unattributed signatures",
    sql: `
      -- Non-transient errors of a batch's current step (transient RPC failures count in attempts, as before).
      ALTER TABLE batches ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
      -- At most one worker advances batches per database: it holds this row and renews it while it runs.
      CREATE TABLE worker_leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        acquired_at TEXT NOT NULL,
        renewed_at TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
      -- Signatures that do not verify for the auditor they name: anyone can post one, so they are kept apart and
      -- never shown as that auditor's refusal.
      CREATE TABLE unattributed_signatures (
        id INTEGER PRIMARY KEY,
        batch_id TEXT NOT NULL REFERENCES batches(id),
        digest TEXT NOT NULL,
        claimed_auditor TEXT NOT NULL,
        signature TEXT NOT NULL,
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX unattributed_signatures_batch ON unattributed_signatures(batch_id);
      -- Refusals recorded before this version without the signature verifying for the named auditor.
      INSERT INTO unattributed_signatures (batch_id, digest, claimed_auditor, signature, reason, created_at)
        SELECT batch_id, digest, auditor, signature, reason, created_at FROM signatures
        WHERE status = 'refused'
          AND (reason = 'the signature is not hex' OR reason LIKE 'the signature does not verify for %');
      DELETE FROM signatures
        WHERE status = 'refused'
          AND (reason = 'the signature is not hex' OR reason LIKE 'the signature does not verify for %');
    `,
  },
];
