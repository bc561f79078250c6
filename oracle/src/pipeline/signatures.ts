/**
 * Auditor signatures and rejections: an auditor's EIP-712 signature over a batch's attestation is checked
 * off-chain (accreditation for the batch's category now, deadline, ECDSA or ERC-1271) before it counts, and
 * signatures of enough distinct auditing bodies make the batch `ready`; an auditor may instead reject the batch,
 * with a signed reason.
 */
import { recoverAddress, TypedDataEncoder } from "ethers";

import { REJECTION_TYPES } from "../../../sdk/src/attestation.ts";
import { CATEGORY_CODES, type Category } from "../../../sdk/src/enums.ts";
import { isoTime } from "../../../sdk/src/time.ts";
import { OracleError } from "../../../core/errors.ts";
import type { BatchRow } from "../store/rows.ts";
import type { BatchState } from "../store/transitions.ts";
import { accreditationClock, auditorStanding, countedBodies, type AuditorStanding } from "./accreditation.ts";
import type { OracleContext } from "./context.ts";
import { sampleNotReady } from "./sample-binding.ts";

/**
 * Longest auditor signature accepted, in bytes. An EOA's is 65 bytes (64 in EIP-2098 compact form); an ERC-1271
 * contract wallet's may be longer (e.g. a Safe's: 65 bytes per owner plus any contract-owner data), so the bound is
 * generous — 2,048 bytes, ~30 ECDSA owners — yet keeps an unauthenticated caller from having the oracle store
 * or forward to the chain arbitrarily large blobs.
 */
export const MAX_SIGNATURE_BYTES = 2048;

const SIGNABLE: readonly BatchState[] = ["awaiting_signatures", "ready"];

/** Takes auditors' signatures and rejections of batches. */
export class AuditorSignatures {
  readonly #ctx: OracleContext;

  constructor(ctx: OracleContext) {
    this.#ctx = ctx;
  }

