/**
 * Sell (#/market/sell): the seller signs an offer in its wallet (eth_signTypedData_v4 for the market's EIP-712
 * domain, GET /market) and publishes it (POST /market/offers, where the API verifies it). The market must be
 * approved as operator of the seller's certificates (#/approvals, or the button here) before anyone can fill it.
 */
import type { Screen } from "../../context.ts";
import { field, h, replace, section } from "../../ui/dom.ts";
import { sentence } from "../../ui/errors.ts";
import { confirmAndSend } from "../../ui/transaction.ts";
import type { UnsignedTx } from "../../../../sdk/src/api-client.ts";
import { makeOffer, OFFER_TYPES, offerToJson } from "../../../../sdk/src/market/offer.ts";

const DAY = 86_400;
const whole = (v: string) => /^[0-9]{1,30}$/.test(v.trim());

export const sellScreen: Screen = {
  path: "/market/sell",
  title: "Market: sell certificates",
  roles: ["holder"],
  async render(ctx) {
    const info = await ctx.api.get<{ address: string; domain: { chainId: string; verifyingContract: string } }>(
      "/market",
    );
    const input = (name: string, value = "") =>
      h("input", { name, type: "text", inputmode: "numeric", autocomplete: "off", value });
    const batch = input("batch");
    const quantity = input("quantity");
    const price = input("price");
    const token = h("input", { name: "token", type: "text", autocomplete: "off" });
    const invoiceDays = input("invoiceDays", "0");
    const days = input("days", "30");
    const message = h("div", { class: "form-message", role: "alert" });
    const confirm = h("div", { class: "confirm-area" });
    const form = h(
      "form",
      { novalidate: true, "aria-label": "Sell" },
      field("Batch", batch, "The batch sold (you must hold it)."),
      field("Quantity (I-TEC)", quantity, "Most certificates sold over all fills."),
      field("Price per certificate (token units)", price),
      field("Settlement token (address)", token, "An admitted token; leave empty to sell on invoice only."),
      field("Invoice reservation (days)", invoiceDays, "0: no purchases on invoice."),
      field("Offer stands for (days)", days),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Sign and publish the offer")),
      message,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void publish();
    });

    async function publish(): Promise<void> {
      replace(message);
      message.className = "form-message";
      const refuse = (text: string) => {
        message.className = "form-message error";
        replace(message, h("p", {}, text));
      };
      for (const [el, label] of [
        [batch, "batch"],
        [quantity, "quantity"],
        [price, "price"],
        [invoiceDays, "invoice days"],
        [days, "days"],
      ] as const) {
        if (!whole(el.value)) return refuse(`Enter a whole number for the ${label}.`);
      }
      const tokenText = token.value.trim() || "0x0000000000000000000000000000000000000000";
      if (!/^0x[0-9a-fA-F]{40}$/.test(tokenText)) return refuse("The settlement token must be an address.");
      const offer = makeOffer({
        seller: ctx.session.address!,
        token: tokenText,
        batchId: BigInt(batch.value.trim()),
        quantity: BigInt(quantity.value.trim()),
        price: BigInt(price.value.trim()),
        nonce: BigInt(Date.now()),
        expiry: BigInt(Math.floor(Date.now() / 1000) + Number(days.value) * DAY),
        paymentWindow: BigInt(Number(invoiceDays.value) * DAY),
      });
      const domain = {
        name: "I-TEC Market",
        version: "1",
        chainId: BigInt(info.domain.chainId),
        verifyingContract: info.domain.verifyingContract,
      };
      try {
        if (!ctx.session.onRegistryChain) await ctx.session.switchChain();
        const signer = await ctx.session.signer();
        const signature = await signer.signTypedData(domain, OFFER_TYPES, offer);
        const published = await ctx.api.post<{ hash: string; remaining: string }>("/market/offers", {
          offer: offerToJson(offer),
          signature,
          signedFor: { chainId: info.domain.chainId, verifyingContract: info.domain.verifyingContract },
        });
        message.className = "form-message success";
        replace(
          message,
          h("p", { role: "status" }, `Published: offer ${published.hash} (${published.remaining} I-TEC).`),
        );
      } catch (error) {
        if (ctx.session.expired(error)) return;
        refuse(sentence(error, "Publishing the offer"));
      }
    }

    const approve = h("button", { type: "button" }, "Approve the market as operator of my certificates");
    approve.addEventListener("click", () => {
      void (async () => {
        try {
          const tx = await ctx.api.post<UnsignedTx>("/tx/approval", { operator: info.address, approved: true });
          await confirmAndSend(ctx, confirm, tx, "Let the market deliver the certificates you sell");
        } catch (error) {
          if (ctx.session.expired(error)) return;
          replace(confirm, h("p", { class: "error", role: "alert" }, sentence(error, "Approving the market")));
        }
      })();
    });

    return section(
      "Sell certificates",
      h(
        "p",
        {},
        "Your wallet signs the offer (nothing is sent to the chain); buyers fill it with the market contract ",
        h("span", { class: "mono" }, info.address),
        ", which needs your approval as operator to deliver the certificates.",
      ),
      h("div", { class: "actions" }, approve),
      confirm,
      form,
    );
  },
};
