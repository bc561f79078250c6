/** The Scope 3 certificate-adjusted intensity report: its input retirements and its shape (scope3.ts builds it). */
import type { Category, Tier } from "../calc/index.ts";
import type { Scope3Disclosures } from "./scope3-disclosures.ts";
import type { Attribution } from "../claims/attribution.ts";
import type { ClaimQuality, QualityCriterion, QualityCriterionId } from "../claims/quality.ts";
import type { ClaimStatusName } from "../../sdk/src/enums.ts";
import type { DeliveryNote } from "../deliveries/attribution.ts";

/** A retirement as read from the chain. */
export interface RetirementForReport {
  retirementId: string;
  batchId: string;
  category: Category;
  amount: number;
  reductionKgPerDevice: string;
  periodStart: string;
  periodEnd: string;
  scope3Category: number;
  beneficiaryName: string | null;
  /** The beneficiary account named in the claim, or null. */
  beneficiaryAccount: string | null;
  /** The retiring (holder) account. */
  retiredBy: string;
  /** The claim's status on the chain: a reversed claim is never applied; a replaced one counts on its new batch. */
  claimStatus: ClaimStatusName;
  /** The batch's vintage (when its devices were refurbished), ISO dates. */
  vintageStart: string;
  vintageEnd: string;
  /** Whose claim this is (core/claims/attribution.ts): applied only in that organisation's report. */
  attribution: Attribution;
  txHash: string | null;
  /** The retirement's block, when read (the deliveries it is attributed to were mined at or before it). */
  block?: number | undefined;
  /** The deliveries the holder received the batch with (docs/deliveries.md); absent: none looked up. */
  deliveries?: DeliveryNote[] | undefined;
  /** The batch's calculation method and parameter set (e.g. "ITEC-CALC 1.0" / "ITEC-PARAMS-1"), when read. */
  methodology?: string | undefined;
  parameters?: string | undefined;
  /**
   * The chain's checks on the retirement failed (e.g. its batch is suspended) or its claim is reversed (its batch
   * was found wrong: not valid until replaced): listed, never applied.
   */
  failedCheck?: string | undefined;
}

export type UnappliedReason =
  | "CLAIM_OF_ANOTHER_ORGANISATION"
  | "CLAIM_OF_NO_ORGANISATION"
  | "CLAIM_REVERSED"
  | "CHECK_FAILED"
  | "PERIOD_OUTSIDE_YEAR"
  | "ALLOCATED_TO_OTHER_YEAR"
  | "NO_MATCHING_CATEGORY"
  | "NO_MATCHING_SCOPE3_CATEGORY"
  | "VINTAGE_OUTSIDE_WINDOW"
  | "EXCEEDS_PROCURED_DEVICES";

/** GHG Protocol Scope 3 category: 1 purchased goods and services, 2 capital goods. */
export type Scope3Category = 1 | 2;

export const SCOPE3_CATEGORY_NAMES: Record<Scope3Category, string> = {
  1: "Category 1 — purchased goods and services",
  2: "Category 2 — capital goods",
};

/** Where an inventory row's footprint (kgCO2e per device) came from. */
export type FootprintSource = "supplier_pcf" | "registry_reference" | "category_default";

export interface InventoryRowReport {
  /** "line 3" of a CSV, "row 2" of a JSON array (or the row's position in the inventory given). */
  row: string;
  /** Null when the inventory gives no Scope 3 category for the year. */
  scope3Category: Scope3Category | null;
  category: Category;
  devices: number;
  manufacturer: string | null;
  model: string | null;
  /** kgCO2e per device, rounded half-even to grams (the exact figure is used in the sums). */
  footprintKgPerDevice: string;
  emissionsKg: string;
  footprintSource: FootprintSource;
  /** The registry reference tier: T1/T2 for a matched model, T3 for the category default; null for a supplier PCF. */
  referenceTier: Tier | null;
  detail: string;
}

export interface CategoryRow {
  /** Null when the inventory gives no Scope 3 category for the year (matching by device category alone). */
  scope3Category: Scope3Category | null;
  category: Category;
  devices: number;
  /** Where each PCF came from: supplier figures, registry reference tiers. */
  pcfSources: string[];
  inventoryEmissionsKg: string;
  inventoryIntensityKgPerDevice: string;
  certificatesApplied: number;
  reductionKg: string;
  adjustedEmissionsKg: string;
  adjustedIntensityKgPerDevice: string;
  flooredAtZero: boolean;
  /** The same emissions in tonnes (exact: the kg figures ÷ 1000, six decimals). */
  inventoryEmissionsTCO2e: string;
  reductionTCO2e: string;
  adjustedEmissionsTCO2e: string;
  /**
   * The Scope 3 category of the claims applied to this row (one category per row, never both); null when none was
   * applied. Equal to `scope3Category` when the inventory gives it.
   */
  claimsScope3Category: number | null;
}

