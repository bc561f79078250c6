/**
 * The EIP-712 offer a seller signs for the I-TEC market — the single TypeScript mirror of `IITECMarket.Offer`.
 * test/contracts/market-eip712.test.ts proves this definition and the contract's `OFFER_TYPEHASH` agree.
 */
import { TypedDataEncoder, type Signer, type TypedDataDomain, type TypedDataField } from "ethers";

/** EIP-712 domain name and version of the market contract (`EIP712("I-TEC Market", "1")`). */
export const MARKET_EIP712_NAME = "I-TEC Market";
export const MARKET_EIP712_VERSION = "1";

/** Field order and types exactly as in the Solidity struct. */
export const OFFER_TYPES: Record<"Offer", TypedDataField[]> = {
  Offer: [
    { name: "seller", type: "address" },
    { name: "token", type: "address" },
    { name: "batchId", type: "uint256" },
    { name: "category", type: "uint8" },
    { name: "vintageFrom", type: "uint40" },
    { name: "vintageTo", type: "uint40" },
    { name: "minReductionGrams", type: "uint40" },
    { name: "maxIntensityGrams", type: "uint40" },
    { name: "quantity", type: "uint32" },
    { name: "price", type: "uint256" },
    { name: "nonce", type: "uint64" },
    { name: "expiry", type: "uint64" },
    { name: "paymentWindow", type: "uint32" },
    { name: "rfqId", type: "uint256" },
  ],
};

/**
 * An offer as ethers encodes it (integers as bigint). `batchId` 0 sells any batch of the seller meeting the
 * criteria; each criterion 0 means "no bound"; `token` zero address: on invoice only; `paymentWindow` 0: no invoice.
 */
export interface Offer {
  seller: string;
  token: string;
  batchId: bigint;
  category: number;
  vintageFrom: bigint;
  vintageTo: bigint;
  minReductionGrams: bigint;
  maxIntensityGrams: bigint;
  quantity: bigint;
  price: bigint;
  nonce: bigint;
  expiry: bigint;
  paymentWindow: bigint;
  rfqId: bigint;
}

/** A request for quote as `publishRequest` takes it (see `IITECMarket.Request`). */
export interface MarketRequest {
  category: number;
  quantity: bigint;
  maxIntensityGrams: bigint;
  vintageFrom: bigint;
  vintageTo: bigint;
  expiry: bigint;
}

/** An offer with every optional field at its neutral value: no criteria, no invoice, no RFQ. */
export function makeOffer(
  fields: Pick<Offer, "seller" | "token" | "batchId" | "quantity" | "price" | "nonce" | "expiry"> & Partial<Offer>,
): Offer {
  return {
    category: 0,
    vintageFrom: 0n,
    vintageTo: 0n,
    minReductionGrams: 0n,
    maxIntensityGrams: 0n,
    paymentWindow: 0n,
    rfqId: 0n,
    ...fields,
  };
}

/** The EIP-712 domain of a market deployment: bound to its chain and contract address. */
export function marketDomain(chainId: bigint | number, verifyingContract: string): TypedDataDomain {
  return { name: MARKET_EIP712_NAME, version: MARKET_EIP712_VERSION, chainId: BigInt(chainId), verifyingContract };
}

/** The canonical type string, e.g. for comparing with the contract's `OFFER_TYPEHASH`. */
export function offerTypeString(): string {
  return TypedDataEncoder.from(OFFER_TYPES).encodeType("Offer");
}

/** The offer's id: its EIP-712 struct hash (what `offerHash` returns on-chain and events carry). */
export function offerHash(offer: Offer): string {
  return TypedDataEncoder.hashStruct("Offer", OFFER_TYPES, offer);
}

/** The digest the seller signs (what `offerDigest` returns on-chain). */
export function offerDigest(domain: TypedDataDomain, offer: Offer): string {
  return TypedDataEncoder.hash(domain, OFFER_TYPES, offer);
}

/** Signs `offer` with `signer` (eth_signTypedData_v4). */
export async function signOffer(signer: Signer, domain: TypedDataDomain, offer: Offer): Promise<string> {
  return signer.signTypedData(domain, OFFER_TYPES, offer);
}

/**
 * The full `eth_signTypedData_v4` payload for a wallet: exactly what the seller signs, with `EIP712Domain` spelled
 * out and integers as decimal strings (JSON has no bigint).
 */
export function offerTypedData(domain: TypedDataDomain, offer: Offer) {
  const payload: unknown = TypedDataEncoder.getPayload(domain, OFFER_TYPES, offer);
  return payload as {
    types: Record<string, { name: string; type: string }[]>;
    domain: Record<string, unknown>;
    primaryType: "Offer";
    message: Record<string, unknown>;
  };
}

/** An offer in JSON (integers as decimal strings), e.g. for the API's offer book. */
export type OfferJson = { [K in keyof Offer]: Offer[K] extends bigint ? string : Offer[K] };

/** `offer` with its integers as decimal strings. */
export function offerToJson(offer: Offer): OfferJson {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(offer)) out[k] = typeof v === "bigint" ? v.toString() : v;
  return out as OfferJson;
}

/** The inverse of {@link offerToJson}: integers back to bigint (throws on a non-integer string). */
export function offerFromJson(json: OfferJson): Offer {
  const big = (v: string) => BigInt(v);
  return {
    seller: json.seller,
    token: json.token,
    batchId: big(json.batchId),
    category: json.category,
    vintageFrom: big(json.vintageFrom),
    vintageTo: big(json.vintageTo),
    minReductionGrams: big(json.minReductionGrams),
    maxIntensityGrams: big(json.maxIntensityGrams),
    quantity: big(json.quantity),
    price: big(json.price),
    nonce: big(json.nonce),
    expiry: big(json.expiry),
    paymentWindow: big(json.paymentWindow),
    rfqId: big(json.rfqId),
  };
}
