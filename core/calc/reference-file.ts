/**
 * Reference-data adapter: reads the reference CSV (default `data/reference/boavizta-data-us.csv`), hashes its bytes
 * (sha256, recorded in every report and registered on-chain) and hands the rows to the pure table builder.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

import { parse } from "csv-parse/sync";

import { firstLine } from "../../sdk/src/errors.ts";
import { CalcInputError } from "./errors.ts";
import { buildReferenceTable, type ReferenceRow, type ReferenceTable } from "./reference.ts";
import { packagePath } from "../package.ts";

/** The reference table shipped with the project. */
export const DEFAULT_REFERENCE_PATH = packagePath("data/reference/boavizta-data-us.csv");

/** Provenance recorded in reports (see data/reference/SOURCE.txt). */
export const REFERENCE_SOURCE =
  "Boavizta environmental-footprint-data boavizta-data-us.csv, commit 61323eb5c3bb63b0703e7a9c6456482ccbaac3a6";
export const REFERENCE_LICENSE = "ODbL-1.0 (contents DbCL-1.0); produced using Boavizta environmental-footprint-data";

/**
 * Loads and builds the reference table (synchronously: a ~0.4 MB file read once at start-up).
 * @param path the CSV (Boavizta column names, `,` delimiter, `.` decimals); defaults to the shipped table
 * @throws CalcInputError `BAD_REFERENCE` when the file cannot be read or parsed, or lacks a required column
 */
export function loadReferenceTable(path: string = DEFAULT_REFERENCE_PATH): ReferenceTable {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CalcInputError("BAD_REFERENCE", `cannot read reference table ${path}: ${firstLine(error)}`, {
      cause: error,
    });
  }
  let rows: ReferenceRow[];
  try {
    rows = parse<ReferenceRow>(bytes, { columns: true, bom: true, skip_empty_lines: true });
  } catch (error) {
    throw new CalcInputError("BAD_REFERENCE", `reference table ${path} is not valid CSV: ${firstLine(error)}`, {
      cause: error,
    });
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return buildReferenceTable(rows, { sha256, source: REFERENCE_SOURCE, license: REFERENCE_LICENSE });
}
