/**
 * The index store: the registry's events applied to tables for listings and search, on SQLite or PostgreSQL with
 * one set of queries. Writes happen only through `applyRange` (one transaction per block range, together with the
 * new last block) and `reset` (a rebuild); both are compare-and-set on the state row's `version`, so two indexers
 * on one database can never interleave ranges. Reads return wire-ready records: uint256 values as decimal
 * strings, addresses checksummed, times ISO-8601 UTC.
 */
import { getAddress, isAddress } from "ethers";

import {
  CATEGORY_CODES,
  CATEGORY_NAMES,
  kindName,
  PARTICIPANT_KINDS,
  PARTICIPANT_STATUS_CODES,
  statusName,
} from "../sdk/src/enums.ts";
import { isoTime } from "../sdk/src/time.ts";
import { IndexerError } from "./errors.ts";
import { eventArgsJson, eventName, type IndexedEvent } from "./events.ts";
import { INDEX_MIGRATIONS, INDEX_TABLES } from "./schema.ts";
import { openSql, type OpenSqlOptions, type SqlDatabase, type SqlExecutor, type SqlValue } from "./sql.ts";

export type OpenIndexStoreOptions = OpenSqlOptions;

/** What the state row says about the index. */
export type IndexState = {
  chainId: string;
  registry: string;
  startBlock: number;
  /** Last block whose events are all applied; null before the first range. */
  lastBlock: number | null;
  lastBlockHash: string | null;
  /** Unix seconds of `lastBlock`. */
  lastBlockTime: number | null;
  /** Incremented by every write; writers compare-and-set it. */
  version: number;
  updatedAt: string;
  rebuiltAt: string | null;
  rebuildReason: string | null;
};

/** Which chain and contract the index belongs to, and where it starts. */
export type IndexIdentity = { chainId: string; registry: string; startBlock: number };

/** One block range read from the chain, ready to apply. */
export type BlockRange = {
  fromBlock: number;
  toBlock: number;
  toHash: string;
  toTime: number;
  /** Ordered by (blockNumber, logIndex). */
  events: readonly IndexedEvent[];
};

export type BatchRecord = {
  batchId: string;
  owner: string;
  category: string;
  categoryCode: number;
  issued: string;
  retired: string;
  outstanding: string;
  baselineGrams: string;
  reductionGrams: string;
  /** First and last refurbishment date (UTC days). */
  vintageStart: string;
  vintageEnd: string;
  methodologyId: number;
  methodology: string | null;
  parameters: string | null;
  suspended: boolean;
  reportHash: string;
  referenceDataHash: string;
  deviceRoot: string;
  evidenceURI: string;
  deadline: string;
  auditors: string[];
  txHash: string;
  blockNumber: number;
  blockTime: string;
};

export type RetirementRecord = {
  retirementId: string;
  batchId: string;
  /** The holder whose certificates were burned. */
  account: string;
  /** Who sent the transaction: the holder or its approved operator. */
  operator: string;
  beneficiaryName: string;
  /** Beneficiary's account, or null when the claim names none. */
  beneficiary: string | null;
  amount: string;
  periodStart: string;
  periodEnd: string;
  scope3Category: number;
  purpose: string;
  claimHash: string;
  txHash: string;
  blockNumber: number;
  logIndex: number;
  blockTime: string;
};

export type TransferRecord = {
  txHash: string;
  logIndex: number;
  /** Position inside a TransferBatch (0 for TransferSingle). */
  itemIndex: number;
  kind: "mint" | "transfer" | "burn";
  operator: string;
  from: string;
  to: string;
  batchId: string;
  amount: string;
  blockNumber: number;
  blockTime: string;
};

export type HoldingRecord = { batchId: string; amount: string };

export type ParticipantRecord = {
  account: string;
  kind: string;
  status: string;
  admittedBlock: number;
  admittedAt: string;
  updatedBlock: number;
  updatedAt: string;
};

export type SuspensionRecord = {
  batchId: string;
  action: "suspended" | "reinstated";
  by: string;
  reason: string;
  txHash: string;
  blockNumber: number;
  blockTime: string;
};

