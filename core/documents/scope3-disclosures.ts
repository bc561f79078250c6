/**
 * Disclosure exports (pure: no I/O, no clock): the Scope 3 report's figures mapped to the fields reporters fill —
 * a GHG Protocol Scope 3 line per category (gross, the I-TEC certificate adjustment shown separately, and the
 * certificate-adjusted "market-based-style" figure), CDP climate questionnaire 7.8 rows, and the ESRS E1-6 gross
 * Scope 3 data points. Each field carries its value, unit, the report JSON path it comes from and how it was
 * computed; docs/disclosures.md cites the external source of every field name.
 *
 * Gross is never reduced: the certificates only ever appear as a separate adjustment (GHG Protocol Scope 3
 * Standard §11.1: emissions "independent of any GHG trades"; ESRS E1-6: gross emissions). Only the retirements the
 * report applied (`current.applied`) count; a reversed or failed retirement is never applied, so never in here.
 */
import { Dec } from "../calc/index.ts";
import type { FootprintSource, Figures, Scope3Category, Scope3Report, YearReport } from "./scope3-types.ts";

/** One field of a disclosure, ready to copy into the reporter's form. */
export interface DisclosureField {
  /** The field's name as the framework spells it (docs/disclosures.md cites where it comes from). */
  name: string;
  /** The framework's reference: standard, question or paragraph, and datapoint id where one exists. */
  ref: string;
  /** A decimal string, a text, or the selections of a multi-select field; null when the report cannot give it. */
  value: string | string[] | null;
  unit: "tCO2e" | "%" | "text" | "selection";
  /** Where the figure comes from in the Scope 3 report JSON (paths from its root). */
  source: string;
  /** How the value was computed from that source. */
  computed: string;
}

/** A GHG Protocol Scope 3 category line: gross, the certificate adjustment (separate), certificate-adjusted. */
export interface GhgProtocolLine {
  /** Null when the inventory gives no Scope 3 category for the year (the line then says so in `note`). */
  scope3Category: Scope3Category | null;
  label: string;
  gross: DisclosureField;
  certificateAdjustment: DisclosureField;
  certificateAdjusted: DisclosureField;
  /** The applied retirements behind the adjustment (`current.applied`), each checkable with `itec verify retirement`. */
  retirementIds: string[];
  note: string | null;
}

/** One row of CDP question 7.8 (gross global Scope 3 emissions), its columns in the questionnaire's order. */
export interface CdpScope3Row {
  scope3Category: Scope3Category | null;
  category: DisclosureField;
  evaluationStatus: DisclosureField;
  emissions: DisclosureField;
  methodology: DisclosureField;
  supplierDataPct: DisclosureField;
  explanation: DisclosureField;
}

export interface EsrsE16 {
  gross: DisclosureField;
  byCategory: DisclosureField[];
  supplierDataPct: DisclosureField;
  categoriesIncluded: DisclosureField;
  /** Not an ESRS data point: the I-TEC adjustment, disclosed beside the gross figure and never deducted from it. */
  certificateAdjustment: DisclosureField;
}

export interface Scope3Disclosures {
  account: string;
  accountName: string | null;
  reportingYear: number;
  /** What the figures cover: only the IT devices of the inventory given to the report. */
  coverage: string;
  rounding: string;
  ghgProtocol: GhgProtocolLine[];
  cdp: CdpScope3Row[];
  esrs: EsrsE16;
  /** `npx itec verify retirement <id>` for every applied retirement, in retirement order. */
  verifyCommands: string[];
}

const CDP_CATEGORY: Record<Scope3Category, string> = { 1: "Purchased goods and services", 2: "Capital goods" };
const GHG_LABEL: Record<Scope3Category, string> = {
  1: "Category 1: Purchased goods and services",
  2: "Category 2: Capital goods",
};
const METHOD: Record<FootprintSource, string> = {
  supplier_pcf: "Supplier-specific method",
  registry_reference: "Average data method",
  category_default: "Average data method",
};
const CDP_Q = "CDP 2024 climate questionnaire, question 7.8";
const CDP_TEXT_MAX = 2400;

