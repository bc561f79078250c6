/**
 * Flow-through deliveries (docs/deliveries.md): an ITAD's delivery of devices to a customer is planned against the
 * registry's device reservations (job store), the batches' standing and the ITAD's balances (chain), stored by
 * device id, and carried to the customer by one transfer whose ERC-1155 `data` is the reference's hash. Once the ITAD
 * reports the transaction, it is checked on the chain before the delivery counts as sent. Only the ITAD and the
 * customer can read a delivery; its proofs are those of its own devices only.
 */
import { getAddress } from "ethers";

import { DeliveryInputError, deliveryReferenceHash, normaliseReference } from "../../../core/deliveries/reference.ts";
import { planDelivery, type DeliveryPlan, type DeviceStandingInput } from "../../../core/deliveries/plan.ts";
import { keccak256Utf8 } from "../../../core/calc/keccak.ts";
import { deliveryNotes, type DeliveriesOf } from "../../../core/deliveries/attribution.ts";
import type { DeliveryDevice } from "../../../core/deliveries/input.ts";
import type { JobStore } from "../../../oracle/src/index.ts";
import { DeliveryStoreError, type DeliveryRow } from "../../../oracle/src/index.ts";
import { verifyDeliveryTransfer, type DeliveryDeviceProof } from "../../../sdk/src/delivery.ts";
import type { UnsignedTx } from "../../../sdk/src/api-client.ts";
import { mapLimit } from "../../../sdk/src/logs.ts";
import type { ChainReads } from "../../../core/chain/reads.ts";
import { HttpProblem } from "../problem.ts";
import type { TransactionService } from "./transactions.ts";
import type { DeviceLookup } from "./device-lookup.ts";

/** Ids per statement (well under SQLite's and PostgreSQL's parameter limits). */
const CHUNK = 500;
/** Proofs built at once (trees are cached per batch by the device lookup). */
const PROOF_CONCURRENCY = 4;

/** The stable id of an ITAD's delivery reference: `D` + 16 hex digits of keccak256(itad|referenceHash). */
export function deliveryIdOf(itad: string, referenceHash: string): string {
  return `D${keccak256Utf8(`${itad.toLowerCase()}|${referenceHash}`).slice(2, 18)}`;
}

export interface PreparedDelivery {
  row: DeliveryRow;
  plan: DeliveryPlan;
  transaction: UnsignedTx | null;
}

export class DeliveryService {
  readonly #store: JobStore;
  readonly #reads: ChainReads;
  readonly #txs: TransactionService;
  readonly #devices: DeviceLookup;

  constructor(store: JobStore, reads: ChainReads, txs: TransactionService, devices: DeviceLookup) {
    this.#store = store;
    this.#reads = reads;
    this.#txs = txs;
    this.#devices = devices;
  }

