/**
 * The calculation report (METHODOLOGY.md §8) and its canonical JSON (RFC 8785).
 *
 * Two renderings of one content: `buildReport` gives the object (for APIs and tests); `reportChunks` streams its
 * canonical JSON in pieces of ~64 KB, so a 1,000,000-device report (~450 MB) is hashed and written without ever being
 * one string. Members are emitted in canonical order by construction; tests check that the stream equals
 * `canonicalJson(buildReport(…))` byte for byte.
 *
 * The published file is the canonical report with one more member, `reportHash` (= keccak256 of the canonical report
 * bytes), which sorts last: the file is itself canonical JSON, and a verifier removes `reportHash`, canonicalises and
 * hashes (docs/adr/0013).
 */
import { canonicalJson, canonicalString } from "./canonical-json.ts";
import { gramsToKg, plain } from "./decimal.ts";
import { hexAt } from "./keccak.ts";
import { figureBlock, type LotState } from "./lot.ts";
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

function reportHead(state: LotState): Omit<Report, "batches" | "devices"> {
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

const trimmed = (value: string | undefined): string => (value === undefined ? "" : value.trim());

/** One device of the report, as an object. */
export function deviceResult(state: LotState, i: number): DeviceResult {
  const dev = state.devices[i]!;
  const code = state.codes[i]!;
  const base = {
    line: dev.line ?? i + 1,
    serial: state.serials[i]!,
    ...(state.hasId[i] === 1 ? { deviceId: hexAt(state.idBytes, i * 32) } : {}),
    manufacturer: state.manufacturers[i]!,
    model: state.models[i]!,
    category: state.categories[i]!,
    manufacture_date: trimmed(dev.manufacture_date),
    refurbished_date: trimmed(dev.refurbished_date),
    second_life_months: trimmed(dev.second_life_months),
    parts: trimmed(dev.parts),
    ship_mass_kg: state.masses[i]!,
    transport: state.transports[i]!,
    test_report_id: trimmed(dev.test_report_id),
    erasure_certificate_id: trimmed(dev.erasure_certificate_id),
  };
  if (code !== 0) {
    const problems = state.problems.get(i);
    return { ...base, excluded: EXCLUSION_REASONS[code - 1]!, ...(problems === undefined ? {} : { problems }) };
  }
  const f = state.figures[i]!;
  return {
    ...base,
    tier: f.ref.tier,
    M: plain(f.ref.M),
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

/** The report as an object (holds every device: for large lots prefer {@link reportChunks}). */
export function buildReport(state: LotState): Report {
  return {
    ...reportHead(state),
    batches: state.batchReports,
    devices: state.devices.map((_, i) => deviceResult(state, i)),
  };
}

/** Quoting with a cache for the values lots repeat (names, dates, parts, transport). */
class Quoter {
  private readonly cache = new Map<string, string>();
  repeated(value: string): string {
    let q = this.cache.get(value);
    if (q === undefined) {
      q = canonicalString(value);
      if (this.cache.size < 1 << 20) this.cache.set(value, q);
    }
    return q;
  }
}

/** The canonical JSON of device `i`; equals `canonicalJson(deviceResult(state, i))`. */
function deviceJson(state: LotState, i: number, q: Quoter): string {
  const dev = state.devices[i]!;
  const code = state.codes[i]!;
  const f = code === 0 ? state.figures[i] : undefined;
  let s = f === undefined ? "{" : `{${figureBlock(f)},`;
  s += `"category":${q.repeated(state.categories[i]!)}`;
  if (state.hasId[i] === 1) s += `,"deviceId":"0x${hexOf(state, i)}"`;
  s += `,"erasure_certificate_id":${canonicalString(trimmed(dev.erasure_certificate_id))}`;
  if (code !== 0) s += `,"excluded":"${EXCLUSION_REASONS[code - 1]!}"`;
  s += `,"line":${dev.line ?? i + 1}`;
  s += `,"manufacture_date":${q.repeated(trimmed(dev.manufacture_date))}`;
  s += `,"manufacturer":${q.repeated(state.manufacturers[i]!)}`;
  s += `,"model":${q.repeated(state.models[i]!)}`;
  s += `,"parts":${q.repeated(trimmed(dev.parts))}`;
  const problems = code === 0 ? undefined : state.problems.get(i);
  if (problems !== undefined) s += `,"problems":${canonicalJson(problems)}`;
  s += `,"refurbished_date":${q.repeated(trimmed(dev.refurbished_date))}`;
  s += `,"second_life_months":${q.repeated(trimmed(dev.second_life_months))}`;
  s += `,"serial":${canonicalString(state.serials[i]!)}`;
  s += `,"ship_mass_kg":${q.repeated(state.masses[i]!)}`;
  s += `,"test_report_id":${canonicalString(trimmed(dev.test_report_id))}`;
  if (f !== undefined) s += `,"tier":"${f.ref.tier}"`;
  s += `,"transport":${q.repeated(state.transports[i]!)}}`;
  return s;
}

const idViews = new WeakMap<Uint8Array, Buffer>();

/** Lower-case hex (no prefix) of device `i`'s id, via a Buffer view (native, no per-byte work). */
function hexOf(state: LotState, i: number): string {
  let view = idViews.get(state.idBytes);
  if (view === undefined) {
    const b = state.idBytes;
    idViews.set(b, (view = Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
  }
  return view.toString("hex", i * 32, i * 32 + 32);
}

const CHUNK = 1 << 16;

/** The canonical JSON of the report, in order, in pieces of roughly 64 K characters. */
export function* reportChunks(state: LotState): Generator<string, void, undefined> {
  const head = reportHead(state);
  const q = new Quoter();
  let buf = `{"batches":${canonicalJson(state.batchReports)},"devices":[`;
  const n = state.devices.length;
  for (let i = 0; i < n; i++) {
    if (i > 0) buf += ",";
    buf += deviceJson(state, i, q);
    if (buf.length >= CHUNK) {
      yield buf;
      buf = "";
    }
  }
  // The remaining members, in canonical order: lot, method, parameters, params, referenceData.
  buf +=
    `],"lot":${canonicalJson(head.lot)},"method":${canonicalString(head.method)}` +
    `,"parameters":${canonicalJson(head.parameters)},"params":${canonicalString(head.params)}` +
    `,"referenceData":${canonicalJson(head.referenceData)}}`;
  yield buf;
}
