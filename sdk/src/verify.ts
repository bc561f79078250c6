/**
 * Verification from the chain alone, in one call: give a provider (any ethers v6 `Provider`, e.g.
 * `new JsonRpcProvider(rpcUrl)`), the registry's address and an id; get the same answer and statement of checks
 * as the registry's verify page and `GET /verify/retirements/{id}`, read from the contract and its event logs only.
 *
 * Each call reads afresh (no cache). To verify many ids, keep one `RegistryReader` (reader.ts): it remembers where
 * events were found.
 */
import type { Provider } from "ethers";

import { RegistryReader, type RegistryReaderOptions } from "./reader.ts";
import type { BatchVerification, DeviceVerification, RetirementVerification } from "./verification.ts";

/** An id as a bigint, a safe integer or a decimal string. */
export type Id = bigint | number | string;

/**
 * Retirement `id` verified from the chain: its claim, the CertificatesRetired proof, its batch, and the checks
 * (stored, texts bound to the stored hash, burned, batch issued against an audited attestation, report hash indexes
 * the batch, batch not suspended). `verified` is true when every check passed.
 * @throws RegistryReadError NOT_FOUND when the registry has no such retirement.
 */
export function verifyRetirement(
  provider: Provider,
  registryAddress: string,
  id: Id,
  options?: RegistryReaderOptions,
): Promise<RetirementVerification> {
  return new RegistryReader(provider, registryAddress, options).verifyRetirement(BigInt(id));
}

/**
 * Batch `id` verified from the chain: its figures, its BatchIssued proof and the batch's checks.
 * @throws RegistryReadError NOT_FOUND when the registry has no such batch.
 */
export function verifyBatch(
  provider: Provider,
  registryAddress: string,
  id: Id,
  options?: RegistryReaderOptions,
): Promise<BatchVerification> {
  return new RegistryReader(provider, registryAddress, options).verifyBatch(BigInt(id));
}

/**
 * Batch `batchId` verified, plus the check that `proof` shows device `deviceId` at index `index` to be one of its
 * devices (against the device root the batch was issued with, and below its certificates). See device-proof.ts for
 * the tree and where the index comes from (`reportDeviceIds`).
 */
export function verifyDeviceInBatch(
  provider: Provider,
  registryAddress: string,
  batchId: Id,
  index: number | bigint,
  deviceId: string,
  proof: readonly string[],
  options?: RegistryReaderOptions,
): Promise<DeviceVerification> {
  return new RegistryReader(provider, registryAddress, options).verifyDeviceInBatch(
    BigInt(batchId),
    index,
    deviceId,
    proof,
  );
}
