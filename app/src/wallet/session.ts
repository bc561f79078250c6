/**
 * The connected wallet and the signed-in account: connect (EIP-1193 `eth_requestAccounts`), Sign-In with Ethereum
 * (the SDK's EIP-4361 message, signed with `personal_sign`), the registry's chain (switch, or add then switch),
 * and the account's roles as the chain has them now (GET /auth/me).
 *
 * Nothing is half-done: each step either completes or leaves the session as it was, and a request the user declines
 * in the wallet (4001) is reported as such. The session token lives in sessionStorage (this tab only) so a reload
 * resumes it; it is dropped when the wallet switches account, and when the API says it expired.
 */
import { ApiError, type ApiClient } from "../../../sdk/src/api-client.ts";
import type { Participant } from "../../../sdk/src/api-operations.ts";
import { BrowserProvider, getAddress, type JsonRpcSigner } from "ethers";

import { hexChainId, type Network } from "../network.ts";
import { UNKNOWN_CHAIN, walletErrorCode, type DiscoveredWallet } from "./eip1193.ts";

export type Role = "holder" | "refurbisher" | "auditor" | "admin";

export type SessionState = "disconnected" | "connected" | "signed-in";

interface Stored {
  rdns: string;
  address: string;
  token: string;
}

const STORAGE_KEY = "itec.session";

export class WalletSession {
  wallet: DiscoveredWallet | undefined;
  address: string | undefined;
  chainId: bigint | undefined;
  me: Participant | undefined;
  readonly #api: ApiClient;
  readonly #network: Network;
  readonly #listeners = new Set<(reason: string) => void>();
  #unsubscribe: (() => void) | undefined;

  constructor(api: ApiClient, network: Network) {
    this.#api = api;
    this.#network = network;
  }

  get state(): SessionState {
    if (!this.address) return "disconnected";
    return this.#api.token && this.me ? "signed-in" : "connected";
  }

