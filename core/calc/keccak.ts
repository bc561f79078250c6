/**
 * Keccak-256 (the pre-standard SHA-3 padding Ethereum uses), compiled at load time to a small WebAssembly module.
 *
 * Why: a 1,000,000-device lot needs ~4 million Keccak permutations for device ids and the Merkle tree plus ~3 million
 * more to hash the report; `@noble/hashes` (what ethers uses) costs ~6 µs per short hash on the target machines, which
 * alone would exceed the 20 s budget. The permutation below uses 64-bit lanes in WebAssembly and no allocation.
 * The module is *generated* by the code in this file (no opaque blob): the instruction emitter, the round body and
 * the derivation of the round constants and rotation offsets are all here. `test/calc/keccak.test.ts` checks it against ethers' keccak256
 * on random inputs of every length around the block boundaries. See docs/adr/0012.
 *
 * Pure computation: no I/O. The module compiles synchronously (a few KB).
 */

export const RATE = 136; // bytes per block for Keccak-256 (1600 − 2·256 bits)

// ---- round constants and rotation offsets (FIPS 202 §3.2), derived rather than typed in ----

function roundConstants(): bigint[] {
  // FIPS 202 Algorithm 5: the LFSR x^8 + x^6 + x^5 + x^4 + 1; bit j of round i's constant sits at 2^j − 1.
  const constants: bigint[] = [];
  let state = 1;
  for (let round = 0; round < 24; round++) {
    let value = 0n;
    for (let j = 0; j <= 6; j++) {
      if (state & 1) value |= 1n << BigInt((1 << j) - 1);
      state = state & 0x80 ? ((state << 1) ^ 0x71) & 0xff : (state << 1) & 0xff;
    }
    constants.push(value);
  }
  return constants;
}

function rotationOffsets(): number[] {
  const r = new Array<number>(25).fill(0);
  let x = 1;
  let y = 0;
  for (let t = 0; t < 24; t++) {
    r[x + 5 * y] = (((t + 1) * (t + 2)) / 2) % 64;
    [x, y] = [y, (2 * x + 3 * y) % 5];
  }
  return r;
}

// ---- a minimal WebAssembly emitter ----

const I32 = 0x7f;
const I64 = 0x7e;
const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  call: 0x10,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i64Load: 0x29,
  i64Store: 0x37,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Eqz: 0x45,
  i64Ne: 0x52,
  i64GtU: 0x56,
  i32LtU: 0x49,
  i32Load8U: 0x2d,
  i32Store8: 0x3a,
  i32Xor: 0x73,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i64Ctz: 0x7a,
  i64And: 0x83,
  i64Xor: 0x85,
  i64ShrU: 0x88,
  i64Rotl: 0x89,
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asIntN(64, value);
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

class Code {
  readonly bytes: number[] = [];
  op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  get(i: number): this {
    return this.op(OP.localGet, ...uleb(i));
  }
  set(i: number): this {
    return this.op(OP.localSet, ...uleb(i));
  }
  tee(i: number): this {
    return this.op(OP.localTee, ...uleb(i));
  }
  i64(v: bigint): this {
    return this.op(OP.i64Const, ...sleb(v));
  }
  i32(v: number): this {
    return this.op(OP.i32Const, ...sleb(BigInt(v)));
  }
  load(offset: number): this {
    return this.op(OP.i64Load, 3, ...uleb(offset));
  }
  store(offset: number): this {
    return this.op(OP.i64Store, 3, ...uleb(offset));
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const b = [...new TextEncoder().encode(text)];
  return [...uleb(b.length), ...b];
}

function functionBody(locals: [count: number, type: number][], code: Code): number[] {
  const body = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...code.bytes, OP.end];
  return [...uleb(body.length), ...body];
}

// ---- the functions ----
// permute(s)                 Keccak-f[1600] on the 25 lanes at s
// absorb(s, p, blocks)       for each 136-byte block at p: XOR into the state at s, permute
// hash32(s, in, out)         keccak256 of the 32 bytes at in → out (state scratch at s)
// hashPair(s, a, b, out)     keccak256(sorted(a, b)) of two 32-byte nodes (OpenZeppelin's commutative node hash)
// hashShort(s, p, len, out)  keccak256 of len ≤ 135 bytes at p (pads in place: p must have 136 writable bytes)

/** Where the data segment puts the 24 round constants (little-endian i64), between the state and the scratch. */
const RC_AT = 256;

