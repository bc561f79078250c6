/**
 * Reservations (#/market/reservations): this account's on-invoice purchases and sales (GET /market/reservations,
 * from the market's events): open, confirmed or reclaimed. The seller confirms payment (the certificates go to the
 * buyer); the buyer may give an open reservation up, and anyone may reclaim one past its expiry.
 */
import type { Screen } from "../../context.ts";
import { h, replace, section } from "../../ui/dom.ts";
import { sentence } from "../../ui/errors.ts";
import { count, dateTime, shortAddress } from "../../ui/format.ts";
import { confirmAndSend } from "../../ui/transaction.ts";
import type { UnsignedTx } from "../../../../sdk/src/api-client.ts";
import type { MarketReservation as Reservation } from "../../../../sdk/src/api-operations.ts";

export const reservationsScreen: Screen = {
  path: "/market/reservations",
  title: "Market: reservations",
  roles: ["holder"],
  render(ctx) {
    const me = ctx.session.address!;
    const body = h("div", { "aria-live": "polite" });
    const confirm = h("div", { class: "confirm-area" });

    async function act(r: Reservation, verb: "confirm" | "reclaim"): Promise<void> {
      try {
        const tx = await ctx.api.post<UnsignedTx>(`/tx/market/${verb}`, { reservationId: r.reservationId });
        const title =
          verb === "confirm"
            ? `Confirm payment of reservation #${r.reservationId}: ${count(r.amount)} I-TEC go to the buyer`
            : `Reclaim reservation #${r.reservationId}: ${count(r.amount)} I-TEC go back to the seller`;
        const sent = await confirmAndSend(ctx, confirm, tx, title);
        if (sent?.status === "mined") await load();
      } catch (error) {
        if (ctx.session.expired(error)) return;
        replace(confirm, h("p", { class: "error", role: "alert" }, sentence(error, "Preparing the transaction")));
      }
    }

    async function load(): Promise<void> {
      try {
        const { reservations } = await ctx.api.get<{ reservations: Reservation[] }>(
          `/market/reservations?account=${me}`,
        );
        if (reservations.length === 0) {
          replace(body, h("p", { class: "muted" }, "No reservations: purchases on invoice show here."));
          return;
        }
        const rows = reservations.map((r) => {
          const actions =
            r.status !== "open"
              ? "—"
              : [
                  r.seller === me
                    ? h("button", { type: "button", onclick: () => act(r, "confirm") }, "Confirm payment")
                    : null,
                  r.buyer === me || r.expired
                    ? h("button", { type: "button", onclick: () => act(r, "reclaim") }, "Reclaim")
                    : null,
                ];
          return h(
            "tr",
            { "data-reservation": r.reservationId },
            h("td", { "data-label": "Reservation" }, `#${r.reservationId}`),
            h("td", { "data-label": "Role" }, r.seller === me ? "you sell" : "you buy"),
            h(
              "td",
              { "data-label": "Counterparty", class: "mono" },
              shortAddress(r.seller === me ? r.buyer : r.seller),
            ),
            h("td", { "data-label": "Certificates" }, `${count(r.amount)} of batch #${r.batchId}`),
            h("td", { "data-label": "Invoiced" }, r.price),
            h("td", { "data-label": "Status" }, r.status + (r.expired ? " (expired)" : "")),
            h("td", { "data-label": "Until" }, dateTime(r.expiresAt)),
            h("td", { "data-label": "Action" }, actions),
          );
        });
        replace(
          body,
          h(
            "table",
            { class: "data stack reservations" },
            h("caption", {}, "On-invoice reservations of this account (read from the market's events)"),
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                ...["Reservation", "Role", "Counterparty", "Certificates", "Invoiced", "Status", "Until", "Action"].map(
                  (t) => h("th", { scope: "col" }, t),
                ),
              ),
            ),
            h("tbody", {}, ...rows),
          ),
        );
      } catch (error) {
        if (ctx.session.expired(error)) return;
        replace(body, h("p", { class: "error", role: "alert" }, sentence(error, "Reading the reservations")));
      }
    }

    void load();
    return section("Reservations", h("p", {}, h("a", { href: "#/market" }, "Back to the offer book")), body, confirm);
  },
};