  get onRegistryChain(): boolean {
    return this.chainId === BigInt(this.#network.chainId);
  }

  /** The screens this account may use: from its kind and roles on the chain, read at sign-in. */
  get roles(): Set<Role> {
    const roles = new Set<Role>();
    const me = this.me;
    if (!me || this.state !== "signed-in") return roles;
    if (me.status === "active") roles.add("holder");
    if (me.status === "active" && (me.kind === "refurbisher" || me.kind === "itad")) roles.add("refurbisher");
    if (me.roles.auditor) roles.add("auditor");
    if (me.roles.admin) roles.add("admin");
    return roles;
  }

  /** Called after every change of account, chain or sign-in, with a sentence saying what changed. */
  onChange(listener: (reason: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Asks the wallet for its account. Throws (the wallet's error) when declined; the session stays disconnected. */
  async connect(wallet: DiscoveredWallet): Promise<void> {
    const accounts = (await wallet.provider.request({ method: "eth_requestAccounts" })) as string[];
    if (!accounts?.[0]) throw new Error("the wallet returned no account: unlock it and try again");
    const chainId = BigInt((await wallet.provider.request({ method: "eth_chainId" })) as string);
    this.#attach(wallet, getAddress(accounts[0]), chainId);
    this.#changed(`Connected ${this.address} with ${wallet.info.name}.`);
  }

  /**
   * Signs in: a nonce from the API, the EIP-4361 message signed in the wallet, exchanged for a session token, then
   * the account's roles read from the chain. Declining in the wallet leaves the session connected and signed out.
   */
  async signIn(): Promise<void> {
    const signer = await this.signer();
    await this.#api.signIn(signer);
    try {
      this.me = await this.#api.me();
    } catch (error) {
      this.#api.useToken(undefined);
      throw error;
    }
    this.#store();
    this.#changed(`Signed in as ${this.me.name ?? this.address}.`);
  }

  /** Moves the wallet to the registry's chain: switch, or add it (4902: the wallet does not know it) and switch. */
  async switchChain(): Promise<void> {
    const provider = this.#requireWallet().provider;
    const chainId = hexChainId(this.#network);
    try {
      await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId }] });
    } catch (error) {
      if (walletErrorCode(error) !== UNKNOWN_CHAIN) throw error;
      await provider.request({
        method: "wallet_addEthereumChain",
        params: [
          {
            chainId,
            chainName: this.#network.chainName,
            rpcUrls: [this.#network.rpcUrl],
            nativeCurrency: this.#network.nativeCurrency,
          },
        ],
      });
      await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId }] });
    }
    this.chainId = BigInt((await provider.request({ method: "eth_chainId" })) as string);
    this.#changed(`The wallet is on ${this.#network.chainName}.`);
  }

  /** Re-reads the account's standing and roles from the chain (after an admin action, say). */
  async refresh(): Promise<void> {
    if (this.state !== "signed-in") return;
    try {
      this.me = await this.#api.me();
    } catch (error) {
      if (this.expired(error)) return;
      throw error;
    }
    this.#changed("");
  }

  /** An ethers signer for the connected account (a fresh provider: the wallet may have changed chain). */
  async signer(): Promise<JsonRpcSigner> {
    const wallet = this.#requireWallet();
    return new BrowserProvider(wallet.provider, "any").getSigner(this.address);
  }

  /** When `error` is the API saying the session is gone, signs out (keeping the wallet connected) and says so. */
  expired(error: unknown): boolean {
    if (!(error instanceof ApiError) || error.status !== 401) return false;
    this.#api.useToken(undefined);
    this.me = undefined;
    sessionStorage.removeItem(STORAGE_KEY);
    this.#changed("Your session has expired: sign in again to continue.");
    return true;
  }

  disconnect(): void {
    this.#unsubscribe?.();
    this.wallet = this.address = this.chainId = this.me = undefined;
    this.#api.useToken(undefined);
    sessionStorage.removeItem(STORAGE_KEY);
    this.#changed("Disconnected.");
  }

  /**
   * After a reload: the same wallet (by its EIP-6963 rdns) still exposing the same account, without asking it to
   * connect again, and the stored token if the API still accepts it.
   */
  async resume(wallets: DiscoveredWallet[]): Promise<boolean> {
    let stored: Stored;
    try {
      stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null") as Stored;
    } catch {
      return false;
    }
    const wallet = stored && wallets.find((w) => w.info.rdns === stored.rdns);
    if (!wallet) return false;
    const accounts = ((await wallet.provider.request({ method: "eth_accounts" })) as string[]).map((a) =>
      getAddress(a),
    );
    if (!accounts.includes(getAddress(stored.address))) return false;
    const chainId = BigInt((await wallet.provider.request({ method: "eth_chainId" })) as string);
    this.#attach(wallet, getAddress(stored.address), chainId);
    this.#api.useToken(stored.token);
    try {
      this.me = await this.#api.me();
    } catch (error) {
      if (!this.expired(error)) throw error;
    }
    this.#changed("");
    return true;
  }

  #attach(wallet: DiscoveredWallet, address: string, chainId: bigint): void {
    this.#unsubscribe?.();
    this.wallet = wallet;
    this.address = address;
    this.chainId = chainId;
    this.me = undefined;
    this.#api.useToken(undefined);
    const onAccounts = (...args: unknown[]) => {
      const next = (args[0] as string[] | undefined)?.[0];
      if (!next) {
        this.disconnect();
        return;
      }
      if (getAddress(next) === this.address) return;
      // The session belonged to the previous account: it must not act for the new one.
      this.address = getAddress(next);
      this.me = undefined;
      this.#api.useToken(undefined);
      sessionStorage.removeItem(STORAGE_KEY);
      this.#changed(`The wallet switched to ${this.address}: sign in with this account to continue.`);
    };
    const onChain = (...args: unknown[]) => {
      this.chainId = BigInt(args[0] as string);
      this.#changed(
        this.onRegistryChain
          ? `The wallet is on ${this.#network.chainName}.`
          : `The wallet moved to chain ${this.chainId}: switch back to ${this.#network.chainName} to send transactions.`,
      );
    };
    wallet.provider.on?.("accountsChanged", onAccounts);
    wallet.provider.on?.("chainChanged", onChain);
    this.#unsubscribe = () => {
      wallet.provider.removeListener?.("accountsChanged", onAccounts);
      wallet.provider.removeListener?.("chainChanged", onChain);
    };
  }

  #store(): void {
    if (!this.wallet || !this.address || !this.#api.token) return;
    const stored: Stored = { rdns: this.wallet.info.rdns, address: this.address, token: this.#api.token };
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
  }

  #requireWallet(): DiscoveredWallet {
    if (!this.wallet || !this.address) throw new Error("connect a wallet first");
    return this.wallet;
  }

  #changed(reason: string): void {
    for (const l of this.#listeners) l(reason);
  }
}
