/**
 * The statement of checks, defined once: what the verify page, the API, the CLI, the certificates and the SDK's
 * `verifyRetirement` / `verifyBatch` say was checked. Pure: the reader (reader.ts) gathers the facts from the chain.
 */
import { AbiCoder, keccak256 } from "ethers";

import { deviceProofRoot } from "./device-proof.ts";
import type { ChainBatch, Check } from "./verification.ts";

/** What the chain says about a retirement, as the checks compare it. */
export interface RetirementFacts {
  retirementId: bigint;
  /** The registry contract read. */
  registry: string;
  /** The claim hash stored with the retirement. */
  claimHash: string;
  /** `claimTextHash` of the event's texts (null when the event is not found). */
  textHash: string | null;
  /** The CertificatesRetired event (null when not found). */
  retired: { txHash: string; blockNumber: number } | null;
  batch: ChainBatch;
  /** `batchOfReport(batch.reportHash, category)` (0 when the report hash is unknown). */
  reportBatch: bigint;
}

/** `keccak256(abi.encode(beneficiaryName, purpose))`: what the registry stores as a retirement's claim hash. */
export function claimTextHash(beneficiaryName: string, purpose: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["string", "string"], [beneficiaryName, purpose]));
}

/** The checks of a batch: issued against an audited attestation, indexed by its report hash, not suspended. */
export function batchChecks(batch: ChainBatch, reportBatch: bigint): Check[] {
  return [
    {
      check: "batch issued against an audited attestation",
      passed: batch.issuance !== null && batch.auditors.length > 0,
      detail: batch.issuance
        ? `BatchIssued in tx ${batch.issuance.txHash}, signed by ${batch.auditors.join(", ")}`
        : "no BatchIssued event found",
    },
    {
      check: "report hash indexes this batch",
      passed: reportBatch === BigInt(batch.batchId),
      detail: `batchOfReport(${batch.reportHash}, ${batch.category}) = ${reportBatch}`,
    },
    {
      check: "batch not suspended",
      passed: !batch.suspended,
      detail: batch.suspended
        ? "the batch is currently suspended (audit finding or duplicate-device proof)"
        : "the batch is in good standing",
    },
  ];
}

/** The checks of a retirement: stored, its texts bound to the stored hash, burned, then its batch's checks. */
export function retirementChecks(f: RetirementFacts): Check[] {
  return [
    {
      check: "retirement stored in contract state",
      passed: true,
      detail: `retirement(${f.retirementId}) on ${f.registry} returned the claim`,
    },
    {
      check: "claim texts bound to the stored hash",
      passed: f.textHash === f.claimHash,
      detail: `keccak256(abi.encode(beneficiaryName, purpose)) ${f.textHash === f.claimHash ? "equals" : "differs from"} the stored claimHash ${f.claimHash}`,
    },
    {
      check: "certificates burned",
      passed: f.retired !== null,
      detail: f.retired
        ? `CertificatesRetired in tx ${f.retired.txHash} (block ${f.retired.blockNumber}); the tokens were burned in the same transaction`
        : "no CertificatesRetired event found",
    },
    ...batchChecks(f.batch, f.reportBatch),
  ];
}

/**
 * The check that `proof` shows leaf `[index, deviceId]` in the batch's device tree (root from BatchIssued), at an
 * index below the batch's certificates: a leaf at or above it proves the tree holds more devices than were certified
 * (docs/adr/0015), so it fails the check although the proof reaches the root.
 */
export function deviceInclusionCheck(
  batch: ChainBatch,
  index: number | bigint,
  deviceId: string,
  proof: readonly string[],
): Check {
  const check = "device in the batch's device tree";
  if (batch.deviceRoot === null) {
    return { check, passed: false, detail: "no BatchIssued event found: the batch's device root is unknown" };
  }
  const reached = deviceProofRoot(index, deviceId, proof);
  const inTree = reached === batch.deviceRoot.toLowerCase();
  const certified = BigInt(index) < BigInt(batch.issued);
  return {
    check,
    passed: inTree && certified,
    detail:
      `the proof (${proof.length} hashes) leads from device ${deviceId} at index ${index} to ${reached}, which ` +
      `${inTree ? "equals" : "differs from"} the device root ${batch.deviceRoot} of batch #${batch.batchId}` +
      (inTree && !certified
        ? `, but index ${index} is not below the batch's ${batch.issued} certificates: the tree holds more ` +
          "devices than were certified"
        : ""),
  };
}

/** The checks in one sentence: where they were read, each passed (✓) or failed (✗). */
export function statementOf(
  chainId: bigint | string,
  block: number,
  registry: string,
  checks: readonly Check[],
): string {
  return (
    `Read from chain ${chainId} at block ${block}, registry ${registry}: ` +
    checks.map((c) => `${c.passed ? "✓" : "✗"} ${c.check}`).join("; ") +
    ". Nothing in this answer comes from the registry's own database."
  );
}
