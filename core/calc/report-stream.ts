/**
 * The report's canonical JSON (RFC 8785), streamed: pieces of ~64 KB straight from the lot state, so a 1,000,000-device
 * report (~450 MB) is hashed and written without ever being one string. Members are emitted in canonical order by
 * construction; tests check that the stream equals `canonicalJson(buildReport(…))` byte for byte.
 */
import { canonicalJson, canonicalString } from "./canonical-json.ts";
import type { LotState } from "./lot-state.ts";
import type { Figures } from "./memo.ts";
import { reportHead, trimmed } from "./report.ts";
import { bytes, RECORD_ROOM, ReportBytes } from "./report-bytes.ts";
import { EXCLUSION_REASONS } from "./types.ts";

const K = {
  open: bytes("{"),
  openFig: bytes("{"),
  category: bytes('"category":'),
  claimedElsewhere: bytes(',"claimedElsewhere":'),
  deviceId: bytes(',"deviceId":"0x'),
  erasure: bytes(',"erasure_certificate_id":'),
  excluded: bytes(',"excluded":"'),
  line: bytes(',"line":'),
  manufactureDate: bytes(',"manufacture_date":'),
  manufacturer: bytes(',"manufacturer":'),
  model: bytes(',"model":'),
  parts: bytes(',"parts":'),
  problems: bytes(',"problems":'),
  refurbishedDate: bytes(',"refurbished_date":'),
  secondLife: bytes(',"second_life_months":'),
  serial: bytes(',"serial":'),
  shipMass: bytes(',"ship_mass_kg":'),
  testReport: bytes(',"test_report_id":'),
  tier: bytes(',"tier":"'),
  transport: bytes(',"transport":'),
};
const REASON_BYTES = EXCLUSION_REASONS.map((r) => bytes(`${r}"`));
const TIER_BYTES = { T1: bytes('T1"'), T2: bytes('T2"'), T3: bytes('T3"') };

const F = {
  B: bytes('"B":"'),
  L1: bytes('","L1":'),
  L2: bytes(',"L2":'),
  Lref: bytes(',"L_ref":'),
  M: bytes(',"M":'),
  R: bytes(',"R":"'),
  Rup: bytes('","R_up":"'),
  U: bytes('","U":"'),
  V: bytes('","V":"'),
  end: bytes('",'),
};

/**
 * The figure members of an eligible device (`"B":…,"V":…,`), in canonical order; cached as bytes on the figures
 * when several devices share them.
 */
function writeFigures(w: ReportBytes, f: Figures): void {
  if (f.json !== undefined) {
    w.raw(f.json);
    return;
  }
  const start = w.pos;
  w.raw(F.B);
  w.kg(f.B);
  w.raw(F.L1);
  w.integer(f.L1);
  w.raw(F.L2);
  w.integer(f.L2);
  w.raw(F.Lref);
  w.integer(f.ref.Lref);
  w.raw(F.M);
  w.repeated(f.ref.Mtext, []);
  w.raw(F.R);
  w.kg(f.R);
  w.raw(F.Rup);
  w.kg(f.R_up);
  w.raw(F.U);
  w.kg(f.U);
  w.raw(F.V);
  w.kg(f.B - f.R - f.U);
  w.raw(F.end);
  if (f.count > 1) f.json = w.since(start);
}

