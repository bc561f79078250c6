/**
 * The worker lease: one worker per database advances batches. `tick()` first takes (or renews) the store's lease,
 * and every change the worker makes to a batch is a compare-and-set — committed only while it still holds the
 * lease at the epoch it acquired (the fencing token, store/leases.ts) and the batch is still in the state it read —
 * so a second worker on the same database (`npm start`'s plus `itec oracle run`, or a standby `itec serve` on
 * another host sharing one PostgreSQL) waits instead of posting the same batch again.
 *
 * WHY A WORKER THAT LOST ITS LEASE CAN NEVER SEND a transaction the store does not know, or one its successor
 * would not send itself:
 * 1. It broadcasts only raw bytes it persisted itself, and that write (insert the signed transaction, ready →
 *    posted) is fenced: committed only while `holder = me AND epoch = myEpoch AND expires_at > now`, and — the
 *    lease row locked (PostgreSQL) or the file locked (SQLite) until COMMIT — strictly before any takeover. Bytes
 *    signed under a lease that was lost are discarded with the failed transaction, never sent.
 * 2. So whatever it persisted is in the store before the next holder's epoch begins: the next holder reconciles
 *    that transaction (the same bytes, the same hash) and never signs another for the batch or reuses its nonce
 *    (`maxNonce`).
 * 3. It broadcasts only while its lease has at least `broadcastMarginMs` left by its own clock (checked right
 *    before each send, also re-broadcasts); a takeover needs the lease expired by the taker's clock. With clocks
 *    within the margin of each other, its sends happen before anyone else may hold the lease. What the margin
 *    cannot exclude (a send stalled longer than the margin in the process or the network) only repeats bytes the
 *    store already holds: the chain takes one transaction per (key, nonce), so a late copy of the same transaction
 *    is a no-op, and the registry refuses a second issuance of a (reportHash, category) or a device root
 *    (ITECReportAlreadyIssued), so no batch is ever minted twice.
 */
import { randomUUID } from "node:crypto";

import { LeaseLostError, thisProcess, type LeaseHolder, type LeaseRow } from "../store/leases.ts";
import type { BatchRow } from "../store/rows.ts";
import { StaleStateError } from "../store/transitions.ts";
import type { OracleContext } from "./context.ts";

/** The store's lease row that makes one worker at a time advance batches. */
export const WORKER_LEASE = "worker";

/** Whether this oracle instance may advance batches now, and if not who holds the worker lease. */
export interface WorkerLeaseStatus {
  acquired: boolean;
  holder: { host: string; pid: number; since: string; renewedAt: string; expiresAt: string; epoch: number };
  message: string;
}

/** This oracle instance as the holder (or not) of its database's worker lease. */
export class WorkerLease {
  readonly #ctx: OracleContext;
  /** This instance as a worker-lease holder (a fresh id per instance: two instances in one process are two). */
  readonly #holder: LeaseHolder = { id: randomUUID(), ...thisProcess() };
  #held = false;
  /** The fencing token this instance acquired the lease with (valid while #held). */
  #epoch = 0;
  /** When the lease expires as this instance last wrote it, Unix ms by its clock. */
  #expiresAt = 0;
  #renewedAt = 0;
  #warnedAt = 0;

  constructor(ctx: OracleContext) {
    this.#ctx = ctx;
  }

  /** The epoch (fencing token) this instance holds the lease at, or null when it does not hold it. */
  get epoch(): number | null {
    return this.#held ? this.#epoch : null;
  }

