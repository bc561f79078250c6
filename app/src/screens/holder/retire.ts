/**
 * Retire (#/retire?batch=ID): burn certificates against a claim — batch, amount, the beneficiary (this
 * organisation, or another one it retires on behalf of), the reporting year, the Scope 3 category (1 purchased goods
 * and services, 2 capital goods) and the purpose. The API builds the transaction (POST /tx/retire), the person
 * sees it and signs it in the wallet, and the new retirement is shown with its verify link and certificate PDF.
 * Every control is a native one, so the whole flow works with the keyboard alone (test/app/holder.test.ts).
 */
import { getAddress, isAddress } from "ethers";

import type { RetireRequest, PortfolioEntry } from "../../../../sdk/src/api-operations.ts";
import type { AppContext, Screen } from "../../context.ts";
import { field, h, replace, section } from "../../ui/dom.ts";
import { sentence } from "../../ui/errors.ts";
import { count } from "../../ui/format.ts";
import { confirmAndSend } from "../../ui/transaction.ts";
import { batchOptions, checkAmount } from "./forms.ts";
import { findRetirement, retirementLinks } from "./retirement-links.ts";
import { usableHoldings } from "./shared.ts";

export const retireScreen: Screen = {
  path: "/retire",
  title: "Retire certificates",
  nav: "Retire",
  roles: ["holder"],
  async render(ctx, _params, query) {
    const holdings = await usableHoldings(ctx, "Retire certificates", "retire");
    if ("empty" in holdings) return holdings.empty;
    return retireForm(ctx, holdings.usable, query.get("batch"));
  },
};

const MAX_TEXT = 1024;
const validAddress = (v: string): boolean => isAddress(v);

