/**
 * The test wallet's state and its answer to each EIP-1193 request, on the Node side: the account (an ethers
 * Wallet holding the key), the active chain, the sites (origins) the user connected, and what the test told it to
 * do with the next prompt (reject it, or hold it until the test decides). Events go out through `broadcast`, which
 * wallet.ts implements by evaluating in every frame of the page(s).
 */
import { Wallet } from "ethers";

import { ChainBook, parseHexChainId, toHexChainId, type KnownChain } from "./chains.ts";
import { ProviderRpcError, RPC_ERRORS, userRejected } from "./errors.ts";
import { rpcCall } from "./rpc.ts";
import { personalSign, requireAccount, sendTransaction, signTypedDataV4 } from "./signing.ts";

/** The requests a browser wallet shows the user a prompt for (what `rejectNext("*")` and `holdNext("*")` match). */
export const PROMPT_METHODS: ReadonlySet<string> = new Set([
  "eth_requestAccounts",
  "personal_sign",
  "eth_signTypedData_v4",
  "eth_sendTransaction",
  "wallet_switchEthereumChain",
  "wallet_addEthereumChain",
]);

/** The requests that make the key sign something. */
export const SIGNING_METHODS: ReadonlySet<string> = new Set([
  "personal_sign",
  "eth_signTypedData_v4",
  "eth_sendTransaction",
]);

/**
 * Refused with 4200 rather than forwarded: other signing methods (an app must use the ones above) and the dev
 * node's own methods (an app that needed evm_mine would not work against a real chain).
 */
const UNSUPPORTED =
  /^(eth_sign|eth_signTransaction|eth_signTypedData(_v1|_v3)?|eth_subscribe|eth_unsubscribe)$|^(evm|hardhat|anvil|debug|admin|miner|txpool|personal)_/;

export interface WalletRequest {
  method: string;
  params: unknown[];
  /** The origin of the frame that asked ("null" for about:blank). */
  origin: string;
}

/** A prompt held open by `holdNext`, settled by the test. */
export interface HeldPrompt {
  /** Resolves with the request once the page has asked. */
  readonly asked: Promise<WalletRequest>;
  approve(): void;
  reject(): void;
}

/** Delivers `event` to every frame; `payload(origin)` is what that frame gets, or undefined to skip it. */
export type Broadcast = (event: string, payload: (origin: string) => unknown) => Promise<void>;

interface Hold {
  method: string;
  request: (r: WalletRequest) => void;
  decided: Promise<boolean>;
}

export class WalletCore {
  wallet: Wallet;
  chainId: bigint;
  readonly chains: ChainBook;
  readonly connected = new Set<string>();
  readonly requests: WalletRequest[] = [];
  readonly #rejections: string[] = [];
  readonly #holds: Hold[] = [];
  readonly #broadcast: Broadcast;
  /** eth_sendTransaction one at a time, so two sends in a row never take the same pending nonce. */
  #sends: Promise<unknown> = Promise.resolve();
  /** Set by disconnect(): the next connection emits `connect` again. */
  #disconnected = false;

  constructor(privateKey: string, chains: readonly KnownChain[], chainId: bigint, broadcast: Broadcast) {
    this.wallet = new Wallet(privateKey);
    this.chains = new ChainBook(chains);
    this.chains.get(chainId);
    this.chainId = chainId;
    this.#broadcast = broadcast;
  }

  get chain(): KnownChain {
    return this.chains.get(this.chainId);
  }

  accountsFor(origin: string): string[] {
    return this.connected.has(origin) ? [this.wallet.address.toLowerCase()] : [];
  }

  rejectNext(method: string): void {
    this.#rejections.push(method);
  }

  holdNext(method: string): HeldPrompt {
    let request!: (r: WalletRequest) => void;
    let decide!: (approved: boolean) => void;
    const asked = new Promise<WalletRequest>((resolve) => (request = resolve));
    const decided = new Promise<boolean>((resolve) => (decide = resolve));
    this.#holds.push({ method, request, decided });
    return { asked, approve: () => decide(true), reject: () => decide(false) };
  }

