/**
 * What the index returns: the wire-ready records of its listings (histories, bodies, accreditations and
 * challenges: records-register.ts) (uint256 values as decimal strings, addresses
 * checksummed, times ISO-8601 UTC) and the mapping of the tables' rows to them. The rows come from SQLite or
 * PostgreSQL alike (TEXT → string, INTEGER/BIGINT → number, NULL → null; see core/db/sql.ts).
 */
import { ZeroAddress } from "ethers";

import {
  batchStatusName,
  CATEGORY_NAMES,
  CLAIM_STATUS,
  kindName,
  statusName,
  type BatchStatusName,
  type ClaimStatusName,
} from "../sdk/src/enums.ts";
import { isoTime } from "../sdk/src/time.ts";
import type { SqlRow } from "../core/db/sql.ts";

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

export type BatchRecord = {
  batchId: string;
  owner: string;
  /** The owner's organisation name on the ledger (null when the index has no participant entry for it). */
  ownerName: string | null;
  category: string;
  categoryCode: number;
  issued: string;
  /** Burned against claims: retirements from the batch and replacements of other batches' reversed claims. */
  retired: string;
  /** issued − retired while the batch stands; 0 once it is reversed. */
  outstanding: string;
  /** What was outstanding when the batch was reversed (void certificates); 0 otherwise. */
  cancelled: string;
  baselineGrams: string;
  reductionGrams: string;
  /** First and last refurbishment date (UTC days). */
  vintageStart: string;
  vintageEnd: string;
  methodologyId: number;
  methodology: string | null;
  parameters: string | null;
  /** `suspended` while the admin or an open challenge holds it; `reversed` is final. */
  status: BatchStatusName | `status-${string}`;
  /** Why it is held: the admin's suspension and the number of open challenges naming it. */
  hold: { adminSuspended: boolean; openChallenges: number };
  reportHash: string;
  referenceDataHash: string;
  deviceRoot: string;
  /** keccak256 of the audit sample record; the zero hash: issued without one (ADR 0055). */
  sampleHash: string;
  evidenceURI: string;
  deadline: string;
  auditors: string[];
  txHash: string;
  blockNumber: number;
  blockTime: string;
};

