/**
 * On-chain quantities as wire text. The registry stores CO2e figures as integer grams (uint40); people, the API and
 * the documents read them as kilograms with exactly three decimals (`"189.413"`). The calculation's one conversion
 * the other way (`kgToGrams`, core/calc/decimal.ts) is the exact inverse.
 */

/** Integer grams (a bigint or a safe integer) as a 3-dp kilogram string: `189413n` → `"189.413"`, `-347n` → `"-0.347"`. */
export function gramsToKg(grams: bigint | number): string {
  if (typeof grams === "number" && !Number.isSafeInteger(grams)) throw new RangeError(`gramsToKg: ${grams}`);
  const negative = grams < 0;
  const digits = String(negative ? -grams : grams).padStart(4, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -3)}.${digits.slice(-3)}`;
}
