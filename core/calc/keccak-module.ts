/**
 * The Keccak-256 WebAssembly module, *generated* here at load time (no opaque blob; docs/adr/0012): Keccak-f[1600] as
 * a loop over one round body, `absorb`, and the one-call hashes the calculation needs (`hash32`, `hashPair`,
 * `hashShort`, `hashLeaf`). The round constants and rotation offsets are derived from FIPS 202 rather than typed in. Emitted with
 * wasm-emitter.ts; instantiated by keccak.ts.
 */
import { Code, functionBody, I32, I64, name, OP, section, sleb, uleb, vec } from "./wasm-emitter.ts";

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

// ---- the functions ----
// permute(s)                 Keccak-f[1600] on the 25 lanes at s
// absorb(s, p, blocks)       for each 136-byte block at p: XOR into the state at s, permute
// hash32(s, in, out)         keccak256 of the 32 bytes at in → out (state scratch at s)
// hashPair(s, a, b, out)     keccak256(sorted(a, b)) of two 32-byte nodes (OpenZeppelin's commutative node hash)
// hashShort(s, p, len, out)  keccak256 of len ≤ 135 bytes at p (pads in place: p must have 136 writable bytes)
// hashLeaf(s, in, out)       keccak256(keccak256(the 64 bytes at in)): a StandardMerkleTree leaf of two 32-byte words

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

function hashLeafBody(): number[] {
  const [S, IN, OUT] = [0, 1, 2];
  const c = new Code();
  loadPadded(c, S, 8, (j) => c.get(IN).load(8 * j));
  c.get(S).op(OP.call, FN_PERMUTE);
  // The inner digest is lanes 0–3 of the state, already where the outer hash's 32-byte message goes: pad the rest.
  for (let j = 4; j < 25; j++) {
    c.get(S);
    c.i64(j === 4 ? PAD_FIRST : j === 16 ? PAD_LAST : 0n);
    c.store(8 * j);
  }
  digest(c, S, OUT);
  return functionBody([], c);
}

/** The module's bytes (a few KB), ready for `new WebAssembly.Module`. */
export function buildModule(): Uint8Array {
  const types = [
    [0x60, ...vec([[I32]]), ...vec([])], // 0: (i32) → ()
    [0x60, ...vec([[I32], [I32], [I32]]), ...vec([])], // 1: (i32, i32, i32) → ()
    [0x60, ...vec([[I32], [I32], [I32], [I32]]), ...vec([])], // 2: (i32 ×4) → ()
  ];
  const functions = [0, 1, 1, 2, 2, 1];
  const exports: [string, number, number][] = [
    ["memory", 2, 0],
    ["permute", 0, 0],
    ["absorb", 0, 1],
    ["hash32", 0, 2],
    ["hashPair", 0, 3],
    ["hashShort", 0, 4],
    ["hashLeaf", 0, 5],
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
    ...section(10, vec([permuteBody(), absorbBody(), hash32Body(), hashPairBody(), hashShortBody(), hashLeafBody()])),
    ...section(
      11,
      vec([[0x00, OP.i32Const, ...sleb(BigInt(RC_AT)), OP.end, ...vec(roundConstantBytes().map((b) => [b]))]]),
    ),
  ];
  return Uint8Array.from(bytes);
}
