/**
 * The lot and batch-job views the refurbisher's screens read from the API (their schemas are in
 * api/src/routes/registry.ts): types only, with no DOM, so the pure comparison (compare.ts) and its test use them
 * without the browser's globals.
 */
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
