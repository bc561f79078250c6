/** The documents corporates hand to auditors: retirement certificates and Scope 3 reports, from the chain. */
import { z } from "zod";

import {
  certificateHtml,
  certificatePdf,
  retirementCertificate,
  scope3ChainInputs,
  Scope3InputError,
  type InventoryLine,
} from "../../../core/documents/index.ts";
import { REQUEST_LIMITS } from "../../../core/config.ts";
import { organisationKey } from "../../../core/claims/attribution.ts";
import { claimSource, requireIndex, type AppDeps } from "../deps.ts";
import { HttpProblem } from "../problem.ts";
import { deliveriesOf } from "../services/deliveries.ts";
import { defineRoute, type RouteSpec } from "../route/define.ts";
import { checksumAddress } from "../responses.ts";
import { address, positiveId, uintString, wellFormedText } from "../schemas.ts";
import { capCsvRows } from "../workers/caps.ts";
import { inWorker, WorkerTaskError } from "../workers/index.ts";
import { buildScope3, type Scope3BuildTask } from "../workers/tasks.ts";

/** The app's reference table (an API serving reports has one). */
function requireReference(deps: AppDeps) {
  if (!deps.reference) throw new Error("the API was started without reference data");
  return deps.reference;
}

const CATEGORY = z.enum(["laptop", "desktop", "monitor", "smartphone", "tablet", "server"]);
const inventoryLine = z.object({
  year: z.number().int().min(2000).max(2100).optional(),
  category: CATEGORY,
  devices: z.number().int().min(0).max(100_000_000),
  pcfKgPerDevice: z
    .string()
    .regex(/^\d+(\.\d+)?$/, "kgCO2e per device as a decimal string")
    .optional(),
  manufacturer: z.string().max(200).optional(),
  model: z.string().max(200).optional(),
  scope3Category: z
    .union([z.literal(1), z.literal(2)])
    .optional()
    .describe("1 purchased goods, 2 capital goods: certificates then apply only to rows of their Scope 3 category"),
});

const EXAMPLE_ACCOUNT = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";
const indexAt = z.object({ lastBlock: z.number().int().nullable() }).describe("how far the event index has read");
const candidatesSchema = z.object({
  account: checksumAddress,
  nameKey: z.string().nullable(),
  candidates: z.array(
    z.object({
      retirementId: uintString,
      blockNumber: z.number().int().describe("the block of its CertificatesRetired"),
      batchId: uintString.describe("the batch the claim rests on now"),
      batchBlock: z.number().int().nullable().describe("the block of that batch's BatchIssued"),
    }),
  ),
  index: indexAt,
});
const registeredSchema = z.object({
  key: z.string(),
  participants: z.array(
    z.object({ account: checksumAddress, name: z.string(), nameKey: z.string(), status: z.string() }),
  ),
  index: indexAt,
});

function requireClaimIndex(deps: AppDeps) {
  const index = requireIndex(deps);
  if (!index.claimCandidates || !index.participantsNamed)
    throw new HttpProblem(503, "INDEX_UNAVAILABLE", "Service unavailable", "this index has no claim lookups");
  return {
    status: () => index.status(),
    claimCandidates: (account: string, nameKey: string | null) => index.claimCandidates!(account, nameKey),
    participantsNamed: (keys: readonly string[]) => index.participantsNamed!(keys),
  };
}

const FORMATS = {
  json: "application/json",
  csv: "text/csv; charset=utf-8",
  html: "text/html; charset=utf-8",
  pdf: "application/pdf",
  svg: "image/svg+xml",
  png: "image/png",
} as const;

