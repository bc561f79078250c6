/**
 * The calculation report (docs/methodology.md §8.3) and its canonical JSON (RFC 8785).
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
import { StringDecoder } from "node:string_decoder";

import { canonicalJson, canonicalString } from "./canonical-json.ts";
import { gramsToKg } from "./decimal.ts";
import { hexAt, KeccakEngine } from "./keccak.ts";
import { RATE } from "./keccak-module.ts";
import type { Text } from "./lot-inputs.ts";
import type { LotState } from "./lot-state.ts";
import type { Figures } from "./memo.ts";
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
    return { ...base, excluded: EXCLUSION_REASONS[code - 1]!, ...(problems === undefined ? {} : { problems }) };
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

/** The report as an object (holds every device: for large lots prefer {@link reportChunks}). */
export function buildReport(state: LotState): Report {
  return {
    ...reportHead(state),
    batches: state.batchReports,
    devices: state.devices.map((_, i) => deviceResult(state, i)),
  };
}

// ---- the canonical bytes, streamed ----

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);
/** Strings that JSON-quote to themselves between two quote marks (no escaping, no surrogates at all). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON must escape
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

const K = {
  open: bytes("{"),
  openFig: bytes("{"),
  category: bytes('"category":'),
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
const HEX = bytes("0123456789abcdef");

/** Room reserved before each device record; longer values are written in slices (`text`). */
const RECORD_ROOM = 1 << 16;
const BUFFER_BYTES = 1 << 22;

/**
 * Writes canonical JSON bytes straight into a Keccak engine's memory: the bytes are hashed in place, block by block,
 * and handed out as views (valid until the next write) — one pass, no intermediate strings for the device records.
 */
class ReportBytes {
  private readonly e = new KeccakEngine(BUFFER_BYTES);
  private readonly base = KeccakEngine.SCRATCH;
  private readonly end = BUFFER_BYTES - 2 * RATE;
  /** Absolute write position; bytes in [base, pos) are buffered. */
  pos = KeccakEngine.SCRATCH;
  /** Bytes in [base, shown) were already handed out. */
  private shown = KeccakEngine.SCRATCH;

  /** True when fewer than `room` bytes are free: hand out {@link unshown}, then {@link compact}. */
  full(room: number): boolean {
    return this.pos + room > this.end;
  }

  /** The bytes written but not yet handed out — a view, valid until the next write or {@link compact}. */
  unshown(): Uint8Array {
    return this.e.u8.subarray(this.shown, this.pos);
  }

  /** Absorbs the whole blocks written so far and keeps the rest; everything written counts as handed out. */
  compact(): void {
    const blocks = Math.floor((this.pos - this.base) / RATE);
    if (blocks > 0) this.e.fn.absorb(KeccakEngine.STATE, this.base, blocks);
    const used = blocks * RATE;
    this.e.u8.copyWithin(this.base, this.base + used, this.pos);
    this.pos -= used;
    this.shown = this.pos;
  }

  /** The digest (`0x` hex) of everything written; call after the last {@link unshown} was handed out. */
  digest(): string {
    this.compact();
    const u8 = this.e.u8;
    const fill = this.pos - this.base;
    u8.fill(0, this.pos, this.base + RATE);
    u8[this.base + fill]! ^= 0x01;
    u8[this.base + RATE - 1]! ^= 0x80;
    this.e.fn.absorb(KeccakEngine.STATE, this.base, 1);
    return hexAt(u8, KeccakEngine.STATE);
  }

  raw(src: Uint8Array): void {
    const u8 = this.e.u8;
    let p = this.pos;
    if (src.length < 32) for (let k = 0; k < src.length; k++) u8[p++] = src[k]!;
    else {
      u8.set(src, p);
      p += src.length;
    }
    this.pos = p;
  }

  byte(b: number): void {
    this.e.u8[this.pos++] = b;
  }

