/**
 * Transfer (#/transfer?batch=ID): certificates of one batch to another admitted participant, found by organisation
 * name or address. Everything the app can check is checked before the wallet is asked — the recipient is an active
 * participant (GET /participants/{address}, read from the chain), it is not this account, the amount is at most
 * what is held in an active batch — and a refusal says why. Then the API builds the transfer and the person sees
 * it before signing (confirmAndSend).
 */
import type { PortfolioEntry } from "../../../../sdk/src/api-operations.ts";
import type { AppContext, Screen } from "../../context.ts";
import { field, h, replace, section } from "../../ui/dom.ts";
import { sentence } from "../../ui/errors.ts";
import { count } from "../../ui/format.ts";
import { confirmAndSend } from "../../ui/transaction.ts";
import { batchOptions, checkAmount } from "./forms.ts";
import { findCounterparty, usableHoldings, who } from "./shared.ts";

export const transferScreen: Screen = {
  path: "/transfer",
  title: "Transfer certificates",
  nav: "Transfer",
  roles: ["holder"],
  async render(ctx, _params, query) {
    const holdings = await usableHoldings(ctx, "Transfer certificates", "transfer");
    if ("empty" in holdings) return holdings.empty;
    return transferForm(ctx, holdings.usable, query.get("batch"));
  },
};

function transferForm(ctx: AppContext, usable: PortfolioEntry[], preselect: string | null): HTMLElement {
  const batch = h("select", { name: "batch", required: true }, ...batchOptions(usable, preselect));
  const amount = h("input", {
    name: "amount",
    type: "text",
    inputmode: "numeric",
    required: true,
    autocomplete: "off",
  });
  const recipient = h("input", { name: "recipient", type: "text", required: true, autocomplete: "off" });
  const message = h("div", { class: "form-message", role: "alert" });
  const confirm = h("div", { class: "confirm-area" });
  const submit = h("button", { type: "submit", class: "primary" }, "Check and prepare the transfer");
  const held = () => usable.find((b) => b.batchId === batch.value);

  const form = h(
    "form",
    { novalidate: true, "aria-label": "Transfer" },
    field("Batch", batch, "Only active batches can be transferred."),
    field("Amount (I-TEC)", amount, "Whole certificates; at most what you hold of the batch."),
    field(
      "Recipient (organisation name or account address)",
      recipient,
      "Must be an admitted participant in good standing.",
    ),
    h("div", { class: "actions" }, submit),
    message,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void prepare();
  });

  async function prepare(): Promise<void> {
    replace(message);
    replace(confirm);
    message.className = "form-message";
    const b = held();
    const refuse = (text: string, focus?: HTMLElement) => {
      message.className = "form-message error";
      replace(message, h("p", {}, text));
      focus?.focus();
    };
    if (!b) return refuse("Choose a batch you hold.", batch);
    const checked = checkAmount(amount.value, b.held);
    if ("error" in checked) return refuse(checked.error, amount);
    const n = checked.amount;
    submit.disabled = true;
    try {
      const found = await findCounterparty(ctx, recipient.value, "recipient");
      if (!found.ok) {
        refuse(found.reason, recipient);
        if (found.candidates) {
          message.append(
            h(
              "ul",
              {},
              ...found.candidates.map((c) => h("li", {}, `${c.name} — `, h("span", { class: "mono" }, c.account))),
            ),
          );
        }
        return;
      }
      const to = found.participant;
      if (to.account === ctx.session.address)
        return refuse("That is this account: choose another recipient.", recipient);
      const tx = await ctx.api.call(
        "buildTransfer",
        {},
        { to: to.account, items: [{ batchId: b.batchId, amount: n }] },
      );
      const sent = await confirmAndSend(
        ctx,
        confirm,
        tx,
        `Transfer ${count(n)} I-TEC of batch #${b.batchId} to ${who(to)}`,
      );
      if (!sent) return;
      if (sent.status === "mined") {
        ctx.notify(`Transferred ${count(n)} I-TEC of batch #${b.batchId} to ${who(to)}.`, "success");
        // The form's figures are stale now (fewer certificates held): it gives way to what comes next.
        form.hidden = true;
        const back = h("a", { href: "#/portfolio" }, "Back to the portfolio");
        confirm.append(h("p", {}, back));
        back.focus();
      }
    } catch (error) {
      if (ctx.session.expired(error)) return;
      refuse(sentence(error, "Preparing the transfer"));
    } finally {
      submit.disabled = false;
    }
  }

  return section("Transfer certificates", form, confirm);
}
