/**
 * The auditor's queue: the oracle's batches whose attestation takes signatures now, with what the auditor screen
 * lists — figures, signatures so far against the threshold, and whether the signed-in auditor has signed — and the
 * links to review one (`GET /batches/:id/attestation`) and fetch its report (`GET /lots/:id/report`).
 */
import { z } from "zod";

import { gramsToKg } from "../../../sdk/src/units.ts";
import type { BatchRow, LotHead } from "../../../oracle/src/index.ts";
import { requireOracle, requireRole, type AppDeps } from "../deps.ts";
import { category, isoTime, kgDecimal } from "../responses.ts";
import { defineRoute, type RouteSpec } from "../route/define.ts";
import { batchJobId, lotId, paging } from "../schemas.ts";
import { reviewSampleRoutes, sampleSchema, sampleView, type SampleView } from "./review-sample.ts";

/** Batch states whose attestation takes signatures (oracle/src/pipeline/signatures.ts: SIGNABLE). */
const AWAITING = ["awaiting_signatures", "ready"] as const;

export const reviewSchema = z
  .object({
    batchId: batchJobId,
    lotId,
    category,
    state: z.enum(AWAITING),
    devices: z.number().int().nonnegative().describe("eligible devices of the category in the lot"),
    certificates: z.number().int().nonnegative(),
    baselineKg: kgDecimal.describe("B̄, kgCO2e per certificate"),
    reductionKg: kgDecimal.describe("V̄, kgCO2e per certificate"),
    submittedAt: isoTime.describe("when the lot was submitted"),
    deadline: isoTime.nullable().describe("the attestation's signing deadline"),
    digest: z.string().describe("the EIP-712 digest auditors sign"),
    signatures: z.number().int().nonnegative().describe("accepted signatures over the current attestation"),
    threshold: z.number().int().nonnegative().nullable().describe("signatures the registry requires (chain)"),
    mine: z
      .enum(["pending", "signed", "refused"])
      .describe("the signed-in auditor's part: not yet, signed (accepted), or a signature refused or dropped"),
    sample: sampleSchema
      .nullable()
      .describe("the audit sample (docs/methodology.md, Audit sampling); null until the oracle records one"),
    links: z.object({ attestation: z.url(), report: z.url(), batch: z.url(), sample: z.url() }),
  })
  .meta({ id: "Review" });

const reviewsExample = {
  reviews: [
    {
      batchId: "L1-laptop",
      lotId: "L1",
      category: "laptop",
      state: "awaiting_signatures",
      devices: 40,
      certificates: 40,
      baselineKg: "189.413",
      reductionKg: "102.337",
      submittedAt: "2026-01-15T10:00:00.000Z",
      deadline: "2026-01-29T10:00:00.000Z",
      digest: "0x5f0c6b6f6ad0e7c6ee7e5b1b2f3d6a1e9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a49",
      signatures: 1,
      threshold: 2,
      mine: "pending",
      sample: null,
      links: {
        attestation: "http://127.0.0.1:8080/batches/L1-laptop/attestation",
        report: "http://127.0.0.1:8080/lots/L1/report",
        batch: "http://127.0.0.1:8080/batches/L1-laptop",
        sample: "http://127.0.0.1:8080/reviews/L1-laptop/sample",
      },
    },
  ],
};

export function reviewRoutes(deps: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: "get",
      path: "/reviews",
      operationId: "listReviews",
      summary: "The auditor's queue: batches whose attestation awaits signatures, oldest first",
      description:
        "For an auditor accredited now (else 403 FORBIDDEN); batches of categories outside the accreditation are " +
        "left out. `mine=pending` (default) lists those the signed-in auditor has not signed; `mine=all` every one.",
      tags: ["batches", "auditors"],
      auth: "session",
      query: z.object({ mine: z.enum(["pending", "all"]).default("pending"), ...paging }),
      example: { query: { mine: "pending", limit: "20" } },
      responses: {
        200: {
          description: "Batches to review",
          schema: z.object({ reviews: z.array(reviewSchema) }),
          example: reviewsExample,
        },
        403: { description: "The signed-in account is not an accredited auditor now" },
      },
      problems: ["FORBIDDEN", "ORACLE_UNAVAILABLE"],
      handler: async ({ session, query }) => {
        const oracle = requireOracle(deps);
        const me = await requireRole(deps, session, ["auditor"]);
        const scope = me.accreditation ? new Set<string>(me.accreditation.categories) : undefined;
        const [rows, threshold] = await Promise.all([
          oracle.store.batchesInState(...AWAITING),
          deps.reads.cache.get("threshold", () => deps.chain.auditorThreshold()).catch(() => null),
        ]);
        const lots = new Map<string, Promise<LotHead | undefined>>();
        const lotOf = (id: string) => {
          let lot = lots.get(id);
          if (!lot) lots.set(id, (lot = oracle.store.lotHead(id)));
          return lot;
        };
        const reviews = [];
        for (const row of rows) {
          if (!row.digest || (scope && !scope.has(row.category))) continue;
          const signatures = await oracle.store.signatures(row.id);
          const current = signatures.filter((s) => s.digest === row.digest);
          const mineRows = current.filter((s) => s.auditor === me.account);
          const mine = mineRows.some((s) => s.status === "accepted")
            ? "signed"
            : mineRows.length > 0
              ? "refused"
              : "pending";
          if (query.mine === "pending" && mine === "signed") continue;
          const lot = await lotOf(row.lot_id);
          reviews.push(
            review(deps, row, lot, {
              mine,
              threshold,
              signatures: current.filter((s) => s.status === "accepted").length,
              sample: await sampleView(oracle, row.id),
            }),
          );
        }
        return { body: { reviews: reviews.slice(query.offset, query.offset + query.limit) } };
      },
    }),
    ...reviewSampleRoutes(deps),
  ];
}

function review(
  deps: AppDeps,
  row: BatchRow,
  lot: LotHead | undefined,
  extra: {
    mine: "pending" | "signed" | "refused";
    threshold: number | null;
    signatures: number;
    sample: SampleView | null;
  },
) {
  const summary = lot?.summary_json
    ? (JSON.parse(lot.summary_json) as { batches?: { category: string; eligible: number }[] })
    : undefined;
  const devices = summary?.batches?.find((b) => b.category === row.category)?.eligible ?? row.certificates;
  return {
    batchId: row.id,
    lotId: row.lot_id,
    category: row.category,
    state: row.state,
    devices,
    certificates: row.certificates,
    baselineKg: gramsToKg(BigInt(row.baseline_grams)),
    reductionKg: gramsToKg(BigInt(row.reduction_grams)),
    submittedAt: lot?.submitted_at ?? row.created_at,
    deadline: row.deadline ? new Date(row.deadline * 1000).toISOString() : null,
    digest: row.digest,
    signatures: extra.signatures,
    threshold: extra.threshold,
    mine: extra.mine,
    sample: extra.sample,
    links: {
      attestation: `${deps.publicUrl}/batches/${row.id}/attestation`,
      report: `${deps.publicUrl}/lots/${row.lot_id}/report`,
      batch: `${deps.publicUrl}/batches/${row.id}`,
      sample: `${deps.publicUrl}/reviews/${row.id}/sample`,
    },
  };
}
