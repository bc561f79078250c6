/**
 * Flow-through deliveries in the job store (docs/deliveries.md): per delivery the ITAD, the customer, the reference
 * and its hash, the per-batch counts and the refused devices (ids and reasons, never serials), and — once the ITAD
 * has sent it — the transfer's hash and block; per device that flowed through, its delivery and batch. A device id
 * is held by at most one delivery (`delivery_devices`' primary key): a certificate flows through once.
 */
import type { SqlValue } from "../../../core/db/sql.ts";
import { CodedError } from "../../../sdk/src/errors.ts";
import type { Rows } from "./rows.ts";

/** `prepared`: planned, its transfer not yet recorded; `sent`: the transfer was checked on the chain. */
export type DeliveryState = "prepared" | "sent";

export interface DeliveryRow {
  id: string;
  itad: string;
  customer: string;
  reference: string;
  reference_hash: string;
  state: DeliveryState;
  delivered: number;
  certified: number;
  /** `[{ batchId, category, amount }]`, ascending batch id. */
  items_json: string;
  /** `[{ row, deviceId, reason, batchId }]`. */
  refused_json: string;
  tx_hash: string | null;
  block_number: number | null;
  created_at: string;
  updated_at: string;
}

export interface DeliveryDeviceRow {
  device_id: string;
  delivery_id: string;
  batch_token: string;
  position: number;
}

/** Ids per statement when a list of device ids is expanded into placeholders. */
const CHUNK = 500;

/** A delivery that cannot be stored as asked. */
export class DeliveryStoreError extends CodedError<"DELIVERY_SENT" | "DELIVERY_CONFLICT"> {}

export class Deliveries {
  readonly #rows: Rows;

  constructor(rows: Rows) {
    this.#rows = rows;
  }