/**
 * Keccak-f[1600]: the 24 rounds as a loop over one round body, round constants loaded from the data segment.
 * (Measured: a fully unrolled body is ~3× slower in V8 — 24 rounds of straight-line code over 56 locals defeat the
 * optimising compiler's register allocation — and unrolling 2–3 rounds gains nothing.)
 */
function permuteBody(): number[] {
  const S = 0;
  const A = (i: number): number => 1 + i; // 25 lanes
  const B = (i: number): number => 26 + i; // 25 temporaries
  const C = (x: number): number => 51 + x; // 5 column parities
  const D = 56;
  const R = 57; // i32: byte offset of this round's constant
  const rot = rotationOffsets();
  const c = new Code();
  for (let i = 0; i < 25; i++)
    c.get(S)
      .load(8 * i)
      .set(A(i));
  c.i32(0).set(R);
  c.op(OP.loop, 0x40);
  // θ
  for (let x = 0; x < 5; x++) {
    c.get(A(x))
      .get(A(x + 5))
      .op(OP.i64Xor)
      .get(A(x + 10))
      .op(OP.i64Xor)
      .get(A(x + 15))
      .op(OP.i64Xor);
    c.get(A(x + 20))
      .op(OP.i64Xor)
      .set(C(x));
  }
  for (let x = 0; x < 5; x++) {
    c.get(C((x + 4) % 5))
      .get(C((x + 1) % 5))
      .i64(1n)
      .op(OP.i64Rotl)
      .op(OP.i64Xor)
      .set(D);
    for (let y = 0; y < 5; y++)
      c.get(A(x + 5 * y))
        .get(D)
        .op(OP.i64Xor)
        .set(A(x + 5 * y));
  }
  // ρ and π: B[y, 2x+3y] = rotl(A[x, y], r[x, y])
  for (let x = 0; x < 5; x++) {
    for (let y = 0; y < 5; y++) {
      c.get(A(x + 5 * y));
      if (rot[x + 5 * y]! !== 0) c.i64(BigInt(rot[x + 5 * y]!)).op(OP.i64Rotl);
      c.set(B(y + 5 * ((2 * x + 3 * y) % 5)));
    }
  }
  // χ
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      c.get(B(x + 5 * y));
      c.get(B(((x + 1) % 5) + 5 * y))
        .i64(-1n)
        .op(OP.i64Xor);
      c.get(B(((x + 2) % 5) + 5 * y))
        .op(OP.i64And)
        .op(OP.i64Xor)
        .set(A(x + 5 * y));
    }
  }
  // ι, then the next round while R < 24·8
  c.get(A(0)).get(R).load(RC_AT).op(OP.i64Xor).set(A(0));
  c.get(R)
    .i32(8)
    .op(OP.i32Add)
    .tee(R)
    .i32(24 * 8)
    .op(OP.i32LtU)
    .op(OP.brIf, 0);
  c.op(OP.end);
  for (let i = 0; i < 25; i++)
    c.get(S)
      .get(A(i))
      .store(8 * i);
  return functionBody(
    [
      [56, I64],
      [1, I32],
    ],
    c,
  );
}

/** The data segment: the round constants at RC_AT. */
function roundConstantBytes(): number[] {
  const out: number[] = [];
  for (const rc of roundConstants()) {
    let v = BigInt.asUintN(64, rc);
    for (let k = 0; k < 8; k++) {
      out.push(Number(v & 0xffn));
      v >>= 8n;
    }
  }
  return out;
}

const FN_PERMUTE = 0;
const PAD_FIRST = 1n; // the 0x01 domain byte
const PAD_LAST = 0x8000000000000000n; // the final 0x80 bit of the block (lane 16, top byte)

function absorbBody(): number[] {
  const [S, P, N] = [0, 1, 2];
  const c = new Code();
  c.op(OP.block, 0x40, OP.loop, 0x40);
  c.get(N).op(OP.i32Eqz).op(OP.brIf, 1);
  for (let j = 0; j < RATE / 8; j++)
    c.get(S)
      .get(S)
      .load(8 * j)
      .get(P)
      .load(8 * j)
      .op(OP.i64Xor)
      .store(8 * j);
  c.get(S).op(OP.call, FN_PERMUTE);
  c.get(P).i32(RATE).op(OP.i32Add).set(P);
  c.get(N).i32(1).op(OP.i32Sub).set(N);
  c.op(OP.br, 0, OP.end, OP.end);
  return functionBody([], c);
}

