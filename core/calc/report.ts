/**
 * The calculation report (docs/methodology.md §8.3) as an object: what `buildReport` gives (for APIs and tests) and
 * what the canonical JSON of report-stream.ts renders byte for byte (tests check that the stream equals
 * `canonicalJson(buildReport(…))`).
 *
 * The published file is the canonical report with one more member, `reportHash` (= keccak256 of the canonical report
 * bytes), which sorts last: the file is itself canonical JSON, and a verifier removes `reportHash`, canonicalises and
 * hashes (docs/adr/0013).
 */
import { gramsToKg } from "../../sdk/src/units.ts";
import { hexAt } from "./keccak.ts";
import type { LotState } from "./lot-state.ts";
import { METHOD_VERSION, PARAMS, PARAMS_VERSION, type ParamsTable } from "./params.ts";
import { EXCLUSION_REASONS, type BatchReport, type DeviceResult, type ExclusionReason } from "./types.ts";

/** The report object whose canonical JSON is hashed. */
export interface Report {
  readonly method: typeof METHOD_VERSION;
  readonly params: typeof PARAMS_VERSION;
  /** The parameter table itself, so the report is self-contained. */
  readonly parameters: ParamsTable;
  readonly referenceData: {
    readonly sha256: string;
    readonly source: string;
    readonly license: string;
    readonly rows: number;
    readonly validRows: number;
  };
  readonly lot: {
    readonly id: string | null;
    readonly refurbisher: string | null;
    readonly asOf: string;
    readonly defaultTransport: string | null;
    readonly devices: number;
    readonly eligible: number;
    readonly excluded: Readonly<Partial<Record<ExclusionReason, number>>>;
  };
  readonly batches: readonly BatchReport[];
  readonly devices: readonly DeviceResult[];
}

/** Every member of the report but its batches and devices. */
export function reportHead(state: LotState): Omit<Report, "batches" | "devices"> {
  const r = state.reference;
  return {
    method: METHOD_VERSION,
    params: PARAMS_VERSION,
    parameters: PARAMS,
    referenceData: { sha256: r.sha256, source: r.source, license: r.license, rows: r.rows, validRows: r.validRows },
    lot: {
      id: state.options.lotId ?? null,
      refurbisher: state.options.refurbisher ?? null,
      asOf: state.asOf,
      defaultTransport: state.defaultTransport,
      devices: state.devices.length,
      eligible: state.eligible,
      excluded: state.excluded,
    },
  };
}

/** A free-text identifier as the report shows it (trimmed; absent = empty). */
export const trimmed = (value: string | undefined): string => (value === undefined ? "" : value.trim());

/** One device of the report, as an object. */
export function deviceResult(state: LotState, i: number): DeviceResult {
  const dev = state.devices[i]!;
  const code = state.codes[i]!;
  const base = {
    line: dev.line ?? i + 1,
    serial: state.serials[i]!,
    ...(state.hasId[i] === 1 ? { deviceId: hexAt(state.idBytes, i * 32) } : {}),
    manufacturer: state.names[i]!.manufacturer.text,
    model: state.names[i]!.model.text,
    category: state.categories[i]!.text,
    manufacture_date: state.madeTexts[i]!.text,
    refurbished_date: state.refurbishedTexts[i]!.text,
    second_life_months: state.monthsTexts[i]!.text,
    parts: state.partsTexts[i]!.text,
    ship_mass_kg: state.masses[i]!.text,
    transport: state.transports[i]!.text,
    test_report_id: trimmed(dev.test_report_id),
    erasure_certificate_id: trimmed(dev.erasure_certificate_id),
  };
  if (code !== 0) {
    const problems = state.problems.get(i);
    const claim = state.claims.get(i);
    return {
      ...base,
      excluded: EXCLUSION_REASONS[code - 1]!,
      ...(claim === undefined ? {} : { claimedElsewhere: claim }),
      ...(problems === undefined ? {} : { problems }),
    };
  }
  const f = state.figures[i]!;
  return {
    ...base,
    tier: f.ref.tier,
    M: f.ref.Mtext.text,
    L_ref: f.ref.Lref,
    L1: f.L1,
    L2: f.L2,
    B: gramsToKg(f.B),
    R: gramsToKg(f.R),
    R_up: gramsToKg(f.R_up),
    U: gramsToKg(f.U),
    V: gramsToKg(f.B - f.R - f.U),
  };
}

/** The report as an object (holds every device: for large lots prefer `reportChunks` of report-stream.ts). */
export function buildReport(state: LotState): Report {
  return {
    ...reportHead(state),
    batches: state.batchReports,
    devices: state.devices.map((_, i) => deviceResult(state, i)),
  };
}
