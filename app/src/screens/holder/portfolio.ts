/**
 * Portfolio (#/portfolio): every batch the account holds, with the batch's figures as the registry states them —
 * category, certificates held, B̄ and V̄ and the certified intensity in kgCO2e per device, vintage, status — a link to
 * the batch's public page, and transfer/retire actions per row. One request (GET /accounts/{a}/portfolio) and one
 * DOM pass with the columns' widths fixed up front (holder.css), for the issue's 1,000 batches in ≤ 1 s
 * (test/app/holder.test.ts renders 1,000; the benchmark times it).
 */
import type { Portfolio, PortfolioEntry } from "../../../../sdk/src/api-operations.ts";
import type { Screen } from "../../context.ts";
import { h, section } from "../../ui/dom.ts";
import { day } from "../../ui/format.ts";
import { figureFormat, links, loadPortfolio, STATUS_TEXT, unusable } from "./shared.ts";

const STATUS_ORDER: Record<string, number> = { active: 0, suspended: 1, reversed: 2 };

/** Usable batches first (active, then suspended, then reversed), newest vintage first, then by batch id. */
export function sortPortfolio(batches: readonly PortfolioEntry[]): PortfolioEntry[] {
  return [...batches].sort(
    (a, b) =>
      (STATUS_ORDER[a.status] ?? 3) - (STATUS_ORDER[b.status] ?? 3) ||
      (a.vintageEnd < b.vintageEnd ? 1 : a.vintageEnd > b.vintageEnd ? -1 : 0) ||
      Number(BigInt(a.batchId) - BigInt(b.batchId)),
  );
}

const HEADERS = [
  "Batch",
  "Category",
  "Held (I-TEC)",
  "B̄ per device",
  "V̄ per device",
  "Certified intensity per device",
  "Vintage",
  "Status",
  "Actions",
];
const NUMERIC = new Set([2, 3, 4, 5]);

/**
 * The portfolio table, built in one pass into a DocumentFragment (no layout until it is attached). Exported for
 * the benchmark: `portfolioTable(portfolio)` with a portfolio of 1,000 batches, then attach it.
 */
