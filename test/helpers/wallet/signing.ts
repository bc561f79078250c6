/**
 * What the test wallet signs, and how: exactly what a browser wallet does with the same parameters, with an
 * ethers v6 Wallet holding the key. Nothing here is approved or refused; the caller (core.ts) decides that first.
 */
import { getAddress, getBytes, isHexString, type TransactionRequest, type Wallet } from "ethers";

import { invalidParams, ProviderRpcError, RPC_ERRORS } from "./errors.ts";
import type { KnownChain } from "./chains.ts";
import { rpcCall } from "./rpc.ts";

/** Refuses (4100) a request naming an account the wallet does not hold or has not connected. */
export function requireAccount(wallet: Wallet, value: unknown, method: string): void {
  let address: string;
  try {
    address = getAddress(String(value));
  } catch {
    throw invalidParams(`${method}: ${String(value)} is not an address`);
  }
  if (address !== wallet.address) {
    throw new ProviderRpcError(
      RPC_ERRORS.unauthorized,
      `${method}: the requested account ${address} has not been authorized by the user`,
    );
  }
}

/**
 * personal_sign with MetaMask's parameters [message, address]: a 0x-hex message is signed as its bytes, anything
 * else as UTF-8 text (EIP-191 version 0x45 either way).
 */
export async function personalSign(wallet: Wallet, params: readonly unknown[]): Promise<string> {
  const [message, address] = params;
  if (typeof message !== "string") throw invalidParams("personal_sign expects [message, address]");
  requireAccount(wallet, address, "personal_sign");
  return wallet.signMessage(isHexString(message) ? getBytes(message) : message);
}

interface TypedDataPayload {
  domain: Record<string, unknown>;
  types: Record<string, { name: string; type: string }[]>;
  primaryType?: string;
  message: Record<string, unknown>;
}

/**
 * eth_signTypedData_v4 with parameters [address, typed data as a JSON string (or an object)]. As MetaMask does,
 * a domain chain id other than the active chain's is refused: signing for another chain is the mistake to catch.
 */
export async function signTypedDataV4(wallet: Wallet, chain: KnownChain, params: readonly unknown[]): Promise<string> {
  const [address, raw] = params;
  requireAccount(wallet, address, "eth_signTypedData_v4");
  let data: TypedDataPayload;
  try {
    data = (typeof raw === "string" ? JSON.parse(raw) : raw) as TypedDataPayload;
  } catch {
    throw invalidParams("eth_signTypedData_v4: the typed data is not valid JSON");
  }
  if (typeof data !== "object" || data === null || typeof data.types !== "object" || typeof data.message !== "object") {
    throw invalidParams("eth_signTypedData_v4: the typed data needs domain, types and message");
  }
  const domain = data.domain ?? {};
  const domainChainId = domain.chainId as string | number | bigint | null | undefined;
  if (domainChainId !== undefined && domainChainId !== null && BigInt(domainChainId) !== chain.chainId) {
    throw invalidParams(
      `eth_signTypedData_v4: provided chainId "${domainChainId}" must match the active chainId "${chain.chainId}"`,
    );
  }
  // ethers derives the domain's type from `domain`; listing EIP712Domain among the types would be an error there.
  const { EIP712Domain: _domain, ...types } = data.types;
  return wallet.signTypedData(domain, types, data.message);
}

interface TxRequest {
  from?: string;
  to?: string | null;
  data?: string;
  input?: string;
  value?: string;
  gas?: string;
  gasLimit?: string;
  gasPrice?: string;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
  nonce?: string;
}

const big = (v: unknown): bigint | undefined => (v === undefined || v === null ? undefined : BigInt(v as string));

/**
 * eth_sendTransaction: fills what the page left out from the node of the active chain (nonce from the pending
 * count, gas from eth_estimateGas, fees from the latest block), honours `gasPrice` (a legacy transaction) or the
 * EIP-1559 fees if given, signs for the active chain and sends the raw transaction. The node's own errors (a revert
 * in the estimate, a nonce too low) reach the page as the node gave them.
 */
export async function sendTransaction(wallet: Wallet, chain: KnownChain, params: readonly unknown[]): Promise<string> {
  const req = params[0] as TxRequest | undefined;
  if (typeof req !== "object" || req === null) throw invalidParams("eth_sendTransaction expects [transaction]");
  requireAccount(wallet, req.from, "eth_sendTransaction");
  const url = chain.rpcUrl;
  const data = req.data ?? req.input ?? "0x";
  const value = big(req.value) ?? 0n;
  const to = req.to ? getAddress(req.to) : null;
  const call = { from: wallet.address, ...(to ? { to } : {}), data, value: `0x${value.toString(16)}` };
  const tx: TransactionRequest = { chainId: chain.chainId, to, data, value };
  tx.nonce = Number(
    big(req.nonce) ?? BigInt((await rpcCall(url, "eth_getTransactionCount", [wallet.address, "pending"])) as string),
  );
  tx.gasLimit = big(req.gas ?? req.gasLimit) ?? BigInt((await rpcCall(url, "eth_estimateGas", [call])) as string);
  const gasPrice = big(req.gasPrice);
  if (gasPrice !== undefined) {
    tx.type = 0;
    tx.gasPrice = gasPrice;
  } else {
    const block = (await rpcCall(url, "eth_getBlockByNumber", ["latest", false])) as { baseFeePerGas?: string } | null;
    if (block?.baseFeePerGas === undefined) {
      tx.type = 0;
      tx.gasPrice = BigInt((await rpcCall(url, "eth_gasPrice")) as string);
    } else {
      tx.type = 2;
      const tip = big(req.maxPriorityFeePerGas) ?? BigInt((await rpcCall(url, "eth_maxPriorityFeePerGas")) as string);
      tx.maxPriorityFeePerGas = tip;
      tx.maxFeePerGas = big(req.maxFeePerGas) ?? 2n * BigInt(block.baseFeePerGas) + tip;
    }
  }
  // Signed here and sent raw, so the node's answer (hash or error) is what the page gets.
  const signed = await wallet.signTransaction(tx);
  const hash = (await rpcCall(url, "eth_sendRawTransaction", [signed])) as string;
  return hash;
}
