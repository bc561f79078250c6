/** Lot input adapters: CSV (streaming) and JSON rows, plus lot options. */
export { CsvRecordSplitter, LOT_HEADER, readLotCsv, type ReadLotCsvOptions } from "./csv.ts";
export { deviceRowSchema, lotJsonSchema, parseLotJson, type LotJson } from "./json.ts";
export { lotOptionsSchema, todayUtc, type LotOptionsInput } from "./options.ts";
