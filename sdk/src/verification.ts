/**
 * What a verification from the chain alone answers: the batch as the registry holds it, a retirement with its
 * claim, proof and figures, and the statement of checks. Values are wire-ready (the API serves these objects as
 * they are): uint256 and decimals as strings, addresses checksummed, times ISO-8601 UTC. Organisations are named as
 * the register names them (`participant(account).name`), auditors by the body they sign for.
 */
import type { BatchStatusName, ClaimStatusName } from "./enums.ts";

/** One thing checked against the chain: its name (stable), whether it passed, and what was compared. */
export interface Check {
  check: string;
  passed: boolean;
  detail: string;
}

/** Where and when a verification read the chain. */
export interface ChainPoint {
  /** Chain id, decimal. */
  chainId: string;
  /** The registry contract, checksummed. */
  registry: string;
  /** The block the answer belongs to. */
  checkedAtBlock: number;
}

/** A transaction that emitted one of the registry's events, with its block's time (null if the block was not read). */
export interface EventProof {
  txHash: string;
  blockNumber: number;
  timestamp: string | null;
}

/** An account with the organisation name the register gives it (null when it is not an admitted participant). */
export interface Party {
  account: string;
  name: string | null;
}

/** An auditor whose signature issued a batch, and the auditing body it is accredited for (`accreditation`). */
export interface AuditorSigner {
  auditor: string;
  /** The body it signs for now (`accreditation(auditor).bodyId`); null when it holds no accreditation any more. */
  bodyId: number | null;
  /** That body's name (`auditorBody(bodyId).name`). */
  body: string | null;
}

/** Why a batch is frozen (`batchHold`): the registry admin's suspension and the fraud proofs still open against it. */
export interface BatchHold {
  adminSuspended: boolean;
  openChallenges: number;
}

/** A batch found wrong (its BatchReversed event; null members when the event was not found). */
export interface BatchReversal {
  /** Outstanding certificates cancelled by the reversal. */
  cancelled: string;
  /** Retired certificates whose claims were reversed (replacement owed). */
  retiredReversed: string | null;
  reason: string | null;
  evidenceURI: string | null;
  /** The registry admin who reversed it. */
  admin: string | null;
  event: EventProof | null;
}

/** A batch (ERC-1155 token id) as the registry holds it, with its BatchIssued event (null fields when not found). */
export interface ChainBatch {
  batchId: string;
  /** Device category (`laptop`, …; `category-N` for a code this version does not know). */
  category: string;
  issued: string;
  retired: string;
  /** issued − retired while the batch stands; 0 once it is reversed. */
  outstanding: string;
  /** Outstanding certificates cancelled by a reversal (0 unless reversed). */
  cancelled: string;
  /** `batch(id).status`: active, suspended (admin and/or open challenges) or reversed (final). */
  status: BatchStatusName;
  /** Why it is frozen (both false/0 for an active batch). */
  hold: BatchHold;
  /** The batch's standing in one sentence (the detail of the "batch not suspended or reversed" check). */
  statusDetail: string;
  /** The reversal, when the batch was reversed. */
  reversal: BatchReversal | null;
  baselineKgPerDevice: string;
  reductionKgPerDevice: string;
  certifiedIntensityKgPerDevice: string;
  baselineGrams: string;
  reductionGrams: string;
  /** ISO date (YYYY-MM-DD). */
  vintageStart: string;
  vintageEnd: string;
  methodology: string;
  parameters: string;
  /** First holder (from BatchIssued). */
  owner: string | null;
  /** The first holder's organisation name (`participant(owner).name`). */
  ownerName: string | null;
  reportHash: string | null;
  referenceDataHash: string | null;
  /** Root of the batch's device Merkle tree (see device-proof.ts). */
  deviceRoot: string | null;
  /** keccak256 of the batch's audit sample record (sample.ts); bytes32(0): issued without one. */
  sampleHash: string | null;
  evidenceURI: string | null;
  /** Auditors whose signatures issued the batch. */
  auditors: string[];
  /** The same auditors with the auditing body each signs for. */
  signers: AuditorSigner[];
  issuance: EventProof | null;
}

