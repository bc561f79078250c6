/**
 * The registry admin's transactions, built unsigned for the admin's wallet: the participant register (admission
 * with the organisation's name, renaming, suspension), auditing bodies and the accreditation of their signing
 * addresses, the signature threshold — and, from admin-batches.ts, batch suspension, reversal and the settlement
 * of fraud proofs. Anyone but the admin is refused (403) before anything is built.
 */
import { z } from "zod";

import {
  CATEGORIES,
  CATEGORY_CODES,
  categoryBit,
  PARTICIPANT_KIND_VALUES,
  PARTICIPANT_KINDS,
} from "../../../sdk/src/enums.ts";
import { requireRole, type AppDeps } from "../deps.ts";
import { ACCOUNTS } from "../examples/wallet.ts";
import { defineRoute, type RouteSpec, type Session } from "../route/define.ts";
import { address, dayEndSeconds, dayStartSeconds, isoDate, wellFormedText } from "../schemas.ts";
import { adminBatchRoutes } from "./admin-batches.ts";
import { txResponse } from "./transactions.ts";

/** Longest organisation or body name the registry takes, in UTF-8 bytes (`MAX_NAME_BYTES`). */
export const MAX_NAME_BYTES = 200;
/** What the registry refuses in a name (`Texts.isMarkupSafe`): JSON and SVG markup, control characters. */
const isSafeName = (v: string): boolean =>
  ![...v].some((c) => '"\\<>&'.includes(c) || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** An organisation's (or auditing body's) name as the registry stores it: 1–200 bytes of UTF-8, no markup. */
export const organisationName = wellFormedText(1, MAX_NAME_BYTES)
  .refine((v) => Buffer.byteLength(v, "utf8") <= MAX_NAME_BYTES, `expected at most ${MAX_NAME_BYTES} bytes of UTF-8`)
  .refine(isSafeName, 'expected no " \\ < > & or control characters (they are markup in metadata)')
  .meta({ id: "OrganisationName", description: "An organisation's name on the ledger", example: "Trader GmbH" });

/** An auditing body's id (uint32, from 1), as a decimal string. */
const bodyId = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, "expected an auditing body id (a positive integer)")
  .refine((v) => !/^[0-9]+$/.test(v) || BigInt(v) <= 0xffffffffn, "expected an auditing body id at most 2^32−1")
  .transform((v) => Number(v));