export function documentRoutes(deps: AppDeps): RouteSpec[] {
  // Links name this API's public URL (ITEC_PUBLIC_URL, else where it listens); commands, the node it reads.
  // The deliveries a holder received a batch with live in the job store: named when this API opens one.
  const deliveries = () => (deps.oracle ? deliveriesOf(deps.oracle.store) : undefined);
  const options = () => ({
    verifyBaseUrl: deps.publicUrl,
    rpcUrl: deps.publicRpcUrl ?? deps.chain.provider._getConnection().url,
    deliveries: deliveries(),
  });
  return [
    defineRoute({
      method: "get",
      path: "/retirements/:id/certificate.pdf",
      operationId: "retirementCertificatePdf",
      summary: "The retirement certificate as a one-page PDF, rendered only from on-chain data and the verified report",
      tags: ["retirements", "documents"],
      params: z.object({ id: positiveId }),
      example: { params: { id: "1" } },
      responses: {
        200: { description: "PDF", contentType: "application/pdf" },
        404: { description: "No such retirement" },
      },
      problems: ["NOT_FOUND"],
      handler: async ({ params }) => ({
        raw: await certificatePdf(await retirementCertificate(deps.reads, params.id, options())),
        contentType: "application/pdf",
        headers: { "Content-Disposition": `inline; filename="itec-retirement-${params.id}.pdf"` },
      }),
    }),
    defineRoute({
      method: "get",
      path: "/retirements/:id/certificate.html",
      operationId: "retirementCertificateHtml",
      summary: "The retirement certificate as HTML (same content as the PDF)",
      tags: ["retirements", "documents"],
      params: z.object({ id: positiveId }),
      example: { params: { id: "1" } },
      responses: { 200: { description: "HTML", contentType: "text/html" }, 404: { description: "No such retirement" } },
      problems: ["NOT_FOUND"],
      handler: async ({ params }) => ({
        raw: certificateHtml(await retirementCertificate(deps.reads, params.id, options())),
        contentType: "text/html; charset=utf-8",
      }),
    }),
    defineRoute({
      method: "post",
      path: "/reports/scope3",
      operationId: "scope3Report",
      summary: "Scope 3 certificate-adjusted IT procurement intensity for an account and year",
      description:
        "Send the procurement inventory (JSON, or text/csv with columns year,category,devices,pcf_kg_per_device," +
        "manufacturer,model and optionally scope3_category, with the account and year in the query). The account's " +
        "retirements are found through the event index (without one, by a scan of the chain), each verified on the " +
        "chain and attributed to one organisation or none (ADR 0051); `readAt` says where and when. " +
        "format: json (default), csv, html, pdf, svg (chart), png (chart).",
      tags: ["documents"],
      limit: "write",
      query: z.object({
        format: z.enum(["json", "csv", "html", "pdf", "svg", "png"]).default("json"),
        account: address.optional(),
        year: z.coerce.number().int().min(2000).max(2100).optional(),
      }),
      body: z.union([
        z.object({
          account: address,
          year: z.number().int().min(2000).max(2100),
          inventory: z.array(inventoryLine).min(1).max(REQUEST_LIMITS.inventoryRows),
        }),
        z.string(),
      ]),
      bodyTypes: ["application/json", "text/csv"],
      example: {
        query: { format: "json" },
        body: {
          account: "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
          year: 2026,
          inventory: [
            { category: "laptop", devices: 150, pcfKgPerDevice: "300", scope3Category: 2 },
            { category: "monitor", devices: 40, manufacturer: "Dell", model: "P2422H" },
          ],
        },
      },
      responses: { 200: { description: "The report in the requested format" } },
      problems: ["BAD_INVENTORY", "TOO_MANY_ROWS", "SERVER_BUSY"],
      handler: async ({ body, query }) => {
        let account: string;
        let year: number;
        let inventory: readonly InventoryLine[] | { csv: string };
        if (typeof body === "string") {
          if (!query.account || query.year === undefined) {
            throw new HttpProblem(422, "INVALID_INPUT", "Invalid input", "a CSV inventory needs ?account=…&year=…", {
              errors: [{ pointer: "/query/account", detail: "required with a CSV body" }],
            });
          }
          account = query.account;
          year = query.year;
          capCsvRows(body, REQUEST_LIMITS.inventoryRows, "inventory rows");
          inventory = { csv: body }; // parsed with the report, on the worker
        } else {
          account = body.account;
          year = body.year;
          inventory = body.inventory.map((l) => ({ ...l, year: l.year ?? year }));
        }
        const f = query.format;
        const chain = await scope3ChainInputs(deps.reads, account, claimSource(deps), deliveries());
        const task: Scope3BuildTask = {
          kind: "scope3Build",
          input: { ...chain, account, reportingYear: year },
          inventory,
          reference: deps.referenceFile?.bytes ?? new Uint8Array(),
          format: f,
        };
        let out: string | Uint8Array;
        try {
          // Parsed, built and rendered on a worker thread: a 10,000-row inventory's CSV, report and PDF take
          // seconds of CPU the event loop must not give. Without the reference file's bytes (an app built around
          // a table only) the report is built here and only rendered there.
          out = deps.referenceFile?.bytes
            ? await inWorker<string | Uint8Array>(deps, task)
            : await inWorker<string | Uint8Array>(deps, {
                kind: "scope3",
                report: buildScope3(task, requireReference(deps)),
                format: f,
              });
        } catch (error) {
          const invalid =
            error instanceof Scope3InputError ||
            (error instanceof WorkerTaskError && error.errorName === Scope3InputError.name);
          if (invalid) throw new HttpProblem(422, (error as Scope3InputError).code, "Invalid inventory", error.message);
          throw error;
        }
        const raw = typeof out === "string" ? out : Buffer.from(out.buffer, out.byteOffset, out.byteLength);
        return { raw, contentType: FORMATS[f] };
      },
    }),
    defineRoute({
      method: "get",
      path: "/claims/candidates",
      operationId: "claimCandidates",
      summary: "Retirements that may concern an organisation, from the event index: to verify on the chain",
      description:
        "Retirements naming the account as beneficiary account, retired by it, or naming no beneficiary account " +
        "and a beneficiary name whose organisation key (ADR 0051) is nameKey — candidates only: the index is not " +
        "the truth; verify each on the chain and attribute it from the chain's data (what `itec report scope3 " +
        "--api` does).",
      tags: ["documents"],
      query: z.object({
        account: address,
        nameKey: wellFormedText(1, 400).optional().describe("organisationKey of the organisation's registered name"),
      }),
      example: { query: { account: EXAMPLE_ACCOUNT, nameKey: "acme corporation" } },
      responses: {
        200: {
          description: "Candidates, ascending id",
          schema: candidatesSchema,
          example: {
            account: EXAMPLE_ACCOUNT,
            nameKey: "acme corporation",
            candidates: [{ retirementId: "7", blockNumber: 1842, batchId: "3", batchBlock: 1790 }],
            index: { lastBlock: 1900 },
          },
        },
      },
      problems: ["INDEX_UNAVAILABLE", "INVALID_FILTER", "CHAIN_CHANGED"],
      handler: async ({ query }) => {
        const index = requireClaimIndex(deps);
        const nameKey = query.nameKey ? organisationKey(query.nameKey) : null;
        // The last block first: every retirement up to it is among the candidates.
        const { lastBlock } = await index.status();
        const candidates = await index.claimCandidates(query.account, nameKey);
        return { body: { account: query.account, nameKey, candidates, index: { lastBlock } } };
      },
    }),
    defineRoute({
      method: "get",
      path: "/claims/registered",
      operationId: "registeredNamed",
      summary:
        "Participants registered under an organisation name key, from the event index: re-read them on the chain",
      tags: ["documents", "participants"],
      query: z.object({ key: wellFormedText(1, 400).describe("an organisation name or its key (ADR 0051)") }),
      example: { query: { key: "globex gmbh" } },
      responses: {
        200: {
          description: "Participants under the key",
          schema: registeredSchema,
          example: {
            key: "globex gmbh",
            participants: [
              {
                account: "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
                name: "Globex GmbH",
                nameKey: "globex gmbh",
                status: "active",
              },
            ],
            index: { lastBlock: 1900 },
          },
        },
      },
      problems: ["INDEX_UNAVAILABLE", "CHAIN_CHANGED"],
      handler: async ({ query }) => {
        const index = requireClaimIndex(deps);
        const key = organisationKey(query.key);
        const { lastBlock } = await index.status();
        const participants = await index.participantsNamed([key]);
        return { body: { key, participants, index: { lastBlock } } };
      },
    }),
  ];
}
