/** Keccak-256 of text given piece by piece (docs/adr/0012). */
import { hexAt, KeccakEngine } from "./keccak.ts";
import { RATE } from "./keccak-module.ts";

const encoder = new TextEncoder();

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
