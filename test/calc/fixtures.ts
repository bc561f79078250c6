/** Shared fixtures of the calculation tests: the reference table, the vectors and a lot reader for them. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { readLotCsv } from "../../core/calc/lot/index.ts";
import type { DeviceInput, ReferenceTable } from "../../core/calc/index.ts";
import { loadReferenceTable } from "../../core/calc/reference-file.ts";

export const VECTORS = fileURLToPath(new URL("../vectors/", import.meta.url));

let table: ReferenceTable | undefined;
/** The shipped reference table, loaded once per test run. */
export function reference(): ReferenceTable {
  return (table ??= loadReferenceTable());
}

export function readVector<T>(name: string): T {
  return JSON.parse(readFileSync(`${VECTORS}${name}`, "utf8")) as T;
}

export function readVectorLot(name: string): Promise<DeviceInput[]> {
  return readLotCsv(`${VECTORS}${name}`);
}

export const DEFAULT_LEGS = "hgv:600;van:250";
