/**
 * The worker lease: one worker per database advances batches. `tick()` first takes (or renews) the store's lease,
 * and every change the worker makes to a batch is a compare-and-set — committed only while it still holds the
 * lease and the batch is still in the state it read — so a second worker on the same database (e.g. `npm start`'s
 * plus `itec oracle run`) waits instead of posting the same batch again.
 */
import { randomUUID } from "node:crypto";

import { thisProcess, type LeaseHolder, type LeaseRow } from "../store/leases.ts";
import type { BatchRow } from "../store/rows.ts";
import { StaleStateError } from "../store/transitions.ts";
import type { OracleContext } from "./context.ts";

/** The store's lease row that makes one worker at a time advance batches. */
export const WORKER_LEASE = "worker";

/** Whether this oracle instance may advance batches now, and if not who holds the worker lease. */
export interface WorkerLeaseStatus {
  acquired: boolean;
  holder: { host: string; pid: number; since: string; renewedAt: string; expiresAt: string };
  message: string;
}

/** This oracle instance as the holder (or not) of its database's worker lease. */
export class WorkerLease {
  readonly #ctx: OracleContext;
  /** This instance as a worker-lease holder (a fresh id per instance: two instances in one process are two). */
  readonly #holder: LeaseHolder = { id: randomUUID(), ...thisProcess() };
  #held = false;
  #renewedAt = 0;
  #warnedAt = 0;

  constructor(ctx: OracleContext) {
    this.#ctx = ctx;
  }

  /**
   * Takes or renews this database's worker lease for this instance (see JobStore.acquireLease). A process may
   * call it before starting its loop to refuse to run beside another worker; `tick()` calls it on every pass.
   */
  acquire(): WorkerLeaseStatus {
    const nowMs = this.#ctx.now().getTime();
    const r = this.#ctx.store.acquireLease(WORKER_LEASE, this.#holder, nowMs, this.#ctx.config.workerLeaseMs);
    const holder = leaseInfo(r.lease);
    if (r.acquired) {
      if (r.tookOver) {
        this.#ctx.log.warn(
          { previous: leaseInfo(r.tookOver.from), why: r.tookOver.why },
          `took over the worker lease (${r.tookOver.why})`,
        );
      } else if (!this.#held) {
        this.#ctx.log.info({ holder }, "worker lease acquired");
      }
      this.#held = true;
      this.#renewedAt = nowMs;
      return { acquired: true, holder, message: `this worker holds the worker lease until ${holder.expiresAt}` };
    }
    if (this.#held) this.#ctx.log.error({ holder }, "worker lease lost to another worker; this worker stops posting");
    this.#held = false;
    return {
      acquired: false,
      holder,
      message:
        `another oracle worker holds this database's worker lease (pid ${holder.pid} on ${holder.host}, since ` +
        `${holder.since}, valid until ${holder.expiresAt}); this worker waits and takes over when that one stops ` +
        `or its lease expires`,
    };
  }

  /** At the start of a pass: holds the lease (taking or renewing it as needed), or says who does and waits. */
  hold(): boolean {
    if (this.#fresh()) return true;
    const status = this.acquire();
    if (status.acquired) return true;
    this.#ctx.counters.leaseWaits += 1;
    if (Date.now() - this.#warnedAt >= 30_000) {
      this.#warnedAt = Date.now();
      this.#ctx.log.warn({ holder: status.holder }, status.message);
    }
    return false;
  }

  /** Within a pass: renews the lease once a third of its lifetime has passed; false when it was lost. */
  keep(): boolean {
    return this.#fresh() || this.acquire().acquired;
  }

  /**
   * Held and renewed less than a third of its lifetime ago (so an idle pass writes nothing). Every batch change
   * re-checks the holder in its own transaction anyway (commit).
   */
  #fresh(): boolean {
    const sinceRenewal = Math.abs(this.#ctx.now().getTime() - this.#renewedAt);
    return this.#held && sinceRenewal < this.#ctx.config.workerLeaseMs / 3;
  }

  /**
   * Commits a worker's change to batch `b` only if this worker still holds the lease and `b` is still in the
   * state (and attestation) it was read in — a compare-and-set, in one IMMEDIATE transaction. Otherwise nothing is
   * written and StaleStateError ends the step (no error is recorded: the batch belongs to someone else now).
   */
  commit<T>(b: BatchRow, fn: () => T): T {
    return this.#ctx.store.tx(() => {
      if (!this.stillHeld()) {
        throw new StaleStateError(`this worker no longer holds the worker lease; batch ${b.id} left to the holder`);
      }
      const current = this.#ctx.store.batch(b.id);
      if (!current || current.state !== b.state || current.digest !== b.digest) {
        throw new StaleStateError(
          `batch ${b.id} is ${current?.state ?? "gone"}${current && current.digest !== b.digest ? " with another attestation" : ""}, not the ${b.state} this worker read`,
        );
      }
      return fn();
    });
  }

  /** Whether this worker still holds the lease (call inside the transaction whose writes depend on it). */
  stillHeld(): boolean {
    if (this.#ctx.store.holdsLease(WORKER_LEASE, this.#holder.id)) return true;
    this.#held = false;
    return false;
  }
}

function leaseInfo(l: LeaseRow): WorkerLeaseStatus["holder"] {
  return {
    host: l.host,
    pid: l.pid,
    since: l.acquired_at,
    renewedAt: l.renewed_at,
    expiresAt: new Date(l.expires_at).toISOString(),
  };
}
