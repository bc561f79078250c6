/**
 * Which of a delivery's devices carry certificates the ITAD can pass on, and how many of each batch: the transfer a
 * delivery makes (docs/deliveries.md). Pure: the caller reads the devices' batches (the job store), the batches'
 * standing and the ITAD's balances (the chain) and which devices flowed through already (the delivery store).
 *
 * A device is passed on when it is certified in an active batch of the ITAD's own lots, has not flowed through with
 * an earlier delivery, is not repeated in this one, and the ITAD still holds a certificate of its batch for it;
 * otherwise it is listed with one reason, checked in the order of `REFUSAL_REASONS` (another participant's device is
 * OTHER_OWNER before anything else about it is said: an ITAD learns nothing of other ITADs' deliveries).
 */
import type { DeliveryDevice } from "./input.ts";

/** Why a delivered device carries no certificate to the customer, in the order they are checked. */
export const REFUSAL_REASONS = {
  DUPLICATE_IN_DELIVERY: "the device appears earlier in this delivery",
  NOT_CERTIFIED: "no batch of this registry certifies the device",
  PENDING: "the device's batch is under review, not issued yet",
  OTHER_OWNER: "the device is certified in a batch of another participant's lot",
  ALREADY_DELIVERED: "the device's certificate flowed through with another delivery",
  BATCH_SUSPENDED: "the device's batch is suspended: its certificates cannot move",
  BATCH_REVERSED: "the device's batch is reversed: its certificates are void",
  NOT_HELD: "the ITAD no longer holds enough certificates of the device's batch",
} as const;

export type RefusalReason = keyof typeof REFUSAL_REASONS;

/** A device's standing as the registry knows it (the job store and the chain). */
export interface DeviceStandingInput {
  status: "certified" | "pending" | "none";
  /** Certified devices: the batch's token id, category, chain status and the lot submitter (the batch's owner). */
  batch?: { batchId: string; category: string; status: string; owner: string } | undefined;
}

export interface PlannedItem {
  batchId: string;
  category: string;
  amount: number;
  /** The devices whose certificates these are, in delivery order. */
  devices: { row: number; deviceId: string }[];
}

export interface Refusal {
  row: number;
  deviceId: string;
  reason: RefusalReason;
  /** The batch, when the device is certified in one. */
  batchId: string | null;
}

export interface DeliveryPlan {
  /** Rows sent. */
  delivered: number;
  /** Devices whose certificates the transfer carries (the sum of the items' amounts). */
  certified: number;
  /** One per batch, ascending batch id. */
  items: PlannedItem[];
  refused: Refusal[];
}

export interface PlanInputs {
  itad: string;
  devices: readonly DeliveryDevice[];
  standing: ReadonlyMap<string, DeviceStandingInput>;
  /** Devices that flowed through with another delivery. */
  deliveredBefore: ReadonlySet<string>;
  /** The ITAD's balance of each batch (token id → amount); a batch missing here is held 0. */
  balances: ReadonlyMap<string, bigint>;
}

export function planDelivery(inputs: PlanInputs): DeliveryPlan {
  const seen = new Set<string>();
  const items = new Map<string, PlannedItem>();
  const refused: Refusal[] = [];
  const itad = inputs.itad.toLowerCase();
  for (const d of inputs.devices) {
    const refuse = (reason: RefusalReason, batchId: string | null = null) =>
      refused.push({ row: d.row, deviceId: d.deviceId, reason, batchId });
    if (seen.has(d.deviceId)) {
      refuse("DUPLICATE_IN_DELIVERY");
      continue;
    }
    seen.add(d.deviceId);
    const s = inputs.standing.get(d.deviceId);
    if (!s || s.status === "none") refuse("NOT_CERTIFIED");
    else if (s.status === "pending" || !s.batch) refuse("PENDING");
    else if (s.batch.owner.toLowerCase() !== itad) refuse("OTHER_OWNER", s.batch.batchId);
    else if (inputs.deliveredBefore.has(d.deviceId)) refuse("ALREADY_DELIVERED", s.batch.batchId);
    else if (s.batch.status === "suspended") refuse("BATCH_SUSPENDED", s.batch.batchId);
    else if (s.batch.status === "reversed") refuse("BATCH_REVERSED", s.batch.batchId);
    else {
      const b = s.batch;
      const item = items.get(b.batchId) ?? { batchId: b.batchId, category: b.category, amount: 0, devices: [] };
      if (BigInt(item.amount) >= (inputs.balances.get(b.batchId) ?? 0n)) {
        refuse("NOT_HELD", b.batchId);
        continue;
      }
      item.amount++;
      item.devices.push({ row: d.row, deviceId: d.deviceId });
      items.set(b.batchId, item);
    }
  }
  const sorted = [...items.values()].sort((a, b) => (BigInt(a.batchId) < BigInt(b.batchId) ? -1 : 1));
  return {
    delivered: inputs.devices.length,
    certified: sorted.reduce((n, i) => n + i.amount, 0),
    items: sorted,
    refused,
  };
}
