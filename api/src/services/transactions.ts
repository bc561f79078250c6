/**
 * The API never holds users' keys: it builds the unsigned transaction a wallet signs (simulated first, so a
 * call that would revert is refused with the registry's decoded error), and relays a signed transaction only when
 * it will mine as signed: a registry call by the signed-in account (whose standing the route checks), of a
 * function the relay forwards (relay-gas.ts: everything a participant, operator, challenger or admin signs; the
 * admin handover is sent by the admins directly), carrying no ether, within the function's gas cap, with the
 * account's next nonce, and simulated with every field it was signed with.
 */
import { getAddress, Transaction, type ErrorDescription, type Interface, type TransactionRequest } from "ethers";

import type { ChainClient } from "../../../core/chain/client.ts";
import { decodeRegistryError, isTransientError, type DecodedRevert } from "../../../core/chain/errors.ts";
import type { UnsignedTx } from "../../../sdk/src/api-client.ts";
import { HttpProblem } from "../problem.ts";
import { MAX_RELAY_GAS, relayGasCap, TEXT_GAS_PER_BYTE } from "./relay-gas.ts";

/**
 * A contract besides the registry whose calls the API builds and the relay forwards (the market, its settlement
 * tokens): its ABI and the gas cap of each function it relays (a function without a cap is refused).
 */
export interface RelayTarget {
  name: string;
  address: string;
  iface: Interface;
  caps: Readonly<Record<string, bigint>>;
}

/** The transaction types the relay forwards: legacy, EIP-2930 and EIP-1559 (no blobs, no EIP-7702 delegations). */
const RELAYED_TYPES = new Set([0, 1, 2]);

export class TransactionService {
  readonly #chain: ChainClient;
  /** The other contracts relayed (undefined: only the registry); asked per transaction (tokens are admitted live). */
  readonly #target: ((to: string) => Promise<RelayTarget | undefined>) | undefined;

  constructor(chain: ChainClient, target?: (to: string) => Promise<RelayTarget | undefined>) {
    this.#chain = chain;
    this.#target = target;
  }

