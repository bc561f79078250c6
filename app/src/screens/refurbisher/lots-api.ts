/**
 * The lot and batch-job views the refurbisher's screens read from the API (GET /lots, GET /lots/:id,
 * GET /batches/:id, GET /batches/:id/attestation; their schemas are in api/src/routes/registry.ts), and the words a
 * person reads for a batch's state.
 *
 * Why here and not in the SDK's operation table: these operations are the oracle's, not yet in
 * sdk/src/api-operations.ts; only the fields the screens use are typed.
 */
import type { AppContext } from "../../context.ts";

/** A batch of a lot as GET /lots and GET /lots/:id list it. */
export interface BatchJobView {
  id: string;
  lotId: string;
  category: string;
  state: string;
  certificates: number;
  baselineGrams: string;
  reductionGrams: string;
  deviceRoot: string | null;
  vintageStart: string | null;
  vintageEnd: string | null;
  reason: string | null;
  error: string | null;
  digest: string | null;
  deadline: string | null;
  tokenId: string | null;
}

export interface AuditorSignature {
  auditor: string;
  status: "accepted" | "refused" | "dropped";
  reason: string | null;
  at: string;
}

/** GET /batches/:id: the batch with its history. */
export interface BatchJobDetail extends BatchJobView {
  signatures: AuditorSignature[];
}

/** The per-batch figures of a lot's stored summary (oracle/src/pipeline/lot-summary.ts). */
export interface LotSummaryBatch {
  category: string;
  eligible: number;
  certificates: number;
  baselineKg: string;
  reductionKg: string;
  relU: string | null;
  issued: boolean;
  reason: string | null;
}

export interface LotSummary {
  asOf: string;
  devices: number;
  eligible: number;
  excluded: Record<string, number>;
  problems: number;
  batches: LotSummaryBatch[];
}

export interface LotView {
  id: string;
  refurbisher: string;
  lotRef: string;
  status: string;
  asOf: string;
  reportHash: string | null;
  referenceDataSha256: string | null;
  submittedAt: string;
  summary: LotSummary | null;
  error: string | null;
  batches: BatchJobView[];
}

export function listMyLots(ctx: AppContext, limit = 50): Promise<{ lots: LotView[] }> {
  return ctx.api.get(`/lots?limit=${limit}&offset=0`);
}

export function getBatchJob(ctx: AppContext, id: string): Promise<BatchJobDetail> {
  return ctx.api.get(`/batches/${encodeURIComponent(id)}`);
}

/** How many auditing bodies must sign (null when the chain could not be read). */
export async function signatureThreshold(ctx: AppContext, batchId: string): Promise<number | null> {
  const view = await ctx.api.get<{ threshold: number | null }>(`/batches/${encodeURIComponent(batchId)}/attestation`);
  return view.threshold;
}

/** States after which a batch never changes (oracle/src/store/transitions.ts). */
export const FINAL_STATES: ReadonlySet<string> = new Set(["confirmed", "rejected", "not_issuable", "failed"]);

/** A batch's state as a person reads it. */
export function stateWords(batch: Pick<BatchJobView, "state" | "reason" | "error" | "tokenId">): string {
  switch (batch.state) {
    case "submitted":
      return "Submitted: being calculated";
    case "calculated":
      return "Calculated";
    case "awaiting_signatures":
      return "Awaiting auditors' signatures";
    case "ready":
      return "Signed: about to be sent to the chain";
    case "posted":
      return "Sent to the chain: waiting for its block";
    case "confirmed":
      return batch.tokenId ? `Minted as batch #${batch.tokenId}` : "Minted";
    case "rejected":
      return `Rejected by an auditor${batch.reason ? `: ${batch.reason}` : ""}`;
    case "not_issuable":
      return `Not issued${batch.reason ? ` (${batch.reason})` : ""}`;
    case "failed":
      return `Failed${batch.error ? `: ${batch.error}` : ""}`;
    default:
      return batch.state;
  }
}