/** Writes device `i`'s canonical JSON (equal to `canonicalJson(deviceResult(state, i))`). */
function writeDevice(w: ReportBytes, state: LotState, i: number, out: Uint8Array[]): void {
  const dev = state.devices[i]!;
  const code = state.codes[i]!;
  const f = code === 0 ? state.figures[i] : undefined;
  w.byte(123); // {
  if (f !== undefined) writeFigures(w, f);
  w.raw(K.category);
  w.repeated(state.categories[i]!, out);
  const claim = code === 0 ? undefined : state.claims.get(i);
  if (claim !== undefined) {
    w.raw(K.claimedElsewhere);
    w.text(canonicalJson({ root: claim.root, scheme: claim.scheme, setId: claim.setId }), out);
  }
  if (state.hasId[i] === 1) {
    w.raw(K.deviceId);
    w.hex32(state.idBytes, i * 32);
    w.byte(34);
  }
  w.raw(K.erasure);
  w.quoted(trimmed(dev.erasure_certificate_id), out);
  if (code !== 0) {
    w.raw(K.excluded);
    w.raw(REASON_BYTES[code - 1]!);
  }
  w.raw(K.line);
  w.integer(dev.line ?? i + 1);
  w.raw(K.manufactureDate);
  w.repeated(state.madeTexts[i]!, out);
  w.raw(K.manufacturer);
  w.repeated(state.names[i]!.manufacturer, out);
  w.raw(K.model);
  w.repeated(state.names[i]!.model, out);
  w.raw(K.parts);
  w.repeated(state.partsTexts[i]!, out);
  const problems = code === 0 ? undefined : state.problems.get(i);
  if (problems !== undefined) {
    w.raw(K.problems);
    w.text(canonicalJson(problems), out);
  }
  w.raw(K.refurbishedDate);
  w.repeated(state.refurbishedTexts[i]!, out);
  w.raw(K.secondLife);
  w.repeated(state.monthsTexts[i]!, out);
  w.raw(K.serial);
  w.quoted(state.serials[i]!, out);
  w.raw(K.shipMass);
  w.repeated(state.masses[i]!, out);
  w.raw(K.testReport);
  w.quoted(trimmed(dev.test_report_id), out);
  if (f !== undefined) {
    w.raw(K.tier);
    w.raw(TIER_BYTES[f.ref.tier]);
  }
  w.raw(K.transport);
  w.repeated(state.transports[i]!, out);
  w.byte(125); // }
}

/**
 * The canonical report as UTF-8 bytes, in pieces, hashed on the way; returns the `0x` keccak256 of all the bytes.
 * Each piece is a view into the writer's buffer, valid until the generator is resumed (write or copy it first).
 * With `holdLastByte`, the final `}` is hashed but not handed out (the report file appends `reportHash` before it).
 */
export function* reportBytes(
  state: LotState,
  options: { holdLastByte?: boolean } = {},
): Generator<Uint8Array, string, undefined> {
  const head = reportHead(state);
  const w = new ReportBytes();
  const out: Uint8Array[] = [];
  /** Hands out what long values pushed to `out`, then what is buffered (a view). */
  const drain = function* (): Generator<Uint8Array, void, undefined> {
    if (out.length === 0) return;
    for (const piece of out) yield piece;
    out.length = 0;
  };
  w.text(`{"batches":${canonicalJson(state.batchReports)},"devices":[`, out);
  yield* drain();
  const n = state.devices.length;
  for (let i = 0; i < n; i++) {
    if (w.full(RECORD_ROOM)) {
      yield w.unshown();
      w.compact();
    }
    if (i > 0) w.byte(44);
    writeDevice(w, state, i, out);
    if (out.length > 0) yield* drain(); // only for values of ~1 MB and more
  }
  // The remaining members, in canonical order: lot, method, parameters, params, referenceData.
  w.text(
    `],"lot":${canonicalJson(head.lot)},"method":${canonicalString(head.method)}` +
      `,"parameters":${canonicalJson(head.parameters)},"params":${canonicalString(head.params)}` +
      `,"referenceData":${canonicalJson(head.referenceData)}`,
    out,
  );
  yield* drain();
  if (options.holdLastByte !== true) w.byte(125);
  const rest = w.unshown();
  if (rest.length > 0) yield rest;
  w.compact();
  if (options.holdLastByte === true) w.byte(125);
  return w.digest();
}

/** The canonical JSON of the report as strings (decoded from {@link reportBytes}), ~4 MB each. */
export function* reportChunks(state: LotState): Generator<string, void, undefined> {
  // TextDecoder, not node:string_decoder: the calculation also runs in browsers (core/calc/browser.ts).
  const decoder = new TextDecoder("utf-8");
  for (const piece of reportBytes(state)) {
    const text = decoder.decode(piece, { stream: true });
    if (text.length > 0) yield text;
  }
  const tail = decoder.decode();
  if (tail.length > 0) yield tail;
}
