/**
 * A corporate's IT procurement inventory, as CSV (RFC 4180, read with the lot reader's `CsvRecordSplitter`) or JSON.
 *
 * CSV columns (header row, any order, case-insensitive): `category`, `devices` (required), `year`,
 * `pcf_kg_per_device`, `manufacturer`, `model`, `scope3_category` (optional). A value holding a comma is quoted
 * (`"Dell, Inc."`); a row with more or fewer fields than the header is refused, never read shifted.
 *
 * JSON: an array of rows, or `{ "inventory": [rows] }` as the API takes; a row's keys are the CSV column names or
 * their camelCase forms (`pcfKgPerDevice`, `scope3Category`), values strings or numbers.
 *
 * Every refusal is a `Scope3InputError` naming the line (CSV) or row (JSON) and the field.
 */
import { CsvRecordSplitter } from "../calc/lot/index.ts";
import { CATEGORIES, type Category } from "../calc/index.ts";
import { CodedError } from "../../sdk/src/errors.ts";

export interface InventoryLine {
  year: number;
  category: Category;
  devices: number;
  /** Supplier PCF, kgCO2e per device (cradle-to-gate); absent → the registry's reference for manufacturer/model. */
  pcfKgPerDevice?: string | undefined;
  manufacturer?: string | undefined;
  model?: string | undefined;
  /**
   * GHG Protocol Scope 3 category the purchase is reported under: 1 purchased goods and services, 2 capital goods.
   * When the rows of a year give it, a certificate reduces only rows of the Scope 3 category it was retired for.
   */
  scope3Category?: 1 | 2 | undefined;
  /** Where the row was read ("line 3" of a CSV, "row 2" of a JSON array), for messages and the per-row list. */
  source?: string | undefined;
}

export class Scope3InputError extends CodedError<"BAD_INVENTORY"> {
  constructor(message: string, options?: { cause?: unknown }) {
    super("BAD_INVENTORY", message, options);
  }
}

/** The inventory's columns; JSON rows may also use the camelCase names. */
export const INVENTORY_COLUMNS = [
  "year",
  "category",
  "devices",
  "pcf_kg_per_device",
  "manufacturer",
  "model",
  "scope3_category",
] as const;
type Column = (typeof INVENTORY_COLUMNS)[number];

const CAMEL: Record<string, Column> = { pcfKgPerDevice: "pcf_kg_per_device", scope3Category: "scope3_category" };

const isCategory = (s: string): s is Category => (CATEGORIES as readonly string[]).includes(s);

/** One row's fields as text (trimmed; "" when absent) → a validated line. */
function line(get: (c: Column) => string, where: string, defaultYear: number): InventoryLine {
  const categoryText = get("category");
  const category = categoryText.toLowerCase();
  if (!isCategory(category)) {
    throw new Scope3InputError(
      categoryText === ""
        ? `${where}: category is empty (one of ${CATEGORIES.join(", ")})`
        : `${where}: unknown category '${categoryText}' (one of ${CATEGORIES.join(", ")})`,
    );
  }
  const devicesText = get("devices");
  if (!/^\d+$/.test(devicesText) || !Number.isSafeInteger(Number(devicesText)))
    throw new Scope3InputError(`${where}: devices must be a whole number, got '${devicesText}'`);
  const yearText = get("year");
  if (yearText !== "" && !/^\d{4}$/.test(yearText))
    throw new Scope3InputError(`${where}: year must be YYYY, got '${yearText}'`);
  const pcfText = get("pcf_kg_per_device");
  if (pcfText !== "" && !/^\d+(\.\d+)?$/.test(pcfText))
    throw new Scope3InputError(`${where}: pcf_kg_per_device must be a number, got '${pcfText}'`);
  const scope3Text = get("scope3_category");
  if (scope3Text !== "" && scope3Text !== "1" && scope3Text !== "2")
    throw new Scope3InputError(
      `${where}: scope3_category must be 1 (purchased goods and services) or 2 (capital goods), got '${scope3Text}'`,
    );
  return {
    year: yearText ? Number(yearText) : defaultYear,
    category,
    devices: Number(devicesText),
    pcfKgPerDevice: pcfText || undefined,
    manufacturer: get("manufacturer") || undefined,
    model: get("model") || undefined,
    ...(scope3Text ? { scope3Category: Number(scope3Text) as 1 | 2 } : {}),
    source: where,
  };
}

/**
 * Parses an inventory CSV (see the module comment); a row's year defaults to `defaultYear`.
 * @throws Scope3InputError
 */
