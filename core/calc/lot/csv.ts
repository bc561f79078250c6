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

import { CodedError } from "../../../sdk/src/errors.ts";
import { CalcInputError } from "../errors.ts";
import { LOT_COLUMNS, type DeviceInput } from "../types.ts";

export interface ReadLotCsvOptions {
  /** Progress in bytes read (and the file size, when reading a path). Called at most every ~1 MB. */
  readonly onProgress?: ((bytesRead: number, totalBytes: number | undefined) => void) | undefined;
}

/** The exact header line of a lot CSV. */
export const LOT_HEADER = LOT_COLUMNS.join(",");

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

/** A malformed-CSV finding that loses the record boundaries, turned into `BAD_CSV` with the source's label. */
class CsvSyntaxError extends CodedError<"BAD_CSV"> {
  constructor(message: string) {
    super("BAD_CSV", message);
  }
}

/** A malformed record whose boundaries are still certain: the record is kept, with what is wrong in it. */
export interface CsvRecordProblem {
  /** 1-based field of the record where the problem is. */
  readonly field: number;
  readonly found: string;
  readonly expected: string;
}

/**
 * Splits CSV text into records: `,` delimiter, `\n` or `\r\n` line ends, RFC 4180 quoting (`""` inside a quoted
 * field is one quote; a quoted field may hold delimiters and line breaks). Feed it text in any pieces; each
 * complete record goes to `onRecord` with the physical line it starts on. Empty lines are skipped.
 *
 * Lenient where a lot export commonly is not RFC 4180 and the meaning is certain: a quote inside an unquoted field is
 * kept as a character (`P2720D 27"`), as csv-parse's `relax_quotes` does. Text after the closing quote of a quoted
 * field (`"Dell"x`) makes that record malformed: it is still delimited by its line end and goes to `onRecord` with
 * the problem, so one bad row does not stop the lot. Only a quoted field left open at the end of the text — whose
 * record could end anywhere — throws.
 */
export class CsvRecordSplitter {
  readonly #onRecord: (fields: string[], line: number, problem?: CsvRecordProblem) => void;
  /** Text not consumed yet (an incomplete last line). */
  #rest = "";
  /** Physical line number of the next character to consume. */
  #line = 1;
  // Slow-path state, live while a record with quotes is being read.
  #slow = false;
  #recordLine = 0;
  #fields: string[] = [];
  #field = "";
  #state: "start" | "unquoted" | "quoted" | "quote" | "cr" = "start";
  #quoteLine = 0;
  #problem: CsvRecordProblem | undefined;

  constructor(onRecord: (fields: string[], line: number, problem?: CsvRecordProblem) => void) {
    this.#onRecord = onRecord;
  }

