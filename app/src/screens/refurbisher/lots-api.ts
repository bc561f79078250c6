/**
 * The lot and batch-job views the refurbisher's screens read from the API (GET /lots, GET /lots/:id,
 * GET /batches/:id, GET /batches/:id/attestation; their schemas are in api/src/routes/registry.ts), and the words a
 * person reads for a batch's state.
 *
 * Why here and not in the SDK's operation table: these operations are the oracle's, not yet in
 * sdk/src/api-operations.ts; only the fields the screens use are typed.
 */
import type { AppContext } from "../../context.ts";
import type { BatchJobDetail, BatchJobView, LotView } from "./lot-view.ts";

export type {
  AuditorSignature,
  BatchJobDetail,
  BatchJobView,
  LotSummary,
  LotSummaryBatch,
  LotView,
} from "./lot-view.ts";

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
