/**
 * The API's shared state, so that any number of API instances behind one balancer answer alike: sign-in nonces
 * (single use across instances) and rate-limit windows (one count per client across instances). It lives in the
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
];

/** Every table of the API store (tests empty them). */
export const API_TABLES = ["api_siwe_nonces", "api_rate_windows"] as const;