/** A retirement claim as the registry holds it, with the texts of its CertificatesRetired event. */
export interface RetirementClaim {
  /** Whose certificates were burned. */
  account: string;
  /** The holder's organisation name on the register. */
  accountName: string | null;
  /** Who sent the retirement (null when the event is not found). */
  operator: string | null;
  /** The operator's organisation name on the register. */
  operatorName: string | null;
  beneficiaryName: string | null;
  /** The beneficiary account, when one was named. */
  beneficiary: string | null;
  /** The beneficiary account's organisation name on the register, when it is an admitted participant. */
  beneficiaryAccountName: string | null;
  /** Whether the beneficiary account differs from the retiring account (null when unknown). */
  onBehalf: boolean | null;
  amount: string;
  periodStart: string;
  periodEnd: string;
  /** GHG Protocol Scope 3 category: 1 purchased goods, 2 capital goods. */
  scope3Category: number;
  purpose: string | null;
  claimHash: string;
}

/** A replacement of a reversed claim (a RetirementReplaced event). */
export interface ClaimReplacement {
  /** The reversed batch the claim rested on. */
  previousBatchId: string;
  /** The batch whose certificates were burned for it. */
  batchId: string;
  /** Whose certificates were burned, and who sent it. */
  holder: Party;
  operator: string;
  event: EventProof;
}

/** The claim's status from contract state (`claimStatus(id)`), with where it rests and why. */
export interface ClaimStanding {
  /** verified; reversed (its batch was reversed: not valid until replaced); replaced (restored from another batch). */
  status: ClaimStatusName;
  /** The batch the claim rests on now (`claimStatus(id).batchId`). */
  batchId: string;
  /** The batch it was retired from (its CertificatesRetired event; null when that event was not found). */
  originalBatchId: string | null;
  /** How many times it was replaced (`retirement(id).replacements`). */
  replacements: number;
  /** Its replacements, oldest first (RetirementReplaced events; empty unless replaced). */
  history: ClaimReplacement[];
  /** When reversed: who owes the replacement — the reversed batch's owner. */
  owedBy: Party | null;
}

/** What a verification concludes: every check passed, or the claim is reversed, or a check failed. */
export type Verdict = "verified" | "replaced" | "reversed" | "failed";

/** A retirement verified from the chain alone (`verifyRetirement`; the API's GET /verify/retirements/{id}). */
export interface RetirementVerification {
  retirementId: string;
  /** Every check passed — never for a reversed claim. */
  verified: boolean;
  /** verified / replaced (verified, resting on a replacement batch) / reversed / failed (a check failed). */
  verdict: Verdict;
  /** The verdict in one sentence, naming the organisations. */
  summary: string;
  claimStatus: ClaimStanding;
  chain: ChainPoint;
  claim: RetirementClaim;
  /** The CertificatesRetired event (null when not found). */
  proof: (EventProof & { blockHash: string }) | null;
  /** The batch the claim rests on now (a replaced claim's replacement batch). */
  batch: ChainBatch;
  totals: { certificates: string; unit: string; reductionKgClaimed: string };
  checks: Check[];
  /** The checks in one sentence, with where they were read. */
  statement: string;
}

/** A batch verified from the chain alone (`verifyBatch`). */
export interface BatchVerification {
  batchId: string;
  verified: boolean;
  chain: ChainPoint;
  batch: ChainBatch;
  checks: Check[];
  statement: string;
}

/** A device shown to be one of a batch's devices, and the batch verified (`verifyDeviceInBatch`). */
export interface DeviceVerification extends BatchVerification {
  deviceId: string;
  /** The device's index in the batch's tree (its leaf is `[index, deviceId]`), as a decimal string. */
  deviceIndex: string;
}
