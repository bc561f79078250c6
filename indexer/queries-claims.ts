/**
 * The index's lookups for claims reports (ADR 0051): an organisation's candidate retirements and the participants
 * registered under an organisation name's key. Candidates only — the caller verifies each on the chain and
 * attributes it from the chain's data; the index narrows the search so that a report reads the retirements that
 * can concern the organisation, not every retirement ever made.
 */
import { getAddress, isAddress } from "ethers";

import { statusName } from "../sdk/src/enums.ts";
import { IndexerError } from "./errors.ts";
import type { SqlExecutor, SqlValue } from "../core/db/sql.ts";

/** A retirement that may concern an organisation, with where its events are (hints for the chain reads). */
export type ClaimCandidateRecord = {
  retirementId: string;
  /** The block of its CertificatesRetired event. */
  blockNumber: number;
  /** The batch the claim rests on now, and the block of that batch's BatchIssued (null if the index lacks it). */
  batchId: string;
  batchBlock: number | null;
};

/** A participant on the register under an organisation name (index data: re-read it from the chain). */
export type NamedParticipantRecord = {
  account: string;
  name: string;
  /** `organisationKey(name)`. */
  nameKey: string;
  status: string;
};

/** Most keys bound in one `IN (…)` list. */
const KEYS_PER_QUERY = 500;

/**
 * Retirements that may be `account`'s claim or that it made: naming it as beneficiary account, retired by it, or
 * naming no beneficiary account and a beneficiary name whose key is `nameKey` (omitted when null or empty). Ascending
 * id.
 */
export async function claimCandidates(
  db: SqlExecutor,
  account: string,
  nameKey: string | null,
): Promise<ClaimCandidateRecord[]> {
  if (!isAddress(account)) throw new IndexerError("INVALID_FILTER", "account must be an address");
  const a = getAddress(account);
  const terms = [
    "SELECT retirement_id FROM ix_retirements WHERE beneficiary = ?",
    "SELECT retirement_id FROM ix_retirements WHERE account = ?",
  ];
  const params: SqlValue[] = [a, a];
  if (nameKey) {
    terms.push("SELECT retirement_id FROM ix_retirements WHERE beneficiary_name_key = ? AND beneficiary IS NULL");
    params.push(nameKey);
  }
  const rows = await db.all(
    "SELECT r.retirement_id, r.block_number, r.batch_id, b.block_number AS batch_block FROM ix_retirements r " +
      "LEFT JOIN ix_batches b ON b.batch_id = r.batch_id " +
      `WHERE r.retirement_id IN (${terms.join(" UNION ")}) ORDER BY r.retirement_id`,
    params,
  );
  return rows.map((r) => ({
    retirementId: String(Number(r.retirement_id)),
    blockNumber: Number(r.block_number),
    batchId: String(Number(r.batch_id)),
    batchBlock: r.batch_block == null ? null : Number(r.batch_block),
  }));
}

/** Participants (admitted or suspended) whose organisation name has one of `keys`; by key, then account. */
export async function participantsNamed(db: SqlExecutor, keys: readonly string[]): Promise<NamedParticipantRecord[]> {
  const wanted = [...new Set(keys.filter((k) => k !== ""))];
  const out: NamedParticipantRecord[] = [];
  for (let i = 0; i < wanted.length; i += KEYS_PER_QUERY) {
    const chunk = wanted.slice(i, i + KEYS_PER_QUERY);
    const rows = await db.all(
      `SELECT account, name, name_key, status FROM ix_participants WHERE name_key IN (${chunk.map(() => "?").join(", ")})`,
      chunk,
    );
    out.push(
      ...rows.map((r) => ({
        account: String(r.account),
        name: String(r.name),
        nameKey: String(r.name_key),
        status: statusName(Number(r.status)),
      })),
    );
  }
  return out.sort((x, y) => (x.nameKey < y.nameKey ? -1 : x.nameKey > y.nameKey ? 1 : x.account < y.account ? -1 : 1));
}
