/**
 * Exact fixed-point shortcut for the per-device additions of §5 — provably equal to the Decimal evaluation.
 *
 * The outputs `R`, `R_up`, `U` (and the cut-off `U`) are `ceil3` of one or two Decimal additions of memoised terms.
 * Each Decimal addition rounds its exact sum to 40 significant digits. Here the terms are held as exact integers at
 * scale 10^-48 and added exactly; the result is `ceil3` of the exact sum. That equals `ceil3` of the Decimal result
 * whenever the exact sum is farther than the accumulated rounding error from every 3-dp boundary:
 *
 * - all terms are < 10^9 in magnitude, so every sum is < 10^10 and each Decimal rounding moves it by at most half a
 *   unit in the 40th digit, ≤ 0.5·10^-30; two roundings move it by at most 10^-30;
 * - if the exact sum `s` lies in (b + 10^-29, b + 0.001 − 10^-29) for a 3-dp boundary `b`, the Decimal result lies
 *   strictly inside (b, b + 0.001) too, and both round up to b + 0.001.
 *
 * - if `s` lies exactly on a boundary and no Decimal addition on the way rounded (every partial sum has at most 40
 *   significant digits), the Decimal result is `s` itself, and `ceil3(s) = s`. A sum on a 3-dp boundary below 10^10
 *   has at most 13 significant digits; a partial sum is checked by `fitsDecimal`.
 *
 * Otherwise (`s` within 10^-29 of a boundary but not on it, on it after a rounded partial sum, a term not
 * representable at scale 10^-48, or too large) the caller falls back to the Decimal evaluation. `test/oracle/methodology/exact.test.ts` checks the shortcut
 * against Decimal on every figure of a 100,000-device synthetic lot and on random terms. See docs/adr/0011.
 */
import type { Dec } from "./decimal.ts";

export const SCALE = 48;
/** 0.001 kg = 1 g at scale 10^-48. */
const GRAM = 10n ** 45n;
/** 10^-29 at scale 10^-48: the guard band around each 3-dp boundary. */
const GUARD = 10n ** 19n;
const LIMIT = 10n ** 57n; // 10^9 at scale 10^-48

const POW10 = Array.from({ length: 128 }, (_, k) => 10n ** BigInt(k));

/**
 * `x × 10^48` as an exact bigint, or `undefined` when x has more than 48 decimals or |x| ≥ 10^9.
 * Read from the Decimal's typed fields (`d`: base-10^7 limbs, `e`: decimal exponent of the first digit, `s`: sign),
 * which is several times faster than `toFixed(48)`; `exact.test.ts` checks both agree.
 */
export function toScaled(x: Dec): bigint | undefined {
  const limbs = x.d;
  if (limbs.length === 0 || (limbs.length === 1 && limbs[0] === 0)) return 0n;
  let digits = String(limbs[0]);
  for (let k = 1; k < limbs.length; k++) digits += String(limbs[k]).padStart(7, "0");
  // value = digits × 10^(e − (len − 1)); scaled = digits × 10^(48 + e − (len − 1))
  const shift = SCALE + x.e - (digits.length - 1);
  let scaled: bigint;
  if (shift >= 0) {
    if (shift >= POW10.length) return undefined;
    scaled = BigInt(digits) * POW10[shift]!;
  } else {
    const cut = -shift;
    if (cut >= digits.length || !/^0+$/.test(digits.slice(digits.length - cut))) return undefined;
    scaled = BigInt(digits.slice(0, digits.length - cut));
  }
  if (x.s < 0) scaled = -scaled;
  return scaled >= LIMIT || scaled <= -LIMIT ? undefined : scaled;
}

/** The slow, obviously-correct conversion {@link toScaled} is tested against. */
export function toScaledByText(x: Dec): bigint | undefined {
  if (x.decimalPlaces() > SCALE) return undefined;
  const digits = x.toFixed(SCALE);
  const point = digits.indexOf(".");
  const scaled = BigInt(point < 0 ? digits : digits.slice(0, point) + digits.slice(point + 1));
  return scaled >= LIMIT || scaled <= -LIMIT ? undefined : scaled;
}

const E18 = 10n ** 18n;

/**
 * True when a scaled partial sum (|x| < 10^10) is exactly a Decimal of at most 40 significant digits, i.e. the
 * Decimal addition that produced it did not round: sufficient test, divisible by 10^18 (then |x·10^48| / 10^18 <
 * 10^40). A false negative only costs a fallback.
 */
export function fitsDecimal(partial: bigint): boolean {
  return partial % E18 === 0n;
}

/**
 * `ceil3` of an exact scaled sum, in integer grams — or `undefined` when only the Decimal evaluation can decide:
 * the sum is within the guard band of a 3-dp boundary, or exactly on one while `exactOnBoundary` is false (a partial
 * sum was rounded).
 */
export function ceil3Grams(sum: bigint, exactOnBoundary: boolean): bigint | undefined {
  let q = sum / GRAM;
  let r = sum - q * GRAM;
  if (r < 0n) {
    q -= 1n;
    r += GRAM;
  }
  if (r === 0n) return exactOnBoundary ? q : undefined;
  if (r <= GUARD || r >= GRAM - GUARD) return undefined;
  return q + 1n;
}
