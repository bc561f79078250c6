/**
 * The market's offer book (docs/market.md, "Offer book, CLI and app"): sellers publish signed offers, buyers list
 * them with what is left of each (read from the market contract), requests for quote and reservations come from
 * the market's events. The transactions (fill, invoice, cancel, …) are built in market-tx.ts.
 */
import { z } from "zod";

import { requireMarket, type AppDeps } from "../deps.ts";
import { ACCOUNTS } from "../examples/wallet.ts";
import { defineRoute, type RouteSpec } from "../route/define.ts";
import { address, hash32, hexData, positiveIdString, uintString, uintStringOf } from "../schemas.ts";
import { offerView } from "../services/market/market.ts";

const uint32 = uintStringOf(32, { id: "Uint32String", example: "12" });
const uint40 = uintStringOf(40, { id: "Uint40String", example: "1767225600" });
const uint64 = uintStringOf(64, { id: "Uint64String", example: "1798761600" });

/** An offer as the seller signed it (IITECMarket.Offer; integers as decimal strings). */
export const offerSchema = z
  .object({
    seller: address,
    token: address.describe("settlement token; the zero address: on invoice only"),
    batchId: uintString.describe("the batch sold, or 0: any batch of the seller meeting the criteria"),
    category: z.number().int().min(0).max(6).describe("device category 1–6, 0 = any"),
    vintageFrom: uint40,
    vintageTo: uint40,
    minReductionGrams: uint40,
    maxIntensityGrams: uint40,
    quantity: uint32,
    price: uintString.describe("per certificate, in the token's smallest unit"),
    nonce: uint64,
    expiry: uint64,
    paymentWindow: uint32.describe("seconds an on-invoice reservation lasts; 0 = no invoices"),
    rfqId: uintString,
  })
  .meta({ id: "MarketOffer" });

export const bookOfferSchema = z
  .object({
    hash: hash32,
    offer: offerSchema,
    signature: z.string(),
    remaining: z.string().describe("certificates still available: quantity − fills; 0 once cancelled or expired"),
    status: z.enum(["open", "closed", "expired"]),
    expiresAt: z.string(),
    publishedAt: z.string(),
  })
  .meta({ id: "BookOffer" });

const reservationSchema = z
  .object({
    reservationId: z.string(),
    offerHash: hash32,
    seller: z.string(),
    buyer: z.string(),
    batchId: z.string(),
    amount: z.string(),
    price: z.string(),
    expiresAt: z.string(),
    status: z.enum(["open", "confirmed", "reclaimed"]),
    expired: z.boolean(),
    openedIn: hash32,
  })
  .meta({ id: "MarketReservation" });

const requestSchema = z
  .object({
    rfqId: z.string(),
    buyer: z.string(),
    category: z.number().int(),
    quantity: z.string(),
    maxIntensityGrams: z.string(),
    vintageFrom: z.string(),
    vintageTo: z.string(),
    expiry: z.string(),
    status: z.enum(["open", "withdrawn", "expired"]),
    publishedIn: hash32,
  })
  .meta({ id: "MarketRequest" });

const day = 86_400;
export const offerExample = {
  seller: ACCOUNTS.refurbisher,
  token: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  batchId: "1",
  category: 0,
  vintageFrom: "0",
  vintageTo: "0",
  minReductionGrams: "0",
  maxIntensityGrams: "0",
  quantity: "50",
  price: "12500000",
  nonce: "1",
  expiry: String(1_798_761_600),
  paymentWindow: String(14 * day),
  rfqId: "0",
};
const exampleHash = `0x${"ab".repeat(32)}`;
const bookOfferExample = {
  hash: exampleHash,
  offer: offerExample,
  signature: `0x${"11".repeat(65)}`,
  remaining: "30",
  status: "open" as const,
  expiresAt: "2027-01-01T00:00:00.000Z",
  publishedAt: "2026-12-01T09:00:00.000Z",
};