export type ParticipantEventRecord = {
  account: string;
  action: "admitted" | "suspended" | "reinstated";
  kind: string | null;
  by: string;
  reason: string | null;
  txHash: string;
  blockNumber: number;
  blockTime: string;
};

export type Page = { limit?: number | undefined; offset?: number | undefined };
export type RetirementFilter = Page & {
  /** Beneficiary account (exact), or text found case-insensitively in the beneficiary name. */
  beneficiary?: string | undefined;
  /** The account whose certificates were retired. */
  account?: string | undefined;
  batchId?: string | number | bigint | undefined;
};
export type BatchFilter = Page & {
  owner?: string | undefined;
  /** Category name ("laptop") or code (1…6). */
  category?: string | number | undefined;
};
export type TransferFilter = Page & { account?: string | undefined; batchId?: string | number | bigint | undefined };
export type ParticipantFilter = { status?: string | undefined; kind?: string | undefined };

/** Role names the index uses for the registry's AccessControl roles; unknown roles keep their hash. */
export type RoleNames = Readonly<Record<string, string>>;

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

const iso = isoTime;
const isoDay = (unix: number | bigint) => isoTime(unix).slice(0, 10);

type Row = Record<string, unknown>;
const s = (v: unknown) => v as string;
const n = (v: unknown) => v as number;

export class IndexStore {
  /** The SQL connection (exposed for tests and maintenance; the indexer writes only through this class). */
  readonly db: SqlDatabase;

  private constructor(db: SqlDatabase) {
    this.db = db;
  }

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
      let applied = 0;
      for (const event of range.events) {
        const isNew =
          (await tx.run(
            "INSERT INTO ix_events (tx_hash, log_index, block_number, block_time, name, args) VALUES (?, ?, ?, ?, ?, ?) " +
              "ON CONFLICT (tx_hash, log_index) DO NOTHING",
            [event.txHash, event.logIndex, event.blockNumber, event.blockTime, eventName(event), eventArgsJson(event)],
          )) === 1;
        if (!isNew) continue;
        applied += 1;
        await applyEvent(tx, event, roles);
      }
      if (beforeCommit) await beforeCommit(range);
      return { version: expectedVersion + 1, applied };
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Reads
  // -------------------------------------------------------------------------------------------------------------

  /** Batch `id`, or undefined when the index has not seen it. */
  async batch(id: string | number | bigint): Promise<BatchRecord | undefined> {
    const row = await this.db.get(`${BATCH_SELECT} WHERE b.batch_id = ?`, [idParam(id, "batchId")]);
    return row ? toBatch(row) : undefined;
  }

