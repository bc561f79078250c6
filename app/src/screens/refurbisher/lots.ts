/**
 * My lots and batches (issue 15 §3): each lot the signed-in refurbisher submitted, its batches with their state,
 * the auditors' signatures so far and, once minted, the batch's public page — followed live (batch-follower.ts)
 * until every batch is final, without a reload.
 */
import "./refurbisher.css";

import type { Screen } from "../../context.ts";
import { h, section } from "../../ui/dom.ts";
import { count, dateTime, day, gramsAsKg } from "../../ui/format.ts";
import { BatchFollower, type BatchRowCells } from "./batch-follower.ts";
import { listMyLots, type BatchJobView, type LotView } from "./lots-api.ts";

/** Lots listed (newest first); older ones are in the CLI (`itec lot list`) and the API (GET /lots?offset=). */
const LOTS_SHOWN = 50;

export const myLotsScreen: Screen = {
  path: "/lots",
  title: "My lots",
  nav: "My lots",
  roles: ["refurbisher"],
  async render(ctx) {
    const { lots } = await listMyLots(ctx, LOTS_SHOWN);
    const live = h("p", { class: "status", role: "status", "aria-live": "polite" });
    if (lots.length === 0) {
      return section(
        "My lots",
        h("p", {}, "You have not submitted a lot yet."),
        h("a", { href: "#/lots/new" }, "Submit a lot"),
      );
    }
    const follower = new BatchFollower(ctx, live);
    const root = section(
      "My lots",
      h(
        "p",
        {},
        "Your lots, newest first, with each batch's way to minting. The states follow the registry live while a " +
          "batch is on its way.",
      ),
      live,
      ...lots.map((lot) => lotCard(lot, follower)),
      lots.length === LOTS_SHOWN ? h("p", { class: "muted" }, `The ${LOTS_SHOWN} newest lots are shown.`) : null,
    );
    root.classList.add("refurbisher");
    await follower.start(root);
    return root;
  },
};

function lotCard(lot: LotView, follower: BatchFollower): HTMLElement {
  const s = lot.summary;
  const headers = [
    "Batch",
    "Category",
    "Certificates",
    "B̄ (per device)",
    "V̄ (per device)",
    "State",
    "Auditors' signatures",
    "Links",
  ];
  const rows = lot.batches.map((b) => batchRow(b, headers, follower));
  return h(
    "article",
    { class: "lot", "data-lot": lot.id, "aria-labelledby": `lot-${lot.id}` },
    h("h3", { id: `lot-${lot.id}` }, `Lot ${lot.id}`, h("span", { class: "muted" }, ` · ${lot.lotRef}`)),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Submitted"),
      h("dd", {}, dateTime(lot.submittedAt)),
      h("dt", {}, "Calculated as of"),
      h("dd", {}, day(lot.asOf)),
      s ? [h("dt", {}, "Devices"), h("dd", {}, `${count(s.devices)} in the lot, ${count(s.eligible)} eligible`)] : null,
      h("dt", {}, "Status"),
      h("dd", {}, lot.error ? `${lot.status}: ${lot.error}` : lot.status),
      h("dt", {}, "Report"),
      h(
        "dd",
        {},
        h("a", { href: `/lots/${encodeURIComponent(lot.id)}/report` }, `Lot report of ${lot.id} (JSON)`),
        lot.reportHash ? h("span", { class: "mono" }, ` ${lot.reportHash}`) : null,
      ),
    ),
    h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        { class: "data stack" },
        h("caption", {}, `Batches of lot ${lot.id}`),
        h("thead", {}, h("tr", {}, ...headers.map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, ...rows),
      ),
    ),
  );
}

function batchRow(b: BatchJobView, headers: string[], follower: BatchFollower): HTMLTableRowElement {
  const td = (i: number, ...children: (Node | string)[]) => h("td", { "data-label": headers[i]! }, ...children);
  const num = (i: number, text: string) => h("td", { "data-label": headers[i]!, class: "num" }, text);
  const cells: BatchRowCells = { state: td(5), signatures: td(6), links: td(7) };
  const row = h(
    "tr",
    { "data-batch": b.id },
    td(0, b.id),
    td(1, b.category),
    num(2, b.state === "not_issuable" ? "none" : `${count(b.certificates)} I-TEC${b.certificates === 1 ? "" : "s"}`),
    num(3, gramsAsKg(b.baselineGrams)),
    num(4, gramsAsKg(b.reductionGrams)),
    cells.state,
    cells.signatures,
    cells.links,
  );
  follower.track(b, cells);
  return row;
}