  async setAccount(privateKey: string): Promise<void> {
    this.wallet = new Wallet(privateKey);
    await this.#broadcast("accountsChanged", (origin) =>
      this.connected.has(origin) ? this.accountsFor(origin) : undefined,
    );
  }

  async setChain(chainId: bigint): Promise<void> {
    this.chains.get(chainId);
    if (chainId === this.chainId) return;
    this.chainId = chainId;
    await this.#broadcast("chainChanged", () => toHexChainId(chainId));
  }

  async disconnect(): Promise<void> {
    const origins = new Set(this.connected);
    this.connected.clear();
    this.#disconnected = true;
    await this.#broadcast("accountsChanged", (origin) => (origins.has(origin) ? [] : undefined));
    await this.#broadcast("disconnect", () => ({
      code: RPC_ERRORS.disconnected,
      message: "The test wallet was disconnected by the user.",
    }));
  }

  /** The user's answer to a prompt for `request`: a queued rejection, a held decision, or approval. */
  async #prompt(request: WalletRequest): Promise<void> {
    const matches = (m: string) => m === request.method || (m === "*" && PROMPT_METHODS.has(request.method));
    const r = this.#rejections.findIndex(matches);
    if (r >= 0) {
      this.#rejections.splice(r, 1);
      throw userRejected(request.method);
    }
    const h = this.#holds.findIndex((hold) => matches(hold.method));
    if (h >= 0) {
      const [hold] = this.#holds.splice(h, 1);
      hold!.request(request);
      if (!(await hold!.decided)) throw userRejected(request.method);
    }
  }

  #requireConnected(origin: string, method: string): void {
    if (!this.connected.has(origin)) {
      throw new ProviderRpcError(
        RPC_ERRORS.unauthorized,
        `${method}: ${origin} is not connected to the wallet; call eth_requestAccounts first`,
      );
    }
  }

  async handle(origin: string, method: string, rawParams: unknown): Promise<unknown> {
    const params = Array.isArray(rawParams) ? (rawParams as unknown[]) : rawParams === undefined ? [] : [rawParams];
    const request: WalletRequest = { method, params, origin };
    this.requests.push(request);
    switch (method) {
      case "eth_accounts":
        return this.accountsFor(origin);
      case "eth_requestAccounts": {
        const explicitlyRejected = this.#rejections.includes(method);
        if (this.connected.has(origin) && !explicitlyRejected) return this.accountsFor(origin);
        await this.#prompt(request);
        this.connected.add(origin);
        if (this.#disconnected) {
          this.#disconnected = false;
          await this.#broadcast("connect", () => ({ chainId: toHexChainId(this.chainId) }));
        }
        await this.#broadcast("accountsChanged", (o) => (o === origin ? this.accountsFor(o) : undefined));
        return this.accountsFor(origin);
      }
      case "wallet_revokePermissions":
        if (this.connected.delete(origin)) {
          await this.#broadcast("accountsChanged", (o) => (o === origin ? [] : undefined));
        }
        return null;
      case "eth_chainId":
        return toHexChainId(this.chainId);
      case "net_version":
        return this.chainId.toString();
      case "personal_sign":
        this.#requireConnected(origin, method);
        requireAccount(this.wallet, params[1], method);
        await this.#prompt(request);
        return personalSign(this.wallet, params);
      case "eth_signTypedData_v4":
        this.#requireConnected(origin, method);
        requireAccount(this.wallet, params[0], method);
        await this.#prompt(request);
        return signTypedDataV4(this.wallet, this.chain, params);
      case "eth_sendTransaction": {
        this.#requireConnected(origin, method);
        requireAccount(this.wallet, (params[0] as { from?: unknown } | undefined)?.from, method);
        await this.#prompt(request);
        const wallet = this.wallet;
        const chain = this.chain;
        const send = this.#sends.then(() => sendTransaction(wallet, chain, params));
        this.#sends = send.catch(() => undefined);
        return send;
      }
      case "wallet_switchEthereumChain": {
        const chainId = parseHexChainId((params[0] as { chainId?: unknown } | undefined)?.chainId);
        this.chains.get(chainId); // 4902 before any prompt, as MetaMask does
        if (chainId === this.chainId) return null;
        await this.#prompt(request);
        await this.setChain(chainId);
        return null;
      }
      case "wallet_addEthereumChain": {
        await this.#prompt(request);
        await this.chains.addFromRequest(params[0]);
        return null;
      }
      default:
        if (UNSUPPORTED.test(method) || method.startsWith("wallet_")) {
          throw new ProviderRpcError(RPC_ERRORS.unsupportedMethod, `The test wallet does not support ${method}`);
        }
        return rpcCall(this.chain.rpcUrl, method, params);
    }
  }
}
