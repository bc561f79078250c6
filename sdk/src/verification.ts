/**
 * What a verification from the chain alone answers: the batch as the registry holds it, a retirement with its
 * claim, proof and figures, and the statement of checks. Values are wire-ready (the API serves these objects as
 * they are): uint256 and decimals as strings, addresses checksummed, times ISO-8601 UTC.
 */

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

/** A batch (ERC-1155 token id) as the registry holds it, with its BatchIssued event (null fields when not found). */
export interface ChainBatch {
  batchId: string;
  /** Device category (`laptop`, …; `category-N` for a code this version does not know). */
  category: string;
  issued: string;
  retired: string;
  /** issued − retired. */
  outstanding: string;
  suspended: boolean;
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
  reportHash: string | null;
  referenceDataHash: string | null;
  /** Root of the batch's device Merkle tree (see device-proof.ts). */
  deviceRoot: string | null;
  evidenceURI: string | null;
  /** Auditors whose signatures issued the batch. */
  auditors: string[];
  issuance: EventProof | null;
}

/** A retirement claim as the registry holds it, with the texts of its CertificatesRetired event. */
export interface RetirementClaim {
  /** Whose certificates were burned. */
  account: string;
  /** Who sent the retirement (null when the event is not found). */
  operator: string | null;
  beneficiaryName: string | null;
  /** The beneficiary account, when one was named. */
  beneficiary: string | null;
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

/** A retirement verified from the chain alone (`verifyRetirement`; the API's GET /verify/retirements/{id}). */
export interface RetirementVerification {
  retirementId: string;
  /** Every check passed. */
  verified: boolean;
  chain: ChainPoint;
  claim: RetirementClaim;
  /** The CertificatesRetired event (null when not found). */
  proof: (EventProof & { blockHash: string }) | null;
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