function retireForm(ctx: AppContext, usable: PortfolioEntry[], preselect: string | null): HTMLElement {
  const me = ctx.session.me!;
  const thisYear = new Date().getUTCFullYear();
  const batch = h("select", { name: "batch", required: true }, ...batchOptions(usable, preselect));
  const amount = h("input", {
    name: "amount",
    type: "text",
    inputmode: "numeric",
    required: true,
    autocomplete: "off",
  });
  const onBehalf = h("input", { name: "onBehalf", type: "checkbox" });
  const beneficiaryName = h("input", {
    name: "beneficiaryName",
    type: "text",
    maxlength: MAX_TEXT,
    autocomplete: "organization",
  });
  const beneficiary = h("input", { name: "beneficiary", type: "text", autocomplete: "off", spellcheck: "false" });
  const year = h("input", {
    name: "year",
    type: "number",
    min: 2000,
    max: 2100,
    step: 1,
    value: thisYear,
    required: true,
  });
  const scope3 = h(
    "select",
    { name: "scope3Category", required: true },
    h("option", { value: "2", selected: true }, "Category 2 — capital goods"),
    h("option", { value: "1" }, "Category 1 — purchased goods and services"),
  );
  const purpose = h("textarea", { name: "purpose", rows: 2, maxlength: MAX_TEXT });
  const other = h(
    "fieldset",
    { class: "on-behalf", hidden: true },
    h("legend", {}, "The organisation the claim is for"),
    field("Beneficiary organisation name", beneficiaryName, "As it should appear on the certificate."),
    field("Beneficiary account (optional)", beneficiary, "Its 0x… address, if it has one on the registry."),
  );
  onBehalf.addEventListener("change", () => {
    other.hidden = !onBehalf.checked;
  });
  const message = h("div", { class: "form-message", role: "alert" });
  const confirm = h("div", { class: "confirm-area" });
  const submit = h("button", { type: "submit", class: "primary" }, "Prepare the retirement");
  const ownName = me.name ?? me.account;

  const form = h(
    "form",
    { novalidate: true, "aria-label": "Retirement claim" },
    field("Batch", batch, "Only active batches can be retired from."),
    field("Amount (I-TEC)", amount, "Whole certificates, one per refurbished device; at most what you hold."),
    h(
      "div",
      { class: "field checkbox" },
      h("label", {}, onBehalf, " On behalf of another organisation"),
      h("small", { class: "hint" }, `Unticked, the claim is for this account's organisation: ${ownName}.`),
    ),
    other,
    field("Reporting year", year, "The claim covers 1 January to 31 December of this year (UTC)."),
    field("Scope 3 category", scope3, "Where the procurement is reported under the GHG Protocol."),
    field(
      "Purpose (optional)",
      purpose,
      "E.g. “FY2026 refurbished laptop procurement”. Stored on-chain with the claim.",
    ),
    h("div", { class: "actions" }, submit),
    message,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void prepare();
  });

  function check(): RetireRequest | { error: string; focus: HTMLElement } {
    const b = usable.find((x) => x.batchId === batch.value);
    if (!b) return { error: "Choose a batch you hold.", focus: batch };
    const checked = checkAmount(amount.value, b.held);
    if ("error" in checked) return { error: checked.error, focus: amount };
    if (BigInt(checked.amount) > 4_294_967_295n)
      return { error: "At most 4,294,967,295 I-TEC per retirement.", focus: amount };
    const y = Number(year.value);
    if (!Number.isInteger(y) || y < 2000 || y > 2100)
      return { error: "Give the reporting year, e.g. 2026.", focus: year };
    let name = ownName;
    let account: string | undefined = me.account;
    if (onBehalf.checked) {
      name = beneficiaryName.value.trim();
      if (!name) return { error: "Give the beneficiary organisation's name.", focus: beneficiaryName };
      const raw = beneficiary.value.trim();
      if (raw && !validAddress(raw)) {
        return {
          error: `“${raw}” is not an account address (0x followed by 40 hex digits); leave it empty if the organisation has none.`,
          focus: beneficiary,
        };
      }
      account = raw ? getAddress(raw) : undefined;
    }
    if (purpose.value.length > MAX_TEXT)
      return { error: `The purpose is limited to ${MAX_TEXT} characters.`, focus: purpose };
    return {
      batchId: b.batchId,
      amount: checked.amount,
      beneficiaryName: name,
      ...(account ? { beneficiary: account } : {}),
      periodStart: `${y}-01-01`,
      periodEnd: `${y}-12-31`,
      scope3Category: scope3.value === "1" ? 1 : 2,
      purpose: purpose.value.trim(),
    };
  }

  async function prepare(): Promise<void> {
    replace(message);
    replace(confirm);
    message.className = "form-message";
    const request = check();
    if ("error" in request) {
      message.className = "form-message error";
      replace(message, h("p", {}, request.error));
      request.focus.focus();
      return;
    }
    submit.disabled = true;
    try {
      const tx = await ctx.api.call("buildRetirement", {}, request);
      const title = `Retire ${count(request.amount)} I-TEC of batch #${request.batchId} for ${request.beneficiaryName}`;
      const sent = await confirmAndSend(ctx, confirm, tx, title);
      if (!sent || sent.status !== "mined") return;
      const status = h("p", { role: "status" }, "Retired: finding the retirement's number…");
      confirm.append(status);
      const retirement = await findRetirement(ctx, ctx.session.address!, request.batchId, sent.hash);
      const heading = h("h3", { tabindex: -1 }, retirement ? `Retirement #${retirement.retirementId}` : "Retired");
      replace(
        status,
        heading,
        retirement
          ? h(
              "p",
              {},
              `${count(request.amount)} I-TEC of batch #${request.batchId} retired for ${request.beneficiaryName}, ${request.periodStart} – ${request.periodEnd}, Scope 3 category ${request.scope3Category}. `,
              ...retirementLinks(retirement.retirementId),
            )
          : h(
              "p",
              {},
              "The retirement is on-chain; the listing has not caught up yet. It will appear under ",
              h("a", { href: "#/retirements" }, "Retirements"),
              " in a moment.",
            ),
      );
      status.removeAttribute("role");
      // The form's figures are stale now (fewer certificates held): it gives way to what comes next.
      form.hidden = true;
      confirm.append(
        h(
          "p",
          { class: "actions" },
          h("a", { href: "#/retirements" }, "Retirement history"),
          " ",
          h("a", { href: "#/portfolio" }, "Portfolio"),
        ),
      );
      heading.focus();
      ctx.notify(`Retired ${count(request.amount)} I-TEC of batch #${request.batchId}.`, "success");
    } catch (error) {
      if (ctx.session.expired(error)) return;
      message.className = "form-message error";
      replace(message, h("p", {}, sentence(error, "Preparing the retirement")));
    } finally {
      submit.disabled = false;
    }
  }

  return section(
    "Retire certificates",
    h(
      "p",
      { class: "muted" },
      "Retiring burns the certificates against your claim: it cannot be undone. An I-TEC is not an offset; it certifies lower-intensity IT procurement.",
    ),
    form,
    confirm,
  );
}
