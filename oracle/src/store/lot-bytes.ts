/**
 * A lot's input and report JSON as bytes (tens of MB at the device cap): written from the calculation worker's
 * transferred UTF-8 (core/db/sql.ts Utf8Text) and read back as bytes for the issuance-time hash, so the thread the
 * API shares never holds them as strings.
 */
import { isUtf8Text, utf8Text, type Utf8Text } from "../../../core/db/sql.ts";
import type { LotCalculatedFields, LotRow, Rows } from "./rows.ts";

/** A new lot's row as JobStore.insertLot takes it: the input may be given as its UTF-8 bytes. */
export type NewLot = Omit<
  LotRow,
  | "input_json"
  | "id"
  | "seq"
  | "report_json"
  | "report_hash"
  | "reference_sha256"
  | "summary_json"
  | "error"
  | "submitted_at"
  | "updated_at"
  | "status"
> & { input_json: string | Utf8Text };

/** The row `lot` was inserted as (input and report given as bytes not held: see notHeld). */
export function insertedLot(
  lot: NewLot,
  calculated: LotCalculatedFields | undefined,
  at: { id: string; seq: number; at: string },
): LotRow {
  const row = {
    ...lot,
    id: at.id,
    seq: at.seq,
    status: calculated ? "calculated" : "submitted",
    report_hash: calculated?.report_hash ?? null,
    reference_sha256: calculated?.reference_sha256 ?? null,
    summary_json: calculated?.summary_json ?? null,
    error: null,
    submitted_at: at.at,
    updated_at: at.at,
  } as LotRow;
  notHeld(row, "input_json", lot.input_json);
  notHeld(row, "report_json", calculated?.report_json ?? null);
  return row;
}

/** The columns of a LotHead (every column of `lots` but the input and report JSON). */
export const LOT_HEAD =
  "id, seq, refurbisher, lot_ref, status, as_of, options_json, input_sha256, report_hash, reference_sha256, " +
  "summary_json, correlation_id, error, submitted_at, updated_at";

/** A lot's report as its UTF-8 bytes (null before it is calculated) and its stored hash. */
export interface LotReport {
  report: Uint8Array | null;
  report_hash: string | null;
}

/** The query of a lot's LotReport by id: SQLite casts the TEXT to a BLOB, PostgreSQL converts it to bytea. */
export const lotReportSql = (dialect: "sqlite" | "postgres"): string =>
  dialect === "sqlite"
    ? "SELECT CAST(report_json AS BLOB) AS report, report_hash FROM lots WHERE id = ?"
    : "SELECT convert_to(report_json, 'UTF8') AS report, report_hash FROM lots WHERE id = ?";

/**
 * Sets `row[key]` to `value` — or, given as bytes, to a getter that throws: in an `offThread` transaction the bytes
 * moved to the SQLite thread without a copy and are no longer readable here (read the lot again: JobStore.lot).
 */
export function notHeld(row: LotRow, key: "input_json" | "report_json", value: string | Utf8Text | null): void {
  if (!isUtf8Text(value)) {
    row[key] = value as string;
    return;
  }
  Object.defineProperty(row, key, {
    enumerable: false,
    get() {
      throw new Error(`lot ${row.id}: ${key} was written from bytes and is not held; read the lot again`);
    },
  });
}

/**
 * PostgreSQL: a Utf8Text over this size is not bound in the INSERT but written by writeInPieces — `pg` builds a
 * statement's whole bind message in one synchronous call, copying every parameter byte into a buffer it grows (a
 * 42 MB lot row held the event loop 120-390 ms there). SQLite binds it on its own thread (core/db/sqlite-thread.ts).
 */
export const PIECE_BYTES = 1 << 20;
const LARGE = 4 * PIECE_BYTES;

const large = (dialect: "sqlite" | "postgres", value: string | Utf8Text | null | undefined): value is Utf8Text =>
  dialect === "postgres" && isUtf8Text(value) && value.utf8.byteLength > LARGE;

/** The value to bind in the INSERT: a large Utf8Text on PostgreSQL is written afterwards (writeInPieces). */
export const inline = (dialect: "sqlite" | "postgres", value: string | Utf8Text): string | Utf8Text =>
  large(dialect, value) ? "" : value;

/**
 * Writes lot `id`'s large Utf8Text columns on PostgreSQL (inside the insert's transaction): in PIECE_BYTES pieces
 * cut on UTF-8 character boundaries, each one small statement into a session temporary table (the event loop free
 * between them), then one UPDATE joining them on the server. Nothing to do on SQLite or for small values.
 */
export async function writeInPieces(
  rows: Rows,
  id: string,
  columns: Record<"input_json" | "report_json", string | Utf8Text | null | undefined>,
): Promise<void> {
  for (const [column, value] of Object.entries(columns)) {
    if (!large(rows.db.dialect, value)) continue;
    await rows.run("CREATE TEMP TABLE IF NOT EXISTS lot_text_pieces (n INTEGER, piece TEXT) ON COMMIT DELETE ROWS");
    await rows.run("DELETE FROM lot_text_pieces");
    const bytes = value.utf8;
    for (let at = 0, n = 0; at < bytes.byteLength; n++) {
      let end = Math.min(at + PIECE_BYTES, bytes.byteLength);
      while (end < bytes.byteLength && (bytes[end]! & 0xc0) === 0x80) end--; // not inside a character
      await rows.run("INSERT INTO lot_text_pieces (n, piece) VALUES (?, ?)", n, utf8Text(bytes.subarray(at, end)));
      at = end;
    }
    await rows.run(
      `UPDATE lots SET ${column} = (SELECT string_agg(piece, '' ORDER BY n) FROM lot_text_pieces) WHERE id = ?`,
      id,
    );
  }
}
