/**
 * Sign-in, and the transactions participants and the admin sign in their own wallets: the API returns them
 * unsigned (simulated first) and relays them once signed. It never holds a user's key.
 */
import { z } from "zod";

import { PARTICIPANT_KIND_VALUES, PARTICIPANT_KINDS } from "../../../sdk/src/enums.ts";
import { requireRole, type AppDeps } from "../deps.ts";
import { HttpProblem } from "../problem.ts";
import { checksumAddress, participantSchema, transactionStatusSchema } from "../responses.ts";
import { defineRoute, type RouteSpec } from "../route.ts";
import {
  address,
  dayEndSeconds,
  dayStartSeconds,
  hash32,
  hexData,
  isoDate,
  positiveId,
  uint32String,
  uintString,
  unsignedTxSchema,
  wellFormedText,
} from "../schemas.ts";

const txResponse = { 200: { description: "Unsigned transaction for your wallet", schema: unsignedTxSchema } };

export function walletRoutes(deps: AppDeps): RouteSpec[] {
  const tx = deps.txs;
  return [
    defineRoute({
      method: "get",
      path: "/auth/nonce",
      operationId: "siweNonce",
      summary: "A single-use nonce for a Sign-In with Ethereum (EIP-4361) message",
      tags: ["auth"],
      limit: "auth",
      responses: {
        200: {
          description: "Nonce and what the message must say",
          schema: z.object({
            nonce: z.string(),
            expiresAt: z.iso.datetime(),
            domain: z.string(),
            uri: z.url(),
            chainId: uintString,
          }),
        },
      },
      handler: async () => ({
        body: {
          ...deps.auth.issueNonce(),
          domain: new URL(deps.publicUrl).host,
          uri: deps.publicUrl,
          chainId: deps.chain.chainId.toString(),
        },
      }),
    }),
    defineRoute({
      method: "post",
      path: "/auth/siwe",
      operationId: "siweSignIn",
      summary: "Exchange a signed EIP-4361 message for a short-lived bearer token",
      tags: ["auth"],
      limit: "auth",
      body: z.object({ message: z.string().min(1).max(4000), signature: hexData }),
      responses: {
        200: {
          description: "Token",
          schema: z.object({ token: z.string(), address: checksumAddress, expiresAt: z.iso.datetime() }),
        },
        401: { description: "Refused (domain, chain, nonce, expiry or signature)" },
      },
      handler: async ({ body }) => ({ body: await deps.auth.signIn(body.message, body.signature) }),
    }),
    defineRoute({
      method: "get",
      path: "/auth/me",
      operationId: "whoAmI",
      summary: "The signed-in account and its roles, read from the chain now",
      tags: ["auth"],
      auth: "session",
      responses: { 200: { description: "Account", schema: participantSchema } },
      handler: async ({ session }) => ({ body: await deps.reads.participant(session!.address) }),
    }),

    // --- participants' transactions ----------------------------------------------------------------------------
    defineRoute({
      method: "post",
      path: "/tx/transfer",
      operationId: "buildTransfer",
      summary: "Unsigned ERC-1155 transfer of certificates (single batch or several)",
      tags: ["transactions"],
      auth: "session",
      limit: "write",
      body: z.object({
        from: address.optional().describe("holder (default: you; else you must be its approved operator)"),
        to: address,
        items: z
          .array(z.object({ batchId: uintString, amount: uintString }))
          .min(1)
          .max(50),
      }),
      responses: txResponse,
      handler: async ({ body, session }) => {
        const from = body.from ?? session!.address;
        const one = body.items.length === 1 ? body.items[0]! : undefined;
        const built = one
          ? await tx.build(
              session!.address,
              "safeTransferFrom",
              [from, body.to, one.batchId, one.amount, "0x"],
              `transfer ${one.amount} I-TEC of batch #${one.batchId} from ${from} to ${body.to}`,
            )
          : await tx.build(
              session!.address,
              "safeBatchTransferFrom",
              [from, body.to, body.items.map((i) => i.batchId), body.items.map((i) => i.amount), "0x"],
              `transfer ${body.items.map((i) => `${i.amount} of #${i.batchId}`).join(", ")} from ${from} to ${body.to}`,
            );
        return { body: built };
      },
    }),
    defineRoute({
      method: "post",
      path: "/tx/retire",
      operationId: "buildRetirement",
      summary: "Unsigned retirement: burn certificates against a claim (optionally on behalf of a beneficiary)",
      tags: ["transactions", "retirements"],
      auth: "session",
      limit: "write",
      body: z.object({
        holder: address.optional().describe("whose certificates (default: you; else you must be its operator)"),
        batchId: uintString,
        amount: uint32String,
        beneficiaryName: wellFormedText(1, 1024),
        beneficiary: address.optional(),
        periodStart: isoDate,
        periodEnd: isoDate,
        scope3Category: z.union([z.literal(1), z.literal(2)]).describe("1 purchased goods, 2 capital goods"),
        purpose: wellFormedText(0, 1024).default(""),
      }),
      responses: txResponse,
      handler: async ({ body, session }) => {
        const holder = body.holder ?? session!.address;
        if (body.periodEnd < body.periodStart) {
          throw new HttpProblem(422, "INVALID_INPUT", "Invalid input", "the period ends before it starts", {
            errors: [{ pointer: "/body/periodEnd", detail: "must not be before periodStart" }],
          });
        }
        const request = {
          batchId: body.batchId,
          amount: body.amount,
          beneficiaryName: body.beneficiaryName,
          beneficiary: body.beneficiary ?? "0x0000000000000000000000000000000000000000",
          periodStart: dayStartSeconds(body.periodStart),
          periodEnd: dayEndSeconds(body.periodEnd),
          scope3Category: body.scope3Category,
          purpose: body.purpose,
        };
        return {
          body: await tx.build(
            session!.address,
            "retire",
            [holder, request],
            `retire ${body.amount} I-TEC of batch #${body.batchId} held by ${holder} for ${body.beneficiaryName} (${body.periodStart}…${body.periodEnd}, Scope 3 category ${body.scope3Category})`,
          ),
        };
      },
    }),
    defineRoute({
      method: "post",
      path: "/tx/approval",
      operationId: "buildApproval",
      summary: "Unsigned setApprovalForAll: let an operator (e.g. a broker) move or retire your certificates",
      tags: ["transactions"],
      auth: "session",
      limit: "write",
      body: z.object({ operator: address, approved: z.boolean() }),
      responses: txResponse,
      handler: async ({ body, session }) => ({
        body: await tx.build(
          session!.address,
          "setApprovalForAll",
          [body.operator, body.approved],
          `${body.approved ? "approve" : "revoke"} operator ${body.operator}`,
        ),
      }),
    }),
    defineRoute({
      method: "post",
      path: "/tx/relay",
      operationId: "relayTransaction",
      summary: "Relay a transaction you signed (registry calls only; simulated first)",
      tags: ["transactions"],
      auth: "session",
      limit: "write",
      body: z.object({ signedTransaction: hexData }),
      responses: {
        202: { description: "Sent", schema: z.object({ hash: hash32, function: z.string() }) },
        403: { description: "Signed by another account than the one signed in" },
      },
      handler: async ({ body, session }) => ({
        status: 202,
        body: await tx.relay(body.signedTransaction, session!.address),
      }),
    }),
    defineRoute({
      method: "get",
      path: "/tx/:hash",
      operationId: "transactionStatus",
      summary: "Status of a transaction: pending, mined, reverted or unknown",
      tags: ["transactions"],
      params: z.object({ hash: hash32 }),
      responses: { 200: { description: "Status", schema: transactionStatusSchema } },
      handler: async ({ params }) => ({ body: await tx.status(params.hash) }),
    }),

    // --- the registry admin's transactions ---------------------------------------------------------------------
    defineRoute({
      method: "post",
      path: "/admin/participants",
      operationId: "admitParticipant",
      summary: "Unsigned admitParticipant (admin)",
      tags: ["admin", "participants"],
      auth: "session",
      limit: "write",
      body: z.object({ account: address, kind: z.enum(PARTICIPANT_KIND_VALUES) }),
      responses: txResponse,
      handler: async ({ body, session }) => {
        await requireRole(deps, session, ["admin"]);
        return {
          body: await tx.build(
            session!.address,
            "admitParticipant",
            [body.account, PARTICIPANT_KINDS[body.kind]],
            `admit ${body.account} as ${body.kind}`,
          ),
        };
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
      responses: txResponse,
      handler: async ({ params, body, session }) => {
        await requireRole(deps, session, ["admin"]);
        const fn = params.action === "suspend" ? "suspendParticipant" : "reinstateParticipant";
        return {
          body: await tx.build(
            session!.address,
            fn,
            [params.address, body.reason],
            `${params.action} ${params.address}: ${body.reason}`,
          ),
        };
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
      responses: txResponse,
      handler: async ({ body, session }) => {
        await requireRole(deps, session, ["admin"]);
        return {
          body: await tx.build(
            session!.address,
            "grantRole",
            [await deps.chain.role("AUDITOR_ROLE"), body.account],
            `add auditor ${body.account}`,
          ),
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
      responses: txResponse,
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
      responses: txResponse,
      handler: async ({ body, session }) => {
        await requireRole(deps, session, ["admin"]);
        return {
          body: await tx.build(
            session!.address,
            "setAuditorThreshold",
            [body.threshold],
            `require ${body.threshold} auditor signature(s)`,
          ),
        };
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
      responses: txResponse,
      handler: async ({ params, body, session }) => {
        await requireRole(deps, session, ["admin"]);
        const fn = params.action === "suspend" ? "suspendBatch" : "reinstateBatch";
        return {
          body: await tx.build(
            session!.address,
            fn,
            [params.id, body.reason],
            `${params.action} batch #${params.id}: ${body.reason}`,
          ),
        };
      },
    }),
  ];
}
