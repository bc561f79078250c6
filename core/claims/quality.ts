/**
 * Claim quality (docs/claim-quality.md): every retirement a Scope 3 report considers for a reporting year is checked
 * against the criteria that guidance for environmental attribute certificates asks of a claim — exclusive, traceable
 * to a verified batch, not reversed, of a vintage close to the reporting year, like-for-like in device category and
 * in Scope 3 category. Each criterion is met or not, with its rule id; a report applies only a retirement that meets
 * every one, and names the first one a retirement it did not apply failed.
 *
 * Pure: the retirements and the year's inventory are given.
 */
import type { Category } from "../calc/index.ts";
import type { ClaimStatusName } from "../../sdk/src/enums.ts";
import type { Attribution } from "./attribution.ts";

export type QualityCriterionId =
  | "EXCLUSIVE_CLAIM"
  | "NOT_REVERSED"
  | "VERIFIED_BATCH"
  | "VINTAGE_WINDOW"
  | "LIKE_FOR_LIKE_DEVICE"
  | "LIKE_FOR_LIKE_SCOPE3";

export interface QualityCriterion {
  id: QualityCriterionId;
  /** The short rule id printed in the reports: CQ1 … CQ6. */
  rule: string;
  title: string;
  /** The rule as the report applies it. */
  requirement: string;
  /** Where the criterion comes from (docs/claim-quality.md has the full citations). */
  source: string;
}

/**
 * The vintage window: months before the reporting year starts, and after it ends, that a batch's vintage may end.
 * A refurbished device is sold from stock, often months after its refurbishment: 12 months before the year; 3 after
 * it for a batch issued just after year end (docs/claim-quality.md, CQ4).
 */
export const VINTAGE_MONTHS_BEFORE = 12;
export const VINTAGE_MONTHS_AFTER = 3;

/** The criteria in the order a report checks them (the first not met is the reason a retirement is not applied). */
export const QUALITY_CRITERIA: readonly QualityCriterion[] = [
  {
    id: "EXCLUSIVE_CLAIM",
    rule: "CQ1",
    title: "Exclusive claim",
    requirement:
      "The retirement is attributed to this organisation and to no other: its beneficiary account, else its beneficiary name matched to exactly one registered participant (ADR 0051).",
    source:
      "GHG Protocol Scope 2 Guidance (2015), quality criteria 2–3 (unique claims, retired for the reporting entity)",
  },
  {
    id: "NOT_REVERSED",
    rule: "CQ2",
    title: "Not reversed",
    requirement:
      "The claim's status on the chain is verified or replaced (a replaced claim counts on its new batch); a reversed claim is never applied.",
    source:
      "I-TEC Registry ADR 0006 (reversal and replacement); GHG Protocol Scope 2 Guidance (2015), quality criterion 1",
  },
  {
    id: "VERIFIED_BATCH",
    rule: "CQ3",
    title: "Traceable to a verified batch",
    requirement:
      "Every check the chain makes on the retirement passed: the claim and its batch exist, the batch was issued on accredited auditors' signatures and is not suspended.",
    source:
      "GHG Protocol Scope 2 Guidance (2015), quality criterion 3 (tracked and retired in a tracking system); SBTi EAC evidence synthesis (2025, draft context)",
  },
  {
    id: "VINTAGE_WINDOW",
    rule: "CQ4",
    title: "Vintage within the window",
    requirement: `The batch's vintage (when its devices were refurbished) ends within the reporting year, the ${VINTAGE_MONTHS_BEFORE} months before it or the ${VINTAGE_MONTHS_AFTER} months after it.`,
    source:
      "GHG Protocol Scope 2 Guidance (2015), quality criterion 4 (issued and redeemed as close as possible to the period); window chosen by this registry",
  },
  {
    id: "LIKE_FOR_LIKE_DEVICE",
    rule: "CQ5",
    title: "Like-for-like device category",
    requirement: "The batch's device category is procured in the reporting year's inventory (ADR 0030).",
    source: "GHG Protocol Scope 3 Standard (2011), Category 1/2 product-level data; SBTi CNZS V2 draft (2025)",
  },
  {
    id: "LIKE_FOR_LIKE_SCOPE3",
    rule: "CQ6",
    title: "Like-for-like Scope 3 category",
    requirement:
      "The claim's Scope 3 category (1 purchased goods, 2 capital goods) is the inventory row's; when the inventory gives none, a device category's row holds claims of one Scope 3 category only — that of its first qualifying claim.",
    source: "GHG Protocol Scope 3 Standard (2011), chapter 5: Categories 1 and 2 are exclusive",
  },
];

const CRITERION = Object.fromEntries(QUALITY_CRITERIA.map((c) => [c.id, c])) as Record<
  QualityCriterionId,
  QualityCriterion
>;

export interface CriterionVerdict {
  id: QualityCriterionId;
  rule: string;
  met: boolean;
  /** Why, in one sentence, with the figures checked. */
  detail: string;
}

export interface ClaimQuality {
  /** Every criterion is met. */
  met: boolean;
  /** The first criterion not met (the order of QUALITY_CRITERIA), or null. */
  firstNotMet: QualityCriterionId | null;
  criteria: CriterionVerdict[];
}

/** The claim fields the criteria read (a RetirementForReport has them). Dates ISO-8601. */
export interface ClaimForQuality {
  retirementId: string;
  category: Category;
  scope3Category: number;
  claimStatus: ClaimStatusName;
  vintageStart: string;
  vintageEnd: string;
  attribution: Attribution;
  failedCheck?: string | undefined;
}

