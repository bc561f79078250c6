/**
 * DEV MODE ONLY: a wallet inside the app holding Hardhat's public test accounts, so a newcomer who ran `npm start`
 * can act as each role without installing a wallet extension. It exists only when the registry's chain is a
 * development chain (GET /network says `dev`); the API's CSP lets it reach the chain's JSON-RPC only then, and the
 * registry refuses these keys on any other chain (core/keys.ts). It announces itself by EIP-6963 like any wallet
 * and speaks EIP-1193, so the app uses it through exactly the code paths a real wallet takes. It signs without
 * asking: the app itself shows every transaction before sending it.
 */
import { getBytes, HDNodeWallet, isHexString, JsonRpcProvider, type TypedDataField } from "ethers";

import type { Network } from "../network.ts";
import { DEV_ROLES, DEV_WALLET_RDNS } from "./dev-accounts.ts";
import { UNKNOWN_CHAIN, type Eip1193Provider, type WalletInfo } from "./eip1193.ts";

/** Hardhat's published test mnemonic (public: never on a real network). */
const HARDHAT_TEST_MNEMONIC = "test test test test test test test test test test test junk";

const STATE_KEY = "itec.devwallet";

const ICON =
  "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#8a6d00"/>' +
      '<text x="16" y="21" font-size="12" text-anchor="middle" fill="#fff" font-family="sans-serif">DEV</text></svg>',
  );

class RpcError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

export class DevWallet implements Eip1193Provider {
  readonly #network: Network;
  readonly #rpc: JsonRpcProvider;
  readonly #listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  #index = DEV_ROLES[0]!.index;
  #wallet: HDNodeWallet | undefined;
  #connected = false;

  constructor(network: Network) {
    this.#network = network;
    this.#rpc = new JsonRpcProvider(network.rpcUrl, Number(network.chainId), { staticNetwork: true });
    // A reload keeps the account picked and the connection, as a wallet extension would.
    try {
      const saved = JSON.parse(sessionStorage.getItem(STATE_KEY) ?? "null") as {
        index: number;
        connected: boolean;
      } | null;
      if (saved && DEV_ROLES.some((r) => r.index === saved.index)) {
        this.#index = saved.index;
        this.#connected = saved.connected;
      }
    } catch {
      // a corrupt entry: start afresh
    }
  }

  get accountIndex(): number {
    return this.#index;
  }

  /** Chooses the dev account (a wallet's account picker); tells the page when connected. */
  selectAccount(index: number): void {
    if (index === this.#index) return;
    this.#index = index;
    this.#wallet = undefined;
    this.#save();
    if (this.#connected) this.#emit("accountsChanged", [this.#signer().address]);
  }

  async request({
    method,
    params,
  }: {
    method: string;
    params?: unknown[] | Record<string, unknown>;
  }): Promise<unknown> {
    const p = Array.isArray(params) ? params : [];
    switch (method) {
      case "eth_requestAccounts":
        this.#connected = true;
        this.#save();
        return [this.#signer().address];
      case "eth_accounts":
        return this.#connected ? [this.#signer().address] : [];
      case "eth_chainId":
        return `0x${BigInt(this.#network.chainId).toString(16)}`;
      case "personal_sign": {
        const message = p[0] as string;
        return this.#signer().signMessage(isHexString(message) ? getBytes(message) : message);
      }
      case "eth_signTypedData_v4": {
        const { domain, types, message } = JSON.parse(p[1] as string) as {
          domain: Record<string, unknown>;
          types: Record<string, TypedDataField[]>;
          message: Record<string, unknown>;
        };
        const { EIP712Domain: _, ...rest } = types;
        return this.#signer().signTypedData(domain, rest, message);
      }
      case "eth_sendTransaction": {
        const tx = p[0] as Record<string, string | undefined>;
        const sent = await this.#signer()
          .connect(this.#rpc)
          .sendTransaction({
            to: tx.to ?? null,
            data: tx.data ?? "0x",
            value: BigInt(tx.value ?? 0),
            ...(tx.gas ? { gasLimit: BigInt(tx.gas) } : {}),
            ...(tx.gasPrice !== undefined ? { gasPrice: BigInt(tx.gasPrice), type: 0 } : {}),
          });
        return sent.hash;
      }
      case "wallet_switchEthereumChain": {
        const wanted = BigInt((p[0] as { chainId: string }).chainId);
        if (wanted === BigInt(this.#network.chainId)) return null;
        throw new RpcError(UNKNOWN_CHAIN, "the dev wallet knows only the registry's development chain");
      }
      case "wallet_addEthereumChain":
        return null;
      default:
        return this.#rpc.send(method, p);
    }
  }

  on(event: string, listener: (...args: unknown[]) => void): void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
  }

  removeListener(event: string, listener: (...args: unknown[]) => void): void {
    this.#listeners.get(event)?.delete(listener);
  }

  #save(): void {
    sessionStorage.setItem(STATE_KEY, JSON.stringify({ index: this.#index, connected: this.#connected }));
  }

  #emit(event: string, ...args: unknown[]): void {
    for (const l of this.#listeners.get(event) ?? []) l(...args);
  }

  #signer(): HDNodeWallet {
    this.#wallet ??= HDNodeWallet.fromPhrase(HARDHAT_TEST_MNEMONIC, undefined, `m/44'/60'/0'/0/${this.#index}`);
    return this.#wallet;
  }
}

/** Announces the dev wallet by EIP-6963 (now and whenever the page asks again). */
export function announceDevWallet(network: Network): DevWallet {
  const provider = new DevWallet(network);
  const info: WalletInfo = {
    uuid: "00000000-0000-4000-8000-00000000de70",
    name: "Dev wallet (Hardhat test accounts)",
    icon: ICON,
    rdns: DEV_WALLET_RDNS,
  };
  const announce = () =>
    window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
  return provider;
}
