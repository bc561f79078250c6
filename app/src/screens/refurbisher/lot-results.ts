/**
 * What the browser's calculation of a lot shows before anything is submitted: the figures per category, and every
 * row that is excluded with its reason and, for unusable fields, each problem (row, column, value, expectation).
 */
import type { ShownLotResult } from "../../calc/protocol.ts";
import { h, table, type Child } from "../../ui/dom.ts";
import { count, quantity } from "../../ui/format.ts";
import { batchReasonWords, exclusionWords } from "./words.ts";

/** A cell with its column's name for the stacked phone layout, and the exact value for tests and copy. */
function cell(label: string, content: Child | Child[], value?: string, cls?: string): HTMLTableCellElement {
  return h("td", { "data-label": label, "data-value": value ?? null, class: cls ?? null }, content);
}

function dataTable(caption: string, headers: string[], rows: HTMLTableRowElement[], cls = "data stack"): HTMLElement {
  const t = table(caption, headers, [], cls);
  t.tBodies[0]!.append(...rows);
  return h("div", { class: "table-scroll" }, t);
}

export function batchesTable(result: ShownLotResult): HTMLElement {
  const headers = [
    "Category",
    "Devices",
    "Eligible",
    "Excluded",
    "B̄ (kgCO2e per device)",
    "V̄ (kgCO2e per device)",
    "Certificates",
    "Issued",
  ];
  const rows = result.batches.map((b) => {
    const excluded = b.devices - b.eligible;
    return h(
      "tr",
      { "data-category": b.category },
      cell(headers[0]!, b.category),
      cell(headers[1]!, count(b.devices), String(b.devices), "num"),
      cell(headers[2]!, count(b.eligible), String(b.eligible), "num"),
      cell(headers[3]!, count(excluded), String(excluded), "num"),
      cell(headers[4]!, quantity(b.baselineKg, "kgCO2e"), b.baselineKg, "num"),
      cell(headers[5]!, quantity(b.reductionKg, "kgCO2e"), b.reductionKg, "num"),
      cell(
        headers[6]!,
        `${count(b.certificates)} I-TEC${b.certificates === 1 ? "" : "s"}`,
        String(b.certificates),
        "num",
      ),
      cell(headers[7]!, b.issued ? "yes" : `no: ${batchReasonWords(b.reason)}`, b.issued ? "yes" : "no"),
    );
  });
  return dataTable("Batches per category (one batch per device category)", headers, rows);
}

/** One line per excluded row, in lot order; BAD_INPUT rows list each problem of the row. */
export function exclusionsTable(result: ShownLotResult): HTMLElement | null {
  if (result.exclusionCount === 0) return null;
  const problemsByRow = new Map<number, string[]>();
  for (const p of result.problems) {
    const list = problemsByRow.get(p.row) ?? [];
    list.push(
      `${p.field}${p.column === null ? "" : ` (column ${p.column})`}: ` +
        `${p.value === "" ? "empty" : `“${p.value}”`}, expected ${p.expected}`,
    );
    problemsByRow.set(p.row, list);
  }
  const headers = ["Row", "Line", "Serial", "Reason", "Details"];
  // The worker sent the first MAX_ROWS_SHOWN excluded rows (app/src/calc/protocol.ts).
  const shown = result.exclusions;
  const rows = shown.map((x) => {
    const problems = problemsByRow.get(x.row) ?? [];
    return h(
      "tr",
      { "data-row": String(x.row), "data-reason": x.reason },
      cell(headers[0]!, String(x.row), String(x.row), "num"),
      cell(headers[1]!, String(x.line), String(x.line), "num"),
      cell(headers[2]!, x.serial || "(none)", x.serial),
      cell(headers[3]!, h("span", { class: "mono" }, x.reason), x.reason),
      cell(
        headers[4]!,
        problems.length > 0
          ? h("ul", { class: "problems" }, ...problems.map((p) => h("li", {}, p)))
          : exclusionWords(x.reason),
      ),
    );
  });
  const rest = result.exclusionCount - shown.length;
  return h(
    "div",
    { class: "exclusions" },
    dataTable(
      `Excluded rows (${count(result.exclusionCount)}): row numbers count the data rows, lines the file's lines`,
      headers,
      rows,
    ),
    rest > 0
      ? h(
          "p",
          { class: "muted", "data-more-rows": String(rest) },
          `${count(rest)} more excluded row${rest === 1 ? " is" : "s are"} not shown here; the lot report lists every one.`,
        )
      : null,
  );
}

/** The lot at a glance: devices, eligible, excluded by reason, and what would be certified. */
export function lotFacts(result: ShownLotResult, ms: number): HTMLElement {
  const issued = result.batches.filter((b) => b.issued);
  const certificates = issued.reduce((n, b) => n + b.certificates, 0);
  const excluded = Object.entries(result.excluded)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([reason, n]) => `${reason} ${count(n ?? 0)}`)
    .join(", ");
  return h(
    "dl",
    { class: "facts", "data-report-hash": result.reportHash },
    h("dt", {}, "Devices"),
    h("dd", {}, `${count(result.devices)} in the file, ${count(result.eligible)} eligible`),
    h("dt", {}, "Excluded"),
    h("dd", {}, excluded ? excluded : "none"),
    h("dt", {}, "Would be certified"),
    h(
      "dd",
      {},
      `${count(certificates)} I-TEC${certificates === 1 ? "" : "s"} in ${count(issued.length)} batch${issued.length === 1 ? "" : "es"}`,
    ),
    h("dt", {}, "Report hash"),
    h("dd", { class: "mono" }, result.reportHash),
    h("dt", {}, "Method"),
    h("dd", {}, `${result.method} / ${result.params}, as of ${result.asOf}, calculated in ${count(ms)} ms`),
    h("dt", {}, "Reference data"),
    h("dd", { class: "mono" }, `sha256 ${result.referenceSha256}`),
  );
}
