/**
 * Issuance: posting a ready batch's `issue` transaction and reconciling it with the chain until it is confirmed.
 * Before posting, every signature is checked once more as the registry will check it (accreditation.ts): one
 * that no longer counts is dropped, and a batch short of distinct auditing bodies goes back to await signatures
 * — the oracle never posts an issuance the registry would refuse for its auditors.
 *
 * A chain transaction is signed and persisted *before* it is broadcast, so after a crash the same bytes (same
 * nonce, same hash) are found and reconciled, never sent twice. The contract's (reportHash, category) uniqueness
 * is the last line of defence: "already issued" counts as success once the on-chain batch is checked to be this
 * one. A revert is recorded with its decoded error and never retried blindly.
 *
 * Fencing (lease.ts): the write that stores the signed transaction and every write that records a send are
 * conditional on this worker's lease epoch, and a send happens only for stored bytes while the lease has at least
 * `broadcastMarginMs` left. A worker that lost its lease therefore never sends anything its successor does not
 * already have in the store.
 */
import { keccak256, type TransactionReceipt } from "ethers";

import { sortSignatures, type Attestation, type AuditorSignature } from "../../../sdk/src/attestation.ts";
import { firstLine } from "../../../sdk/src/errors.ts";
import { OracleError } from "../../../core/errors.ts";
import { ChainError, isTransientError, type DecodedRevert } from "../../../core/chain/errors.ts";
import type { ChainClient } from "../../../core/chain/client.ts";
import type { JobStore } from "../store/jobs.ts";
import type { BatchRow, SignatureRow } from "../store/rows.ts";
import { StaleStateError } from "../store/transitions.ts";
import { accreditationClock, auditorStanding, countedBodies } from "./accreditation.ts";
import { storedAttestation } from "./attestations.ts";
import { reportKeccak } from "./report-hash.ts";
import type { OracleContext } from "./context.ts";
import type { WorkerLease } from "./lease.ts";

/** Posts ready batches and reconciles posted ones (worker steps, run under the worker lease). */
export class Issuance {
  readonly #ctx: OracleContext;
  readonly #store: JobStore;
  readonly #chain: ChainClient;
  readonly #lease: WorkerLease;

