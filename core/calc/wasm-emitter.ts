/**
 * A minimal WebAssembly binary emitter: just what the Keccak module (keccak-module.ts) needs — LEB128 integers, the
 * opcodes it uses, a code builder over locals and i64 memory, sections and function bodies. Generic on purpose: it
 * knows nothing of Keccak.
 */

export const I32 = 0x7f;
export const I64 = 0x7e;
export const OP = {
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

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(value: bigint): number[] {
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

export class Code {
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

export function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

export function name(text: string): number[] {
  const b = [...new TextEncoder().encode(text)];
  return [...uleb(b.length), ...b];
}

export function functionBody(locals: [count: number, type: number][], code: Code): number[] {
  const body = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...code.bytes, OP.end];
  return [...uleb(body.length), ...body];
}