  /** Batches by owner and/or category, ascending id. */
  async listBatches(filter: BatchFilter = {}): Promise<BatchRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.owner !== undefined) {
      where.push("b.owner = ?");
      params.push(addressParam(filter.owner, "owner"));
    }
    if (filter.category !== undefined) {
      where.push("b.category = ?");
      params.push(categoryParam(filter.category));
    }
    const rows = await this.db.all(`${BATCH_SELECT}${whereClause(where)} ORDER BY b.batch_id LIMIT ? OFFSET ?`, [
      ...params,
      ...pageParams(filter),
    ]);
    return rows.map(toBatch);
  }

  /** Retirement `id`, or undefined when the index has not seen it. */
  async retirement(id: string | number | bigint): Promise<RetirementRecord | undefined> {
    const row = await this.db.get("SELECT * FROM ix_retirements WHERE retirement_id = ?", [
      idParam(id, "retirementId"),
    ]);
    return row ? toRetirement(row) : undefined;
  }

  /**
   * Retirements, ascending id. `beneficiary`: when it is an address, retirements naming that beneficiary account
   * OR whose beneficiary name contains it; otherwise a case-insensitive search in the beneficiary name.
   */
  async listRetirements(filter: RetirementFilter = {}): Promise<RetirementRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.beneficiary !== undefined && filter.beneficiary !== "") {
      const pattern = `%${escapeLike(filter.beneficiary.toLowerCase())}%`;
      if (isAddress(filter.beneficiary)) {
        where.push("(beneficiary = ? OR beneficiary_name_lc LIKE ? ESCAPE '\\')");
        params.push(getAddress(filter.beneficiary), pattern);
      } else {
        where.push("beneficiary_name_lc LIKE ? ESCAPE '\\'");
        params.push(pattern);
      }
    }
    if (filter.account !== undefined) {
      where.push("account = ?");
      params.push(addressParam(filter.account, "account"));
    }
    if (filter.batchId !== undefined) {
      where.push("batch_id = ?");
      params.push(idParam(filter.batchId, "batchId"));
    }
    const rows = await this.db.all(
      `SELECT * FROM ix_retirements${whereClause(where)} ORDER BY retirement_id LIMIT ? OFFSET ?`,
      [...params, ...pageParams(filter)],
    );
    return rows.map(toRetirement);
  }

  /** Non-zero balances of `account`, ascending batch id. */
  async holdings(account: string): Promise<HoldingRecord[]> {
    const rows = await this.db.all("SELECT batch_id, amount FROM ix_holdings WHERE account = ? ORDER BY batch_id", [
      addressParam(account, "account"),
    ]);
    return rows.map((r) => ({ batchId: String(n(r.batch_id)), amount: s(r.amount) }));
  }

  /** Holders of batch `id` with their balances, ascending account. */
  async holders(id: string | number | bigint): Promise<{ account: string; amount: string }[]> {
    const rows = await this.db.all("SELECT account, amount FROM ix_holdings WHERE batch_id = ? ORDER BY account", [
      idParam(id, "batchId"),
    ]);
    return rows.map((r) => ({ account: s(r.account), amount: s(r.amount) }));
  }

  /** Transfers (mints and burns included) touching `account` and/or of batch `batchId`, in chain order. */
  async transfers(filter: TransferFilter = {}): Promise<TransferRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.account !== undefined) {
      const account = addressParam(filter.account, "account");
      where.push("(from_account = ? OR to_account = ?)");
      params.push(account, account);
    }
    if (filter.batchId !== undefined) {
      where.push("batch_id = ?");
      params.push(idParam(filter.batchId, "batchId"));
    }
    const rows = await this.db.all(
      `SELECT * FROM ix_transfers${whereClause(where)} ORDER BY block_number, log_index, item_index LIMIT ? OFFSET ?`,
      [...params, ...pageParams(filter)],
    );
    return rows.map(toTransfer);
  }

  /** Participants by status ("active" | "suspended") and kind ("refurbisher" | "itad" | "corporate" | "trader"). */
  async participants(filter: ParticipantFilter = {}): Promise<ParticipantRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.status !== undefined) {
      const code = PARTICIPANT_STATUS_CODES[filter.status as keyof typeof PARTICIPANT_STATUS_CODES];
      if (code === undefined) throw new IndexerError("INVALID_FILTER", `unknown participant status "${filter.status}"`);
      where.push("status = ?");
      params.push(code);
    }
    if (filter.kind !== undefined) {
      const code = PARTICIPANT_KINDS[filter.kind as keyof typeof PARTICIPANT_KINDS];
      if (code === undefined) throw new IndexerError("INVALID_FILTER", `unknown participant kind "${filter.kind}"`);
      where.push("kind = ?");
      params.push(code);
    }
    const rows = await this.db.all(
      `SELECT * FROM ix_participants${whereClause(where)} ORDER BY admitted_block, account`,
      params,
    );
    return rows.map((r) => ({
      account: s(r.account),
      kind: kindName(n(r.kind)),
      status: statusName(n(r.status)),
      admittedBlock: n(r.admitted_block),
      admittedAt: iso(n(r.admitted_time)),
      updatedBlock: n(r.updated_block),
      updatedAt: iso(n(r.updated_time)),
    }));
  }

  /** Admissions, suspensions and reinstatements, in chain order (of one account, or all). */
  async participantEvents(account?: string): Promise<ParticipantEventRecord[]> {
    const rows = await this.db.all(
      `SELECT * FROM ix_participant_events${account !== undefined ? " WHERE account = ?" : ""} ORDER BY block_number, log_index`,
      account !== undefined ? [addressParam(account, "account")] : [],
    );
    return rows.map((r) => ({
      account: s(r.account),
      action: s(r.action) as ParticipantEventRecord["action"],
      kind: r.kind === null ? null : kindName(n(r.kind)),
      by: s(r.by_account),
      reason: r.reason === null ? null : s(r.reason),
      txHash: s(r.tx_hash),
      blockNumber: n(r.block_number),
      blockTime: iso(n(r.block_time)),
    }));
  }

  /** Current auditors (accounts holding the auditor role), in the order they were granted it. */
  async auditors(): Promise<string[]> {
    return this.roleMembers("auditor");
  }

  /** Current holders of `role` ("admin", "issuer", "auditor", or a role hash), in grant order. */
  async roleMembers(role: string): Promise<string[]> {
    const rows = await this.db.all(
      "SELECT account FROM ix_roles WHERE role = ? ORDER BY granted_block, granted_log_index",
      [role],
    );
    return rows.map((r) => s(r.account));
  }

  /** Suspension history: suspensions and reinstatements of batches (of one batch, or all), in chain order. */
  async suspensions(batchId?: string | number | bigint): Promise<SuspensionRecord[]> {
    const rows = await this.db.all(
      `SELECT * FROM ix_batch_events${batchId !== undefined ? " WHERE batch_id = ?" : ""} ORDER BY block_number, log_index`,
      batchId !== undefined ? [idParam(batchId, "batchId")] : [],
    );
    return rows.map((r) => ({
      batchId: String(n(r.batch_id)),
      action: s(r.action) as SuspensionRecord["action"],
      by: s(r.by_account),
      reason: s(r.reason),
      txHash: s(r.tx_hash),
      blockNumber: n(r.block_number),
      blockTime: iso(n(r.block_time)),
    }));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Applying one (new) event
// ---------------------------------------------------------------------------------------------------------------

async function applyEvent(tx: SqlExecutor, e: IndexedEvent, roles: RoleNames): Promise<void> {
  switch (e.name) {
    case "ParticipantAdmitted":
      await tx.run(
        "INSERT INTO ix_participant_events (tx_hash, log_index, account, action, kind, by_account, reason, block_number, block_time) " +
          "VALUES (?, ?, ?, 'admitted', ?, ?, NULL, ?, ?) ON CONFLICT (tx_hash, log_index) DO NOTHING",
        [e.txHash, e.logIndex, e.account, e.kind, e.admin, e.blockNumber, e.blockTime],
      );
      await tx.run(
        "INSERT INTO ix_participants (account, kind, status, admitted_block, admitted_time, updated_block, updated_time) " +
          "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account) DO UPDATE SET kind = excluded.kind, status = excluded.status, " +
          "admitted_block = excluded.admitted_block, admitted_time = excluded.admitted_time, " +
          "updated_block = excluded.updated_block, updated_time = excluded.updated_time",
        [e.account, e.kind, PARTICIPANT_STATUS_CODES.active, e.blockNumber, e.blockTime, e.blockNumber, e.blockTime],
      );
      return;
    case "ParticipantSuspended":
    case "ParticipantReinstated": {
      const suspended = e.name === "ParticipantSuspended";
      await tx.run(
        "INSERT INTO ix_participant_events (tx_hash, log_index, account, action, kind, by_account, reason, block_number, block_time) " +
          "VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?) ON CONFLICT (tx_hash, log_index) DO NOTHING",
        [
          e.txHash,
          e.logIndex,
          e.account,
          suspended ? "suspended" : "reinstated",
          e.admin,
          e.reason,
          e.blockNumber,
          e.blockTime,
        ],
      );
      const changed = await tx.run(
        "UPDATE ix_participants SET status = ?, updated_block = ?, updated_time = ? WHERE account = ?",
        [suspended ? PARTICIPANT_STATUS_CODES.suspended : PARTICIPANT_STATUS_CODES.active, e.blockNumber, e.blockTime, e.account],
      );
      if (changed !== 1) throw inconsistent(`${e.name} for ${e.account}, who was never admitted in the index`);
      return;
    }
    case "MethodologyRegistered":
      await tx.run(
        "INSERT INTO ix_methodologies (methodology_id, name, parameters, active, block_number) VALUES (?, ?, ?, 1, ?) " +
          "ON CONFLICT (methodology_id) DO NOTHING",
        [e.methodologyId, e.methodology, e.parameters, e.blockNumber],
      );
      return;
    case "MethodologyStatusChanged":
      await tx.run("UPDATE ix_methodologies SET active = ? WHERE methodology_id = ?", [
        e.active ? 1 : 0,
        e.methodologyId,
      ]);
      return;
    case "BatchIssued": {
      const f = e.figures;
      await tx.run(
        "INSERT INTO ix_batches (batch_id, owner, category, issued, retired, baseline_grams, reduction_grams, vintage_start, " +
          "vintage_end, methodology_id, suspended, report_hash, reference_data_hash, device_root, evidence_uri, deadline, " +
          "auditors, tx_hash, log_index, block_number, block_time) " +
          "VALUES (?, ?, ?, ?, '0', ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (batch_id) DO NOTHING",
        [
          e.batchId,
          e.owner,
          f.category,
          f.issued.toString(),
          f.baselineGrams.toString(),
          f.reductionGrams.toString(),
          f.vintageStart,
          f.vintageEnd,
          f.methodologyId,
          e.reportHash,
          e.referenceDataHash,
          e.deviceRoot,
          e.evidenceURI,
          e.deadline,
          JSON.stringify(e.auditors),
          e.txHash,
          e.logIndex,
          e.blockNumber,
          e.blockTime,
        ],
      );
      return;
    }
    case "BatchSuspended":
    case "BatchReinstated": {
      const suspended = e.name === "BatchSuspended";
      await tx.run(
        "INSERT INTO ix_batch_events (tx_hash, log_index, batch_id, action, by_account, reason, block_number, block_time) " +
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tx_hash, log_index) DO NOTHING",
        [
          e.txHash,
          e.logIndex,
          e.batchId,
          suspended ? "suspended" : "reinstated",
          e.by,
          e.reason,
          e.blockNumber,
          e.blockTime,
        ],
      );
      const changed = await tx.run("UPDATE ix_batches SET suspended = ? WHERE batch_id = ?", [
        suspended ? 1 : 0,
        e.batchId,
      ]);
      if (changed !== 1) throw inconsistent(`${e.name} for batch ${e.batchId}, which the index never saw issued`);
      return;
    }
    case "CertificatesRetired": {
      const c = e.claim;
      await tx.run(
        "INSERT INTO ix_retirements (retirement_id, batch_id, account, operator, beneficiary_name, beneficiary_name_lc, " +
          "beneficiary, amount, period_start, period_end, scope3_category, purpose, claim_hash, tx_hash, log_index, " +
          "block_number, block_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) " +
          "ON CONFLICT (retirement_id) DO NOTHING",
        [
          e.retirementId,
          e.batchId,
          e.account,
          e.operator,
          e.beneficiaryName,
          e.beneficiaryName.toLowerCase(),
          c.beneficiary,
          c.amount.toString(),
          c.periodStart,
          c.periodEnd,
          c.scope3Category,
          e.purpose,
          c.claimHash,
          e.txHash,
          e.logIndex,
          e.blockNumber,
          e.blockTime,
        ],
      );
      const row = await tx.get<{ retired: string }>("SELECT retired FROM ix_batches WHERE batch_id = ?", [e.batchId]);
      if (!row) throw inconsistent(`retirement ${e.retirementId} of batch ${e.batchId}, which the index never saw`);
      await tx.run("UPDATE ix_batches SET retired = ? WHERE batch_id = ?", [
        (BigInt(row.retired) + c.amount).toString(),
        e.batchId,
      ]);
      return;
    }
    case "TransferSingle":
    case "TransferBatch":
      for (let i = 0; i < e.ids.length; i++) {
        const id = e.ids[i]!;
        const value = e.values[i] ?? 0n;
        await tx.run(
          "INSERT INTO ix_transfers (tx_hash, log_index, item_index, operator, from_account, to_account, batch_id, amount, " +
            "block_number, block_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) " +
            "ON CONFLICT (tx_hash, log_index, item_index) DO NOTHING",
          [e.txHash, e.logIndex, i, e.operator, e.from, e.to, id, value.toString(), e.blockNumber, e.blockTime],
        );
        if (e.from !== ZERO) await addHolding(tx, e.from, id, -value);
        if (e.to !== ZERO) await addHolding(tx, e.to, id, value);
      }
      return;
    case "RoleGranted":
    case "RoleRevoked": {
      const role = roles[e.role] ?? e.role;
      const granted = e.name === "RoleGranted";
      await tx.run(
        "INSERT INTO ix_role_events (tx_hash, log_index, role, account, action, sender, block_number, block_time) " +
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tx_hash, log_index) DO NOTHING",
        [e.txHash, e.logIndex, role, e.account, granted ? "granted" : "revoked", e.sender, e.blockNumber, e.blockTime],
      );
      if (granted) {
        await tx.run(
          "INSERT INTO ix_roles (role, account, granted_block, granted_log_index, granted_time) VALUES (?, ?, ?, ?, ?) " +
            "ON CONFLICT (role, account) DO NOTHING",
          [role, e.account, e.blockNumber, e.logIndex, e.blockTime],
        );
      } else {
        await tx.run("DELETE FROM ix_roles WHERE role = ? AND account = ?", [role, e.account]);
      }
      return;
    }
    case "Other":
      return; // kept in ix_events only
  }
}

