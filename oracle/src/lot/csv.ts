/**
 * Lot CSV reader: streams the file through csv-parse and returns the device rows, each with the physical line it
 * starts on. Whole-file failures (unreadable, wrong header, malformed CSV, no rows) throw `CalcInputError`; a row
 * with the wrong number of columns is kept and marked, so the calculation excludes it as `BAD_INPUT` and lists it
 * with every other bad row.
 */
import { createReadStream, statSync } from "node:fs";
import type { Readable } from "node:stream";

import { CsvError, parse } from "csv-parse";

import { CalcInputError } from "../methodology/errors.ts";
import { LOT_COLUMNS, type DeviceInput } from "../methodology/types.ts";

export interface ReadLotCsvOptions {
  /** Progress in bytes read (and the file size, when reading a path). Called at most every ~1 MB. */
  readonly onProgress?: (bytesRead: number, totalBytes: number | undefined) => void;
}

/** The exact header line of a lot CSV. */
export const LOT_HEADER = LOT_COLUMNS.join(",");

/** Columns whose values repeat across rows: interned so a 1,000,000-row lot holds each distinct value once. */
const INTERNED = [1, 2, 3, 4, 5, 6, 7, 8, 9];
const INTERN_LIMIT = 100_000;

/**
 * Reads a lot CSV (UTF-8, optional BOM, `,` delimiter, RFC 4180 quoting, header = {@link LOT_HEADER}).
 * @param source a file path or a readable byte stream
 * @throws CalcInputError `UNREADABLE_FILE`, `BAD_HEADER`, `BAD_CSV` or `LOT_EMPTY`
 */
export async function readLotCsv(source: string | Readable, options: ReadLotCsvOptions = {}): Promise<DeviceInput[]> {
  let stream: Readable;
  let totalBytes: number | undefined;
  const label = typeof source === "string" ? source : "the lot stream";
  if (typeof source === "string") {
    try {
      const stat = statSync(source);
      if (!stat.isFile()) throw new Error("not a regular file");
      totalBytes = stat.size;
    } catch (error) {
      throw unreadable(label, error);
    }
    stream = createReadStream(source, { highWaterMark: 1 << 20 });
  } else {
    stream = source;
  }

  const devices: DeviceInput[] = [];
  const interned = INTERNED.map(() => new Map<string, string>());
  let headerSeen = false;
  let previousEnd = 0;
  let previousEmpty = 0;
  let failure: CalcInputError | undefined;

  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    on_record: (record: string[], context) => {
      const line = previousEnd + 1 + (context.empty_lines - previousEmpty);
      previousEnd = context.lines;
      previousEmpty = context.empty_lines;
      if (!headerSeen) {
        headerSeen = true;
        const header = record.map((h) => h.trim()).join(",");
        if (header !== LOT_HEADER) {
          failure = new CalcInputError(
            "BAD_HEADER",
            `${label}: line ${line}: expected the header "${LOT_HEADER}", found "${record.join(",")}"`,
          );
          throw failure;
        }
        return null;
      }
      if (record.every((f) => f.trim() === "")) return null; // a blank line with only spaces
      for (let k = 0; k < INTERNED.length; k++) {
        const c = INTERNED[k]!;
        const value = record[c];
        if (value === undefined) continue;
        const map = interned[k]!;
        const held = map.get(value);
        if (held !== undefined) record[c] = held;
        else if (map.size < INTERN_LIMIT) map.set(value, value);
      }
      const device: Mutable<DeviceInput> = {
        line,
        serial: record[0] ?? "",
        manufacturer: record[1] ?? "",
        model: record[2] ?? "",
        category: record[3] ?? "",
        manufacture_date: record[4] ?? "",
        refurbished_date: record[5] ?? "",
        second_life_months: record[6] ?? "",
        parts: record[7] ?? "",
        ship_mass_kg: record[8] ?? "",
        transport: record[9] ?? "",
        test_report_id: record[10] ?? "",
        erasure_certificate_id: record[11] ?? "",
      };
      if (record.length !== LOT_COLUMNS.length) {
        device.readerProblems = [
          {
            line,
            column: null,
            field: "(row)",
            value: `${record.length} column${record.length === 1 ? "" : "s"}`,
            expected: `${LOT_COLUMNS.length} columns (${LOT_HEADER})`,
          },
        ];
      }
      devices.push(device);
      return null;
    },
  });

  let bytesRead = 0;
  let reported = 0;
  if (options.onProgress !== undefined) {
    const onProgress = options.onProgress;
    stream.on("data", (chunk: Buffer) => {
      bytesRead += chunk.length;
      if (bytesRead - reported >= 1 << 20) {
        reported = bytesRead;
        onProgress(bytesRead, totalBytes);
      }
    });
  }

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      stream.unpipe(parser);
      stream.destroy();
      parser.destroy();
      reject(error);
    };
    stream.on("error", (error) => fail(unreadable(label, error)));
    parser.on("error", (error) => {
      if (failure !== undefined) fail(failure);
      else if (error instanceof CsvError) {
        const where = typeof error.lines === "number" ? ` near line ${error.lines}` : "";
        fail(new CalcInputError("BAD_CSV", `${label}: malformed CSV${where}: ${error.message}`, { cause: error }));
      } else fail(error instanceof Error ? error : new Error(String(error)));
    });
    parser.on("end", () => {
      if (!settled) {
        settled = true;
        resolve();
      }
    });
    parser.resume();
    stream.pipe(parser);
  });

  options.onProgress?.(bytesRead, totalBytes);
  if (!headerSeen) throw new CalcInputError("LOT_EMPTY", `${label}: the file is empty (expected "${LOT_HEADER}")`);
  if (devices.length === 0) throw new CalcInputError("LOT_EMPTY", `${label}: the lot has a header but no device rows`);
  return devices;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function unreadable(label: string, error: unknown): CalcInputError {
  const reason =
    error instanceof Error && "code" in error && typeof error.code === "string"
      ? `${error.code === "ENOENT" ? "no such file" : error.code === "EACCES" ? "permission denied" : error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  return new CalcInputError("UNREADABLE_FILE", `cannot read ${label}: ${reason}`, { cause: error });
}
