/**
 * Numbers, quantities and dates as the reader's locale writes them, with the unit always shown. Figures arrive
 * from the API as strings of exact decimals or integer grams; they are formatted from those strings, never through
 * a float that could round a gram away.
 */
const locale = (): string | undefined => (typeof navigator === "undefined" ? undefined : navigator.language);

/** An integer count (certificates, devices): "1,234". */
export function count(n: bigint | number | string): string {
  const v = typeof n === "string" ? BigInt(n) : n;
  return new Intl.NumberFormat(locale()).format(v);
}

/**
 * A decimal string with its unit: `quantity("123.456", "kgCO2e")` → "123.456 kgCO2e". The digits stay exact: only
 * the grouping and the decimal separator follow the locale.
 */
export function quantity(decimal: string, unit: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!m) return `${decimal} ${unit}`;
  const [, sign, whole, frac] = m;
  const parts = new Intl.NumberFormat(locale(), { minimumFractionDigits: 1 }).formatToParts(1000.5);
  const group = parts.find((p) => p.type === "group")?.value ?? ",";
  const point = parts.find((p) => p.type === "decimal")?.value ?? ".";
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${sign}${grouped}${frac ? point + frac : ""}\u00a0${unit}`;
}

/** Grams (an integer string) as kgCO2e with three decimals, exact. */
export function gramsAsKg(grams: string | bigint): string {
  const g = BigInt(grams);
  const neg = g < 0n;
  const abs = neg ? -g : g;
  return quantity(`${neg ? "-" : ""}${abs / 1000n}.${(abs % 1000n).toString().padStart(3, "0")}`, "kgCO2e");
}

/** A point in time in the reader's locale, with its time zone: "2 Dec 2026, 14:03 UTC". */
export function dateTime(iso: string | number | Date): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  // Fields, not dateStyle/timeStyle: Intl refuses timeZoneName next to those ("Invalid option").
  return new Intl.DateTimeFormat(locale(), {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(d);
}

/** A calendar day in the reader's locale: "2 Dec 2026". */
export function day(iso: string | number | Date): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeZone: "UTC" }).format(d);
}

/** An address shortened for a table cell, with the full address kept for hover and screen readers. */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}