/** Writes a fresh state holding `lanes` message lanes read by `emitLane(j)`, padded as one 8·lanes-byte message. */
function loadPadded(c: Code, S: number, lanes: number, emitLane: (j: number) => void): void {
  for (let j = 0; j < 25; j++) {
    c.get(S);
    if (j < lanes) emitLane(j);
    else if (j === lanes && j === 16) c.i64(PAD_FIRST | PAD_LAST);
    else if (j === lanes) c.i64(PAD_FIRST);
    else if (j === 16) c.i64(PAD_LAST);
    else c.i64(0n);
    c.store(8 * j);
  }
}

function digest(c: Code, S: number, OUT: number): void {
  c.get(S).op(OP.call, FN_PERMUTE);
  for (let j = 0; j < 4; j++)
    c.get(OUT)
      .get(S)
      .load(8 * j)
      .store(8 * j);
}

function hash32Body(): number[] {
  const [S, IN, OUT] = [0, 1, 2];
  const c = new Code();
  loadPadded(c, S, 4, (j) => c.get(IN).load(8 * j));
  digest(c, S, OUT);
  return functionBody([], c);
}

function hashPairBody(): number[] {
  const [S, A, Bp, OUT] = [0, 1, 2, 3];
  const [LA, LB, SWAP, X, Y] = [4, 5, 6, 7, 8];
  const c = new Code();
  // SWAP = (a > b) comparing the 32 bytes lexicographically. Lanes are little-endian, so within the first differing
  // lane the first differing byte is the lowest set byte of la ^ lb.
  c.op(OP.block, 0x40);
  for (let k = 0; k < 4; k++) {
    c.get(A)
      .load(8 * k)
      .tee(LA)
      .get(Bp)
      .load(8 * k)
      .tee(LB)
      .op(OP.i64Ne)
      .op(OP.if, 0x40);
    const shift = (): void => {
      c.get(LA).get(LB).op(OP.i64Xor).op(OP.i64Ctz).i64(56n).op(OP.i64And);
    };
    c.get(LA);
    shift();
    c.op(OP.i64ShrU).i64(0xffn).op(OP.i64And);
    c.get(LB);
    shift();
    c.op(OP.i64ShrU).i64(0xffn).op(OP.i64And);
    c.op(OP.i64GtU).set(SWAP).op(OP.br, 1, OP.end);
  }
  c.op(OP.end);
  c.get(Bp).get(A).get(SWAP).op(OP.select).set(X);
  c.get(A).get(Bp).get(SWAP).op(OP.select).set(Y);
  loadPadded(c, S, 8, (j) => c.get(j < 4 ? X : Y).load(8 * (j % 4)));
  digest(c, S, OUT);
  return functionBody(
    [
      [2, I64],
      [3, I32],
    ],
    c,
  );
}

function hashShortBody(): number[] {
  const [S, P, LEN, OUT] = [0, 1, 2, 3];
  const c = new Code();
  // Zero [p+len, p+136), then the pad bits: 0x01 at p+len, 0x80 at p+135 (the same byte when len = 135).
  c.get(P).get(LEN).op(OP.i32Add).i32(0).i32(RATE).get(LEN).op(OP.i32Sub).op(0xfc, 11, 0); // memory.fill
  c.get(P).get(LEN).op(OP.i32Add).get(P).get(LEN).op(OP.i32Add).op(OP.i32Load8U, 0, 0).i32(0x01);
  c.op(OP.i32Xor).op(OP.i32Store8, 0, 0);
  c.get(P)
    .get(P)
    .op(OP.i32Load8U, 0, ...uleb(RATE - 1))
    .i32(0x80)
    .op(OP.i32Xor)
    .op(OP.i32Store8, 0, ...uleb(RATE - 1));
  for (let j = 0; j < 25; j++) {
    c.get(S);
    if (j < RATE / 8) c.get(P).load(8 * j);
    else c.i64(0n);
    c.store(8 * j);
  }
  digest(c, S, OUT);
  return functionBody([], c);
}

