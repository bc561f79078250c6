/**
 * The market contract's run-time binding (ABI generated and committed: sdk/src/market/abi.ts) and the calls a
 * buyer and a seller make: approve, fill (DvP), fill on invoice, confirm, reclaim, cancel, publish a request.
 */
import { Contract, Interface, type ContractRunner, type ContractTransactionResponse } from "ethers";

import { itecMarketAbi } from "./abi.ts";
import type { MarketRequest, Offer } from "./offer.ts";

/** The market's ABI: encode calls, decode events (`OfferFilled`, `ReservationOpened`, …) and custom errors. */
export const marketInterface = new Interface(itecMarketAbi);

/** The market's events the offer book indexes, by name. */
export const MARKET_EVENTS = [
  "OfferFilled",
  "ReservationOpened",
  "PaymentConfirmed",
  "ReservationReclaimed",
  "OfferCancelled",
  "NoncesCancelled",
  "RequestPublished",
  "RequestWithdrawn",
  "TokenAdmissionChanged",
] as const;

type Send = (...args: unknown[]) => Promise<ContractTransactionResponse>;

/** The calls of {@link ITECMarketContract}, typed loosely (ethers' `Contract`) but named. */
export interface ITECMarketContract {
  fill: Send;
  fillOnInvoice: Send;
  confirmPayment: Send;
  reclaim: Send;
  cancelOffer: Send;
  cancelUpTo: Send;
  publishRequest: Send;
  withdrawRequest: Send;
  setTokenAdmitted: Send;
  registry(): Promise<string>;
  offerHash(offer: Offer): Promise<string>;
  offerDigest(offer: Offer): Promise<string>;
  filled(seller: string, nonce: bigint): Promise<[bigint, boolean] & { amount: bigint; cancelled: boolean }>;
  remaining(offer: Offer): Promise<bigint>;
  minNonce(seller: string): Promise<bigint>;
  tokenAdmitted(token: string): Promise<boolean>;
  reservation(
    id: bigint,
  ): Promise<{ seller: string; batchId: bigint; amount: bigint; buyer: string; expiresAt: bigint }>;
  reservationCount(): Promise<bigint>;
  requestCount(): Promise<bigint>;
  requestBuyer(rfqId: bigint): Promise<[string, bigint] & { buyer: string; expiry: bigint }>;
  getAddress(): Promise<string>;
}

/** The market at `address`; `runner` is a provider (reads) or a signer (transactions). */
export function marketAt(address: string, runner: ContractRunner | null = null): ITECMarketContract {
  return new Contract(address, marketInterface, runner) as unknown as ITECMarketContract;
}

/** Buys `amount` certificates of `batchId` under a signed offer (DvP: the buyer approved the token first). */
export function fillOffer(
  market: ITECMarketContract,
  offer: Offer,
  signature: string,
  batchId: bigint,
  amount: bigint,
): Promise<ContractTransactionResponse> {
  return market.fill(offer, signature, batchId, amount);
}

/** Reserves `amount` certificates of `batchId` under a signed offer, on invoice. */
export function fillOfferOnInvoice(
  market: ITECMarketContract,
  offer: Offer,
  signature: string,
  batchId: bigint,
  amount: bigint,
): Promise<ContractTransactionResponse> {
  return market.fillOnInvoice(offer, signature, batchId, amount);
}

/** Publishes a request for quote; its id is in the `RequestPublished` event. */
export function publishRequest(
  market: ITECMarketContract,
  request: MarketRequest,
): Promise<ContractTransactionResponse> {
  return market.publishRequest(request);
}

/** The payment a DvP fill of `amount` certificates under `offer` moves, in the token's smallest unit. */
export function fillPayment(offer: Pick<Offer, "price">, amount: bigint): bigint {
  return offer.price * amount;
}

/**
 * Whether `batch` (the registry's record) meets `offer`'s criteria, as the contract checks them (0 = no bound);
 * `batchId` must also equal `offer.batchId` unless that is 0.
 */
export function batchMeetsOffer(
  offer: Offer,
  batchId: bigint,
  batch: {
    category: number | bigint;
    vintageStart: bigint;
    vintageEnd: bigint;
    baselineGrams: bigint;
    reductionGrams: bigint;
  },
): boolean {
  if (offer.batchId !== 0n && offer.batchId !== batchId) return false;
  if (offer.category !== 0 && BigInt(batch.category) !== BigInt(offer.category)) return false;
  if (batch.vintageStart < offer.vintageFrom) return false;
  if (offer.vintageTo !== 0n && batch.vintageEnd > offer.vintageTo) return false;
  if (batch.reductionGrams < offer.minReductionGrams) return false;
  const intensity = batch.baselineGrams > batch.reductionGrams ? batch.baselineGrams - batch.reductionGrams : 0n;
  return offer.maxIntensityGrams === 0n || intensity <= offer.maxIntensityGrams;
}
