/**
 * The registry's domain enumerations, defined once: device categories, participant kinds and statuses. The numbers
 * are the contract's (`IITECRegistry`); everything else (calculation, API schemas, indexer, CLI) derives from here.
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
