/**
 * Row caps checked on a request's text before anything parses it: counting line breaks costs a few milliseconds
 * for the largest body a route takes, parsing it costs far more, so a body over the cap is refused first.
 */
import { HttpProblem } from "../problem.ts";

/**
 * 413 TOO_MANY_ROWS when `text` (a CSV with one header line) has more than `cap` non-empty data lines. Counts
 * lines, not records: a line break inside a quoted field counts too, so the cap may refuse a little early — never
 * late. The exact record count is checked again after parsing ({@link refuseOverCap}).
 */
export function capCsvRows(text: string, cap: number, what: string): void {
  let lines = 0;
  let start = 0;
  // Lines holding only white space or commas (a spreadsheet's empty rows) are not rows of the file.
  for (let i = text.indexOf("\n"); ; i = text.indexOf("\n", start)) {
    const end = i < 0 ? text.length : i;
    if (end > start && !/^[\s,]*$/.test(text.slice(start, Math.min(end, start + 64)))) lines += 1;
    if (lines > cap + 1) refuseOverCap(cap, what);
    if (i < 0) return;
    start = i + 1;
  }
}

/** Throws 413 TOO_MANY_ROWS naming `cap`; for `count` rows (when known) over it. */
export function refuseOverCap(cap: number, what: string, count?: number): never {
  const has = count === undefined ? `more than ${cap.toLocaleString("en")}` : count.toLocaleString("en");
  throw new HttpProblem(
    413,
    "TOO_MANY_ROWS",
    "Payload too large",
    `at most ${cap.toLocaleString("en")} ${what} per request; this one has ${has} (split it into several requests)`,
    { extra: { limit: cap } },
  );
}
