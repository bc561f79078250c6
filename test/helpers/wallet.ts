/**
 * A test wallet injected into the page, for the web app's browser tests (issue 15 §8): an EIP-1193 provider
 * announced by EIP-6963 (and optionally `window.ethereum`) that holds one of Hardhat's well-known keys and really
 * signs — personal_sign, eth_signTypedData_v4, eth_sendTransaction through the chain's node. The key never enters
 * the page: the in-page provider (wallet/page-provider.ts) calls a Playwright binding, and Node answers
 * (wallet/core.ts) with an ethers v6 Wallet. Tests steer the "user" through the returned handle: reject or hold
 * the next prompt, switch account or chain from the wallet's side, disconnect, and read the log of requests.
 *
 * Inject before navigating: the provider is installed by an init script, which runs on each new document.
 * See docs/testing-the-app.md.
 */
import { randomUUID } from "node:crypto";

import type { BrowserContext, Frame, Page } from "playwright-core";

import { toHexChainId, type KnownChain } from "./wallet/chains.ts";
import { toProviderError, type ProviderRpcErrorShape } from "./wallet/errors.ts";
import { pageProviderScript } from "./wallet/page-provider.ts";
import { PROMPT_METHODS, SIGNING_METHODS, WalletCore, type HeldPrompt, type WalletRequest } from "./wallet/core.ts";

export type { HeldPrompt, KnownChain, WalletRequest };
export { PROMPT_METHODS, SIGNING_METHODS };
export { RPC_ERRORS } from "./wallet/errors.ts";

export interface TestWalletOptions {
  /** The account's private key, e.g. `devAccount(i).privateKey` (core/keys.ts). */
  privateKey: string;
  /** The node of the chain the wallet starts on. */
  rpcUrl: string;
  /** The chain the wallet starts on (its node must be `rpcUrl`). */
  chainId: bigint;
  /** Other chains the wallet already knows (a switch to one of them succeeds; to any other, 4902). */
  knownChains?: readonly KnownChain[];
  /** The EIP-6963 name (default "I-TEC Test Wallet"). */
  name?: string;
  /** The EIP-6963 reverse-DNS id (default "org.itec.testwallet"); give a second wallet in one page its own. */
  rdns?: string;
  /** Announce by EIP-6963 (default true). */
  announce?: boolean;
  /** Also set `window.ethereum`, for the app's fallback path (default false). */
  exposeWindowEthereum?: boolean;
}

export interface TestWallet {
  /** The EIP-6963 info the page receives. */
  readonly info: { uuid: string; name: string; icon: string; rdns: string };
  /** The account's checksummed address. */
  readonly address: string;
  /** The active chain. */
  readonly chainId: bigint;
  /** Every request the page made, in order (reads included). */
  readonly requests: readonly WalletRequest[];
  /** The requests that made (or would have made) the key sign: personal_sign, eth_signTypedData_v4, eth_sendTransaction. */
  signingRequests(): WalletRequest[];
  /** Origins connected by eth_requestAccounts. */
  readonly connectedOrigins: ReadonlySet<string>;
  /**
   * The next request of `method` is rejected by the user (4001). "*" matches the next prompt of any kind
   * (eth_requestAccounts of a site not yet connected, the signing methods, chain switch and add).
   */
  rejectNext(method: string): void;
  /** The next prompt for `method` (or "*") stays open until the test approves or rejects it. */
  holdNext(method: string): HeldPrompt;
  /** The user selects another account in the wallet: connected sites get accountsChanged. */
  setAccount(privateKey: string): Promise<void>;
  /** The user switches chain in the wallet (it must be known): every page gets chainChanged. */
  setChain(chainId: bigint): Promise<void>;
  /** The user disconnects every site: accountsChanged [] to them, then EIP-1193 `disconnect` (4900) to all pages. */
  disconnect(): Promise<void>;
}

/** A neutral 32×32 SVG, as a data: URI (EIP-6963 requires one). */
const ICON = `data:image/svg+xml;base64,${Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">' +
    '<rect width="32" height="32" rx="6" fill="#1b5e20"/><path d="M9 17l5 5 9-11" stroke="#fff" stroke-width="3" fill="none"/></svg>',
).toString("base64")}`;

function originOf(frame: Frame): string {
  try {
    return new URL(frame.url()).origin;
  } catch {
    return "null";
  }
}

function isContext(target: BrowserContext | Page): target is BrowserContext {
  return typeof (target as BrowserContext).newPage === "function" && !("mainFrame" in target);
}

type Reply = { result: unknown } | { error: ProviderRpcErrorShape };

/** Injects a test wallet into every page of `target` (a context, or one page) opened or navigated after this call. */
export async function injectTestWallet(target: BrowserContext | Page, options: TestWalletOptions): Promise<TestWallet> {
  const id = randomUUID();
  const binding = `__itecTestWallet_${id.replaceAll("-", "")}`;
  const info = {
    uuid: id,
    name: options.name ?? "I-TEC Test Wallet",
    icon: ICON,
    rdns: options.rdns ?? "org.itec.testwallet",
  };
  const pages = () => (isContext(target) ? target.pages() : [target]);

  // Events reach each frame's provider by evaluation; a frame that is navigating or gone simply misses them.
  const broadcast = async (event: string, payload: (origin: string) => unknown) => {
    const frames = pages().flatMap((p) => (p.isClosed() ? [] : p.frames()));
    await Promise.all(
      frames.map(async (frame) => {
        const value = payload(originOf(frame));
        if (value === undefined) return;
        await frame
          .evaluate(
            ([walletId, name, data]) => {
              const hooks = (
                globalThis as { __itecTestWallets?: Record<string, { emit(e: string, d: unknown): void }> }
              ).__itecTestWallets;
              hooks?.[walletId]?.emit(name, data);
            },
            [id, event, value] as const,
          )
          .catch(() => undefined);
      }),
    );
  };

  const chains: KnownChain[] = [{ chainId: options.chainId, rpcUrl: options.rpcUrl }, ...(options.knownChains ?? [])];
  const core = new WalletCore(options.privateKey, chains, options.chainId, broadcast);

  await target.exposeBinding(binding, async (source: { frame: Frame }, payload: unknown): Promise<unknown> => {
    const origin = originOf(source.frame);
    const p = payload as { kind: string; method?: string; params?: unknown };
    if (p.kind === "state") return { chainId: toHexChainId(core.chainId), accounts: core.accountsFor(origin) };
    try {
      return { result: (await core.handle(origin, String(p.method), p.params)) ?? null } satisfies Reply;
    } catch (err) {
      return { error: toProviderError(err) } satisfies Reply;
    }
  });
  await target.addInitScript({
    content: pageProviderScript({
      binding,
      id,
      info,
      announce: options.announce ?? true,
      exposeWindowEthereum: options.exposeWindowEthereum ?? false,
    }),
  });

  return {
    info,
    get address() {
      return core.wallet.address;
    },
    get chainId() {
      return core.chainId;
    },
    requests: core.requests,
    signingRequests: () => core.requests.filter((r) => SIGNING_METHODS.has(r.method)),
    connectedOrigins: core.connected,
    rejectNext: (method) => core.rejectNext(method),
    holdNext: (method) => core.holdNext(method),
    setAccount: (privateKey) => core.setAccount(privateKey),
    setChain: (chainId) => core.setChain(chainId),
    disconnect: () => core.disconnect(),
  };
}