  constructor(ctx: OracleContext, lease: WorkerLease) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    this.#chain = ctx.chain;
    this.#lease = lease;
  }

  /** A ready batch: checks report and auditors once more, then signs, stores and broadcasts its transaction. */
  async post(b: BatchRow): Promise<void> {
    await this.#ctx.faults("before_post", { batch: b.id });
    const lot = await this.#store.lotReport(b.lot_id);
    if (!lot) throw new OracleError("NOT_FOUND", `no lot ${b.lot_id}`);
    const a = storedAttestation(b);
    // The report must still be the one the auditors reviewed (hashed off this thread when large: report-hash.ts).
    const storedHash = lot.report?.byteLength ? await reportKeccak(lot.report) : null;
    if (storedHash !== a.reportHash || lot.report_hash !== a.reportHash) {
      await this.#lease.commit(b, () =>
        this.#store.transition(b.id, "failed", "REPORT_HASH_MISMATCH", {
          error: `REPORT_HASH_MISMATCH: the stored report hashes to ${storedHash ?? "nothing"}, the attestation says ${a.reportHash}`,
        }),
      );
      (await this.#ctx.batchLog(b)).error({ storedHash, attested: a.reportHash }, "report tampered; batch failed");
      return;
    }
    // Each auditor must still count when the transaction is mined: accredited for the category, within its window
    // (with a margin for the block to come). One that no longer does (revoked, expired, rescoped) is dropped.
    const clock = await accreditationClock(this.#chain);
    const accepted = await this.#store.acceptedSignatures(b.id, b.digest!);
    const standings = await Promise.all(
      accepted.map((s) => auditorStanding(this.#chain, s.auditor, a.category, clock)),
    );
    const signatures: AuditorSignature[] = [];
    const dropped: { row: SignatureRow; reason: string }[] = [];
    accepted.forEach((s, i) => {
      const standing = standings[i]!;
      if (standing.counts) signatures.push({ auditor: s.auditor, signature: s.signature });
      else dropped.push({ row: s, reason: standing.reason });
    });
    const bodies = countedBodies(standings);
    const threshold = await this.#chain.auditorThreshold();
    const short = bodies < threshold;
    if (dropped.length > 0 || short) {
      await this.#lease.commit(b, async () => {
        for (const d of dropped) {
          await this.#store.dropSignature(d.row.id, `no longer counts before posting: ${d.reason}`);
        }
        if (!short) return; // the others still suffice: post with them
        await this.#store.transition(
          b.id,
          "awaiting_signatures",
          `${signatures.length} valid signature(s) from ${bodies} auditing body(ies); ${threshold} bodies needed` +
            (dropped.length ? `; dropped ${dropped.map((d) => d.reason).join("; ")}` : ""),
        );
      });
      const log = await this.#ctx.batchLog(b);
      log.warn({ dropped: dropped.map((d) => d.row.auditor), bodies, threshold }, "signatures dropped before posting");
      if (short) return;
    }

    const data = this.#chain.registry.interface.encodeFunctionData("issue", [a, sortSignatures(signatures)]);
    const from = await this.#ctx.signer.getAddress();
    let gasLimit: bigint;
    try {
      gasLimit = await this.#chain.provider.estimateGas({ from, to: this.#chain.address, data });
    } catch (error) {
      const revert = this.#chain.decodeError(error);
      if (!revert) throw error;
      await this.#onRevert(b, a, revert);
      return;
    }
    const nonce = Math.max(
      await this.#chain.provider.getTransactionCount(from, "pending"),
      (await this.#store.maxNonce()) + 1,
    );
    const raw = await this.#ctx.signer.signTransaction({
      to: this.#chain.address,
      data,
      nonce,
      gasLimit: (gasLimit * 12n) / 10n,
      chainId: this.#chain.chainId,
      ...(await this.#chain.feeFields()),
    });
    const hash = keccak256(raw);
    // The claim: ready → posted only if this worker still holds the lease at its epoch (the fence), the batch is
    // still ready with the attestation it signed, and the nonce is still free — else nothing is stored and the
    // signed bytes are dropped, never sent.
    await this.#lease.commit(b, async () => {
      const used = await this.#store.maxNonce();
      if (used >= nonce) {
        throw new StaleStateError(`nonce ${nonce} was taken by another stored transaction (up to ${used}) meanwhile`);
      }
      await this.#store.insertTx({ hash, batch_id: b.id, nonce, raw });
      await this.#store.transition(
        b.id,
        "posted",
        `issue tx ${hash} (nonce ${nonce})`,
        { attempts: 0, next_attempt_at: 0 },
        "ready",
      );
    });
    await this.#ctx.faults("after_tx_persisted", { batch: b.id, hash });
    const posted = { ...b, state: "posted" as const };
    if (!(await this.#broadcast(posted, hash, raw))) return;
    this.#ctx.counters.transactionsSent += 1;
    await this.#ctx.faults("after_broadcast", { batch: b.id, hash });
    (await this.#ctx.batchLog(b)).info({ hash, nonce }, "issue transaction sent");
  }

  /**
   * Sends stored bytes, only while this worker's lease has `broadcastMarginMs` left (lease.ts); records the send
   * under the fence. Returns whether the bytes went on the wire. Withheld bytes stay stored as `signed`: the next
   * reconciliation (this worker's, or its successor's) sends exactly them.
   */
  async #broadcast(b: BatchRow, hash: string, raw: string): Promise<boolean> {
    if (!this.#lease.mayBroadcast()) {
      (await this.#ctx.batchLog(b)).warn(
        { hash, marginMs: this.#ctx.config.broadcastMarginMs },
        "worker lease too close to expiry: transaction stored, not sent (reconciliation sends it)",
      );
      return false;
    }
    try {
      await this.#chain.provider.broadcastTransaction(raw);
    } catch (error) {
      if (isTransientError(error)) throw error;
      // "already known", "nonce too low", a replacement error…: reconciliation decides from the chain's state.
      (await this.#ctx.batchLog(b)).warn({ hash, err: firstLine(error) }, "broadcast refused; will reconcile");
      return true;
    }
    await this.#lease.commit(b, () => this.#store.setTxStatus(hash, "broadcast"));
    return true;
  }

  /** A posted batch: follows its transaction to confirmation, re-broadcasts or re-posts as the chain says. */
  async reconcile(b: BatchRow): Promise<void> {
    const tx = (await this.#store.txsOfBatch(b.id)).filter((t) => t.status !== "replaced").at(-1);
    if (!tx) {
      await this.#lease.commit(b, () => this.#store.transition(b.id, "ready", "no transaction recorded; re-posting"));
      return;
    }
    const receipt = await this.#chain.provider.getTransactionReceipt(tx.hash);
    if (!receipt) {
      const known = await this.#chain.provider.getTransaction(tx.hash);
      if (known) return; // pending in the node: wait
      // Unknown to the node: was the nonce used by something else, or did the batch get issued anyway?
      const attested = storedAttestation(b);
      const issued = await this.#chain.registry.batchOfReport(attested.reportHash, attested.category);
      if (issued !== 0n) {
        await this.#alreadyIssued(b, attested, issued);
        return;
      }
      const from = await this.#ctx.signer.getAddress();
      const mined = await this.#chain.provider.getTransactionCount(from, "latest");
      if (mined > tx.nonce) {
        // Our nonce was consumed by another transaction: this one can never be mined. Sign anew.
        await this.#lease.commit(b, async () => {
          await this.#store.setTxStatus(tx.hash, "replaced", null, "nonce consumed by another transaction");
          await this.#store.transition(b.id, "ready", `tx ${tx.hash} replaced (nonce ${tx.nonce} used); re-posting`);
        });
        return;
      }
      // Sent only while this worker still holds the lease at its epoch (checked in the store, fenced) and has the
      // margin left: a worker that lost the lease re-sends nothing.
      await this.#lease.commit(b, () => Promise.resolve());
      if (!(await this.#broadcast(b, tx.hash, tx.raw))) return;
      this.#ctx.counters.transactionsRebroadcast += 1;
      (await this.#ctx.batchLog(b)).info({ hash: tx.hash }, "transaction re-broadcast (same bytes)");
      return;
    }
    await this.#ctx.faults("after_receipt", { batch: b.id, hash: tx.hash });
    if (receipt.status !== 1) {
      const a = storedAttestation(b);
      const revert = await this.#replayRevert(receipt);
      await this.#lease.commit(b, () =>
        this.#store.setTxStatus(tx.hash, "reverted", receipt.blockNumber, revert?.message ?? "reverted"),
      );
      await this.#onRevert(
        b,
        a,
        revert ?? {
          name: "UnknownRevert",
          args: {},
          message: "reverted",
          sentence: "the registry refused the transaction without a reason",
          data: "0x",
        },
      );
      return;
    }
    const latest = await this.#chain.provider.getBlockNumber();
    if (latest - receipt.blockNumber + 1 < this.#ctx.config.confirmations) return;
    const tokenId = this.#tokenIdFromReceipt(receipt);
    await this.#lease.commit(b, async () => {
      await this.#store.setTxStatus(tx.hash, "mined", receipt.blockNumber);
      await this.#store.transition(b.id, "confirmed", `minted as batch #${tokenId} in block ${receipt.blockNumber}`, {
        token_id: tokenId.toString(),
        error: null,
      });
    });
    this.#ctx.counters.batchesConfirmed += 1;
    (await this.#ctx.batchLog(b)).info({ tokenId: tokenId.toString(), block: receipt.blockNumber }, "batch confirmed");
  }

  #tokenIdFromReceipt(receipt: TransactionReceipt): bigint {
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== this.#chain.address.toLowerCase()) continue;
      const parsed = this.#chain.registry.interface.parseLog(log);
      if (parsed?.name === "BatchIssued") return parsed.args[0] as bigint;
    }
    throw new ChainError("NO_BATCH_EVENT", `receipt ${receipt.hash} has no BatchIssued event`);
  }

  /** Why a mined transaction reverted: replays it as a call on the state it ran against. */
  async #replayRevert(receipt: TransactionReceipt): Promise<DecodedRevert | undefined> {
    const tx = await this.#chain.provider.getTransaction(receipt.hash);
    if (!tx) return undefined;
    try {
      await this.#chain.provider.call({
        from: tx.from,
        to: tx.to,
        data: tx.data,
        blockTag: receipt.blockNumber - 1,
      });
      return undefined;
    } catch (error) {
      return this.#chain.decodeError(error);
    }
  }

  /** A revert is recorded with its decoded error and never retried blindly; "already issued" is checked. */
  async #onRevert(b: BatchRow, a: Attestation, revert: DecodedRevert): Promise<void> {
    this.#ctx.counters.reverts += 1;
    if (revert.name === "ITECReportAlreadyIssued") {
      await this.#alreadyIssued(b, a, BigInt(revert.args.batchId ?? "0"));
      return;
    }
    await this.#lease.commit(b, () => this.#store.transition(b.id, "failed", revert.name, { error: revert.message }));
    (await this.#ctx.batchLog(b)).error({ revert: revert.message }, "issue reverted; batch failed");
  }

  /** The contract says this report's batch exists: success only if it is the same batch (figures and devices). */
  async #alreadyIssued(b: BatchRow, a: Attestation, tokenId: bigint): Promise<void> {
    const onChain = await this.#chain.registry.batch(tokenId);
    const rootBatch = await this.#chain.registry.batchOfDeviceRoot(a.deviceRoot);
    const same =
      rootBatch === tokenId &&
      Number(onChain.category) === a.category &&
      onChain.issued === a.certificates &&
      onChain.baselineGrams === a.baselineGrams &&
      onChain.reductionGrams === a.reductionGrams;
    await this.#lease.commit(b, async () => {
      for (const t of await this.#store.txsOfBatch(b.id))
        if (t.status === "signed" || t.status === "broadcast") {
          await this.#store.setTxStatus(t.hash, "replaced", null, "batch found already issued");
        }
      if (same) {
        await this.#store.transition(
          b.id,
          "confirmed",
          `already issued on-chain as batch #${tokenId}; verified same batch`,
          {
            token_id: tokenId.toString(),
            error: null,
          },
        );
      } else {
        await this.#store.transition(b.id, "failed", "REPORT_ALREADY_ISSUED_DIFFERENT", {
          error: `the report's ${b.category} batch is on-chain as #${tokenId} with different figures or devices`,
        });
      }
    });
    if (same) this.#ctx.counters.batchesConfirmed += 1;
    const log = await this.#ctx.batchLog(b);
    log[same ? "info" : "error"]({ tokenId: tokenId.toString(), same }, "report already issued on-chain");
  }
}
