/**
 * The index's records of the register's history and governance: batch actions (suspension, reinstatement,
 * reversal), participant events, auditing bodies and accreditations, fraud-proof challenges and claim
 * replacements — wire-ready as in records.ts (uint256 values as decimal strings, addresses checksummed, times
 * ISO-8601 UTC), with the mapping of their rows.
 */
import {
  categoriesOfMask,
  challengeKindName,
  kindName,
  type Category,
  type ChallengeKindName,
} from "../sdk/src/enums.ts";
import { isoTime } from "../sdk/src/time.ts";
import type { SqlRow } from "../core/db/sql.ts";

const s = (v: unknown) => v as string;
const n = (v: unknown) => v as number;

/** An admin action on a batch: suspension, reinstatement, reversal (with its evidence and the cancelled count). */
export type BatchActionRecord = {
  batchId: string;
  action: "suspended" | "reinstated" | "reversed";
  by: string;
  reason: string;
  evidenceURI: string | null;
  /** Reversal only: the outstanding certificates it cancelled. */
  cancelled: string | null;
  txHash: string;
  blockNumber: number;
  blockTime: string;
};

export type ParticipantEventRecord = {
  account: string;
  action: "admitted" | "renamed" | "suspended" | "reinstated";
  kind: string | null;
  /** Admission and renaming: the organisation name given. */
  name: string | null;
  by: string;
  reason: string | null;
  txHash: string;
  blockNumber: number;
  blockTime: string;
};

/** An auditing body and its currently accredited signing addresses. */
export type AuditorBodyRecord = {
  bodyId: number;
  name: string;
  /** Signing addresses accredited for the body now (whatever their window), in accreditation order. */
  auditors: string[];
  registeredBlock: number;
  registeredAt: string;
  updatedBlock: number;
  updatedAt: string;
};

/** A signing address's accreditation: its body, scope and window (expiry needs no transaction). */
export type AccreditationRecord = {
  auditor: string;
  bodyId: number;
  bodyName: string | null;
  categories: Category[];
  /** The on-chain bit set: bit c = device category c. */
  categoriesMask: number;
  validFrom: string;
  validUntil: string;
  accreditedBlock: number;
  accreditedAt: string;
};

export type AccreditationEventRecord = {
  auditor: string;
  bodyId: number;
  action: "accredited" | "revoked";
  categories: Category[] | null;
  validFrom: string | null;
  validUntil: string | null;
  by: string;
  reason: string | null;
  txHash: string;
  blockNumber: number;
  blockTime: string;
};

/** A fraud proof: what it showed, the batches it holds, and the admin's decision once settled. */
export type ChallengeRecord = {
  challengeId: string;
  kind: ChallengeKindName | `kind-${string}`;
  status: "open" | "settled";
  batchA: string;
  /** The second batch (duplicate device), or null for a proof about one tree. */
  batchB: string | null;
  deviceId: string;
  /** The leaf index the proof is about (0 for a duplicate device). */
  index: string;
  challenger: string;
  /** Settled: the batch found at fault (left suspended by the admin), or null for neither. */
  faultyBatchId: string | null;
  settlement: { by: string; reason: string; evidenceURI: string; blockNumber: number; blockTime: string } | null;
  txHash: string;
  blockNumber: number;
  blockTime: string;
};

/** A reversed claim restored from another batch (RetirementReplaced). */
export type ReplacementRecord = {
  retirementId: string;
  previousBatchId: string;
  batchId: string;
  holder: string;
  operator: string;
  amount: string;
  txHash: string;
  blockNumber: number;
  blockTime: string;
};

export function toParticipantEvent(r: SqlRow): ParticipantEventRecord {
  return {
    account: s(r.account),
    action: s(r.action) as ParticipantEventRecord["action"],
    kind: r.kind === null ? null : kindName(n(r.kind)),
    name: r.name == null ? null : s(r.name),
    by: s(r.by_account),
    reason: r.reason === null ? null : s(r.reason),
    txHash: s(r.tx_hash),
    blockNumber: n(r.block_number),
    blockTime: isoTime(n(r.block_time)),
  };
}