  /** UTF-8 of `text` (no quoting). Long text is written in slices, flushing as needed. */
  text(text: string, out: Uint8Array[]): void {
    if (text.length * 3 <= this.end - this.pos) {
      this.pos += this.e.buf.write(text, this.pos);
      return;
    }
    let offset = 0;
    const slice = Math.floor((this.end - this.base) / 6);
    while (offset < text.length) {
      let stop = Math.min(text.length, offset + slice);
      const unit = text.charCodeAt(stop - 1);
      if (stop < text.length && unit >= 0xd800 && unit <= 0xdbff) stop--;
      if (this.full((stop - offset) * 3)) {
        out.push(Uint8Array.from(this.unshown())); // rare (a value longer than ~1 MB): a copy
        this.compact();
      }
      this.pos += this.e.buf.write(text.slice(offset, stop), this.pos);
      offset = stop;
    }
  }

  /** A JSON string value. */
  quoted(value: string, out: Uint8Array[]): void {
    if (value.length < 128) {
      // Short printable ASCII (serials, report ids): copied code unit by code unit, no escaping needed.
      const u8 = this.e.u8;
      let p = this.pos;
      u8[p++] = 34;
      let k = 0;
      for (; k < value.length; k++) {
        const c = value.charCodeAt(k);
        if (c < 0x20 || c === 34 || c === 92 || c >= 0x7f) break;
        u8[p++] = c;
      }
      if (k === value.length) {
        u8[p++] = 34;
        this.pos = p;
        return;
      }
    }
    if (value.length < 256 && PLAIN.test(value)) {
      this.byte(34);
      this.text(value, out);
      this.byte(34);
    } else this.text(canonicalString(value), out);
  }

  /** A JSON string value shared by many devices: its bytes are cached on the shared object. */
  repeated(value: Text, out: Uint8Array[]): void {
    const b = (value.json ??= bytes(canonicalString(value.text)));
    if (b.length > RECORD_ROOM / 4) this.text(canonicalString(value.text), out);
    else this.raw(b);
  }

  /** Integer grams as a 3-dp kilogram figure (what `gramsToKg` gives). */
  kg(grams: number): void {
    let g = grams;
    if (g < 0) {
      this.byte(45); // -
      g = -g;
    }
    const frac = g % 1000;
    this.integer((g - frac) / 1000);
    const u8 = this.e.u8;
    let p = this.pos;
    u8[p++] = 46; // .
    u8[p++] = 48 + Math.floor(frac / 100);
    u8[p++] = 48 + (Math.floor(frac / 10) % 10);
    u8[p++] = 48 + (frac % 10);
    this.pos = p;
  }

  /** The bytes written since `start` (to cache a fragment). */
  since(start: number): Uint8Array {
    return this.e.u8.slice(start, this.pos);
  }

  /** 64 lower-case hex digits of 32 bytes. */
  hex32(src: Uint8Array, at: number): void {
    const u8 = this.e.u8;
    let p = this.pos;
    for (let k = 0; k < 32; k++) {
      const v = src[at + k]!;
      u8[p++] = HEX[v >> 4]!;
      u8[p++] = HEX[v & 15]!;
    }
    this.pos = p;
  }

  /** A non-negative integer. */
  integer(n: number): void {
    if (n < 10) this.byte(48 + n);
    else if (n < 1e15) {
      let digits = 1;
      for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
      const u8 = this.e.u8;
      let p = this.pos + digits;
      this.pos = p;
      for (let m = n; m > 0; m = Math.floor(m / 10)) u8[--p] = 48 + (m % 10);
    } else this.pos += this.e.buf.write(String(n), this.pos, "latin1");
  }
}

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
  const decoder = new StringDecoder("utf8");
  for (const piece of reportBytes(state)) {
    const text = decoder.write(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
    if (text.length > 0) yield text;
  }
  const tail = decoder.end();
  if (tail.length > 0) yield tail;
}