/** The reporting year's inventory as the like-for-like criteria see it. */
export interface YearInventory {
  year: number;
  /** Each device category procured in the year, with the Scope 3 categories its rows give (none: not given). */
  procured: ReadonlyMap<Category, readonly number[]>;
  /** The year's rows give Scope 3 categories (all of them do, or none). */
  split: boolean;
}

/** The window a batch's vintage must end in for `year`, as ISO dates (inclusive). */
export function vintageWindow(year: number): { from: string; to: string } {
  const from = new Date(Date.UTC(year, -VINTAGE_MONTHS_BEFORE, 1));
  const to = new Date(Date.UTC(year + 1, VINTAGE_MONTHS_AFTER, 0));
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

const verdict = (id: QualityCriterionId, met: boolean, detail: string): CriterionVerdict => ({
  id,
  rule: CRITERION[id].rule,
  met,
  detail,
});

const byId = (a: ClaimForQuality, b: ClaimForQuality) =>
  BigInt(a.retirementId) < BigInt(b.retirementId) ? -1 : BigInt(a.retirementId) > BigInt(b.retirementId) ? 1 : 0;

/** CQ1–CQ5 of one claim (CQ6 needs the year's other claims: see assessClaims). */
function ownCriteria(claim: ClaimForQuality, account: string, inventory: YearInventory): CriterionVerdict[] {
  const a = claim.attribution;
  const window = vintageWindow(inventory.year);
  const vintageEnd = claim.vintageEnd.slice(0, 10);
  const scope3s = inventory.procured.get(claim.category);
  return [
    verdict(
      "EXCLUSIVE_CLAIM",
      a.account === account,
      a.account === account
        ? `attributed to this organisation: ${a.detail}`
        : a.account === null
          ? `attributed to no organisation: ${a.detail}`
          : `attributed to ${a.name ?? a.account}: ${a.detail}`,
    ),
    verdict(
      "NOT_REVERSED",
      claim.claimStatus !== "reversed",
      claim.claimStatus === "reversed"
        ? "the claim is reversed on the chain: not valid until replaced"
        : `claim status ${claim.claimStatus}`,
    ),
    verdict(
      "VERIFIED_BATCH",
      claim.failedCheck === undefined,
      claim.failedCheck === undefined ? "every chain check passed" : `chain check failed: ${claim.failedCheck}`,
    ),
    verdict(
      "VINTAGE_WINDOW",
      vintageEnd >= window.from && vintageEnd <= window.to,
      `vintage ${claim.vintageStart.slice(0, 10)} to ${vintageEnd}; the ${inventory.year} window for its end is ${window.from} to ${window.to}`,
    ),
    verdict(
      "LIKE_FOR_LIKE_DEVICE",
      scope3s !== undefined,
      scope3s !== undefined
        ? `${claim.category} is procured in the ${inventory.year} inventory`
        : `no ${claim.category} in the ${inventory.year} inventory`,
    ),
  ];
}

/**
 * The quality of each claim of the reporting year (`claims`: the retirements whose claimed period ends in it),
 * for organisation `account`. Keyed by retirement id.
 */
export function assessClaims(
  account: string,
  inventory: YearInventory,
  claims: readonly ClaimForQuality[],
): Map<string, ClaimQuality> {
  const sorted = [...claims].sort(byId);
  const own = new Map(sorted.map((c) => [c.retirementId, ownCriteria(c, account, inventory)]));
  // Without Scope 3 categories in the inventory, a device category's row takes the Scope 3 category of its first
  // claim meeting CQ1–CQ5: a Category 1 claim and a Category 2 claim never reduce one row.
  const rowScope3 = new Map<Category, ClaimForQuality>();
  if (!inventory.split) {
    for (const c of sorted) {
      if (own.get(c.retirementId)!.every((v) => v.met) && !rowScope3.has(c.category)) rowScope3.set(c.category, c);
    }
  }
  const result = new Map<string, ClaimQuality>();
  for (const c of sorted) {
    const criteria = [...own.get(c.retirementId)!, scope3Verdict(c, inventory, rowScope3.get(c.category))];
    const first = criteria.find((v) => !v.met);
    result.set(c.retirementId, { met: first === undefined, firstNotMet: first?.id ?? null, criteria });
  }
  return result;
}

function scope3Verdict(c: ClaimForQuality, inventory: YearInventory, first: ClaimForQuality | undefined) {
  const year = inventory.year;
  const given = inventory.procured.get(c.category);
  if (given === undefined) return verdict("LIKE_FOR_LIKE_SCOPE3", false, `no ${c.category} in the ${year} inventory`);
  if (inventory.split) {
    return given.includes(c.scope3Category)
      ? verdict(
          "LIKE_FOR_LIKE_SCOPE3",
          true,
          `retired for Scope 3 Category ${c.scope3Category}; the ${year} inventory has ${c.category} under it`,
        )
      : verdict(
          "LIKE_FOR_LIKE_SCOPE3",
          false,
          `retired for Scope 3 Category ${c.scope3Category}; the ${year} inventory has ${c.category} only under Category ${given.join(", ")}`,
        );
  }
  if (first === undefined || first.scope3Category === c.scope3Category) {
    const by =
      first === undefined || first.retirementId === c.retirementId ? "" : ` (as retirement #${first.retirementId})`;
    return verdict(
      "LIKE_FOR_LIKE_SCOPE3",
      true,
      `the ${year} inventory gives no scope3_category; the ${c.category} row holds Scope 3 Category ${c.scope3Category} claims only${by}`,
    );
  }
  return verdict(
    "LIKE_FOR_LIKE_SCOPE3",
    false,
    `retired for Scope 3 Category ${c.scope3Category}, but the ${year} ${c.category} row holds Category ${first.scope3Category} ` +
      `claims (retirement #${first.retirementId}, the first); the inventory gives no scope3_category — give it per row to apply claims of both categories`,
  );
}
