/**
 * The issuer's key held by a remote signer: a Web3Signer-style JSON-RPC endpoint (Web3Signer's Eth1 mode serves
 * `eth_accounts`, `eth_sign`, `eth_signTransaction` and `eth_signTypedData`), so the oracle never holds the key.
 *
 * Trust but verify: the endpoint is another system, so every raw transaction it returns is decoded and checked —
 * its sender must be the configured address and its fields exactly the ones asked for (to, data, nonce, gas, fees,
 * value, chain id); anything else is refused with {@link RemoteSignerError} `REMOTE_SIGNER_MISMATCH` and never
 * broadcast. The oracle stores the raw transaction before it broadcasts it, as with a local key.
 *
 * Web3Signer takes the chain id from its own `--chain-id` option (it ignores one in the request), which is why the
 * returned transaction's chain id is checked too.
 */
import {
  AbstractSigner,
  getAddress,
  hexlify,
  resolveAddress,
  toQuantity,
  Transaction,
  TypedDataEncoder,
  verifyMessage,
  verifyTypedData,
  type Provider,
  type TransactionLike,
  type TransactionRequest,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";

import { CodedError, firstLine } from "../../sdk/src/errors.ts";
import { refuseDevKeyOffDevChain } from "../keys.ts";

export type RemoteSignerErrorCode = "REMOTE_SIGNER_UNAVAILABLE" | "REMOTE_SIGNER_REFUSED" | "REMOTE_SIGNER_MISMATCH";

/**
 * - `REMOTE_SIGNER_UNAVAILABLE`: the endpoint did not answer (down, timeout, not HTTP 200) — transient: retried;
 * - `REMOTE_SIGNER_REFUSED`: it answered with a JSON-RPC error (unknown account, method not allowed, …);
 * - `REMOTE_SIGNER_MISMATCH`: it does not hold the configured address, or signed something other than asked.
 */
export class RemoteSignerError extends CodedError<RemoteSignerErrorCode> {
  constructor(code: RemoteSignerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export interface RemoteSignerOptions {
  /** The endpoint, e.g. `http://web3signer:9000` (Web3Signer's Eth1 JSON-RPC). */
  url: string;
  /** The address it must sign as (the issuer). */
  address: string;
  /** Milliseconds per request (default 10 000). */
  timeoutMs?: number;
}

export class RemoteSigner extends AbstractSigner {
  readonly url: string;
  readonly address: string;
  readonly #timeoutMs: number;
  #id = 0;

  constructor(options: RemoteSignerOptions, provider: Provider | null = null) {
    super(provider);
    this.url = options.url;
    this.address = getAddress(options.address);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * Connects and checks once, at start: the endpoint answers, lists the configured address among its accounts
   * (`eth_accounts`), and that address is not a published dev key unless `chainId` is a development chain.
   */
  static async open(
    options: RemoteSignerOptions,
    provider: Provider | null,
    chainId: bigint | undefined,
  ): Promise<RemoteSigner> {
    const signer = new RemoteSigner(options, provider);
    if (chainId !== undefined) refuseDevKeyOffDevChain({ address: signer.address }, chainId, "the remote signer's key");
    const accounts = await signer.#call<unknown>("eth_accounts", []);
    const listed = Array.isArray(accounts) ? accounts.filter((a) => typeof a === "string") : [];
    if (!listed.some((a) => a.toLowerCase() === signer.address.toLowerCase())) {
      throw new RemoteSignerError(
        "REMOTE_SIGNER_MISMATCH",
        `the remote signer at ${signer.url} does not hold ${signer.address} (it lists ${listed.join(", ") || "no accounts"}): ` +
          "load the issuer's key into the signer, or set ITEC_ORACLE_ADDRESS to the address it holds",
      );
    }
    return signer;
  }

  override connect(provider: Provider | null): RemoteSigner {
    return new RemoteSigner({ url: this.url, address: this.address, timeoutMs: this.#timeoutMs }, provider);
  }

  override getAddress(): Promise<string> {
    return Promise.resolve(this.address);
  }

  override async signTransaction(request: TransactionRequest): Promise<string> {
    const asked = await this.#resolve(request);
    const params: Record<string, string> = {
      from: this.address,
      ...(asked.to ? { to: asked.to } : {}),
      gas: toQuantity(asked.gasLimit),
      value: toQuantity(asked.value),
      data: asked.data,
      nonce: toQuantity(asked.nonce),
      chainId: toQuantity(asked.chainId),
      ...(asked.type === 2
        ? {
            maxFeePerGas: toQuantity(asked.maxFeePerGas ?? 0n),
            maxPriorityFeePerGas: toQuantity(asked.maxPriorityFeePerGas ?? 0n),
          }
        : { gasPrice: toQuantity(asked.gasPrice ?? 0n) }),
    };
    const raw = await this.#call<unknown>("eth_signTransaction", [params]);
    if (typeof raw !== "string") {
      throw new RemoteSignerError(
        "REMOTE_SIGNER_MISMATCH",
        `the remote signer at ${this.url} returned no raw transaction`,
      );
    }
    this.#verify(asked, raw);
    return raw;
  }

  override async signMessage(message: string | Uint8Array): Promise<string> {
    const data = typeof message === "string" ? hexlify(new TextEncoder().encode(message)) : hexlify(message);
    const signature = await this.#call<string>("eth_sign", [this.address, data]);
    if (getAddress(verifyMessage(message, signature)) !== this.address) {
      throw this.#mismatch("a message signature that does not recover to it");
    }
    return signature;
  }

  override async signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string> {
    const payload: unknown = TypedDataEncoder.getPayload(domain, types, value);
    const signature = await this.#call<string>("eth_signTypedData", [this.address, payload]);
    if (getAddress(verifyTypedData(domain, types, value, signature)) !== this.address) {
      throw this.#mismatch("a typed-data signature that does not recover to it");
    }
    return signature;
  }

  /** The request as a complete, typed transaction (the oracle gives every field; others are filled here). */
  async #resolve(request: TransactionRequest): Promise<Transaction> {
    const filled =
      request.nonce != null && request.gasLimit != null && request.chainId != null
        ? request
        : await this.populateTransaction(request);
    const { from: _from, ...rest } = filled;
    const to = rest.to == null ? null : await resolveAddress(rest.to, this.provider);
    const tx = Transaction.from({ ...(rest as TransactionLike<string>), to });
    // Legacy unless asked otherwise or given EIP-1559 fees (Besu's zero-price transactions are legacy); ethers'
    // inferType() would pick EIP-2930 for a gas price with a chain id.
    tx.type = request.type ?? (tx.maxFeePerGas !== null ? 2 : 0);
    return tx;
  }

  /** Refuses a signed transaction that is not from the configured address or not exactly what was asked. */
  #verify(asked: Transaction, raw: string): void {
    let got: Transaction;
    try {
      got = Transaction.from(raw);
    } catch (error) {
      throw new RemoteSignerError(
        "REMOTE_SIGNER_MISMATCH",
        `the remote signer at ${this.url} returned something that is not a signed transaction: ${firstLine(error)}`,
        { cause: error },
      );
    }
    if (!got.from || getAddress(got.from) !== this.address) {
      throw this.#mismatch(`a transaction from ${got.from ?? "nobody"}, not from ${this.address}`);
    }
    const fields = ["to", "data", "nonce", "gasLimit", "value", "chainId", "type"] as const;
    const feeFields = asked.type === 2 ? (["maxFeePerGas", "maxPriorityFeePerGas"] as const) : (["gasPrice"] as const);
    for (const field of [...fields, ...feeFields]) {
      const a = normal(asked[field]);
      const g = normal(got[field]);
      if (a !== g) throw this.#mismatch(`a transaction whose ${field} is ${g}, not ${a}`);
    }
  }

  #mismatch(what: string): RemoteSignerError {
    return new RemoteSignerError(
      "REMOTE_SIGNER_MISMATCH",
      `the remote signer at ${this.url} returned ${what}; refused, nothing was sent: ` +
        "check which key and chain id (Web3Signer --chain-id) the signer is configured with",
    );
  }

  async #call<T>(method: string, params: unknown[]): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++this.#id, method, params }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new RemoteSignerError(
        "REMOTE_SIGNER_UNAVAILABLE",
        `the remote signer at ${this.url} did not answer ${method} (${firstLine(error)}): check that it runs and ` +
          "that ITEC_ORACLE_SIGNER_URL names it; the oracle retries",
        { cause: error },
      );
    }
    let body: { result?: T; error?: { code?: number; message?: string } };
    try {
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw new RemoteSignerError(
        "REMOTE_SIGNER_UNAVAILABLE",
        `the remote signer at ${this.url} answered ${method} with HTTP ${response.status} and no JSON-RPC body: ` +
          "check ITEC_ORACLE_SIGNER_URL (Web3Signer's Eth1 endpoint); the oracle retries",
        { cause: error },
      );
    }
    if (body.error || body.result === undefined) {
      throw new RemoteSignerError(
        "REMOTE_SIGNER_REFUSED",
        `the remote signer at ${this.url} refused ${method}: ${body.error?.message ?? "no result"}` +
          `${body.error?.code !== undefined ? ` (${body.error.code})` : ""}: check that it holds ${this.address} ` +
          "and allows this method",
      );
    }
    return body.result;
  }
}

/** A transaction field, comparable as text: addresses and hex data in lower case, numbers in decimal. */
function normal(value: string | bigint | number | null | undefined): string {
  if (value === null || value === undefined) return "none";
  return typeof value === "string" ? value.toLowerCase() : value.toString();
}
