/**
 * The statement of checks, defined once: what the verify page, the API, the CLI, the certificates and the SDK's
 * `verifyRetirement` / `verifyBatch` say was checked. Pure: the reader (reader.ts) gathers the facts from the chain.
 */
import { AbiCoder, keccak256 } from "ethers";

import { deviceProofRoot } from "./device-proof.ts";
import type {
  AuditorSigner,
  BatchHold,
  BatchReversal,
  ChainBatch,
  Check,
  ClaimStanding,
  Party,
  RetirementClaim,
  Verdict,
} from "./verification.ts";

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
  /** `claimStatus(id)` with where the claim rests, where it was retired from and who owes a replacement. */
  standing: ClaimStanding;
  /** The batch the claim rests on now. */
  batch: ChainBatch;
  /** `batchOfReport(batch.reportHash, category)` (0 when the report hash is unknown). */
  reportBatch: bigint;
}

/** `keccak256(abi.encode(beneficiaryName, purpose))`: what the registry stores as a retirement's claim hash. */
export function claimTextHash(beneficiaryName: string, purpose: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["string", "string"], [beneficiaryName, purpose]));
}

/** An account as sentences name it: "Refurb Co (0x…)", or the bare address when the register has no name for it. */
export function partyText(p: Party): string {
  return p.name ? `${p.name} (${p.account})` : p.account;
}

/** An auditor as sentences name it: "0x… for Audit Body A", or "0x… (no current accreditation)". */
export function signerText(s: AuditorSigner): string {
  return s.body !== null ? `${s.auditor} for ${s.body}` : `${s.auditor} (no current accreditation)`;
}

/**
 * A batch's standing in one sentence: active; suspended by the registry admin and/or open fraud-proof challenges
 * (with their count); or reversed, with what was cancelled, the reason and the evidence.
 */
export function batchStatusDetail(b: {
  status: ChainBatch["status"];
  hold: BatchHold;
  reversal: BatchReversal | null;
  owner: Party | null;
}): string {
  if (b.status === "active") return "the batch is active: not suspended, no open challenge, not reversed";
  if (b.status === "suspended") {
    const n = b.hold.openChallenges;
    const why = [
      ...(b.hold.adminSuspended ? ["by the registry admin"] : []),
      ...(n > 0 ? [`by ${n} open fraud-proof challenge${n === 1 ? "" : "s"}`] : []),
    ];
    return (
      `the batch is suspended${why.length ? ` ${why.join(" and ")}` : ""}: its certificates cannot move or be ` +
      "retired until it is released"
    );
  }
  if (b.status === "reversed") {
    const r = b.reversal;
    const what =
      r === null
        ? "its outstanding certificates are cancelled"
        : `${r.cancelled} outstanding certificate(s) cancelled` +
          (r.retiredReversed !== null ? `, the claims on ${r.retiredReversed} retired certificate(s) reversed` : "");
    const owed = b.owner ? ` until replaced (replacement owed by ${partyText(b.owner)}, its owner)` : " until replaced";
    const reason = r?.reason != null ? `; reason: “${r.reason}”` : "; the reversal's reason was not found";
    const evidence = r?.evidenceURI ? `; evidence: ${r.evidenceURI}` : "";
    return `the batch was found wrong and reversed by the registry admin: ${what}${owed}${reason}${evidence}`;
  }
  return `the batch has status ${String(b.status)}, which this version does not know`;
}

/** The checks of a batch: issued against an audited attestation, indexed by its report hash, active. */
export function batchChecks(batch: ChainBatch, reportBatch: bigint): Check[] {
  return [
    {
      check: "batch issued against an audited attestation",
      passed: batch.issuance !== null && batch.auditors.length > 0,
      detail: batch.issuance
        ? `BatchIssued in tx ${batch.issuance.txHash}, signed by ${batch.signers.map(signerText).join(", ")}`
        : "no BatchIssued event found",
    },
    {
      check: "report hash indexes this batch",
      passed: reportBatch === BigInt(batch.batchId),
      detail: `batchOfReport(${batch.reportHash}, ${batch.category}) = ${reportBatch}`,
    },
    {
      check: "batch not suspended or reversed",
      passed: batch.status === "active",
      detail: batch.statusDetail,
    },
  ];
}

