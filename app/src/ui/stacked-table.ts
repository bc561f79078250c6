/**
 * A table that stacks into labelled cards at phone width (styles.css `table.data.stack`): each cell carries its
 * column's header as `data-label`, which the phone layout shows before the value. Same caption and header cells as
 * `table()` (dom.ts), so a screen reader reads it row by row at any width.
 */
import { h, type Child } from "./dom.ts";

export interface StackedCell {
  content: Child | Child[];
  /** Extra class for the cell, e.g. "num" (right-aligned figures) or "mono" (hashes). */
  class?: string;
}

export function stackedTable(
  caption: string,
  headers: string[],
  rows: (Child | StackedCell)[][],
  rowAttrs: (index: number) => Record<string, string> = () => ({}),
  /** Extra classes, e.g. "labels-above" (at phone width each label on its own line: for long values such as hashes). */
  extraClass = "",
): HTMLTableElement {
  const cell = (c: Child | StackedCell, i: number) => {
    const spec: StackedCell = c !== null && typeof c === "object" && !(c instanceof Node) ? c : { content: c };
    return h("td", { "data-label": headers[i] ?? "", class: spec.class ?? null }, spec.content);
  };
  return h(
    "table",
    { class: `data stack ${extraClass}`.trim() },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ...headers.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, ...rows.map((r, i) => h("tr", rowAttrs(i), ...r.map(cell)))),
  );
}
