/**
 * `itec market` — the offer book through the API (docs/market.md, "Offer book, CLI and app"): sellers sign and
 * publish offers and cancel them; buyers list, fill with DvP (`offer fill`) or on invoice (`invoice fill`), and
 * publish requests for quote; sellers confirm invoices, anyone reclaims an expired reservation; `token approve`
 * lets the market take a settlement token's payments. Every transaction is built by the API, signed here, relayed.
 */
import { InvalidArgumentError, type Command } from "commander";
import { ZeroAddress } from "ethers";

import { ApiClient, type UnsignedTx } from "../../sdk/src/api-client.ts";
import type { BookOffer, MarketReservation as Reservation } from "../../sdk/src/api-operations.ts";
import { makeOffer, offerToJson, signOffer } from "../../sdk/src/market/offer.ts";
import {
  action,
  group,
  padEnd,
  parseAddress,
  parseDay,
  parsePositiveInt,
  print,
  signIn,
  table,
  transact,
  withApi,
  withSigner,
  type ApiOptions,
  type SignerOptions,
} from "./common.ts";

interface Request {
  rfqId: string;
  buyer: string;
  category: number;
  quantity: string;
  maxIntensityGrams: string;
  expiry: string;
  status: string;
}

const DAY = 86_400;
const daySeconds = (v: string) => String(Date.parse(`${parseDay(v)}T00:00:00Z`) / 1000);
const wholeNumber = (v: string) => {
  if (!/^(0|[1-9][0-9]{0,30})$/.test(v)) throw new InvalidArgumentError("expected a whole number.");
  return v;
};
const hash = (v: string) => {
  if (!/^0x[0-9a-fA-F]{64}$/.test(v)) throw new InvalidArgumentError("expected an offer hash (0x + 64 hex digits).");
  return v;
};
const category = (v: string) => {
  if (!/^[0-6]$/.test(v)) throw new InvalidArgumentError("expected a device category 1–6 (0 = any).");
  return Number(v);
};

function offerLines(list: BookOffer[]): string[] {
  if (list.length === 0) return ["no open offers match"];
  return table(
    ["offer", "seller", "batch", "left", "price", "invoice", "expires"],
    list.map((o) => [
      `${o.hash.slice(0, 10)}…`,
      `${o.offer.seller.slice(0, 10)}…`,
      o.offer.batchId === "0" ? `any (cat ${o.offer.category || "any"})` : `#${o.offer.batchId}`,
      `${o.remaining}/${o.offer.quantity}`,
      o.offer.price,
      o.offer.paymentWindow === "0" ? "no" : `${Number(o.offer.paymentWindow) / DAY} d`,
      o.expiresAt.slice(0, 10),
    ]),
    new Set([3, 4]),
  );
}