/** The check of the claim's status (`claimStatus`): a reversed claim is not valid until it is replaced. */
export function claimStatusCheck(retirementId: bigint | string, s: ClaimStanding): Check {
  const check = "claim not reversed";
  const original = s.originalBatchId ?? "?";
  if (s.status === "verified") {
    return {
      check,
      passed: true,
      detail: `claimStatus(${retirementId}) = verified: the claim rests on batch #${s.batchId}, where it was retired`,
    };
  }
  if (s.status === "replaced") {
    return {
      check,
      passed: true,
      detail:
        `claimStatus(${retirementId}) = replaced: batch #${original}, where it was retired, was reversed; the claim ` +
        `now rests on batch #${s.batchId} (${s.replacements} replacement${s.replacements === 1 ? "" : "s"})`,
    };
  }
  return {
    check,
    passed: false,
    detail:
      `claimStatus(${retirementId}) = reversed: batch #${s.batchId} was reversed, so the claim is not valid until it ` +
      `is replaced; the replacement is owed by ${s.owedBy ? partyText(s.owedBy) : "the reversed batch's owner"}`,
  };
}

/** The checks of a retirement: stored, its texts bound to the stored hash, burned, not reversed, its batch's checks. */
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
    claimStatusCheck(f.retirementId, f.standing),
    ...batchChecks(f.batch, f.reportBatch),
  ];
}

/** The check that `proof` shows `deviceId` to be a leaf of the batch's device tree (root from BatchIssued). */
export function deviceInclusionCheck(batch: ChainBatch, deviceId: string, proof: readonly string[]): Check {
  const check = "device in the batch's device tree";
  if (batch.deviceRoot === null) {
    return { check, passed: false, detail: "no BatchIssued event found: the batch's device root is unknown" };
  }
  const reached = deviceProofRoot(deviceId, proof);
  const passed = reached === batch.deviceRoot.toLowerCase();
  return {
    check,
    passed,
    detail:
      `the proof (${proof.length} hashes) leads from device ${deviceId} to ${reached}, which ` +
      `${passed ? "equals" : "differs from"} the device root ${batch.deviceRoot} of batch #${batch.batchId}`,
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

/**
 * What a retirement's checks conclude, and the sentence that says it: `reversed` whenever the claim is (a reversed
 * claim never reads as verified), else `failed` when a check failed, else `replaced` or `verified`.
 */
export function retirementVerdict(v: {
  retirementId: string;
  claim: Pick<RetirementClaim, "amount" | "beneficiaryName">;
  claimStatus: ClaimStanding;
  batch: Pick<ChainBatch, "batchId" | "category">;
  checks: readonly Check[];
}): { verdict: Verdict; summary: string } {
  const s = v.claimStatus;
  const what = `${v.claim.amount} I-TEC (${v.batch.category}) retired for ${v.claim.beneficiaryName ?? "an unknown beneficiary"}`;
  if (s.status === "reversed") {
    return {
      verdict: "reversed",
      summary:
        `Retirement #${v.retirementId} is REVERSED: ${what}, but batch #${s.batchId} was found wrong and reversed, ` +
        `so the claim is not valid until it is replaced — the replacement is owed by ` +
        `${s.owedBy ? partyText(s.owedBy) : "the reversed batch's owner"}.`,
    };
  }
  const failed = v.checks.filter((c) => !c.passed).map((c) => c.check);
  if (failed.length > 0) {
    return {
      verdict: "failed",
      summary: `Retirement #${v.retirementId} is NOT verified: ${what}; failed: ${failed.join("; ")}.`,
    };
  }
  if (s.status === "replaced") {
    return {
      verdict: "replaced",
      summary:
        `Retirement #${v.retirementId} is verified (replaced): ${what}; batch #${s.originalBatchId ?? "?"}, where it ` +
        `was retired, was reversed, and the claim now rests on batch #${s.batchId}.`,
    };
  }
  return {
    verdict: "verified",
    summary: `Retirement #${v.retirementId} is verified: ${what} from batch #${s.batchId}.`,
  };
}
