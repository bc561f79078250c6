/**
 * The offer book (#/market): open offers with what is left of each (GET /market/offers, read from the market
 * contract), filtered by category, V̄ and price. Buying: with DvP the token payment and the certificates move in one
 * transaction (the market is first approved on the token for exactly this payment, if it is not already); on
 * invoice the certificates are reserved until the seller confirms payment. Every transaction is shown decoded
 * before the wallet signs it (confirmAndSend).
 */
import type { AppContext, Screen } from "../../context.ts";
import { field, h, replace, section } from "../../ui/dom.ts";
import { sentence } from "../../ui/errors.ts";
import { count, day, shortAddress } from "../../ui/format.ts";
import { confirmAndSend } from "../../ui/transaction.ts";
import type { UnsignedTx } from "../../../../sdk/src/api-client.ts";

export interface BookOffer {
  hash: string;
  offer: {
    seller: string;
    token: string;
    batchId: string;
    category: number;
    minReductionGrams: string;
    quantity: string;
    price: string;
    paymentWindow: string;
  };
  remaining: string;
  status: string;
  expiresAt: string;
}

const CATEGORIES = ["any", "laptop", "desktop", "monitor", "smartphone", "tablet", "server"];

export const offerBookScreen: Screen = {
  path: "/market",
  title: "Market: offer book",
  nav: "Market",
  roles: ["holder"],
  render(ctx, _params, query) {
    const category = h(
      "select",
      { name: "category" },
      ...CATEGORIES.map((c, i) =>
        h("option", { value: i === 0 ? "" : String(i), selected: query.get("category") === String(i) }, c),
      ),
    );
    const maxPrice = h("input", { name: "maxPrice", type: "text", inputmode: "numeric", autocomplete: "off" });
    const minReduction = h("input", { name: "minReduction", type: "text", inputmode: "numeric", autocomplete: "off" });
    const vintageFrom = h("input", { name: "vintageFrom", type: "date" });
    const vintageTo = h("input", { name: "vintageTo", type: "date" });
    const list = h("div", { class: "offer-list", "aria-live": "polite" });
    const confirm = h("div", { class: "confirm-area" });
    const message = h("div", { class: "form-message", role: "alert" });
    const filters = h(
      "form",
      { novalidate: true, "aria-label": "Filter offers" },
      field("Device category", category),
      field("Highest price per certificate (token units)", maxPrice),
      field("Least V̄ guaranteed (grams per certificate)", minReduction),
      field("Refurbished from", vintageFrom, "Offers whose vintage window starts on or after this day."),
      field("Refurbished until", vintageTo, "Offers whose vintage window ends on or before this day."),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Show offers")),
    );
    filters.addEventListener("submit", (event) => {
      event.preventDefault();
      void load();
    });

    async function load(): Promise<void> {
      replace(message);
      const q = new URLSearchParams();
      if (category.value) q.set("category", category.value);
      if (maxPrice.value.trim()) q.set("maxPrice", maxPrice.value.trim());
      if (minReduction.value.trim()) q.set("minReductionGrams", minReduction.value.trim());
      const seconds = (d: string) => String(Date.parse(`${d}T00:00:00Z`) / 1000);
      if (vintageFrom.value) q.set("vintageFrom", seconds(vintageFrom.value));
      if (vintageTo.value) q.set("vintageTo", seconds(vintageTo.value));
      try {
        const { offers } = await ctx.api.get<{ offers: BookOffer[] }>(`/market/offers?${q.toString()}`);
        replace(list, offersTable(ctx, offers, buy));
      } catch (error) {
        if (ctx.session.expired(error)) return;
        message.className = "form-message error";
        replace(message, h("p", {}, sentence(error, "Reading the offer book")));
      }
    }

    async function buy(o: BookOffer, amountText: string, onInvoice: boolean): Promise<void> {
      replace(message);
      message.className = "form-message";
      const refuse = (text: string) => {
        message.className = "form-message error";
        replace(message, h("p", {}, text));
      };
      if (!/^[1-9][0-9]{0,9}$/.test(amountText.trim())) return refuse("Enter a whole number of certificates.");
      const amount = BigInt(amountText.trim());
      if (amount > BigInt(o.remaining)) return refuse(`Only ${count(o.remaining)} I-TEC are left of this offer.`);
      try {
        if (!onInvoice) {
          // The market takes the payment from this account: approve exactly this payment first.
          const payment = (BigInt(o.offer.price) * amount).toString();
          const approve = await ctx.api.post<UnsignedTx>("/tx/market/approve", {
            token: o.offer.token,
            amount: payment,
          });
          const ok = await confirmAndSend(
            ctx,
            confirm,
            approve,
            `Let the market take ${payment} of the token for this purchase`,
          );
          if (!ok || ok.status !== "mined") return;
        }
        const tx = await ctx.api.post<UnsignedTx>("/tx/market/fill", {
          offerHash: o.hash,
          amount: amount.toString(),
          onInvoice,
        });
        const title = onInvoice
          ? `Reserve ${count(amount)} I-TEC of batch #${o.offer.batchId} on invoice`
          : `Buy ${count(amount)} I-TEC of batch #${o.offer.batchId} (delivery versus payment)`;
        const sent = await confirmAndSend(ctx, confirm, tx, title);
        if (sent?.status === "mined") {
          ctx.notify(
            onInvoice ? "Reserved: the seller confirms once paid." : "Bought: the certificates are yours.",
            "success",
          );
          await load();
        }
      } catch (error) {
        if (ctx.session.expired(error)) return;
        refuse(sentence(error, "Preparing the purchase"));
      }
    }

    void load();
    return section(
      "Offer book",
      h(
        "p",
        {},
        "Signed offers of admitted sellers, with what is left of each (read from the market contract). ",
        h("a", { href: "#/market/sell" }, "Sell certificates"),
        " · ",
        h("a", { href: "#/market/reservations" }, "Your reservations"),
      ),
      filters,
      message,
      list,
      confirm,
    );
  },
};

