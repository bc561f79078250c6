/**
 * The offer book's storage: offers sellers published (POST /market/offers), each verified before it is stored, in
 * the API store's `api_market_offers` (migration 3, api/src/store/schema.ts). Only the offer and its signature
 * are kept: what is left of it is read from the market contract whenever it is listed (the chain is the truth).
 */
import type { SqlDatabase, SqlRow } from "../../../../core/db/sql.ts";
import { offerFromJson, offerHash, offerToJson, type Offer, type OfferJson } from "../../../../sdk/src/market/offer.ts";

/** A stored offer: its hash (EIP-712 struct hash), the signed offer, its signature and when it was published. */
export interface StoredOffer {
  hash: string;
  offer: Offer;
  signature: string;
  publishedAt: string;
}

/** What the book is asked for; every field narrows the list (criteria compare the offer's own fields). */
export interface OfferFilter {
  seller?: string | undefined;
  batchId?: string | undefined;
  category?: number | undefined;
  /** Offers whose vintage window starts on or after this second. */
  vintageFrom?: number | undefined;
  /** Offers whose vintage window ends on or before this second (an open-ended offer does not match). */
  vintageTo?: number | undefined;
  /** Offers guaranteeing at least this V̄ (grams per certificate). */
  minReductionGrams?: number | undefined;
  token?: string | undefined;
  /** Unexpired at this second. */
  now: number;
  limit: number;
}

interface OfferRow extends SqlRow {
  hash: string;
  offer: string;
  signature: string;
  published_at: string;
}

export class OfferBook {
  readonly #db: SqlDatabase;
  readonly #market: string;

  constructor(db: SqlDatabase, market: string) {
    this.#db = db;
    this.#market = market;
  }

  /** Stores a verified offer; publishing the same offer again changes nothing. Returns its hash. */
  async put(offer: Offer, signature: string, now: Date): Promise<string> {
    const hash = offerHash(offer);
    await this.#db.run(
      "INSERT INTO api_market_offers (hash, market, seller, nonce, token, batch_id, category, vintage_from, " +
        "vintage_to, min_reduction, max_intensity, expiry, offer, signature, published_at) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING",
      [
        hash,
        this.#market,
        offer.seller,
        offer.nonce.toString(),
        offer.token,
        offer.batchId.toString(),
        offer.category,
        Number(offer.vintageFrom),
        Number(offer.vintageTo),
        Number(offer.minReductionGrams),
        Number(offer.maxIntensityGrams),
        Number(offer.expiry),
        JSON.stringify(offerToJson(offer)),
        signature,
        now.toISOString(),
      ],
    );
    return hash;
  }

  async get(hash: string): Promise<StoredOffer | undefined> {
    const row = await this.#db.get<OfferRow>("SELECT * FROM api_market_offers WHERE hash = ? AND market = ?", [
      hash.toLowerCase(),
      this.#market,
    ]);
    return row ? fromRow(row) : undefined;
  }

  /** Unexpired offers matching `filter`, newest first (the caller drops those with nothing left). */
  async list(filter: OfferFilter): Promise<StoredOffer[]> {
    const where = ["market = ?", "expiry >= ?"];
    const params: (string | number)[] = [this.#market, filter.now];
    const add = (clause: string, value: string | number) => {
      where.push(clause);
      params.push(value);
    };
    if (filter.seller) add("seller = ?", filter.seller);
    if (filter.batchId) add("batch_id = ?", filter.batchId);
    if (filter.token) add("token = ?", filter.token);
    if (filter.category !== undefined) add("category = ?", filter.category);
    if (filter.vintageFrom !== undefined) add("vintage_from >= ?", filter.vintageFrom);
    if (filter.vintageTo !== undefined) add("vintage_to > 0 AND vintage_to <= ?", filter.vintageTo);
    if (filter.minReductionGrams !== undefined) add("min_reduction >= ?", filter.minReductionGrams);
    const rows = await this.#db.all<OfferRow>(
      `SELECT * FROM api_market_offers WHERE ${where.join(" AND ")} ORDER BY published_at DESC, hash LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map(fromRow);
  }
}

function fromRow(row: OfferRow): StoredOffer {
  return {
    hash: row.hash,
    offer: offerFromJson(JSON.parse(row.offer) as OfferJson),
    signature: row.signature,
    publishedAt: row.published_at,
  };
}
