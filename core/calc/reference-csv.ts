/**
 * The reference CSV's text → rows keyed by column name, with the lot reader's RFC 4180 splitter
 * (lot/csv-records.ts). One parser for the oracle (reference-file.ts) and the browser (browser.ts), so both build
 * the same table from the same bytes; test/calc/browser.test.ts checks it gives csv-parse's rows for the shipped file.
 * Stricter than the lot reader where a reference file must be whole: a malformed record or one with the wrong
 * number of fields makes the file unusable (BAD_REFERENCE), as it did with csv-parse.
 */
import { CalcInputError } from "./errors.ts";
import { CsvRecordSplitter, CsvSyntaxError } from "./lot/csv-records.ts";
import type { ReferenceRow } from "./reference.ts";

/**
 * Provenance recorded in reports (see data/reference/SOURCE.txt). Here, not in reference-file.ts, because the report
 * hash covers it and the browser's calculation must record the same text.
 */
export const REFERENCE_SOURCE =
  "Boavizta environmental-footprint-data boavizta-data-us.csv, commit 61323eb5c3bb63b0703e7a9c6456482ccbaac3a6";
export const REFERENCE_LICENSE = "ODbL-1.0 (contents DbCL-1.0); produced using Boavizta environmental-footprint-data";

/**
 * Parses the reference CSV (header row, `,` delimiter, optional BOM, empty lines skipped).
 * @param label names the file in errors
 * @throws CalcInputError `BAD_REFERENCE`
 */
export function parseReferenceCsv(text: string, label = "the reference table"): ReferenceRow[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let header: string[] | undefined;
  const rows: ReferenceRow[] = [];
  const splitter = new CsvRecordSplitter((fields, line, problem) => {
    if (problem !== undefined) {
      throw bad(label, `line ${line}, field ${problem.field}: ${problem.found}; expected ${problem.expected}`);
    }
    if (header === undefined) {
      header = fields;
      return;
    }
    if (fields.length !== header.length) {
      throw bad(label, `line ${line}: ${fields.length} fields, the header has ${header.length}`);
    }
    const row: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) row[header[i]!] = fields[i]!;
    rows.push(row as ReferenceRow);
  });
  try {
    splitter.push(text);
    splitter.end();
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw bad(label, error.message, error);
    throw error;
  }
  return rows;
}

function bad(label: string, message: string, cause?: unknown): CalcInputError {
  return new CalcInputError("BAD_REFERENCE", `${label} is not valid CSV: ${message}`, { cause });
}
