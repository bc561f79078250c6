/**
 * The transactions participants sign in their own wallets: the API returns them unsigned (simulated first) and
 * relays them once signed. It never holds a user's key. Fraud proofs, which anyone may make: challenges.ts.
 */
import { z } from "zod";

import type { AppDeps } from "../deps.ts";
import {
  ACCOUNTS,
  relayedExample,
  relayExample,
  transactionStatusExample,
  unsignedTransferExample,
} from "../examples/wallet.ts";
import { HttpProblem } from "../problem.ts";
import { transactionStatusSchema } from "../responses.ts";
import { defineRoute, type RouteSpec } from "../route/define.ts";
import {
  address,
  dayEndSeconds,
  dayStartSeconds,
  hash32,
  hexData,
  isoDate,
  maxUint,
  parseIsoDay,
  positiveId,
  uint32String,
  uintString,
  unsignedTxSchema,
  wellFormedText,
} from "../schemas.ts";
import { challengeRoutes } from "./challenges.ts";

/** The last day whose last second fits a uint32: claim periods are stored as uint32 Unix seconds (contract v2). */
const LAST_PERIOD_DAY = "2106-02-06";
const periodDay = isoDate.refine(
  (v) => parseIsoDay(v) === undefined || dayEndSeconds(v) <= maxUint(32),
  `expected a date up to ${LAST_PERIOD_DAY} (the registry stores claim periods as uint32 seconds)`,
);

/** The answer of every route that builds a transaction: unsigned, for the caller's wallet. */
export const txResponse = {
  200: {
    description: "Unsigned transaction for your wallet",
    schema: unsignedTxSchema,
    example: unsignedTransferExample,
  },
};

/**
 * The relay spends the registry operator's node (and, on a chain with fees, is where free writes would come from):
 * it serves active participants, accredited auditors and the admin — the accounts the registry admitted. Sign-in
 * stays open to any key so a new account can see its standing (ADR 0052).
 */
async function requireRelayStanding(deps: AppDeps, address: string): Promise<void> {
  const p = await deps.reads.participant(address);
  if (p.roles.admin || p.roles.auditor || p.status === "active") return;
  const why =
    p.status === "suspended"
      ? `${address} is suspended by the registry admin: it can relay again once reinstated`
      : `${address} is not an admitted participant: the registry admin can admit it with ` +
        `\`itec participant admit ${address} --kind <refurbisher|itad|corporate|trader> --name "…"\``;
  throw new HttpProblem(
    403,
    "RELAY_NOT_ALLOWED",
    "Relay refused",
    `${why}; or send the signed transaction to the chain yourself`,
  );
}

export function transactionRoutes(deps: AppDeps): RouteSpec[] {
  const tx = deps.txs;
  return [
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
      example: { body: { to: ACCOUNTS.refurbisher, items: [{ batchId: "1", amount: "1" }] } },
      responses: txResponse,
      problems: ["WOULD_REVERT"],
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
        periodStart: periodDay,
        periodEnd: periodDay,
        scope3Category: z.union([z.literal(1), z.literal(2)]).describe("1 purchased goods, 2 capital goods"),
        purpose: wellFormedText(0, 1024).default(""),
      }),
      example: {
        body: {
          batchId: "1",
          amount: "2",
          beneficiaryName: "Acme Corporation",
          periodStart: "2026-01-01",
          periodEnd: "2026-12-31",
          scope3Category: 2,
          purpose: "FY2026 refurbished laptop procurement",
        },
      },
      responses: txResponse,
      problems: ["WOULD_REVERT"],
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
      path: "/tx/replace",
      operationId: "buildReplacement",
      summary: "Unsigned replaceRetirement: restore a reversed claim with certificates of another batch",
      description:
        "A retirement whose batch was reversed reads `reversed` until it is replaced: this burns the claim's " +
        "amount of `fromBatchId` (same device category) held by `holder` and re-points the claim to it, keeping " +
        "its beneficiary, period, Scope 3 category and texts. The holder or its approved operator signs: the " +
        "reversed batch's owner, or anyone holding such certificates.",
      tags: ["transactions", "retirements"],
      auth: "session",
      limit: "write",
      body: z.object({
        retirementId: positiveId.describe("the reversed claim"),
        fromBatchId: positiveId.describe("the batch whose certificates replace it (same device category)"),
        holder: address.optional().describe("whose certificates (default: you; else you must be its operator)"),
      }),
      example: { body: { retirementId: "1", fromBatchId: "2" } },
      responses: txResponse,
      problems: ["WOULD_REVERT"],
      handler: async ({ body, session }) => {
        const holder = body.holder ?? session!.address;
        return {
          body: await tx.build(
            session!.address,
            "replaceRetirement",
            [body.retirementId, holder, body.fromBatchId],
            `replace reversed retirement #${body.retirementId} with certificates of batch #${body.fromBatchId} held by ${holder}`,
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
      example: { body: { operator: ACCOUNTS.trader, approved: true } },
      responses: txResponse,
      problems: ["WOULD_REVERT"],
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
      description:
        "For active participants, accredited auditors and the admin (anyone else sends to the chain directly). " +
        "Relayed only when it will mine as signed: a registry function the relay forwards, signed by you, value 0, " +
        "your next (pending) nonce, a gas limit within the operation's cap (docs/api.md), and a simulation with " +
        "every signed field that succeeds. Each refusal names what to sign instead.",
      tags: ["transactions"],
      auth: "session",
      limit: "write",
      body: z.object({ signedTransaction: hexData }),
      example: { body: relayExample },
      responses: {
        202: { description: "Sent", schema: z.object({ hash: hash32, function: z.string() }), example: relayedExample },
        403: {
          description: "Not a participant, auditor or admin; or signed by another account than the one signed in",
        },
      },
      problems: [
        "RELAY_NOT_ALLOWED",
        "TX_MALFORMED",
        "TX_UNSIGNED",
        "TX_NOT_YOURS",
        "TX_WRONG_CHAIN",
        "TX_TYPE",
        "TX_NOT_REGISTRY",
        "TX_FUNCTION_NOT_ALLOWED",
        "TX_VALUE",
        "TX_GAS_CAP",
        "TX_NONCE",
        "WOULD_REVERT",
        "TX_REFUSED",
      ],
      handler: async ({ body, session }) => {
        await requireRelayStanding(deps, session!.address);
        return { status: 202, body: await tx.relay(body.signedTransaction, session!.address) };
      },
    }),
    defineRoute({
      method: "get",
      path: "/tx/:hash",
      operationId: "transactionStatus",
      summary: "Status of a transaction: pending, mined, reverted or unknown",
      tags: ["transactions"],
      params: z.object({ hash: hash32 }),
      example: { params: { hash: transactionStatusExample.hash } },
      responses: {
        200: { description: "Status", schema: transactionStatusSchema, example: transactionStatusExample },
      },
      handler: async ({ params }) => ({ body: await tx.status(params.hash) }),
    }),
    ...challengeRoutes(deps),
  ];
}