  /**
   * Takes or renews this database's worker lease for this instance (see JobStore.acquireLease). A process may
   * call it before starting its loop to refuse to run beside another worker; `tick()` calls it on every pass.
   */
  async acquire(): Promise<WorkerLeaseStatus> {
    const nowMs = this.#ctx.now().getTime();
    const r = await this.#ctx.store.acquireLease(WORKER_LEASE, this.#holder, nowMs, this.#ctx.config.workerLeaseMs);
    const holder = leaseInfo(r.lease);
    if (r.acquired) {
      if (r.tookOver) {
        this.#ctx.log.warn(
          { previous: leaseInfo(r.tookOver.from), why: r.tookOver.why, epoch: r.lease.epoch },
          `took over the worker lease (${r.tookOver.why})`,
        );
      } else if (!this.#held || this.#epoch !== r.lease.epoch) {
        this.#ctx.log.info({ holder, epoch: r.lease.epoch }, "worker lease acquired");
      }
      this.#held = true;
      this.#epoch = r.lease.epoch;
      this.#expiresAt = r.lease.expires_at;
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
  async hold(): Promise<boolean> {
    if (this.#fresh()) return true;
    const status = await this.acquire();
    if (status.acquired) return true;
    this.#ctx.counters.leaseWaits += 1;
    if (Date.now() - this.#warnedAt >= 30_000) {
      this.#warnedAt = Date.now();
      this.#ctx.log.warn({ holder: status.holder }, status.message);
    }
    return false;
  }

  /** Within a pass: renews the lease once a third of its lifetime has passed; false when it was lost. */
  async keep(): Promise<boolean> {
    return this.#fresh() || (await this.acquire()).acquired;
  }

  /**
   * Held and renewed less than a third of its lifetime ago (so an idle pass writes nothing). Every batch change
   * is fenced in its own transaction anyway (commit).
   */
  #fresh(): boolean {
    const sinceRenewal = Math.abs(this.#ctx.now().getTime() - this.#renewedAt);
    return this.#held && sinceRenewal < this.#ctx.config.workerLeaseMs / 3;
  }

  /**
   * Whether this worker may put a transaction on the wire now: it holds the lease and, by its own clock, the lease
   * has at least `broadcastMarginMs` left (see the file's comment). Checked right before every send.
   */
  mayBroadcast(): boolean {
    const left = this.#expiresAt - this.#ctx.now().getTime();
    const ok = this.#held && left >= this.#ctx.config.broadcastMarginMs;
    if (!ok) this.#ctx.counters.broadcastsWithheld += 1;
    return ok;
  }

  /**
   * Commits a worker's change to batch `b` only if this worker still holds the lease at its epoch (the fence,
   * first: LeaseLostError otherwise) and `b` is still in the state (and attestation) it was read in — a
   * compare-and-set, in one transaction. Otherwise nothing is written and StaleStateError or LeaseLostError ends
   * the step (no error is recorded: the batch belongs to someone else now).
   */
  commit<T>(b: BatchRow, fn: () => Promise<T>): Promise<T> {
    return this.#ctx.store.tx(async () => {
      await this.fence();
      await this.#ctx.store.lockBatch(b.id); // the batch as last committed, and no other writer of it meanwhile
      const current = await this.#ctx.store.batch(b.id);
      if (!current || current.state !== b.state || current.digest !== b.digest) {
        throw new StaleStateError(
          `batch ${b.id} is ${current?.state ?? "gone"}${current && current.digest !== b.digest ? " with another attestation" : ""}, not the ${b.state} this worker read`,
        );
      }
      return fn();
    });
  }

  /**
   * The fencing check, inside the caller's transaction (see JobStore.fenceLease): LeaseLostError (code
   * LEASE_LOST) unless this worker holds the lease at the epoch it acquired and, by its clock, unexpired.
   */
  async fence(): Promise<void> {
    if (!this.#held) throw new LeaseLostError("this worker does not hold the worker lease; nothing was written");
    try {
      await this.#ctx.store.fenceLease(WORKER_LEASE, this.#holder.id, this.#epoch, this.#ctx.now().getTime());
    } catch (error) {
      if (error instanceof LeaseLostError) {
        this.#held = false;
        this.#ctx.counters.fencedWritesRefused += 1;
      }
      throw error;
    }
  }

  /** Whether this worker still holds the lease (the fence as a boolean; inside the transaction it guards). */
  async stillHeld(): Promise<boolean> {
    try {
      await this.fence();
      return true;
    } catch (error) {
      if (error instanceof LeaseLostError) return false;
      throw error;
    }
  }
}

function leaseInfo(l: LeaseRow): WorkerLeaseStatus["holder"] {
  return {
    host: l.host,
    pid: l.pid,
    since: l.acquired_at,
    renewedAt: l.renewed_at,
    expiresAt: new Date(l.expires_at).toISOString(),
    epoch: l.epoch,
  };
}
