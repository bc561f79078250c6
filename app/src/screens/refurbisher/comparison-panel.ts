/** The submitted lot: the registry's figures next to the browser's, the verdict, and where to follow the lot. */
import type { BrowserLotResult } from "../../calc/protocol.ts";
import { h } from "../../ui/dom.ts";
import { count, quantity } from "../../ui/format.ts";
import { compareLot, type ComparedFigure } from "./compare.ts";
import type { LotView } from "./lots-api.ts";

function shown(f: ComparedFigure, value: string | null): string {
  if (value === null) return "none";
  switch (f.kind) {
    case "count":
      return count(value);
    case "kg":
      return quantity(value, "kgCO2e");
    case "grams":
      return quantity(value, "gCO2e");
    default:
      return value;
  }
}

export function comparisonPanel(browser: BrowserLotResult, lot: LotView): HTMLElement {
  const comparison = compareLot(browser, lot);
  const headers = ["Figure", "Your browser", "The registry", "Same"];
  const rows = comparison.figures.map((f) =>
    h(
      "tr",
      { class: f.same ? null : "differs", "data-same": String(f.same) },
      h("td", { "data-label": headers[0]! }, f.label),
      h(
        "td",
        {
          "data-label": headers[1]!,
          class: f.kind === "hash" || f.kind === "root" || f.kind === "sha256" ? "mono" : "num",
        },
        shown(f, f.browser),
      ),
      h(
        "td",
        {
          "data-label": headers[2]!,
          class: f.kind === "hash" || f.kind === "root" || f.kind === "sha256" ? "mono" : "num",
        },
        shown(f, f.registry),
      ),
      h("td", { "data-label": headers[3]! }, f.same ? "yes" : "NO"),
    ),
  );
  const t = h(
    "table",
    { class: "data stack" },
    h("caption", {}, `Lot ${lot.id}: your browser's figures next to the registry's`),
    h("thead", {}, h("tr", {}, ...headers.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, ...rows),
  );
  const verdict = comparison.identical
    ? h(
        "p",
        { class: "success", "data-verdict": "identical" },
        `Identical: the registry's oracle calculated the same report (hash ${lot.reportHash}) and the same figures, ` +
          "to the gram.",
      )
    : h(
        "div",
        { class: "warning", "data-verdict": "different" },
        h(
          "p",
          {},
          `Different: the registry's figures differ from your browser's in ${count(comparison.differences.length)} place(s).`,
        ),
        h("ul", {}, ...comparison.differences.map((d) => h("li", {}, d))),
        comparison.explanation ? h("p", {}, comparison.explanation) : null,
      );
  return h(
    "div",
    { class: "comparison", "data-lot": lot.id },
    h("h3", {}, `Lot ${lot.id} submitted`),
    verdict,
    // Identical: the figures are there to look at, folded; a difference opens them.
    h(
      "details",
      { open: !comparison.identical },
      h("summary", {}, `Every figure compared (${count(comparison.figures.length)})`),
      h("div", { class: "table-scroll" }, t),
    ),
    h(
      "p",
      {},
      h("a", { href: "#/lots" }, "Follow its batches to minting in My lots"),
      " · ",
      h("a", { href: `/lots/${encodeURIComponent(lot.id)}/report` }, "The lot report (JSON)"),
    ),
  );
}
