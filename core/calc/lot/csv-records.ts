/**
 * The lot CSV's rules, shared by the streaming file reader (csv.ts, Node) and the text reader of the browser
 * (core/calc/browser.ts): the RFC 4180 record splitter, the header check, and how a record becomes a device row —
 * blank lines skipped, a malformed record or a wrong column count or bytes that were not UTF-8 kept as the row's
 * reader problem, so the calculation excludes it as `BAD_INPUT`. No I/O and nothing of Node here: the two readers
 * differ only in where the text comes from.
 */
import { CodedError } from "../../../sdk/src/errors.ts";
import { CalcInputError } from "../errors.ts";
import { LOT_COLUMNS, type DeviceInput } from "../types.ts";

/** The exact header line of a lot CSV. */
export const LOT_HEADER = LOT_COLUMNS.join(",");

/** A malformed-CSV finding that loses the record boundaries, turned into `BAD_CSV` with the source's label. */
export class CsvSyntaxError extends CodedError<"BAD_CSV"> {
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
 * Turns the records of a lot CSV into device rows: checks the header, skips blank lines, marks malformed rows.
 * `keep` may rewrite a record's fields before they are stored (csv.ts interns and detaches them).
 */
export class LotRowCollector {
  readonly devices: DeviceInput[] = [];
  readonly #label: string;
  readonly #keep: ((record: string[]) => void) | undefined;
  #headerSeen = false;
  /** Set once the decoder has met bytes that are not UTF-8 (it puts U+FFFD in their place): rows are then checked. */
  replaced = false;

  constructor(label: string, keep?: (record: string[]) => void) {
    this.#label = label;
    this.#keep = keep;
  }

  /** The splitter's `onRecord`. @throws CalcInputError `BAD_HEADER` */
  readonly record = (record: string[], line: number, problem?: CsvRecordProblem): void => {
    if (!this.#headerSeen) {
      this.#headerSeen = true;
      const header = record.map((h) => h.trim()).join(",");
      if (header !== LOT_HEADER) {
        throw new CalcInputError(
          "BAD_HEADER",
          `${this.#label}: line ${line}: expected the header "${LOT_HEADER}", found "${record.join(",")}"`,
        );
      }
      return;
    }
    if (problem === undefined && record.every((f) => f.trim() === "")) return; // a blank line with only spaces
    this.#keep?.(record);
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
    } else if (this.replaced && record.some((f) => f.includes("\uFFFD"))) {
      const column = record.findIndex((f) => f.includes("\uFFFD"));
      device.readerProblems = [
        {
          line,
          column: column < LOT_COLUMNS.length ? column + 1 : null,
          field: LOT_COLUMNS[column] ?? "(row)",
          value: record[column]!,
          expected: "UTF-8 text (\uFFFD marks bytes that are not UTF-8: save the file as UTF-8)",
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
    this.devices.push(device);
  };

  /** The rows read. @throws CalcInputError `LOT_EMPTY` (no header, or a header and no rows) */
  finish(): DeviceInput[] {
    if (!this.#headerSeen) {
      throw new CalcInputError("LOT_EMPTY", `${this.#label}: the file is empty (expected "${LOT_HEADER}")`);
    }
    if (this.devices.length === 0) {
      throw new CalcInputError("LOT_EMPTY", `${this.#label}: the lot has a header but no device rows`);
    }
    return this.devices;
  }
}

/** A splitter's syntax error as `BAD_CSV` naming the source; any other error as it is. */
export function csvError(label: string, error: unknown): unknown {
  if (error instanceof CsvSyntaxError) {
    return new CalcInputError("BAD_CSV", `${label}: malformed CSV at ${error.message}`, { cause: error });
  }
  return error;
}

/**
 * Reads a lot CSV held as text or bytes (UTF-8, optional BOM): the browser's reader, with the rules of
 * `readLotCsv`. Bytes that are not UTF-8 become U+FFFD and mark their row, as the streaming reader does.
 * @throws CalcInputError `BAD_HEADER`, `BAD_CSV` or `LOT_EMPTY`
 */
export function readLotCsvText(source: string | Uint8Array, label = "the lot"): DeviceInput[] {
  let text = typeof source === "string" ? source : new TextDecoder("utf-8", { ignoreBOM: true }).decode(source);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // BOM
  const rows = new LotRowCollector(label);
  // As the streaming reader: any U+FFFD in the text (a replaced byte, or one written as such) has its row checked.
  rows.replaced = text.includes("\uFFFD");
  const splitter = new CsvRecordSplitter(rows.record);
  try {
    splitter.push(text);
    splitter.end();
  } catch (error) {
    throw csvError(label, error);
  }
  return rows.finish();
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
