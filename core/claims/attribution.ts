/**
 * Whose claim a retirement is (ADR 0051): exactly one organisation's, or nobody's — never two. A Scope 3 report
 * applies a retirement only when it is attributed to the report's organisation, so a certificate can be counted
 * in at most one organisation's inventory.
 *
 *  1. A beneficiary account in the claim: the claim is that account's.
 *  2. Otherwise the beneficiary name, normalised (`organisationKey`), matched against the organisation names of the
 *     participants on the register (admitted or suspended): exactly one match → that participant's claim.
 *  3. A name that matches no participant, or more than one, is nobody's: it is listed, never applied — and the
 *     retiring account never inherits a claim made for someone else.
 *
 * Pure: the register lookup is given (an index query verified on the chain, or a scan of the chain's events).
 */

/** Why a retirement is (or is not) an organisation's claim. */
export type AttributionRule = "BENEFICIARY_ACCOUNT" | "BENEFICIARY_NAME" | "NAME_UNMATCHED" | "NAME_AMBIGUOUS";

export interface Attribution {
  /** The organisation's account whose claim this is; null when it is nobody's. */
  account: string | null;
  /** That organisation's registered name, when it has one. */
  name: string | null;
  rule: AttributionRule;
  /** The rule in one sentence, for the report's "retirements not applied" list and the audit trail. */
  detail: string;
}

/** The claim fields attribution reads. Addresses checksummed. */
export interface ClaimParties {
  /** The retiring (holder) account. */
  account: string;
  /** The beneficiary account named in the claim, or null. */
  beneficiary: string | null;
  beneficiaryName: string | null;
}

/**
 * An organisation name as matched: Unicode NFKC, case-folded, every run of white space one space, trimmed, and a
 * trailing full stop dropped ("Globex GmbH." = "globex  gmbh"). Nothing else — "Globex" is not "Globex GmbH".
 */
export function organisationKey(name: string): string {
  return name.normalize("NFKC").toLowerCase().replace(/\s+/gu, " ").trim().replace(/\.$/u, "").trim();
}

/**
 * Attributes one claim. `registeredNamed(key)` gives the register's participants whose organisation name has that
 * key, each `{ account, name }`.
 */
export function attribute(
  claim: ClaimParties,
  registeredNamed: (key: string) => readonly { account: string; name: string }[],
): Attribution {
  if (claim.beneficiary !== null) {
    const named = claim.beneficiaryName ? registeredNamed(organisationKey(claim.beneficiaryName)) : [];
    const own = named.find((p) => p.account === claim.beneficiary);
    return {
      account: claim.beneficiary,
      name: own?.name ?? null,
      rule: "BENEFICIARY_ACCOUNT",
      detail: `the claim names beneficiary account ${claim.beneficiary}`,
    };
  }
  const text = claim.beneficiaryName ?? "";
  const matches = text === "" ? [] : registeredNamed(organisationKey(text));
  if (matches.length === 1) {
    const m = matches[0]!;
    return {
      account: m.account,
      name: m.name,
      rule: "BENEFICIARY_NAME",
      detail: `beneficiary name '${text}' is the registered name of ${m.account}`,
    };
  }
  if (matches.length > 1) {
    return {
      account: null,
      name: null,
      rule: "NAME_AMBIGUOUS",
      detail:
        `beneficiary name '${text}' is the registered name of ${matches.length} participants ` +
        `(${matches.map((m) => m.account).join(", ")}); the claim belongs to no organisation's report`,
    };
  }
  return {
    account: null,
    name: null,
    rule: "NAME_UNMATCHED",
    detail:
      `beneficiary name '${text}' matches no participant's registered organisation name and no beneficiary ` +
      `account was given; the claim belongs to no organisation's report (not to the retiring account ${claim.account})`,
  };
}