export function parseInventoryCsv(text: string, defaultYear: number): InventoryLine[] {
  if (/^[\s\uFEFF]*[[{]/.test(text))
    throw new Scope3InputError(
      "the inventory is not CSV: it looks like JSON (give it as JSON: a .json file, or application/json to the API)",
    );
  let header: Column[] | undefined;
  let headerText = "";
  const lines: InventoryLine[] = [];
  const splitter = new CsvRecordSplitter((record, at, problem) => {
    const where = `line ${at}`;
    if (problem !== undefined) {
      throw new Scope3InputError(
        `${where}: field ${problem.field}: found ${problem.found}; expected ${problem.expected}`,
      );
    }
    const fields = record.map((f) => f.trim());
    if (header === undefined) {
      headerText = record.join(",");
      const names = fields.map((h) => h.toLowerCase());
      for (const name of names) {
        if (!(INVENTORY_COLUMNS as readonly string[]).includes(name))
          throw new Scope3InputError(
            `${where}: unknown column '${name}' in the inventory CSV header (columns: ${INVENTORY_COLUMNS.join(", ")})`,
          );
        if (names.indexOf(name) !== names.lastIndexOf(name))
          throw new Scope3InputError(`${where}: column '${name}' appears twice in the inventory CSV header`);
      }
      for (const required of ["category", "devices"]) {
        if (!names.includes(required))
          throw new Scope3InputError(`the inventory CSV needs a '${required}' column (header: ${headerText})`);
      }
      header = names as Column[];
      return;
    }
    if (fields.every((f) => f === "")) return; // a line of empty fields, e.g. ",,,,," from a spreadsheet
    if (fields.length !== header.length) {
      throw new Scope3InputError(
        `${where}: ${fields.length} fields where the header has ${header.length} (${header.join(",")}); ` +
          `a value that holds a comma must be in double quotes, e.g. "Dell, Inc."`,
      );
    }
    const h = header;
    lines.push(
      line(
        (c) => {
          const i = h.indexOf(c);
          return i < 0 ? "" : fields[i]!;
        },
        where,
        defaultYear,
      ),
    );
  });
  try {
    splitter.push(text.replace(/^\uFEFF/, ""));
    splitter.end();
  } catch (error) {
    if (error instanceof Scope3InputError) throw error;
    throw new Scope3InputError(`the inventory CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (header === undefined || lines.length === 0) throw new Scope3InputError("the inventory CSV has no rows");
  return lines;
}

/**
 * Parses an inventory in JSON (see the module comment); a row's year defaults to `defaultYear`.
 * @throws Scope3InputError
 */
export function parseInventoryJson(text: string, defaultYear: number): InventoryLine[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new Scope3InputError(`the inventory is not valid JSON: ${error instanceof Error ? error.message : ""}`);
  }
  let rows: unknown = doc;
  if (doc !== null && typeof doc === "object" && !Array.isArray(doc)) {
    const o = doc as Record<string, unknown>;
    rows = o.inventory;
    if (!Array.isArray(rows))
      throw new Scope3InputError(`the inventory JSON must be an array of rows or an object with an "inventory" array`);
    if (o.year !== undefined && o.year !== defaultYear && o.year !== String(defaultYear))
      throw new Scope3InputError(`the inventory JSON is for year ${JSON.stringify(o.year)}, not ${defaultYear}`);
  }
  if (!Array.isArray(rows))
    throw new Scope3InputError(`the inventory JSON must be an array of rows or an object with an "inventory" array`);
  if (rows.length === 0) throw new Scope3InputError("the inventory JSON has no rows");
  return rows.map((row: unknown, i) => {
    const where = `row ${i + 1}`;
    if (row === null || typeof row !== "object" || Array.isArray(row))
      throw new Scope3InputError(`${where}: a row must be an object with category, devices, …`);
    const values = new Map<Column, string>();
    for (const [key, value] of Object.entries(row as Record<string, unknown>)) {
      const column = CAMEL[key] ?? key;
      if (!(INVENTORY_COLUMNS as readonly string[]).includes(column))
        throw new Scope3InputError(
          `${where}: unknown field '${key}' (fields: ${INVENTORY_COLUMNS.join(", ")}; or pcfKgPerDevice, scope3Category)`,
        );
      if (values.has(column as Column))
        throw new Scope3InputError(`${where}: '${key}' is given twice (as ${column} and its camelCase form)`);
      let text: string;
      if (value === null || value === undefined) text = "";
      else if (typeof value === "string") text = value.trim();
      else if (typeof value === "number" && Number.isFinite(value)) text = String(value);
      else throw new Scope3InputError(`${where}: ${key} must be a string or a number, got ${JSON.stringify(value)}`);
      values.set(column as Column, text);
    }
    return line((c) => values.get(c) ?? "", where, defaultYear);
  });
}

/**
 * Parses an inventory file as JSON or CSV: by its name's extension when it has `.json` or `.csv`, else by its
 * content (JSON starts with `[` or `{`).
 * @throws Scope3InputError
 */
export function parseInventory(text: string, defaultYear: number, fileName?: string): InventoryLine[] {
  const ext = fileName?.toLowerCase().match(/\.(json|csv)$/)?.[1];
  const looksJson = /^[\s\uFEFF]*[[{]/.test(text);
  return (ext ?? (looksJson ? "json" : "csv")) === "json"
    ? parseInventoryJson(text, defaultYear)
    : parseInventoryCsv(text, defaultYear);
}
