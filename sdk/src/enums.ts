/**
 * The registry's domain enumerations, defined once: device categories, participant kinds and statuses, batch and
 * claim statuses, fraud-proof kinds and statuses, and accreditation masks. The numbers are the contract's
 * (`IITECRegistry`); everything else (calculation, API schemas, indexer, CLI) derives from here.
 */

/** Device categories in on-chain code order (docs/methodology.md §1): `CATEGORIES[code - 1]`. */
export const CATEGORIES = ["laptop", "desktop", "monitor", "smartphone", "tablet", "server"] as const;
export type Category = (typeof CATEGORIES)[number];

/** Device category → on-chain code (1…6). */
export const CATEGORY_CODES = Object.fromEntries(CATEGORIES.map((c, i) => [c, i + 1])) as Readonly<
  Record<Category, number>
>;

/** On-chain code → device category. */
export const CATEGORY_NAMES: Readonly<Record<number, Category>> = Object.fromEntries(
  CATEGORIES.map((c, i) => [i + 1, c]),
);

/** Participant kinds in on-chain order (`IITECRegistry.ParticipantKind`); 0 is "none" (not admitted). */
export const PARTICIPANT_KIND_NAMES = ["none", "refurbisher", "itad", "corporate", "trader"] as const;
/** The kinds an account can be admitted as. */
export const PARTICIPANT_KIND_VALUES = ["refurbisher", "itad", "corporate", "trader"] as const;
export type ParticipantKindName = (typeof PARTICIPANT_KIND_VALUES)[number];
/** Participant kind → on-chain code (1…4). */
export const PARTICIPANT_KINDS = Object.fromEntries(PARTICIPANT_KIND_VALUES.map((k, i) => [k, i + 1])) as Readonly<
  Record<ParticipantKindName, number>
>;

/** Participant statuses in on-chain order (`IITECRegistry.ParticipantStatus`); 0 is "none" (not admitted). */
export const PARTICIPANT_STATUS = ["none", "active", "suspended"] as const;
/** The statuses an admitted account can have. */
export const PARTICIPANT_STATUS_VALUES = ["active", "suspended"] as const;
export type ParticipantStatusName = (typeof PARTICIPANT_STATUS_VALUES)[number];
/** Participant status → on-chain code (1, 2). */
export const PARTICIPANT_STATUS_CODES = Object.fromEntries(
  PARTICIPANT_STATUS_VALUES.map((v, i) => [v, i + 1]),
) as Readonly<Record<ParticipantStatusName, number>>;

/** The kind's name for an on-chain code (`kind-N` for a code this version does not know). */
export function kindName(code: number | bigint): string {
  return PARTICIPANT_KIND_NAMES[Number(code)] ?? `kind-${String(code)}`;
}

/** The status's name for an on-chain code (`status-N` for a code this version does not know). */
export function statusName(code: number | bigint): string {
  return PARTICIPANT_STATUS[Number(code)] ?? `status-${String(code)}`;
}

/**
 * Batch statuses in on-chain order (`IITECRegistry.BatchStatus`): `active`; `suspended` (frozen by the registry
 * admin and/or open fraud-proof challenges); `reversed` (final: found wrong, outstanding certificates cancelled, its
 * retirements' claims reversed until replaced).
 */
export const BATCH_STATUS = ["active", "suspended", "reversed"] as const;
export type BatchStatusName = (typeof BATCH_STATUS)[number];

/**
 * Claim statuses in on-chain order (`IITECRegistry.ClaimStatus`, the `claimStatus(id)` view): `verified`;
 * `reversed` (its batch was reversed: not valid until replaced); `replaced` (restored from another batch).
 */
export const CLAIM_STATUS = ["verified", "reversed", "replaced"] as const;
export type ClaimStatusName = (typeof CLAIM_STATUS)[number];

/**
 * Fraud-proof kinds in on-chain order (`IITECRegistry.ChallengeKind`): one device id in two batches' trees; a leaf
 * whose index is not below its batch's certificates; two different leaves with one index.
 */
export const CHALLENGE_KIND = ["duplicate-device", "index-out-of-range", "index-reused"] as const;
export type ChallengeKindName = (typeof CHALLENGE_KIND)[number];

/** Challenge statuses in on-chain order (`IITECRegistry.ChallengeStatus`); 0 is "none" (no such challenge). */
export const CHALLENGE_STATUS = ["none", "open", "settled"] as const;
export type ChallengeStatusName = (typeof CHALLENGE_STATUS)[number];

/** The batch status's name for an on-chain code (`status-N` for a code this version does not know). */
export function batchStatusName(code: number | bigint): BatchStatusName | `status-${string}` {
  return BATCH_STATUS[Number(code)] ?? `status-${String(code)}`;
}

/** The claim status's name for an on-chain code (`status-N` for a code this version does not know). */
export function claimStatusName(code: number | bigint): ClaimStatusName | `status-${string}` {
  return CLAIM_STATUS[Number(code)] ?? `status-${String(code)}`;
}

/** The challenge kind's name for an on-chain code (`kind-N` for a code this version does not know). */
export function challengeKindName(code: number | bigint): ChallengeKindName | `kind-${string}` {
  return CHALLENGE_KIND[Number(code)] ?? `kind-${String(code)}`;
}

/** The challenge status's name for an on-chain code (`status-N` for a code this version does not know). */
export function challengeStatusName(code: number | bigint): ChallengeStatusName | `status-${string}` {
  return CHALLENGE_STATUS[Number(code)] ?? `status-${String(code)}`;
}

/** The bit of device category `code` (1…6) in an accreditation's `categories` mask (bit c = category c). */
export function categoryBit(code: number): number {
  return 1 << code;
}

/** The device categories of an accreditation's `categories` mask, in code order. */
export function categoriesOfMask(mask: number | bigint): Category[] {
  return CATEGORIES.filter((_, i) => (Number(mask) & categoryBit(i + 1)) !== 0);
}