  /** Of `ids`, those that flowed through with a delivery other than `except`. */
  async taken(ids: readonly string[], except?: string): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const rows = await this.#rows.all<{ device_id: string; delivery_id: string }>(
        `SELECT device_id, delivery_id FROM delivery_devices WHERE device_id IN (${chunk.map(() => "?").join(",")})`,
        ...chunk,
      );
      for (const r of rows) if (r.delivery_id !== except) found.add(r.device_id);
    }
    return found;
  }

  /**
   * Stores a prepared delivery, replacing a prepared one of the same ITAD and reference (a corrected upload), in one
   * transaction. @throws DeliveryStoreError DELIVERY_SENT when that delivery was already sent; DELIVERY_CONFLICT
   * when one of the devices flowed through with another delivery meanwhile.
   */
  async prepare(
    row: Omit<DeliveryRow, "state" | "tx_hash" | "block_number" | "created_at" | "updated_at">,
    devices: readonly { deviceId: string; batchId: string; position: number }[],
  ): Promise<DeliveryRow> {
    return this.#rows.tx(async () => {
      // Two instances storing deliveries at once: the second waits here, then sees the first's devices as taken
      // (DELIVERY_CONFLICT) instead of failing on the primary key.
      await this.#rows.run("UPDATE job_locks SET name = name WHERE name = 'deliveries'");
      const old = await this.get(row.id);
      if (old?.state === "sent") {
        throw new DeliveryStoreError(
          "DELIVERY_SENT",
          `delivery ${row.reference} was sent already; use a new reference`,
        );
      }
      if (old) {
        await this.#rows.run("DELETE FROM delivery_devices WHERE delivery_id = ?", row.id);
        await this.#rows.run("DELETE FROM deliveries WHERE id = ?", row.id);
      }
      const taken = await this.taken(devices.map((d) => d.deviceId));
      if (taken.size > 0) {
        throw new DeliveryStoreError(
          "DELIVERY_CONFLICT",
          `${taken.size} device(s) flowed through with another delivery meanwhile: prepare it again`,
        );
      }
      const now = this.#rows.iso();
      await this.#rows.run(
        `INSERT INTO deliveries (id, itad, customer, reference, reference_hash, state, delivered, certified,
           items_json, refused_json, tx_hash, block_number, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'prepared', ?, ?, ?, ?, NULL, NULL, ?, ?)`,
        row.id,
        row.itad,
        row.customer,
        row.reference,
        row.reference_hash,
        row.delivered,
        row.certified,
        row.items_json,
        row.refused_json,
        old?.created_at ?? now,
        now,
      );
      const per = CHUNK / 4;
      for (let i = 0; i < devices.length; i += per) {
        const chunk = devices.slice(i, i + per);
        await this.#rows.run(
          `INSERT INTO delivery_devices (device_id, delivery_id, batch_token, position)
             VALUES ${chunk.map(() => "(?, ?, ?, ?)").join(", ")}`,
          ...chunk.flatMap((d): SqlValue[] => [d.deviceId, row.id, d.batchId, d.position]),
        );
      }
      return (await this.get(row.id))!;
    });
  }

  /** Records the checked transfer; false when the delivery is not prepared (unknown or sent already). */
  async markSent(id: string, txHash: string, block: number): Promise<boolean> {
    const changed = await this.#rows.run(
      `UPDATE deliveries SET state = 'sent', tx_hash = ?, block_number = ?, updated_at = ?
         WHERE id = ? AND state = 'prepared'`,
      txHash,
      block,
      this.#rows.iso(),
      id,
    );
    return changed === 1;
  }

  /** Withdraws a prepared delivery (its devices are free again); false unless it was prepared. */
  async cancel(id: string): Promise<boolean> {
    return this.#rows.tx(async () => {
      const row = await this.get(id);
      if (row?.state !== "prepared") return false;
      await this.#rows.run("DELETE FROM delivery_devices WHERE delivery_id = ?", id);
      await this.#rows.run("DELETE FROM deliveries WHERE id = ?", id);
      return true;
    });
  }

  async get(id: string): Promise<DeliveryRow | undefined> {
    const row = await this.#rows.get<DeliveryRow>("SELECT * FROM deliveries WHERE id = ?", id);
    return row && normalise(row);
  }

  /** Deliveries made by (`itad`) or to (`customer`) an account, newest first; a customer sees sent ones only. */
  async of(account: string, role: "itad" | "customer", limit = 100): Promise<DeliveryRow[]> {
    const rows = await this.#rows.all<DeliveryRow>(
      role === "itad"
        ? "SELECT * FROM deliveries WHERE itad = ? ORDER BY created_at DESC, id LIMIT ?"
        : "SELECT * FROM deliveries WHERE customer = ? AND state = 'sent' ORDER BY block_number DESC, id LIMIT ?",
      account,
      limit,
    );
    return rows.map(normalise);
  }

  /** Sent deliveries to `customer` carrying certificates of batch `batchId` at or before `block`, oldest first. */
  async receivedOf(customer: string, batchId: string, block: number): Promise<DeliveryRow[]> {
    const rows = await this.#rows.all<DeliveryRow>(
      `SELECT DISTINCT d.* FROM deliveries d JOIN delivery_devices v ON v.delivery_id = d.id
        WHERE d.customer = ? AND d.state = 'sent' AND v.batch_token = ? AND d.block_number <= ?
        ORDER BY d.block_number, d.id`,
      customer,
      batchId,
      block,
    );
    return rows.map(normalise);
  }

  /** The delivery's devices that flowed through, in delivery order. */
  async devices(id: string): Promise<DeliveryDeviceRow[]> {
    const rows = await this.#rows.all<DeliveryDeviceRow>(
      "SELECT * FROM delivery_devices WHERE delivery_id = ? ORDER BY position",
      id,
    );
    return rows.map((r) => ({ ...r, position: Number(r.position) }));
  }
}

function normalise(row: DeliveryRow): DeliveryRow {
  return {
    ...row,
    delivered: Number(row.delivered),
    certified: Number(row.certified),
    block_number: row.block_number === null ? null : Number(row.block_number),
  };
}