export function portfolioTable(portfolio: Portfolio): HTMLTableElement {
  const f = figureFormat();
  const dayFormat = new Intl.DateTimeFormat(navigator.language, { dateStyle: "medium", timeZone: "UTC" });
  const vintage = (start: string, end: string) => {
    const a = dayFormat.format(new Date(start));
    return start === end ? a : `${a} – ${dayFormat.format(new Date(end))}`;
  };
  const table = document.createElement("table");
  table.className = "data stack portfolio";
  const caption = table.createCaption();
  caption.textContent = `Certificates held by ${portfolio.account}, per batch (figures per device, as the registry states them)`;
  const head = table.createTHead().insertRow();
  for (const [i, label] of HEADERS.entries()) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = label;
    if (NUMERIC.has(i)) th.className = "num";
    head.appendChild(th);
  }
  const rows = document.createDocumentFragment();
  for (const b of sortPortfolio(portfolio.batches)) {
    const tr = document.createElement("tr");
    tr.dataset.batch = b.batchId;
    const cell = (label: string, content: string | Node, cls?: string) => {
      const td = document.createElement("td");
      td.dataset.label = label;
      if (cls) td.className = cls;
      if (typeof content === "string") td.textContent = content;
      else td.appendChild(content);
      tr.appendChild(td);
    };
    const link = document.createElement("a");
    link.href = links.batch(b.batchId);
    link.textContent = `#${b.batchId}`;
    link.setAttribute("aria-label", `Batch ${b.batchId}: public page`);
    cell(HEADERS[0]!, link);
    cell(HEADERS[1]!, b.category);
    cell(HEADERS[2]!, `${f.count(b.held)} I-TEC`, "num");
    cell(HEADERS[3]!, `${f.kg(b.baselineKgPerDevice)} kgCO2e`, "num");
    cell(HEADERS[4]!, `${f.kg(b.reductionKgPerDevice)} kgCO2e`, "num");
    cell(HEADERS[5]!, `${f.kg(b.certifiedIntensityKgPerDevice)} kgCO2e`, "num");
    cell(HEADERS[6]!, vintage(b.vintageStart, b.vintageEnd));
    const why = unusable(b);
    const status = document.createElement("span");
    status.className = `status-${b.status}`;
    status.textContent = STATUS_TEXT[b.status] ?? b.status;
    if (why) status.title = why;
    cell(HEADERS[7]!, status);
    const actions = document.createElement("span");
    actions.className = "row-actions";
    if (!why) {
      for (const [verb, path] of [
        ["Transfer", "/transfer"],
        ["Retire", "/retire"],
      ] as const) {
        const a = document.createElement("a");
        a.href = `#${path}?batch=${b.batchId}`;
        a.textContent = verb;
        a.setAttribute("aria-label", `${verb} from batch ${b.batchId}`);
        actions.append(a, " ");
      }
    } else actions.textContent = "—";
    cell(HEADERS[8]!, actions);
    rows.appendChild(tr);
  }
  table.createTBody().appendChild(rows);
  const foot = table.createTFoot().insertRow();
  const label = document.createElement("th");
  label.scope = "row";
  label.colSpan = 2;
  label.textContent = `Total: ${f.count(portfolio.totals.batches)} batch${portfolio.totals.batches === 1 ? "" : "es"}`;
  const total = document.createElement("td");
  total.className = "num";
  total.dataset.label = "Held, not reversed";
  total.textContent = `${f.count(portfolio.totals.held)} I-TEC`;
  const usable = document.createElement("td");
  usable.colSpan = 6;
  usable.dataset.label = "Usable now";
  usable.textContent = `${f.count(portfolio.totals.usable)} I-TEC in active batches can be transferred or retired`;
  foot.append(label, total, usable);
  return table;
}

/** Held certificates per device category (a summary above the table). */
function byCategory(portfolio: Portfolio): string {
  const sums = new Map<string, bigint>();
  for (const b of portfolio.batches) {
    if (b.status === "reversed") continue;
    sums.set(b.category, (sums.get(b.category) ?? 0n) + BigInt(b.held));
  }
  const f = figureFormat();
  return [...sums.entries()].map(([c, n]) => `${c}: ${f.count(n.toString())} I-TEC`).join(" · ");
}

export const portfolioScreen: Screen = {
  path: "/portfolio",
  title: "Portfolio",
  nav: "Portfolio",
  roles: ["holder"],
  async render(ctx) {
    const portfolio = await loadPortfolio(ctx);
    if (portfolio.batches.length === 0) {
      return section(
        "Portfolio",
        h("p", {}, "This account holds no certificates yet."),
        h(
          "p",
          { class: "muted" },
          "Certificates arrive when a batch is minted to you (refurbishers) or another participant transfers them to this account.",
        ),
      );
    }
    const lag = portfolio.index.lagBlocks;
    return section(
      "Portfolio",
      h(
        "p",
        {},
        `${portfolio.totals.batches} batch${portfolio.totals.batches === 1 ? "" : "es"}; by category: ${byCategory(portfolio)}.`,
      ),
      lag && lag > 0
        ? h("p", { class: "muted" }, `The listing is ${lag} block(s) behind the chain; reload in a moment.`)
        : null,
      h(
        "p",
        { class: "muted" },
        "B̄ is the baseline (a comparable new device), V̄ the verified reduction, the certified intensity B̄ − V̄; all per device. ",
        `As of ${day(new Date())}.`,
      ),
      h(
        "div",
        { class: "actions" },
        h("a", { href: "#/retire", class: "button primary" }, "Retire certificates"),
        h("a", { href: "#/transfer", class: "button" }, "Transfer"),
      ),
      portfolioTable(portfolio),
    );
  },
};
