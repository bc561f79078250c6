/**
 * Lot CSV reader: a streaming RFC 4180 parser specialised for lot files, returning the device rows, each with the
 * physical line it starts on. Whole-file failures (unreadable, wrong header, a quoted field never closed, no rows)
 * throw `CalcInputError`; a row with the wrong number of columns or text after a closing quote is kept and marked,
 * so the calculation excludes it as `BAD_INPUT` and lists it with every other bad row.
 *
 * Why not a general CSV library: lot files are a million short, mostly unquoted lines. The reader takes each
 * unquoted line with one `indexOf` and one `split` (the fast path) and runs a character-level state machine only
 * for records that contain a quote, which may span lines and chunks (the slow path). Measured on the 1,000,000-device
 * benchmark lot: 3× faster than csv-parse with the same results (see `bench/results/calc.json`).
 */
import { createReadStream, statSync } from "node:fs";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

import { CalcInputError } from "../errors.ts";
import type { DeviceInput } from "../types.ts";
import { CsvRecordSplitter, CsvSyntaxError, csvError, LotRowCollector } from "./csv-records.ts";

export { CsvRecordSplitter, LOT_HEADER, readLotCsvText, type CsvRecordProblem } from "./csv-records.ts";

export interface ReadLotCsvOptions {
  /** Progress in bytes read (and the file size, when reading a path). Called at most every ~1 MB. */
  readonly onProgress?: ((bytesRead: number, totalBytes: number | undefined) => void) | undefined;
}

/** Columns whose values repeat across rows: interned so a 1,000,000-row lot holds each distinct value once. */
const INTERNED = [1, 2, 3, 4, 5, 6, 7, 8, 9];
const INTERN_LIMIT = 100_000;
/**
 * Text is decoded and split in pieces of this many bytes: small enough that each piece's string is allocated in V8's
 * young generation and dies there (a 1 MB string goes to the large-object space and lingers until a full GC —
 * measured: +100 MB peak RSS on the 1,000,000-device lot).
 */
const PIECE = 64 << 10;

/** Columns whose values are mostly unique (serial, test report, erasure certificate). */
const UNIQUE = [0, 10, 11];

/**
 * A copy of `value` that does not share memory with the text it was cut from. V8 cuts strings of 13+ characters as
 * views into their parent, so a kept field would otherwise pin its whole 1 MB read chunk (measured: +170 MB heap on
 * the 1,000,000-device lot when interned values kept their chunks).
 */
function detach(value: string): string {
  return value.length < 13 ? value : Buffer.from(value, "utf8").toString("utf8");
}

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

  const interned = INTERNED.map(() => new Map<string, string>());
  const rows = new LotRowCollector(label, (record) => {
    for (let k = 0; k < INTERNED.length; k++) {
      const c = INTERNED[k]!;
      const value = record[c];
      if (value === undefined) continue;
      const map = interned[k]!;
      const held = map.get(value);
      if (held !== undefined) record[c] = held;
      else if (map.size < INTERN_LIMIT) map.set(value, (record[c] = detach(value)));
    }
    for (const c of UNIQUE) {
      const value = record[c];
      if (value !== undefined && value.length >= 13) record[c] = detach(value);
    }
  });
  const splitter = new CsvRecordSplitter(rows.record);

  const decoder = new StringDecoder("utf8");
  let bytesRead = 0;
  let reported = 0;
  let first = true;
  const feed = (text: string): void => {
    if (!rows.replaced && text.includes("\uFFFD")) rows.replaced = true;
    if (first && text.length > 0) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // BOM
    }
    splitter.push(text);
  };
  try {
    try {
      for await (const chunk of stream as AsyncIterable<Buffer | string>) {
        if (typeof chunk === "string") {
          bytesRead += Buffer.byteLength(chunk);
          feed(chunk);
        } else {
          bytesRead += chunk.length;
          for (let at = 0; at < chunk.length; at += PIECE) feed(decoder.write(chunk.subarray(at, at + PIECE)));
        }
        if (options.onProgress !== undefined && bytesRead - reported >= 1 << 20) {
          reported = bytesRead;
          options.onProgress(bytesRead, totalBytes);
        }
      }
    } catch (error) {
      if (error instanceof CalcInputError || error instanceof CsvSyntaxError) throw error;
      throw unreadable(label, error);
    }
    feed(decoder.end());
    splitter.end();
  } catch (error) {
    throw csvError(label, error);
  } finally {
    stream.destroy();
  }

  options.onProgress?.(bytesRead, totalBytes);
  return rows.finish();
}

function unreadable(label: string, error: unknown): CalcInputError {
  const reason =
    error instanceof Error && "code" in error && typeof error.code === "string"
      ? `${error.code === "ENOENT" ? "no such file" : error.code === "EACCES" ? "permission denied" : error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  return new CalcInputError("UNREADABLE_FILE", `cannot read ${label}: ${reason}`, { cause: error });
}
