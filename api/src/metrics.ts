/**
 * Prometheus metrics of one API app (`GET /metrics`, text exposition format 0.0.4), in the app's own registry — not
 * prom-client's global one — so two apps in one process (tests, or an embedding) never collide:
 * - `itec_http_request_duration_seconds{method,route,status_class}`: a histogram per route TEMPLATE (`/lots/:id`),
 *   never the raw path, so the series stay bounded whatever clients ask for;
 * - `itec_oracle_batches{state}` and `itec_oracle_events_total{event}`: the oracle's batches per state and its
 *   counters (what `GET /status` answers as JSON);
 * - `itec_chain_head_block`, `itec_chain_reachable`, `itec_index_last_block`, `itec_index_lag_blocks`;
 * - `itec_signer_balance_wei`, `itec_signer_nonce{block}`: the oracle signer's funds and nonces;
 * - the process's own (`process_*`, `nodejs_*`: collectDefaultMetrics).
 * Values read at scrape time are each bounded by a timeout: a dead chain makes a scrape slower, never stuck.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

import type { IndexReader } from "./deps.ts";

/** What the scrape reads from the services (each optional: absent, its metrics stay empty). */
export interface MetricsSources {
  oracle?:
    | {
        metrics():
          | { batchesByState: Record<string, number>; counters: Record<string, number> }
          | Promise<{ batchesByState: Record<string, number>; counters: Record<string, number> }>;
      }
    | undefined;
  /** The last chain head the API saw (−1 before the first) and whether the node answered. */
  head: () => { block: number; reachable: boolean };
  index?: Pick<IndexReader, "status"> | undefined;
  /** The oracle signer's address, balance and nonces (absent: the API runs without the oracle key). */
  signer?:
    (() => Promise<{ address: string; balance: bigint; nonce: number; pending: number } | undefined>) | undefined;
}

/** How long one scrape waits for one source. */
const SOURCE_TIMEOUT_MS = 2_000;

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ApiMetrics {
  readonly registry = new Registry();
  readonly #http: Histogram<"method" | "route" | "status_class">;

  constructor(sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.#http = new Histogram({
      name: "itec_http_request_duration_seconds",
      help: "HTTP request latency by route template and status class",
      labelNames: ["method", "route", "status_class"],
      buckets: LATENCY_BUCKETS,
      registers,
    });

    const oracleRead = perScrape(() => bounded(Promise.resolve().then(() => sources.oracle?.metrics())));
    new Gauge({
      name: "itec_oracle_batches",
      help: "The oracle's batch jobs per state",
      labelNames: ["state"],
      registers,
      async collect() {
        this.reset();
        const m = await oracleRead();
        for (const [state, n] of Object.entries(m?.batchesByState ?? {})) this.set({ state }, n);
      },
    });
    new Counter({
      name: "itec_oracle_events_total",
      help: "The oracle's counters since this process started (lotsSubmitted, transactionsSent, reverts, …)",
      labelNames: ["event"],
      registers,
      async collect() {
        this.reset(); // then the counter's value is the oracle's own, which only grows
        const m = await oracleRead();
        for (const [event, n] of Object.entries(m?.counters ?? {})) if (n > 0) this.inc({ event }, n);
      },
    });

    new Gauge({
      name: "itec_chain_head_block",
      help: "The last chain head block the API saw",
      registers,
      collect() {
        const { block } = sources.head();
        if (block >= 0) this.set(block);
      },
    });
    new Gauge({
      name: "itec_chain_reachable",
      help: "1 when the chain node answered the API's last head poll",
      registers,
      collect() {
        this.set(sources.head().reachable ? 1 : 0);
      },
    });
    const indexRead = perScrape(() => bounded(sources.index ? sources.index.status() : Promise.resolve(undefined)));
    new Gauge({
      name: "itec_index_last_block",
      help: "The last block whose events are all in the event index",
      registers,
      async collect() {
        this.reset();
        const s = await indexRead();
        if (s?.lastBlock != null) this.set(s.lastBlock);
      },
    });
    new Gauge({
      name: "itec_index_lag_blocks",
      help: "Blocks the event index is behind the chain head the API saw",
      registers,
      async collect() {
        this.reset();
        const s = await indexRead();
        const { block } = sources.head();
        if (s && block >= 0) this.set(Math.max(0, block - (s.lastBlock ?? -1)));
      },
    });

    const signerRead = perScrape(() => bounded(sources.signer ? sources.signer() : Promise.resolve(undefined)));
    new Gauge({
      name: "itec_signer_balance_wei",
      help: "The oracle signer's balance (wei; 0 is normal on a zero-gas network)",
      labelNames: ["address"],
      registers,
      async collect() {
        this.reset();
        const s = await signerRead();
        if (s) this.set({ address: s.address }, Number(s.balance));
      },
    });
    new Gauge({
      name: "itec_signer_nonce",
      help: "The oracle signer's transaction count at the latest block and with pending transactions",
      labelNames: ["address", "block"],
      registers,
      async collect() {
        this.reset();
        const s = await signerRead();
        if (!s) return;
        this.set({ address: s.address, block: "latest" }, s.nonce);
        this.set({ address: s.address, block: "pending" }, s.pending);
      },
    });
  }

  /** Records one answered request under its route template. */
  observe(method: string, route: string, status: number, seconds: number): void {
    this.#http.observe({ method, route, status_class: `${Math.floor(status / 100)}xx` }, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  exposition(): Promise<string> {
    return this.registry.metrics();
  }
}

/** `read`, shared by the metrics of one scrape (they collect together): each source is read once per scrape. */
function perScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > 500) last = { at: now, value: read() };
    return last.value;
  };
}

/**
 * A source's value, or undefined after an error or {@link SOURCE_TIMEOUT_MS}. One scrape reads a source once per
 * metric that uses it; each read is bounded, so a scrape takes at most a few timeouts.
 */
async function bounded<T>(read: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), SOURCE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([read.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
