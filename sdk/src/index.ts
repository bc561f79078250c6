/**
 * @itec-registry/sdk — what every client of an I-TEC Registry needs: the contract's ABI and typed binding, the
 * EIP-712 attestation and rejection types, Sign-In with Ethereum messages, a typed client of the registry's API,
 * and verification from the chain alone (retirements, batches, device-inclusion proofs) with the same statement of
 * checks as the registry's verify page. Only dependency: ethers v6. Reference: docs/sdk.md.
 */

// The contract
export { externalDeviceSetsAbi, itecRegistryAbi, itecRegistryArtifact } from "./abi.ts";
export { registryAt, registryInterface, type ITECRegistry } from "./registry.ts";
export * from "./enums.ts";

// The market (signed offers, settlement contract)
export * from "./market/index.ts";

// Signing
export * from "./attestation.ts";
export * from "./siwe.ts";
export * from "./attestation-review.ts";

// Verification from the chain alone
export * from "./verification.ts";
export * from "./verify.ts";
export * from "./checks.ts";
export * from "./device-proof.ts";
export * from "./delivery.ts";
export * from "./recompute.ts";
export * from "./external-sets.ts";
export { jsonDifferences, reportDifferences } from "./recompute-diff.ts";
export * from "./sample.ts";
export * from "./sample-draw.ts";
export * from "./sample-record.ts";
export { RegistryReader, RegistryReadError, type ReadCache, type RegistryReaderOptions } from "./reader.ts";
export { DEFAULT_LOG_CONCURRENCY, DEFAULT_MAX_LOG_RANGE, LogRanges, type LogRangeOptions } from "./logs.ts";

// The registry's API
export * from "./api-client.ts";
export * from "./api-operations.ts";

// Shared
export * from "./errors.ts";
export { isoTime } from "./time.ts";
export { gramsToKg } from "./units.ts";
