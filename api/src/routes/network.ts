/**
 * The chain the registry runs on, for a browser wallet: what the web app passes to `wallet_switchEthereumChain` and
 * `wallet_addEthereumChain` (EIP-3085), and where the registry's events begin. Public: the app asks before anyone
 * has signed in.
 */
import { z } from "zod";

import { isDevChain } from "../../../core/keys.ts";
import type { AppDeps } from "../deps.ts";
import { checksumAddress } from "../responses.ts";
import { defineRoute, type RouteSpec } from "../route/define.ts";
import { uintString } from "../schemas.ts";

/**
 * The chain's native currency as a wallet names it. Every chain the registry runs on (Hardhat, anvil, a Besu
 * network, zero-fee or not) counts gas in an 18-decimal ether; EIP-3085 requires the field.
 */
const NATIVE_CURRENCY = { name: "Ether", symbol: "ETH", decimals: 18 } as const;

export const networkSchema = z
  .object({
    chainId: uintString,
    chainName: z.string(),
    registry: checksumAddress,
    deployBlock: z.number().int().nonnegative(),
    rpcUrl: z.url(),
    dev: z.boolean(),
    nativeCurrency: z.object({ name: z.string(), symbol: z.string(), decimals: z.number().int() }),
  })
  .meta({ id: "Network" });

export const networkExample = {
  chainId: "1337",
  chainName: "I-TEC Registry (dev)",
  registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  deployBlock: 0,
  rpcUrl: "http://127.0.0.1:8545",
  dev: true,
  nativeCurrency: NATIVE_CURRENCY,
};

/** The name a wallet shows for the chain: ITEC_CHAIN_NAME, else the registry's, marked on a development chain. */
export function chainNameOf(chainId: bigint, configured: string | undefined): string {
  return configured ?? (isDevChain(chainId) ? "I-TEC Registry (dev)" : "I-TEC Registry");
}

export function networkRoutes(deps: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: "get",
      path: "/network",
      operationId: "network",
      summary: "The registry's chain, as a browser wallet adds it (wallet_addEthereumChain)",
      description:
        "`rpcUrl` is the JSON-RPC URL for browsers (ITEC_PUBLIC_RPC_URL, else the API's own ITEC_RPC_URL); `dev` is " +
        "true on a development chain (ids 31337 and 1337), whose keys are public; `deployBlock` is where the " +
        "registry's events begin.",
      tags: ["network"],
      responses: { 200: { description: "The chain", schema: networkSchema, example: networkExample } },
      handler: async () => {
        const chainId = deps.chain.chainId;
        return {
          body: {
            chainId: chainId.toString(),
            chainName: chainNameOf(chainId, deps.chainName),
            registry: deps.chain.address,
            deployBlock: deps.reads.fromBlock,
            rpcUrl: deps.publicRpcUrl ?? "http://127.0.0.1:8545",
            dev: isDevChain(chainId),
            nativeCurrency: NATIVE_CURRENCY,
          },
        };
      },
    }),
  ];
}
