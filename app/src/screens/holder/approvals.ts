/**
 * Operator approvals (#/approvals): let a broker (an operator) move and retire this account's certificates, or
 * stop it (ERC-1155 setApprovalForAll through POST /tx/approval). The current approval of each admitted trader,
 * and of any operator looked up here, is read from the chain (GET /accounts/{a}/operators/{op}) and read again
 * after every action, so the screen says what the chain says rather than what was asked.
 */
import type { Participant } from "../../../../sdk/src/api-operations.ts";
import type { AppContext, Screen } from "../../context.ts";
import { field, h, replace, section } from "../../ui/dom.ts";
import { sentence } from "../../ui/errors.ts";
import { confirmAndSend } from "../../ui/transaction.ts";
import { findCounterparty, who } from "./shared.ts";

interface Listed {
  account: string;
  name: string;
}

/** Traders listed with their approval (at most this many: one chain read each). */
const MAX_LISTED = 20;

async function approved(ctx: AppContext, operator: string): Promise<{ approved: boolean; blockNumber: number }> {
  return ctx.api.call("getOperatorApproval", { address: ctx.session.address!, operator });
}

export const approvalsScreen: Screen = {
  path: "/approvals",
  title: "Operator approvals",
  nav: "Approvals",
  roles: ["holder"],
  async render(ctx) {
    const { participants } = await ctx.api.get<{ participants: Listed[] }>("/participants?kind=trader&status=active");
    const traders = participants.filter((p) => p.account !== ctx.session.address).slice(0, MAX_LISTED);
    const states = await Promise.all(traders.map((t) => approved(ctx, t.account)));
    const confirm = h("div", { class: "confirm-area" });
    const message = h("div", { class: "form-message", role: "alert" });

    const tbody = h("tbody");
    const listRow = (t: Listed, state: { approved: boolean }) => {
      const cell = h(
        "td",
        { "data-label": "Approved", class: "approval" },
        state.approved ? "yes: may move and retire your certificates" : "no",
      );
      return h(
        "tr",
        { "data-operator": t.account },
        h("td", { "data-label": "Trader" }, t.name),
        h("td", { "data-label": "Account", class: "mono" }, t.account),
        cell,
        h("td", { "data-label": "Action" }, actionButton(t, state.approved)),
      );
    };
    const actionButton = (t: Listed, isApproved: boolean) =>
      h(
        "button",
        { type: "button", onclick: () => act({ account: t.account, name: t.name }, !isApproved) },
        isApproved ? `Revoke ${t.name}` : `Grant ${t.name}`,
      );
    const fill = (rows: { t: Listed; state: { approved: boolean } }[]) =>
      replace(tbody, ...rows.map((r) => listRow(r.t, r.state)));
    fill(traders.map((t, i) => ({ t, state: states[i]! })));

    async function act(op: { account: string; name: string | null }, grant: boolean): Promise<void> {
      replace(message);
      message.className = "form-message";
      try {
        const tx = await ctx.api.call("buildApproval", {}, { operator: op.account, approved: grant });
        const title = grant
          ? `Approve ${who(op)} as an operator of your certificates`
          : `Revoke ${who(op)} as an operator`;
        const sent = await confirmAndSend(ctx, confirm, tx, title);
        if (!sent) return;
        const now = await approved(ctx, op.account);
        confirm.append(
          h(
            "p",
            { class: "chain-says", role: "status" },
            `The chain says (block ${now.blockNumber}): ${who(op)} ${now.approved ? "MAY" : "may NOT"} move or retire this account's certificates.`,
          ),
        );
        const fresh = await Promise.all(traders.map((t) => approved(ctx, t.account)));
        fill(traders.map((t, i) => ({ t, state: fresh[i]! })));
      } catch (error) {
        if (ctx.session.expired(error)) return;
        message.className = "form-message error";
        replace(message, h("p", {}, sentence(error, grant ? "Granting the approval" : "Revoking the approval")));
      }
    }

    const lookup = h("input", { name: "operator", type: "text", autocomplete: "off" });
    const found = h("div", { class: "lookup-result" });
    const form = h(
      "form",
      { novalidate: true, "aria-label": "Look up an operator" },
      field("Operator (organisation name or account address)", lookup, "Any admitted participant can be an operator."),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Look up")),
      found,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void (async () => {
        replace(found);
        try {
          const r = await findCounterparty(ctx, lookup.value, "operator");
          if (!r.ok) {
            replace(found, h("p", { class: "error", role: "alert" }, r.reason));
            return;
          }
          const p: Participant = r.participant;
          const state = await approved(ctx, p.account);
          replace(
            found,
            h(
              "p",
              { role: "status" },
              `The chain says (block ${state.blockNumber}): ${who(p)} ${state.approved ? "may" : "may not"} move or retire this account's certificates. `,
            ),
            h(
              "button",
              { type: "button", onclick: () => act(p, !state.approved) },
              state.approved ? "Revoke this operator" : "Grant this operator",
            ),
          );
        } catch (error) {
          if (ctx.session.expired(error)) return;
          replace(found, h("p", { class: "error", role: "alert" }, sentence(error, "Looking up the operator")));
        }
      })();
    });

    return section(
      "Operator approvals",
      h(
        "p",
        {},
        "An approved operator (a broker) can transfer and retire ALL of this account's certificates, in every batch, until you revoke it. Grant it only to an organisation you have a contract with.",
      ),
      traders.length > 0
        ? h(
            "table",
            { class: "data stack" },
            h("caption", {}, "Admitted traders and whether each may act for this account (read from the chain)"),
            h(
              "thead",
              {},
              h("tr", {}, ...["Trader", "Account", "Approved", "Action"].map((t) => h("th", { scope: "col" }, t))),
            ),
            tbody,
          )
        : h("p", { class: "muted" }, "No trader is admitted on the registry yet; look up any operator below."),
      form,
      message,
      confirm,
    );
  },
};
