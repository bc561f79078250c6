/**
 * The registry admin's transactions on issued batches, built unsigned for the admin's wallet: suspension and
 * reinstatement, the settlement of a fraud proof (which batch is at fault, why, and the evidence), and the final
 * reversal of a batch found wrong. Mounted with the other admin routes (admin.ts).
 */
import { z } from "zod";

import { defineRoute, type Reply, type RouteSpec, type Session } from "../route/define.ts";
import { positiveId, wellFormedText } from "../schemas.ts";
import { txResponse } from "./transactions.ts";

type AdminTx = (
  session: Session | undefined,
  fn: string,
  args: readonly unknown[],
  description: string,
) => Promise<Reply>;

const reason = wellFormedText(1, 1024);
const evidenceURI = wellFormedText(0, 1024).describe("where the finding's evidence can be read (may be empty)");

export function adminBatchRoutes(adminTx: AdminTx): RouteSpec[] {
  return [
    // Before `/admin/batches/:id/:action`: the router tries routes in order.
    defineRoute({
      method: "post",
      path: "/admin/batches/:id/reverse",
      operationId: "reverseBatch",
      summary: "Unsigned reverseBatch: a batch found wrong — cancel what is outstanding, reverse its claims (admin)",
      description:
        "Final. The batch's outstanding certificates are cancelled (every balance of it reads 0) and every " +
        "retirement from it reads `reversed` until its holder replaces it with certificates of the same device " +
        "category (POST /tx/replace).",
      tags: ["admin", "certificates"],
      auth: "session",
      limit: "write",
      params: z.object({ id: positiveId }),
      body: z.object({ reason, evidenceURI }),
      example: {
        params: { id: "1" },
        body: { reason: "devices double counted with batch #3", evidenceURI: "https://registry.example/findings/7" },
      },
      responses: txResponse,
      problems: ["FORBIDDEN", "WOULD_REVERT"],
      handler: async ({ params, body, session }) =>
        adminTx(
          session,
          "reverseBatch",
          [params.id, body.reason, body.evidenceURI],
          `reverse batch #${params.id}: ${body.reason}`,
        ),
    }),
    defineRoute({
      method: "post",
      path: "/admin/batches/:id/:action",
      operationId: "suspendOrReinstateBatch",
      summary: "Unsigned suspendBatch / reinstateBatch (admin)",
      tags: ["admin", "certificates"],
      auth: "session",
      limit: "write",
      params: z.object({ id: positiveId, action: z.enum(["suspend", "reinstate"]) }),
      body: z.object({ reason }),
      example: { params: { id: "1", action: "suspend" }, body: { reason: "report under investigation" } },
      responses: txResponse,
      problems: ["FORBIDDEN", "WOULD_REVERT"],
      handler: async ({ params, body, session }) => {
        const fn = params.action === "suspend" ? "suspendBatch" : "reinstateBatch";
        return adminTx(session, fn, [params.id, body.reason], `${params.action} batch #${params.id}: ${body.reason}`);
      },
    }),
    defineRoute({
      method: "post",
      path: "/admin/challenges/:id/settle",
      operationId: "settleChallenge",
      summary: "Unsigned settleChallenge: decide a fraud proof — which batch is at fault, why, the evidence (admin)",
      description:
        "The batches the challenge names are released, except the one found at fault, which stays suspended by " +
        "the admin (`faultyBatchId`: one the challenge names, or null for neither). The same proof can never be " +
        "made again.",
      tags: ["admin", "certificates"],
      auth: "session",
      limit: "write",
      params: z.object({ id: positiveId }),
      body: z.object({
        faultyBatchId: positiveId.nullable().describe("the batch found at fault, or null for neither"),
        reason,
        evidenceURI,
      }),
      example: {
        params: { id: "1" },
        body: {
          faultyBatchId: "2",
          reason: "batch #2 lists a device of batch #1",
          evidenceURI: "https://registry.example/findings/8",
        },
      },
      responses: txResponse,
      problems: ["FORBIDDEN", "WOULD_REVERT"],
      handler: async ({ params, body, session }) =>
        adminTx(
          session,
          "settleChallenge",
          [params.id, body.faultyBatchId ?? 0n, body.reason, body.evidenceURI],
          `settle challenge #${params.id}: ${body.faultyBatchId === null ? "no batch" : `batch #${body.faultyBatchId}`} at fault — ${body.reason}`,
        ),
    }),
  ];
}
