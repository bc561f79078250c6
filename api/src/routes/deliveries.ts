/**
 * Flow-through deliveries (issue 19, docs/deliveries.md): the ITAD uploads what it delivered to a customer and gets
 * the transfer carrying exactly those devices' certificates (its `data` the reference's hash), reports the mined
 * transaction, and the customer reads what it received and the proofs of its own devices. Only the ITAD and, once
 * sent, the customer can read a delivery; anyone else gets 404 as for an unknown id.
 */
import { z } from "zod";

import { DeliveryInputError } from "../../../core/deliveries/reference.ts";
import {
  deliveryDevices,
  MAX_DELIVERY_DEVICES,
  parseDeliveryCsv,
  type DeliveryDevice,
} from "../../../core/deliveries/input.ts";
import { REFUSAL_REASONS } from "../../../core/deliveries/plan.ts";
import type { DeliveryRow } from "../../../oracle/src/index.ts";
import { requireOracle, requireRole, type AppDeps } from "../deps.ts";
import { ACCOUNTS, unsignedTransferExample } from "../examples/wallet.ts";
import { HttpProblem } from "../problem.ts";
import { defineRoute, type RouteSpec } from "../route/define.ts";
import { DeliveryService, invalid } from "../services/deliveries.ts";
import { DeviceLookup } from "../services/device-lookup.ts";
import { address, hash32, unsignedTxSchema } from "../schemas.ts";
import { capCsvRows } from "../workers/caps.ts";
import { deviceProof } from "./challenges.ts";

const deliveryId = z.string().regex(/^D[0-9a-f]{16}$/, "expected a delivery id like D0123456789abcdef");
const reasons = Object.keys(REFUSAL_REASONS) as [keyof typeof REFUSAL_REASONS, ...(keyof typeof REFUSAL_REASONS)[]];

const refusalSchema = z
  .object({
    row: z.number().int().describe("1-based row of the device in the upload"),
    deviceId: z.string(),
    reason: z.enum(reasons).describe(
      Object.entries(REFUSAL_REASONS)
        .map(([k, v]) => `${k}: ${v}`)
        .join("; "),
    ),
    batchId: z.string().nullable().describe("the batch certifying the device, when one does"),
  })
  .meta({ id: "DeliveryRefusal" });

export const deliverySchema = z
  .object({
    id: z.string(),
    reference: z.string().describe("the ITAD's delivery reference, e.g. ORD-123"),
    referenceHash: z.string().describe("keccak256 of the reference: the transfer's ERC-1155 data"),
    itad: z.string(),
    customer: z.string(),
    state: z.enum(["prepared", "sent"]).describe("sent: the transfer was checked on the chain"),
    delivered: z.number().int().describe("devices delivered (rows uploaded)"),
    certified: z.number().int().describe("devices whose certificates the transfer carries"),
    items: z
      .array(z.object({ batchId: z.string(), category: z.string(), amount: z.string() }))
      .describe("certificates per batch"),
    refused: z.array(refusalSchema).describe("devices that carry no certificate, with the reason"),
    transfer: z.object({ txHash: z.string(), block: z.number().int() }).nullable(),
    summary: z
      .string()
      .describe('e.g. "received with delivery ORD-123: 50 devices, 48 certified (2 not certified: …)"'),
    createdAt: z.string(),
    links: z.record(z.string(), z.string()),
  })
  .meta({ id: "Delivery" });

export const preparedSchema = z
  .object({
    delivery: deliverySchema,
    refused: z
      .array(refusalSchema.extend({ serial: z.string().nullable() }))
      .describe("the refused devices with the serials as uploaded (for the ITAD; never stored)"),
    transaction: unsignedTxSchema.nullable().describe("the transfer for the ITAD's wallet (null: nothing to transfer)"),
  })
  .meta({ id: "DeliveryPrepared" });

export const proofsSchema = z
  .object({
    deliveryId: z.string(),
    reference: z.string(),
    referenceHash: z.string(),
    transfer: z.object({ txHash: z.string(), block: z.number().int() }).nullable(),
    devices: z
      .array(z.object({ deviceId: z.string(), batchId: z.string(), proof: deviceProof.nullable() }))
      .describe("the delivery's own devices, each with its leaf and Merkle proof against its batch's root"),
  })
  .meta({ id: "DeliveryProofs" });