  /**
   * Encodes `fn(args)` from `from`, simulates it (422 with the decoded revert) and estimates gas. A call to another
   * contract than the registry names it in `target` (its reverts are decoded with its ABI too).
   */
  async build(
    from: string,
    fn: string,
    args: readonly unknown[],
    description: string,
    target?: Pick<RelayTarget, "address" | "iface">,
  ): Promise<UnsignedTx> {
    const to = target?.address ?? this.#chain.address;
    const data = (target?.iface ?? this.#chain.registry.interface).encodeFunctionData(fn, args);
    let gas: bigint;
    try {
      gas = await this.#chain.provider.estimateGas({ from, to, data });
    } catch (error) {
      throw this.#revertProblem(error, target?.iface);
    }
    return {
      from,
      to,
      data,
      value: "0",
      chainId: this.#chain.chainId.toString(),
      ...(this.#chain.gasPrice !== undefined ? { gasPrice: this.#chain.gasPrice.toString() } : {}),
      gasLimit: ((gas * 12n) / 10n).toString(),
      description,
    };
  }

  /** Checks and broadcasts a signed registry transaction from `signer`; returns its hash. */
  async relay(raw: string, signer: string): Promise<{ hash: string; function: string }> {
    let tx: Transaction;
    try {
      tx = Transaction.from(raw);
    } catch {
      throw new HttpProblem(
        422,
        "TX_MALFORMED",
        "Malformed transaction",
        "signedTransaction is not a signed RLP transaction",
        {
          errors: [{ pointer: "/body/signedTransaction", detail: "not a signed transaction" }],
        },
      );
    }
    if (!tx.from)
      throw new HttpProblem(422, "TX_UNSIGNED", "Unsigned transaction", "the transaction carries no signature");
    if (getAddress(tx.from) !== signer) {
      throw new HttpProblem(
        403,
        "TX_NOT_YOURS",
        "Forbidden",
        `the transaction is signed by ${tx.from}, you signed in as ${signer}`,
      );
    }
    if (tx.chainId !== this.#chain.chainId) {
      throw new HttpProblem(
        422,
        "TX_WRONG_CHAIN",
        "Wrong chain",
        `the transaction is for chain ${tx.chainId}, the registry runs on ${this.#chain.chainId}`,
      );
    }
    if (tx.type === null || !RELAYED_TYPES.has(tx.type)) {
      throw new HttpProblem(
        422,
        "TX_TYPE",
        "Transaction type not relayed",
        `the relay forwards transaction types 0, 1 and 2; this one is type ${tx.type}: sign a type-2 (EIP-1559) transaction`,
      );
    }
    const toRegistry = !!tx.to && getAddress(tx.to) === getAddress(this.#chain.address);
    const other = !toRegistry && tx.to && this.#target ? await this.#target(getAddress(tx.to)) : undefined;
    if (!toRegistry && !other) {
      throw new HttpProblem(
        422,
        "TX_NOT_REGISTRY",
        "Not a registry transaction",
        `the relay only forwards calls to the registry ${this.#chain.address}` +
          (this.#target ? ", its market and the market's admitted settlement tokens" : ""),
      );
    }
    const parsed = (other?.iface ?? this.#chain.registry.interface).parseTransaction({ data: tx.data });
    const cap = parsed
      ? other
        ? targetGasCap(other, parsed.name, tx.data)
        : relayGasCap(parsed.fragment, parsed.args)
      : undefined;
    if (!parsed || cap === undefined) {
      throw new HttpProblem(
        422,
        "TX_FUNCTION_NOT_ALLOWED",
        "Function not relayed",
        `the relay does not forward ${parsed?.name ?? "this call"}`,
      );
    }
    if (tx.value !== 0n) {
      throw new HttpProblem(
        422,
        "TX_VALUE",
        "The transaction carries ether",
        `registry calls take no ether: sign it again with value 0 (it carries ${tx.value} wei)`,
      );
    }
    if (tx.gasLimit > cap) {
      throw new HttpProblem(
        422,
        "TX_GAS_CAP",
        "Gas limit above the operation's cap",
        `${parsed.name} may ask for at most ${cap} gas here (it asks for ${tx.gasLimit}): sign it again with the gasLimit the API built`,
        { extra: { gasCap: cap.toString() } },
      );
    }
    const expectedNonce = await this.#chain.provider.getTransactionCount(tx.from, "pending");
    if (tx.nonce !== expectedNonce) {
      throw new HttpProblem(
        409,
        "TX_NONCE",
        "Not the account's next nonce",
        `the transaction has nonce ${tx.nonce}, ${tx.from}'s next is ${expectedNonce}: sign it again with nonce ${expectedNonce}`,
        { extra: { expectedNonce } },
      );
    }
    // The simulation runs the transaction as signed: sender, nonce, gas limit, fees, value and access list, so a
    // call that runs out of its gas or cannot pay for it is refused here rather than mined as a failure.
    const simulated: TransactionRequest = {
      from: tx.from,
      to: tx.to,
      data: tx.data,
      value: tx.value,
      nonce: tx.nonce,
      gasLimit: tx.gasLimit,
      chainId: tx.chainId,
      type: tx.type,
      ...(tx.type === 2
        ? { maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas }
        : { gasPrice: tx.gasPrice }),
      ...(tx.type !== 0 ? { accessList: tx.accessList } : {}),
      blockTag: "pending",
    };
    try {
      await this.#chain.provider.call(simulated);
    } catch (error) {
      throw await this.#simulationProblem(error, simulated, other?.iface);
    }
    try {
      const sent = await this.#chain.provider.broadcastTransaction(raw);
      return { hash: sent.hash, function: parsed.name };
    } catch (error) {
      if (isTransientError(error)) throw error;
      throw new HttpProblem(409, "TX_REFUSED", "Transaction refused by the node", shortReason(error));
    }
  }

  /** Status of a transaction the relay (or anyone) sent. */
  async status(hash: string) {
    const receipt = await this.#chain.provider.getTransactionReceipt(hash);
    if (receipt) {
      return {
        hash,
        status: receipt.status === 1 ? ("mined" as const) : ("reverted" as const),
        blockNumber: receipt.blockNumber,
        gasUsed: receipt.gasUsed.toString(),
      };
    }
    const pending = await this.#chain.provider.getTransaction(hash);
    return { hash, status: pending ? ("pending" as const) : ("unknown" as const), blockNumber: null, gasUsed: null };
  }

  /**
   * A failed simulation: the registry's decoded revert; a revert without data that the same call without its
   * gas limit does not make is the limit being too low; else the node's reason (e.g. the fee is unpayable).
   */
  async #simulationProblem(error: unknown, simulated: TransactionRequest, iface?: Interface): Promise<unknown> {
    if (isTransientError(error)) return error;
    const revert = decodeRevert(error, iface);
    if (revert && revert.name !== "UnknownRevert") return this.#revertProblem(error, iface);
    const needs = await this.#chain.provider.estimateGas({ ...simulated, gasLimit: null }).catch(() => undefined);
    if (needs !== undefined && needs > BigInt(simulated.gasLimit!)) {
      return new HttpProblem(
        409,
        "TX_REFUSED",
        "Transaction refused by the node",
        `the signed gas limit ${simulated.gasLimit} is too low (it needs about ${needs}): sign it again with the gasLimit the API built`,
      );
    }
    if (revert) return this.#revertProblem(error, iface);
    return new HttpProblem(
      409,
      "TX_REFUSED",
      "Transaction refused by the node",
      `the simulation of the signed transaction failed: ${shortReason(error)}`,
    );
  }

  #revertProblem(error: unknown, iface?: Interface): unknown {
    const revert = decodeRevert(error, iface);
    if (!revert) return error;
    // The detail is the sentence for people; the raw error stays in `revert` for programs.
    return new HttpProblem(422, "WOULD_REVERT", "The registry would refuse this transaction", revert.sentence, {
      extra: { revert: { name: revert.name, args: revert.args, message: revert.message } },
    });
  }
}

/** The gas cap of a call to another contract: its function's cap plus the bytes it carries (a signature). */
function targetGasCap(target: RelayTarget, name: string, data: string): bigint | undefined {
  const base = target.caps[name];
  if (base === undefined) return undefined;
  // Calldata beyond the fixed words (a signature, a request): counted like the registry's texts.
  const cap = base + BigInt(Math.max(0, (data.length - 2) / 2 - 4 - 32 * 20)) * TEXT_GAS_PER_BYTE;
  return cap < MAX_RELAY_GAS ? cap : MAX_RELAY_GAS;
}

/** A revert decoded with the registry's errors, else with `iface`'s (the market's errors, a token's). */
function decodeRevert(error: unknown, iface?: Interface): DecodedRevert | undefined {
  const revert = decodeRegistryError(error);
  if (!iface || !revert || revert.name !== "UnknownRevert" || revert.data === "0x") return revert;
  let parsed: ErrorDescription | null = null;
  try {
    parsed = iface.parseError(revert.data);
  } catch {
    parsed = null;
  }
  if (!parsed) return revert;
  const args: Record<string, string> = {};
  parsed.fragment.inputs.forEach((input, i) => (args[input.name || String(i)] = String(parsed.args[i])));
  const list = Object.entries(args)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  const message = `${parsed.name}(${list})`;
  return { name: parsed.name, args, message, data: revert.data, sentence: `the contract refuses: ${message}` };
}

/** The node's reason in one line (ethers puts it first), without the request echoed after it. */
function shortReason(error: unknown): string {
  const e = error as { shortMessage?: unknown; message?: unknown };
  const text =
    typeof e?.shortMessage === "string" ? e.shortMessage : typeof e?.message === "string" ? e.message : "refused";
  return text.split("\n")[0]!.slice(0, 300);
}