const ZERO = "0x0000000000000000000000000000000000000000";

/** Adds `delta` to a balance, exactly (bigint), deleting the row at zero. */
async function addHolding(tx: SqlExecutor, account: string, batchId: bigint, delta: bigint): Promise<void> {
  const row = await tx.get<{ amount: string }>("SELECT amount FROM ix_holdings WHERE account = ? AND batch_id = ?", [
    account,
    batchId,
  ]);
  const next = BigInt(row?.amount ?? "0") + delta;
  if (next < 0n) throw inconsistent(`balance of ${account} in batch ${batchId} would fall below zero`);
  if (next === 0n) {
    await tx.run("DELETE FROM ix_holdings WHERE account = ? AND batch_id = ?", [account, batchId]);
  } else {
    await tx.run(
      "INSERT INTO ix_holdings (account, batch_id, amount) VALUES (?, ?, ?) " +
        "ON CONFLICT (account, batch_id) DO UPDATE SET amount = excluded.amount",
      [account, batchId, next.toString()],
    );
  }
}

function inconsistent(what: string): IndexerError {
  return new IndexerError(
    "INCONSISTENT",
    `index inconsistent: ${what} — does the configured start block precede the registry's deployment?`,
  );
}

function concurrentWriter(): IndexerError {
  return new IndexerError("CONCURRENT_WRITER", "another indexer advanced this store first; the range was not applied");
}

