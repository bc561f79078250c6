/**
 * Registry-wide device exclusivity in the job store: the device ids a pending or issued batch reserves
 * (`batch_devices`, one row per id under a primary key, so an id is reserved at most once). Lists of ids are looked
 * up and inserted in chunks: a 1,000-device lot costs a few statements, not a round trip per device.
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";

import type { SqlValue } from "../../../core/db/sql.ts";
import type { Rows } from "./rows.ts";

/** Parameters per statement when a list of device ids is expanded into `?` placeholders. */
const CHUNK = 500;
/** Device ids looked up or reserved between two turns of the event loop. */
const YIELD_ROWS = 1_000;

export class Devices {
  readonly #rows: Rows;

  constructor(rows: Rows) {
    this.#rows = rows;
  }

  /**
   * For each of `ids` that a batch (pending or issued) reserves: that batch (one query per CHUNK ids; the event loop
   * gets a turn every YIELD_ROWS ids).
   */
  async #batchesOf(ids: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      if (i > 0 && i % YIELD_ROWS === 0) await yieldToLoop();
      const chunk = ids.slice(i, i + CHUNK);
      const rows = await this.#rows.all<{ device_id: string; batch_id: string }>(
        `SELECT device_id, batch_id FROM batch_devices WHERE device_id IN (${chunk.map(() => "?").join(",")})`,
        ...chunk,
      );
      for (const row of rows) found.set(row.device_id, row.batch_id);
    }
    return found;
  }

  /** Device ids among `ids` already reserved by another batch (pending or issued). */
  async reserved(ids: readonly string[], exceptBatch?: string): Promise<Set<string>> {
    const found = new Set<string>();
    for (const [id, batch] of await this.#batchesOf(ids)) if (batch !== exceptBatch) found.add(id);
    return found;
  }

  /** The batches holding any of these device ids, with how many of them each holds. */
  async holders(ids: readonly string[]): Promise<Map<string, number>> {
    const held = new Map<string, number>();
    for (const batch of (await this.#batchesOf(ids)).values()) held.set(batch, (held.get(batch) ?? 0) + 1);
    return held;
  }

  /**
   * Reserves device ids for a batch; the primary key makes a second reservation impossible. Multi-row INSERTs
   * (CHUNK / 2 rows each): one round trip per 250 devices on PostgreSQL instead of one per device. The event loop
   * gets a turn every YIELD_ROWS rows (SQLite's statements are synchronous: 50,000 rows would hold it at once).
   */
  async reserve(batchId: string, ids: readonly string[]): Promise<void> {
    const rows = CHUNK / 2;
    for (let i = 0; i < ids.length; i += rows) {
      if (i > 0 && i % YIELD_ROWS === 0) await yieldToLoop();
      const chunk = ids.slice(i, i + rows);
      await this.#rows.run(
        `INSERT INTO batch_devices (device_id, batch_id) VALUES ${chunk.map(() => "(?, ?)").join(", ")}`,
        ...chunk.flatMap((id): SqlValue[] => [id, batchId]),
      );
    }
  }

  async release(batchId: string): Promise<void> {
    await this.#rows.run("DELETE FROM batch_devices WHERE batch_id = ?", batchId);
  }

  async ofBatch(batchId: string): Promise<string[]> {
    const rows = await this.#rows.all<{ device_id: string }>(
      "SELECT device_id FROM batch_devices WHERE batch_id = ?",
      batchId,
    );
    return rows.map((r) => r.device_id);
  }
}
