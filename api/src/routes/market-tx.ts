/**
 * The market's transactions, built unsigned for the caller's wallet (simulated first, like POST /tx/transfer) and
 * relayed by POST /tx/relay: fill (DvP) or fill on invoice a published offer, confirm payment of or reclaim a
 * reservation, cancel an offer, publish a request for quote, approve the market on a settlement token.
 */
import { z } from "zod";

import { requireMarket, type AppDeps } from "../deps.ts";
import { ACCOUNTS } from "../examples/wallet.ts";
import { HttpProblem } from "../problem.ts";
import { defineRoute, type RouteSpec } from "../route/define.ts";
import { address, hash32, positiveId, positiveIdString, uint32String, uintString, uintStringOf } from "../schemas.ts";
import { tokenInterface } from "../services/market/market.ts";
import { txResponse } from "./transactions.ts";

const uint40 = uintStringOf(40, { id: "Uint40String", example: "1767225600" });
const uint64 = uintStringOf(64, { id: "Uint64String", example: "1798761600" });
const exampleHash = `0x${"ab".repeat(32)}`;
const TX_PROBLEMS = ["MARKET_UNAVAILABLE", "WOULD_REVERT"] as const;

export function marketTxRoutes(deps: AppDeps): RouteSpec[] {
  const tx = deps.txs;
  return [
    defineRoute({
      method: "post",
      path: "/tx/market/fill",
      operationId: "buildMarketFill",
      summary: "Unsigned fill of a published offer: DvP (token payment and certificates at once) or on invoice",
      description:
        "DvP moves price × amount of the offer's token from you to the seller (approve the market first: " +
        "POST /tx/market/approve) and the certificates to you. `onInvoice` reserves them instead until the seller " +
        "confirms payment or the offer's payment window passes.",
      tags: ["transactions", "market"],
      auth: "session",
      limit: "write",
      body: z.object({
        offerHash: hash32,
        amount: uint32String,
        batchId: positiveIdString.optional().describe("the batch to buy (required when the offer names none)"),
        onInvoice: z.boolean().default(false),
      }),
      example: { body: { offerHash: exampleHash, amount: "10" } },
      responses: txResponse,
      problems: [...TX_PROBLEMS, "OFFER_NOT_FOUND", "OFFER_INVALID"],
      handler: async ({ body, session }) => {
        const market = requireMarket(deps);
        const { offer, signature, hash } = await market.get(body.offerHash);
        const batchId = body.batchId ?? (offer.batchId === 0n ? undefined : offer.batchId.toString());
        if (!batchId) {
          throw new HttpProblem(422, "OFFER_INVALID", "Batch needed", "the offer sells any matching batch: name one", {
            errors: [{ pointer: "/body/batchId", detail: "required for an offer without a batch" }],
          });
        }
        const fn = body.onInvoice ? "fillOnInvoice" : "fill";
        const price = offer.price * BigInt(body.amount);
        const how = body.onInvoice ? `on invoice (${price} invoiced)` : `paying ${price} of token ${offer.token}`;
        return {
          body: await tx.build(
            session!.address,
            fn,
            [offer, signature, batchId, body.amount],
            `buy ${body.amount} I-TEC of batch #${batchId} from ${offer.seller} under offer ${hash.slice(0, 10)}… ${how}`,
            market.target(),
          ),
        };
      },
    }),
    defineRoute({
      method: "post",
      path: "/tx/market/confirm",
      operationId: "buildMarketConfirm",
      summary: "Unsigned confirmPayment: the seller releases a reservation's certificates to the buyer",
      tags: ["transactions", "market"],
      auth: "session",
      limit: "write",
      body: z.object({ reservationId: positiveId }),
      example: { body: { reservationId: "1" } },
      responses: txResponse,
      problems: [...TX_PROBLEMS],
      handler: async ({ body, session }) => {
        const market = requireMarket(deps);
        return {
          body: await tx.build(
            session!.address,
            "confirmPayment",
            [body.reservationId],
            `confirm payment of reservation #${body.reservationId}: its certificates go to the buyer`,
            market.target(),
          ),
        };
      },
    }),
    defineRoute({
      method: "post",
      path: "/tx/market/reclaim",
      operationId: "buildMarketReclaim",
      summary: "Unsigned reclaim: end an unpaid reservation (anyone after expiry; before, only the buyer)",
      tags: ["transactions", "market"],
      auth: "session",
      limit: "write",
      body: z.object({ reservationId: positiveId }),
      example: { body: { reservationId: "1" } },
      responses: txResponse,
      problems: [...TX_PROBLEMS],
      handler: async ({ body, session }) => {
        const market = requireMarket(deps);
        return {
          body: await tx.build(
            session!.address,
            "reclaim",
            [body.reservationId],
            `reclaim reservation #${body.reservationId}: its certificates go back to the seller`,
            market.target(),
          ),
        };
      },
    }),
    defineRoute({
      method: "post",
      path: "/tx/market/cancel",
      operationId: "buildMarketCancel",
      summary: "Unsigned cancelOffer: the seller voids a published offer (its nonce)",
      tags: ["transactions", "market"],
      auth: "session",
      limit: "write",
      body: z.object({ offerHash: hash32 }),
      example: { body: { offerHash: exampleHash } },
      responses: txResponse,
      problems: [...TX_PROBLEMS, "OFFER_NOT_FOUND"],
      handler: async ({ body, session }) => {
        const market = requireMarket(deps);
        const { offer, hash } = await market.get(body.offerHash);
        return {
          body: await tx.build(
            session!.address,
            "cancelOffer",
            [offer],
            `cancel offer ${hash.slice(0, 10)}… (nonce ${offer.nonce} of ${offer.seller})`,
            market.target(),
          ),
        };
      },
    }),
    defineRoute({
      method: "post",
      path: "/tx/market/request",
      operationId: "buildMarketRequest",
      summary: "Unsigned publishRequest: a request for quote sellers answer with offers",
      tags: ["transactions", "market"],
      auth: "session",
      limit: "write",
      body: z.object({
        category: z.number().int().min(0).max(6).default(0),
        quantity: uint32String,
        maxIntensityGrams: uint40.default("0"),
        vintageFrom: uint40.default("0"),
        vintageTo: uint40.default("0"),
        expiry: uint64,
      }),
      example: { body: { category: 1, quantity: "100", expiry: "1798761600" } },
      responses: txResponse,
      problems: [...TX_PROBLEMS],
      handler: async ({ body, session }) => {
        const market = requireMarket(deps);
        const request = { ...body };
        return {
          body: await tx.build(
            session!.address,
            "publishRequest",
            [request],
            `request a quote for ${body.quantity} I-TEC${body.category ? ` of category ${body.category}` : ""}`,
            market.target(),
          ),
        };
      },
    }),
    defineRoute({
      method: "post",
      path: "/tx/market/approve",
      operationId: "buildMarketApprove",
      summary: "Unsigned ERC-20 approve: let the market take a settlement token's payments for your DvP fills",
      tags: ["transactions", "market"],
      auth: "session",
      limit: "write",
      body: z.object({ token: address, amount: uintString }),
      example: { body: { token: ACCOUNTS.trader, amount: "1000000000" } },
      responses: txResponse,
      problems: [...TX_PROBLEMS, "OFFER_TOKEN_NOT_ADMITTED"],
      handler: async ({ body, session }) => {
        const market = requireMarket(deps);
        const target = await market.relayTarget(body.token);
        if (!target || target.iface !== tokenInterface) {
          throw new HttpProblem(
            422,
            "OFFER_TOKEN_NOT_ADMITTED",
            "Token not admitted",
            `the market does not admit ${body.token} as a settlement token`,
          );
        }
        return {
          body: await tx.build(
            session!.address,
            "approve",
            [market.address, body.amount],
            `allow the market ${market.address} to take up to ${body.amount} of token ${body.token}`,
            target,
          ),
        };
      },
    }),
  ];
}
