/**
 * Flow-through deliveries, checked by the customer from the chain (docs/deliveries.md): the transfer that carried a
 * delivery's certificates — the registry's `safeTransferFrom` / `safeBatchTransferFrom` from the ITAD to the
 * customer of exactly the delivery's per-batch counts, its ERC-1155 `data` the 32-byte hash of the delivery
 * reference — and, device by device, each device's Merkle inclusion proof against its batch's device root on the
 * chain. What the API serves is only ever input here: nothing is taken on its word.
 */
import { getAddress, Interface, keccak256, toUtf8Bytes, type Provider } from "ethers";

import type { UnsignedTx } from "./api-client.ts";
import type { DeviceVerification } from "./verification.ts";

/** A device as the customer knows it: its serial and manufacturer, or its id. */
export type DeviceRef = string | { manufacturer: string; serial: string };

/** What the API serves for one device of a delivery (GET /deliveries/{id}/proofs). */
export interface DeliveryDeviceProof {
  deviceId: string;
  batchId: string;
  proof: { root: string; index: string; deviceId: string; proof: string[] } | null;
}

/** A delivery as the API serves it (GET /deliveries/{id}). */
export interface Delivery {
  id: string;
  reference: string;
  referenceHash: string;
  itad: string;
  customer: string;
  state: "prepared" | "sent";
  delivered: number;
  certified: number;
  items: { batchId: string; category: string; amount: string }[];
  refused: { row: number; deviceId: string; reason: string; batchId: string | null }[];
  transfer: { txHash: string; block: number } | null;
  /** "received with delivery ORD-123: 50 devices, 48 certified (2 not certified: 2 NOT_CERTIFIED)". */
  summary: string;
  createdAt: string;
  links: Record<string, string>;
}

/** The proofs of a delivery's own devices (GET /deliveries/{id}/proofs). */
export interface DeliveryProofs {
  deliveryId: string;
  reference: string;
  referenceHash: string;
  transfer: { txHash: string; block: number } | null;
  devices: DeliveryDeviceProof[];
}

/** What the ITAD sends (POST /deliveries, JSON). */
export interface DeliveryRequest {
  customer: string;
  reference: string;
  devices: ({ manufacturer: string; serial: string } | { deviceId: string })[];
}

/** A prepared delivery with its refused devices (serials as sent) and the transfer to sign (POST /deliveries). */
export interface DeliveryPrepared {
  delivery: Delivery;
  refused: { row: number; deviceId: string; reason: string; batchId: string | null; serial: string | null }[];
  transaction: UnsignedTx | null;
}

/** One device's result: `verified` only when its proof reaches its batch's root on the chain within the batch. */
export interface DeviceCheckResult {
  deviceId: string;
  /** The serial, when the device was given by serial. */
  serial: string | null;
  batchId: string | null;
  /**
   * `verified`: in the delivery and proven one of its batch's devices on the chain; `not-in-delivery`: the API served
   * no proof for it; `proof-invalid`: the proof does not reach the batch's device root on the chain (or names
   * another device); `batch-not-verified`: the proof holds but the batch itself fails a check (e.g. reversed).
   */
  status: "verified" | "not-in-delivery" | "proof-invalid" | "batch-not-verified";
  /** Why, for anything but verified. */
  detail: string | null;
}

/** The name of the inclusion check in a DeviceVerification's checks (checks.ts `deviceInclusionCheck`). */
const DEVICE_INCLUSION_CHECK = "device in the batch's device tree";

/** The interoperable device id of docs/methodology.md §8.1 (the same as the registry's `deviceId`). */
export function deviceIdOf(manufacturer: string, serial: string): string {
  const m = manufacturer.trim().replace(/\s+/g, " ").toLowerCase();
  const s = serial.replace(/\s/g, "").toUpperCase();
  return keccak256(toUtf8Bytes(`${m}|${s}`));
}

/** The delivery reference's hash, `keccak256(utf8(trimmed reference))`: the transfer's `data`. */
export function referenceHashOf(reference: string): string {
  return keccak256(toUtf8Bytes(reference.trim()));
}

/** The chain reads `verifyDevices` needs (a RegistryReader, or the API's ChainReads). */
export interface DeviceVerifier {
  verifyDeviceInBatch(
    batchId: bigint,
    index: number | bigint,
    deviceId: string,
    proof: readonly string[],
  ): Promise<DeviceVerification>;
}

/**
 * Checks, device by device, that each of `devices` (serials with their manufacturer, or device ids) is one of the
 * delivery's and is proven by its Merkle proof to be a device of its batch, against the batch's device root read from
 * the chain (and its index below the batch's certificates). A proof served for another device id, or one that
 * does not reach the root on the chain, fails.
 */
