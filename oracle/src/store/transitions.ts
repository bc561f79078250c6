/**
 * A batch's state machine: its states, which state may follow which, and the one function that moves a batch —
 * recorded as a transition, compare-and-set on the state it read, releasing device ids when the batch stops
 * reserving them.
 */
import type { SqlValue } from "../../../core/db/sql.ts";
import { CodedError } from "../../../sdk/src/errors.ts";
import type { JobStore } from "./jobs.ts";
import type { BatchRow, Rows } from "./rows.ts";

/** Batch states (issue 4). Terminal: confirmed, rejected, not_issuable, failed. */
export const BATCH_STATES = [
  "submitted",
  "calculated",
  "awaiting_signatures",
  "ready",
  "posted",
  "confirmed",
  "rejected",
  "not_issuable",
  "failed",
] as const;
export type BatchState = (typeof BATCH_STATES)[number];

/** Which state may follow which; anything else is a bug and throws. */
const NEXT: Record<BatchState, readonly BatchState[]> = {
  submitted: ["calculated", "failed"],
  calculated: ["awaiting_signatures", "not_issuable", "failed"],
  awaiting_signatures: ["awaiting_signatures", "ready", "rejected", "failed", "confirmed"],
  // No self-loops on ready or posted: a second "ready → posted" (a second worker posting the same batch) must be
  // impossible, not just unlikely.
  ready: ["awaiting_signatures", "posted", "rejected", "failed", "confirmed"],
  posted: ["confirmed", "failed", "ready"],
  confirmed: [],
  rejected: [],
  not_issuable: [],
  failed: [],
};

/** States whose device ids stay reserved (pending or issued). */
export const RESERVING_STATES: readonly BatchState[] = [
  "calculated",
  "awaiting_signatures",
  "ready",
  "posted",
  "confirmed",
];

/** Thrown on an impossible state change (a bug, never user input). */
export class StateTransitionError extends CodedError<"INVALID_TRANSITION"> {
  constructor(message: string) {
    super("INVALID_TRANSITION", message);
  }
}

/**
 * Thrown by a compare-and-set transition when the batch is no longer in the state the caller read (another
 * process moved it meanwhile). Nothing was written; the caller re-reads and decides again.
 */
export class StaleStateError extends CodedError<"STALE_STATE"> {
  constructor(message: string) {
    super("STALE_STATE", message);
  }
}

/**
 * Moves a batch to `to` (checking the transition is allowed), records it with a timestamp and note, and sets
 * any other columns given. Device ids are released when the batch leaves the reserving states. Leaving a state
 * resets its failure count.
 *
 * With `from`, the change is a compare-and-set: it is made only if the batch is still in `from`, else
 * StaleStateError (nothing written). The UPDATE itself is conditional on the state read, so even a caller
 * outside a transaction cannot overwrite a state another connection wrote meanwhile (on PostgreSQL at READ
 * COMMITTED too: a concurrent UPDATE of the row makes this one wait, then re-check `state = ?` on the new row).
 */
export async function moveBatch(
  store: Pick<JobStore, "batch" | "releaseDevices">,
  rows: Rows,
  id: string,
  to: BatchState,
  note: string | null,
  set: Partial<BatchRow>,
  from: BatchState | undefined,
): Promise<BatchRow> {
  const current = await store.batch(id);
  if (!current) throw new StateTransitionError(`no batch ${id}`);
  if (from !== undefined && current.state !== from) {
    throw new StaleStateError(`batch ${id} is ${current.state}, no longer ${from}`);
  }
  if (!NEXT[current.state].includes(to)) {
    throw new StateTransitionError(`batch ${id}: ${current.state} → ${to} is not a valid transition`);
  }
  const values: Partial<BatchRow> = to !== current.state && set.failures === undefined ? { failures: 0, ...set } : set;
  const columns = Object.entries(values).filter(([k]) => k !== "id" && k !== "state");
  const assignments = ["state = ?", "updated_at = ?", ...columns.map(([k]) => `${k} = ?`)].join(", ");
  const at = rows.iso();
  const changed = await rows.run(
    `UPDATE batches SET ${assignments} WHERE id = ? AND state = ?`,
    to,
    at,
    ...columns.map(([, v]) => v as SqlValue),
    id,
    current.state,
  );
  if (changed !== 1) throw new StaleStateError(`batch ${id} changed state while moving it to ${to}`);
  await rows.run(
    "INSERT INTO transitions (batch_id, from_state, to_state, at, note) VALUES (?, ?, ?, ?, ?)",
    id,
    current.state,
    to,
    at,
    note,
  );
  if (!RESERVING_STATES.includes(to)) await store.releaseDevices(id);
  // The row as written (no re-read: one round trip less per transition on PostgreSQL).
  return { ...current, ...(Object.fromEntries(columns) as Partial<BatchRow>), state: to, updated_at: at };
}