/** tCO2e from a report figure in kgCO2e with 3 decimals: ÷ 1000, exact at 6 decimals (no rounding). */
const tonnes = (kg: Dec) => kg.div(1000).toFixed(6);
const half = (x: Dec, dp: number) => x.toDecimalPlaces(dp, Dec.ROUND_HALF_EVEN).toFixed(dp);

interface Slice {
  s3: Scope3Category | null;
  figures: Figures;
  /** Report JSON path of `figures`. */
  path: string;
  rows: YearReport["inventory"];
  applied: YearReport["applied"];
  /** A device category of the slice had its adjusted emissions floored at zero. */
  floored: boolean;
}

/** The report's figures mapped to the GHG Protocol, CDP and ESRS fields (docs/disclosures.md). */
export function scope3Disclosures(report: Omit<Scope3Report, "disclosures">): Scope3Disclosures {
  const y = report.current;
  const slices: Slice[] =
    y.scope3Subtotals.length > 0
      ? y.scope3Subtotals.map((s, i) => ({
          s3: s.scope3Category,
          figures: s,
          path: `current.scope3Subtotals[${i}]`,
          rows: y.inventory.filter((r) => r.scope3Category === s.scope3Category),
          applied: y.applied.filter((a) => a.scope3Category === s.scope3Category),
          floored: y.categories.some((c) => c.scope3Category === s.scope3Category && c.flooredAtZero),
        }))
      : [
          {
            s3: null,
            figures: y.totals,
            path: "current.totals",
            rows: y.inventory,
            applied: y.applied,
            floored: y.categories.some((c) => c.flooredAtZero),
          },
        ];
  const notSplit = `the ${y.year} inventory gives no scope3_category, so these figures cannot be split between Category 1 (purchased goods and services) and Category 2 (capital goods); give scope3_category on every inventory row to disclose them per category`;
  return {
    account: report.account,
    accountName: report.accountName,
    reportingYear: report.reportingYear,
    coverage: `The IT devices of the ${y.year} procurement inventory given to this report (${y.totals.devices} devices) only: add these figures to the rest of your Scope 3 Category 1 and 2 emissions.`,
    rounding:
      "Report figures are kgCO2e rounded half-even to grams (3 decimals). GHG Protocol and ESRS fields: tCO2e = kgCO2e ÷ 1000, exact at 6 decimals (no further rounding). CDP emissions: rounded half-even to 3 decimals (the field's limit). Percentages: rounded half-even to 2 decimals.",
    ghgProtocol: slices.map((s) => ghgLine(s, notSplit)),
    cdp: slices.map((s) => cdpRow(s, y.year, notSplit)),
    esrs: esrs(y, slices, notSplit),
    verifyCommands: y.applied.map((a) => `npx itec verify retirement ${a.retirementId}`),
  };
}