  /**
   * Accepts an auditor's EIP-712 signature after checking it off-chain: the signer is accredited now for the
   * batch's device category (accreditation.ts), the attestation is unexpired and not yet used, and the signature
   * verifies (ECDSA, or ERC-1271 for a contract wallet). Signatures are at most MAX_SIGNATURE_BYTES. The batch is
   * ready once the signatures that count come from `auditorThreshold()` distinct auditing bodies.
   *
   * The route takes no login (a signature authenticates itself), so a refusal is recorded as the named auditor's
   * only when the signature verifies for that auditor (e.g. an expired attestation, or a signer not accredited).
   * One that does not verify — garbage, another key's, or a signature over other figures, which recovers to an
   * unrelated address — proves nothing about who sent it: it is kept apart as unattributed, never in the
   * auditor's name. Malformed or oversized input is refused without being stored.
   *
   * The final checks (still signable, same attestation, not signed yet) are repeated inside the write
   * transaction, so concurrent identical submissions get one acceptance and ALREADY_SIGNED for the others.
   */
  async add(batchId: string, auditorInput: string, signature: string): Promise<BatchRow> {
    const auditor = this.#ctx.address(auditorInput, "auditor");
    const row = await this.#ctx.batch(batchId);
    // Whose signatures count for the batch's attestation, so a refusal can tell an auditor who retries whether
    // theirs is among them (public anyway: `GET /batches/:id` lists them).
    const signers = async (digest: string) =>
      (await this.#ctx.store.acceptedSignatures(batchId, digest)).map((x) => x.auditor);
    const counted = async (b: BatchRow): Promise<string[]> => (b.digest ? signers(b.digest) : []);
    const takesNone = async (b: BatchRow) => {
      const list = await counted(b);
      const mine = list.includes(auditor);
      return new OracleError(
        "BATCH_STATE",
        `batch ${batchId} is ${b.state}: it takes no signatures; ${auditor}'s signature is ` +
          `${mine ? "" : "not "}among the ${list.length} counted`,
        { state: b.state, batchId, auditor, counted: list, auditorCounted: mine },
      );
    };
    if (!SIGNABLE.includes(row.state) || !row.digest || !row.deadline) throw await takesNone(row);
    const notReady = await sampleNotReady(this.#ctx, batchId);
    if (notReady) throw notReady;
    const digest = row.digest;
    const alreadySigned = async () =>
      new OracleError("ALREADY_SIGNED", `${auditor} already signed batch ${batchId}`, {
        batchId,
        auditor,
        counted: await signers(digest),
        auditorCounted: true,
      });
    if ((await signers(digest)).includes(auditor)) throw await alreadySigned();
    const refuse = async (
      code: "SIGNATURE_INVALID" | "SIGNER_NOT_AUDITOR" | "ATTESTATION_EXPIRED",
      reason: string,
      attribution: "auditor" | "unattributed" | "not stored",
    ) => {
      if (attribution === "auditor") {
        await this.#ctx.store.addSignature({
          batch_id: batchId,
          digest,
          auditor,
          signature,
          status: "refused",
          reason,
        });
      } else if (attribution === "unattributed") {
        await this.#ctx.store.addUnattributedSignature({
          batch_id: batchId,
          digest,
          claimed_auditor: auditor,
          signature,
          reason,
        });
      }
      this.#ctx.counters.signaturesRefused += 1;
      if (attribution !== "auditor") this.#ctx.counters.signaturesUnattributed += 1;
      (await this.#ctx.batchLog(row)).warn({ claimedAuditor: auditor, code, reason, attribution }, "signature refused");
      return new OracleError(code, reason, { batchId, auditor });
    };
    const malformed = signatureProblem(signature);
    if (malformed) throw await refuse("SIGNATURE_INVALID", malformed, "not stored");
    const verified = await this.#ctx.chainCall(() => this.#verifies(auditor, digest, signature));
    if (this.#ctx.nowSec() >= row.deadline) {
      throw await refuse(
        "ATTESTATION_EXPIRED",
        `the attestation of batch ${batchId} expired at ${isoTime(row.deadline)}`,
        verified ? "auditor" : "unattributed",
      );
    }
    if (!verified) {
      throw await refuse(
        "SIGNATURE_INVALID",
        `the signature does not verify for ${auditor} over digest ${digest}`,
        "unattributed",
      );
    }
    const category = categoryCode(row.category);
    const standing = await this.#standing(auditor, category);
    if (!standing.counts) throw await refuse("SIGNER_NOT_AUDITOR", standing.reason, "auditor");
    const threshold = await this.#ctx.chainCall(() => this.#ctx.chain.auditorThreshold());
    // The bodies of those already counted, read now: accreditations may have changed since they signed (posting
    // checks them all once more).
    const others = await Promise.all(
      (await signers(digest)).filter((a) => a !== auditor).map((a) => this.#standing(a, category)),
    );
    const updated = await this.#ctx.store.tx(async () => {
      // Re-checked in the write transaction: the awaits above let other requests (or the worker) run. The batch's
      // row lock makes concurrent signatures of one batch (two API instances on one PostgreSQL) take turns, so the
      // second sees the first and answers ALREADY_SIGNED.
      await this.#ctx.store.lockBatch(batchId);
      const current = (await this.#ctx.store.batch(batchId))!;
      if (!SIGNABLE.includes(current.state) || current.digest !== digest) {
        if (!SIGNABLE.includes(current.state)) throw await takesNone(current);
        throw new OracleError(
          "BATCH_STATE",
          `the attestation of batch ${batchId} was renewed while the signature was checked; sign the new one`,
          { state: current.state, batchId, auditor, counted: await counted(current), auditorCounted: false },
        );
      }
      if ((await signers(digest)).includes(auditor)) throw await alreadySigned();
      await this.#ctx.store.addSignature({
        batch_id: batchId,
        digest,
        auditor,
        signature,
        status: "accepted",
        reason: null,
      });
      const accepted = await signers(digest);
      // One accepted meanwhile (its standing unread) is counted as its own body: posting re-checks them all.
      const standings = accepted.map((a, i): AuditorStanding =>
        a === auditor
          ? standing
          : (others.find((o) => o.auditor === a) ?? { auditor: a, counts: true, bodyId: -1 - i }),
      );
      const bodies = countedBodies(standings);
      if (bodies >= threshold && current.state === "awaiting_signatures") {
        return this.#ctx.store.transition(
          batchId,
          "ready",
          `${bodies} of ${threshold} auditing bodies (${accepted.length} auditor signatures)`,
          {},
          "awaiting_signatures",
        );
      }
      return current;
    });
    this.#ctx.counters.signaturesAccepted += 1;
    (await this.#ctx.batchLog(row)).info({ auditor, state: updated.state }, "signature accepted");
    return updated;
  }

  /** An auditor refuses to attest, with a reason, signed as EIP-712 `Rejection` over the attestation digest. */
  async reject(batchId: string, auditorInput: string, reason: string, signature: string): Promise<BatchRow> {
    const auditor = this.#ctx.address(auditorInput, "auditor");
    const row = await this.#ctx.batch(batchId);
    if (!SIGNABLE.includes(row.state) || !row.digest) {
      throw new OracleError("BATCH_STATE", `batch ${batchId} is ${row.state}: it cannot be rejected`, {
        state: row.state,
      });
    }
    const text = reason.trim();
    if (text.length === 0 || text.length > 1000) {
      throw new OracleError("SIGNATURE_INVALID", "a rejection needs a reason of 1 to 1000 characters");
    }
    const malformed = signatureProblem(signature);
    if (malformed) throw new OracleError("SIGNATURE_INVALID", malformed);
    const digest = TypedDataEncoder.hash(this.#ctx.chain.domain(), REJECTION_TYPES, {
      attestationDigest: row.digest,
      reason: text,
    });
    if (!(await this.#ctx.chainCall(() => this.#verifies(auditor, digest, signature)))) {
      throw new OracleError("SIGNATURE_INVALID", `the rejection is not signed by ${auditor}`);
    }
    const standing = await this.#standing(auditor, categoryCode(row.category));
    if (!standing.counts) throw new OracleError("SIGNER_NOT_AUDITOR", standing.reason);
    const updated = await this.#ctx.store.tx(async () => {
      await this.#ctx.store.lockBatch(batchId);
      const current = (await this.#ctx.store.batch(batchId))!;
      if (!SIGNABLE.includes(current.state) || current.digest !== row.digest) {
        throw new OracleError("BATCH_STATE", `batch ${batchId} is ${current.state}: it cannot be rejected`, {
          state: current.state,
        });
      }
      return this.#ctx.store.transition(batchId, "rejected", `rejected by ${auditor}: ${text}`, { reason: text });
    });
    (await this.#ctx.batchLog(row)).warn({ auditor, reason: text }, "batch rejected by auditor");
    return updated;
  }

  /** Whether `auditor` counts for a batch of `category` now (chain time; checked again, with a margin, to post). */
  async #standing(auditor: string, category: number): Promise<AuditorStanding> {
    return this.#ctx.chainCall(async () => {
      const clock = await accreditationClock(this.#ctx.chain);
      return auditorStanding(this.#ctx.chain, auditor, category, { now: clock.now, margin: 0n });
    });
  }

  async #verifies(auditor: string, digest: string, signature: string): Promise<boolean> {
    try {
      if (recoverAddress(digest, signature) === auditor) return true;
    } catch {
      // Not a 65-byte ECDSA signature: may still be a contract wallet's.
    }
    if (!(await this.#ctx.chain.hasCode(auditor))) return false;
    return this.#ctx.chain.isValidErc1271Signature(auditor, digest, signature);
  }
}

/** The on-chain code of a batch job's category name (e.g. "laptop" → 1). */
function categoryCode(category: string): number {
  const code = CATEGORY_CODES[category as Category];
  if (code === undefined) throw new Error(`batch job of unknown category "${category}"`);
  return code;
}

/** Why `signature` cannot be an auditor's signature at all (not hex bytes, empty, or over MAX_SIGNATURE_BYTES). */
function signatureProblem(signature: string): string | null {
  if (typeof signature !== "string") return "the signature is not a string of hex bytes";
  if (signature.length > 2 + 2 * MAX_SIGNATURE_BYTES) {
    return (
      `the signature is longer than ${MAX_SIGNATURE_BYTES} bytes (an EOA's is 65; a contract wallet's ERC-1271 ` +
      `signature may be longer, up to ${MAX_SIGNATURE_BYTES})`
    );
  }
  if (!/^0x(?:[0-9a-fA-F]{2})+$/.test(signature)) return "the signature is not 0x-prefixed hex bytes";
  return null;
}
