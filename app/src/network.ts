/** The registry's chain as the API describes it (GET /network): what the wallet must be on, and how to add it. */
export interface Network {
  chainId: string;
  chainName: string;
  registry: string;
  deployBlock: string | number;
  /** The JSON-RPC URL a browser wallet adds for this chain (wallet_addEthereumChain). */
  rpcUrl: string;
  /** A development chain (Hardhat's well-known test accounts are valid only there). */
  dev: boolean;
  nativeCurrency: { name: string; symbol: string; decimals: number };
}

export function hexChainId(network: Network): string {
  return `0x${BigInt(network.chainId).toString(16)}`;
}
