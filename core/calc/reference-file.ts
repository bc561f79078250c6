/**
 * Reference-data adapter: reads the reference CSV (default `data/reference/boavizta-data-us.csv`), hashes its bytes
 * (sha256, recorded in every report and registered on-chain) and hands the rows to the pure table builder.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

import { firstLine } from "../../sdk/src/errors.ts";
import { CalcInputError } from "./errors.ts";
import { parseReferenceCsv, REFERENCE_LICENSE, REFERENCE_SOURCE } from "./reference-csv.ts";
import { buildReferenceTable, type ReferenceTable } from "./reference.ts";
import { packagePath } from "../package.ts";

/** The reference table shipped with the project. */
export const DEFAULT_REFERENCE_PATH = packagePath("data/reference/boavizta-data-us.csv");

export { REFERENCE_LICENSE, REFERENCE_SOURCE } from "./reference-csv.ts";

/** The reference file as served (GET /reference-data): its bytes, sha256 and the table built from them. */
export interface ReferenceFile {
  readonly bytes: Uint8Array;
  readonly table: ReferenceTable;
}

/**
 * Loads and builds the reference table (synchronously: a ~0.4 MB file read once at start-up).
 * @param path the CSV (Boavizta column names, `,` delimiter, `.` decimals); defaults to the shipped table
 * @throws CalcInputError `BAD_REFERENCE` when the file cannot be read or parsed, or lacks a required column
 */
export function loadReferenceTable(path: string = DEFAULT_REFERENCE_PATH): ReferenceTable {
  return loadReferenceFile(path).table;
}

/** {@link loadReferenceTable}, keeping the file's bytes (to serve them). */
export function loadReferenceFile(path: string = DEFAULT_REFERENCE_PATH): ReferenceFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CalcInputError("BAD_REFERENCE", `cannot read reference table ${path}: ${firstLine(error)}`, {
      cause: error,
    });
  }
  // The shared parser (reference-csv.ts): the browser's calculation builds its table with the same one.
  const rows = parseReferenceCsv(new TextDecoder("utf-8").decode(bytes), `reference table ${path}`);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return { bytes, table: buildReferenceTable(rows, { sha256, source: REFERENCE_SOURCE, license: REFERENCE_LICENSE }) };
}
