/**
 * Retirement history (#/retirements): every retirement of this account's certificates, newest first, with the
 * claim (beneficiary, period, Scope 3 category, purpose), its status (verified, reversed: replacement owed,
 * replaced), and its verify page and certificate.
 */
import type { Screen } from "../../context.ts";
import { h, section } from "../../ui/dom.ts";
import { count, day } from "../../ui/format.ts";
import { listRetirements, retirementLinks, type ListedRetirement } from "./retirement-links.ts";
import { utcTimes } from "./shared.ts";

const CLAIM_TEXT: Record<ListedRetirement["claimStatus"], string> = {
  verified: "verified",
  reversed: "reversed: its batch was found wrong; not valid until replaced",
  replaced: "replaced: now rests on another batch",
};

const HEADERS = [
  "Retirement",
  "Retired",
  "Batch",
  "Amount",
  "Beneficiary",
  "Period",
  "Scope 3",
  "Purpose",
  "Claim status",
  "Documents",
];

function row(r: ListedRetirement, when: (iso: string) => string): HTMLTableRowElement {
  const [idLink, , pdf, , html] = retirementLinks(r.retirementId);
  const cells: (Node | string)[] = [
    idLink!,
    when(r.blockTime),
    r.batchId === r.originalBatchId ? `#${r.batchId}` : `#${r.batchId} (retired from #${r.originalBatchId})`,
    `${count(r.amount)} I-TEC`,
    r.beneficiary ? `${r.beneficiaryName} (${r.beneficiary})` : r.beneficiaryName,
    `${day(r.periodStart)} – ${day(r.periodEnd)}`,
    r.scope3Category === 1 ? "1 purchased goods" : "2 capital goods",
    r.purpose || "—",
    CLAIM_TEXT[r.claimStatus] ?? r.claimStatus,
    h("span", {}, pdf, " · ", html),
  ];
  return h(
    "tr",
    { "data-retirement": r.retirementId },
    ...cells.map((c, i) =>
      h("td", { "data-label": HEADERS[i]!, class: r.claimStatus !== "verified" && i === 8 ? "warning" : null }, c),
    ),
  );
}

export const retirementsScreen: Screen = {
  path: "/retirements",
  title: "Retirement history",
  nav: "Retirements",
  roles: ["holder"],
  async render(ctx) {
    const retirements = (await listRetirements(ctx, ctx.session.address!)).reverse();
    if (retirements.length === 0) {
      return section(
        "Retirement history",
        h("p", {}, "This account has retired no certificates yet."),
        h("a", { href: "#/retire" }, "Retire certificates"),
      );
    }
    const when = utcTimes();
    const total = retirements.reduce((s, r) => s + BigInt(r.amount), 0n);
    return section(
      "Retirement history",
      h("p", {}, `${retirements.length} retirement(s), ${count(total)} I-TEC in all.`),
      h(
        "table",
        { class: "data stack" },
        h("caption", {}, "Retirements of this account's certificates, newest first"),
        h("thead", {}, h("tr", {}, ...HEADERS.map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, ...retirements.map((r) => row(r, when))),
      ),
    );
  },
};
