/**
 * An organisation's retirements for a claims report (ADR 0051): its candidates from a source (the event index, or
 * a scan of the chain), each verified on the chain, each attributed (attribution.ts) from the chain's data — the
 * claim's beneficiary account and the beneficiary name bound to its claim hash, matched against the participants
 * registered under that name as the chain has them now. The answer holds the retirements attributed to the
 * organisation and those it retired itself for another organisation or for nobody (listed, never applied), and
 * where and when it was read.
 */
import { mapLimit } from "../../sdk/src/logs.ts";
import type { ChainReads } from "../chain/reads.ts";
import type { ReadAt, RetirementForReport } from "../documents/scope3-types.ts";
import { attribute, organisationKey, type Attribution } from "./attribution.ts";
import type { ClaimSource } from "./sources.ts";
import { verifyClaims, type VerifiedClaim } from "./verify-claims.ts";

/** Register entries re-read at once. */
const CONCURRENCY = 16;

export interface OrganisationClaims {
  account: string;
  /** The organisation's name on the register (null when it has none). */
  accountName: string | null;
  /** Ascending retirement id. */
  retirements: RetirementForReport[];
  readAt: ReadAt;
  /** Where the candidates came from. */
  source: ClaimSource["kind"];
}

/** Participants on the register (admitted or suspended) by name key, as the chain has them at its head. */
export type Register = ReadonlyMap<string, readonly { account: string; name: string }[]>;

/**
 * The register for name keys `keys`: the accounts the source has under them, each re-read from the chain and kept
 * when it is admitted or suspended and its name on the chain has one of the keys.
 */
export async function registerFor(reads: ChainReads, source: ClaimSource, keys: readonly string[]): Promise<Register> {
  const wanted = new Set(keys.filter((k) => k !== ""));
  const accounts = await source.namedAccounts([...wanted]);
  const entries = await mapLimit(accounts, CONCURRENCY, (a) => reads.registerEntry(a));
  const register = new Map<string, { account: string; name: string }[]>();
  for (const e of entries) {
    if ((e.status !== "active" && e.status !== "suspended") || e.name === null) continue;
    const key = organisationKey(e.name);
    if (!wanted.has(key)) continue;
    register.set(key, [...(register.get(key) ?? []), { account: e.account, name: e.name }]);
  }
  return register;
}

/** `account`'s retirements (checksummed address), verified and attributed. */
export async function organisationClaims(
  reads: ChainReads,
  source: ClaimSource,
  account: string,
): Promise<OrganisationClaims> {
  const block = await reads.cache.refresh();
  const own = await reads.registerEntry(account);
  const ownKey = own.name === null ? null : organisationKey(own.name);
  const { candidates, indexedToBlock } = await source.candidates(account, ownKey || null);
  reads.hintBatchBlocks(
    candidates.flatMap((c) =>
      c.batchId !== undefined && c.batchBlock != null ? [[c.batchId, c.batchBlock] as const] : [],
    ),
  );
  const verified = await verifyClaims(
    reads,
    candidates.map((c) => c.retirementId),
  );
  const keys = verified.flatMap((v) => (v.claim.beneficiaryName ? [organisationKey(v.claim.beneficiaryName)] : []));
  const register = await registerFor(reads, source, keys);
  const retirements: RetirementForReport[] = [];
  for (const v of verified) {
    const attribution = attribute(v.claim, (key) => register.get(key) ?? []);
    // A candidate the chain shows to be neither the organisation's claim nor made by it is not its business.
    if (attribution.account !== account && v.claim.account !== account) continue;
    retirements.push(forReport(v, attribution));
  }
  return {
    account,
    accountName: own.name,
    retirements,
    readAt: {
      chainId: Number(reads.chain.chainId),
      registry: reads.chain.address,
      block,
      indexedToBlock,
      generatedAt: new Date().toISOString(),
    },
    source: source.kind,
  };
}

/** A verified retirement as the Scope 3 report takes it; a reversed claim says who owes its replacement. */
export function forReport(v: VerifiedClaim, attribution: Attribution): RetirementForReport {
  const s = v.claimStatus;
  const failed =
    v.verdict === "reversed"
      ? [
          `claim reversed: batch #${s.batchId} was found wrong and reversed, so the claim is not valid until ` +
            `replaced (replacement owed by ${s.owedBy ? (s.owedBy.name ?? s.owedBy.account) : "the batch's owner"})`,
        ]
      : v.checks.filter((c) => !c.passed).map((c) => c.check);
  return {
    retirementId: v.retirementId,
    batchId: v.batch.batchId,
    category: v.batch.category as RetirementForReport["category"],
    amount: Number(v.claim.amount),
    reductionKgPerDevice: v.batch.reductionKgPerDevice,
    periodStart: v.claim.periodStart,
    periodEnd: v.claim.periodEnd,
    scope3Category: v.claim.scope3Category,
    beneficiaryName: v.claim.beneficiaryName,
    beneficiaryAccount: v.claim.beneficiary,
    retiredBy: v.claim.account,
    claimStatus: s.status,
    vintageStart: v.batch.vintageStart,
    vintageEnd: v.batch.vintageEnd,
    attribution,
    txHash: v.proof?.txHash ?? null,
    ...(v.proof ? { block: v.proof.blockNumber } : {}),
    ...(failed.length ? { failedCheck: failed.join("; ") } : {}),
  };
}
