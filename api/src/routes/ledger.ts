/**
 * Certificates, balances, retirements, participants and the public verification endpoints. Figures come from
 * the chain; listings come from the event index and say how far it has caught up.
 */
import { z } from "zod";

import { PARTICIPANT_KIND_VALUES, PARTICIPANT_STATUS_VALUES } from "../../../sdk/src/enums.ts";
import { requireIndex, type AppDeps } from "../deps.ts";
import {
  auditorsExample,
  balancesExample,
  batchExample,
  batchListExample,
  certificateBatchExample,
  certificateMetadataExample,
  participantExample,
  participantListExample,
  retirementExample,
  retirementListExample,
} from "../examples/ledger.ts";
import { defineRoute, type RouteSpec } from "../route/define.ts";
import { auditorsSchema, batchListSchema, participantListSchema, retirementListSchema } from "../index-responses.ts";
import {
  balancesSchema,
  certificateBatchSchema,
  certificateMetadataSchema,
  chainBatchSchema,
  participantSchema,
  retirementVerificationSchema,
} from "../responses.ts";
import { address, paging, positiveId, positiveIdString, wellFormedText } from "../schemas.ts";
import { deviceRoutes } from "./devices.ts";
import { publicSampleRoutes } from "./public-sample.ts";
import { externalSetRoutes } from "./external-sets.ts";

async function indexStatus(deps: AppDeps) {
  const status = await requireIndex(deps).status();
  const head = deps.reads.cache.head >= 0 ? deps.reads.cache.head : await deps.reads.cache.refresh();
  return {
    lastBlock: status.lastBlock,
    head,
    lagBlocks: status.lastBlock === null ? null : Math.max(0, head - status.lastBlock),
  };
}

