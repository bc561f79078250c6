/**
 * The method's only arithmetic: one Decimal constructor (40 significant digits, half-even), the two named roundings,
 * and the single conversion from kilograms to the integer grams used on-chain.
 */
import { Decimal } from "decimal.js";

/** The method's Decimal: precision 40, ROUND_HALF_EVEN. Never `Decimal.set` globally. */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
export type Dec = InstanceType<typeof Dec>;

/** `floor3`: 3 decimal places toward −∞. */
export function floor3(x: Dec): Dec {
  return x.toDecimalPlaces(3, Decimal.ROUND_FLOOR);
}

/** `ceil3`: 3 decimal places toward +∞. */
export function ceil3(x: Dec): Dec {
  return x.toDecimalPlaces(3, Decimal.ROUND_CEIL);
}

/** `floor1`: 1 decimal place toward −∞. */
export function floor1(x: Dec): Dec {
  return x.toDecimalPlaces(1, Decimal.ROUND_FLOOR);
}

/** A Decimal from a decimal string or an integer (never a fractional JS number). */
export function dec(value: string | bigint): Dec {
  return new Dec(typeof value === "bigint" ? value.toString() : value);
}

/** A Decimal from a safe integer (months, counts); rejects anything else so no float reaches the calculation. */
export function decInt(value: number): Dec {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
  return new Dec(String(value));
}

/** Plain decimal notation (no exponent) of a Decimal, all its digits. */
export function plain(x: Dec): string {
  return x.toFixed();
}

const KG3 = /^(-?)(\d+)\.(\d{3})$/;

/**
 * THE conversion to on-chain units: a kilogram figure with exactly 3 decimals (`"189.413"`, `"-0.347"`) to integer
 * grams (`189413n`, `-347n`). Exact by construction (it moves the decimal point; no arithmetic on fractions), and it
 * refuses anything that is not already a 3-dp figure, so no rounding can hide in it.
 */
export function kgToGrams(kg: string): bigint {
  const m = KG3.exec(kg);
  if (m === null) throw new RangeError(`kgToGrams: expected a 3-decimal kilogram figure, got "${kg}"`);
  const grams = BigInt(m[2]! + m[3]!);
  return m[1] === "-" ? -grams : grams;
}

/** A Decimal already at 3 dp (the output of floor3/ceil3) to integer grams, through {@link kgToGrams}. */
export function decToGrams(x: Dec): bigint {
  return kgToGrams(x.toFixed(3));
}
