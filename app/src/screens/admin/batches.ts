/**
 * The registry admin's batches (route /admin/batches): every issued batch with its standing; suspend or reinstate
 * with a reason; reverse a batch found wrong (final: the admin types the batch's number to confirm). The fraud-proof
 * challenges and their settlement are in challenges.ts.
 */
import type { UnsignedTx } from "../../../../sdk/src/api-client.ts";

import type { AppContext, Screen } from "../../context.ts";
import { field, h, replace, section } from "../../ui/dom.ts";
import { count, day, gramsAsKg } from "../../ui/format.ts";
import { actionForm, checkReason, Refusal } from "./action.ts";
import { challenges } from "./chain.ts";
import { challengesSection, type ChallengesRead } from "./challenges.ts";
import { rowActions, stackTable } from "./table.ts";

/** A batch as the listing index has it (GET /batches), the fields this screen shows. */
export interface IndexedBatch {
  batchId: string;
  owner: string;
  ownerName: string | null;
  category: string;
  issued: string;
  retired: string;
  outstanding: string;
  cancelled: string;
  baselineGrams: string;
  reductionGrams: string;
  vintageStart: string;
  vintageEnd: string;
  status: "active" | "suspended" | "reversed";
  hold: { adminSuspended: boolean; openChallenges: number };
}

/** The most batches listed (the API's largest page); beyond it the screen says so. */
const PAGE = 500;

export const batchesScreen: Screen = {
  path: "/admin/batches",
  title: "Batches",
  nav: "Batches",
  roles: ["admin"],
  async render(ctx) {
    const root = h("div", { class: "admin" });
    const load = async (): Promise<void> => {
      const [{ batches }, read] = await Promise.all([
        ctx.api.get<{ batches: IndexedBatch[] }>(`/batches?limit=${PAGE}`),
        challenges(ctx).catch((error: unknown): ChallengesRead => ({ error })),
      ]);
      replace(root, batchList(ctx, batches, reload), challengesSection(ctx, read, reload));
    };
    const reload = async (): Promise<void> => {
      try {
        await load();
      } catch (error) {
        if (!ctx.session.expired(error)) ctx.notify("The list could not be reloaded: reload the page.", "error");
      }
    };
    await load();
    return root;
  },
};

function standing(b: IndexedBatch): string {
  if (b.status === "reversed") return "reversed (final)";
  const why: string[] = [];
  if (b.hold.adminSuspended) why.push("by the admin");
  if (b.hold.openChallenges > 0) {
    why.push(`${count(b.hold.openChallenges)} open challenge${b.hold.openChallenges === 1 ? "" : "s"}`);
  }
  return why.length > 0 ? `${b.status} (${why.join("; ")})` : b.status;
}

function batchList(ctx: AppContext, batches: IndexedBatch[], reload: () => Promise<void>): HTMLElement {
  const area = h("div", { class: "row-form" });
  const open = (form: HTMLElement) => {
    replace(area, form);
    form.querySelector<HTMLElement>("input, textarea, select")?.focus();
  };
  const rows = batches.map((b) => {
    const buttons: HTMLButtonElement[] = [];
    if (b.status !== "reversed") {
      const action = b.hold.adminSuspended ? "reinstate" : "suspend";
      const standingButton: HTMLButtonElement = h(
        "button",
        {
          type: "button",
          "aria-label": `${action === "suspend" ? "Suspend" : "Reinstate"} batch ${b.batchId}`,
          onclick: () =>
            open(
              holdForm(ctx, b, action, reload, () => {
                replace(area);
                standingButton.focus();
              }),
            ),
        },
        action === "suspend" ? "Suspend" : "Reinstate",
      );
      const reverse: HTMLButtonElement = h(
        "button",
        {
          type: "button",
          class: "danger",
          "aria-label": `Reverse batch ${b.batchId}`,
          onclick: () =>
            open(
              reverseForm(ctx, b, reload, () => {
                replace(area);
                reverse.focus();
              }),
            ),
        },
        "Reverse…",
      );
      buttons.push(standingButton, reverse);
    }
    return [
      h("a", { href: `/verify/batches/${b.batchId}`, title: `Public page of batch ${b.batchId}` }, `#${b.batchId}`),
      b.category,
      b.ownerName ?? b.owner,
      `${count(b.outstanding)} of ${count(b.issued)} I-TECs`,
      gramsAsKg(b.reductionGrams),
      `${day(b.vintageStart)} – ${day(b.vintageEnd)}`,
      standing(b),
      buttons.length > 0 ? rowActions(...buttons) : "—",
    ];
  });
  return section(
    "Batches",
    h(
      "p",
      {},
      "A suspended batch's certificates cannot be transferred or retired until it is reinstated (and its challenges " +
        "settled). The batch number opens its public page.",
    ),
    batches.length > 0
      ? stackTable(
          "Issued batches",
          ["Batch", "Category", "Owner", "Outstanding", "Reduction per I-TEC", "Vintage", "Status", "Actions"],
          rows,
        )
      : h("p", { class: "muted" }, "No batch is issued yet."),
    batches.length >= PAGE ? h("p", { class: "muted" }, `Showing the first ${count(PAGE)} batches.`) : null,
    area,
  );
}

