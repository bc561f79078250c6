/**
 * Named leases in the job database: at most one holder at a time (the oracle's worker lease makes one worker per
 * database advance batches). A lease is renewed by its holder and lapses when it expires or, on this host, when
 * its holder's process is gone.
 *
 * FENCING. Every change of holder increments the lease's `epoch` (a fencing token); a renewal keeps it. A holder
 * carries the epoch it acquired, and a write that must only happen under the lease (the worker's writes that lead
 * to a chain send) starts its transaction with `fence()`: a conditional UPDATE of the lease row on
 * `holder = me AND epoch = myEpoch AND expires_at > now`. It changes nothing, but it fails unless the lease is
 * still this holder's, and on PostgreSQL it locks the lease row until COMMIT, so a takeover (itself an UPDATE of
 * that row, conditional on the epoch it read) waits for the fenced write to commit and then sees it, or the fenced
 * write waits for the takeover and fails. On SQLite, BEGIN IMMEDIATE serialises the same way. Either way a write
 * made under epoch n is committed before epoch n+1 begins, or not at all.
 */
import { hostname } from "node:os";

import { CodedError } from "../../../sdk/src/errors.ts";
import type { Rows } from "./rows.ts";

/** Who holds a lease: a random id per worker instance, and where it runs (to notice a crashed local holder). */
export interface LeaseHolder {
  id: string;
  host: string;
  pid: number;
}

export interface LeaseRow {
  name: string;
  holder: string;
  host: string;
  pid: number;
  acquired_at: string;
  renewed_at: string;
  /** Unix milliseconds. */
  expires_at: number;
  /** The fencing token: incremented on every change of holder, kept on renewals. */
  epoch: number;
}

export type LeaseResult =
  | { acquired: true; lease: LeaseRow; tookOver: { from: LeaseRow; why: "expired" | "holder process gone" } | null }
  | { acquired: false; lease: LeaseRow };

/**
 * A fenced write was refused: the lease is no longer this holder's at this epoch, or it has expired. Nothing of
 * the transaction was written.
 */
export class LeaseLostError extends CodedError<"LEASE_LOST"> {
  constructor(message: string) {
    super("LEASE_LOST", message);
  }
}

/** The lease's timing is configured so that it cannot work (e.g. a broadcast margin the lease never leaves). */
export class LeaseConfigError extends CodedError<"LEASE_CONFIG"> {
  constructor(message: string) {
    super("LEASE_CONFIG", message);
  }
}

/** This host and process, for lease rows. */
export function thisProcess(): Omit<LeaseHolder, "id"> {
  return { host: hostname(), pid: process.pid };
}

/** Whether a process with this id runs on this host (EPERM: it exists but belongs to another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The holder of a lease given up by a clean shutdown (free for the next taker, epoch kept). */
export const RELEASED = "";

/** The `worker_leases` table, and the leases taken through one connection (released when it closes). */
export class Leases {
  readonly #rows: Rows;
  /** Leases this connection holds (name → holder id), released on close. */
  readonly #held = new Map<string, string>();

  constructor(rows: Rows) {
    this.#rows = rows;
  }

  lease(name: string): Promise<LeaseRow | undefined> {
    return this.#rows.get<LeaseRow>("SELECT * FROM worker_leases WHERE name = ?", name);
  }

