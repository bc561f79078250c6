/**
 * The writer of the report's canonical JSON bytes: straight into a Keccak engine's memory, hashed in place block by
 * block and handed out as views — one pass, no intermediate strings for the device records (docs/adr/0013).
 */
import { canonicalString } from "./canonical-json.ts";
import { hexAt, KeccakEngine } from "./keccak.ts";
import { RATE } from "./keccak-module.ts";
import type { Text } from "./lot-inputs.ts";

const encoder = new TextEncoder();
/** The UTF-8 bytes of a constant fragment. */
export const bytes = (text: string): Uint8Array => encoder.encode(text);
/** Strings that JSON-quote to themselves between two quote marks (no escaping, no surrogates at all). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON must escape
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
const HEX = bytes("0123456789abcdef");

/** Room reserved before each device record; longer values are written in slices (`text`). */
export const RECORD_ROOM = 1 << 16;
const BUFFER_BYTES = 1 << 22;

/**
 * Writes canonical JSON bytes straight into a Keccak engine's memory: the bytes are hashed in place, block by block,
 * and handed out as views (valid until the next write) — one pass, no intermediate strings for the device records.
 */
export class ReportBytes {
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
