/**
 * Writing strings as UTF-8 into the Keccak engine's memory, in Node and in a browser.
 *
 * Why two paths: in Node, `Buffer#write` encodes without allocating and is the fastest way there is (the hot loop of
 * a 1,000,000-device lot writes ~4 million strings; ADR 0011); browsers have no `Buffer`, and there
 * `TextEncoder#encodeInto` does the same job. Both write the same bytes (a lone surrogate becomes U+FFFD in both),
 * which test/calc/browser.test.ts checks by running the calculation once without `Buffer`.
 */

/** The slice of `Buffer#write` the calculation uses. */
export interface Utf8Writer {
  /** Writes `text` at `offset` (as UTF-8, or latin1 for text known to be ASCII); returns the bytes written. */
  write(text: string, offset: number, encoding?: "latin1"): number;
}

interface NodeBufferApi {
  from(memory: ArrayBuffer): Utf8Writer;
}

/** Node's `Buffer`, looked up rather than named: the module must load where there is none. */
const NodeBuffer = (globalThis as { Buffer?: NodeBufferApi }).Buffer;

/** A writer over `memory` (re-create it when the memory grows: a view does not follow). */
export function utf8Writer(memory: ArrayBuffer): Utf8Writer {
  if (NodeBuffer !== undefined) return NodeBuffer.from(memory);
  const encoder = new TextEncoder();
  const u8 = new Uint8Array(memory);
  return { write: (text, offset) => encoder.encodeInto(text, u8.subarray(offset)).written };
}

const HEX_DIGITS = "0123456789abcdef";

/** The bytes of `hex` (an even number of hex digits, no `0x`; the caller has checked it). */
export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  const lower = hex.toLowerCase();
  for (let i = 0; i < out.length; i++) {
    out[i] = (HEX_DIGITS.indexOf(lower[2 * i]!) << 4) | HEX_DIGITS.indexOf(lower[2 * i + 1]!);
  }
  return out;
}

/** `Buffer.compare` for two byte arrays: negative, zero or positive as `a` sorts before, with or after `b`. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
