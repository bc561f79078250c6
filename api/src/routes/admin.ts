/** The registry admin's transactions (participants, auditors, batches), built unsigned for the admin's wallet. */
import { z } from "zod";

import { PARTICIPANT_KIND_VALUES, PARTICIPANT_KINDS } from "../../../sdk/src/enums.ts";
import { requireRole, type AppDeps } from "../deps.ts";
import { ACCOUNTS } from "../examples/wallet.ts";
import { defineRoute, type RouteSpec, type Session } from "../route/define.ts";
import { address, positiveId, wellFormedText } from "../schemas.ts";
import { txResponse } from "./transactions.ts";

export function adminRoutes(deps: AppDeps): RouteSpec[] {
  const tx = deps.txs;
  /** The unsigned transaction for the admin's wallet; anyone else is refused (403) before anything is built. */
  const adminTx = async (session: Session | undefined, fn: string, args: readonly unknown[], description: string) => {
    await requireRole(deps, session, ["admin"]);
    return { body: await tx.build(session!.address, fn, args, description) };
  };
  return [
    defineRoute({
      method: "post",
      path: "/admin/participants",
      operationId: "admitParticipant",
      summary: "Unsigned admitParticipant (admin)",
      tags: ["admin", "participants"],
      auth: "session",
      limit: "write",
      body: z.object({ account: address, kind: z.enum(PARTICIPANT_KIND_VALUES) }),
      example: { body: { account: ACCOUNTS.trader, kind: "trader" } },
      responses: txResponse,
      problems: ["FORBIDDEN", "WOULD_REVERT"],
      handler: async ({ body, session }) => {
        return adminTx(
          session,
          "admitParticipant",
          [body.account, PARTICIPANT_KINDS[body.kind]],
          `admit ${body.account} as ${body.kind}`,
        );
      },
    }),
    defineRoute({
      method: "post",
      path: "/admin/participants/:address/:action",
      operationId: "suspendOrReinstateParticipant",
      summary: "Unsigned suspendParticipant / reinstateParticipant (admin)",
      tags: ["admin", "participants"],
      auth: "session",
      limit: "write",
      params: z.object({ address, action: z.enum(["suspend", "reinstate"]) }),
      body: z.object({ reason: wellFormedText(1, 1024) }),
      example: {
        params: { address: ACCOUNTS.trader, action: "suspend" },
        body: { reason: "erasure certificates under review" },
      },
      responses: txResponse,
      problems: ["FORBIDDEN", "WOULD_REVERT"],
      handler: async ({ params, body, session }) => {
        const fn = params.action === "suspend" ? "suspendParticipant" : "reinstateParticipant";
        return adminTx(
          session,
          fn,
          [params.address, body.reason],
          `${params.action} ${params.address}: ${body.reason}`,
        );
      },
    }),
    defineRoute({
      method: "post",
      path: "/admin/auditors",
      operationId: "addAuditor",
      summary: "Unsigned grantRole(AUDITOR_ROLE) (admin)",
      tags: ["admin", "auditors"],
      auth: "session",
      limit: "write",
      body: z.object({ account: address }),
      example: { body: { account: ACCOUNTS.trader } },
      responses: txResponse,
      problems: ["FORBIDDEN", "WOULD_REVERT"],
      handler: async ({ body, session }) => {
        await requireRole(deps, session, ["admin"]); // before any chain read: a non-admin learns nothing
        const role = await deps.chain.role("AUDITOR_ROLE");
        return {
          body: await tx.build(session!.address, "grantRole", [role, body.account], `add auditor ${body.account}`),
        };
      },
    }),
    defineRoute({
      method: "delete",
      path: "/admin/auditors/:address",
      operationId: "removeAuditor",
      summary: "Unsigned revokeRole(AUDITOR_ROLE) (admin)",
      tags: ["admin", "auditors"],
      auth: "session",
      limit: "write",
      params: z.object({ address }),
      example: { params: { address: ACCOUNTS.auditor } },
      responses: txResponse,
      problems: ["FORBIDDEN", "WOULD_REVERT"],
      handler: async ({ params, session }) => {
        await requireRole(deps, session, ["admin"]);
        const role = await deps.chain.role("AUDITOR_ROLE");
        // Revoking always succeeds (a compromised auditor must go at once); say so when issuance then stops.
        const [holds, count, threshold] = await Promise.all([
          deps.chain.isAuditor(params.address),
          deps.chain.registry.getRoleMemberCount(role),
          deps.chain.auditorThreshold(),
        ]);
        const left = Number(count) - (holds ? 1 : 0);
        const warning =
          left < threshold
            ? ` — leaves ${left} auditor(s), fewer than the threshold of ${threshold}: no batch can be issued until ` +
              "an auditor is added or the threshold lowered"
            : "";
        return {
          body: await tx.build(
            session!.address,
            "revokeRole",
            [role, params.address],
            `remove auditor ${params.address}${warning}`,
          ),
        };
      },
    }),
    defineRoute({
      method: "put",
      path: "/admin/auditors/threshold",
      operationId: "setAuditorThreshold",
      summary: "Unsigned setAuditorThreshold (admin)",
      tags: ["admin", "auditors"],
      auth: "session",
      limit: "write",
      body: z.object({ threshold: z.number().int().min(1).max(255) }),
      example: { body: { threshold: 2 } },
      responses: txResponse,
      problems: ["FORBIDDEN", "WOULD_REVERT"],
      handler: async ({ body, session }) => {
        return adminTx(
          session,
          "setAuditorThreshold",
          [body.threshold],
          `require ${body.threshold} auditor signature(s)`,
        );
      },
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
      body: z.object({ reason: wellFormedText(1, 1024) }),
      example: { params: { id: "1", action: "suspend" }, body: { reason: "report under investigation" } },
      responses: txResponse,
      problems: ["FORBIDDEN", "WOULD_REVERT"],
      handler: async ({ params, body, session }) => {
        const fn = params.action === "suspend" ? "suspendBatch" : "reinstateBatch";
        return adminTx(session, fn, [params.id, body.reason], `${params.action} batch #${params.id}: ${body.reason}`);
      },
    }),
  ];
}
