/**
 * The admin screens' tables: `table()`'s caption and column headers, with each cell labelled by its column
 * (`data-label`) so the rows stack as cards at phone width (styles.css, `table.data.stack`).
 */
import { h, type Child } from "../../ui/dom.ts";

export function stackTable(caption: string, headers: string[], rows: Child[][]): HTMLTableElement {
  return h(
    "table",
    { class: "data stack" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ...headers.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c, i) => h("td", { "data-label": headers[i] ?? "" }, c))))),
  );
}

/** The buttons of a row, wrapping at phone width. */
export function rowActions(...buttons: Child[]): HTMLElement {
  return h("div", { class: "row-actions" }, ...buttons);
}