const jsonBody = z.object({
  customer: address,
  reference: z.string().min(1).max(200),
  devices: z
    .array(
      z.union([
        z.object({ manufacturer: z.string().min(1).max(200), serial: z.string().min(1).max(200) }),
        z.object({ deviceId: hash32 }),
      ]),
    )
    .min(1)
    .max(MAX_DELIVERY_DEVICES),
});

const EXAMPLE_ID = "D3f6c1a0b2e4d5c6f";
const EXAMPLE_HASH = "0x8a6a2c7f5b1f7c0e1b3c6a1b4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e";
const EXAMPLE_DEVICE = "0xaaeed030b18b2fc294e088ed9442b77ddb2beafa96efa571b1f0336413cc3bf7";

export function deliveryExample(publicUrl: string) {
  return {
    id: EXAMPLE_ID,
    reference: "ORD-123",
    referenceHash: EXAMPLE_HASH,
    itad: ACCOUNTS.refurbisher,
    customer: ACCOUNTS.corporate,
    state: "sent" as const,
    delivered: 3,
    certified: 2,
    items: [{ batchId: "1", category: "laptop", amount: "2" }],
    refused: [{ row: 3, deviceId: EXAMPLE_DEVICE, reason: "NOT_CERTIFIED" as const, batchId: null }],
    transfer: { txHash: EXAMPLE_HASH, block: 42 },
    summary: "received with delivery ORD-123: 3 devices, 2 certified (1 not certified: 1 NOT_CERTIFIED)",
    createdAt: "2026-12-03T10:00:00.000Z",
    links: {
      self: `${publicUrl}/deliveries/${EXAMPLE_ID}`,
      proofs: `${publicUrl}/deliveries/${EXAMPLE_ID}/proofs`,
    },
  };
}

/** "received with delivery ORD-123: 50 devices, 48 certified (2 not certified: 1 NOT_CERTIFIED, 1 OTHER_OWNER)". */
export function deliverySummary(
  row: Pick<DeliveryRow, "reference" | "delivered" | "certified" | "refused_json">,
): string {
  const refused = JSON.parse(row.refused_json) as { reason: string }[];
  const counts = new Map<string, number>();
  for (const r of refused) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  const why = [...counts].map(([reason, n]) => `${n} ${reason}`).join(", ");
  return (
    `received with delivery ${row.reference}: ${row.delivered} devices, ${row.certified} certified` +
    (refused.length > 0 ? ` (${refused.length} not certified: ${why})` : "")
  );
}

function view(row: DeliveryRow, publicUrl: string) {
  const items = JSON.parse(row.items_json) as { batchId: string; category: string; amount: number }[];
  return {
    id: row.id,
    reference: row.reference,
    referenceHash: row.reference_hash,
    itad: row.itad,
    customer: row.customer,
    state: row.state,
    delivered: row.delivered,
    certified: row.certified,
    items: items.map((i) => ({ ...i, amount: String(i.amount) })),
    refused: JSON.parse(row.refused_json) as z.output<typeof refusalSchema>[],
    transfer: row.tx_hash && row.block_number !== null ? { txHash: row.tx_hash, block: row.block_number } : null,
    summary: deliverySummary(row),
    createdAt: row.created_at,
    links: { self: `${publicUrl}/deliveries/${row.id}`, proofs: `${publicUrl}/deliveries/${row.id}/proofs` },
  };
}

/** The devices of an upload: CSV text, or the JSON body's list. */
function devicesOf(body: string | z.output<typeof jsonBody>): DeliveryDevice[] {
  try {
    if (typeof body === "string") {
      capCsvRows(body, MAX_DELIVERY_DEVICES, "devices");
      return parseDeliveryCsv(body);
    }
    return deliveryDevices(body.devices);
  } catch (error) {
    if (error instanceof DeliveryInputError) throw invalid(error.message);
    throw error;
  }
}

