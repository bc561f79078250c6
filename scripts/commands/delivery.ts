/**
 * `itec delivery prepare|send|list|show` — flow-through deliveries (docs/deliveries.md): the ITAD uploads the serials
 * it delivered to a customer and sends the certificates of exactly those devices, the transfer carrying the
 * reference's hash; the customer lists what it received. `itec verify delivery <ref>` (verifyDelivery below) checks
 * a received delivery device by device against the chain.
 */
import { readFileSync } from "node:fs";

import type { Command } from "commander";

import {
  referenceHashOf,
  verifyDeliveryTransfer,
  verifyDevices,
  type Delivery,
  type DeliveryPrepared,
  type DeviceRef,
} from "../../sdk/src/delivery.ts";
import { connectReads } from "./documents.ts";
import {
  action,
  field,
  group,
  parseAddress,
  print,
  signAndSend,
  signIn,
  table,
  withSigner,
  type SignerOptions,
} from "./common.ts";

interface UploadOptions extends SignerOptions {
  customer: string;
  reference: string;
}

/** The file's body for POST /deliveries: CSV text, or the JSON list of devices. */
function upload(file: string, o: UploadOptions): { body: unknown; headers: Record<string, string>; path: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}`, { cause: error });
  }
  if (file.toLowerCase().endsWith(".json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${file} is not valid JSON`);
    }
    const devices = Array.isArray(parsed) ? parsed : (parsed as { devices?: unknown }).devices;
    return { body: { customer: o.customer, reference: o.reference, devices }, headers: {}, path: "/deliveries" };
  }
  const query = new URLSearchParams({ customer: o.customer, reference: o.reference });
  return { body: text, headers: { "content-type": "text/csv" }, path: `/deliveries?${query.toString()}` };
}

function planLines(p: DeliveryPrepared): string[] {
  const d = p.delivery;
  return [
    `delivery ${d.reference} (${d.id}) to ${d.customer}: ${d.delivered} devices, ${d.certified} certified`,
    ...(d.items.length
      ? table(
          ["batch", "category", "certificates"],
          d.items.map((i) => [`#${i.batchId}`, i.category, i.amount]),
          new Set([2]),
        )
      : ["  no device carries a certificate: nothing to transfer"]),
    ...(p.refused.length
      ? [
          `${p.refused.length} not certified:`,
          ...p.refused.map((r) => `  row ${r.row} ${r.serial ?? r.deviceId}: ${r.reason}`),
        ]
      : []),
  ];
}

export function deliveryLines(d: Delivery): string[] {
  return [
    d.summary,
    field("reference hash", d.referenceHash),
    field("from (ITAD)", d.itad),
    field("to (customer)", d.customer),
    field("state", d.transfer ? `${d.state}, tx ${d.transfer.txHash} (block ${d.transfer.block})` : d.state),
    ...d.items.map((i) => field(`batch #${i.batchId}`, `${i.amount} ${i.category} certificates`)),
    ...d.refused.map((r) => field(`row ${r.row}`, `${r.reason} (${r.deviceId})`)),
  ];
}

export function registerDelivery(program: Command): void {
  const delivery = group(program, "delivery", "flow-through deliveries: certificates of the devices delivered");
  const uploadFlags = (cmd: Command) =>
    withSigner(cmd)
      .argument("<file>", "the devices delivered: CSV with manufacturer,serial (or device_id) columns, or JSON")
      .requiredOption("--customer <address>", "the customer's account", parseAddress)
      .requiredOption("--reference <text>", "your delivery reference, e.g. ORD-123");

  uploadFlags(
    delivery
      .command("prepare")
      .description("plan a delivery: certificates per batch and each device without one, with its reason"),
  ).action(
    action(async (file: string, o: UploadOptions) => {
      const s = await signIn(o);
      const u = upload(file, o);
      const p = (await s.api.send<DeliveryPrepared>("POST", u.path, u.body, u.headers)).body;
      print(o, p, () => [
        ...planLines(p),
        p.transaction ? "run `itec delivery send` with the same file to send it" : "",
      ]);
    }),
  );

  uploadFlags(
    delivery
      .command("send")
      .description("plan a delivery, sign and send its transfer (data = the reference's hash), record it"),
  ).action(
    action(async (file: string, o: UploadOptions) => {
      const s = await signIn(o);
      const u = upload(file, o);
      const p = (await s.api.send<DeliveryPrepared>("POST", u.path, u.body, u.headers)).body;
      if (!p.transaction) throw new Error(`${planLines(p).join("\n")}\nnothing to send`);
      const sent = await signAndSend(s, o, p.transaction);
      sent.provider.destroy();
      const d = await s.api.recordDeliveryTransfer(p.delivery.id, sent.hash);
      print(o, { ...p, delivery: d }, () => [...planLines({ ...p, delivery: d }), `✓ sent in tx ${sent.hash}`]);
    }),
  );

  withSigner(
    delivery
      .command("list")
      .description("deliveries you received (default) or made (--made)")
      .option("--made", "the deliveries you made as the ITAD"),
  ).action(
    action(async (o: SignerOptions & { made?: boolean }) => {
      const s = await signIn(o);
      const list = await s.api.deliveries(o.made ? "itad" : "customer");
      print(o, list, () => (list.length ? list.map((d) => `${d.id}  ${d.summary}`) : ["no deliveries"]));
    }),
  );
}

