/** Calendar arithmetic of docs/methodology.md §5.1 on plain integers (no Date, no time zone, no clock). */

/** A calendar day. */
export interface Ymd {
  readonly y: number;
  readonly m: number;
  readonly d: number;
}

const FULL = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;
const YEAR = /^(\d{4})$/;

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** A `YYYY-MM-DD` calendar date, or `undefined` when the text is not a real date (years 1000–9999). */
export function parseDay(text: string): Ymd | undefined {
  const m = FULL.exec(text);
  if (m === null) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return { y, m: mo, d };
}

/**
 * The manufacture reference date: the **last day** of the given period — `YYYY` → 31 December, `YYYY-MM` → the
 * month's last day, `YYYY-MM-DD` → that day. `undefined` when the text is none of these forms.
 */
export function parseManufactureDate(text: string): Ymd | undefined {
  const full = parseDay(text);
  if (full !== undefined) return full;
  const month = MONTH.exec(text);
  if (month !== null) {
    const y = Number(month[1]);
    const mo = Number(month[2]);
    if (y < 1000 || mo < 1 || mo > 12) return undefined;
    return { y, m: mo, d: daysInMonth(y, mo) };
  }
  const year = YEAR.exec(text);
  if (year !== null) {
    const y = Number(year[1]);
    if (y < 1000) return undefined;
    return { y, m: 12, d: 31 };
  }
  return undefined;
}

/** Whole months from `a` to `b`: `(y2−y1)·12 + (m2−m1)`, minus 1 if `d2 < d1`. */
export function wholeMonths(a: Ymd, b: Ymd): number {
  return (b.y - a.y) * 12 + (b.m - a.m) - (b.d < a.d ? 1 : 0);
}

/** Compares two days: negative, zero or positive. */
export function compareDays(a: Ymd, b: Ymd): number {
  return a.y !== b.y ? a.y - b.y : a.m !== b.m ? a.m - b.m : a.d - b.d;
}

/** `YYYY-MM-DD`. */
export function formatDay(x: Ymd): string {
  return `${String(x.y).padStart(4, "0")}-${String(x.m).padStart(2, "0")}-${String(x.d).padStart(2, "0")}`;
}
