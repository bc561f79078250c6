/**
 * The EDR simulator as the journaled embedded chain runs it (ADR 0062): Hardhat's `hardhat` network (chain id 1337,
 * Cancun, the default test accounts) with a zero base fee and gas price, as anvil runs for `npm start`, and a genesis
 * date. The date is the one genesis input that is not fixed config, so the journal's header records it and a replay
 * passes it back: the same date and config give the same genesis hash.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

import { network } from "hardhat";

import type { Requester } from "./replay.ts";

export const EDR_CHAIN_ID = 1337;
export const EDR_HARDFORK = "cancun";

export interface EdrChain {
  provider: Requester;
  close(): Promise<void>;
}

/** A fresh EDR whose genesis is at `initialDate` (ISO-8601; whole seconds). */
export async function createEdrChain(initialDate: string): Promise<EdrChain> {
  const connection = await network.create({
    network: "hardhat",
    override: {
      chainId: EDR_CHAIN_ID,
      hardfork: EDR_HARDFORK,
      initialDate,
      initialBaseFeePerGas: 0,
      // A reverted transaction is a mined block with a failed receipt, as on anvil and Besu: the reply is its hash.
      throwOnTransactionFailures: false,
      mining: { auto: true, interval: 0 },
      loggingEnabled: false,
    },
  });
  return { provider: connection.provider, close: () => connection.close() };
}

/** Now, to the second (EDR keeps whole-second timestamps), as an `initialDate`. */
export function genesisDateNow(): string {
  return new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
}

/** The installed EDR's version (recorded in a new journal's header: a different EDR may not replay it). */
export function edrVersion(): string {
  try {
    const entry = createRequire(import.meta.url).resolve("@nomicfoundation/edr");
    return (JSON.parse(readFileSync(join(dirname(entry), "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}