// ---------------------------------------------------------------------------------------------------------------
// Rows → records, filters → parameters
// ---------------------------------------------------------------------------------------------------------------

const BATCH_SELECT =
  "SELECT b.*, m.name AS methodology_name, m.parameters AS methodology_parameters FROM ix_batches b " +
  "LEFT JOIN ix_methodologies m ON m.methodology_id = b.methodology_id";

function toState(r: Row): IndexState {
  return {
    chainId: s(r.chain_id),
    registry: s(r.registry),
    startBlock: n(r.start_block),
    lastBlock: r.last_block === null ? null : n(r.last_block),
    lastBlockHash: r.last_hash === null ? null : s(r.last_hash),
    lastBlockTime: r.last_time === null ? null : n(r.last_time),
    version: n(r.version),
    updatedAt: s(r.updated_at),
    rebuiltAt: r.rebuilt_at === null ? null : s(r.rebuilt_at),
    rebuildReason: r.rebuild_reason === null ? null : s(r.rebuild_reason),
  };
}

function toBatch(r: Row): BatchRecord {
  const issued = BigInt(s(r.issued));
  const retired = BigInt(s(r.retired));
  const category = n(r.category);
  return {
    batchId: String(n(r.batch_id)),
    owner: s(r.owner),
    category: CATEGORY_NAMES[category] ?? `category-${category}`,
    categoryCode: category,
    issued: issued.toString(),
    retired: retired.toString(),
    outstanding: (issued - retired).toString(),
    baselineGrams: s(r.baseline_grams),
    reductionGrams: s(r.reduction_grams),
    vintageStart: isoDay(n(r.vintage_start)),
    vintageEnd: isoDay(n(r.vintage_end)),
    methodologyId: n(r.methodology_id),
    methodology: r.methodology_name == null ? null : s(r.methodology_name),
    parameters: r.methodology_parameters == null ? null : s(r.methodology_parameters),
    suspended: n(r.suspended) === 1,
    reportHash: s(r.report_hash),
    referenceDataHash: s(r.reference_data_hash),
    deviceRoot: s(r.device_root),
    evidenceURI: s(r.evidence_uri),
    deadline: iso(n(r.deadline)),
    auditors: JSON.parse(s(r.auditors)) as string[],
    txHash: s(r.tx_hash),
    blockNumber: n(r.block_number),
    blockTime: iso(n(r.block_time)),
  };
}