  /** Consumes a piece of text. @throws CsvSyntaxError */
  push(text: string): void {
    const s = this.#rest.length === 0 ? text : this.#rest + text;
    this.#rest = "";
    let pos = this.#slow ? this.#slowPath(s, 0) : 0;
    let quote = -1; // the next quote at or after pos (searched again only once passed), or s.length if none
    while (pos < s.length) {
      const nl = s.indexOf("\n", pos);
      if (nl < 0) {
        this.#rest = s.slice(pos); // an incomplete line: wait for the next piece (or the end)
        return;
      }
      if (quote < pos) {
        quote = s.indexOf('"', pos);
        if (quote < 0) quote = s.length;
      }
      if (quote < nl) {
        this.#startSlow();
        pos = this.#slowPath(s, pos);
        continue;
      }
      const end = nl > pos && s.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end > pos) this.#onRecord(s.slice(pos, end).split(","), this.#line);
      this.#line++;
      pos = nl + 1;
    }
  }

  /** Consumes the end of the text. @throws CsvSyntaxError */
  end(): void {
    const s = this.#rest;
    this.#rest = "";
    if (this.#slow) {
      this.#slowPath(s, 0);
      if (this.#state === "quoted") {
        throw new CsvSyntaxError(`line ${this.#quoteLine}: a quoted field is not closed at the end of the file`);
      }
      if (this.#slow) {
        if (this.#state !== "quote" && this.#field.endsWith("\r")) this.#field = this.#field.slice(0, -1);
        this.#finishRecord();
      }
      return;
    }
    if (s.length === 0) return;
    if (s.includes('"')) {
      this.#startSlow();
      this.#slowPath(s, 0);
      this.end();
      return;
    }
    const line = s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
    if (line.length > 0) this.#onRecord(line.split(","), this.#line);
  }

  #startSlow(): void {
    this.#slow = true;
    this.#recordLine = this.#line;
    this.#fields = [];
    this.#field = "";
    this.#state = "start";
  }

  #finishRecord(): void {
    this.#fields.push(this.#field);
    this.#slow = false;
    const problem = this.#problem;
    this.#problem = undefined;
    if (problem === undefined) this.#onRecord(this.#fields, this.#recordLine);
    else this.#onRecord(this.#fields, this.#recordLine, problem);
    this.#fields = [];
    this.#field = "";
  }

  /** Reads a record with quotes character by character from `pos`; returns where the fast path resumes. */
  #slowPath(s: string, pos: number): number {
    let i = pos;
    let from = i; // start of the pending run of field characters
    let state = this.#state;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (state === "quoted") {
        if (c === 34) {
          this.#field += s.slice(from, i);
          state = "quote";
        } else if (c === 10) this.#line++;
        continue;
      }
      if (state === "quote") {
        if (c === 34) {
          this.#field += '"'; // "" inside a quoted field
          state = "quoted";
          from = i + 1;
          continue;
        }
        if (c === 44) {
          this.#fields.push(this.#field);
          this.#field = "";
          state = "start";
          from = i + 1;
          continue;
        }
        if (c === 13) {
          state = "cr";
          continue;
        }
        if (c === 10) return this.#endOfRecord(i);
        // Text after the closing quote: the record is malformed; read on to its line end, keeping the characters.
        this.#problem ??= {
          field: this.#fields.length + 1,
          found: `${s[i]} after a closing quote`,
          expected: "a , or a line end after a closing quote (a quote inside a quoted field is doubled)",
        };
        state = "unquoted";
        from = i;
        continue;
      }
      if (state === "cr") {
        if (c === 10) return this.#endOfRecord(i);
        this.#problem ??= {
          field: this.#fields.length + 1,
          found: "a carriage return not followed by a line feed after a quoted field",
          expected: "a , or a line end after a closing quote",
        };
        state = "unquoted";
        from = i;
        i--; // read this character again as part of an unquoted field
        continue;
      }
      // "start" or "unquoted"
      if (c === 34) {
        if (state === "unquoted") continue; // a quote inside an unquoted field is a character (relaxed quotes)
        this.#quoteLine = this.#line;
        state = "quoted";
        from = i + 1;
      } else if (c === 44) {
        this.#fields.push(this.#field + s.slice(from, i));
        this.#field = "";
        state = "start";
        from = i + 1;
      } else if (c === 10) {
        this.#field += s.slice(from, i);
        if (this.#field.endsWith("\r")) this.#field = this.#field.slice(0, -1);
        return this.#endOfRecord(i);
      } else state = "unquoted";
    }
    // The piece ended inside the record: keep the pending characters and the state for the next piece.
    if (state !== "quote" && state !== "cr") this.#field += s.slice(from, i);
    this.#state = state;
    return i;
  }

  #endOfRecord(newline: number): number {
    this.#state = "start";
    this.#line++;
    this.#finishRecord();
    return newline + 1;
  }
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

  const devices: DeviceInput[] = [];
  const interned = INTERNED.map(() => new Map<string, string>());
  let headerSeen = false;
  /** Set once the decoder has met bytes that are not UTF-8 (it puts U+FFFD in their place): rows are then checked. */
  let replaced = false;

  const splitter = new CsvRecordSplitter((record, line, problem) => {
    if (!headerSeen) {
      headerSeen = true;
      const header = record.map((h) => h.trim()).join(",");
      if (header !== LOT_HEADER) {
        throw new CalcInputError(
          "BAD_HEADER",
          `${label}: line ${line}: expected the header "${LOT_HEADER}", found "${record.join(",")}"`,
        );
      }
      return;
    }
    if (problem === undefined && record.every((f) => f.trim() === "")) return; // a blank line with only spaces
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
    if (problem !== undefined) {
      device.readerProblems = [
        {
          line,
          column: problem.field <= LOT_COLUMNS.length ? problem.field : null,
          field: LOT_COLUMNS[problem.field - 1] ?? "(row)",
          value: problem.found,
          expected: problem.expected,
        },
      ];
    } else if (replaced && record.some((f) => f.includes("\uFFFD"))) {
      const column = record.findIndex((f) => f.includes("\uFFFD"));
      device.readerProblems = [
        {
          line,
          column: column < LOT_COLUMNS.length ? column + 1 : null,
          field: LOT_COLUMNS[column] ?? "(row)",
          value: record[column]!,
          expected: "UTF-8 text (� marks bytes that are not UTF-8: save the file as UTF-8)",
        },
      ];
    } else if (record.length !== LOT_COLUMNS.length) {
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
  });

  const decoder = new StringDecoder("utf8");
  let bytesRead = 0;
  let reported = 0;
  let first = true;
  const feed = (text: string): void => {
    if (!replaced && text.includes("\uFFFD")) replaced = true;
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
    if (error instanceof CsvSyntaxError) {
      throw new CalcInputError("BAD_CSV", `${label}: malformed CSV at ${error.message}`, { cause: error });
    }
    throw error;
  } finally {
    stream.destroy();
  }

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