function buildModule(): Uint8Array {
  const types = [
    [0x60, ...vec([[I32]]), ...vec([])], // 0: (i32) → ()
    [0x60, ...vec([[I32], [I32], [I32]]), ...vec([])], // 1: (i32, i32, i32) → ()
    [0x60, ...vec([[I32], [I32], [I32], [I32]]), ...vec([])], // 2: (i32 ×4) → ()
  ];
  const functions = [0, 1, 1, 2, 2];
  const exports: [string, number, number][] = [
    ["memory", 2, 0],
    ["permute", 0, 0],
    ["absorb", 0, 1],
    ["hash32", 0, 2],
    ["hashPair", 0, 3],
    ["hashShort", 0, 4],
  ];
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(3, vec(functions.map((t) => uleb(t)))),
    ...section(5, vec([[0x00, ...uleb(1)]])),
    ...section(7, vec(exports.map(([n, kind, index]) => [...name(n), kind, ...uleb(index)]))),
    ...section(10, vec([permuteBody(), absorbBody(), hash32Body(), hashPairBody(), hashShortBody()])),
    ...section(
      11,
      vec([[0x00, OP.i32Const, ...sleb(BigInt(RC_AT)), OP.end, ...vec(roundConstantBytes().map((b) => [b]))]]),
    ),
  ];
  return Uint8Array.from(bytes);
}

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
  /** The same memory as a Node Buffer (for `Buffer#write`, which encodes UTF-8 without allocating). */
  buf: Buffer;
  static readonly STATE = 0;
  /** First byte free for callers: [0, 200) is the state, [256, 448) the round constants. */
  static readonly SCRATCH = 512;

  constructor(minBytes = 65536) {
    compiled ??= new wasm.Module(buildModule());
    this.fn = new wasm.Instance(compiled).exports as KeccakExports;
    this.u8 = new Uint8Array(this.fn.memory.buffer);
    this.buf = Buffer.from(this.fn.memory.buffer);
    this.grow(minBytes);
  }

  grow(bytes: number): Uint8Array {
    const have = this.fn.memory.buffer.byteLength;
    if (bytes > have) this.fn.memory.grow(Math.ceil((bytes - have) / 65536));
    if (this.u8.buffer !== this.fn.memory.buffer) {
      this.u8 = new Uint8Array(this.fn.memory.buffer);
      this.buf = Buffer.from(this.fn.memory.buffer);
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

const encoder = new TextEncoder();

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

/**
 * Incremental Keccak-256 over UTF-8 text, for hashing a report of hundreds of MB without holding it: text is encoded
 * straight into the engine's memory and absorbed block by block.
 */
export class Keccak256Stream {
  private readonly e = new KeccakEngine(1 << 20);
  private readonly base = KeccakEngine.SCRATCH;
  private readonly capacity = (1 << 20) - KeccakEngine.SCRATCH - 2 * RATE;
  private fill = 0;
  private done = false;

  update(text: string): this {
    if (this.done) throw new Error("Keccak256Stream: already digested");
    let offset = 0;
    while (offset < text.length) {
      // Encode a slice that surely fits (≤ 3 bytes per code unit), splitting only between code points.
      const room = Math.floor((this.capacity - this.fill) / 3);
      let end = Math.min(text.length, offset + Math.max(room, 1));
      if (end < text.length) {
        const unit = text.charCodeAt(end - 1);
        if (unit >= 0xd800 && unit <= 0xdbff) end--; // keep a surrogate pair together
      }
      const { written } = encoder.encodeInto(text.slice(offset, end), this.e.u8.subarray(this.base + this.fill));
      this.fill += written;
      offset = end;
      if (this.capacity - this.fill < 3 * 1024) this.flushBlocks();
    }
    return this;
  }

  private flushBlocks(): void {
    const blocks = Math.floor(this.fill / RATE);
    if (blocks === 0) return;
    this.e.fn.absorb(KeccakEngine.STATE, this.base, blocks);
    const used = blocks * RATE;
    this.e.u8.copyWithin(this.base, this.base + used, this.base + this.fill);
    this.fill -= used;
  }

  /** The `0x` hex digest; the stream cannot be updated afterwards. */
  digestHex(): string {
    this.flushBlocks();
    this.done = true;
    const u8 = this.e.u8;
    const ptr = this.base;
    u8.fill(0, ptr + this.fill, ptr + RATE);
    u8[ptr + this.fill]! ^= 0x01;
    u8[ptr + RATE - 1]! ^= 0x80;
    this.e.fn.absorb(KeccakEngine.STATE, ptr, 1);
    return hexAt(u8, KeccakEngine.STATE);
  }
}