function toRetirement(r: Row): RetirementRecord {
  return {
    retirementId: String(n(r.retirement_id)),
    batchId: String(n(r.batch_id)),
    account: s(r.account),
    operator: s(r.operator),
    beneficiaryName: s(r.beneficiary_name),
    beneficiary: r.beneficiary === null ? null : s(r.beneficiary),
    amount: s(r.amount),
    periodStart: iso(n(r.period_start)),
    periodEnd: iso(n(r.period_end)),
    scope3Category: n(r.scope3_category),
    purpose: s(r.purpose),
    claimHash: s(r.claim_hash),
    txHash: s(r.tx_hash),
    blockNumber: n(r.block_number),
    logIndex: n(r.log_index),
    blockTime: iso(n(r.block_time)),
  };
}

function toTransfer(r: Row): TransferRecord {
  const from = s(r.from_account);
  const to = s(r.to_account);
  return {
    txHash: s(r.tx_hash),
    logIndex: n(r.log_index),
    itemIndex: n(r.item_index),
    kind: from === ZERO ? "mint" : to === ZERO ? "burn" : "transfer",
    operator: s(r.operator),
    from,
    to,
    batchId: String(n(r.batch_id)),
    amount: s(r.amount),
    blockNumber: n(r.block_number),
    blockTime: iso(n(r.block_time)),
  };
}