export async function verifyDevices(
  devices: readonly DeviceRef[],
  proofs: readonly DeliveryDeviceProof[],
  chain: DeviceVerifier,
): Promise<DeviceCheckResult[]> {
  const byId = new Map(proofs.map((p) => [p.deviceId.toLowerCase(), p]));
  const results: DeviceCheckResult[] = [];
  for (const d of devices) {
    const deviceId = (typeof d === "string" ? d : deviceIdOf(d.manufacturer, d.serial)).toLowerCase();
    const serial = typeof d === "string" ? null : d.serial;
    const p = byId.get(deviceId);
    if (!p?.proof) {
      results.push({ deviceId, serial, batchId: null, status: "not-in-delivery", detail: "no proof served" });
      continue;
    }
    if (p.proof.deviceId.toLowerCase() !== deviceId) {
      results.push({
        deviceId,
        serial,
        batchId: p.batchId,
        status: "proof-invalid",
        detail: `the proof is for device ${p.proof.deviceId}`,
      });
      continue;
    }
    let v: DeviceVerification;
    try {
      v = await chain.verifyDeviceInBatch(BigInt(p.batchId), BigInt(p.proof.index), deviceId, p.proof.proof);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      results.push({ deviceId, serial, batchId: p.batchId, status: "proof-invalid", detail });
      continue;
    }
    const failed = v.checks.filter((c) => !c.passed);
    const inclusion = failed.find((c) => c.check === DEVICE_INCLUSION_CHECK);
    results.push({
      deviceId,
      serial,
      batchId: p.batchId,
      status: v.verified ? "verified" : inclusion ? "proof-invalid" : "batch-not-verified",
      detail: v.verified ? null : failed.map((c) => `${c.check}: ${c.detail}`).join("; "),
    });
  }
  return results;
}

const TRANSFERS = new Interface([
  "function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes data)",
  "function safeBatchTransferFrom(address from, address to, uint256[] ids, uint256[] values, bytes data)",
]);

/** What a delivery's transfer must be. */
export interface ExpectedTransfer {
  itad: string;
  customer: string;
  referenceHash: string;
  items: readonly { batchId: string; amount: string }[];
}

export interface TransferCheck {
  /** True when every problem is absent. */
  verified: boolean;
  txHash: string;
  block: number | null;
  problems: string[];
}

/**
 * Whether transaction `txHash` is the delivery's transfer, from the chain: mined and successful, a call of the
 * registry's `safeTransferFrom` / `safeBatchTransferFrom` from the ITAD to the customer, of exactly the expected
 * amount of each batch (none other), its `data` exactly the 32-byte reference hash.
 */
export async function verifyDeliveryTransfer(
  provider: Provider,
  registry: string,
  txHash: string,
  expected: ExpectedTransfer,
): Promise<TransferCheck> {
  const problems: string[] = [];
  const [tx, receipt] = await Promise.all([provider.getTransaction(txHash), provider.getTransactionReceipt(txHash)]);
  if (!tx || !receipt) return { verified: false, txHash, block: null, problems: ["the transaction is not mined"] };
  if (receipt.status !== 1) problems.push("the transaction reverted");
  if (!tx.to || getAddress(tx.to) !== getAddress(registry)) problems.push("the transaction does not call the registry");
  const call = TRANSFERS.parseTransaction({ data: tx.data });
  if (!call) {
    problems.push("the transaction is not a safeTransferFrom or safeBatchTransferFrom");
    return { verified: false, txHash, block: receipt.blockNumber, problems };
  }
  const [from, to] = [getAddress(call.args[0] as string), getAddress(call.args[1] as string)];
  if (from !== getAddress(expected.itad)) problems.push(`the certificates come from ${from}, not the ITAD`);
  if (to !== getAddress(expected.customer)) problems.push(`the certificates go to ${to}, not the customer`);
  const data = (call.args[4] as string).toLowerCase();
  if (data !== expected.referenceHash.toLowerCase()) {
    problems.push(`the transfer's data is ${data}, not the delivery reference's hash ${expected.referenceHash}`);
  }
  const ids: bigint[] = call.name === "safeTransferFrom" ? [call.args[2] as bigint] : [...(call.args[2] as bigint[])];
  const values: bigint[] =
    call.name === "safeTransferFrom" ? [call.args[3] as bigint] : [...(call.args[3] as bigint[])];
  const moved = new Map<string, bigint>();
  ids.forEach((id, i) => moved.set(id.toString(), (moved.get(id.toString()) ?? 0n) + values[i]!));
  const want = new Map(expected.items.map((i) => [i.batchId, BigInt(i.amount)]));
  for (const [id, amount] of want) {
    if (moved.get(id) !== amount)
      problems.push(`batch #${id}: moved ${moved.get(id) ?? 0n}, the delivery says ${amount}`);
  }
  for (const id of moved.keys()) if (!want.has(id)) problems.push(`batch #${id} moved but is not in the delivery`);
  return { verified: problems.length === 0, txHash, block: receipt.blockNumber, problems };
}