const reason = wellFormedText(1, 1024);

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
      summary: "Unsigned admitParticipant: admit an account under its organisation's name (admin)",
      tags: ["admin", "participants"],
      auth: "session",
      limit: "write",
      body: z.object({ account: address, kind: z.enum(PARTICIPANT_KIND_VALUES), name: organisationName }),
      example: { body: { account: ACCOUNTS.trader, kind: "trader", name: "Trader GmbH" } },
      responses: txResponse,
      problems: ["FORBIDDEN", "WOULD_REVERT"],
      handler: async ({ body, session }) =>
        adminTx(
          session,
          "admitParticipant",
          [body.account, PARTICIPANT_KINDS[body.kind], body.name],
          `admit ${body.account} as ${body.kind} "${body.name}"`,
        ),
    }),
    defineRoute({
      method: "put",
      path: "/admin/participants/:address/name",
      operationId: "renameParticipant",
      summary: "Unsigned renameParticipant: change an organisation's name on the ledger (admin)",
      tags: ["admin", "participants"],
      auth: "session",
      limit: "write",
      params: z.object({ address }),
      body: z.object({ name: organisationName }),
      example: { params: { address: ACCOUNTS.trader }, body: { name: "Trader Europe GmbH" } },
      responses: txResponse,
      problems: ["FORBIDDEN", "WOULD_REVERT"],
      handler: async ({ params, body, session }) =>
        adminTx(session, "renameParticipant", [params.address, body.name], `rename ${params.address} "${body.name}"`),
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
      body: z.object({ reason }),
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
      path: "/admin/auditor-bodies",
      operationId: "registerAuditorBody",
      summary: "Unsigned registerAuditorBody: register an auditing body; its id is in the receipt's event (admin)",
      tags: ["admin", "auditors"],
      auth: "session",
      limit: "write",
      body: z.object({ name: organisationName }),
      example: { body: { name: "Nordic Audit AB" } },
      responses: txResponse,
      problems: ["FORBIDDEN", "WOULD_REVERT"],
      handler: async ({ body, session }) =>
        adminTx(session, "registerAuditorBody", [body.name], `register auditing body "${body.name}"`),
    }),
    defineRoute({
      method: "put",
      path: "/admin/auditor-bodies/:bodyId/name",
      operationId: "renameAuditorBody",
      summary: "Unsigned renameAuditorBody (admin)",
      tags: ["admin", "auditors"],
      auth: "session",
      limit: "write",
      params: z.object({ bodyId }),
      body: z.object({ name: organisationName }),
      example: { params: { bodyId: "1" }, body: { name: "Nordic Audit Group AB" } },
      responses: txResponse,
      problems: ["FORBIDDEN", "WOULD_REVERT"],
      handler: async ({ params, body, session }) =>
        adminTx(
          session,
          "renameAuditorBody",
          [params.bodyId, body.name],
          `rename auditing body #${params.bodyId} "${body.name}"`,
        ),
    }),
    defineRoute({
      method: "put",
      path: "/admin/auditors/:address/accreditation",
      operationId: "setAccreditation",
      summary:
        "Unsigned setAccreditation: accredit an auditor's signing address for a body, categories and window (admin)",
      description:
        "A signature counts at issuance only from an address accredited for the batch's device category, from the " +
        "first second of `validFrom` to the last second of `validUntil` (UTC); the threshold counts distinct " +
        "auditing bodies. Accrediting an address again replaces its accreditation. The address may not be the " +
        "admin or the issuer (separate keys).",
      tags: ["admin", "auditors"],
      auth: "session",
      limit: "write",
      params: z.object({ address }),
      body: z
        .object({
          bodyId: z.number().int().min(1).max(0xffffffff).describe("the auditing body it signs for"),
          categories: z
            .array(z.enum(CATEGORIES))
            .min(1)
            .max(CATEGORIES.length)
            .refine((c) => new Set(c).size === c.length, "expected each category once")
            .describe("the device categories it may attest"),
          validFrom: isoDate.describe("first day of the accreditation (UTC)"),
          validUntil: isoDate.describe("last day of the accreditation (UTC), inclusive"),
        })
        .refine((b) => b.validFrom <= b.validUntil, { path: ["validUntil"], message: "must not be before validFrom" }),
      example: {
        params: { address: ACCOUNTS.auditor },
        body: { bodyId: 1, categories: ["laptop", "desktop"], validFrom: "2026-01-01", validUntil: "2027-12-31" },
      },
      responses: txResponse,
      problems: ["FORBIDDEN", "WOULD_REVERT"],
      handler: async ({ params, body, session }) => {
        const mask = body.categories.reduce((m, c) => m | categoryBit(CATEGORY_CODES[c]), 0);
        return adminTx(
          session,
          "setAccreditation",
          [params.address, body.bodyId, mask, dayStartSeconds(body.validFrom), dayEndSeconds(body.validUntil)],
          `accredit ${params.address} for auditing body #${body.bodyId}: ${body.categories.join(", ")} from ` +
            `${body.validFrom} to ${body.validUntil}`,
        );
      },
    }),
    defineRoute({
      method: "post",
      path: "/admin/auditors/:address/revoke",
      operationId: "revokeAccreditation",
      summary: "Unsigned revokeAccreditation: withdraw an auditor's accreditation before it expires (admin)",
      tags: ["admin", "auditors"],
      auth: "session",
      limit: "write",
      params: z.object({ address }),
      body: z.object({ reason }),
      example: { params: { address: ACCOUNTS.auditor }, body: { reason: "left the auditing body" } },
      responses: txResponse,
      problems: ["FORBIDDEN", "WOULD_REVERT"],
      handler: async ({ params, body, session }) => {
        await requireRole(deps, session, ["admin"]); // before any chain read: a non-admin learns nothing
        // A revocation that would leave fewer bodies than the threshold reverts (WOULD_REVERT says so), except the
        // last one: a compromised auditor must go at once. Say when issuance then stops, or needs every body left.
        const [accreditation, counts, threshold] = await Promise.all([
          deps.chain.registry.accreditation(params.address),
          deps.chain.registry.auditorBodyCounts(),
          deps.chain.auditorThreshold(),
        ]);
        let note = "";
        if (accreditation.bodyId !== 0n) {
          const body = await deps.chain.registry.auditorBody(accreditation.bodyId);
          const left = Number(counts.withAuditors) - (body.auditors === 1n ? 1 : 0);
          if (left === 0) {
            note = " — leaves no auditing body with an auditor: no batch can be issued until one is accredited";
          } else if (left === threshold) {
            note = ` — leaves ${left} auditing bod${left === 1 ? "y" : "ies"} with an auditor, the threshold: each must sign`;
          }
        }
        return {
          body: await tx.build(
            session!.address,
            "revokeAccreditation",
            [params.address, body.reason],
            `revoke the accreditation of ${params.address}: ${body.reason}${note}`,
          ),
        };
      },
    }),
    defineRoute({
      method: "put",
      path: "/admin/auditors/threshold",
      operationId: "setAuditorThreshold",
      summary: "Unsigned setAuditorThreshold: how many distinct auditing bodies must sign an issuance (admin)",
      tags: ["admin", "auditors"],
      auth: "session",
      limit: "write",
      body: z.object({ threshold: z.number().int().min(1).max(255) }),
      example: { body: { threshold: 2 } },
      responses: txResponse,
      problems: ["FORBIDDEN", "WOULD_REVERT"],
      handler: async ({ body, session }) =>
        adminTx(
          session,
          "setAuditorThreshold",
          [body.threshold],
          `require signatures of ${body.threshold} auditing bod${body.threshold === 1 ? "y" : "ies"}`,
        ),
    }),
    ...adminBatchRoutes(adminTx),
  ];
}
