/**
 * The one small module through which the oracle, API and CLI talk to the registry contract: standard JSON-RPC
 * only (Besu, anvil, Hardhat), typechain types, explicit gas price on zero-fee networks, decoded custom errors.
 */
import {
  Contract,
  FetchRequest,
  JsonRpcProvider,
  Network,
  type TransactionRequest,
  type TypedDataDomain,
} from "ethers";

import type { ITECRegistry } from "../../sdk/src/registry.ts";
import { registryAt } from "../../sdk/src/registry.ts";
import { attestationDomain } from "../../sdk/src/attestation.ts";
import { categoryBit } from "../../sdk/src/enums.ts";
import { ChainError, decodeRegistryError, isTransientError } from "./errors.ts";

/** ERC-1271 magic value returned by `isValidSignature` for a valid signature. */
const ERC1271_MAGIC = "0x1626ba7e";
const ERC1271_ABI = ["function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)"];

export interface ChainClientOptions {
  /** JSON-RPC endpoint, e.g. http://127.0.0.1:8545. */
  rpcUrl: string;
  /** Registry contract address. */
  registryAddress: string;
  /** Chain id if known (skips a network lookup); otherwise read once with `eth_chainId`. */
  chainId?: bigint;
  /** Gas price for every transaction the project sends: 0n on Besu/anvil zero-fee networks; undefined = ask the node. */
  gasPrice?: bigint;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
}

/** A connected registry: provider, typed contract, domain, and the reads the services need. */
export class ChainClient {
  readonly provider: JsonRpcProvider;
  readonly registry: ITECRegistry;
  readonly chainId: bigint;
  readonly address: string;
  readonly gasPrice: bigint | undefined;
  readonly #roles = new Map<string, string>();

  private constructor(provider: JsonRpcProvider, chainId: bigint, address: string, gasPrice: bigint | undefined) {
    this.provider = provider;
    this.chainId = chainId;
    this.address = address;
    this.gasPrice = gasPrice;
    this.registry = registryAt(address, provider);
  }

  /** Connects; reads the chain id once when it is not given (retrying transient failures `attempts` times). */
  static async connect(options: ChainClientOptions, attempts = 1): Promise<ChainClient> {
    let chainId = options.chainId;
    if (chainId === undefined) {
      chainId = await withRetry(() => rpcChainId(options.rpcUrl, options.timeoutMs), attempts);
    }
    const request = new FetchRequest(options.rpcUrl);
    request.timeout = options.timeoutMs ?? 15_000;
    // A static network: ethers never re-detects it, and never loops printing "failed to detect network".
    // No response cache: reconciliation must see the node's state now, not a 250 ms old "no receipt yet".
    const provider = new JsonRpcProvider(request, Network.from(chainId), {
      staticNetwork: true,
      batchMaxCount: 1,
      pollingInterval: 250,
      cacheTimeout: -1,
    });
    return new ChainClient(provider, chainId, options.registryAddress, options.gasPrice);
  }

  /** The EIP-712 domain of this deployment. */
  domain(): TypedDataDomain {
    return attestationDomain(this.chainId, this.address);
  }

  async role(name: "ISSUER_ROLE" | "DEFAULT_ADMIN_ROLE"): Promise<string> {
    let value = this.#roles.get(name);
    if (!value) {
      value = await this.registry[name]();
      this.#roles.set(name, value);
    }
    return value;
  }

  /**
   * Whether `account` is an auditor now: accredited for a body (`accreditation(account).bodyId` ≠ 0) within its
   * validity window at the latest block's time — and, when `category` (1…6) is given, accredited for it. What the
   * registry counts at issuance; expiry needs no transaction, so this reads the window, not an event.
   */
  async isAuditor(account: string, category?: number): Promise<boolean> {
    const [a, latest] = await Promise.all([this.registry.accreditation(account), this.latestBlock()]);
    if (a.bodyId === 0n) return false;
    const now = BigInt(latest.timestamp);
    if (now < a.validFrom || now > a.validUntil) return false;
    return category === undefined ? a.categories !== 0n : (Number(a.categories) & categoryBit(category)) !== 0;
  }

  async auditorThreshold(): Promise<number> {
    return Number(await this.registry.auditorThreshold());
  }

  /** Whether `account` has code (e.g. an ERC-1271 contract wallet). */
  async hasCode(account: string): Promise<boolean> {
    return (await this.provider.getCode(account)) !== "0x";
  }

  /** Asks an ERC-1271 wallet whether `signature` is valid for `digest`; false on any refusal. */
  async isValidErc1271Signature(wallet: string, digest: string, signature: string): Promise<boolean> {
    try {
      const result = (await new Contract(wallet, ERC1271_ABI, this.provider).getFunction("isValidSignature")(
        digest,
        signature,
      )) as string;
      return result.toLowerCase() === ERC1271_MAGIC;
    } catch (error) {
      if (isTransientError(error)) throw error;
      return false;
    }
  }

  async latestBlock(): Promise<{ number: number; timestamp: number }> {
    const block = await this.provider.getBlock("latest");
    if (!block) throw new ChainError("NO_BLOCK", "the node returned no latest block");
    return { number: block.number, timestamp: block.timestamp };
  }

  /**
   * Fee fields for a transaction: an explicit legacy gas price when configured; otherwise a price of 0 on a
   * zero-fee network (latest base fee 0, as Besu with `zeroBaseFee` — ethers would ask `eth_gasPrice`, which Besu
   * answers from recent transactions' prices, and an unfunded account could not pay), else the node's fee data.
   */
  async feeFields(): Promise<Pick<TransactionRequest, "gasPrice" | "maxFeePerGas" | "maxPriorityFeePerGas" | "type">> {
    if (this.gasPrice !== undefined) return { type: 0, gasPrice: this.gasPrice };
    const latest = await this.provider.getBlock("latest");
    if (latest?.baseFeePerGas === 0n) return { type: 0, gasPrice: 0n };
    const fee = await this.provider.getFeeData();
    if (fee.maxFeePerGas !== null && fee.maxPriorityFeePerGas !== null) {
      return { type: 2, maxFeePerGas: fee.maxFeePerGas, maxPriorityFeePerGas: fee.maxPriorityFeePerGas };
    }
    return { type: 0, gasPrice: fee.gasPrice ?? 0n };
  }

  /** Decodes a revert of the registry (custom errors of the registry and OpenZeppelin) from any ethers error. */
  decodeError(error: unknown) {
    return decodeRegistryError(error);
  }
}

async function rpcChainId(rpcUrl: string, timeoutMs = 15_000): Promise<bigint> {
  const request = new FetchRequest(rpcUrl);
  request.timeout = timeoutMs;
  request.setHeader("content-type", "application/json");
  request.body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
  try {
    const response = await request.send();
    response.assertOk();
    const body = response.bodyJson as { result?: string; error?: { message?: string } };
    if (!body.result) throw new ChainError("RPC_ERROR", `eth_chainId failed: ${body.error?.message ?? "no result"}`);
    return BigInt(body.result);
  } catch (error) {
    if (error instanceof ChainError) throw error;
    throw new ChainError("RPC_UNAVAILABLE", `the chain at ${rpcUrl} is unreachable`, { cause: error });
  }
}

/** Retries `fn` on transient failures with exponential backoff (100 ms doubling, capped at 5 s). */
export async function withRetry<T>(fn: () => Promise<T>, attempts: number): Promise<T> {
  let delay = 100;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      const transient = isTransientError(error) || (error instanceof ChainError && error.code === "RPC_UNAVAILABLE");
      if (!transient || i >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
