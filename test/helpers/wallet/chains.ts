/**
 * The chains the test wallet knows, as a wallet keeps them: an id, a name and the RPC URL it talks to. A switch to
 * a chain not in the list is refused with 4902 (EIP-3326), which is what makes an app offer
 * wallet_addEthereumChain (EIP-3085).
 */
import { invalidParams, ProviderRpcError, RPC_ERRORS } from "./errors.ts";
import { rpcCall } from "./rpc.ts";

export interface KnownChain {
  chainId: bigint;
  rpcUrl: string;
  name?: string;
}

export function toHexChainId(chainId: bigint): string {
  return `0x${chainId.toString(16)}`;
}

/** A chain id as EIP-3326/3085 pass it: a 0x-prefixed hex string without leading zeros. */
export function parseHexChainId(value: unknown): bigint {
  if (typeof value !== "string" || !/^0x[1-9a-f][0-9a-f]*$/i.test(value)) {
    throw invalidParams(`chainId must be a 0x-prefixed hexadecimal string without leading zeros, got ${String(value)}`);
  }
  return BigInt(value);
}

export class ChainBook {
  readonly #chains = new Map<bigint, KnownChain>();

  constructor(chains: readonly KnownChain[]) {
    for (const c of chains) this.#chains.set(c.chainId, { ...c });
  }

  has(chainId: bigint): boolean {
    return this.#chains.has(chainId);
  }

  get(chainId: bigint): KnownChain {
    const chain = this.#chains.get(chainId);
    if (!chain) {
      throw new ProviderRpcError(
        RPC_ERRORS.unrecognizedChain,
        `Unrecognized chain ID ${toHexChainId(chainId)}. Try adding the chain using wallet_addEthereumChain first.`,
      );
    }
    return chain;
  }

  add(chain: KnownChain): void {
    this.#chains.set(chain.chainId, { ...chain });
  }

  /**
   * wallet_addEthereumChain's parameter, checked as MetaMask does: an RPC URL is required and its node must
   * answer eth_chainId with the chain id being added (so a test cannot add a chain the wallet could not reach).
   */
  async addFromRequest(param: unknown): Promise<KnownChain> {
    if (typeof param !== "object" || param === null)
      throw invalidParams("wallet_addEthereumChain expects [{chainId, rpcUrls, ...}]");
    const p = param as { chainId?: unknown; chainName?: unknown; rpcUrls?: unknown };
    const chainId = parseHexChainId(p.chainId);
    const rpcUrl = Array.isArray(p.rpcUrls) ? (p.rpcUrls as unknown[]).find((u) => typeof u === "string") : undefined;
    if (typeof rpcUrl !== "string" || !/^https?:\/\//.test(rpcUrl)) {
      throw invalidParams("wallet_addEthereumChain: rpcUrls must hold at least one http(s) URL");
    }
    const answered = await rpcCall(rpcUrl, "eth_chainId").catch(() => undefined);
    if (typeof answered !== "string" || BigInt(answered) !== chainId) {
      throw invalidParams(
        `wallet_addEthereumChain: the node at ${rpcUrl} answered chain id ${String(answered)}, not ${toHexChainId(chainId)}`,
      );
    }
    const chain: KnownChain = { chainId, rpcUrl };
    if (typeof p.chainName === "string") chain.name = p.chainName;
    this.add(chain);
    return chain;
  }
}
