/**
 * Numbers, quantities and dates as the reader's locale writes them, with the unit always shown. Figures arrive
 * from the API as strings of exact decimals or integer grams; they are formatted from those strings, never through
 * a float that could round a gram away.
 */
const locale = (): string | undefined => (typeof navigator === "undefined" ? undefined : navigator.language);

/**
 * The reader's number formatting, built once per locale: Intl objects are costly to create, and a portfolio
 * formats thousands of figures.
 */
let cached: { locale: string | undefined; integer: Intl.NumberFormat; group: string; point: string } | undefined;
function numbers(): NonNullable<typeof cached> {
  const current = locale();
  if (!cached || cached.locale !== current) {
    const parts = new Intl.NumberFormat(current, { minimumFractionDigits: 1 }).formatToParts(1000.5);
    cached = {
      locale: current,
      integer: new Intl.NumberFormat(current),
      group: parts.find((p) => p.type === "group")?.value ?? ",",
      point: parts.find((p) => p.type === "decimal")?.value ?? ".",
    };
  }
  return cached;
}

/** An integer count (certificates, devices): "1,234". */
export function count(n: bigint | number | string): string {
  const v = typeof n === "string" ? BigInt(n) : n;
  return numbers().integer.format(v);
}

/**
 * A decimal string in the reader's grouping and decimal separator, its digits exact: "1234.5" → "1,234.5". A
 * string that is not a plain decimal comes back as it is.
 */
export function decimal(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return text;
  const { group, point } = numbers();
  return `${m[1]}${m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, group)}${m[3] ? point + m[3] : ""}`;
}

/**
 * A decimal string with its unit: `quantity("123.456", "kgCO2e")` → "123.456 kgCO2e". The digits stay exact: only
 * the grouping and the decimal separator follow the locale.
 */
export function quantity(text: string, unit: string): string {
  const trimmed = text.trim();
  return /^-?\d+(?:\.\d+)?$/.test(trimmed) ? `${decimal(trimmed)}\u00a0${unit}` : `${text} ${unit}`;
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
