/**
 * The API's side of the market (docs/market.md, "Offer book, CLI and app"): publishing a signed offer (verified
 * against this market's EIP-712 domain, the seller's standing and the contract's own view of what is left), the
 * offer book with what remains of each offer (read from the contract, so fills, cancellations and voided nonces
 * drop an offer out as soon as they are mined), requests for quote and reservations (from the market's events),
 * and the relay target that lets the relay forward the market's and its admitted tokens' calls.
 */
import { getAddress, Interface, recoverAddress, ZeroAddress, type Log } from "ethers";

import type { ChainClient } from "../../../../core/chain/client.ts";
import type { SqlDatabase } from "../../../../core/db/sql.ts";
import { marketAt, marketInterface, type ITECMarketContract } from "../../../../sdk/src/market/contract.ts";
import {
  marketDomain,
  offerDigest,
  offerFromJson,
  type Offer,
  type OfferJson,
} from "../../../../sdk/src/market/offer.ts";
import { LogRanges } from "../../../../sdk/src/logs.ts";
import { HttpProblem } from "../../problem.ts";
import type { RelayTarget } from "../transactions.ts";
import { OfferBook, type OfferFilter, type StoredOffer } from "./offer-book.ts";
import type { MarketReservation } from "../../../../sdk/src/api-operations.ts";

/** The ERC-20 calls the API builds for a settlement token (a buyer's approval of the market). */
export const tokenInterface = new Interface([
  "function approve(address spender, uint256 value) returns (bool)",
  "function allowance(address owner, address spender) view returns (uint256)",
  "function balanceOf(address owner) view returns (uint256)",
  "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
  "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
]);

/**
 * Gas caps of the market's relayed functions (bench/results/gas.json: fill 129,734), with ≥ 1.5× headroom; the
 * bytes of the signature are added per byte like the registry's texts (relay-gas.ts).
 */
export const MARKET_GAS_CAPS: Readonly<Record<string, bigint>> = {
  fill: 250_000n,
  fillOnInvoice: 300_000n,
  confirmPayment: 200_000n,
  reclaim: 200_000n,
  cancelOffer: 120_000n,
  cancelUpTo: 100_000n,
  publishRequest: 200_000n,
  withdrawRequest: 100_000n,
};
/** The one token function relayed: approving the market (one allowance slot). */
export const TOKEN_GAS_CAPS: Readonly<Record<string, bigint>> = { approve: 100_000n };

/** An offer of the book with what is left of it now. */
export interface BookOffer extends StoredOffer {
  remaining: bigint;
}

/** A reservation as GET /market/reservations answers it: the SDK's type, one definition. */
export type ReservationView = MarketReservation;

export interface RequestView {
  rfqId: string;
  buyer: string;
  category: number;
  quantity: string;
  maxIntensityGrams: string;
  vintageFrom: string;
  vintageTo: string;
  expiry: string;
  status: "open" | "withdrawn" | "expired";
  publishedIn: string;
}

export class MarketService {
  readonly address: string;
  readonly contract: ITECMarketContract;
  readonly book: OfferBook;
  readonly #chain: ChainClient;
  readonly #fromBlock: number;
  readonly #ranges = new LogRanges();

  constructor(chain: ChainClient, db: SqlDatabase, address: string, fromBlock: number) {
    this.#chain = chain;
    this.address = getAddress(address);
    this.contract = marketAt(this.address, chain.provider);
    this.book = new OfferBook(db, this.address);
    this.#fromBlock = fromBlock;
  }

