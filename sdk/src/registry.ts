/**
 * The registry contract's run-time binding: its ABI (generated, committed: sdk/src/abi.ts) with typechain's types
 * (generated, committed: sdk/src/typechain/). Run-time code imports the contract from here, never values from
 * `types/ethers-contracts/` (ADR 0004).
 */
import { Contract, Interface, type ContractRunner } from "ethers";

import { itecRegistryAbi } from "./abi.ts";
import type { IITECRegistry as ITECRegistry } from "./typechain/ITECRegistry.ts";

export type { ITECRegistry };

/** The registry's ABI: encode calls, decode events and custom errors. */
export const registryInterface = new Interface(itecRegistryAbi);

/** The registry at `address`, typed by typechain; `runner` is a provider (reads) or a signer (transactions). */
export function registryAt(address: string, runner: ContractRunner | null = null): ITECRegistry {
  return new Contract(address, registryInterface, runner) as unknown as ITECRegistry;
}
