/**
 * Where a claims report finds its candidates (ADR 0051): the retirements that may concern an organisation, and the
 * participants registered under an organisation name. Two sources answer the same questions:
 *  - the event index (the API's, or through the API for the CLI): a few queries, as far as the index has caught up;
 *  - a scan of the chain (no index): every retirement's stored claim and every admission event — N calls, exact at
 *    the head.
 * Neither is trusted for a figure: every candidate is verified on the chain, and every participant re-read from it
 * (organisation.ts), so an index row can only make a report look at a retirement, never count one.
 */
import { organisationKey } from "./attribution.ts";
import type { ChainReads } from "../chain/reads.ts";

/** A retirement that may concern the organisation, with where the index saw its events (hints, verified). */
export interface ClaimCandidate {
  retirementId: bigint;
  /** The batch the claim rests on and the block of its BatchIssued, when the source knows them. */
  batchId?: bigint | undefined;
  batchBlock?: number | null | undefined;
}

export interface ClaimSource {
  /** "index": candidates from the event index; "chain-scan": from a scan of the chain. */
  readonly kind: "index" | "chain-scan";
  /**
   * Retirements naming `account` as beneficiary account, retired by it, or naming no beneficiary account and a
   * beneficiary name whose `organisationKey` is `nameKey` (none by name when `nameKey` is null).
   */
  candidates(account: string, nameKey: string | null): Promise<Candidates>;
  /** Accounts the source has on the register under one of the name keys `keys` (to be re-read from the chain). */
  namedAccounts(keys: readonly string[]): Promise<string[]>;
}

export interface Candidates {
  candidates: ClaimCandidate[];
  /**
   * The index's last block when it was asked: every retirement up to it is among the candidates (later ones may
   * be missing). Null for a scan of the chain, which sees every retirement at its head.
   */
  indexedToBlock: number | null;
}

/** The event index's side of it (the indexer, or its HTTP listing). */
export interface ClaimIndex {
  claimCandidates(
    account: string,
    nameKey: string | null,
  ): Promise<{ retirementId: string; batchId: string; batchBlock: number | null }[]>;
  participantsNamed(keys: readonly string[]): Promise<{ account: string }[]>;
  status(): Promise<{ lastBlock: number | null }>;
}

/** Candidates from the event index. */
export function indexClaimSource(index: ClaimIndex): ClaimSource {
  return {
    kind: "index",
    candidates: async (account, nameKey) => {
      // The last block first: every retirement up to it is in the answer that follows.
      const indexedToBlock = (await index.status()).lastBlock;
      const rows = await index.claimCandidates(account, nameKey);
      return { candidates: rows.map(fromIndex), indexedToBlock };
    },
    namedAccounts: async (keys) =>
      keys.length === 0 ? [] : [...new Set((await index.participantsNamed(keys)).map((p) => p.account))],
  };
}

/** An index row as a candidate. */
export function fromIndex(c: { retirementId: string; batchId: string; batchBlock: number | null }): ClaimCandidate {
  return { retirementId: BigInt(c.retirementId), batchId: BigInt(c.batchId), batchBlock: c.batchBlock };
}

/**
 * Candidates from a scan of the chain: every stored claim (`retirement(id)` for each id); the texts of those naming
 * no beneficiary account, by id, 100 per eth_getLogs (a bounded answer however many retirements the chain holds);
 * and every ParticipantAdmitted event for the register.
 */
export function chainScanClaimSource(reads: ChainReads): ClaimSource {
  return {
    kind: "chain-scan",
    candidates: async (account, nameKey) => {
      const claims = await reads.scanClaims();
      const named = new Set<bigint>();
      if (nameKey) {
        const byName = claims.filter((c) => c.beneficiary === null && c.account !== account);
        const events = await reads.retirementEvents(byName.map((c) => ({ id: c.retirementId, block: c.blockNumber })));
        for (const [id, e] of events) if (organisationKey(e.args.beneficiaryName) === nameKey) named.add(id);
      }
      const candidates = claims
        .filter((c) => c.account === account || c.beneficiary === account || named.has(c.retirementId))
        .map((c) => ({ retirementId: c.retirementId }));
      return { candidates, indexedToBlock: null };
    },
    // Every admitted account: organisation.ts keeps those whose name on the chain has one of the keys.
    namedAccounts: async (keys) => (keys.length === 0 ? [] : reads.scanAdmitted()),
  };
}
