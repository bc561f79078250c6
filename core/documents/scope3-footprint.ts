/**
 * An inventory row's footprint per device and where it came from (docs/adr/0030-scope3-matching.md): the supplier PCF
 * when given, else the registry reference for the manufacturer and model (T1/T2), else the category default (T3) —
 * with a note for the reader whenever a default stood in for a missing or unmatched model.
 */
import { Dec, normaliseName, type ReferenceTable, type Tier } from "../calc/index.ts";
import { Scope3InputError, type InventoryLine } from "./inventory.ts";
import type { FootprintSource } from "./scope3-types.ts";

/** kgCO2e as the report prints it: rounded half-even to grams, three decimals. */
export const kg = (x: Dec) => x.toDecimalPlaces(3, Dec.ROUND_HALF_EVEN).toFixed(3);

/** A printed kg figure (three decimals) in tonnes: exact, six decimals ("1234.567" → "1.234567"). */
export const tonnes = (kgFigure: string) => new Dec(kgFigure).div(1000).toFixed(6);

export interface Footprint {
  value: Dec;
  source: FootprintSource;
  tier: Tier | null;
  /** The category row's PCF-source label (kept as it was before per-row sources). */
  label: string;
  detail: string;
  /** A note for the reader when a category default stood in for the row's model. */
  warning?: string;
}

/** The footprint of one inventory row (`source` names the row in messages). */
export function footprint(line: InventoryLine & { source: string }, reference: ReferenceTable): Footprint {
  if (line.pcfKgPerDevice !== undefined && line.pcfKgPerDevice !== "") {
    const v = new Dec(line.pcfKgPerDevice);
    if (!v.isFinite() || v.isNeg())
      throw new Scope3InputError(`${line.source}: invalid PCF ${line.pcfKgPerDevice} for ${line.category}`);
    return { value: v, source: "supplier_pcf", tier: null, label: "supplier PCF", detail: "supplier PCF" };
  }
  const t3 = reference.t3(line.category).M;
  const fallback = `the ${line.category} category default (registry reference T3, ${kg(t3)} kgCO2e per device) was used`;
  if (line.manufacturer && line.model) {
    const m = reference.match(normaliseName(line.manufacturer), normaliseName(line.model));
    if (m) {
      return {
        value: m.M,
        source: "registry_reference",
        tier: m.tier,
        label: `registry reference ${m.tier} (${line.manufacturer} ${line.model})`,
        detail: `${line.manufacturer} ${line.model} matched at ${m.tier}${m.row !== undefined ? ` (reference row ${m.row})` : ""}`,
      };
    }
    return {
      value: t3,
      source: "category_default",
      tier: "T3",
      label: `registry reference T3 (${line.category} default)`,
      detail: `${line.manufacturer} ${line.model} not found in the registry reference; category default`,
      warning: `${line.year} ${line.source}: ${line.manufacturer} '${line.model}' (${line.category}) is not in the registry reference — ${fallback}; give the supplier PCF or the reference's manufacturer and model name.`,
    };
  }
  const missing = line.manufacturer ? "no model" : line.model ? "no manufacturer" : "no manufacturer/model";
  return {
    value: t3,
    source: "category_default",
    tier: "T3",
    label: `registry reference T3 (${line.category} default)`,
    detail: `no supplier PCF and ${missing}; category default`,
    warning: `${line.year} ${line.source}: no supplier PCF and ${missing} for ${line.devices} ${line.category} devices — ${fallback}.`,
  };
}