function ghgLine(s: Slice, notSplit: string): GhgProtocolLine {
  const gross = new Dec(s.figures.inventoryEmissionsKg);
  const adjusted = new Dec(s.figures.adjustedEmissionsKg);
  const ref = "GHG Protocol Corporate Value Chain (Scope 3) Standard (2011) §11.1";
  return {
    scope3Category: s.s3,
    label: s.s3 === null ? "Category 1 or 2 (not split: the inventory gives no Scope 3 category)" : GHG_LABEL[s.s3],
    gross: {
      name: "Scope 3 emissions (tCO2e), inventory-based",
      ref: `${ref}: total emissions per Scope 3 category, independent of any GHG trades`,
      value: tonnes(gross),
      unit: "tCO2e",
      source: `${s.path}.inventoryEmissionsKg`,
      computed: "Σ devices × kgCO2e per device over the category's inventory rows, ÷ 1000; no certificate is deducted",
    },
    certificateAdjustment: {
      name: "I-TEC certificate adjustment (tCO2e), reported separately",
      ref: `${ref}: reported separately from the inventory, never netted`,
      value: tonnes(adjusted.minus(gross)),
      unit: "tCO2e",
      source: `${s.path}.adjustedEmissionsKg − ${s.path}.inventoryEmissionsKg (from current.applied)`,
      computed: `certificate-adjusted − gross, ÷ 1000 (≤ 0): ${s.figures.certificatesApplied} certificates × their batch's V̄${s.floored ? `; less than the certificates' ${tonnes(new Dec(s.figures.reductionKg))} tCO2e, which exceed a device category's gross emissions (floored at zero, never negative)` : ""}`,
    },
    certificateAdjusted: {
      name: "Certificate-adjusted Scope 3 emissions (tCO2e), market-based-style",
      ref: "Not a GHG Protocol Scope 3 inventory figure: shown beside the gross figure, never in its place",
      value: tonnes(adjusted),
      unit: "tCO2e",
      source: `${s.path}.adjustedEmissionsKg`,
      computed: "gross + certificate adjustment, ÷ 1000 (per device category, floored at zero)",
    },
    retirementIds: s.applied.map((a) => a.retirementId),
    note: s.s3 === null ? `Not split by Scope 3 category: ${notSplit}.` : null,
  };
}

/** Supplier PCF share of the slice's inventory emissions, both sums over the rows' gram-rounded figures. */
function supplierShare(rows: Slice["rows"], path: string): Pick<DisclosureField, "value" | "source" | "computed"> {
  const sum = (rs: Slice["rows"]) => rs.reduce((t, r) => t.plus(r.emissionsKg), new Dec(0));
  const all = sum(rows);
  const supplier = sum(rows.filter((r) => r.footprintSource === "supplier_pcf"));
  return {
    value: all.isZero() ? null : half(supplier.div(all).times(100), 2),
    source: `${path}[].emissionsKg where footprintSource = "supplier_pcf"`,
    computed: all.isZero()
      ? "no inventory emissions: no share to give"
      : `Σ emissionsKg of supplier-PCF rows (${supplier.toFixed(3)} kg) ÷ Σ emissionsKg of all rows (${all.toFixed(3)} kg) × 100, half-even to 2 decimals; registry reference data and category defaults are secondary data; the certificates are not emissions data and are not counted`,
  };
}

