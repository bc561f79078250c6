/**
 * A rate counter for the high-volume classes (`read`, `health`) that talks to the shared store about once a second
 * per client instead of once per request. Measured (docs/operations.md, "Running several instances"): one upsert
 * per request cost ~0.1 ms on the SQLite file and ~1.2 ms on loopback PostgreSQL, where 50 concurrent clients
 * managed only ~2,000 counts/s: more than the hot verification route costs itself. Sign-in and write limits are
 * small and exact, so they take every request from the store's bucket (rate-limit.ts); only the large limits (the
 * read limit is 60,000/min by default: a brake against floods rather than a quota) are counted here.
 *
 * Per client it keeps a copy of the store's token bucket (its arrival time) and the requests it admitted since the
 * last exchange. A client's first request here waits for the store; later ones are decided from the copy and,
 * once `flushMs` has passed, the admitted ones are sent in one upsert in the background, which brings back what
 * all instances took. A client spreading requests over k instances can so exceed the limit by at most what it
 * sends within `flushMs` to the other k − 1 instances.
 */
import type { RateCounter } from "./rate-limit.ts";
import type { Rate, RateTake } from "./store/store.ts";

/** The store's side: take `n` requests at once, `force`d when already admitted here (ApiStore.take). */
export interface BatchableCounter {
  take(bucket: string, client: string, now: number, rate: Rate, n?: number, force?: boolean): Promise<RateTake>;
}

interface Entry {
  /** The bucket's arrival time: the store's at the last exchange, plus what was admitted here since. */
  tat: number;
  /** Requests admitted here since the last exchange (not yet sent). */
  pending: number;
  syncedAt: number;
  flushing: boolean;
}

/** How often (at most) entries of clients whose buckets are full again are forgotten. */
const SWEEP_EVERY_MS = 10_000;

export class BatchedRateCounter implements RateCounter {
  readonly #store: BatchableCounter;
  readonly #flushMs: number;
  readonly #entries = new Map<string, Entry>();
  #sweptAt = 0;

  constructor(store: BatchableCounter, options: { flushMs?: number } = {}) {
    this.#store = store;
    this.#flushMs = options.flushMs ?? 1_000;
  }

  async take(bucket: string, client: string, now: number, rate: Rate): Promise<RateTake> {
    this.#sweep(now);
    const key = `${bucket} ${client}`;
    const entry = this.#entries.get(key);
    if (!entry) {
      // A client new to this instance (or forgotten when its bucket was full): ask the store.
      const take = await this.#store.take(bucket, client, now, rate, 1);
      this.#entries.set(key, { tat: take.tat, pending: 0, syncedAt: now, flushing: false });
      return take;
    }
    const interval = rate.windowMs / rate.limit;
    const after = Math.max(entry.tat, now) + interval;
    const allowed = after <= now + rate.windowMs;
    if (allowed) {
      entry.tat = after;
      entry.pending += 1;
    }
    if (!entry.flushing && now - entry.syncedAt >= this.#flushMs) this.#flush(bucket, client, entry, now, rate);
    return { allowed, tat: entry.tat };
  }

  /** Sends `entry`'s admitted requests in the background and takes back the shared bucket. */
  #flush(bucket: string, client: string, entry: Entry, now: number, rate: Rate): void {
    const sent = entry.pending;
    entry.flushing = true;
    entry.syncedAt = now;
    this.#store
      .take(bucket, client, now, rate, sent, true)
      .then((take) => {
        entry.pending -= sent; // the requests admitted meanwhile stay pending, on top of the shared bucket
        entry.tat = take.tat + (entry.pending * rate.windowMs) / rate.limit;
      })
      .catch(() => undefined) // kept pending: the next flush sends them
      .finally(() => {
        entry.flushing = false;
      });
  }

  /** Forgets clients whose bucket is full again and who have nothing unsent. */
  #sweep(now: number): void {
    if (now - this.#sweptAt < SWEEP_EVERY_MS) return;
    this.#sweptAt = now;
    for (const [key, e] of this.#entries) if (e.pending === 0 && !e.flushing && e.tat <= now) this.#entries.delete(key);
  }
}
