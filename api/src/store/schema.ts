/**
 * The API's shared state, so that any number of API instances behind one balancer answer alike: sign-in nonces
 * (single use across instances) and rate-limit buckets (one per client across instances). It lives in the
 * database the event index uses (PostgreSQL via DATABASE_URL, else the index's SQLite file) under its own
 * migrations table, `api_migrations`, so its versions never mix with the index's.
 */
import type { Migration } from "../../../core/db/migrate.ts";

export const API_MIGRATIONS_TABLE = "api_migrations";

export const API_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "sign-in nonces and rate-limit windows",
    // Times are epoch milliseconds (BIGINT: past 2^31). One row per client and bucket: its current window
    // started at its first request in it (the limiter's semantics since the first release).
    sql: `
      CREATE TABLE api_siwe_nonces (
        nonce TEXT PRIMARY KEY,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX api_siwe_nonces_expiry ON api_siwe_nonces (expires_at);
      CREATE TABLE api_rate_windows (
        bucket TEXT NOT NULL,
        client TEXT NOT NULL,
        window_start BIGINT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (bucket, client)
      );
      CREATE INDEX api_rate_windows_start ON api_rate_windows (window_start);
    `,
  },
  {
    version: 2,
    name: "rate limits as token buckets",
    // The fixed windows let twice the limit through across a window boundary (60 sign-ins in 2.5 s at 30/min).
    // A bucket is one number per client and bucket: its theoretical arrival time (GCRA, epoch ms with fractions:
    // 60,000 ms / limit need not be whole); `refused` counts the requests refused since the last one admitted.
    sql: `
      DROP TABLE api_rate_windows;
      CREATE TABLE api_rate_buckets (
        bucket TEXT NOT NULL,
        client TEXT NOT NULL,
        tat DOUBLE PRECISION NOT NULL,
        refused INTEGER NOT NULL,
        PRIMARY KEY (bucket, client)
      );
      CREATE INDEX api_rate_buckets_tat ON api_rate_buckets (tat);
    `,
  },
  {
    version: 3,
    name: "market offer book",
    // Offers sellers published (POST /market/offers), verified when stored. Not events: the index is rebuilt from
    // the chain, an offer exists only here (and in the seller's wallet), so it lives with the API's own state. What
    // is left of each offer is read from the market contract (`remaining`), never stored.
    sql: `
      CREATE TABLE api_market_offers (
        hash TEXT PRIMARY KEY,
        market TEXT NOT NULL,
        seller TEXT NOT NULL,
        nonce TEXT NOT NULL,
        token TEXT NOT NULL,
        batch_id TEXT NOT NULL,
        category INTEGER NOT NULL,
        vintage_from BIGINT NOT NULL,
        vintage_to BIGINT NOT NULL,
        min_reduction BIGINT NOT NULL,
        max_intensity BIGINT NOT NULL,
        expiry BIGINT NOT NULL,
        offer TEXT NOT NULL,
        signature TEXT NOT NULL,
        published_at TEXT NOT NULL
      );
      CREATE INDEX api_market_offers_expiry ON api_market_offers (market, expiry);
      CREATE INDEX api_market_offers_seller ON api_market_offers (seller, nonce);
    `,
  },
];

/** Every table of the API store (tests empty them). */
export const API_TABLES = ["api_siwe_nonces", "api_rate_buckets", "api_market_offers"] as const;