function whereClause(conditions: readonly string[]): string {
  return conditions.length > 0 ? ` WHERE ${conditions.join(" AND ")}` : "";
}

function pageParams(page: Page): [number, number] {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  const offset = page.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_PAGE_SIZE) {
    throw new IndexerError("INVALID_FILTER", `limit must be an integer from 0 to ${MAX_PAGE_SIZE}`);
  }
  if (!Number.isInteger(offset) || offset < 0) throw new IndexerError("INVALID_FILTER", "offset must be ≥ 0");
  return [limit, offset];
}

function addressParam(value: string, field: string): string {
  if (!isAddress(value)) throw new IndexerError("INVALID_FILTER", `${field} must be an address`);
  return getAddress(value);
}

/** Ids are sequential counters (batch ids fit uint40 on-chain): stored as BIGINT, bound as numbers. */
function idParam(value: string | number | bigint, field: string): number {
  let id: bigint;
  try {
    id = BigInt(value);
  } catch {
    throw new IndexerError("INVALID_FILTER", `${field} must be a positive integer`);
  }
  if (id < 1n || id > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new IndexerError("INVALID_FILTER", `${field} must be a positive integer`);
  }
  return Number(id);
}

function categoryParam(value: string | number): number {
  const code =
    typeof value === "number" || /^[0-9]+$/.test(value)
      ? Number(value)
      : CATEGORY_CODES[value as keyof typeof CATEGORY_CODES];
  if (code === undefined || CATEGORY_NAMES[code] === undefined) {
    throw new IndexerError("INVALID_FILTER", `unknown category "${value}"`);
  }
  return code;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
