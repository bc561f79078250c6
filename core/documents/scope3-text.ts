/**
 * The Scope 3 report's sentences and labels, shared by its HTML and PDF renderings so both say the same thing:
 * who the organisation is, when and from where the figures were read, the year-on-year change, a retirement's
 * beneficiary and quality, the footprint sources.
 */
import type { ClaimQuality } from "../claims/quality.ts";
import {
  SCOPE3_CATEGORY_NAMES,
  type ClaimParticulars,
  type InventoryRowReport,
  type ReadAt,
  type Scope3Report,
} from "./scope3-types.ts";

/** "Corporate plc (0x…)", or the full address when the register has no name for it. */
export const organisationText = (r: Scope3Report) => (r.accountName ? `${r.accountName} (${r.account})` : r.account);

/** "Generated at … from chain id … (registry …) at block …, index to block …". */
export function readAtText(readAt: ReadAt | null): string {
  if (readAt === null) return "Read from the chain; the time and block of the reading were not recorded.";
  const index =
    readAt.indexedToBlock === null
      ? "retirements found by reading the chain's events (no index)"
      : `index to block ${readAt.indexedToBlock}`;
  return (
    `Generated at ${readAt.generatedAt} from chain id ${readAt.chainId}, registry ${readAt.registry}, ` +
    `block ${readAt.block}; ${index}.`
  );
}

export const scope3Name = (s: number | null) =>
  s === null ? "not given" : (SCOPE3_CATEGORY_NAMES[s as 1 | 2] ?? `Scope 3 Category ${s}`);

/** "supplier PCF", "registry reference T1", "category default (T3)". */
export function footprintLabel(i: InventoryRowReport): string {
  return i.footprintSource === "supplier_pcf"
    ? "supplier PCF"
    : i.footprintSource === "registry_reference"
      ? `registry reference ${i.referenceTier}`
      : `category default (${i.referenceTier})`;
}

/** The beneficiary as named in the claim, with the account it belongs to (named, or matched by name). */
export function beneficiaryText(c: ClaimParticulars): string {
  const name = c.beneficiaryName ?? c.attribution.name;
  const account = c.beneficiaryAccount ?? c.attribution.account;
  if (name && account) return `${name} (${account})`;
  return name ?? account ?? "no beneficiary named";
}

/** "received with delivery ORD-123, ORD-124" (docs/deliveries.md), or "" when none. */
export function deliveriesText(c: ClaimParticulars): string {
  const refs = (c.deliveries ?? []).map((d) => d.reference);
  return refs.length ? `received with delivery ${refs.join(", ")}` : "";
}

/** The beneficiary's name and account on two lines (the account whole: it is what an auditor looks up). */
export function beneficiaryLines(c: ClaimParticulars): string {
  const name = c.beneficiaryName ?? c.attribution.name;
  const account = c.beneficiaryAccount ?? c.attribution.account;
  return [name, account].filter((x) => x !== null).join("\n") || "no beneficiary named";
}

/** "all 6 met", or "CQ6 not met: …" (the first criterion not met). */
export function qualitySummary(q: ClaimQuality | null): string {
  if (q === null) return "assessed in the year its claimed period ends";
  if (q.met) return `all ${q.criteria.length} criteria met`;
  const first = q.criteria.find((c) => !c.met)!;
  return `${first.rule} not met: ${first.detail}`;
}

/** ✓ / ✗ per criterion, in rule order. */
export const qualityMarks = (q: ClaimQuality | null) =>
  q === null ? [] : q.criteria.map((c) => `${c.rule} ${c.met ? "✓" : "✗"}`);

/** The year-on-year line: "+6.3 % (increase) vs 2025", or "first year reported". */
export const changeText = (d: Scope3Report["yearOnYear"][number]) => d.adjustedChangeText ?? "first year reported";

/** A tCO2e figure as printed: six decimals kept (exact), unit after. */
export const tco2e = (t: string) => `${t} tCO2e`;