function offersTable(
  ctx: AppContext,
  offers: BookOffer[],
  buy: (o: BookOffer, amount: string, onInvoice: boolean) => Promise<void>,
): HTMLElement {
  if (offers.length === 0) return h("p", { class: "muted" }, "No open offer matches.");
  const rows = offers.map((o) => {
    const amount = h("input", {
      type: "text",
      inputmode: "numeric",
      autocomplete: "off",
      "aria-label": `Certificates to buy of offer ${o.hash.slice(0, 10)}`,
      size: 6,
    });
    const own = o.offer.seller === ctx.session.address;
    const invoice = o.offer.paymentWindow !== "0";
    const dvp = o.offer.token !== "0x0000000000000000000000000000000000000000";
    return h(
      "tr",
      { "data-offer": o.hash },
      h(
        "td",
        { "data-label": "Batch" },
        o.offer.batchId === "0" ? `any ${CATEGORIES[o.offer.category]}` : `#${o.offer.batchId}`,
      ),
      h("td", { "data-label": "Seller", class: "mono" }, shortAddress(o.offer.seller)),
      h("td", { "data-label": "Left" }, `${count(o.remaining)} of ${count(o.offer.quantity)}`),
      h("td", { "data-label": "Price" }, o.offer.price),
      h("td", { "data-label": "Expires" }, day(o.expiresAt)),
      h(
        "td",
        { "data-label": "Buy" },
        own
          ? "your offer"
          : [
              amount,
              dvp ? h("button", { type: "button", onclick: () => buy(o, amount.value, false) }, "Buy (DvP)") : null,
              invoice ? h("button", { type: "button", onclick: () => buy(o, amount.value, true) }, "On invoice") : null,
            ],
      ),
    );
  });
  return h(
    "table",
    { class: "data stack offers" },
    h("caption", {}, "Open offers (price per certificate in the token's smallest unit)"),
    h(
      "thead",
      {},
      h("tr", {}, ...["Batch", "Seller", "Left", "Price", "Expires", "Buy"].map((t) => h("th", { scope: "col" }, t))),
    ),
    h("tbody", {}, ...rows),
  );
}