export function toBatchAction(r: SqlRow): BatchActionRecord {
  return {
    batchId: String(n(r.batch_id)),
    action: s(r.action) as BatchActionRecord["action"],
    by: s(r.by_account),
    reason: s(r.reason),
    evidenceURI: r.evidence_uri == null ? null : s(r.evidence_uri),
    cancelled: r.cancelled == null ? null : s(r.cancelled),
    txHash: s(r.tx_hash),
    blockNumber: n(r.block_number),
    blockTime: isoTime(n(r.block_time)),
  };
}

/** A body row with the addresses accredited for it now, in accreditation order. */
export function toAuditorBody(r: SqlRow, auditors: string[]): AuditorBodyRecord {
  return {
    bodyId: n(r.body_id),
    name: s(r.name),
    auditors,
    registeredBlock: n(r.registered_block),
    registeredAt: isoTime(n(r.registered_time)),
    updatedBlock: n(r.updated_block),
    updatedAt: isoTime(n(r.updated_time)),
  };
}

export function toAccreditation(r: SqlRow): AccreditationRecord {
  return {
    auditor: s(r.auditor),
    bodyId: n(r.body_id),
    bodyName: r.body_name == null ? null : s(r.body_name),
    categories: categoriesOfMask(n(r.categories)),
    categoriesMask: n(r.categories),
    validFrom: isoTime(n(r.valid_from)),
    validUntil: isoTime(n(r.valid_until)),
    accreditedBlock: n(r.accredited_block),
    accreditedAt: isoTime(n(r.accredited_time)),
  };
}

export function toAccreditationEvent(r: SqlRow): AccreditationEventRecord {
  return {
    auditor: s(r.auditor),
    bodyId: n(r.body_id),
    action: s(r.action) as AccreditationEventRecord["action"],
    categories: r.categories == null ? null : categoriesOfMask(n(r.categories)),
    validFrom: r.valid_from == null ? null : isoTime(n(r.valid_from)),
    validUntil: r.valid_until == null ? null : isoTime(n(r.valid_until)),
    by: s(r.by_account),
    reason: r.reason == null ? null : s(r.reason),
    txHash: s(r.tx_hash),
    blockNumber: n(r.block_number),
    blockTime: isoTime(n(r.block_time)),
  };
}

export function toChallenge(r: SqlRow): ChallengeRecord {
  const settled = n(r.settled) === 1;
  return {
    challengeId: String(n(r.challenge_id)),
    kind: challengeKindName(n(r.kind)),
    status: settled ? "settled" : "open",
    batchA: String(n(r.batch_a)),
    batchB: r.batch_b == null ? null : String(n(r.batch_b)),
    deviceId: s(r.device_id),
    index: s(r.device_index),
    challenger: s(r.challenger),
    faultyBatchId: r.faulty_batch_id == null ? null : String(n(r.faulty_batch_id)),
    settlement: settled
      ? {
          by: s(r.settled_by),
          reason: s(r.settle_reason),
          evidenceURI: s(r.settle_evidence_uri),
          blockNumber: n(r.settled_block),
          blockTime: isoTime(n(r.settled_time)),
        }
      : null,
    txHash: s(r.tx_hash),
    blockNumber: n(r.block_number),
    blockTime: isoTime(n(r.block_time)),
  };
}

export function toReplacement(r: SqlRow): ReplacementRecord {
  return {
    retirementId: String(n(r.retirement_id)),
    previousBatchId: String(n(r.previous_batch_id)),
    batchId: String(n(r.batch_id)),
    holder: s(r.holder),
    operator: s(r.operator),
    amount: s(r.amount),
    txHash: s(r.tx_hash),
    blockNumber: n(r.block_number),
    blockTime: isoTime(n(r.block_time)),
  };
}
