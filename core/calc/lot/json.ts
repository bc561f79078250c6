/**
 * Lot JSON (for the API): the same rows as the CSV, as objects keyed by the CSV column names, optionally wrapped with
 * the lot options. The zod schema is the single source of truth for the body's shape (and its OpenAPI document).
 */
import { z } from "zod";

import { CalcInputError } from "../errors.ts";
import { LOT_COLUMNS, type DeviceInput } from "../types.ts";
import { lotOptionsSchema, type LotOptionsInput } from "./options.ts";

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A cell: text, or a JSON number (taken as its shortest decimal text, e.g. `2.5` → "2.5"); null/absent = empty.
 * Content is checked by the calculation (bad values exclude the row as BAD_INPUT), not here.
 */
const cell = z
  .union([z.string().max(10_000), z.number()])
  .nullish()
  .transform((v) => (v == null ? "" : String(v)))
  .refine((v) => !LONE_SURROGATE.test(v), "text contains a lone UTF-16 surrogate");

/** One device row. Unknown keys are rejected (a misspelt column must not silently become empty). */
export const deviceRowSchema = z.strictObject(
  Object.fromEntries(LOT_COLUMNS.map((c) => [c, cell])) as Record<(typeof LOT_COLUMNS)[number], typeof cell>,
);

/** A lot body: `{ devices: [...], lotId?, refurbisher?, defaultTransport?, asOf? }` or a bare array of rows. */
export const lotJsonSchema = z.union([
  z.array(deviceRowSchema),
  lotOptionsSchema.extend({ devices: z.array(deviceRowSchema) }).strict(),
]);
export type LotJson = z.input<typeof lotJsonSchema>;

/**
 * Validates a parsed JSON body and returns its rows (line = 1-based position in `devices`) and options.
 * @throws CalcInputError `BAD_JSON` (shape) or `LOT_EMPTY`
 */
export function parseLotJson(body: unknown): { devices: DeviceInput[]; options: LotOptionsInput } {
  const result = lotJsonSchema.safeParse(body);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 5).map((i) => `${formatPath(i.path)}: ${i.message}`);
    const more = result.error.issues.length > 5 ? ` (+${result.error.issues.length - 5} more)` : "";
    throw new CalcInputError("BAD_JSON", `invalid lot body: ${issues.join("; ")}${more}`);
  }
  const data = result.data;
  const rows = Array.isArray(data) ? data : data.devices;
  const options: LotOptionsInput = Array.isArray(data)
    ? {}
    : {
        ...(data.asOf !== undefined ? { asOf: data.asOf } : {}),
        ...(data.defaultTransport !== undefined ? { defaultTransport: data.defaultTransport } : {}),
        ...(data.lotId !== undefined ? { lotId: data.lotId } : {}),
        ...(data.refurbisher !== undefined ? { refurbisher: data.refurbisher } : {}),
      };
  if (rows.length === 0) throw new CalcInputError("LOT_EMPTY", "the lot has no devices");
  return { devices: rows.map((row, i) => ({ ...row, line: i + 1 })), options };
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(body)";
  return path.map((p, k) => (typeof p === "number" ? `[${p}]` : `${k === 0 ? "" : "."}${String(p)}`)).join("");
}