/** The figures of a category row, a Scope 3 subtotal or the total. */
export type Figures = Omit<
  CategoryRow,
  "scope3Category" | "category" | "pcfSources" | "flooredAtZero" | "claimsScope3Category"
>;

/** The claim behind a retirement line of the report: whose claim it is, its standing on the chain, its quality. */
export interface ClaimParticulars {
  /** The beneficiary as the claim names it, and the account it names (null: none). */
  beneficiaryName: string | null;
  beneficiaryAccount: string | null;
  /** Whose claim it is (core/claims/attribution.ts): the organisation's account and registered name, and why. */
  attribution: Attribution;
  retiredBy: string;
  claimStatus: ClaimStatusName;
  periodStart: string;
  periodEnd: string;
  vintageStart: string;
  vintageEnd: string;
  txHash: string | null;
  /** The deliveries the holder received the batch with, oldest first (docs/deliveries.md); none when absent. */
  deliveries?: DeliveryNote[] | undefined;
  /** Each claim-quality criterion met or not (core/claims/quality.ts); null for a claim of another reporting year. */
  quality: ClaimQuality | null;
}

export interface YearReport {
  year: number;
  /** Every inventory row of the year with its footprint and where that came from. */
  inventory: InventoryRowReport[];
  categories: CategoryRow[];
  /** One per Scope 3 category when the year's inventory gives them; empty otherwise. */
  scope3Subtotals: ({ scope3Category: Scope3Category } & Figures)[];
  totals: Figures;
  /** This year's notes (see `Scope3Report.notes`). */
  notes: string[];
  applied: ({
    retirementId: string;
    batchId: string;
    category: Category;
    scope3Category: number;
    certificates: number;
    reductionKgPerCertificate: string;
    reductionKg: string;
    reductionTCO2e: string;
  } & ClaimParticulars)[];
  unapplied: ({
    retirementId: string;
    batchId: string;
    category: Category;
    scope3Category: number;
    certificates: number;
    reason: UnappliedReason;
    detail: string;
    /** The claim-quality criterion the retirement failed (its rule in `quality`), or null (year, capacity). */
    failedCriterion: QualityCriterionId | null;
  } & ClaimParticulars)[];
}

/** Where and when the report's figures were read. */
export interface ReadAt {
  chainId: number;
  registry: string;
  /** The chain head the retirements were verified at. */
  block: number;
  /** The event index's last block, when the retirements were found through it (null: the chain was scanned). */
  indexedToBlock: number | null;
  /** When the report was generated, ISO-8601 UTC. */
  generatedAt: string;
}

/** What the report's figures rest on: method, reference data, the batches' methodology, the chain. */
export interface ReportSources {
  /** How the figures are computed, in a few sentences. */
  method: string[];
  /** The registry reference table footprints without a supplier PCF came from. */
  reference: { source: string; sha256: string; license: string };
  /** The batches' calculation method / parameter set of the applied retirements, as read from the chain. */
  methodologies: string[];
  /** The inventory the organisation gave: its rows for the years reported. */
  inventoryRows: number;
  /** The claim-quality criteria every applied retirement meets (docs/claim-quality.md). */
  qualityCriteria: QualityCriterion[];
  /** The reporting year's vintage window (criterion CQ4), ISO dates inclusive. */
  vintageWindow: { from: string; to: string };
}

export interface Scope3Report {
  account: string;
  /** The account's organisation name on the register (null when it has none). */
  accountName: string | null;
  reportingYear: number;
  /** Where and when the figures were read; null when the caller did not say. */
  readAt: ReadAt | null;
  unit: string;
  /** I-TECs are not offsets: the statement every rendering prints. */
  statement: string;
  sources: ReportSources;
  rules: string[];
  /** Warnings for the reader: footprints that fell back to a category default (model missing or not matched). */
  notes: string[];
  years: YearReport[];
  current: YearReport;
  yearOnYear: {
    year: number;
    inventoryIntensityKgPerDevice: string;
    adjustedIntensityKgPerDevice: string;
    adjustedChangePct: string | null;
    inventoryEmissionsTCO2e: string;
    adjustedEmissionsTCO2e: string;
    /** The earlier year compared with (the previous year in the inventory), or null for the first. */
    previousYear: number | null;
    /** The certificate-adjusted intensity's direction against `previousYear`. */
    adjustedChangeDirection: "increase" | "decrease" | "unchanged" | null;
    /** "+6.3 % (increase) vs 2025", "-2.0 % (decrease) vs 2025", "±0.0 % (unchanged) vs 2025". */
    adjustedChangeText: string | null;
  }[];
  /** The figures mapped to GHG Protocol, CDP 7.8 and ESRS E1-6 fields (scope3-disclosures.ts, docs/disclosures.md). */
  disclosures: Scope3Disclosures;
}