function cdpRow(s: Slice, year: number, notSplit: string): CdpScope3Row {
  const gross = new Dec(s.figures.inventoryEmissionsKg);
  const adjusted = new Dec(s.figures.adjustedEmissionsKg);
  const used = new Set(s.rows.map((r) => METHOD[r.footprintSource]));
  const methods = [...new Set(Object.values(METHOD))].filter((m) => used.has(m));
  const rowsPath = s.s3 === null ? "current.inventory" : `current.inventory (scope3Category = ${s.s3})`;
  return {
    scope3Category: s.s3,
    category: {
      name: "Scope 3 category",
      ref: `${CDP_Q} (row)`,
      value: s.s3 === null ? null : CDP_CATEGORY[s.s3],
      unit: "text",
      source: s.s3 === null ? "current.scope3Subtotals (empty)" : `${s.path}.scope3Category`,
      computed: s.s3 === null ? `none: ${notSplit}` : `Scope 3 Category ${s.s3}`,
    },
    evaluationStatus: {
      name: "Evaluation status",
      ref: `${CDP_Q}, column "Evaluation status"`,
      value: "Relevant, calculated",
      unit: "selection",
      source: `${s.path}.inventoryEmissionsKg`,
      computed: "calculated: the inventory gives this category's emissions; relevance is the reporter's own screening",
    },
    emissions: {
      name: "Emissions in reporting year (metric tons CO2e)",
      ref: `${CDP_Q}, column "Emissions in reporting year (metric tons CO2e)"`,
      value: half(gross.div(1000), 3),
      unit: "tCO2e",
      source: `${s.path}.inventoryEmissionsKg`,
      computed: "gross (inventory-based) kgCO2e ÷ 1000, half-even to 3 decimals; no certificate is deducted",
    },
    methodology: {
      name: "Emissions calculation methodology",
      ref: `${CDP_Q}, column "Emissions calculation methodology" (select all that apply)`,
      value: methods,
      unit: "selection",
      source: `${rowsPath}[].footprintSource`,
      computed:
        'supplier_pcf → "Supplier-specific method"; registry_reference (T1/T2) and category_default (T3) → "Average data method"',
    },
    supplierDataPct: {
      name: "Percentage of emissions calculated using data obtained from suppliers or value chain partners",
      ref: `${CDP_Q}, column "Percentage of emissions calculated using data obtained from suppliers or value chain partners"`,
      unit: "%",
      ...supplierShare(s.rows, rowsPath),
    },
    explanation: {
      name: "Please explain",
      ref: `${CDP_Q}, column "Please explain" (text, at most ${CDP_TEXT_MAX} characters)`,
      value: explain(s, year, gross, adjusted),
      unit: "text",
      source: `${rowsPath}, ${s.path}, current.applied`,
      computed: "the footprint sources of the inventory rows, and the I-TEC adjustment stated separately",
    },
  };
}

/** The CDP "Please explain" text: how the gross figure was calculated, and the adjustment kept apart from it. */
function explain(s: Slice, year: number, gross: Dec, adjusted: Dec): string {
  const by = (src: FootprintSource) => s.rows.filter((r) => r.footprintSource === src);
  const part = (src: FootprintSource, what: string) => {
    const rs = by(src);
    if (rs.length === 0) return [];
    const kg = rs.reduce((t, r) => t.plus(r.emissionsKg), new Dec(0));
    return [`${what} for ${rs.reduce((n, r) => n + r.devices, 0)} devices (${tonnes(kg)} tCO2e)`];
  };
  const sources = [
    ...part("supplier_pcf", "supplier product carbon footprints (PCF)"),
    ...part("registry_reference", "I-TEC Registry reference data matched by manufacturer and model (tiers T1/T2)"),
    ...part("category_default", "the registry's device-category default (tier T3)"),
  ];
  const ids = s.applied.map((a) => a.retirementId);
  const listed =
    ids.length <= 20
      ? `retirement${ids.length === 1 ? "" : "s"} ${ids.join(", ")}`
      : `${ids.length} retirements (listed in the report)`;
  const certs =
    s.figures.certificatesApplied === 0
      ? "No I-TEC certificate was applied."
      : `I-TEC certificates are not deducted from this figure: ${s.figures.certificatesApplied} certificates (${listed}, each verifiable with "itec verify retirement <id>") give a separate adjustment of ${tonnes(adjusted.minus(gross))} tCO2e, a certificate-adjusted ${tonnes(adjusted)} tCO2e. I-TECs represent lower-intensity procurement; they are not offsets.`;
  const text = `IT devices procured in ${year} (${s.figures.devices} devices) × cradle-to-gate footprint per device: ${sources.join("; ") || "no inventory rows"}. ${certs}`;
  return text.length <= CDP_TEXT_MAX ? text : `${text.slice(0, CDP_TEXT_MAX - 1)}…`;
}