export function registerMarket(program: Command): void {
  const market = group(program, "market", "the market: signed offers, DvP and on-invoice fills, requests for quote");
  const offer = market.command("offer").description("publish, list, show, fill (DvP) and cancel offers");
  const invoice = market.command("invoice").description("fill on invoice, confirm payment, reclaim, list");
  const request = market.command("request").description("requests for quote: publish and list");
  const token = market.command("token").description("settlement token: approve the market");

  withSigner(
    offer
      .command("create")
      .description("sign an offer with your key and publish it in the offer book")
      .requiredOption("--quantity <n>", "certificates offered (over all fills)", parsePositiveInt)
      .requiredOption("--price <units>", "price per certificate in the token's smallest unit", wholeNumber)
      .option("--batch <id>", "the batch sold (default: any of yours meeting the criteria)", parsePositiveInt)
      .option("--token <address>", "settlement token (omit with --invoice-days only: on invoice)", parseAddress)
      .option("--invoice-days <n>", "allow fills on invoice, reserved this many days", parsePositiveInt)
      .option("--category <n>", "criterion: device category 1–6", category)
      .option("--vintage-from <date>", "criterion: refurbished on or after", daySeconds)
      .option("--vintage-to <date>", "criterion: refurbished on or before", daySeconds)
      .option("--min-reduction <grams>", "criterion: least V̄ per certificate", wholeNumber)
      .option("--max-intensity <grams>", "criterion: most certified intensity B̄ − V̄", wholeNumber)
      .option("--expires-in <days>", "days the offer stands", parsePositiveInt, "30")
      .option("--nonce <n>", "your offer number (default: from the clock); one offer per nonce", wholeNumber)
      .option("--rfq <id>", "the request for quote this answers", parsePositiveInt),
  ).action(
    action(async (o: SignerOptions & Record<string, string | undefined>) => {
      if (!o.token && !o.invoiceDays) throw new Error("give --token, or --invoice-days for an on-invoice offer");
      const s = await signIn(o);
      const info = await s.api.get<{ domain: { chainId: string; verifyingContract: string } }>("/market");
      const made = makeOffer({
        seller: s.address,
        token: o.token ?? ZeroAddress,
        batchId: BigInt(o.batch ?? 0),
        quantity: BigInt(o.quantity!),
        price: BigInt(o.price!),
        nonce: BigInt(o.nonce ?? Date.now()),
        expiry: BigInt(Math.floor(Date.now() / 1000) + Number(o.expiresIn) * DAY),
        category: Number(o.category ?? 0),
        vintageFrom: BigInt(o.vintageFrom ?? 0),
        vintageTo: BigInt(o.vintageTo ?? 0),
        minReductionGrams: BigInt(o.minReduction ?? 0),
        maxIntensityGrams: BigInt(o.maxIntensity ?? 0),
        paymentWindow: BigInt(Number(o.invoiceDays ?? 0) * DAY),
        rfqId: BigInt(o.rfq ?? 0),
      });
      const domain = {
        name: "I-TEC Market",
        version: "1",
        chainId: BigInt(info.domain.chainId),
        verifyingContract: info.domain.verifyingContract,
      };
      const signature = await signOffer(s.signer, domain, made);
      const published = await s.api.post<BookOffer>("/market/offers", {
        offer: offerToJson(made),
        signature,
        signedFor: { chainId: info.domain.chainId, verifyingContract: info.domain.verifyingContract },
      });
      print(o, published, () => [
        `✓ offer ${published.hash} published: ${published.offer.quantity} at ${published.offer.price} each`,
        `  fill it: itec market offer fill ${published.hash} --amount <n>`,
      ]);
    }),
  );

  withApi(
    offer
      .command("list")
      .description("open offers with what is left of each")
      .option("--category <n>", "device category 1–6", category)
      .option("--vintage-from <date>", "offers for devices refurbished from", daySeconds)
      .option("--vintage-to <date>", "offers for devices refurbished up to", daySeconds)
      .option("--min-reduction <grams>", "offers guaranteeing at least this V̄", wholeNumber)
      .option("--max-price <units>", "highest price per certificate", wholeNumber)
      .option("--seller <address>", "one seller's offers", parseAddress)
      .option("--batch <id>", "offers of one batch", parsePositiveInt),
  ).action(
    action(async (o: ApiOptions & Record<string, string | number | undefined>) => {
      const names = ["category", "vintageFrom", "vintageTo", "minReduction", "maxPrice", "seller", "batch"];
      const key = (k: string) => (k === "minReduction" ? "minReductionGrams" : k === "batch" ? "batchId" : k);
      const query = new URLSearchParams(
        names.filter((k) => o[k] !== undefined).map((k): [string, string] => [key(k), String(o[k])]),
      ).toString();
      const { offers } = await new ApiClient(o.api).get<{ offers: BookOffer[] }>(
        `/market/offers${query ? `?${query}` : ""}`,
      );
      print(o, { offers }, () => offerLines(offers));
    }),
  );

  withApi(
    offer.command("show").description("one offer and what is left of it").argument("<hash>", "offer hash", hash),
  ).action(
    action(async (h: string, o: ApiOptions) => {
      const b = await new ApiClient(o.api).get<BookOffer>(`/market/offers/${h}`);
      print(o, b, () => [
        `offer ${b.hash} · ${b.status.toUpperCase()}`,
        ...Object.entries(b.offer).map(([k, v]) => `  ${padEnd(k, 18)} ${String(v)}`),
        `  ${padEnd("remaining", 18)} ${b.remaining}`,
        `  ${padEnd("expires", 18)} ${b.expiresAt}`,
      ]);
    }),
  );

  for (const [cmd, onInvoice] of [
    [offer, false],
    [invoice, true],
  ] as const) {
    withSigner(
      cmd
        .command("fill")
        .description(
          onInvoice
            ? "reserve certificates of an offer on invoice (the seller confirms payment)"
            : "buy certificates of an offer: the token payment and the certificates move at once (DvP)",
        )
        .argument("<hash>", "offer hash", hash)
        .requiredOption("--amount <n>", "certificates", parsePositiveInt)
        .option("--batch <id>", "the batch (for an offer of any matching batch)", parsePositiveInt),
    ).action(
      action(async (h: string, o: SignerOptions & { amount: string; batch?: string }) =>
        transact(
          o,
          (s) =>
            s.api.post<UnsignedTx>("/tx/market/fill", {
              offerHash: h,
              amount: o.amount,
              onInvoice,
              ...(o.batch ? { batchId: o.batch } : {}),
            }),
          { offerHash: h, amount: o.amount, onInvoice },
        ),
      ),
    );
  }

  withSigner(
    offer.command("cancel").description("cancel your offer (its nonce)").argument("<hash>", "offer hash", hash),
  ).action(
    action(async (h: string, o: SignerOptions) =>
      transact(o, (s) => s.api.post<UnsignedTx>("/tx/market/cancel", { offerHash: h }), { offerHash: h }),
    ),
  );

  for (const verb of ["confirm", "reclaim"] as const) {
    withSigner(
      invoice
        .command(verb)
        .description(
          verb === "confirm"
            ? "the seller confirms the invoice was paid: the certificates go to the buyer"
            : "end an unpaid reservation: certificates back to the seller (anyone after expiry; before, the buyer)",
        )
        .argument("<reservationId>", "reservation id", parsePositiveInt),
    ).action(
      action(async (id: string, o: SignerOptions) =>
        transact(o, (s) => s.api.post<UnsignedTx>(`/tx/market/${verb}`, { reservationId: id }), {
          reservationId: id,
          action: verb,
        }),
      ),
    );
  }

  withApi(
    invoice
      .command("list")
      .description("reservations of an account (as seller or buyer)")
      .option("--account <address>", "seller or buyer", parseAddress),
  ).action(
    action(async (o: ApiOptions & { account?: string }) => {
      const q = o.account ? `?account=${o.account}` : "";
      const { reservations } = await new ApiClient(o.api).get<{ reservations: Reservation[] }>(
        `/market/reservations${q}`,
      );
      print(o, { reservations }, () =>
        reservations.length === 0
          ? ["no reservations"]
          : table(
              ["id", "status", "batch", "amount", "price", "buyer", "expires"],
              reservations.map((r) => [
                r.reservationId,
                r.status + (r.expired ? " (expired)" : ""),
                `#${r.batchId}`,
                r.amount,
                r.price,
                `${r.buyer.slice(0, 10)}…`,
                r.expiresAt.slice(0, 10),
              ]),
            ),
      );
    }),
  );

  withSigner(
    request
      .command("publish")
      .description("publish a request for quote: sellers answer with offers naming its id")
      .requiredOption("--quantity <n>", "certificates wanted", parsePositiveInt)
      .option("--category <n>", "device category 1–6", category)
      .option("--max-intensity <grams>", "most certified intensity accepted", wholeNumber)
      .option("--vintage-from <date>", "refurbished on or after", daySeconds)
      .option("--vintage-to <date>", "refurbished on or before", daySeconds)
      .option("--expires-in <days>", "days the request stands", parsePositiveInt, "30"),
  ).action(
    action(async (o: SignerOptions & Record<string, string | number | undefined>) =>
      transact(o, (s) =>
        s.api.post<UnsignedTx>("/tx/market/request", {
          category: Number(o.category ?? 0),
          quantity: String(o.quantity),
          maxIntensityGrams: String(o.maxIntensity ?? 0),
          vintageFrom: String(o.vintageFrom ?? 0),
          vintageTo: String(o.vintageTo ?? 0),
          expiry: String(Math.floor(Date.now() / 1000) + Number(o.expiresIn) * DAY),
        }),
      ),
    ),
  );

  withApi(
    request.command("list").description("requests for quote").option("--all", "also withdrawn and expired ones"),
  ).action(
    action(async (o: ApiOptions & { all?: boolean }) => {
      const { requests } = await new ApiClient(o.api).get<{ requests: Request[] }>(
        `/market/requests?status=${o.all ? "all" : "open"}`,
      );
      print(o, { requests }, () =>
        requests.length === 0
          ? ["no requests for quote"]
          : table(
              ["rfq", "status", "buyer", "category", "quantity", "max intensity (g)"],
              requests.map((r) => [
                r.rfqId,
                r.status,
                r.buyer,
                String(r.category || "any"),
                r.quantity,
                r.maxIntensityGrams === "0" ? "any" : r.maxIntensityGrams,
              ]),
            ),
      );
    }),
  );

  withSigner(
    token
      .command("approve")
      .description("let the market take up to --amount of a settlement token for your DvP fills")
      .requiredOption("--token <address>", "the settlement token", parseAddress)
      .requiredOption("--amount <units>", "allowance in the token's smallest unit", wholeNumber),
  ).action(
    action(async (o: SignerOptions & { token: string; amount: string }) =>
      transact(o, (s) => s.api.post<UnsignedTx>("/tx/market/approve", { token: o.token, amount: o.amount })),
    ),
  );
}