export function deliveryRoutes(deps: AppDeps): RouteSpec[] {
  let service: DeliveryService | undefined;
  const deliveries = () => {
    const store = requireOracle(deps).store;
    return (service ??= new DeliveryService(store, deps.reads, deps.txs, new DeviceLookup(store, deps.reads)));
  };
  const example = deliveryExample(deps.publicUrl);
  return [
    defineRoute({
      method: "post",
      path: "/deliveries",
      operationId: "prepareDelivery",
      summary: "Prepare a flow-through delivery: the certificates of the devices delivered to a customer",
      description:
        "The signed-in refurbisher or ITAD sends what it delivered: JSON `{ customer, reference, devices }` (each " +
        "device `{ manufacturer, serial }` or `{ deviceId }`), or `text/csv` with columns manufacturer and serial (or " +
        "device_id; other columns are ignored) and `customer` and `reference` in the query. The registry computes " +
        "the device ids, finds the issued batches certifying them and answers the transfer of exactly those counts " +
        "per batch to the customer, its ERC-1155 `data` the reference's keccak256 hash, plus one reason per device " +
        "that carries no certificate. The delivery is stored by device id (never a serial); a prepared delivery of " +
        "the same reference is replaced. Sign the transfer, relay it, then `POST /deliveries/{id}/sent`. " +
        `At most ${MAX_DELIVERY_DEVICES.toLocaleString("en")} devices.`,
      tags: ["deliveries"],
      auth: "session",
      limit: "write",
      query: z.object({
        customer: address.optional().describe("CSV uploads: the customer's account"),
        reference: z.string().min(1).max(200).optional().describe("CSV uploads: the delivery reference"),
      }),
      body: z.union([jsonBody, z.string()]),
      bodyTypes: ["application/json", "text/csv"],
      example: {
        body: {
          customer: ACCOUNTS.corporate,
          reference: "ORD-123",
          devices: [{ manufacturer: "Dell", serial: "CN0LAT54000" }, { deviceId: EXAMPLE_DEVICE }],
        },
      },
      responses: {
        201: {
          description: "The delivery, stored as prepared, with its transfer",
          schema: preparedSchema,
          example: {
            delivery: { ...example, state: "prepared", transfer: null },
            refused: [{ ...example.refused[0]!, serial: null }],
            transaction: unsignedTransferExample,
          },
        },
        409: { description: "DELIVERY_SENT or DELIVERY_CONFLICT" },
        422: { description: "Invalid input, DELIVERY_INVALID or WOULD_REVERT (e.g. the customer is not admitted)" },
      },
      problems: [
        "FORBIDDEN",
        "ORACLE_UNAVAILABLE",
        "DELIVERY_INVALID",
        "DELIVERY_SENT",
        "DELIVERY_CONFLICT",
        "WOULD_REVERT",
        "TOO_MANY_ROWS",
      ],
      handler: async ({ body, query, session }) => {
        const me = await requireRole(deps, session, ["refurbisher", "itad"]);
        const customer = typeof body === "string" ? query.customer : body.customer;
        const reference = typeof body === "string" ? query.reference : body.reference;
        if (!customer || !reference) throw invalid("a CSV upload names `customer` and `reference` in the query");
        const devices = devicesOf(body);
        const p = await deliveries().prepare(me.account, customer, reference, devices);
        return {
          status: 201,
          body: {
            delivery: view(p.row, deps.publicUrl),
            refused: p.plan.refused.map((r) => ({ ...r, serial: devices[r.row - 1]?.serial ?? null })),
            transaction: p.transaction,
          },
        };
      },
    }),
    defineRoute({
      method: "post",
      path: "/deliveries/:id/sent",
      operationId: "recordDeliveryTransfer",
      summary: "Record the mined transfer of a prepared delivery, checked on the chain",
      description:
        "The ITAD reports the hash of its delivery's transfer. The registry reads the transaction from the chain: " +
        "mined and successful, a registry `safeTransferFrom`/`safeBatchTransferFrom` from the ITAD to the customer " +
        "of exactly the delivery's counts, its `data` the reference's hash — else 422 DELIVERY_TRANSFER_MISMATCH " +
        "saying what differs. The customer then sees the delivery.",
      tags: ["deliveries"],
      auth: "session",
      limit: "write",
      params: z.object({ id: deliveryId }),
      body: z.object({ txHash: hash32 }),
      example: { params: { id: EXAMPLE_ID }, body: { txHash: EXAMPLE_HASH } },
      responses: { 200: { description: "The delivery, sent", schema: deliverySchema, example } },
      problems: ["NOT_FOUND", "DELIVERY_SENT", "DELIVERY_TRANSFER_MISMATCH", "ORACLE_UNAVAILABLE"],
      handler: async ({ params, body, session }) => ({
        body: view(await deliveries().markSent(session!.address, params.id, body.txHash), deps.publicUrl),
      }),
    }),
    defineRoute({
      method: "delete",
      path: "/deliveries/:id",
      operationId: "cancelDelivery",
      summary: "Withdraw a prepared delivery (its devices are free for another)",
      tags: ["deliveries"],
      auth: "session",
      limit: "write",
      params: z.object({ id: deliveryId }),
      example: { params: { id: EXAMPLE_ID } },
      responses: {
        200: {
          description: "The delivery as it was before it was withdrawn",
          schema: deliverySchema,
          example: { ...example, state: "prepared", transfer: null },
        },
      },
      problems: ["NOT_FOUND", "DELIVERY_SENT", "ORACLE_UNAVAILABLE"],
      handler: async ({ params, session }) => {
        const row = await deliveries().readable(params.id, session!.address, "itad");
        if (!(await requireOracle(deps).store.deliveries.cancel(row.id))) {
          throw invalidSent(row);
        }
        return { body: view(row, deps.publicUrl) };
      },
    }),
    defineRoute({
      method: "get",
      path: "/deliveries",
      operationId: "listDeliveries",
      summary: "Deliveries you received (role=customer, sent ones) or made (role=itad), newest first",
      tags: ["deliveries"],
      auth: "session",
      limit: "read",
      query: z.object({
        role: z.enum(["customer", "itad"]).default("customer"),
        reference: z.string().min(1).max(200).optional().describe("only the deliveries with this reference"),
      }),
      example: { query: { role: "customer", reference: "ORD-123" } },
      responses: {
        200: {
          description: "Up to 100 deliveries",
          schema: z.object({ deliveries: z.array(deliverySchema) }).meta({ id: "DeliveryList" }),
          example: { deliveries: [example] },
        },
      },
      problems: ["ORACLE_UNAVAILABLE"],
      handler: async ({ query, session }) => {
        const rows = await requireOracle(deps).store.deliveries.of(session!.address, query.role);
        const wanted = query.reference?.trim();
        return {
          body: {
            deliveries: rows.filter((r) => !wanted || r.reference === wanted).map((r) => view(r, deps.publicUrl)),
          },
        };
      },
    }),
    defineRoute({
      method: "get",
      path: "/deliveries/:id",
      operationId: "getDelivery",
      summary: "A delivery you made or received: counts per batch, devices not certified with reasons, transfer",
      tags: ["deliveries"],
      auth: "session",
      limit: "read",
      params: z.object({ id: deliveryId }),
      example: { params: { id: EXAMPLE_ID } },
      responses: { 200: { description: "The delivery", schema: deliverySchema, example } },
      problems: ["NOT_FOUND", "ORACLE_UNAVAILABLE"],
      handler: async ({ params, session }) => ({
        body: view(await deliveries().readable(params.id, session!.address), deps.publicUrl),
      }),
    }),
    defineRoute({
      method: "get",
      path: "/deliveries/:id/proofs",
      operationId: "getDeliveryProofs",
      summary: "The Merkle inclusion proofs of a delivery's own devices, to check against the chain",
      description:
        "Each device that flowed through with the delivery, with its leaf `[index, deviceId]` and proof against its " +
        "batch's device root on the chain (check with the SDK's `verifyDevices` or `itec verify delivery`). Only " +
        "this delivery's devices: sibling hashes reveal no other device's id or serial.",
      tags: ["deliveries", "verify"],
      auth: "session",
      limit: "read",
      params: z.object({ id: deliveryId }),
      example: { params: { id: EXAMPLE_ID } },
      responses: {
        200: {
          description: "The proofs",
          schema: proofsSchema,
          example: {
            deliveryId: EXAMPLE_ID,
            reference: "ORD-123",
            referenceHash: EXAMPLE_HASH,
            transfer: example.transfer,
            devices: [
              {
                deviceId: EXAMPLE_DEVICE,
                batchId: "1",
                proof: {
                  root: "0x1f825e1404ce2ee9ebcc19eb9d47594bffd642497c14fe6bbde076694a9d58f7",
                  index: "0",
                  deviceId: EXAMPLE_DEVICE,
                  proof: ["0x253d512ef9877210cd2d4802033eaf8f6a9eb202f6901aa706cf76b89ef98865"],
                },
              },
            ],
          },
        },
      },
      problems: ["NOT_FOUND", "ORACLE_UNAVAILABLE"],
      handler: async ({ params, session }) => {
        const row = await deliveries().readable(params.id, session!.address);
        const v = view(row, deps.publicUrl);
        return {
          body: {
            deliveryId: row.id,
            reference: row.reference,
            referenceHash: row.reference_hash,
            transfer: v.transfer,
            devices: await deliveries().proofs(row),
          },
        };
      },
    }),
  ];
}

function invalidSent(row: DeliveryRow) {
  return new HttpProblem(409, "DELIVERY_SENT", "Delivery already sent", `delivery ${row.reference} was sent`);
}