  /**
   * Takes or renews the lease `name` for `me` until `nowMs + ttlMs`, in one transaction. It is taken when free,
   * already `me`'s, expired, or held by a process of this host that no longer runs (a crashed worker on this
   * machine is noticed at once; one on another machine only when its lease expires: a pid means nothing across
   * hosts). Otherwise it is refused with the current holder.
   *
   * Every write is a compare-and-set on the epoch read (a new row: an INSERT that does nothing on conflict), so
   * two processes deciding at once cannot both take it, on either engine and at READ COMMITTED: the loser's
   * UPDATE matches no row (PostgreSQL re-checks its WHERE on the row the winner committed) and it is refused.
   */
  acquire(name: string, me: LeaseHolder, nowMs: number, ttlMs: number): Promise<LeaseResult> {
    return this.#rows.tx(async (): Promise<LeaseResult> => {
      const current = await this.lease(name);
      const at = this.#rows.iso();
      const refused = async (): Promise<LeaseResult> => ({ acquired: false, lease: (await this.lease(name))! });
      let tookOver: { from: LeaseRow; why: "expired" | "holder process gone" } | null = null;
      if (!current) {
        const inserted = await this.#rows.run(
          `INSERT INTO worker_leases (name, holder, host, pid, acquired_at, renewed_at, expires_at, epoch)
             VALUES (?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (name) DO NOTHING`,
          name,
          me.id,
          me.host,
          me.pid,
          at,
          at,
          nowMs + ttlMs,
        );
        if (inserted !== 1) return refused();
      } else if (current.holder === me.id) {
        const renewed = await this.#rows.run(
          `UPDATE worker_leases SET host = ?, pid = ?, renewed_at = ?, expires_at = ?
             WHERE name = ? AND holder = ? AND epoch = ?`,
          me.host,
          me.pid,
          at,
          nowMs + ttlMs,
          name,
          me.id,
          current.epoch,
        );
        if (renewed !== 1) return refused();
      } else {
        if (current.holder === RELEASED) tookOver = null;
        else if (current.expires_at <= nowMs) tookOver = { from: current, why: "expired" };
        else if (current.host === me.host && current.pid !== me.pid && !processAlive(current.pid)) {
          tookOver = { from: current, why: "holder process gone" };
        } else return { acquired: false, lease: current };
        const taken = await this.#rows.run(
          `UPDATE worker_leases SET holder = ?, host = ?, pid = ?, acquired_at = ?, renewed_at = ?, expires_at = ?,
             epoch = epoch + 1 WHERE name = ? AND epoch = ?`,
          me.id,
          me.host,
          me.pid,
          at,
          at,
          nowMs + ttlMs,
          name,
          current.epoch,
        );
        if (taken !== 1) return refused();
      }
      this.#held.set(name, me.id);
      return { acquired: true, lease: (await this.lease(name))!, tookOver };
    });
  }

  /**
   * The fence: inside the caller's transaction, fails with LeaseLostError unless `holder` holds the lease `name`
   * at `epoch` and it has not expired at `nowMs`. On PostgreSQL the UPDATE keeps the lease row locked until the
   * caller's transaction ends (see the file's comment). Call it first in the transaction.
   */
  async fence(name: string, holder: string, epoch: number, nowMs: number): Promise<void> {
    const held = await this.#rows.run(
      "UPDATE worker_leases SET epoch = epoch WHERE name = ? AND holder = ? AND epoch = ? AND expires_at > ?",
      name,
      holder,
      epoch,
      nowMs,
    );
    if (held === 1) return;
    const now = await this.lease(name);
    const why =
      !now || now.holder === RELEASED
        ? "it was released"
        : now.holder !== holder || now.epoch !== epoch
          ? `it is held by another worker at epoch ${now.epoch} (this one acquired epoch ${epoch})`
          : `it expired at ${new Date(now.expires_at).toISOString()}`;
    throw new LeaseLostError(`the ${name} lease is no longer this worker's: ${why}; nothing was written`);
  }

  /** Gives the lease up at once. The row stays (holder RELEASED, expired), so the epoch only ever grows. */
  async release(name: string, holder: string): Promise<void> {
    await this.#rows.run(
      "UPDATE worker_leases SET holder = ?, expires_at = 0 WHERE name = ? AND holder = ?",
      RELEASED,
      name,
      holder,
    );
    this.#held.delete(name);
  }

  /** Releases every lease taken through this connection (a clean shutdown frees the worker lease at once). */
  async releaseAll(): Promise<void> {
    for (const [name, holder] of this.#held) {
      try {
        await this.release(name, holder);
      } catch {
        // Closing anyway: the lease then expires on its own.
      }
    }
  }
}
