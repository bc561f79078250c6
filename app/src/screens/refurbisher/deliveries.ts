/**
 * Send a delivery (#/deliveries/new, docs/deliveries.md): the ITAD names the customer and its delivery reference and
 * gives the devices delivered (a CSV file, or manufacturer,serial lines typed or pasted). The registry answers the
 * certificates per batch and each device without one, with its reason; the person sees the transfer (its data the
 * reference's hash) before signing, and once it is mined the registry checks it on the chain and records the
 * delivery. Below: the deliveries this account made.
 */
import "./refurbisher.css";

import type { Delivery, DeliveryPrepared } from "../../../../sdk/src/delivery.ts";
import type { AppContext, Screen } from "../../context.ts";
import { field, h, replace, section, table } from "../../ui/dom.ts";
import { sentence } from "../../ui/errors.ts";
import { count, dateTime } from "../../ui/format.ts";
import { confirmAndSend } from "../../ui/transaction.ts";
import { findCounterparty, who } from "../holder/shared.ts";

/** Each refusal code in words (core/deliveries/plan.ts REFUSAL_REASONS). */
export const REASON_TEXT: Record<string, string> = {
  DUPLICATE_IN_DELIVERY: "listed earlier in this delivery",
  NOT_CERTIFIED: "not certified by this registry",
  PENDING: "its batch is under review, not issued yet",
  OTHER_OWNER: "certified in another participant's batch",
  ALREADY_DELIVERED: "its certificate went with another delivery",
  BATCH_SUSPENDED: "its batch is suspended",
  BATCH_REVERSED: "its batch is reversed",
  NOT_HELD: "you no longer hold enough certificates of its batch",
};

export const deliverySendScreen: Screen = {
  path: "/deliveries/new",
  title: "Send a delivery",
  nav: "Deliveries",
  roles: ["refurbisher"],
  async render(ctx) {
    const made = await ctx.api.deliveries("itad");
    const root = section(
      "Send a delivery",
      h(
        "p",
        {},
        "Pass on the certificates of the devices you delivered: the registry finds the batches certifying them and " +
          "prepares one transfer to your customer carrying your delivery reference. Serials are never stored.",
      ),
      deliveryForm(ctx),
      madeList(made),
    );
    root.classList.add("refurbisher");
    return root;
  },
};

function deliveryForm(ctx: AppContext): HTMLElement {
  const customer = h("input", { name: "customer", type: "text", required: true, autocomplete: "off" });
  const reference = h("input", { name: "reference", type: "text", required: true, autocomplete: "off" });
  const devices = h("textarea", { name: "devices", rows: 6, spellcheck: false });
  devices.placeholder = "manufacturer,serial\nDell,CN0LAT54000";
  const file = h("input", { name: "file", type: "file", accept: ".csv,text/csv" });
  const message = h("div", { class: "form-message", role: "alert" });
  const plan = h("div", { class: "delivery-plan" });
  const confirm = h("div", { class: "confirm-area" });
  const submit = h("button", { type: "submit", class: "primary" }, "Check the devices and prepare the transfer");
  const form = h(
    "form",
    { novalidate: true, "aria-label": "Send a delivery" },
    field("Customer (organisation name or account address)", customer, "An admitted participant."),
    field("Delivery reference", reference, "Your order or delivery number, e.g. ORD-123 (up to 128 characters)."),
    field("Devices delivered (CSV file)", file, "Columns manufacturer and serial; a lot CSV works as it is."),
    field("…or the devices as text", devices, "One device a line: manufacturer,serial, with that header line."),
    h("div", { class: "actions" }, submit),
    message,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void prepare();
  });

  async function prepare(): Promise<void> {
    replace(message);
    replace(plan);
    replace(confirm);
    const refuse = (text: string, focus?: HTMLElement) => {
      message.className = "form-message error";
      replace(message, h("p", {}, text));
      focus?.focus();
    };
    message.className = "form-message";
    if (!reference.value.trim()) return refuse("Give the delivery reference.", reference);
    const csv = file.files?.[0] ? await file.files[0].text() : devices.value;
    if (!csv.trim()) return refuse("Choose the delivery's CSV file or type its devices.", devices);
    submit.disabled = true;
    try {
      const found = await findCounterparty(ctx, customer.value, "customer");
      if (!found.ok) return refuse(found.reason, customer);
      const query = new URLSearchParams({ customer: found.participant.account, reference: reference.value.trim() });
      const { body: p } = await ctx.api.send<DeliveryPrepared>("POST", `/deliveries?${query.toString()}`, csv, {
        "content-type": "text/csv",
      });
      replace(plan, planView(p));
      if (!p.transaction) {
        message.className = "form-message error";
        replace(message, h("p", {}, "No device of this delivery carries a certificate you can pass on."));
        return;
      }
      const title = `Send ${count(p.delivery.certified)} I-TEC to ${who(found.participant)} with delivery ${p.delivery.reference}`;
      const sent = await confirmAndSend(ctx, confirm, p.transaction, title);
      if (sent?.status !== "mined") return;
      const d = await ctx.api.recordDeliveryTransfer(p.delivery.id, sent.hash);
      ctx.notify(`Delivery ${d.reference} sent: ${d.certified} certificates to ${who(found.participant)}.`, "success");
      form.hidden = true;
      confirm.append(h("p", { class: "delivery-summary" }, d.summary.replace(/^received/, "Sent")));
    } catch (error) {
      if (ctx.session.expired(error)) return;
      refuse(sentence(error, "Preparing the delivery"));
    } finally {
      submit.disabled = false;
    }
  }

  return h("div", {}, form, plan, confirm);
}

function planView(p: DeliveryPrepared): HTMLElement {
  const d = p.delivery;
  return h(
    "div",
    { class: "delivery-plan", "data-delivery": d.id },
    h("h3", {}, `Delivery ${d.reference}: ${count(d.delivered)} devices, ${count(d.certified)} certified`),
    d.items.length
      ? table(
          `Certificates of delivery ${d.reference}, per batch`,
          ["Batch", "Category", "Certificates"],
          d.items.map((i) => [`#${i.batchId}`, i.category, `${count(i.amount)} I-TEC`]),
        )
      : null,
    p.refused.length
      ? table(
          `Devices of delivery ${d.reference} without a certificate`,
          ["Row", "Device", "Why"],
          p.refused.map((r) => [String(r.row), r.serial ?? r.deviceId, REASON_TEXT[r.reason] ?? r.reason]),
        )
      : null,
  );
}

function madeList(made: Delivery[]): HTMLElement | null {
  if (made.length === 0) return null;
  return h(
    "div",
    { class: "table-scroll" },
    table(
      "Your deliveries, newest first",
      ["Reference", "Customer", "State", "Devices", "Certified", "Prepared"],
      made.map((d) => [
        d.reference,
        h("span", { class: "mono" }, d.customer),
        d.state,
        count(d.delivered),
        count(d.certified),
        dateTime(d.createdAt),
      ]),
    ),
  );
}
