/**
 * The API never holds users' keys: it builds the unsigned transaction a wallet signs (simulated first, so a
 * call that would revert is refused with the registry's decoded error), and relays a signed transaction after
 * checking it is a registry call by the signed-in account.
 */
import { getAddress, Transaction, type Interface } from "ethers";

import type { ChainClient } from "../../../core/chain/client.ts";
import { decodeRegistryError, isTransientError } from "../../../core/chain/errors.ts";
import type { UnsignedTx } from "../../../sdk/src/api-client.ts";
import { HttpProblem } from "../problem.ts";

/**
 * Registry functions the relay forwards: everything a participant, operator, challenger or admin signs (the admin
 * handover, `beginDefaultAdminTransfer` / `acceptDefaultAdminTransfer`, is signed and sent by the admins directly).
 */
const RELAYABLE = new Set([
  "safeTransferFrom",
  "safeBatchTransferFrom",
  "setApprovalForAll",
  "retire",
  "replaceRetirement",
  "challengeDuplicateDevice",
  "challengeTreeSize",
  "challengeIndexReuse",
  "admitParticipant",
  "renameParticipant",
  "suspendParticipant",
  "reinstateParticipant",
  "registerAuditorBody",
  "renameAuditorBody",
  "setAccreditation",
  "revokeAccreditation",
  "setAuditorThreshold",
  "grantRole",
  "revokeRole",
  "suspendBatch",
  "reinstateBatch",
  "reverseBatch",
  "settleChallenge",
  "registerMethodology",
  "setMethodologyActive",
]);

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
    if (!tx.to || getAddress(tx.to) !== getAddress(this.#chain.address)) {
      throw new HttpProblem(
        422,
        "TX_NOT_REGISTRY",
        "Not a registry transaction",
        `the relay only forwards calls to the registry ${this.#chain.address}`,
      );
    }
    const parsed = this.#chain.registry.interface.parseTransaction({ data: tx.data });
    if (!parsed || !RELAYABLE.has(parsed.name)) {
      throw new HttpProblem(
        422,
        "TX_FUNCTION_NOT_ALLOWED",
        "Function not relayed",
        `the relay does not forward ${parsed?.name ?? "this call"}`,
      );
    }
    try {
      await this.#chain.provider.call({ from: tx.from, to: tx.to, data: tx.data });
    } catch (error) {
      throw this.#revertProblem(error);
    }
    try {
      const sent = await this.#chain.provider.broadcastTransaction(raw);
      return { hash: sent.hash, function: parsed.name };
    } catch (error) {
      if (isTransientError(error)) throw error;
      throw new HttpProblem(
        409,
        "TX_REFUSED",
        "Transaction refused by the node",
        (error as Error).message.split("\n")[0] ?? "refused",
      );
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

  #revertProblem(error: unknown): unknown {
    const revert = decodeRegistryError(error);
    if (!revert) return error;
    // The detail is the sentence for people; the raw error stays in `revert` for programs.
    return new HttpProblem(422, "WOULD_REVERT", "The registry would refuse this transaction", revert.sentence, {
      extra: { revert: { name: revert.name, args: revert.args, message: revert.message } },
    });
  }
}