  /**
   * Plans and stores `itad`'s delivery of `devices` to `customer` under `reference`, and builds its transfer (null
   * when no device carries a certificate). A prepared delivery of the same reference is replaced.
   */
  async prepare(
    itad: string,
    customer: string,
    reference: string,
    devices: DeliveryDevice[],
  ): Promise<PreparedDelivery> {
    if (getAddress(customer) === getAddress(itad)) {
      throw invalid("the customer is the ITAD itself");
    }
    let text: string;
    try {
      text = normaliseReference(reference);
    } catch (error) {
      if (error instanceof DeliveryInputError) throw invalid(error.message);
      throw error;
    }
    const referenceHash = deliveryReferenceHash(text);
    const id = deliveryIdOf(itad, referenceHash);
    const ids = [...new Set(devices.map((d) => d.deviceId))];
    const answers = await this.#devices.check(ids);
    const tokens = [...new Set(answers.flatMap((a) => (a.batch ? [a.batch.batchId] : [])))];
    const owners = await this.#owners(tokens);
    const standing = new Map<string, DeviceStandingInput>(
      answers.map((a) => [
        a.deviceId,
        {
          status: a.status,
          batch: a.batch ? { ...a.batch, owner: owners.get(a.batch.batchId) ?? "" } : undefined,
        },
      ]),
    );
    const held = await this.#reads.balances(itad, tokens.map(BigInt));
    const plan = planDelivery({
      itad,
      devices,
      standing,
      deliveredBefore: await this.#store.deliveries.taken(ids, id),
      balances: new Map(held.map((b) => [b.batchId, BigInt(b.amount)])),
    });
    const transaction =
      plan.items.length === 0 ? null : await this.#transfer(itad, customer, text, referenceHash, plan);
    const row = await this.#storePrepared(
      {
        id,
        itad,
        customer: getAddress(customer),
        reference: text,
        reference_hash: referenceHash,
        delivered: plan.delivered,
        certified: plan.certified,
        items_json: JSON.stringify(
          plan.items.map((i) => ({ batchId: i.batchId, category: i.category, amount: i.amount })),
        ),
        refused_json: JSON.stringify(plan.refused),
      },
      plan.items.flatMap((i) => i.devices.map((d) => ({ deviceId: d.deviceId, batchId: i.batchId, position: d.row }))),
    );
    return { row, plan, transaction };
  }

  async #storePrepared(...args: Parameters<JobStore["deliveries"]["prepare"]>): Promise<DeliveryRow> {
    try {
      return await this.#store.deliveries.prepare(...args);
    } catch (error) {
      if (error instanceof DeliveryStoreError) throw new HttpProblem(409, error.code, "Conflict", error.message);
      throw error;
    }
  }

  /** Records the transfer `txHash` of a prepared delivery once the chain shows it is exactly the delivery's. */
  async markSent(itad: string, id: string, txHash: string): Promise<DeliveryRow> {
    const row = await this.readable(id, itad, "itad");
    if (row.state === "sent") {
      throw new HttpProblem(
        409,
        "DELIVERY_SENT",
        "Delivery already sent",
        `delivery ${row.reference} was sent in ${row.tx_hash}`,
      );
    }
    const check = await verifyDeliveryTransfer(
      this.#reads.chain.provider,
      this.#reads.chain.address,
      txHash,
      expected(row),
    );
    if (!check.verified) {
      throw new HttpProblem(
        422,
        "DELIVERY_TRANSFER_MISMATCH",
        "Not the delivery's transfer",
        check.problems.join("; "),
      );
    }
    if (!(await this.#store.deliveries.markSent(id, txHash, check.block!))) {
      throw new HttpProblem(
        409,
        "DELIVERY_SENT",
        "Delivery already sent",
        `delivery ${row.reference} is no longer prepared`,
      );
    }
    return (await this.#store.deliveries.get(id))!;
  }

  /**
   * Delivery `id` when `account` may read it: its ITAD, or its customer once it is sent (`role` restricts to one).
   * Anyone else gets the same 404 as for an unknown id, so ids reveal nothing.
   */
  async readable(id: string, account: string, role?: "itad" | "customer"): Promise<DeliveryRow> {
    const row = await this.#store.deliveries.get(id);
    const a = getAddress(account);
    const asItad = row?.itad === a && role !== "customer";
    const asCustomer = row?.customer === a && row.state === "sent" && role !== "itad";
    if (!row || !(asItad || asCustomer)) {
      throw new HttpProblem(404, "NOT_FOUND", "Not found", `no delivery ${id} of yours`);
    }
    return row;
  }

  /** The delivery's own devices with their leaves and Merkle proofs (nothing of any other device). */
  async proofs(row: DeliveryRow): Promise<DeliveryDeviceProof[]> {
    const devices = await this.#store.deliveries.devices(row.id);
    return mapLimit(devices, PROOF_CONCURRENCY, async (d) => {
      const found = await this.#devices.lookup(d.device_id);
      return { deviceId: d.device_id, batchId: d.batch_token, proof: found.proof };
    });
  }

  /** The submitter of the lot of each issued batch (the account the batch was minted to). */
  async #owners(tokens: readonly string[]): Promise<Map<string, string>> {
    const owners = new Map<string, string>();
    for (let i = 0; i < tokens.length; i += CHUNK) {
      const chunk = tokens.slice(i, i + CHUNK);
      const rows = await this.#store.db.all<{ token_id: string; refurbisher: string }>(
        `SELECT b.token_id, l.refurbisher FROM batches b JOIN lots l ON l.id = b.lot_id
          WHERE b.token_id IN (${chunk.map(() => "?").join(",")})`,
        chunk,
      );
      for (const r of rows) owners.set(r.token_id, r.refurbisher);
    }
    return owners;
  }

  #transfer(itad: string, customer: string, reference: string, hash: string, plan: DeliveryPlan): Promise<UnsignedTx> {
    const what = `${plan.certified} I-TEC for delivery ${reference} to ${customer}`;
    if (plan.items.length === 1) {
      const [i] = plan.items;
      return this.#txs.build(
        itad,
        "safeTransferFrom",
        [itad, customer, i!.batchId, i!.amount, hash],
        `transfer ${what}`,
      );
    }
    return this.#txs.build(
      itad,
      "safeBatchTransferFrom",
      [itad, customer, plan.items.map((i) => i.batchId), plan.items.map((i) => i.amount), hash],
      `transfer ${what} (${plan.items.map((i) => `${i.amount} of #${i.batchId}`).join(", ")})`,
    );
  }
}

/** The documents' lookup of the deliveries a holder received a batch with (core/deliveries/attribution.ts). */
export function deliveriesOf(store: JobStore): DeliveriesOf {
  return async (holder, batchId, block) =>
    deliveryNotes(await store.deliveries.receivedOf(getAddress(holder), batchId, block), batchId);
}

/** A 422 DELIVERY_INVALID saying why. */
export function invalid(detail: string): HttpProblem {
  return new HttpProblem(422, "DELIVERY_INVALID", "Invalid delivery", detail);
}

/** The transfer a stored delivery must have been. */
export function expected(row: DeliveryRow) {
  const items = JSON.parse(row.items_json) as { batchId: string; amount: number }[];
  return {
    itad: row.itad,
    customer: row.customer,
    referenceHash: row.reference_hash,
    items: items.map((i) => ({ batchId: i.batchId, amount: String(i.amount) })),
  };
}