export type RetirementRecord = {
  retirementId: string;
  /** The batch the claim rests on now (another than `originalBatchId` after a replacement). */
  batchId: string;
  /** The batch the certificates were retired from. */
  originalBatchId: string;
  /** How many times the claim was restored from another batch. */
  replacements: number;
  /** `reversed` while its batch is reversed (replacement owed), `replaced` once restored, else `verified`. */
  claimStatus: ClaimStatusName;
  /** The holder whose certificates were burned. */
  account: string;
  /** The holder's organisation name on the ledger (null when the index has no participant entry for it). */
  accountName: string | null;
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

/** A batch an account holds, with the batch's figures: `held` is the account's balance (what it held when the
 * batch was reversed, for a reversed batch, whose certificates are void and read 0 on-chain). */
export type PortfolioRecord = BatchRecord & { held: string };

export type ParticipantRecord = {
  account: string;
  /** The organisation name on the ledger (set at admission, changed by the admin). */
  name: string;
  kind: string;
  status: string;
  admittedBlock: number;
  admittedAt: string;
  updatedBlock: number;
  updatedAt: string;
};

const isoDay = (unix: number | bigint) => isoTime(unix).slice(0, 10);

const s = (v: unknown) => v as string;
const n = (v: unknown) => v as number;

export function toState(r: SqlRow): IndexState {
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

export function toBatch(r: SqlRow): BatchRecord {
  const issued = BigInt(s(r.issued));
  const retired = BigInt(s(r.retired));
  const category = n(r.category);
  const status = batchStatusName(n(r.status));
  return {
    batchId: String(n(r.batch_id)),
    owner: s(r.owner),
    category: CATEGORY_NAMES[category] ?? `category-${category}`,
    categoryCode: category,
    ownerName: r.owner_name == null ? null : s(r.owner_name),
    issued: issued.toString(),
    retired: retired.toString(),
    outstanding: status === "reversed" ? "0" : (issued - retired).toString(),
    cancelled: s(r.cancelled),
    baselineGrams: s(r.baseline_grams),
    reductionGrams: s(r.reduction_grams),
    vintageStart: isoDay(n(r.vintage_start)),
    vintageEnd: isoDay(n(r.vintage_end)),
    methodologyId: n(r.methodology_id),
    methodology: r.methodology_name == null ? null : s(r.methodology_name),
    parameters: r.methodology_parameters == null ? null : s(r.methodology_parameters),
    status,
    hold: { adminSuspended: n(r.admin_suspended) === 1, openChallenges: n(r.open_challenges) },
    reportHash: s(r.report_hash),
    referenceDataHash: s(r.reference_data_hash),
    deviceRoot: s(r.device_root),
    sampleHash: s(r.sample_hash),
    evidenceURI: s(r.evidence_uri),
    deadline: isoTime(n(r.deadline)),
    auditors: JSON.parse(s(r.auditors)) as string[],
    txHash: s(r.tx_hash),
    blockNumber: n(r.block_number),
    blockTime: isoTime(n(r.block_time)),
  };
}

/** Rows joined with the batch the claim rests on now (`batch_status`) and the holder's name (`account_name`). */
export function toRetirement(r: SqlRow): RetirementRecord {
  const replacements = n(r.replacements);
  return {
    retirementId: String(n(r.retirement_id)),
    batchId: String(n(r.batch_id)),
    originalBatchId: String(n(r.original_batch_id)),
    replacements,
    claimStatus: claimStatus(n(r.batch_status), replacements),
    account: s(r.account),
    accountName: r.account_name == null ? null : s(r.account_name),
    operator: s(r.operator),
    beneficiaryName: s(r.beneficiary_name),
    beneficiary: r.beneficiary === null ? null : s(r.beneficiary),
    amount: s(r.amount),
    periodStart: isoTime(n(r.period_start)),
    periodEnd: isoTime(n(r.period_end)),
    scope3Category: n(r.scope3_category),
    purpose: s(r.purpose),
    claimHash: s(r.claim_hash),
    txHash: s(r.tx_hash),
    blockNumber: n(r.block_number),
    logIndex: n(r.log_index),
    blockTime: isoTime(n(r.block_time)),
  };
}

export function toTransfer(r: SqlRow): TransferRecord {
  const from = s(r.from_account);
  const to = s(r.to_account);
  return {
    txHash: s(r.tx_hash),
    logIndex: n(r.log_index),
    itemIndex: n(r.item_index),
    kind: from === ZeroAddress ? "mint" : to === ZeroAddress ? "burn" : "transfer",
    operator: s(r.operator),
    from,
    to,
    batchId: String(n(r.batch_id)),
    amount: s(r.amount),
    blockNumber: n(r.block_number),
    blockTime: isoTime(n(r.block_time)),
  };
}

export function toHolding(r: SqlRow): HoldingRecord {
  return { batchId: String(n(r.batch_id)), amount: s(r.amount) };
}

export function toPortfolio(r: SqlRow): PortfolioRecord {
  return { ...toBatch(r), held: s(r.held_amount) };
}

/** A holder of one batch with its balance. */
export function toHolder(r: SqlRow): { account: string; amount: string } {
  return { account: s(r.account), amount: s(r.amount) };
}

export function toParticipant(r: SqlRow): ParticipantRecord {
  return {
    account: s(r.account),
    name: s(r.name),
    kind: kindName(n(r.kind)),
    status: statusName(n(r.status)),
    admittedBlock: n(r.admitted_block),
    admittedAt: isoTime(n(r.admitted_time)),
    updatedBlock: n(r.updated_block),
    updatedAt: isoTime(n(r.updated_time)),
  };
}

/** The claim's status as `claimStatus(id)` computes it: from the status of the batch it rests on now. */
function claimStatus(batchStatus: number, replacements: number): ClaimStatusName {
  if (batchStatusName(batchStatus) === "reversed") return CLAIM_STATUS[1];
  return replacements === 0 ? CLAIM_STATUS[0] : CLAIM_STATUS[2];
}