  /** The EIP-712 domain sellers sign offers for. */
  domain() {
    return marketDomain(this.#chain.chainId, this.address);
  }

  /** The market contract for the transaction builder. */
  target(): RelayTarget {
    return { name: "market", address: this.address, iface: marketInterface, caps: MARKET_GAS_CAPS };
  }

  /** The relay's other targets: this market, and any token the market admits (its `approve` only). */
  async relayTarget(to: string): Promise<RelayTarget | undefined> {
    if (to === this.address) return this.target();
    if (await this.contract.tokenAdmitted(to))
      return { name: "token", address: to, iface: tokenInterface, caps: TOKEN_GAS_CAPS };
    return undefined;
  }

  /**
   * Verifies and stores a signed offer. Refused with a stable code: signed for another domain (OFFER_WRONG_DOMAIN),
   * a signature that is not the seller's (OFFER_BAD_SIGNATURE), a seller not active, an expired or closed offer, a
   * token the market does not admit.
   */
  async publish(
    json: OfferJson,
    signature: string,
    signedFor: { chainId?: string | undefined; verifyingContract?: string | undefined },
    isActive: (account: string) => Promise<boolean>,
    now: Date,
  ): Promise<BookOffer> {
    if (
      (signedFor.chainId !== undefined && BigInt(signedFor.chainId) !== this.#chain.chainId) ||
      (signedFor.verifyingContract !== undefined && getAddress(signedFor.verifyingContract) !== this.address)
    ) {
      throw new HttpProblem(
        422,
        "OFFER_WRONG_DOMAIN",
        "Offer signed for another market",
        `offers here are signed for chain ${this.#chain.chainId} and market ${this.address} (domain "I-TEC Market" version 1)`,
      );
    }
    const offer: Offer = { ...offerFromJson(json), seller: getAddress(json.seller), token: getAddress(json.token) };
    if (offer.quantity === 0n) throw invalid("/body/offer/quantity", "must be at least 1");
    if (offer.token === ZeroAddress && offer.paymentWindow === 0n) {
      throw invalid("/body/offer/paymentWindow", "an offer without a settlement token must allow invoices");
    }
    if (!(await this.#signedBySeller(offer, signature))) {
      throw new HttpProblem(
        422,
        "OFFER_BAD_SIGNATURE",
        "Signature does not verify",
        `the signature is not ${offer.seller}'s over this offer on chain ${this.#chain.chainId}, market ${this.address}`,
      );
    }
    if (!(await isActive(offer.seller))) {
      throw new HttpProblem(
        422,
        "OFFER_SELLER_NOT_ACTIVE",
        "Seller not active",
        `${offer.seller} is not an active participant`,
      );
    }
    // The contract compares with the block's time, which may run ahead of this machine's (a dev chain's jumps).
    const block = await this.#chain.provider.getBlock("latest");
    const seconds = Math.max(Math.floor(now.getTime() / 1000), block?.timestamp ?? 0);
    if (offer.expiry <= BigInt(seconds)) {
      throw new HttpProblem(422, "OFFER_EXPIRED", "Offer expired", `the offer expired at ${isoSeconds(offer.expiry)}`);
    }
    if (offer.token !== ZeroAddress && !(await this.contract.tokenAdmitted(offer.token))) {
      throw new HttpProblem(
        422,
        "OFFER_TOKEN_NOT_ADMITTED",
        "Token not admitted",
        `the market does not admit ${offer.token} as a settlement token`,
      );
    }
    const remaining = await this.contract.remaining(offer);
    if (remaining === 0n) {
      throw new HttpProblem(
        422,
        "OFFER_CLOSED",
        "Nothing left of the offer",
        "its nonce was cancelled, voided or filled",
      );
    }
    const hash = await this.book.put(offer, signature, now);
    return { hash, offer, signature, publishedAt: now.toISOString(), remaining };
  }

  /** The open offers matching `filter` (and `maxPrice`), each with what is left; those with nothing left drop out. */
  async list(filter: OfferFilter, maxPrice?: bigint): Promise<BookOffer[]> {
    const stored = await this.book.list(filter);
    const priced = maxPrice === undefined ? stored : stored.filter((o) => o.offer.price <= maxPrice);
    const withRemaining = await Promise.all(
      priced.map(async (o) => ({ ...o, remaining: await this.contract.remaining(o.offer) })),
    );
    return withRemaining.filter((o) => o.remaining > 0n);
  }

  /** One published offer with what is left of it (0 once filled, cancelled or expired). */
  async get(hash: string): Promise<BookOffer> {
    const stored = await this.book.get(hash);
    if (!stored)
      throw new HttpProblem(404, "OFFER_NOT_FOUND", "Offer not found", `no offer ${hash} was published here`);
    return { ...stored, remaining: await this.contract.remaining(stored.offer) };
  }

  /** Requests for quote from the market's events; `status` narrows them (default: every one). */
  async requests(now: Date): Promise<RequestView[]> {
    const logs = await this.#logs(["RequestPublished", "RequestWithdrawn"]);
    const seconds = BigInt(Math.floor(now.getTime() / 1000));
    const withdrawn = new Set(logs.filter((l) => l.name === "RequestWithdrawn").map((l) => String(l.args.rfqId)));
    return logs
      .filter((l) => l.name === "RequestPublished")
      .map(({ args, log }) => {
        const id = String(args.rfqId);
        const expiry = BigInt(args.expiry as bigint);
        return {
          rfqId: id,
          buyer: String(args.buyer),
          category: Number(args.category),
          quantity: String(args.quantity),
          maxIntensityGrams: String(args.maxIntensityGrams),
          vintageFrom: String(args.vintageFrom),
          vintageTo: String(args.vintageTo),
          expiry: expiry.toString(),
          status: withdrawn.has(id) ? "withdrawn" : expiry < seconds ? "expired" : "open",
          publishedIn: log.transactionHash,
        } satisfies RequestView;
      });
  }

  /** Reservations where `account` is the seller or the buyer (every one without `account`), newest first. */
  async reservations(account: string | undefined, now: Date): Promise<ReservationView[]> {
    const logs = await this.#logs(["ReservationOpened", "PaymentConfirmed", "ReservationReclaimed"]);
    const seconds = BigInt(Math.floor(now.getTime() / 1000));
    const closed = new Map<string, "confirmed" | "reclaimed">();
    for (const l of logs) {
      if (l.name === "PaymentConfirmed") closed.set(String(l.args.reservationId), "confirmed");
      if (l.name === "ReservationReclaimed") closed.set(String(l.args.reservationId), "reclaimed");
    }
    const who = account ? getAddress(account) : undefined;
    return logs
      .filter((l) => l.name === "ReservationOpened")
      .filter((l) => !who || l.args.seller === who || l.args.buyer === who)
      .map(({ args, log }) => {
        const id = String(args.reservationId);
        const status = closed.get(id) ?? "open";
        const expiresAt = BigInt(args.expiresAt as bigint);
        return {
          reservationId: id,
          offerHash: String(args.offerHash),
          seller: String(args.seller),
          buyer: String(args.buyer),
          batchId: String(args.batchId),
          amount: String(args.amount),
          price: String(args.price),
          expiresAt: isoSeconds(expiresAt),
          status,
          expired: status === "open" && expiresAt < seconds,
          openedIn: log.transactionHash,
        } satisfies ReservationView;
      })
      .reverse();
  }

  async #signedBySeller(offer: Offer, signature: string): Promise<boolean> {
    const digest = offerDigest(this.domain(), offer);
    if (await this.#chain.hasCode(offer.seller)) {
      return this.#chain.isValidErc1271Signature(offer.seller, digest, signature);
    }
    try {
      return recoverAddress(digest, signature) === offer.seller;
    } catch {
      return false;
    }
  }

  /** The market's events named `names`, decoded, in chain order (from the registry's deployment block). */
  async #logs(names: string[]) {
    const topics = names.map((n) => marketInterface.getEvent(n)!.topicHash);
    const head = await this.#chain.provider.getBlockNumber();
    // Paged like the registry's event searches: a node that refuses wide ranges gets pages it takes.
    const logs: Log[] = await this.#ranges.wide(this.#fromBlock, head, (fromBlock, toBlock) =>
      this.#chain.provider.getLogs({ address: this.address, fromBlock, toBlock, topics: [topics] }),
    );
    return logs.flatMap((log) => {
      const parsed = marketInterface.parseLog(log);
      return parsed ? [{ name: parsed.name, args: parsed.args.toObject() as Record<string, unknown>, log }] : [];
    });
  }
}

/** The offer as the API answers it: integers as decimal strings, plus its hash and what is left. */
export function offerView(o: BookOffer, now: Date) {
  const expired = o.offer.expiry < BigInt(Math.floor(now.getTime() / 1000));
  return {
    hash: o.hash,
    offer: Object.fromEntries(
      Object.entries(o.offer).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v]),
    ) as OfferJson,
    signature: o.signature,
    remaining: o.remaining.toString(),
    status: o.remaining > 0n ? ("open" as const) : expired ? ("expired" as const) : ("closed" as const),
    expiresAt: isoSeconds(o.offer.expiry),
    publishedAt: o.publishedAt,
  };
}

function isoSeconds(s: bigint): string {
  const ms = Number(s) * 1000;
  return Number.isFinite(ms) && ms < 8.64e15 ? new Date(ms).toISOString() : "+275760-09-13T00:00:00.000Z";
}

function invalid(pointer: string, detail: string): HttpProblem {
  return new HttpProblem(422, "OFFER_INVALID", "Invalid offer", detail, { errors: [{ pointer, detail }] });
}
