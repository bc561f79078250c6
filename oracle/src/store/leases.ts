/**
 * Named leases in the job database: at most one holder at a time (the oracle's worker lease makes one worker per
 * database advance batches). A lease is renewed by its holder and lapses when it expires or, on this host, when
 * its holder's process is gone.
 */
import { hostname } from "node:os";

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
}

export type LeaseResult =
  | { acquired: true; lease: LeaseRow; tookOver: { from: LeaseRow; why: "expired" | "holder process gone" } | null }
  | { acquired: false; lease: LeaseRow };

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

/** The `worker_leases` table, and the leases taken through one connection (released when it closes). */
export class Leases {
  readonly #rows: Rows;
  /** Leases this connection holds (name → holder id), released on close. */
  readonly #held = new Map<string, string>();

  constructor(rows: Rows) {
    this.#rows = rows;
  }

  lease(name: string): LeaseRow | undefined {
    return this.#rows.get<LeaseRow>("SELECT * FROM worker_leases WHERE name = ?", name);
  }

  /**
   * Takes or renews the lease `name` for `me` until `nowMs + ttlMs`, in one IMMEDIATE transaction (two
   * processes cannot both take it). It is taken when free, already `me`'s, expired, or held by a process of
   * this host that no longer runs (a crashed worker on this machine is noticed at once; one on another machine
   * when its lease expires). Otherwise it is refused with the current holder.
   */
  acquire(name: string, me: LeaseHolder, nowMs: number, ttlMs: number): LeaseResult {
    return this.#rows.tx((): LeaseResult => {
      const current = this.lease(name);
      let tookOver: { from: LeaseRow; why: "expired" | "holder process gone" } | null = null;
      if (current && current.holder !== me.id) {
        if (current.expires_at <= nowMs) tookOver = { from: current, why: "expired" };
        else if (current.host === me.host && current.pid !== me.pid && !processAlive(current.pid)) {
          tookOver = { from: current, why: "holder process gone" };
        } else return { acquired: false, lease: current };
      }
      const at = this.#rows.iso();
      this.#rows.run(
        `INSERT INTO worker_leases (name, holder, host, pid, acquired_at, renewed_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET
           acquired_at = CASE WHEN holder = excluded.holder THEN acquired_at ELSE excluded.acquired_at END,
           holder = excluded.holder, host = excluded.host, pid = excluded.pid,
           renewed_at = excluded.renewed_at, expires_at = excluded.expires_at`,
        name,
        me.id,
        me.host,
        me.pid,
        at,
        at,
        nowMs + ttlMs,
      );
      this.#held.set(name, me.id);
      return { acquired: true, lease: this.lease(name)!, tookOver };
    });
  }

  /** Whether `holder` holds the lease `name` (call inside the transaction whose writes depend on it). */
  holds(name: string, holder: string): boolean {
    return this.lease(name)?.holder === holder;
  }

  release(name: string, holder: string): void {
    this.#rows.run("DELETE FROM worker_leases WHERE name = ? AND holder = ?", name, holder);
    this.#held.delete(name);
  }

  /** Releases every lease taken through this connection (a clean shutdown frees the worker lease at once). */
  releaseAll(): void {
    for (const [name, holder] of this.#held) {
      try {
        this.release(name, holder);
      } catch {
        // Closing anyway: the lease then expires on its own.
      }
    }
  }
}