function holdForm(
  ctx: AppContext,
  b: IndexedBatch,
  action: "suspend" | "reinstate",
  reload: () => Promise<void>,
  close: () => void,
): HTMLElement {
  const reason = h("textarea", { name: "reason", rows: 2, maxlength: 1024 });
  const title = `${action === "suspend" ? "Suspend" : "Reinstate"} batch #${b.batchId}`;
  return h(
    "div",
    { class: "card inset" },
    h("h3", {}, title),
    h(
      "p",
      {},
      action === "suspend"
        ? `Its ${count(b.outstanding)} outstanding I-TECs cannot be transferred or retired while it is suspended.`
        : b.hold.openChallenges > 0
          ? `It stays suspended until its ${count(b.hold.openChallenges)} open challenge(s) are settled.`
          : "Its certificates can be transferred and retired again.",
    ),
    actionForm(ctx, {
      title,
      fields: [field("Reason", reason, "Recorded on the chain with the transaction.")],
      submit: `Review the ${action === "suspend" ? "suspension" : "reinstatement"}`,
      prepare: async () => {
        const why = checkReason(reason);
        return ctx.api.request<UnsignedTx>("POST", `/admin/batches/${b.batchId}/${action}`, { reason: why });
      },
      done: () => `Batch #${b.batchId} is ${action === "suspend" ? "suspended" : "reinstated"}.`,
      reload,
      close,
    }),
  );
}

function reverseForm(ctx: AppContext, b: IndexedBatch, reload: () => Promise<void>, close: () => void): HTMLElement {
  const reason = h("textarea", { name: "reason", rows: 2, maxlength: 1024 });
  const evidence = h("input", { type: "url", name: "evidence", autocomplete: "off", placeholder: "https://…" });
  const confirm = h("input", { type: "text", name: "confirm", inputmode: "numeric", autocomplete: "off" });
  const retired = BigInt(b.retired);
  return h(
    "div",
    { class: "card inset danger-zone" },
    h("h3", {}, `Reverse batch #${b.batchId}`),
    h(
      "p",
      { class: "warning" },
      `A reversal is final. The batch's ${count(b.outstanding)} outstanding I-TECs are cancelled (every balance of ` +
        `it reads 0)` +
        (retired > 0n
          ? ` and its ${count(retired)} retired I-TECs' claims read “reversed” until their holders replace them ` +
            `with certificates of the same device category.`
          : "."),
    ),
    actionForm(ctx, {
      title: `Reverse batch #${b.batchId}`,
      fields: [
        field("Reason", reason, "The finding, recorded on the chain."),
        field("Evidence (URL, optional)", evidence, "Where the finding's evidence can be read."),
        field(`Type the batch number, ${b.batchId}, to confirm`, confirm),
      ],
      submit: "Review the reversal",
      prepare: async () => {
        const why = checkReason(reason, "the finding");
        const uri = evidence.value.trim();
        if (uri.length > 1024) throw new Refusal("The evidence URL is too long: at most 1,024 characters.", evidence);
        if (confirm.value.trim().replace(/^#/, "") !== b.batchId) {
          throw new Refusal(
            `Type ${b.batchId} in the confirmation field to reverse batch #${b.batchId}: nothing was sent.`,
            confirm,
          );
        }
        return ctx.api.request<UnsignedTx>("POST", `/admin/batches/${b.batchId}/reverse`, {
          reason: why,
          evidenceURI: uri,
        });
      },
      done: () => `Batch #${b.batchId} is reversed.`,
      reload,
      close,
    }),
  );
}