export function ledgerRoutes(deps: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: "get",
      path: "/verify/retirements/:id",
      operationId: "verifyRetirement",
      summary: "Verify a retirement from the chain alone, with its claim status and a statement of what was checked",
      description:
        "Answers from the registry contract and its event logs (contract address, chain id, block, tx hash, claim, " +
        "batch figures, report hash), naming organisations and auditing bodies as the register does. The claim's " +
        "status comes from contract state: `verified`; `reversed` (its batch was found wrong: not valid until " +
        "replaced, the replacement owed by the batch's owner) — then `verified` is false and `verdict` is " +
        "`reversed`; or `replaced` (it now rests on another batch). The texts are read with one single-block " +
        "eth_getLogs at the block `retirement(id)` stores. Browsers asking for HTML get the verification page for " +
        "the same id.",
      tags: ["verify"],
      limit: "read",
      params: z.object({ id: positiveId.describe("retirement id") }),
      example: { params: { id: "1" } },
      responses: {
        200: { description: "Verification", schema: retirementVerificationSchema, example: retirementExample },
        404: { description: "No such retirement" },
      },
      problems: ["NOT_FOUND"],
      handler: async ({ params, req }) => {
        if (deps.publicDir && req.accepts(["json", "html"]) === "html") {
          return { raw: await verifyPage(deps), contentType: "text/html; charset=utf-8" };
        }
        // Serialised once per block: the hot public read costs a map lookup.
        const json = await deps.reads.cache.get(`verify-json:${params.id}`, async () =>
          JSON.stringify(await deps.reads.verifyRetirement(params.id)),
        );
        return { raw: json, contentType: "application/json; charset=utf-8" };
      },
    }),
    defineRoute({
      method: "get",
      path: "/verify/batches/:id",
      operationId: "verifyBatch",
      summary:
        "A batch as the chain holds it: figures, status (active, suspended and why, reversed and why), totals, " +
        "report hash, auditors with their bodies, and issuance proof",
      tags: ["verify"],
      params: z.object({ id: positiveId.describe("batch (token) id") }),
      example: { params: { id: "1" } },
      responses: {
        200: { description: "Batch", schema: chainBatchSchema, example: batchExample },
        404: { description: "No such batch" },
      },
      problems: ["NOT_FOUND"],
      handler: async ({ params, req }) => {
        if (deps.publicDir && req.accepts(["json", "html"]) === "html") {
          return { raw: await verifyPage(deps), contentType: "text/html; charset=utf-8" };
        }
        return { body: await deps.reads.batch(params.id) };
      },
    }),
    defineRoute({
      method: "get",
      path: "/certificates/:batchId",
      operationId: "getCertificateBatch",
      summary: "Batch detail: issued, retired and outstanding certificates, per-device figures, issuance",
      tags: ["certificates"],
      params: z.object({ batchId: positiveId }),
      example: { params: { batchId: "1" } },
      responses: {
        200: { description: "Batch detail", schema: certificateBatchSchema, example: certificateBatchExample },
        404: { description: "No such batch" },
      },
      problems: ["NOT_FOUND"],
      handler: async ({ params }) => ({
        body: {
          ...(await deps.reads.batch(params.batchId)),
          metadataURI: `${deps.publicUrl}/certificates/${params.batchId}/metadata`,
        },
      }),
    }),
    defineRoute({
      method: "get",
      path: "/certificates/:batchId/metadata",
      operationId: "getCertificateMetadata",
      summary: "The ERC-1155 metadata JSON the contract's uri(id) returns (decoded)",
      tags: ["certificates"],
      params: z.object({ batchId: positiveId }),
      example: { params: { batchId: "1" } },
      responses: {
        200: { description: "Metadata", schema: certificateMetadataSchema, example: certificateMetadataExample },
        404: { description: "No such batch" },
      },
      problems: ["NOT_FOUND"],
      handler: async ({ params }) => {
        const meta = await deps.reads.cache.get(`uri:${params.batchId}`, async () => {
          await deps.reads.batch(params.batchId); // 404 for unknown ids
          const uri = await deps.chain.registry.uri(params.batchId);
          return JSON.parse(
            Buffer.from(uri.slice("data:application/json;base64,".length), "base64").toString("utf8"),
          ) as unknown;
        });
        return { body: meta };
      },
    }),
    defineRoute({
      method: "get",
      path: "/accounts/:address/balances",
      operationId: "getBalances",
      summary: "Certificates held by an account, per batch (amounts read from the chain)",
      tags: ["certificates"],
      limit: "read",
      params: z.object({ address }),
      example: { params: { address: balancesExample.account } },
      responses: { 200: { description: "Balances", schema: balancesSchema, example: balancesExample } },
      problems: ["INDEX_UNAVAILABLE", "CHAIN_CHANGED"],
      handler: async ({ params }) => {
        const index = requireIndex(deps);
        // Which batches: the index; how many: the chain. Answered once per block and account.
        const json = await deps.reads.cache.get(`balances-json:${params.address}`, async () => {
          const held = await index.holdings(params.address);
          const balances = await deps.reads.balances(
            params.address,
            held.map((h) => BigInt(h.batchId)),
          );
          return JSON.stringify({ account: params.address, balances, index: await indexStatus(deps) });
        });
        return { raw: json, contentType: "application/json; charset=utf-8" };
      },
    }),
    defineRoute({
      method: "get",
      path: "/retirements",
      operationId: "listRetirements",
      summary: "Retirements by beneficiary (name or account), by retiring account, or by batch",
      tags: ["retirements"],
      query: z.object({
        beneficiary: z.string().min(1).max(200).optional().describe("beneficiary account or (part of) its name"),
        account: address.optional().describe("the account whose certificates were retired"),
        batchId: positiveIdString.optional(),
        ...paging,
      }),
      example: { query: { beneficiary: "Acme", limit: "20" } },
      responses: { 200: { description: "Retirements", schema: retirementListSchema, example: retirementListExample } },
      problems: ["INDEX_UNAVAILABLE", "INVALID_FILTER", "CHAIN_CHANGED"],
      handler: async ({ query }) => {
        const retirements = await requireIndex(deps).listRetirements(query);
        return { body: { retirements, index: await indexStatus(deps) } };
      },
    }),
    defineRoute({
      method: "get",
      path: "/retirements/:id",
      operationId: "getRetirement",
      summary: "One retirement (the same answer as /verify/retirements/:id, from the chain)",
      tags: ["retirements"],
      params: z.object({ id: positiveId }),
      example: { params: { id: "1" } },
      responses: {
        200: { description: "Retirement", schema: retirementVerificationSchema, example: retirementExample },
        404: { description: "No such retirement" },
      },
      problems: ["NOT_FOUND"],
      handler: async ({ params }) => ({ body: await deps.reads.verifyRetirement(params.id) }),
    }),
    defineRoute({
      method: "get",
      path: "/batches",
      operationId: "listBatches",
      summary: "Issued batches (from the index), by owner or category",
      tags: ["certificates"],
      query: z.object({
        owner: address.optional(),
        category: z.enum(["laptop", "desktop", "monitor", "smartphone", "tablet", "server"]).optional(),
        ...paging,
      }),
      example: { query: { category: "laptop", limit: "20" } },
      responses: { 200: { description: "Batches", schema: batchListSchema, example: batchListExample } },
      problems: ["INDEX_UNAVAILABLE", "INVALID_FILTER", "CHAIN_CHANGED"],
      handler: async ({ query }) => ({
        body: { batches: await requireIndex(deps).listBatches(query), index: await indexStatus(deps) },
      }),
    }),
    defineRoute({
      method: "get",
      path: "/participants",
      operationId: "listParticipants",
      summary: "Admitted participants (from the index), by status, kind or a part of their organisation name",
      tags: ["participants"],
      query: z.object({
        status: z.enum(PARTICIPANT_STATUS_VALUES).optional(),
        kind: z.enum(PARTICIPANT_KIND_VALUES).optional(),
        name: wellFormedText(1, 200)
          .optional()
          .describe("part of the organisation name, any case (e.g. `acme` finds `ACME Refurbishing Ltd`)"),
      }),
      example: { query: { status: "active", name: "acme" } },
      responses: {
        200: { description: "Participants", schema: participantListSchema, example: participantListExample },
      },
      problems: ["INDEX_UNAVAILABLE", "INVALID_FILTER", "CHAIN_CHANGED"],
      handler: async ({ query }) => ({
        body: { participants: await requireIndex(deps).participants(query), index: await indexStatus(deps) },
      }),
    }),
    defineRoute({
      method: "get",
      path: "/participants/:address",
      operationId: "getParticipant",
      summary: "An account's standing, organisation name, roles and accreditation, read from the chain",
      tags: ["participants"],
      params: z.object({ address }),
      example: { params: { address: participantExample.account } },
      responses: { 200: { description: "Participant", schema: participantSchema, example: participantExample } },
      handler: async ({ params }) => ({ body: await deps.reads.participant(params.address) }),
    }),
    defineRoute({
      method: "get",
      path: "/auditors",
      operationId: "listAuditors",
      summary: "Current auditors (index) and the signature threshold (chain)",
      tags: ["participants", "auditors"],
      responses: { 200: { description: "Auditors", schema: auditorsSchema, example: auditorsExample } },
      problems: ["INDEX_UNAVAILABLE", "CHAIN_CHANGED"],
      handler: async () => ({
        body: {
          auditors: await requireIndex(deps).auditors(),
          // The head is read first (one eth_blockNumber): right after the admin sets it, the answer must be the new
          // threshold, not the one cached at the block before the head poller moves (the admin screen reloads now).
          threshold: await deps.reads.cache
            .refresh()
            .then(() => deps.reads.cache.get("threshold", () => deps.chain.auditorThreshold())),
          index: await indexStatus(deps),
        },
      }),
    }),
    ...deviceRoutes(deps),
    ...publicSampleRoutes(deps),
    ...externalSetRoutes(deps),
  ];
}

let pageCache: string | undefined;
async function verifyPage(deps: AppDeps): Promise<string> {
  if (pageCache === undefined) {
    const { readFile } = await import("node:fs/promises");
    pageCache = await readFile(`${deps.publicDir}/verify.html`, "utf8");
  }
  return pageCache;
}
