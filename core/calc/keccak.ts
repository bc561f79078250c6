/**
 * Keccak-256 (the pre-standard SHA-3 padding Ethereum uses) in a small WebAssembly module: the engine that
 * instantiates it over its own linear memory, and the one-shot hashes of the calculation (device ids, small buffers).
 *
 * Why: a 1,000,000-device lot needs ~4 million Keccak permutations for device ids and the Merkle tree plus ~3 million
 * more to hash the report; `@noble/hashes` (what ethers uses) costs ~6 µs per short hash on the target machines, which
 * alone would exceed the 20 s budget. The permutation uses 64-bit lanes in WebAssembly and no allocation.
 * The module is *generated* at load time by keccak-module.ts (no opaque blob), with the instruction emitter of
 * wasm-emitter.ts. `test/calc/keccak.test.ts` checks it against ethers' keccak256 on random inputs of every length
 * around the block boundaries. See docs/adr/0012.
 *
 * Pure computation: no I/O. The module compiles synchronously (a few KB).
 */
import { buildModule, RATE } from "./keccak-module.ts";
import { utf8Writer, type Utf8Writer } from "./utf8.ts";

/** The slice of the WebAssembly JS API used here (the project's `lib` setting does not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KeccakExports {
  memory: WasmMemory;
  permute(state: number): void;
  absorb(state: number, data: number, blocks: number): void;
  hash32(state: number, input: number, output: number): void;
  hashPair(state: number, a: number, b: number, output: number): void;
  hashShort(state: number, data: number, length: number, output: number): void;
  hashLeaf(state: number, input: number, output: number): void;
}

let compiled: object | undefined;

/**
 * A fresh Keccak engine with its own linear memory. Bytes [0, SCRATCH) are the engine's (state, round constants);
 * callers use the rest.
 * `grow(bytes)` ensures the memory is at least that large and returns the (possibly new) byte view.
 */
export class KeccakEngine {
  readonly fn: KeccakExports;
  /** View over the whole memory; replaced when the memory grows. */
  u8: Uint8Array;
  /** Writes UTF-8 into the same memory (Node's `Buffer#write`, which does not allocate; utf8.ts). */
  buf: Utf8Writer;
  static readonly STATE = 0;
  /** First byte free for callers: [0, 200) is the state, [256, 448) the round constants. */
  static readonly SCRATCH = 512;

  constructor(minBytes = 65536) {
    compiled ??= new wasm.Module(buildModule());
    this.fn = new wasm.Instance(compiled).exports as KeccakExports;
    this.u8 = new Uint8Array(this.fn.memory.buffer);
    this.buf = utf8Writer(this.fn.memory.buffer);
    this.grow(minBytes);
  }

  grow(bytes: number): Uint8Array {
    const have = this.fn.memory.buffer.byteLength;
    if (bytes > have) this.fn.memory.grow(Math.ceil((bytes - have) / 65536));
    if (this.u8.buffer !== this.fn.memory.buffer) {
      this.u8 = new Uint8Array(this.fn.memory.buffer);
      this.buf = utf8Writer(this.fn.memory.buffer);
    }
    return this.u8;
  }

  /** Keccak-256 of `len` bytes already written at `ptr` (which must have `RATE` spare bytes after them); → `out`. */
  hashAt(ptr: number, len: number, out: number): void {
    const u8 = this.u8;
    const blocks = Math.floor(len / RATE) + 1;
    const end = blocks * RATE;
    u8.fill(0, ptr + len, ptr + end);
    u8[ptr + len]! ^= 0x01;
    u8[ptr + end - 1]! ^= 0x80;
    u8.fill(0, KeccakEngine.STATE, KeccakEngine.STATE + 200);
    this.fn.absorb(KeccakEngine.STATE, ptr, blocks);
    u8.copyWithin(out, KeccakEngine.STATE, KeccakEngine.STATE + 32);
  }
}

let shared: KeccakEngine | undefined;

/** The engine used for one-shot hashes (device ids, small buffers). */
export function sharedEngine(): KeccakEngine {
  return (shared ??= new KeccakEngine());
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** `0x`-prefixed lower-case hex of `len` bytes at `ptr` of `u8`. */
export function hexAt(u8: Uint8Array, ptr: number, len = 32): string {
  let s = "0x";
  for (let i = 0; i < len; i++) s += HEX[u8[ptr + i]!]!;
  return s;
}

/** Keccak-256 of bytes, as `0x` hex. */
export function keccak256Hex(data: Uint8Array): string {
  const e = sharedEngine();
  const ptr = KeccakEngine.SCRATCH + 32;
  e.grow(ptr + data.length + RATE);
  e.u8.set(data, ptr);
  e.hashAt(ptr, data.length, KeccakEngine.SCRATCH);
  return hexAt(e.u8, KeccakEngine.SCRATCH);
}

/**
 * Keccak-256 of a string's UTF-8 bytes, written as 32 raw bytes into `into` at `at`. Strings of up to 135 bytes
 * (every device id) take one WebAssembly call; longer ones the general path.
 */
export function keccak256Utf8Into(text: string, into: Uint8Array, at: number): void {
  const e = sharedEngine();
  const ptr = KeccakEngine.SCRATCH + 32;
  // UTF-8 needs at most 3 bytes per UTF-16 code unit.
  if (ptr + text.length * 3 + RATE > e.u8.length) e.grow(ptr + text.length * 3 + RATE);
  const written = e.buf.write(text, ptr);
  if (written < RATE) e.fn.hashShort(KeccakEngine.STATE, ptr, written, KeccakEngine.SCRATCH);
  else e.hashAt(ptr, written, KeccakEngine.SCRATCH);
  const u8 = e.u8;
  for (let j = 0; j < 32; j++) into[at + j] = u8[KeccakEngine.SCRATCH + j]!;
}

/** Keccak-256 of the UTF-8 of `left + "|" + right` (a device id's preimage), without building that string. */
export function keccak256PairInto(left: string, right: string, into: Uint8Array, at: number): void {
  const e = sharedEngine();
  const ptr = KeccakEngine.SCRATCH + 32;
  const room = (left.length + right.length + 1) * 3 + RATE;
  if (ptr + room > e.u8.length) e.grow(ptr + room);
  let written = e.buf.write(left, ptr);
  e.u8[ptr + written++] = 0x7c; // |
  written += e.buf.write(right, ptr + written);
  if (written < RATE) e.fn.hashShort(KeccakEngine.STATE, ptr, written, KeccakEngine.SCRATCH);
  else e.hashAt(ptr, written, KeccakEngine.SCRATCH);
  const u8 = e.u8;
  for (let j = 0; j < 32; j++) into[at + j] = u8[KeccakEngine.SCRATCH + j]!;
}

/** Keccak-256 of a string's UTF-8 bytes, as `0x` hex. */
export function keccak256Utf8(text: string): string {
  const out = new Uint8Array(32);
  keccak256Utf8Into(text, out, 0);
  return hexAt(out, 0);
}
