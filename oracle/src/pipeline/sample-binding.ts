/**
 * Binds a batch's audit sample record into its attestation (ADR 0055; core/audit/sample-record.ts): the outcomes
 * auditors record per sampled device make one record for the batch; once it is complete its keccak256 becomes the
 * attestation's `sampleHash`. Any change of the record — the last outcome recorded, or a later outcome replacing
 * one — rebuilds the attestation digest and drops the signatures over the old one: auditors sign the current
 * record, never a stale one.
 */
import { OracleError } from "../../../core/errors.ts";
import {
  attestedSampleHash,
  auditSampleRecord,
  sampleComplete,
  type AuditSampleRecord,
  type EvidenceOutcome,
} from "../../../core/audit/sample-record.ts";
import type { BatchState } from "../store/transitions.ts";
import type { JobStore } from "../store/jobs.ts";
import { setAttestation, storedAttestation } from "./attestations.ts";
import type { OracleContext } from "./context.ts";
import { storedSample } from "./sampling.ts";

/** Batch states whose attestation still takes signatures: only then may the record change. */
const SIGNABLE: readonly BatchState[] = ["awaiting_signatures", "ready"];

/** The batch's sample record as it stands (draw + latest outcome per device); undefined before the draw. */
export async function currentSampleRecord(store: JobStore, batchId: string): Promise<AuditSampleRecord | undefined> {
  const draw = storedSample(await store.samples.of(batchId));
  if (!draw) return undefined;
  const outcomes = await store.samples.outcomes(batchId);
  return auditSampleRecord(
    draw,
    outcomes.map((o) => ({ auditor: o.auditor, deviceId: o.device_id, outcome: o.outcome, at: o.at })),
  );
}

/**
 * Records `auditor`'s outcomes for sampled devices of `batchId` and rebinds the attestation, in one transaction.
 * @throws OracleError BATCH_STATE when the batch no longer takes signatures or its sample is not drawn yet
 */
export async function recordSampleOutcomes(
  ctx: OracleContext,
  batchId: string,
  auditor: string,
  outcomes: readonly { deviceId: string; outcome: EvidenceOutcome }[],
): Promise<AuditSampleRecord> {
  return ctx.store.tx(async () => {
    await ctx.store.lockBatch(batchId);
    const b = await ctx.batch(batchId);
    if (!SIGNABLE.includes(b.state)) {
      throw new OracleError("BATCH_STATE", `batch ${batchId} is ${b.state}: its sample record can no longer change`, {
        state: b.state,
      });
    }
    if (!(await currentSampleRecord(ctx.store, batchId))) {
      throw new OracleError("BATCH_STATE", `batch ${batchId} has no drawn sample yet`, { state: b.state });
    }
    for (const o of outcomes) {
      await ctx.store.samples.setOutcome(batchId, auditor, o.deviceId.toLowerCase(), o.outcome);
    }
    await bindSample(ctx, batchId);
    return (await currentSampleRecord(ctx.store, batchId))!;
  });
}

/**
 * Puts the current record's hash into the batch's attestation if it changed (complete record: its hash; else
 * bytes32(0)); signatures over the previous digest are dropped and the batch waits for signatures again.
 */
export async function bindSample(ctx: OracleContext, batchId: string): Promise<boolean> {
  return ctx.store.tx(async () => {
    await ctx.store.lockBatch(batchId);
    const b = await ctx.batch(batchId);
    if (!SIGNABLE.includes(b.state) || !b.attestation_json) return false;
    const a = storedAttestation(b);
    const hash = attestedSampleHash(await currentSampleRecord(ctx.store, batchId));
    if (a.sampleHash.toLowerCase() === hash) return false;
    for (const s of await ctx.store.acceptedSignatures(b.id, b.digest!)) {
      await ctx.store.dropSignature(s.id, "the audit sample record changed; sign the current attestation");
    }
    await setAttestation(
      ctx,
      b.id,
      { ...a, sampleHash: hash },
      "awaiting_signatures",
      `audit sample record changed: sampleHash ${hash}; auditors sign again`,
    );
    (await ctx.batchLog(b)).info({ sampleHash: hash }, "audit sample record bound; auditors sign the new digest");
    return true;
  });
}

/**
 * Why `batchId` takes no signature yet under a required sample (ctx.config.requireAuditSample), else null: its
 * sample must be drawn and every sampled device must have an outcome.
 */
export async function sampleNotReady(ctx: OracleContext, batchId: string): Promise<OracleError | null> {
  if (!ctx.config.requireAuditSample) return null;
  const record = await currentSampleRecord(ctx.store, batchId);
  if (!record) {
    return new OracleError(
      "SAMPLE_INCOMPLETE",
      `batch ${batchId}'s audit sample is not drawn yet (it needs the block after the lot's submission); ` +
        "sign once it is drawn and every sampled device has an outcome",
      { batchId, open: null },
    );
  }
  if (sampleComplete(record)) return null;
  const open = record.devices.filter((d) => d.outcome === null).map((d) => d.deviceId);
  return new OracleError(
    "SAMPLE_INCOMPLETE",
    `batch ${batchId}: ${open.length} of ${record.size} sampled devices have no evidence outcome; record them ` +
      `(POST /reviews/${batchId}/sample or itec auditor review --evidence) and sign the new attestation`,
    { batchId, open },
  );
}
