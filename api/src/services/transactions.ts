/**
 * The API never holds users' keys: it builds the unsigned transaction a wallet signs (simulated first, so a
 * call that would revert is refused with the registry's decoded error), and relays a signed transaction only when
 * it will mine as signed: a registry call by the signed-in account (whose standing the route checks), of a
 * function the relay forwards (relay-gas.ts: everything a participant, operator, challenger or admin signs; the
 * admin handover is sent by the admins directly), carrying no ether, within the function's gas cap, with the
 * account's next nonce, and simulated with every field it was signed with.
 */
import { getAddress, Transaction, type Interface, type TransactionRequest } from "ethers";

import type { ChainClient } from "../../../core/chain/client.ts";
import { decodeRegistryError, isTransientError } from "../../../core/chain/errors.ts";
import type { UnsignedTx } from "../../../sdk/src/api-client.ts";
import { HttpProblem } from "../problem.ts";
import { relayGasCap } from "./relay-gas.ts";

/** The transaction types the relay forwards: legacy, EIP-2930 and EIP-1559 (no blobs, no EIP-7702 delegations). */
const RELAYED_TYPES = new Set([0, 1, 2]);

export class TransactionService {
  readonly #chain: ChainClient;

  constructor(chain: ChainClient) {
    this.#chain = chain;
  }

  /** Encodes `fn(args)` from `from`, simulates it (422 with the decoded revert) and estimates gas. */
  async build(from: string, fn: string, args: readonly unknown[], description: string): Promise<UnsignedTx> {
    const data = (this.#chain.registry.interface as Interface).encodeFunctionData(fn, args);
    let gas: bigint;
    try {
      gas = await this.#chain.provider.estimateGas({ from, to: this.#chain.address, data });
    } catch (error) {
      throw this.#revertProblem(error);
    }
    return {
      from,
      to: this.#chain.address,
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
    if (!tx.to || getAddress(tx.to) !== getAddress(this.#chain.address)) {
      throw new HttpProblem(
        422,
        "TX_NOT_REGISTRY",
        "Not a registry transaction",
        `the relay only forwards calls to the registry ${this.#chain.address}`,
      );
    }
    const parsed = this.#chain.registry.interface.parseTransaction({ data: tx.data });
    const cap = parsed ? relayGasCap(parsed.fragment, parsed.args) : undefined;
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
      throw await this.#simulationProblem(error, simulated);
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
  async #simulationProblem(error: unknown, simulated: TransactionRequest): Promise<unknown> {
    if (isTransientError(error)) return error;
    const revert = decodeRegistryError(error);
    if (revert && revert.name !== "UnknownRevert") return this.#revertProblem(error);
    const needs = await this.#chain.provider.estimateGas({ ...simulated, gasLimit: null }).catch(() => undefined);
    if (needs !== undefined && needs > BigInt(simulated.gasLimit!)) {
      return new HttpProblem(
        409,
        "TX_REFUSED",
        "Transaction refused by the node",
        `the signed gas limit ${simulated.gasLimit} is too low (it needs about ${needs}): sign it again with the gasLimit the API built`,
      );
    }
    if (revert) return this.#revertProblem(error);
    return new HttpProblem(
      409,
      "TX_REFUSED",
      "Transaction refused by the node",
      `the simulation of the signed transaction failed: ${shortReason(error)}`,
    );
  }

  #revertProblem(error: unknown): unknown {
    const revert = decodeRegistryError(error);
    if (!revert) return error;
    // The detail is the sentence for people; the raw error stays in `revert` for programs.
    return new HttpProblem(422, "WOULD_REVERT", "The registry would refuse this transaction", revert.sentence, {
      extra: { revert: { name: revert.name, args: revert.args, message: revert.message } },
    });
  }
}

/** The node's reason in one line (ethers puts it first), without the request echoed after it. */
function shortReason(error: unknown): string {
  const e = error as { shortMessage?: unknown; message?: unknown };
  const text =
    typeof e?.shortMessage === "string" ? e.shortMessage : typeof e?.message === "string" ? e.message : "refused";
  return text.split("\n")[0]!.slice(0, 300);
}
