/**
 * Fraud-proof challenges on the Batches screen (batches.ts): each challenge freezes the batches it names until the
 * admin settles it — which batch is at fault (it stays suspended by the admin), or neither — with a reason and the
 * evidence. The challenges are read from the contract through the admin's wallet (chain.ts).
 */
import type { UnsignedTx } from "../../../../sdk/src/api-client.ts";

import type { AppContext } from "../../context.ts";
import { field, h, replace, section } from "../../ui/dom.ts";
import { count, shortAddress } from "../../ui/format.ts";
import { actionForm, checkReason, explain, Refusal } from "./action.ts";
import { MAX_READ, type Challenge } from "./chain.ts";
import { rowActions, stackTable } from "./table.ts";

export type ChallengesRead = { challenges: Challenge[]; total: number } | { error: unknown };

const KIND_TEXT: Record<string, string> = {
  "duplicate-device": "one device in two batches",
  "index-out-of-range": "a device beyond the batch's certificates",
  "index-reused": "two devices with one index",
};

const batches = (c: Challenge): string[] => [c.batchA, ...(c.batchB !== "0" ? [c.batchB] : [])];

export function challengesSection(ctx: AppContext, read: ChallengesRead, reload: () => Promise<void>): HTMLElement {
  if ("error" in read) {
    return section("Challenges", h("p", { class: "error" }, explain(read.error, "Reading the challenges")));
  }
  const area = h("div", { class: "row-form" });
  const rows = read.challenges.map((c) => {
    let action: HTMLElement | string = c.faultyBatchId !== "0" ? `batch #${c.faultyBatchId} at fault` : "—";
    if (c.status === "open") {
      const settle: HTMLButtonElement = h(
        "button",
        {
          type: "button",
          "aria-label": `Settle challenge ${c.id}`,
          onclick: () => {
            const form = settleForm(ctx, c, reload, () => {
              replace(area);
              settle.focus();
            });
            replace(area, form);
            form.querySelector<HTMLElement>("select")?.focus();
          },
        },
        "Settle…",
      );
      action = rowActions(settle);
    }
    return [
      `#${c.id}`,
      KIND_TEXT[c.kind] ?? c.kind,
      batches(c)
        .map((b) => `#${b}`)
        .join(" and "),
      h("span", { class: "mono", title: c.challenger }, shortAddress(c.challenger)),
      c.status,
      action,
    ];
  });
  const open = read.challenges.filter((c) => c.status === "open").length;
  return section(
    "Challenges",
    h(
      "p",
      {},
      read.total === 0
        ? "No fraud proof has been made against any batch."
        : `${count(open)} open challenge${open === 1 ? "" : "s"}: the batches each names stay suspended until it ` +
            "is settled.",
    ),
    read.total > 0
      ? stackTable("Fraud-proof challenges", ["Challenge", "Finding", "Batches", "By", "Status", "Decision"], rows)
      : null,
    read.total > MAX_READ
      ? h("p", { class: "muted" }, `Showing the latest ${count(MAX_READ)} of ${count(read.total)} challenges.`)
      : null,
    area,
  );
}

function settleForm(ctx: AppContext, c: Challenge, reload: () => Promise<void>, close: () => void): HTMLElement {
  const faulty = h(
    "select",
    { name: "faulty" },
    h("option", { value: "" }, "Choose…"),
    ...batches(c).map((b) => h("option", { value: b }, `Batch #${b} is at fault`)),
    h("option", { value: "none" }, "Neither: the proof does not hold"),
  );
  const reason = h("textarea", { name: "reason", rows: 2, maxlength: 1024 });
  const evidence = h("input", { type: "url", name: "evidence", autocomplete: "off", placeholder: "https://…" });
  return h(
    "div",
    { class: "card inset" },
    h("h3", {}, `Settle challenge #${c.id}`),
    h(
      "p",
      {},
      "The batches it names are released, except the one found at fault, which stays suspended by the admin " +
        "(reverse it afterwards if it is wrong). The same proof can never be made again.",
    ),
    actionForm(ctx, {
      title: `Settle challenge #${c.id}`,
      fields: [
        field("Decision", faulty),
        field("Reason", reason, "The finding, recorded on the chain."),
        field("Evidence (URL, optional)", evidence),
      ],
      submit: "Review the settlement",
      prepare: async () => {
        if (!faulty.value) throw new Refusal("Choose which batch is at fault, or neither.", faulty);
        const why = checkReason(reason, "the reason for the decision");
        const uri = evidence.value.trim();
        if (uri.length > 1024) throw new Refusal("The evidence URL is too long: at most 1,024 characters.", evidence);
        return ctx.api.request<UnsignedTx>("POST", `/admin/challenges/${c.id}/settle`, {
          faultyBatchId: faulty.value === "none" ? null : faulty.value,
          reason: why,
          evidenceURI: uri,
        });
      },
      done: () => `Challenge #${c.id} is settled.`,
      reload,
      close,
    }),
  );
}
