/** The exact shortcuts of exact.ts against plain Decimal arithmetic (the definition). */
import { expect } from "chai";
import fc from "fast-check";

import { Dec, ceil3, kgToGrams } from "../../core/calc/index.ts";
import { ceil3Grams, ceilGramsFast, scaledRatio, terminates, toScaled, toScaledByText } from "../../core/calc/exact.ts";

/**
 * A random Decimal like the calculation's terms: a quotient of small integers times a short decimal, or a short
 * decimal.
 */
const term = fc
  .tuple(
    fc.integer({ min: 0, max: 999_999 }),
    fc.integer({ min: 0, max: 6 }),
    fc.integer({ min: 1, max: 200 }),
    fc.integer({ min: 1, max: 200 }),
    fc.boolean(),
  )
  .map(([units, decimals, num, den, quotient]) => {
    // Terms stay below 10^9 kg (999,999 × 200 / 1), as the grammar bounds guarantee for the calculation's terms.
    const short = new Dec(String(units)).div(new Dec("10").pow(decimals));
    return quotient ? short.times(new Dec(String(num)).div(new Dec(String(den)))) : short;
  });

const decimalCeilGrams = (x: Dec): bigint => kgToGrams(ceil3(x).toFixed(3));

describe("exact shortcuts", () => {
  describe("toScaled", () => {
    it("agrees with the textual conversion", () => {
      fc.assert(
        fc.property(term, fc.boolean(), (x, negative) => {
          const v = negative ? x.neg() : x;
          return toScaled(v) === toScaledByText(v);
        }),
        { numRuns: 2000 },
      );
      for (const text of ["0", "1e-48", "1e-49", "999999999.999", "1000000000", "0.001", "-7.5"]) {
        expect(toScaled(new Dec(text)), text).to.equal(toScaledByText(new Dec(text)));
      }
    });
  });

  describe("ceil3Grams", () => {
    it("equals ceil3 of the Decimal sum whenever it answers (one addition)", () => {
      fc.assert(
        fc.property(term, term, (a, b) => {
          const got = ceil3Grams(toScaled(a)! + toScaled(b)!);
          return got === undefined || got === decimalCeilGrams(a.plus(b));
        }),
        { numRuns: 3000 },
      );
    });

    it("equals ceil3 of the Decimal sum whenever it answers (two additions)", () => {
      fc.assert(
        fc.property(term, term, term, (a, b, c) => {
          const partial = toScaled(a)! + toScaled(b)!;
          const got = ceil3Grams(partial + toScaled(c)!, partial);
          return got === undefined || got === decimalCeilGrams(a.plus(b).plus(c));
        }),
        { numRuns: 3000 },
      );
    });

    it("decides a sum exactly on a boundary only when no addition rounded", () => {
      const onBoundary = 231504n * 10n ** 45n;
      expect(ceil3Grams(onBoundary)).to.equal(231504n);
      // … after a partial sum of 43 significant digits (which a Decimal addition would have rounded): undefined.
      expect(ceil3Grams(onBoundary, 1n + 10n ** 50n)).to.equal(undefined);
    });

    it("decides a sum just above a boundary only when the Decimal holds it exactly", () => {
      // 41.952 + 10^-41 has 43 significant digits: a Decimal addition would have rounded it, only Decimal decides.
      expect(ceil3Grams(41952n * 10n ** 45n + 10n ** 7n)).to.equal(undefined);
      // 41.95200000000000000000000000000000000001 (40 digits) is exact, and rounds up.
      expect(ceil3Grams(41952n * 10n ** 45n + 10n ** 10n)).to.equal(41953n);
    });
  });

  describe("scaledRatio and terminates", () => {
    it("gives the Decimal product of a value and a terminating quotient of small integers", () => {
      fc.assert(
        fc.property(term, fc.integer({ min: 1, max: 96 }), fc.integer({ min: 12, max: 60 }), (x, L1, L2) => {
          if (!terminates(L2, L1 + L2)) return true;
          const viaDecimal = toScaled(x.times(new Dec(String(L2)).div(new Dec(String(L1 + L2)))));
          const viaIntegers = scaledRatio(toScaled(x)!, L2, L1 + L2);
          return viaIntegers === undefined || viaIntegers === viaDecimal;
        }),
        { numRuns: 3000 },
      );
    });

    it("recognises terminating quotients", () => {
      expect([
        terminates(36, 48),
        terminates(12, 36),
        terminates(24, 40),
        terminates(7, 28),
        terminates(12, 35),
      ]).to.deep.equal([true, false, true, true, false]);
    });
  });

  describe("ceilGramsFast", () => {
    it("equals ceil3 of the Decimal sum whenever it answers", () => {
      fc.assert(
        fc.property(term, term, term, (a, b, c) => {
          const grams = (x: Dec): number => Number(x.times(1000).toFixed());
          const magnitude = Math.abs(grams(a)) + Math.abs(grams(b)) + Math.abs(grams(c)) + Math.abs(grams(a));
          const got = ceilGramsFast(grams(a) + grams(b) + grams(c), magnitude);
          return got === undefined || BigInt(got) === decimalCeilGrams(a.plus(b).plus(c));
        }),
        { numRuns: 3000 },
      );
    });

    it("declines when a whole gram is within the error bound", () => {
      expect(ceilGramsFast(41952 + 1e-11, 1e5)).to.equal(undefined);
      expect(ceilGramsFast(41952.4, 1e5)).to.equal(41953);
    });
  });
});
