/**
 * The index store: the registry's events applied to tables for listings and search, on SQLite or PostgreSQL with
 * one set of queries. Writes happen only through `applyRange` (one transaction per block range, together with the
 * new last block) and `reset` (a rebuild); both are compare-and-set on the state row's `version`, so two indexers
 * on one database can never interleave ranges. The reads (queries.ts) return wire-ready records (records.ts):
 * uint256 values as decimal strings, addresses checksummed, times ISO-8601 UTC.
 */
import { applyEvents, type RoleNames } from "./apply.ts";
import { IndexerError } from "./errors.ts";
import type { BlockRange } from "./events.ts";
import { IndexQueries } from "./queries.ts";
import { toState, type IndexIdentity, type IndexState } from "./records.ts";
import { INDEX_MIGRATIONS, INDEX_TABLES } from "./schema.ts";
import { openSql, type OpenSqlOptions } from "../core/db/sql.ts";

export type OpenIndexStoreOptions = OpenSqlOptions;

export class IndexStore extends IndexQueries {
  /** Opens PostgreSQL when `databaseUrl` is a postgres:// URL, else SQLite at `sqlitePath`; applies migrations. */
  static async open(options: OpenIndexStoreOptions): Promise<IndexStore> {
    return new IndexStore(await openSql(options, INDEX_MIGRATIONS));
  }

  get dialect(): "sqlite" | "postgres" {
    return this.db.dialect;
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** True when the store answers a trivial query. */
  async ping(): Promise<boolean> {
    return (await this.db.get<{ one: number }>("SELECT 1 AS one"))?.one === 1;
  }

  // -------------------------------------------------------------------------------------------------------------
  // State and writes
  // -------------------------------------------------------------------------------------------------------------

  async state(): Promise<IndexState | undefined> {
    const row = await this.db.get("SELECT * FROM ix_state WHERE id = 1");
    return row ? toState(row) : undefined;
  }

  /** Creates the state row for `identity` when there is none; returns the state either way. */
  async initialize(identity: IndexIdentity): Promise<IndexState> {
    await this.db.run(
      "INSERT INTO ix_state (id, chain_id, registry, start_block, version, updated_at) VALUES (1, ?, ?, ?, 0, ?) " +
        "ON CONFLICT (id) DO NOTHING",
      [identity.chainId, identity.registry, identity.startBlock, new Date().toISOString()],
    );
    return (await this.state())!;
  }

  /**
   * Empties every index table and points the state at `identity` with nothing indexed (a rebuild from
   * `identity.startBlock`), in one transaction. Returns the new state.
   */
  async reset(identity: IndexIdentity, reason: string, expectedVersion: number): Promise<IndexState> {
    const now = new Date().toISOString();
    await this.db.transaction(async (tx) => {
      const changed = await tx.run(
        "UPDATE ix_state SET version = version + 1, chain_id = ?, registry = ?, start_block = ?, last_block = NULL, " +
          "last_hash = NULL, last_time = NULL, updated_at = ?, rebuilt_at = ?, rebuild_reason = ? " +
          "WHERE id = 1 AND version = ?",
        [identity.chainId, identity.registry, identity.startBlock, now, now, reason, expectedVersion],
      );
      if (changed !== 1) throw concurrentWriter();
      for (const table of INDEX_TABLES) await tx.run(`DELETE FROM ${table}`);
    });
    return (await this.state())!;
  }

  /**
   * Applies one block range and records `range.toBlock` as the last indexed block, in ONE transaction: a crash
   * leaves either the whole range or none of it. Every event is first recorded in `ix_events` under its
   * (txHash, logIndex); only an event that was not there yet changes anything else, so re-applying a range
   * (a replay after a crash, or a reset last block) changes nothing. `beforeCommit` runs inside the transaction
   * (tests inject failures there). Returns the new state version.
   */
  async applyRange(
    range: BlockRange,
    expectedVersion: number,
    roles: RoleNames,
    beforeCommit?: (range: BlockRange) => void | Promise<void>,
  ): Promise<{ version: number; applied: number }> {
    return this.db.transaction(async (tx) => {
      // First statement: in PostgreSQL it also locks the state row until COMMIT, serialising writers.
      const changed = await tx.run(
        "UPDATE ix_state SET version = version + 1, last_block = ?, last_hash = ?, last_time = ?, updated_at = ? " +
          "WHERE id = 1 AND version = ?",
        [range.toBlock, range.toHash, range.toTime, new Date().toISOString(), expectedVersion],
      );
      if (changed !== 1) throw concurrentWriter();
      const applied = await applyEvents(tx, range.events, roles);
      if (beforeCommit) await beforeCommit(range);
      return { version: expectedVersion + 1, applied };
    });
  }
}

function concurrentWriter(): IndexerError {
  return new IndexerError("CONCURRENT_WRITER", "another indexer advanced this store first; the range was not applied");
}
