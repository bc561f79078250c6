/**
 * The index's listings and lookups: filters checked and turned into parameters, one query each, rows mapped to
 * wire-ready records (records.ts, records-register.ts). Read-only: the store (store.ts) adds the writes.
 */
import { getAddress, isAddress } from "ethers";

import {
  BATCH_STATUS,
  CATEGORY_CODES,
  CATEGORY_NAMES,
  CLAIM_STATUS,
  PARTICIPANT_KINDS,
  PARTICIPANT_STATUS_CODES,
} from "../sdk/src/enums.ts";
import { IndexerError } from "./errors.ts";
import {
  claimCandidates,
  participantsNamed,
  type ClaimCandidateRecord,
  type NamedParticipantRecord,
} from "./queries-claims.ts";
import {
  toBatch,
  toHolder,
  toHolding,
  toParticipant,
  toPortfolio,
  toRetirement,
  toTransfer,
  type BatchRecord,
  type HoldingRecord,
  type ParticipantRecord,
  type PortfolioRecord,
  type RetirementRecord,
  type TransferRecord,
} from "./records.ts";
import {
  toAccreditation,
  toAccreditationEvent,
  toAuditorBody,
  toBatchAction,
  toChallenge,
  toParticipantEvent,
  toReplacement,
  type AccreditationEventRecord,
  type AccreditationRecord,
  type AuditorBodyRecord,
  type BatchActionRecord,
  type ChallengeRecord,
  type ParticipantEventRecord,
  type ReplacementRecord,
} from "./records-register.ts";
import type { SqlDatabase, SqlValue } from "../core/db/sql.ts";

export type Page = { limit?: number | undefined; offset?: number | undefined };
export type RetirementFilter = Page & {
  /** Beneficiary account (exact), or text found case-insensitively in the beneficiary name. */
  beneficiary?: string | undefined;
  /** The account whose certificates were retired. */
  account?: string | undefined;
  /** Retired from this batch, or resting on it after a replacement. */
  batchId?: string | number | bigint | undefined;
  /** "verified" | "reversed" (replacement owed) | "replaced". */
  claimStatus?: string | undefined;
};
export type BatchFilter = Page & {
  owner?: string | undefined;
  /** Category name ("laptop") or code (1…6). */
  category?: string | number | undefined;
  /** "active" | "suspended" | "reversed". */
  status?: string | undefined;
};
export type ChallengeFilter = Page & {
  /** "open" | "settled". */
  status?: string | undefined;
  /** A batch the challenge names. */
  batchId?: string | number | bigint | undefined;
};
export type TransferFilter = Page & { account?: string | undefined; batchId?: string | number | bigint | undefined };
export type ParticipantFilter = {
  status?: string | undefined;
  kind?: string | undefined;
  /** Part of the organisation name, any case. */
  name?: string | undefined;
};

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

const BATCH_SELECT =
  "SELECT b.*, m.name AS methodology_name, m.parameters AS methodology_parameters, p.name AS owner_name " +
  "FROM ix_batches b LEFT JOIN ix_methodologies m ON m.methodology_id = b.methodology_id " +
  "LEFT JOIN ix_participants p ON p.account = b.owner";
/** A retirement with the status of the batch it rests on now (its claim's status) and the holder's name. */
const RETIREMENT_SELECT =
  "SELECT r.*, b.status AS batch_status, p.name AS account_name FROM ix_retirements r " +
  "LEFT JOIN ix_batches b ON b.batch_id = r.batch_id LEFT JOIN ix_participants p ON p.account = r.account";
