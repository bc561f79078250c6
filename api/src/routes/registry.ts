/** Lots, batch jobs, attestations and auditor signatures: the oracle's front door. */
import { Readable } from "node:stream";
import { setImmediate as yieldToLoop } from "node:timers/promises";

import { z } from "zod";

import { REQUEST_LIMITS } from "../../../core/config.ts";
import { OracleError } from "../../../core/errors.ts";
import { CalcInputError, type DeviceInput } from "../../../core/calc/index.ts";
import { lotJsonSchema, parseLotJson, readLotCsv } from "../../../core/calc/lot/index.ts";
import { LotReadError, type BatchRow, type LotCsvBytes, type LotHead } from "../../../oracle/src/index.ts";
import { requireOracle, requireRole, type AppDeps } from "../deps.ts";
import { HttpProblem } from "../problem.ts";
import {
  attestationExample,
  batchJobDetailExample,
  lotExample,
  lotRequestExample,
  metricsExample,
  rejectedBatchExample,
  rejectionRequestExample,
  signatureRequestExample,
  signedBatchExample,
} from "../examples/registry.ts";
import { attestationViewSchema, batchJobHistoryShape, oracleMetricsSchema } from "../responses.ts";
import { defineRoute, type RouteSpec } from "../route/define.ts";
import { address, batchJobId, hexData, isoDate, lotId, paging, wellFormedText } from "../schemas.ts";
import { requestIdOf } from "../request-log.ts";
import { capCsvRows, refuseOverCap } from "../workers/caps.ts";
import { lotCalculator } from "../workers/index.ts";

const batchViewSchema = z
  .object({
    id: z.string(),
    lotId: z.string(),
    category: z.string(),
    state: z.string(),
    certificates: z.number().int(),
    baselineGrams: z.string(),
    reductionGrams: z.string(),
    deviceRoot: z.string().nullable(),
    vintageStart: z.string().nullable(),
    vintageEnd: z.string().nullable(),
    reason: z.string().nullable(),
    error: z.string().nullable(),
    digest: z.string().nullable(),
    deadline: z.string().nullable(),
    tokenId: z.string().nullable(),
    links: z.record(z.string(), z.string()),
  })
  .meta({ id: "BatchJob" });

const lotViewSchema = z
  .object({
    id: z.string(),
    refurbisher: z.string(),
    lotRef: z.string(),
    status: z.string(),
    asOf: z.string(),
    reportHash: z.string().nullable(),
    referenceDataSha256: z.string().nullable(),
    submittedAt: z.string(),
    summary: z.unknown(),
    error: z.string().nullable(),
    batches: z.array(batchViewSchema),
    links: z.record(z.string(), z.string()),
  })
  .meta({ id: "Lot" });

function batchView(deps: AppDeps, b: BatchRow) {
  return {
    id: b.id,
    lotId: b.lot_id,
    category: b.category,
    state: b.state,
    certificates: b.certificates,
    baselineGrams: b.baseline_grams,
    reductionGrams: b.reduction_grams,
    deviceRoot: b.device_root,
    vintageStart: b.vintage_start,
    vintageEnd: b.vintage_end,
    reason: b.reason,
    error: b.error,
    digest: b.digest,
    deadline: b.deadline ? new Date(b.deadline * 1000).toISOString() : null,
    tokenId: b.token_id,
    links: {
      self: `${deps.publicUrl}/batches/${b.id}`,
      attestation: `${deps.publicUrl}/batches/${b.id}/attestation`,
      ...(b.token_id ? { certificate: `${deps.publicUrl}/certificates/${b.token_id}` } : {}),
    },
  };
}

async function lotView(deps: AppDeps, lot: LotHead) {
  const oracle = requireOracle(deps);
  const batches = await oracle.store.batchesOfLot(lot.id);
  return {
    id: lot.id,
    refurbisher: lot.refurbisher,
    lotRef: lot.lot_ref,
    status: lot.status,
    asOf: lot.as_of,
    reportHash: lot.report_hash,
    referenceDataSha256: lot.reference_sha256,
    submittedAt: lot.submitted_at,
    summary: lot.summary_json ? (JSON.parse(lot.summary_json) as unknown) : null,
    error: lot.error,
    batches: batches.map((b) => batchView(deps, b)),
    links: { self: `${deps.publicUrl}/lots/${lot.id}`, report: `${deps.publicUrl}/lots/${lot.id}/report` },
  };
}

const csvQuery = z.object({
  asOf: isoDate.optional().describe("calculation date (default: today, UTC)"),
  defaultTransport: z.string().max(200).optional().describe("legs for devices without their own, e.g. hgv:600;van:250"),
  lotRef: z.string().min(1).max(200).optional().describe("your own lot reference (unique per refurbisher)"),
});

