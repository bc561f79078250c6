/**
 * The review queue (issue 15 §4): the batches awaiting this auditor's signature (GET /reviews, answered for the
 * signed-in accredited auditor), each with its figures, the signatures so far against the threshold, and a link to
 * its review screen. A batch leaves the queue once it takes no more signatures (posted, issued or rejected).
 */
import type { Review } from "../../../../sdk/src/api-operations.ts";

import type { AppContext, Screen } from "../../context.ts";
import { h, section } from "../../ui/dom.ts";
import { count, dateTime, quantity } from "../../ui/format.ts";
import { stackedTable } from "../../ui/stacked-table.ts";

const MINE: Record<Review["mine"], string> = {
  pending: "not signed yet",
  signed: "signed",
  refused: "your signature was refused: sign again",
};

export const reviewQueueScreen: Screen = {
  path: "/reviews",
  title: "Reviews",
  nav: "Reviews",
  roles: ["auditor"],
  async render(ctx: AppContext) {
    // mine=all: also the batches this auditor signed that still await other auditors, so a signature is seen counted.
    const { reviews } = await ctx.api.get<{ reviews: Review[] }>("/reviews?mine=all&limit=200");
    const waiting = reviews.filter((r) => r.mine !== "signed");
    const intro = h(
      "p",
      {},
      reviews.length === 0
        ? "No batch is awaiting your signature. New lots appear here as soon as a refurbisher submits them."
        : `${count(waiting.length)} batch${waiting.length === 1 ? "" : "es"} awaiting your signature` +
            (reviews.length > waiting.length
              ? `, ${count(reviews.length - waiting.length)} signed by you and awaiting other auditors`
              : "") +
            ". Open one to review the attestation against its calculation report before you sign.",
    );
    if (reviews.length === 0) return section("Batches awaiting your review", intro);
    const threshold = (r: Review) => (r.threshold === null ? "" : ` of ${count(r.threshold)}`);
    return section(
      "Batches awaiting your review",
      intro,
      stackedTable(
        "Batches awaiting auditors' signatures",
        [
          "Batch",
          "Category",
          "Devices",
          "Certificates",
          "B̄ per device",
          "V̄ per device",
          "Signatures",
          "You",
          "Sign by",
        ],
        reviews.map((r) => [
          h("a", { href: `#/reviews/${encodeURIComponent(r.batchId)}` }, `Review ${r.batchId}`),
          r.category,
          { content: count(r.devices), class: "num" },
          { content: `${count(r.certificates)} I-TEC`, class: "num" },
          { content: quantity(r.baselineKg, "kgCO2e"), class: "num" },
          { content: quantity(r.reductionKg, "kgCO2e"), class: "num" },
          { content: `${count(r.signatures)}${threshold(r)}`, class: "num" },
          MINE[r.mine],
          r.deadline ? dateTime(r.deadline) : "—",
        ]),
        (i) => ({ "data-batch": reviews[i]!.batchId }),
        "words",
      ),
      h(
        "p",
        { class: "muted" },
        "Each review shows the exact payload your wallet signs, the report to download, and the checks recomputed " +
          "in your browser.",
      ),
    );
  },
};
