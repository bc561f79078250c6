/**
 * The index's listings and lookups: filters checked and turned into parameters, one query each, rows mapped to
 * wire-ready records (records.ts). Read-only: the store (store.ts) adds the writes.
 */
import { getAddress, isAddress } from "ethers";

import { CATEGORY_CODES, CATEGORY_NAMES, PARTICIPANT_KINDS, PARTICIPANT_STATUS_CODES } from "../sdk/src/enums.ts";
import { IndexerError } from "./errors.ts";
import {
  toBatch,
  toHolder,
  toHolding,
  toParticipant,
  toParticipantEvent,
  toRetirement,
  toSuspension,
  toTransfer,
  type BatchRecord,
  type HoldingRecord,
  type ParticipantEventRecord,
  type ParticipantRecord,
  type RetirementRecord,
  type SuspensionRecord,
  type TransferRecord,
} from "./records.ts";
import type { SqlDatabase, SqlValue } from "./sql.ts";

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

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

const BATCH_SELECT =
  "SELECT b.*, m.name AS methodology_name, m.parameters AS methodology_parameters FROM ix_batches b " +
  "LEFT JOIN ix_methodologies m ON m.methodology_id = b.methodology_id";

/** The index's reads over one SQL connection. */
export class IndexQueries {
  /** The SQL connection (exposed for tests and maintenance; the indexer writes only through the store). */
  readonly db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.db = db;
  }

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
    return rows.map(toHolding);
  }

  /** Holders of batch `id` with their balances, ascending account. */
  async holders(id: string | number | bigint): Promise<{ account: string; amount: string }[]> {
    const rows = await this.db.all("SELECT account, amount FROM ix_holdings WHERE batch_id = ? ORDER BY account", [
      idParam(id, "batchId"),
    ]);
    return rows.map(toHolder);
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
    return rows.map(toParticipant);
  }

  /** Admissions, suspensions and reinstatements, in chain order (of one account, or all). */
  async participantEvents(account?: string): Promise<ParticipantEventRecord[]> {
    const rows = await this.db.all(
      `SELECT * FROM ix_participant_events${account !== undefined ? " WHERE account = ?" : ""} ORDER BY block_number, log_index`,
      account !== undefined ? [addressParam(account, "account")] : [],
    );
    return rows.map(toParticipantEvent);
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
    return rows.map((r) => String(r.account));
  }

  /** Suspension history: suspensions and reinstatements of batches (of one batch, or all), in chain order. */
  async suspensions(batchId?: string | number | bigint): Promise<SuspensionRecord[]> {
    const rows = await this.db.all(
      `SELECT * FROM ix_batch_events${batchId !== undefined ? " WHERE batch_id = ?" : ""} ORDER BY block_number, log_index`,
      batchId !== undefined ? [idParam(batchId, "batchId")] : [],
    );
    return rows.map(toSuspension);
  }
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