interface VerifyOptions extends SignerOptions {
  registry?: string;
  dataDir: string;
  serials?: string;
}

/** The customer's own devices: a CSV of manufacturer,serial (or device_id) columns. */
async function ownDevices(file: string): Promise<DeviceRef[]> {
  // Loaded here: `itec verify …` registers this command, and its other subcommands need no CSV reader.
  const { parseDeliveryCsv } = await import("../../core/deliveries/input.ts");
  return parseDeliveryCsv(readFileSync(file, "utf8")).map((d) =>
    d.serial !== undefined ? { manufacturer: d.manufacturer!, serial: d.serial } : d.deviceId,
  );
}

/** `itec verify delivery <ref>`: the transfer and each device's proof, checked against the chain. */
export function registerVerifyDelivery(verify: Command): void {
  withSigner(
    verify
      .command("delivery")
      .description(
        "verify a delivery you received: its transfer carries the reference's hash, and each device's Merkle proof " +
          "reaches its batch's root on the chain (exit 1 if any check fails)",
      )
      .argument("<reference>", "the delivery reference, e.g. ORD-123")
      .option("--serials <file>", "your own list of the devices (CSV manufacturer,serial): checks exactly these")
      .option(
        "--registry <address>",
        "registry contract (env ITEC_REGISTRY_ADDRESS, default from .itec/deployment.json)",
      )
      .option("--data-dir <dir>", "npm start's data directory (for deployment.json)", ".itec"),
  ).action(
    action(async (reference: string, o: VerifyOptions) => {
      const s = await signIn(o);
      const [d] = await s.api.deliveries("customer", reference);
      if (!d) throw new Error(`no delivery ${reference} received by ${s.address}`);
      const proofs = await s.api.deliveryProofs(d.id);
      const chain = await connectReads({
        rpc: o.rpc,
        dataDir: o.dataDir,
        ...(o.registry !== undefined ? { registry: o.registry } : {}),
      });
      try {
        // The hash is computed here from the reference asked about: the API's copy is not taken on its word.
        const expected = { ...d, referenceHash: referenceHashOf(reference) };
        const transfer = d.transfer
          ? await verifyDeliveryTransfer(
              chain.reads.chain.provider,
              chain.reads.chain.address,
              d.transfer.txHash,
              expected,
            )
          : { verified: false, problems: ["no transfer recorded"] };
        const devices = o.serials ? await ownDevices(o.serials) : proofs.devices.map((p) => p.deviceId);
        const results = await verifyDevices(devices, proofs.devices, chain.reads);
        const ok = transfer.verified && results.every((r) => r.status === "verified");
        print(o, { delivery: d, transfer, devices: results, verified: ok }, () => [
          d.summary,
          `transfer: ${transfer.verified ? "✓ carries the reference's hash and the delivery's counts" : `✗ ${transfer.problems.join("; ")}`}`,
          ...results.map(
            (r) =>
              `${r.status === "verified" ? "✓" : "✗"} ${r.serial ?? r.deviceId}  ${r.batchId ? `batch #${r.batchId}` : ""}  ${r.status}${r.detail ? ` — ${r.detail}` : ""}`,
          ),
          `${results.filter((r) => r.status === "verified").length} of ${results.length} devices verified against the chain`,
        ]);
        if (!ok) process.exitCode = 1;
      } finally {
        chain.close();
      }
    }),
  );
}
