/**
 * A batch's attestation — the EIP-712 message its auditors sign and the oracle posts: built from the lot's
 * calculation, stored on the batch with its digest and deadline, and renewed (its signatures dropped) when it
 * comes close to expiring.
 */
import { ZeroHash } from "ethers";

import {
  attestationDigest,
  attestationFromJson,
  attestationToJson,
  type Attestation,
} from "../../../sdk/src/attestation.ts";
import { CATEGORY_CODES } from "../../../sdk/src/enums.ts";
import { isoTime } from "../../../sdk/src/time.ts";
import { METHOD_VERSION, PARAMS_VERSION } from "../../../core/calc/index.ts";
import type { BatchRow, LotRow } from "../store/rows.ts";
import type { LotBatch, LotFigures } from "./lot-calculation.ts";
import type { BatchState } from "../store/transitions.ts";
import type { OracleContext } from "./context.ts";
import type { WorkerLease } from "./lease.ts";

/** The attestation stored on batch `b` (only called for a batch that has one). */
export function storedAttestation(b: BatchRow): Attestation {
  return attestationFromJson(JSON.parse(b.attestation_json!) as Record<string, unknown>);
}

/** What the auditors of an issuable batch of `lot` sign: its figures, the report's hash, signable until TTL. */
export function attestationFor(
  ctx: OracleContext,
  lot: LotRow,
  result: LotFigures,
  b: LotBatch,
  nowSec: number,
): Attestation {
  return {
    owner: lot.refurbisher,
    category: CATEGORY_CODES[b.category],
    certificates: BigInt(b.certificates),
    baselineGrams: b.baselineGrams,
    reductionGrams: b.reductionGrams,
    vintageStart: BigInt(dayToUnix(b.vintageStart!)),
    vintageEnd: BigInt(dayToUnix(b.vintageEnd!)),
    methodology: METHOD_VERSION,
    parameters: PARAMS_VERSION,
    reportHash: result.reportHash,
    referenceDataHash: `0x${result.referenceSha256}`,
    deviceRoot: b.deviceRoot,
    // No sample record yet: the draw needs the block after the lot's submission (sample-binding.ts binds it).
    sampleHash: ZeroHash,
    evidenceURI: `${ctx.config.evidenceBaseUrl.replace(/\/$/, "")}/lots/${lot.id}/report`,
    deadline: BigInt(nowSec + ctx.config.attestationTtlSeconds),
  };
}

/** Stores `a` on the batch (with its digest and deadline) while moving it to `to`; its retry counts start over. */
export function setAttestation(
  ctx: OracleContext,
  batchId: string,
  a: Attestation,
  to: BatchState,
  note: string,
): Promise<unknown> {
  const digest = attestationDigest(ctx.chain.domain(), a);
  return ctx.store.transition(batchId, to, note, {
    attestation_json: JSON.stringify(attestationToJson(a)),
    digest,
    deadline: Number(a.deadline),
    attempts: 0,
    next_attempt_at: 0,
    error: null,
  });
}

/** A worker step: the batch's attestation, due to expire, is re-issued with a new deadline; auditors re-sign. */
export async function renewAttestation(ctx: OracleContext, lease: WorkerLease, b: BatchRow): Promise<void> {
  const a = storedAttestation(b);
  const renewed = { ...a, deadline: BigInt(ctx.nowSec() + ctx.config.attestationTtlSeconds) };
  await lease.commit(b, async () => {
    for (const s of await ctx.store.acceptedSignatures(b.id, b.digest!)) {
      await ctx.store.dropSignature(s.id, "attestation expired and was renewed");
    }
    await setAttestation(
      ctx,
      b.id,
      renewed,
      "awaiting_signatures",
      `attestation expired at ${isoTime(b.deadline!)}; renewed until ${isoTime(Number(renewed.deadline))}`,
    );
  });
  ctx.counters.attestationsRenewed += 1;
  (await ctx.batchLog(b)).warn(
    { deadline: isoTime(Number(renewed.deadline)) },
    "attestation renewed; auditors must re-sign",
  );
}

function dayToUnix(day: string): number {
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000);
}
