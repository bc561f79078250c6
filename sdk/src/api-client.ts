/**
 * A small client of the registry API for integrators, people at a terminal (the `itec` CLIs) and the
 * demonstration: it signs in with Sign-In with Ethereum, asks the API for unsigned transactions, signs them with the
 * caller's own key and relays them, and reads certificates, balances and verifications. The named operations are
 * typed (api-operations.ts, checked against the API's OpenAPI document); `get`/`post`/`request`/`send` reach any
 * path. Errors come back as the API's problem details, in one line.
 */
import { Transaction, type JsonRpcProvider, type Signer } from "ethers";

import {
  API_OPERATIONS,
  operationPath,
  type ApiOperationName,
  type ApiOperationTypes,
  type Balances,
  type CertificateBatch,
  type PublicAuditSample,
  type Participant,
  type PathParams,
  type RetireRequest,
  type TransactionStatus,
  type TransferRequest,
} from "./api-operations.ts";
import { CodedError } from "./errors.ts";
import { formatSiweMessage } from "./siwe.ts";
import type { Delivery, DeliveryPrepared, DeliveryProofs, DeliveryRequest } from "./delivery.ts";
import type { ChainBatch, RetirementVerification } from "./verification.ts";

export class ApiError extends CodedError {
  readonly status: number;
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>) {
    const pointers = Array.isArray(body.errors)
      ? ` (${(body.errors as { pointer: string; detail: string }[]).map((e) => `${e.pointer}: ${e.detail}`).join("; ")})`
      : "";
    const text = (v: unknown) => (typeof v === "string" ? v : undefined);
    super(
      text(body.code) ?? `HTTP_${status}`,
      `${text(body.detail) ?? text(body.title) ?? `HTTP ${status}`}${pointers}`,
    );
    this.status = status;
    this.body = body;
  }
}

/** Connection errors that mean the request never left: the API cannot have acted on it. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ERR_INVALID_URL"]);

/** A transaction for the caller's wallet: sign it with `from`, then relay it (POST /tx/relay). */
export interface UnsignedTx {
  from: string;
  to: string;
  data: string;
  value: "0";
  chainId: string;
  /** Set on zero-fee networks (Besu QBFT, the embedded chain): wallets must send this gas price. */
  gasPrice?: string | undefined;
  gasLimit: string;
  /** What the transaction does, for the person about to sign it. */
  description: string;
}

