/**
 * Many retirements verified on the chain for one claims report, with the SDK's statement of checks
 * (`retirementChecks` / `retirementVerdict`, sdk/src/checks.ts) — the same checks `verifyRetirement` makes, from the
 * same facts, read in bulk:
 *  - each claim's stored state: `retirement(id)`, one eth_call;
 *  - the claims' texts: their CertificatesRetired events, one eth_getLogs per up to 100 ids (each must be in the
 *    block its stored claim names, as `verifyRetirement`'s one-block read requires);
 *  - each batch once: its figures, issuance and status (`ChainReads.batch`), `batchOfReport` once.
 * A claim that was never replaced rests on the batch it was retired from, and its `claimStatus` is `verified`
 * exactly when that batch is not reversed (the contract's definition): such a claim is verified here. Every other
 * claim — replaced, on a reversed batch, or with its event not where the claim says — goes through the SDK's
 * `verifyRetirement`, which reads its status, history and owner. The statement's time (a block header per
 * retirement) is not read: a report needs the claims, not when each was made. Cost: about one call per retirement
 * plus a few per batch, where `verifyRetirement` makes five per retirement (docs/benchmarks.md).
 */
import { getAddress, ZeroAddress } from "ethers";

import { claimTextHash, retirementChecks, retirementVerdict } from "../../sdk/src/checks.ts";
import { mapLimit } from "../../sdk/src/logs.ts";
import { isoTime } from "../../sdk/src/time.ts";
import type { ChainBatch, RetirementVerification } from "../../sdk/src/verification.ts";
import type { ChainReads } from "../chain/reads.ts";

/** What a claims report needs of a verified retirement; a full `RetirementVerification` is one. */
export type VerifiedClaim = Pick<RetirementVerification, "retirementId" | "verdict" | "claimStatus" | "checks"> & {
  claim: Pick<
    RetirementVerification["claim"],
    "account" | "beneficiary" | "beneficiaryName" | "amount" | "periodStart" | "periodEnd" | "scope3Category"
  >;
  batch: ChainBatch;
  proof: { txHash: string; blockNumber: number } | null;
};

/** Stored-claim reads in flight at once. */
const CONCURRENCY = 16;

/** Verifies retirements `ids` on the chain (ascending id in the answer). */
export async function verifyClaims(reads: ChainReads, ids: readonly bigint[]): Promise<VerifiedClaim[]> {
  const unique = [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const stored = await mapLimit(unique, CONCURRENCY, async (id) => ({ id, claim: await reads.storedClaim(id) }));
  const plain = stored.filter((s) => s.claim.replacements === 0n);
  const batchIds = [...new Set(plain.map((s) => s.claim.batchId))];
  const batches = new Map(
    await mapLimit(batchIds, CONCURRENCY, async (id) => {
      const batch = await reads.batch(id);
      return [id, { batch, reportBatch: await reads.reportBatch(batch) }] as const;
    }),
  );
  const active = plain.filter((s) => batches.get(s.claim.batchId)!.batch.status !== "reversed");
  const events = await reads.retirementEvents(active.map((s) => ({ id: s.id, block: Number(s.claim.blockNumber) })));

  const out = new Map<bigint, VerifiedClaim>();
  for (const { id, claim } of active) {
    const event = events.get(id);
    if (!event) continue; // the SDK's verification says what is missing
    const { batch, reportBatch } = batches.get(claim.batchId)!;
    const retirementId = id.toString();
    const claimStatus = {
      status: "verified" as const,
      batchId: claim.batchId.toString(),
      originalBatchId: event.args.batchId.toString(),
      replacements: 0,
      history: [],
      owedBy: null,
    };
    const retired = { txHash: event.transactionHash, blockNumber: event.blockNumber };
    const checks = retirementChecks({
      retirementId: id,
      registry: reads.chain.address,
      claimHash: claim.claimHash,
      textHash: claimTextHash(event.args.beneficiaryName, event.args.purpose),
      retired,
      standing: claimStatus,
      batch,
      reportBatch,
    });
    const view = {
      account: getAddress(claim.account),
      beneficiary: claim.beneficiary === ZeroAddress ? null : getAddress(claim.beneficiary),
      beneficiaryName: event.args.beneficiaryName,
      amount: claim.amount.toString(),
      periodStart: isoTime(claim.periodStart),
      periodEnd: isoTime(claim.periodEnd),
      scope3Category: Number(claim.scope3Category),
    };
    const { verdict } = retirementVerdict({ retirementId, claim: view, claimStatus, batch, checks });
    out.set(id, { retirementId, verdict, claimStatus, checks, claim: view, batch, proof: retired });
  }
  const rest = unique.filter((id) => !out.has(id));
  for (const v of await mapLimit(rest, 4, (id) => reads.verifyRetirement(id))) out.set(BigInt(v.retirementId), v);
  return unique.map((id) => out.get(id)!);
}