export function marketRoutes(deps: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: "get",
      path: "/market",
      operationId: "marketInfo",
      summary: "The market contract and the EIP-712 domain offers are signed for",
      tags: ["market"],
      responses: {
        200: {
          description: "Market",
          schema: z.object({
            address: z.string(),
            domain: z.object({
              name: z.string(),
              version: z.string(),
              chainId: z.string(),
              verifyingContract: z.string(),
            }),
          }),
          example: {
            address: offerExample.token,
            domain: { name: "I-TEC Market", version: "1", chainId: "1337", verifyingContract: offerExample.token },
          },
        },
      },
      problems: ["MARKET_UNAVAILABLE"],
      handler: async () => {
        const market = requireMarket(deps);
        const d = market.domain();
        return {
          body: {
            address: market.address,
            domain: {
              name: String(d.name),
              version: String(d.version),
              chainId: String(d.chainId),
              verifyingContract: market.address,
            },
          },
        };
      },
    }),
    defineRoute({
      method: "post",
      path: "/market/offers",
      operationId: "publishOffer",
      summary: "Publish a signed offer (verified: domain, signature, seller standing, expiry, token)",
      description:
        "The seller signs the offer with eth_signTypedData_v4 for the domain GET /market answers. `signedFor`, when " +
        "given, names the domain the wallet used: another chain or market is refused as OFFER_WRONG_DOMAIN.",
      tags: ["market"],
      auth: "session",
      limit: "write",
      body: z.object({
        offer: offerSchema,
        signature: hexData,
        signedFor: z.object({ chainId: uintString.optional(), verifyingContract: address.optional() }).optional(),
      }),
      example: { body: { offer: offerExample, signature: bookOfferExample.signature } },
      responses: { 201: { description: "Published", schema: bookOfferSchema, example: bookOfferExample } },
      problems: [
        "MARKET_UNAVAILABLE",
        "OFFER_WRONG_DOMAIN",
        "OFFER_BAD_SIGNATURE",
        "OFFER_SELLER_NOT_ACTIVE",
        "OFFER_EXPIRED",
        "OFFER_CLOSED",
        "OFFER_TOKEN_NOT_ADMITTED",
        "OFFER_INVALID",
      ],
      handler: async ({ body }) => {
        const market = requireMarket(deps);
        const now = new Date();
        const published = await market.publish(
          body.offer,
          body.signature,
          body.signedFor ?? {},
          async (a) => (await deps.reads.participant(a)).status === "active",
          now,
        );
        return { status: 201, body: offerView(published, now) };
      },
    }),
    defineRoute({
      method: "get",
      path: "/market/offers",
      operationId: "listOffers",
      summary: "Open offers with what is left of each, filtered",
      tags: ["market"],
      query: z.object({
        category: z.coerce.number().int().min(0).max(6).optional(),
        vintageFrom: z.coerce
          .number()
          .int()
          .min(0)
          .max(2 ** 40 - 1)
          .optional()
          .describe("offers from this second"),
        vintageTo: z.coerce
          .number()
          .int()
          .min(0)
          .max(2 ** 40 - 1)
          .optional()
          .describe("offers up to this second"),
        minReductionGrams: z.coerce
          .number()
          .int()
          .min(0)
          .max(2 ** 40 - 1)
          .optional()
          .describe("least V̄ guaranteed"),
        maxPrice: uintString.optional().describe("highest price per certificate"),
        seller: address.optional(),
        batchId: positiveIdString.optional(),
        token: address.optional(),
        limit: z.coerce.number().int().min(1).max(200).default(100),
      }),
      example: { query: { category: "1", maxPrice: "20000000" } },
      responses: {
        200: {
          description: "Offers",
          schema: z.object({ offers: z.array(bookOfferSchema) }),
          example: { offers: [bookOfferExample] },
        },
      },
      problems: ["MARKET_UNAVAILABLE"],
      handler: async ({ query }) => {
        const market = requireMarket(deps);
        const now = new Date();
        const { maxPrice, ...filter } = query;
        const offers = await market.list(
          { ...filter, now: Math.floor(now.getTime() / 1000) },
          maxPrice === undefined ? undefined : BigInt(maxPrice),
        );
        return { body: { offers: offers.map((o) => offerView(o, now)) } };
      },
    }),
    defineRoute({
      method: "get",
      path: "/market/offers/:hash",
      operationId: "getOffer",
      summary: "One published offer with what is left of it",
      tags: ["market"],
      params: z.object({ hash: hash32 }),
      example: { params: { hash: exampleHash } },
      responses: { 200: { description: "Offer", schema: bookOfferSchema, example: bookOfferExample } },
      problems: ["MARKET_UNAVAILABLE", "OFFER_NOT_FOUND"],
      handler: async ({ params }) => {
        const now = new Date();
        return { body: offerView(await requireMarket(deps).get(params.hash), now) };
      },
    }),
    defineRoute({
      method: "get",
      path: "/market/requests",
      operationId: "listRequests",
      summary: "Requests for quote buyers published (RequestPublished / RequestWithdrawn events)",
      tags: ["market"],
      query: z.object({
        status: z.enum(["open", "withdrawn", "expired", "all"]).default("open"),
        buyer: address.optional(),
      }),
      example: { query: { status: "open" } },
      responses: {
        200: {
          description: "Requests",
          schema: z.object({ requests: z.array(requestSchema) }),
          example: {
            requests: [
              {
                rfqId: "1",
                buyer: ACCOUNTS.corporate,
                category: 1,
                quantity: "100",
                maxIntensityGrams: "0",
                vintageFrom: "0",
                vintageTo: "0",
                expiry: "1798761600",
                status: "open" as const,
                publishedIn: `0x${"cd".repeat(32)}`,
              },
            ],
          },
        },
      },
      problems: ["MARKET_UNAVAILABLE"],
      handler: async ({ query }) => {
        const all = await requireMarket(deps).requests(new Date());
        const requests = all.filter(
          (r) => (query.status === "all" || r.status === query.status) && (!query.buyer || r.buyer === query.buyer),
        );
        return { body: { requests } };
      },
    }),
    defineRoute({
      method: "get",
      path: "/market/reservations",
      operationId: "listReservations",
      summary: "On-invoice reservations of an account (as seller or buyer): open, confirmed or reclaimed",
      tags: ["market"],
      query: z.object({
        account: address.optional(),
        status: z.enum(["open", "confirmed", "reclaimed", "all"]).default("all"),
      }),
      example: { query: { account: ACCOUNTS.corporate } },
      responses: {
        200: {
          description: "Reservations",
          schema: z.object({ reservations: z.array(reservationSchema) }),
          example: {
            reservations: [
              {
                reservationId: "1",
                offerHash: exampleHash,
                seller: ACCOUNTS.refurbisher,
                buyer: ACCOUNTS.corporate,
                batchId: "1",
                amount: "3",
                price: "12500000",
                expiresAt: "2026-12-15T09:00:00.000Z",
                status: "open" as const,
                expired: false,
                openedIn: `0x${"cd".repeat(32)}`,
              },
            ],
          },
        },
      },
      problems: ["MARKET_UNAVAILABLE"],
      handler: async ({ query }) => {
        const all = await requireMarket(deps).reservations(query.account, new Date());
        return { body: { reservations: all.filter((r) => query.status === "all" || r.status === query.status) } };
      },
    }),
  ];
}
