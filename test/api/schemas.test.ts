/**
 * Shared wire schemas: whatever they accept, the code behind them can use as it is — integers fit the ABI type they
 * are encoded as, dates exist and convert to exact Unix seconds, ids are exact JavaScript numbers, addresses and
 * hex have the right length. Whatever they refuse carries a message.
 */
import { expect } from "chai";
import { AbiCoder } from "ethers";
import fc from "fast-check";
import type { z } from "zod";

import {
  address,
  dayEndSeconds,
  dayStartSeconds,
  hash32,
  hexData,
  isoDate,
  MAX_HEX_BYTES,
  parseIsoDay,
  positiveId,
  positiveIdString,
  uint32String,
  uintString,
  uintStringOf,
  wellFormedText,
} from "../../api/src/schemas.ts";

const accepts = (schema: z.ZodType, v: unknown) => schema.safeParse(v).success;
const message = (schema: z.ZodType, v: unknown) => schema.safeParse(v).error?.issues.map((i) => i.message) ?? [];

describe("API wire schemas", function () {
  describe("isoDate and day → seconds", function () {
    it("accepts only calendar dates that exist, from 1970-01-01 to 9999-12-31, and says so", function () {
      for (const d of ["1970-01-01", "2024-02-29", "2000-02-29", "2026-12-31", "9999-12-31"]) {
        expect(accepts(isoDate, d), d).to.equal(true);
      }
      for (const d of [
        "2026-02-31",
        "2026-02-29",
        "1900-02-29",
        "2026-04-31",
        "2026-13-01",
        "2026-00-10",
        "2026-01-00",
        "2026-01-32",
        "1969-12-31",
        "0000-01-01",
        "+10000-01-01",
        "2026-1-1",
        "2026-01-01T00:00:00Z",
        "２０２６-01-01",
        "",
      ]) {
        expect(accepts(isoDate, d), d).to.equal(false);
        expect(message(isoDate, d), d).to.have.length(1);
      }
      expect(message(isoDate, "2026-02-31")[0]).to.match(/calendar date that exists/);
    });

    it("converts every accepted day to the Unix seconds Date.UTC gives, fitting a uint40", function () {
      const day = fc
        .date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
      fc.assert(
        fc.property(day, (d) => {
          expect(accepts(isoDate, d)).to.equal(true);
          const start = dayStartSeconds(d);
          expect(start).to.equal(BigInt(Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10)) / 1000));
          expect(dayEndSeconds(d)).to.equal(start + 86_399n);
          AbiCoder.defaultAbiCoder().encode(["uint40", "uint40"], [start, dayEndSeconds(d)]); // never throws
        }),
        { numRuns: 2000 },
      );
      expect(dayStartSeconds("1970-01-01")).to.equal(0n);
      expect(dayEndSeconds("9999-12-31")).to.equal(253_402_300_799n);
    });

    it("never rolls an impossible day over into the next month: it throws instead", function () {
      expect(parseIsoDay("2026-02-31")).to.equal(undefined);
      expect(() => dayStartSeconds("2026-02-31")).to.throw(RangeError);
      expect(() => dayStartSeconds("nope")).to.throw(RangeError);
    });
  });

  describe("unsigned integers as decimal strings", function () {
    for (const [schema, bits] of [
      [uintString, 256],
      [uintStringOf(64, { id: "Uint64String", example: "1" }), 64],
      [uint32String, 32],
    ] as const) {
      it(`uint${bits}: 0 to 2^${bits}−1, which always ABI-encodes as uint${bits}`, function () {
        const max = (1n << BigInt(bits)) - 1n;
        for (const ok of ["0", "1", max.toString(), (max - 1n).toString()]) {
          expect(accepts(schema, ok), ok).to.equal(true);
          AbiCoder.defaultAbiCoder().encode([`uint${bits}`], [schema.parse(ok)]);
        }
        for (const bad of [(max + 1n).toString(), "9".repeat(max.toString().length), "9".repeat(1000)]) {
          expect(accepts(schema, bad), bad).to.equal(false);
          expect(message(schema, bad), bad).to.have.length(1);
        }
        for (const bad of ["-1", "01", "1.5", "1e3", " 1", "+1", "0x10", "", "١٢", 1]) {
          expect(accepts(schema, bad), String(bad)).to.equal(false);
        }
        fc.assert(
          fc.property(fc.bigInt({ min: 0n, max: max * 4n }), (n) => {
            expect(accepts(schema, n.toString())).to.equal(n <= max);
          }),
          { numRuns: 300 },
        );
      });
    }

    it("refuses a huge digit string fast (no BigInt of it)", function () {
      const started = Date.now();
      expect(accepts(uintString, "9".repeat(5_000_000))).to.equal(false);
      expect(Date.now() - started).to.be.below(1000);
    });
  });

  describe("ids, addresses, hex, text", function () {
    it("ids are 1 to Number.MAX_SAFE_INTEGER (exact as a number and in the event index)", function () {
      expect(positiveId.parse("1")).to.equal(1n);
      expect(positiveId.parse(String(Number.MAX_SAFE_INTEGER))).to.equal(BigInt(Number.MAX_SAFE_INTEGER));
      expect(positiveIdString.parse("42")).to.equal("42");
      for (const bad of ["0", "01", "-1", "1.0", "9007199254740992", "9223372036854775808", "9".repeat(19), ""]) {
        expect(accepts(positiveId, bad), bad).to.equal(false);
        expect(accepts(positiveIdString, bad), bad).to.equal(false);
        expect(message(positiveId, bad), bad).to.have.length(1);
      }
    });

    it("addresses are 0x + 40 hex digits with a valid checksum when mixed-case, checksummed on output", function () {
      const a = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
      expect(address.parse(a.toLowerCase())).to.equal(a);
      expect(address.parse(`0x${a.slice(2).toUpperCase()}`)).to.equal(a);
      for (const bad of [
        "0x9965507D1a55bcC2695C58ba16FB37d819B0A4DC", // wrong checksum
        a.slice(2), // no 0x (ethers would take it)
        "XE7338O073KYGTWWZN0F2WZ0R8PX5ZPPZS", // ICAP (ethers would take it)
        `${a}00`,
        a.slice(0, -1),
        "0x",
        "",
      ]) {
        expect(accepts(address, bad), bad).to.equal(false);
        expect(message(address, bad), bad).to.have.length(1);
      }
    });

    it("hash32 is exactly 32 bytes; hexData is whole bytes up to 128 KiB", function () {
      expect(accepts(hash32, `0x${"ab".repeat(32)}`)).to.equal(true);
      for (const bad of [`0x${"ab".repeat(31)}`, `0x${"ab".repeat(33)}`, `0x${"a".repeat(63)}`, "0x"]) {
        expect(accepts(hash32, bad), bad).to.equal(false);
      }
      expect(accepts(hexData, "0x")).to.equal(true);
      expect(accepts(hexData, `0x${"ab".repeat(65)}`)).to.equal(true);
      expect(accepts(hexData, `0x${"ab".repeat(MAX_HEX_BYTES)}`)).to.equal(true);
      for (const bad of ["0x0", "0xzz", "ab", `0x${"ab".repeat(MAX_HEX_BYTES + 1)}`]) {
        expect(accepts(hexData, bad), bad.slice(0, 20)).to.equal(false);
      }
    });

    it("wellFormedText refuses lone surrogates (no UTF-8 encoding) and keeps pairs", function () {
      const t = wellFormedText(1, 10);
      expect(accepts(t, "𝔘ñí")).to.equal(true);
      for (const bad of ["\ud800", "a\udc00", "\udc00\ud800", "", "a".repeat(11)]) {
        expect(accepts(t, bad), JSON.stringify(bad)).to.equal(false);
      }
    });
  });
});