/** Bytes of a CSV body the lot parser takes between two turns of the event loop (~700 rows, a few ms). */
const PIECE = 64 << 10;

/**
 * `body` as UTF-8 in PIECE-byte pieces, the event loop getting a turn between them: the lot parser reads piece by
 * piece, so a 50,000-device CSV (4.7 MB) is parsed in short runs instead of one of hundreds of milliseconds.
 */
async function* piecesOf(body: string): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(body, "utf8");
  for (let at = 0; at < bytes.length; at += PIECE) {
    if (at > 0) await yieldToLoop();
    yield bytes.subarray(at, at + PIECE);
  }
}

export function registryRoutes(deps: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: "post",
      path: "/lots",
      operationId: "submitLot",
      summary: "Submit a lot of refurbished devices (CSV or JSON); returns the calculation and its batches",
      description:
        "The signed-in account must be an active refurbisher or ITAD participant; it receives the certificates. " +
        "CSV: `Content-Type: text/csv`, header exactly as docs/methodology.md §4, options in the query. " +
        "JSON: `{ devices: [...], asOf?, defaultTransport?, lotId? }`. " +
        "A lot is identified by (refurbisher, lotRef); lotRef defaults to the hash of the devices, and the " +
        "calculation options are not part of the identity (docs/adr/0040-lot-identity.md). Submitting the identical " +
        "lot again (same devices and options) answers 200 with the stored lot, so a retry is safe; the same devices " +
        "or reference with other options or devices is 409 LOT_DUPLICATE saying how to resubmit. A lot without a " +
        "single eligible device is refused (422 LOT_NOTHING_ELIGIBLE, nothing stored) with its problems grouped. " +
        `At most ${REQUEST_LIMITS.lotDevices.toLocaleString("en")} devices per lot (413 TOO_MANY_ROWS): split larger lots.`,
      tags: ["lots"],
      auth: "session",
      limit: "write",
      query: csvQuery,
      body: z.union([lotJsonSchema, z.string()]),
      bodyTypes: ["application/json", "text/csv"],
      example: { body: lotRequestExample },
      responses: {
        200: {
          description: "The identical lot was already submitted: the stored lot, unchanged",
          schema: lotViewSchema,
          example: lotExample,
        },
        201: { description: "Lot stored and calculated", schema: lotViewSchema, example: lotExample },
        409: { description: "LOT_DUPLICATE: the reference or the devices are taken by a lot with other options" },
        422: {
          description:
            "Invalid input (one pointer per field), LOT_INVALID (the lot cannot be read) or LOT_NOTHING_ELIGIBLE " +
            "(no device is eligible; nothing stored)",
        },
      },
      problems: [
        "FORBIDDEN",
        "ORACLE_UNAVAILABLE",
        "LOT_DUPLICATE",
        "LOT_INVALID",
        "LOT_NOTHING_ELIGIBLE",
        "EXTERNAL_SET_UNAVAILABLE",
        "NOT_A_PARTICIPANT",
        "LOT_EMPTY",
        "BAD_HEADER",
        "BAD_CSV",
        "BAD_JSON",
        "BAD_OPTIONS",
        "LOT_TOO_LARGE",
        "TOO_MANY_ROWS",
        "SERVER_BUSY",
      ],
      handler: async ({ body, query, session, req }) => {
        const oracle = requireOracle(deps);
        const me = await requireRole(deps, session, ["refurbisher", "itad"]);
        let devices: DeviceInput[] | LotCsvBytes;
        let options: { asOf?: string | undefined; defaultTransport?: string | undefined; lotRef?: string | undefined };
        try {
          if (typeof body === "string") {
            capCsvRows(body, REQUEST_LIMITS.lotDevices, "devices");
            // Read where the lot is calculated (the worker pool): this thread sends its bytes, not 50,000 devices.
            devices = deps.referenceFile?.bytes
              ? { csv: new TextEncoder().encode(body) }
              : await readLotCsv(Readable.from(piecesOf(body)));
            options = { asOf: query.asOf, defaultTransport: query.defaultTransport, lotRef: query.lotRef };
          } else {
            const parsed = parseLotJson(body);
            devices = parsed.devices;
            options = {
              asOf: parsed.options.asOf ?? query.asOf,
              defaultTransport: parsed.options.defaultTransport ?? query.defaultTransport,
              lotRef: parsed.options.lotId ?? query.lotRef,
            };
          }
        } catch (error) {
          if (error instanceof CalcInputError) {
            throw new HttpProblem(422, error.code, "Invalid lot", error.message);
          }
          throw error;
        }
        if (Array.isArray(devices) && devices.length > REQUEST_LIMITS.lotDevices)
          refuseOverCap(REQUEST_LIMITS.lotDevices, "devices", devices.length);
        const requestId = req.res ? requestIdOf(req.res) : undefined; // validated by request-log.ts, never raw
        let lot: LotHead;
        try {
          lot = await oracle.submitLot({
            devices,
            refurbisher: me.account,
            ...(options.asOf ? { asOf: options.asOf } : {}),
            ...(options.defaultTransport ? { defaultTransport: options.defaultTransport } : {}),
            ...(options.lotRef ? { lotRef: options.lotRef } : {}),
            ...(requestId ? { correlationId: requestId.slice(0, 100) } : {}),
            // On the worker pool: a large lot must not hold the event loop every other request needs.
            calculator: lotCalculator(deps),
          });
        } catch (error) {
          // A CSV read on the worker pool that cannot be read: as if read here (BAD_HEADER, BAD_CSV, LOT_EMPTY).
          if (error instanceof LotReadError) throw new HttpProblem(422, error.code, "Invalid lot", error.message);
          // The identical lot again (a retry after a lost answer, say): the stored lot, as the first answer was.
          if (error instanceof OracleError && error.code === "LOT_DUPLICATE" && error.details?.identical === true) {
            const stored = await oracle.getLot(String(error.details.lotId));
            return { status: 200, body: await lotView(deps, stored), headers: { Location: `/lots/${stored.id}` } };
          }
          throw error;
        }
        return { status: 201, body: await lotView(deps, lot), headers: { Location: `/lots/${lot.id}` } };
      },
    }),
    defineRoute({
      method: "get",
      path: "/lots",
      operationId: "listMyLots",
      summary: "The signed-in refurbisher's lots, newest first",
      tags: ["lots"],
      auth: "session",
      query: z.object(paging),
      example: { query: { limit: "20", offset: "0" } },
      responses: {
        200: {
          description: "Lots",
          schema: z.object({ lots: z.array(lotViewSchema) }),
          example: { lots: [lotExample] },
        },
      },
      problems: ["ORACLE_UNAVAILABLE"],
      handler: async ({ session, query }) => {
        const oracle = requireOracle(deps);
        const lots = await oracle.store.listLots({
          refurbisher: session!.address,
          limit: query.limit,
          offset: query.offset,
        });
        return { body: { lots: await Promise.all(lots.map((l) => lotView(deps, l))) } };
      },
    }),
    defineRoute({
      method: "get",
      path: "/lots/:id",
      operationId: "getLot",
      summary: "A lot: status, calculation summary and its batches",
      tags: ["lots"],
      params: z.object({ id: lotId }),
      example: { params: { id: "L1" } },
      responses: {
        200: { description: "The lot", schema: lotViewSchema, example: lotExample },
        404: { description: "No such lot" },
      },
      problems: ["NOT_FOUND", "ORACLE_UNAVAILABLE"],
      handler: async ({ params }) => ({ body: await lotView(deps, await requireOracle(deps).getLot(params.id)) }),
    }),
    defineRoute({
      method: "get",
      path: "/lots/:id/report",
      operationId: "getLotReport",
      summary: "The lot's calculation report: the exact canonical JSON bytes whose keccak256 is the reportHash",
      tags: ["lots"],
      params: z.object({ id: lotId }),
      example: { params: { id: "L1" } },
      responses: {
        200: { description: "Canonical report (RFC 8785)", contentType: "application/json" },
        404: { description: "No such lot" },
      },
      problems: ["NOT_FOUND", "ORACLE_UNAVAILABLE"],
      handler: async ({ params }) => {
        const oracle = requireOracle(deps);
        const lot = await oracle.getLot(params.id);
        return {
          raw: await oracle.getReport(params.id),
          contentType: "application/json; charset=utf-8",
          headers: { "X-Report-Hash": lot.report_hash ?? "", "Cache-Control": "public, max-age=31536000, immutable" },
        };
      },
    }),
    defineRoute({
      method: "get",
      path: "/batches/:id",
      operationId: "getBatchJob",
      summary: "A batch job: state machine, transitions, signatures, transactions, token id once minted",
      tags: ["batches"],
      params: z.object({ id: batchJobId }),
      example: { params: { id: "L1-server" } },
      responses: {
        200: {
          description: "The batch job",
          schema: batchViewSchema.extend(batchJobHistoryShape).meta({ id: "BatchJobDetail" }),
          example: batchJobDetailExample,
        },
        404: { description: "No such batch" },
      },
      problems: ["NOT_FOUND", "ORACLE_UNAVAILABLE"],
      handler: async ({ params }) => {
        const b = await requireOracle(deps).getBatch(params.id);
        return {
          body: {
            ...batchView(deps, b),
            transitions: b.transitions.map((t) => ({ from: t.from_state, to: t.to_state, at: t.at, note: t.note })),
            signatures: b.signatures,
            transactions: b.transactions.map((t) => ({
              hash: t.hash,
              nonce: t.nonce,
              status: t.status,
              blockNumber: t.block_number,
            })),
          },
        };
      },
    }),
    defineRoute({
      method: "get",
      path: "/batches/:id/attestation",
      operationId: "getAttestation",
      summary: "What the auditor signs (eth_signTypedData_v4 payload and digest) next to the figures to review",
      tags: ["batches", "auditors"],
      params: z.object({ id: batchJobId }),
      example: { params: { id: "L1-server" } },
      responses: {
        200: {
          description: "Typed data, digest and review",
          schema: attestationViewSchema,
          example: attestationExample,
        },
        404: { description: "No such batch" },
        409: { description: "The batch has no attestation (e.g. not issuable): see its state" },
      },
      problems: ["NOT_FOUND", "BATCH_STATE", "ORACLE_UNAVAILABLE"],
      handler: async ({ params }) => ({ body: await requireOracle(deps).getAttestation(params.id) }),
    }),
    defineRoute({
      method: "post",
      path: "/batches/:id/signatures",
      operationId: "addSignature",
      summary: "Submit an auditor's EIP-712 signature (made in any wallet); verified before it is accepted",
      tags: ["batches", "auditors"],
      limit: "write",
      params: z.object({ id: batchJobId }),
      body: z.object({ auditor: address, signature: hexData }),
      example: { params: { id: "L1-server" }, body: signatureRequestExample },
      responses: {
        200: { description: "Accepted; the batch's state", schema: batchViewSchema, example: signedBatchExample },
        403: { description: "Signer is not an auditor" },
        409: {
          description:
            "Already signed, expired, the batch takes no signatures, or (ITEC_REQUIRE_AUDIT_SAMPLE) its audit sample is not drawn or not every sampled device has an outcome yet (SAMPLE_INCOMPLETE)",
        },
        422: {
          description:
            "Signature malformed, over 2,048 bytes, or not verifying for the auditor given (kept aside as unattributed, never in the auditor's name)",
        },
      },
      problems: [
        "NOT_FOUND",
        "SIGNER_NOT_AUDITOR",
        "ALREADY_SIGNED",
        "ATTESTATION_EXPIRED",
        "BATCH_STATE",
        "SAMPLE_INCOMPLETE",
        "SIGNATURE_INVALID",
        "ORACLE_UNAVAILABLE",
      ],
      handler: async ({ params, body }) => {
        const row = await requireOracle(deps).addSignature(params.id, body.auditor, body.signature);
        return { body: batchView(deps, row) };
      },
    }),
    defineRoute({
      method: "post",
      path: "/batches/:id/rejections",
      operationId: "rejectBatch",
      summary: "An auditor refuses to attest, with a reason signed as EIP-712 Rejection(attestationDigest, reason)",
      tags: ["batches", "auditors"],
      limit: "write",
      params: z.object({ id: batchJobId }),
      body: z.object({ auditor: address, reason: wellFormedText(1, 1000), signature: hexData }),
      example: { params: { id: "L1-server" }, body: rejectionRequestExample },
      responses: {
        200: {
          description: "Rejected",
          schema: batchViewSchema,
          example: rejectedBatchExample,
        },
      },
      problems: ["NOT_FOUND", "SIGNER_NOT_AUDITOR", "BATCH_STATE", "SIGNATURE_INVALID", "ORACLE_UNAVAILABLE"],
      handler: async ({ params, body }) => {
        const row = await requireOracle(deps).rejectBatch(params.id, body.auditor, body.reason, body.signature);
        return { body: batchView(deps, row) };
      },
    }),
    defineRoute({
      method: "get",
      // JSON for people and scripts; Prometheus scrapes GET /metrics (text exposition, not in this document).
      path: "/status",
      operationId: "status",
      summary: "Oracle counters and batches per state (JSON; Prometheus metrics are at GET /metrics)",
      tags: ["operations"],
      responses: { 200: { description: "Metrics", schema: oracleMetricsSchema, example: metricsExample } },
      problems: ["ORACLE_UNAVAILABLE"],
      handler: async () => ({ body: await requireOracle(deps).metrics() }),
    }),
  ];
}