function esrs(y: YearReport, slices: Slice[], notSplit: string): EsrsE16 {
  const gross = new Dec(y.totals.inventoryEmissionsKg);
  const adjusted = new Dec(y.totals.adjustedEmissionsKg);
  const split = slices[0]!.s3 !== null;
  return {
    gross: {
      name: "Gross Scope 3 GHG emissions",
      ref: "ESRS E1 §44(c) and §51 (Disclosure Requirement E1-6); EFRAG IG 3 datapoint E1-6_11",
      value: tonnes(gross),
      unit: "tCO2e",
      source: "current.totals.inventoryEmissionsKg",
      computed: "Σ gross of the inventory's device categories, ÷ 1000; no certificate is deducted",
    },
    byCategory: split
      ? slices.map((s) => ({
          name: `Gross Scope 3 GHG emissions — ${GHG_LABEL[s.s3!]}`,
          ref: "ESRS E1 §51 (each significant Scope 3 category) and AR 46",
          value: tonnes(new Dec(s.figures.inventoryEmissionsKg)),
          unit: "tCO2e" as const,
          source: `${s.path}.inventoryEmissionsKg`,
          computed: "÷ 1000; whether the category is significant is the reporter's own assessment",
        }))
      : [
          {
            name: "Gross Scope 3 GHG emissions by significant Scope 3 category",
            ref: "ESRS E1 §51 (each significant Scope 3 category) and AR 46",
            value: null,
            unit: "tCO2e",
            source: "current.scope3Subtotals (empty)",
            computed: `not given: ${notSplit}`,
          },
        ],
    supplierDataPct: {
      name: "Percentage of Scope 3 GHG emissions calculated using primary data obtained from suppliers or other value chain partners",
      ref: "ESRS E1 AR 46(g); EFRAG IG 3 datapoint E1-6_25",
      unit: "%",
      ...supplierShare(y.inventory, "current.inventory"),
    },
    categoriesIncluded: {
      name: "Scope 3 categories included in the inventory",
      ref: "ESRS E1 AR 46 (list of categories included); EFRAG IG 3 datapoint E1-6_27",
      value: split ? slices.map((s) => GHG_LABEL[s.s3!]) : null,
      unit: "selection",
      source: "current.scope3Subtotals[].scope3Category",
      computed: split ? "the Scope 3 categories the inventory gives" : `not given: ${notSplit}`,
    },
    certificateAdjustment: {
      name: "I-TEC certificate adjustment (tCO2e), disclosed separately",
      ref: "Entity-specific disclosure beside E1-6, not an ESRS data point: gross Scope 3 is independent of any GHG trades (Scope 3 Standard §11.1, applied through ESRS E1 AR 46(a))",
      value: tonnes(adjusted.minus(gross)),
      unit: "tCO2e",
      source: "current.totals.adjustedEmissionsKg − current.totals.inventoryEmissionsKg (from current.applied)",
      computed: `certificate-adjusted − gross, ÷ 1000 (≤ 0): ${y.totals.certificatesApplied} certificates from ${y.applied.length} applied retirements; certificate-adjusted ${tonnes(adjusted)} tCO2e; not deducted from the gross data point`,
    },
  };
}

/** The disclosures as one tidy table (one row per field), for CSV and HTML. */
export function disclosureTable(d: Scope3Disclosures): ({ framework: string; line: string } & DisclosureField)[] {
  const rows: ({ framework: string; line: string } & DisclosureField)[] = [];
  for (const l of d.ghgProtocol)
    for (const f of [l.gross, l.certificateAdjustment, l.certificateAdjusted])
      rows.push({ framework: "GHG Protocol Scope 3", line: l.label, ...f });
  for (const r of d.cdp) {
    const line = r.scope3Category === null ? "not split" : CDP_CATEGORY[r.scope3Category];
    for (const f of [r.category, r.evaluationStatus, r.emissions, r.methodology, r.supplierDataPct, r.explanation])
      rows.push({ framework: "CDP 7.8", line, ...f });
  }
  const e = d.esrs;
  for (const f of [e.gross, ...e.byCategory, e.supplierDataPct, e.categoriesIncluded, e.certificateAdjustment])
    rows.push({ framework: "ESRS E1-6", line: "", ...f });
  return rows;
}