export class ApiClient {
  readonly baseUrl: string;
  #token: string | undefined;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/$/, "");
  }

  /** The session token `signIn` obtained (undefined when signed out). */
  get token(): string | undefined {
    return this.#token;
  }

  /**
   * Uses a session token obtained earlier (a web app restoring its session after a reload), or signs out with
   * `undefined`. The API still checks it on every call: an expired token answers 401 TOKEN_EXPIRED.
   */
  useToken(token: string | undefined): void {
    this.#token = token;
  }

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    return (await this.send<T>(method, path, body, headers)).body;
  }

  /**
   * One request; answers the status with the parsed body (a 200 and a 201 can mean different things, e.g. a lot
   * already submitted). A connection that drops after a state-changing request was sent is API_CONNECTION_LOST
   * (`mayHaveLanded`): the API may or may not have carried it out, and only the caller knows what tells which.
   */
  async send<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    if (!/^https?:\/\/[^/]/.test(this.baseUrl) || !URL.canParse(this.baseUrl)) {
      throw new ApiError(0, {
        code: "BAD_API_URL",
        detail:
          `'${this.baseUrl}' is not the URL of an API: give it with its scheme, e.g. http://127.0.0.1:8080 ` +
          "(--api or ITEC_API_URL)",
      });
    }
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          accept: "application/json",
          ...(body !== undefined && typeof body !== "string" ? { "content-type": "application/json" } : {}),
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      });
      text = await res.text();
    } catch (error) {
      throw this.#connectionError(method, path, error);
    }
    let parsed: unknown;
    try {
      parsed = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      parsed = { detail: text.slice(0, 200) };
    }
    if (!res.ok) {
      const problem = (parsed ?? {}) as Record<string, unknown>;
      if (typeof problem.code !== "string") {
        // every error of the registry's API is problem+json with a stable code: this is some other server
        throw new ApiError(res.status, {
          code: `HTTP_${res.status}`,
          detail:
            `${this.baseUrl} answered ${method} ${path} with HTTP ${res.status}, not as the registry's API does: ` +
            "is --api (ITEC_API_URL) the URL `npm start` or `itec serve` printed for the API?",
        });
      }
      throw new ApiError(res.status, problem);
    }
    return { status: res.status, body: parsed as T };
  }

  #connectionError(method: string, path: string, error: unknown): ApiError {
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const code = typeof cause?.code === "string" ? cause.code : undefined;
    const reason = [(error as Error).message, typeof cause?.message === "string" ? cause.message : undefined]
      .filter(Boolean)
      .join(": ");
    // Never connected (nothing reached the API), or a read (nothing can have changed).
    if ((code !== undefined && NOT_SENT.has(code)) || method === "GET" || method === "HEAD") {
      return new ApiError(0, {
        code: "API_UNREACHABLE",
        detail:
          `the registry API at ${this.baseUrl} is unreachable (${reason}): is the registry running? ` +
          "`npm start` (or `itec serve`) prints its API URL; pass it with --api or ITEC_API_URL",
      });
    }
    return new ApiError(0, {
      code: "API_CONNECTION_LOST",
      detail:
        `the connection to the registry API at ${this.baseUrl} dropped before it answered ${method} ${path} ` +
        `(${reason}): the request may or may not have been carried out`,
      mayHaveLanded: true,
    });
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  post<T>(path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    return this.request<T>("POST", path, body ?? {}, headers);
  }

  /** Operation `name` (api-operations.ts) with its path parameters and, when it takes one, its body. */
  call<K extends ApiOperationName>(
    name: K,
    params: PathParams<K>,
    ...body: [ApiOperationTypes[K]["body"]] extends [never] ? [] : [ApiOperationTypes[K]["body"]]
  ): Promise<ApiOperationTypes[K]["reply"]> {
    const { method } = API_OPERATIONS[name];
    return this.request(method, operationPath(name, params), method === "GET" ? undefined : (body[0] ?? {}));
  }

  /** A retirement verified by the registry from the chain (the verify page's answer). */
  verifyRetirement(id: bigint | number | string): Promise<RetirementVerification> {
    return this.call("verifyRetirement", { id });
  }

  /** A batch as the chain holds it. */
  verifyBatch(id: bigint | number | string): Promise<ChainBatch> {
    return this.call("verifyBatch", { id });
  }

  /** An issued batch's public audit sample record (check it with `verifySample`, sample.ts). */
  batchSample(id: bigint | number | string): Promise<PublicAuditSample> {
    return this.call("getBatchSample", { id });
  }

  /** A batch as the chain holds it, with its ERC-1155 metadata link. */
  certificate(batchId: bigint | number | string): Promise<CertificateBatch> {
    return this.call("getCertificateBatch", { batchId });
  }

  /** Certificates held by `address`. */
  balances(address: string): Promise<Balances> {
    return this.call("getBalances", { address });
  }

  /** An account's standing and roles. */
  participant(address: string): Promise<Participant> {
    return this.call("getParticipant", { address });
  }

  /** The signed-in account's standing and roles. */
  me(): Promise<Participant> {
    return this.call("whoAmI", {});
  }

  /** What became of transaction `hash`. */
  transactionStatus(hash: string): Promise<TransactionStatus> {
    return this.call("transactionStatus", { hash });
  }

  /** An unsigned transfer for the signed-in account's wallet. */
  buildTransfer(request: TransferRequest): Promise<UnsignedTx> {
    return this.call("buildTransfer", {}, request);
  }

  /** An unsigned retirement for the signed-in account's wallet. */
  buildRetirement(request: RetireRequest): Promise<UnsignedTx> {
    return this.call("buildRetirement", {}, request);
  }

  /** Prepares a flow-through delivery (the signed-in ITAD's): its plan and the transfer to sign (docs/deliveries.md). */
  prepareDelivery(request: DeliveryRequest): Promise<DeliveryPrepared> {
    // Not a typed operation: the route also takes CSV, so its document body is a union (as POST /lots).
    return this.post("/deliveries", request);
  }

  /** Withdraws prepared delivery `id`. */
  cancelDelivery(id: string): Promise<Delivery> {
    return this.request("DELETE", `/deliveries/${encodeURIComponent(id)}`);
  }

  /** Records the mined transfer `txHash` of prepared delivery `id` (the API checks it on the chain). */
  recordDeliveryTransfer(id: string, txHash: string): Promise<Delivery> {
    return this.call("recordDeliveryTransfer", { id }, { txHash });
  }

  /** Deliveries the signed-in account received (`customer`) or made (`itad`), optionally of one reference. */
  async deliveries(role: "customer" | "itad" = "customer", reference?: string): Promise<Delivery[]> {
    const query = new URLSearchParams({ role, ...(reference !== undefined ? { reference } : {}) });
    const path = `${operationPath("listDeliveries", {})}?${query.toString()}`;
    return (await this.get<{ deliveries: Delivery[] }>(path)).deliveries;
  }

  /** Delivery `id` (its ITAD's or, once sent, its customer's). */
  delivery(id: string): Promise<Delivery> {
    return this.call("getDelivery", { id });
  }

  /** The proofs of delivery `id`'s own devices, for `verifyDevices`. */
  deliveryProofs(id: string): Promise<DeliveryProofs> {
    return this.call("getDeliveryProofs", { id });
  }

  /** Signs in with `signer` (EIP-4361) and keeps the token for the following calls. */
  async signIn(signer: Signer): Promise<string> {
    const n = await this.call("siweNonce", {});
    const address = await signer.getAddress();
    const message = formatSiweMessage({
      domain: n.domain,
      address,
      statement: "Sign in to the I-TEC Registry",
      uri: n.uri,
      version: "1",
      chainId: Number(n.chainId),
      nonce: n.nonce,
      issuedAt: new Date().toISOString(),
    });
    const { token } = await this.call("siweSignIn", {}, { message, signature: await signer.signMessage(message) });
    this.#token = token;
    return address;
  }

  /** Signs an unsigned transaction from the API with `signer`, relays it and waits until it is mined. */
  async signAndRelay(signer: Signer, tx: UnsignedTx, timeoutMs = 60_000): Promise<string> {
    const provider = signer.provider;
    if (!provider) throw new Error("the signer needs a provider (for its nonce)");
    // Asked of the node directly: a provider's short response cache could hand back a nonce already used.
    const nonce =
      "send" in provider && typeof provider.send === "function"
        ? Number(
            await (provider as JsonRpcProvider).send("eth_getTransactionCount", [await signer.getAddress(), "pending"]),
          )
        : await provider.getTransactionCount(await signer.getAddress(), "pending");
    let fees: { type: number; gasPrice?: bigint; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint };
    if (tx.gasPrice !== undefined) {
      fees = { type: 0, gasPrice: BigInt(tx.gasPrice) };
    } else {
      const fee = await provider.getFeeData();
      fees =
        fee.maxFeePerGas !== null
          ? { type: 2, maxFeePerGas: fee.maxFeePerGas, maxPriorityFeePerGas: fee.maxPriorityFeePerGas ?? 0n }
          : { type: 0, gasPrice: fee.gasPrice ?? 0n };
    }
    const raw = await signer.signTransaction({
      to: tx.to,
      data: tx.data,
      value: 0n,
      chainId: BigInt(tx.chainId),
      nonce,
      gasLimit: BigInt(tx.gasLimit),
      ...fees,
    });
    let hash: string;
    try {
      ({ hash } = await this.call("relayTransaction", {}, { signedTransaction: raw }));
    } catch (error) {
      if (error instanceof ApiError && error.code === "API_CONNECTION_LOST") {
        // The signed transaction's hash is known here: it tells whether the relay sent it.
        const sent = Transaction.from(raw).hash!;
        throw new ApiError(0, {
          ...error.body,
          detail:
            `the connection to the registry API at ${this.baseUrl} dropped while it relayed transaction ${sent}: ` +
            `it may or may not have been broadcast. Its status: ${this.baseUrl}/tx/${sent} (mined, pending or ` +
            "unknown); run the command again only once it says unknown",
          txHash: sent,
        });
      }
      throw error;
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.transactionStatus(hash).catch((error: unknown) => {
        if (!(error instanceof ApiError) || error.status !== 0) throw error;
        throw new ApiError(0, {
          ...error.body,
          detail: `${String(error.body.detail)}; transaction ${hash} was relayed: its status is at ${this.baseUrl}/tx/${hash}`,
          txHash: hash,
        });
      });
      if (s.status === "mined") return hash;
      if (s.status === "reverted")
        throw new ApiError(409, { code: "TX_REVERTED", detail: `transaction ${hash} reverted` });
      if (Date.now() > deadline)
        throw new ApiError(504, { code: "TX_TIMEOUT", detail: `transaction ${hash} not mined after ${timeoutMs} ms` });
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}