const REVERSED = BATCH_STATUS.indexOf("reversed");

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
    if (filter.status !== undefined) {
      where.push("b.status = ?");
      params.push(enumParam(BATCH_STATUS, filter.status, "batch status"));
    }
    const rows = await this.db.all(`${BATCH_SELECT}${whereClause(where)} ORDER BY b.batch_id LIMIT ? OFFSET ?`, [
      ...params,
      ...pageParams(filter),
    ]);
    return rows.map(toBatch);
  }

  /** Retirement `id`, or undefined when the index has not seen it. */
  async retirement(id: string | number | bigint): Promise<RetirementRecord | undefined> {
    const row = await this.db.get(`${RETIREMENT_SELECT} WHERE r.retirement_id = ?`, [idParam(id, "retirementId")]);
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
        where.push("(r.beneficiary = ? OR r.beneficiary_name_lc LIKE ? ESCAPE '\\')");
        params.push(getAddress(filter.beneficiary), pattern);
      } else {
        where.push("r.beneficiary_name_lc LIKE ? ESCAPE '\\'");
        params.push(pattern);
      }
    }
    if (filter.account !== undefined) {
      where.push("r.account = ?");
      params.push(addressParam(filter.account, "account"));
    }
    if (filter.batchId !== undefined) {
      const id = idParam(filter.batchId, "batchId");
      where.push("(r.batch_id = ? OR r.original_batch_id = ?)");
      params.push(id, id);
    }
    if (filter.claimStatus !== undefined) {
      const status = CLAIM_STATUS[enumParam(CLAIM_STATUS, filter.claimStatus, "claim status")];
      where.push(
        status === "reversed"
          ? "b.status = ?"
          : `b.status <> ? AND r.replacements ${status === "verified" ? "=" : ">"} 0`,
      );
      params.push(REVERSED);
    }
    const rows = await this.db.all(
      `${RETIREMENT_SELECT}${whereClause(where)} ORDER BY r.retirement_id LIMIT ? OFFSET ?`,
      [...params, ...pageParams(filter)],
    );
    return rows.map(toRetirement);
  }

  /** Retirements that may concern `account`: see queries-claims.ts. */
  claimCandidates(account: string, nameKey: string | null): Promise<ClaimCandidateRecord[]> {
    return claimCandidates(this.db, account, nameKey);
  }

  /** Participants registered under one of the organisation name keys `keys`: see queries-claims.ts. */
  participantsNamed(keys: readonly string[]): Promise<NamedParticipantRecord[]> {
    return participantsNamed(this.db, keys);
  }

  /** Non-zero balances of `account`, ascending batch id (a reversed batch's balances read 0, as on-chain). */
  async holdings(account: string): Promise<HoldingRecord[]> {
    const rows = await this.db.all(
      "SELECT h.batch_id, h.amount FROM ix_holdings h JOIN ix_batches b ON b.batch_id = h.batch_id " +
        "WHERE h.account = ? AND b.status <> ? ORDER BY h.batch_id",
      [addressParam(account, "account"), REVERSED],
    );
    return rows.map(toHolding);
  }

  /**
   * Every batch `account` holds, with the batch's figures, in ONE query (a portfolio of 1,000 batches is one round
   * trip, not 1,000): ascending batch id. A reversed batch is kept (its status says why its certificates are void)
   * with the amount it held when reversed; on-chain it reads 0.
   */
  async portfolio(account: string): Promise<PortfolioRecord[]> {
    const rows = await this.db.all(
      "SELECT b.*, h.amount AS held_amount, m.name AS methodology_name, m.parameters AS methodology_parameters, " +
        "p.name AS owner_name FROM ix_holdings h JOIN ix_batches b ON b.batch_id = h.batch_id " +
        "LEFT JOIN ix_methodologies m ON m.methodology_id = b.methodology_id " +
        "LEFT JOIN ix_participants p ON p.account = b.owner WHERE h.account = ? ORDER BY h.batch_id",
      [addressParam(account, "account")],
    );
    return rows.map(toPortfolio);
  }

  /** Holders of batch `id` with their balances, ascending account (none once the batch is reversed). */
  async holders(id: string | number | bigint): Promise<{ account: string; amount: string }[]> {
    const rows = await this.db.all(
      "SELECT h.account, h.amount FROM ix_holdings h JOIN ix_batches b ON b.batch_id = h.batch_id " +
        "WHERE h.batch_id = ? AND b.status <> ? ORDER BY h.account",
      [idParam(id, "batchId"), REVERSED],
    );
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

  /**
   * Participants by status ("active" | "suspended"), kind ("refurbisher" | "itad" | "corporate" | "trader") and a
   * part of their organisation name (any case).
   */
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
    const participants = rows.map(toParticipant);
    if (filter.name === undefined) return participants;
    // Matched here, not in SQL: SQLite's LIKE folds only ASCII case and PostgreSQL's not at all, and a registry has
    // hundreds of participants, not millions. Unicode lower case on both sides: "müller" finds "Müller GmbH".
    const part = filter.name.toLowerCase();
    return participants.filter((p) => p.name.toLowerCase().includes(part));
  }

  /** Admissions, renamings, suspensions and reinstatements, in chain order (of one account, or all). */
  async participantEvents(account?: string): Promise<ParticipantEventRecord[]> {
    const rows = await this.db.all(
      `SELECT * FROM ix_participant_events${account !== undefined ? " WHERE account = ?" : ""} ORDER BY block_number, log_index`,
      account !== undefined ? [addressParam(account, "account")] : [],
    );
    return rows.map(toParticipantEvent);
  }

  /**
   * Accredited auditor signing addresses (accredited and not revoked), in the order of their latest accreditation.
   * Whether one counts at a given time also depends on its window and scope: see `accreditations()`.
   */
  async auditors(): Promise<string[]> {
    const rows = await this.db.all(
      "SELECT auditor FROM ix_accreditations ORDER BY accredited_block, accredited_log_index",
    );
    return rows.map((r) => String(r.auditor));
  }

  /** Current accreditations with their body, scope and window, in the order of `auditors()`. */
  async accreditations(): Promise<AccreditationRecord[]> {
    const rows = await this.db.all(
      "SELECT a.*, ab.name AS body_name FROM ix_accreditations a LEFT JOIN ix_auditor_bodies ab ON " +
        "ab.body_id = a.body_id ORDER BY a.accredited_block, a.accredited_log_index",
    );
    return rows.map(toAccreditation);
  }

  /** Accreditations and revocations, in chain order (of one auditor, or all). */
  async accreditationEvents(auditor?: string): Promise<AccreditationEventRecord[]> {
    const rows = await this.db.all(
      `SELECT * FROM ix_accreditation_events${auditor !== undefined ? " WHERE auditor = ?" : ""} ORDER BY block_number, log_index`,
      auditor !== undefined ? [addressParam(auditor, "auditor")] : [],
    );
    return rows.map(toAccreditationEvent);
  }

  /** Auditing bodies, ascending id, each with the addresses accredited for it now. */
  async auditorBodies(): Promise<AuditorBodyRecord[]> {
    const [bodies, members] = await Promise.all([
      this.db.all("SELECT * FROM ix_auditor_bodies ORDER BY body_id"),
      this.db.all("SELECT auditor, body_id FROM ix_accreditations ORDER BY accredited_block, accredited_log_index"),
    ]);
    return bodies.map((b) =>
      toAuditorBody(
        b,
        members.filter((m) => m.body_id === b.body_id).map((m) => String(m.auditor)),
      ),
    );
  }

  /** Current holders of `role` ("admin", "issuer", or a role hash), in grant order. */
  async roleMembers(role: string): Promise<string[]> {
    const rows = await this.db.all(
      "SELECT account FROM ix_roles WHERE role = ? ORDER BY granted_block, granted_log_index",
      [role],
    );
    return rows.map((r) => String(r.account));
  }

  /** Admin actions on batches (suspension, reinstatement, reversal), of one batch or all, in chain order. */
  async batchActions(batchId?: string | number | bigint): Promise<BatchActionRecord[]> {
    const rows = await this.db.all(
      `SELECT * FROM ix_batch_events${batchId !== undefined ? " WHERE batch_id = ?" : ""} ORDER BY block_number, log_index`,
      batchId !== undefined ? [idParam(batchId, "batchId")] : [],
    );
    return rows.map(toBatchAction);
  }

  /** Challenge `id`, or undefined when the index has not seen it. */
  async challenge(id: string | number | bigint): Promise<ChallengeRecord | undefined> {
    const row = await this.db.get("SELECT * FROM ix_challenges WHERE challenge_id = ?", [idParam(id, "challengeId")]);
    return row ? toChallenge(row) : undefined;
  }

  /** Fraud-proof challenges, open or settled, naming a batch or all, ascending id. */
  async challenges(filter: ChallengeFilter = {}): Promise<ChallengeRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.status !== undefined) {
      if (filter.status !== "open" && filter.status !== "settled") {
        throw new IndexerError("INVALID_FILTER", `unknown challenge status "${filter.status}"`);
      }
      where.push("settled = ?");
      params.push(filter.status === "settled" ? 1 : 0);
    }
    if (filter.batchId !== undefined) {
      const id = idParam(filter.batchId, "batchId");
      where.push("(batch_a = ? OR batch_b = ?)");
      params.push(id, id);
    }
    const rows = await this.db.all(
      `SELECT * FROM ix_challenges${whereClause(where)} ORDER BY challenge_id LIMIT ? OFFSET ?`,
      [...params, ...pageParams(filter)],
    );
    return rows.map(toChallenge);
  }

  /** Replacements of reversed claims (of one retirement, or all), in chain order. */
  async replacements(retirementId?: string | number | bigint): Promise<ReplacementRecord[]> {
    const rows = await this.db.all(
      `SELECT * FROM ix_replacements${retirementId !== undefined ? " WHERE retirement_id = ?" : ""} ORDER BY block_number, log_index`,
      retirementId !== undefined ? [idParam(retirementId, "retirementId")] : [],
    );
    return rows.map(toReplacement);
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

/** The on-chain code of an enum value given by name (e.g. "reversed" → 2). */
function enumParam(names: readonly string[], value: string, what: string): number {
  const code = names.indexOf(value);
  if (code < 0) throw new IndexerError("INVALID_FILTER", `unknown ${what} "${value}"`);
  return code;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
