/**
 * Exact shortcuts for the per-device additions of §5 — each provably equal to the Decimal evaluation, which remains
 * the definition and the last resort. See docs/adr/0011.
 *
 * The outputs `R`, `R_up`, `U` (and the cut-off `U`) are `ceil3` of one or two Decimal additions of memoised terms
 * (`M·α + P`, `(M·(1+d)·α + P) + UP`, `d·M·|f−α| + UP`, `d·M·f + UP`). Each Decimal addition rounds its exact sum to
 * 40 significant digits; all terms are below 10^9 kg, so every sum is below 10^10 kg and each rounding moves it by at
 * most half a unit in the 40th digit, ≤ 0.5·10^-30 kg; two roundings by at most 10^-30 kg.
 *
 * Level 1, doubles (`ceilGramsFast`): the terms as double numbers of grams with a proven error bound. When no whole
 * gram lies within the bound of the double sum, the exact sum and the Decimal result (within 10^-27 g of each other)
 * round up to the same gram.
 *
 * Level 2, exact fixed point (`ceil3Grams`): the Decimal terms held exactly as integers at scale 10^-48 kg and added
 * exactly. Decided when the sum is more than 10^-29 kg from every 3-dp boundary (the Decimal roundings cannot cross
 * one), or when no addition on the way rounded (every sum has at most 40 significant digits: the Decimal result *is*
 * the exact sum, however close to a boundary).
 *
 * Otherwise — a rounded addition landing within 10^-29 kg of a boundary, a term with more than 48 decimals, a term of
 * 10^9 kg or more — the caller evaluates with Decimal. `test/calc/exact.test.ts` and `differential.test.ts`
 * compare all three levels with the plain Decimal evaluation.
 */
import type { Dec } from "./decimal.ts";

export const SCALE = 48;
/** 0.001 kg = 1 g at scale 10^-48. */
const GRAM = 10n ** 45n;
/** 10^-29 kg at scale 10^-48: the guard band around each 3-dp boundary. */
const GUARD = 10n ** 19n;
const LIMIT = 10n ** 57n; // 10^9 kg at scale 10^-48
const POW10 = Array.from({ length: 128 }, (_, k) => 10n ** BigInt(k));

/**
 * `x × 10^48` as an exact bigint, or `undefined` when x has more than 48 decimals or |x| ≥ 10^9.
 * Read from the Decimal's typed fields (`d`: base-10^7 limbs, `e`: decimal exponent of the first digit, `s`: sign);
 * `exact.test.ts` checks it against {@link toScaledByText}.
 */
export function toScaled(x: Dec): bigint | undefined {
  const limbs = x.d;
  if (limbs.length === 0 || (limbs.length === 1 && limbs[0] === 0)) return 0n;
  let digits = String(limbs[0]);
  for (let k = 1; k < limbs.length; k++) digits += String(limbs[k]).padStart(7, "0");
  // value = digits × 10^(e − (len − 1)), so scaled = digits × 10^(48 + e − (len − 1))
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

/** The slow, obviously correct conversion that {@link toScaled} is tested against. */
export function toScaledByText(x: Dec): bigint | undefined {
  if (x.decimalPlaces() > SCALE) return undefined;
  const digits = x.toFixed(SCALE);
  const point = digits.indexOf(".");
  const scaled = BigInt(point < 0 ? digits : digits.slice(0, point) + digits.slice(point + 1));
  return scaled >= LIMIT || scaled <= -LIMIT ? undefined : scaled;
}

/**
 * True when a scaled value has at most 40 significant digits (trailing zeros are not significant): a Decimal holds
 * it exactly, so the Decimal addition whose exact result it is did not round.
 */
export function exactDecimal(scaled: bigint): boolean {
  const digits = (scaled < 0n ? -scaled : scaled).toString();
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  return end <= 40;
}

/**
 * Level 2: `ceil3` of an exact scaled sum, in integer grams — or `undefined` when only the Decimal evaluation can
 * decide. `partial`: the earlier partial sum, if the figure has two additions (it must not have rounded either).
 * A sum exactly on a boundary (below 10^10 kg) has at most 13 significant digits, so its own addition was exact.
 */
export function ceil3Grams(sum: bigint, partial?: bigint): bigint | undefined {
  let q = sum / GRAM;
  let r = sum - q * GRAM;
  if (r < 0n) {
    q -= 1n;
    r += GRAM;
  }
  if (r > GUARD && r < GRAM - GUARD) return q + 1n;
  if (partial !== undefined && !exactDecimal(partial)) return undefined;
  if (r === 0n) return q;
  return exactDecimal(sum) ? q + 1n : undefined;
}

/**
 * `value × num / den` at scale 10^-48 when that is exact (the division leaves no remainder), else `undefined`.
 * For a terminating quotient of small integers the method's Decimal holds it exactly, and so the product: then the
 * exact rational *is* the Decimal value (both have far fewer than 40 significant digits).
 */
export function scaledRatio(valueS: bigint, num: number, den: number): bigint | undefined {
  const p = valueS * BigInt(num);
  const d = BigInt(den);
  const q = p / d;
  if (q * d !== p || !exactDecimal(q)) return undefined;
  return q;
}

/** True when num/den (positive integers) is a terminating decimal: the reduced denominator has only 2s and 5s. */
export function terminates(num: number, den: number): boolean {
  let a = num;
  let b = den;
  while (b !== 0) [a, b] = [b, a % b];
  let d = den / a;
  while (d % 2 === 0) d /= 2;
  while (d % 5 === 0) d /= 5;
  return d === 1;
}

/**
 * Relative error budget of level 1: each double term comes from exact decimal text and small integers with at most
 * four roundings (≤ 4·2^-53 of its size, or of `d·M` for `d·M·|f−α|`, whose factor |f−α| ≤ 1 carries an absolute
 * error ≤ 3·2^-53), and the sum adds at most two more (≤ 2·2^-53 of the running magnitude). 8·2^-53 of
 * (|terms| + `M·(1+d)`) covers all of it; 10^-12 g more covers the Decimal roundings (≤ 10^-27 g).
 */
const REL = 8 * 2 ** -53;

/**
 * Level 1: `ceil` of a sum of gram terms approximated in doubles, or `undefined` when a whole gram lies within the
 * error bound (`magnitude` = Σ|terms| + the reference `M·(1+d)` in grams).
 */
export function ceilGramsFast(sum: number, magnitude: number): number | undefined {
  const bound = REL * magnitude + 1e-12;
  const whole = Math.floor(sum);
  const frac = sum - whole; // exact (Sterbenz) for |sum| < 2^52
  if (frac <= bound || frac >= 1 - bound) return undefined;
  return whole + 1;
}
