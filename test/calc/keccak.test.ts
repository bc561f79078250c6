/** The WebAssembly Keccak-256 against ethers' (noble) implementation. */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import fc from "fast-check";

import { keccak256Hex, keccak256Utf8, Keccak256Stream, deviceId } from "../../core/calc/index.ts";
import { KeccakEngine, keccak256Utf8Into } from "../../core/calc/keccak.ts";

describe("Keccak-256 (WebAssembly)", () => {
  describe("keccak256Hex", () => {
    it("matches ethers for every length from 0 to 600 bytes (across block boundaries)", () => {
      for (let len = 0; len <= 600; len++) {
        const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 31 + len) & 0xff);
        expect(keccak256Hex(bytes), `length ${len}`).to.equal(keccak256(bytes));
      }
    });

    it("matches ethers on random inputs", () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 1000 }), (bytes) => keccak256Hex(bytes) === keccak256(bytes)),
        { numRuns: 300 },
      );
    });

    it("gives the well-known hash of the empty input", () => {
      expect(keccak256Hex(new Uint8Array())).to.equal(
        "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
      );
    });
  });

  describe("keccak256Utf8", () => {
    it("hashes the UTF-8 bytes of any string, one block or several", () => {
      fc.assert(
        fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => {
          return keccak256Utf8(text) === keccak256(toUtf8Bytes(text));
        }),
        { numRuns: 300 },
      );
      for (const text of ["", "dell|ABC", "x".repeat(135), "x".repeat(136), "é".repeat(70), "😀".repeat(40)]) {
        expect(keccak256Utf8(text)).to.equal(keccak256(toUtf8Bytes(text)));
      }
    });

    it("writes the raw digest where asked", () => {
      const into = new Uint8Array(40);
      keccak256Utf8Into("hp|XYZ", into, 8);
      expect(`0x${Buffer.from(into.subarray(8, 40)).toString("hex")}`).to.equal(keccak256(toUtf8Bytes("hp|XYZ")));
    });
  });

  describe("Keccak256Stream", () => {
    it("equals the one-shot hash whatever the chunking", () => {
      fc.assert(
        fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 3000 }), { maxLength: 20 }), (pieces) => {
          const stream = new Keccak256Stream();
          for (const p of pieces) stream.update(p);
          return stream.digestHex() === keccak256(toUtf8Bytes(pieces.join("")));
        }),
        { numRuns: 60 },
      );
    });

    it("refuses updates after the digest", () => {
      const s = new Keccak256Stream();
      s.digestHex();
      expect(() => s.update("x")).to.throw(/already digested/);
    });
  });

  describe("KeccakEngine", () => {
    it("hashes pairs in ascending byte order (OpenZeppelin's commutative node hash)", () => {
      const e = new KeccakEngine();
      const a = Uint8Array.from({ length: 32 }, (_, i) => i);
      const b = Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? 0 : i)); // differs only in the last byte
      const base = KeccakEngine.SCRATCH;
      e.u8.set(a, base);
      e.u8.set(b, base + 32);
      e.fn.hashPair(KeccakEngine.STATE, base, base + 32, base + 64);
      const ab = Buffer.from(e.u8.subarray(base + 64, base + 96)).toString("hex");
      e.fn.hashPair(KeccakEngine.STATE, base + 32, base, base + 64);
      const ba = Buffer.from(e.u8.subarray(base + 64, base + 96)).toString("hex");
      expect(ab).to.equal(ba);
      expect(`0x${ab}`).to.equal(keccak256(Buffer.concat([b, a])));
    });

    it("hashes a 64-byte leaf message twice (StandardMerkleTree's leaf of two words), in place or not", () => {
      const e = new KeccakEngine();
      const base = KeccakEngine.SCRATCH;
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (message) => {
          const expected = keccak256(keccak256(message));
          e.u8.set(message, base);
          e.fn.hashLeaf(KeccakEngine.STATE, base, base + 64);
          const apart = `0x${Buffer.from(e.u8.subarray(base + 64, base + 96)).toString("hex")}`;
          e.fn.hashLeaf(KeccakEngine.STATE, base, base);
          const inPlace = `0x${Buffer.from(e.u8.subarray(base, base + 32)).toString("hex")}`;
          return apart === expected && inPlace === expected;
        }),
        { numRuns: 200 },
      );
    });
  });

  describe("deviceId", () => {
    it("is keccak256(lower(normalised manufacturer) | upper(serial without spaces))", () => {
      expect(deviceId("  Dell  Inc ", " ab 12\tc ")).to.equal(keccak256(toUtf8Bytes("dell inc|AB12C")));
    });
  });
});
