/**
 * A rate counter for the high-volume `read` limit that talks to the shared store about once a second per client
 * instead of once per request. Measured (docs/operations.md, "Running several instances"): one upsert per request
 * cost ~0.1 ms on the SQLite file and ~1.2 ms on loopback PostgreSQL, where 50 concurrent clients managed only ~2,000
 * counts/s: more than the hot verification route costs itself. Sign-in and write limits are small and exact, so
 * they keep counting every request in the store (rate-limit.ts); only the read limit (60,000/min by default, a
 * brake against floods rather than a quota) is counted here.
 *
 * Per client it keeps the store's count at the last exchange plus the requests since. The first request of a
 * window waits for the store (so a new window is shared at once); later ones answer from memory and, once
 * `flushMs` has passed, send the requests since in one upsert in the background, taking back the count all
 * instances made. A client spreading requests over k instances can so exceed the limit by at most what it sends
 * within `flushMs` to the other k − 1 instances.
 */
import type { RateCounter } from "./rate-limit.ts";
import type { RateHit } from "./store/store.ts";

/** The store's side: count `n` requests at once (ApiStore.hit). */
export interface BatchableCounter {
  hit(bucket: string, client: string, now: number, windowMs: number, n?: number): Promise<RateHit>;
}

interface Entry {
  windowStart: number;
  /** All instances' count at the last exchange with the store. */
  shared: number;
  /** This instance's requests since then (not yet sent). */
  pending: number;
  syncedAt: number;
  flushing: boolean;
}

export class BatchedRateCounter implements RateCounter {
  readonly #store: BatchableCounter;
  readonly #flushMs: number;
  readonly #entries = new Map<string, Entry>();
  #sweptAt = 0;

  constructor(store: BatchableCounter, options: { flushMs?: number } = {}) {
    this.#store = store;
    this.#flushMs = options.flushMs ?? 1_000;
  }

  async hit(bucket: string, client: string, now: number, windowMs: number): Promise<RateHit> {
    this.#sweep(now, windowMs);
    const key = `${bucket} ${client}`;
    const entry = this.#entries.get(key);
    if (!entry || now >= entry.windowStart + windowMs) {
      // A client new to this instance, or its window ended (what was unsent belonged to that window): ask the store.
      const hit = await this.#store.hit(bucket, client, now, windowMs, 1);
      this.#entries.set(key, {
        windowStart: hit.windowStart,
        shared: hit.count,
        pending: 0,
        syncedAt: now,
        flushing: false,
      });
      return hit;
    }
    entry.pending += 1;
    if (!entry.flushing && now - entry.syncedAt >= this.#flushMs) this.#flush(bucket, client, entry, now, windowMs);
    return { count: entry.shared + entry.pending, windowStart: entry.windowStart };
  }

  /** Sends `entry`'s pending requests in the background and takes back the shared count. */
  #flush(bucket: string, client: string, entry: Entry, now: number, windowMs: number): void {
    const sent = entry.pending;
    entry.flushing = true;
    entry.syncedAt = now;
    this.#store
      .hit(bucket, client, now, windowMs, sent)
      .then((hit) => {
        entry.pending -= sent; // the requests counted meanwhile stay pending
        entry.shared = hit.count;
        entry.windowStart = hit.windowStart;
      })
      .catch(() => undefined) // kept pending: the next flush sends them
      .finally(() => {
        entry.flushing = false;
      });
  }

  /** Forgets clients whose window ended long ago (at most once per window). */
  #sweep(now: number, windowMs: number): void {
    if (now - this.#sweptAt < windowMs) return;
    this.#sweptAt = now;
    for (const [key, e] of this.#entries) if (now >= e.windowStart + 2 * windowMs) this.#entries.delete(key);
  }
}
