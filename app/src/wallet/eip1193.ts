/**
 * The wallet interfaces the app speaks: EIP-1193 (a provider with `request` and events) and EIP-6963 (how
 * installed wallets announce themselves, so several can coexist without fighting over `window.ethereum`).
 */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] | Record<string, unknown> }): Promise<unknown>;
  on?(event: string, listener: (...args: unknown[]) => void): void;
  removeListener?(event: string, listener: (...args: unknown[]) => void): void;
}

/** EIP-6963 `EIP6963ProviderInfo`. */
export interface WalletInfo {
  uuid: string;
  name: string;
  /** A data: URI image (RFC 2397), as EIP-6963 requires. */
  icon: string;
  /** Reverse-DNS id of the wallet, stable across page loads: what a resumed session looks for. */
  rdns: string;
}

export interface DiscoveredWallet {
  info: WalletInfo;
  provider: Eip1193Provider;
}

/** EIP-1193 error codes the app treats specially. */
export const USER_REJECTED = 4001;
export const UNAUTHORIZED = 4100;
export const UNSUPPORTED_METHOD = 4200;
export const UNKNOWN_CHAIN = 4902;

/** The numeric EIP-1193 / JSON-RPC code of a wallet error, wherever the library put it. */
export function walletErrorCode(error: unknown): number | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const o = e as { code?: unknown; info?: { error?: unknown }; error?: unknown; cause?: unknown };
    if (typeof o.code === "number") return o.code;
    // ethers v6 wraps provider errors: ACTION_REJECTED with the original in info.error
    if (o.code === "ACTION_REJECTED") return USER_REJECTED;
    e = o.info?.error ?? o.error ?? o.cause;
  }
  return undefined;
}
