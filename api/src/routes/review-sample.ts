/**
 * The audit sample of a batch in review (docs/methodology.md, "Audit sampling"): the devices whose physical
 * evidence auditors check, drawn by the oracle from a seed the chain fixed after the lot's submission, and the
 * signed-in auditor's outcome per sampled device (evidence seen / missing), stored with the review.
 */
import { z } from "zod";

import { sampleComplete, sampleRecordHash } from "../../../core/audit/sample-record.ts";
import type { Oracle } from "../../../oracle/src/index.ts";
import { requireOracle, requireRole, type AppDeps } from "../deps.ts";
import { HttpProblem } from "../problem.ts";
import { defineRoute, type RouteSpec } from "../route/define.ts";
import { batchJobId, hash32 } from "../schemas.ts";

const outcome = z.enum(["seen", "missing"]);

export const sampleSchema = z
  .object({
    state: z.enum(["pending", "drawn"]).describe("pending: the block after the submission does not exist yet"),
    plan: z.string().nullable(),
    submittedBlock: z.number().int().nonnegative().describe("the chain's latest block when the lot was stored"),
    seedBlock: z.number().int().nonnegative().nullable().describe("submittedBlock + 1: its hash seeds the draw"),
    seedBlockHash: hash32.nullable(),
    seed: hash32.nullable().describe("keccak256(abi.encode(seedBlockHash, reportHash, uint8 category))"),
    population: z.number().int().nonnegative().nullable().describe("eligible devices of the batch"),
    size: z.number().int().nonnegative().nullable().describe("n of the zero-acceptance plan (95 % / 5 %)"),
    devices: z.array(
      z.object({
        deviceId: hash32,
        outcome: outcome.nullable().describe("the batch's outcome: the latest recorded by any of its auditors"),
      }),
    ),
    sampleHash: hash32
      .nullable()
      .describe("keccak256 of the canonical sample record, once every device has an outcome: the attestation's"),
  })
  .meta({ id: "AuditSample" });

export type SampleView = z.infer<typeof sampleSchema>;

/**
 * The sample of `batchId` as auditors review it: the draw and the batch's outcome per device (the latest recorded
 * by any of its auditors: one record they all sign), with the hash the attestation carries once it is complete.
 */
export async function sampleView(oracle: Oracle, batchId: string): Promise<SampleView | null> {
  const row = await oracle.store.samples.of(batchId);
  if (!row) return null;
  const record = await oracle.sampleRecord(batchId);
  return {
    state: record ? "drawn" : "pending",
    plan: record?.plan ?? null,
    submittedBlock: row.submitted_block,
    seedBlock: record?.seedBlock.number ?? null,
    seedBlockHash: record?.seedBlock.hash ?? null,
    seed: record?.seed ?? null,
    population: record?.population ?? null,
    size: record?.size ?? null,
    devices: record?.devices ?? [],
    sampleHash: record && sampleComplete(record) ? sampleRecordHash(record) : null,
  };
}

const example: SampleView = {
  state: "drawn",
  plan: "ITEC-SAMPLE-1",
  submittedBlock: 41,
  seedBlock: 42,
  seedBlockHash: `0x${"ab".repeat(32)}`,
  seed: `0x${"5e".repeat(32)}`,
  population: 2,
  size: 2,
  devices: [
    { deviceId: `0x${"11".repeat(32)}`, outcome: "seen" },
    { deviceId: `0x${"22".repeat(32)}`, outcome: null },
  ],
  sampleHash: null,
};

export function reviewSampleRoutes(deps: AppDeps): RouteSpec[] {
  const auditorSample = async (session: Parameters<typeof requireRole>[1], batchId: string) => {
    const oracle = requireOracle(deps);
    const me = await requireRole(deps, session, ["auditor"]);
    const batch = await oracle.store.batch(batchId);
    if (!batch) throw new HttpProblem(404, "NOT_FOUND", "Not found", `no batch job ${batchId}`);
    return { oracle, me, batch };
  };
  return [
    defineRoute({
      method: "get",
      path: "/reviews/:batchId/sample",
      operationId: "getReviewSample",
      summary: "A batch's audit sample: seed block, seed, n devices and the signed-in auditor's outcomes",
      tags: ["batches", "auditors"],
      auth: "session",
      params: z.object({ batchId: batchJobId }),
      example: { params: { batchId: "L1-server" } },
      responses: { 200: { description: "The sample", schema: sampleSchema, example } },
      problems: ["FORBIDDEN", "NOT_FOUND", "ORACLE_UNAVAILABLE"],
      handler: async ({ params, session }) => {
        const { oracle } = await auditorSample(session, params.batchId);
        const view = await sampleView(oracle, params.batchId);
        if (!view) throw new HttpProblem(404, "NOT_FOUND", "Not found", `batch ${params.batchId} has no audit sample`);
        return { body: view };
      },
    }),
    defineRoute({
      method: "post",
      path: "/reviews/:batchId/sample",
      operationId: "recordSampleEvidence",
      summary: "Records the signed-in auditor's outcome per sampled device: evidence seen or missing",
      description:
        "Only devices of the drawn sample (else 422 INVALID_INPUT); a later record for the same device replaces " +
        "the earlier one. 409 BATCH_STATE while the sample is not drawn yet.",
      tags: ["batches", "auditors"],
      auth: "session",
      limit: "write",
      params: z.object({ batchId: batchJobId }),
      body: z.object({
        outcomes: z
          .array(z.object({ deviceId: hash32, outcome }))
          .min(1)
          .max(1000),
      }),
      example: {
        params: { batchId: "L1-server" },
        body: { outcomes: [{ deviceId: `0x${"11".repeat(32)}`, outcome: "seen" }] },
      },
      responses: { 200: { description: "The sample with the outcomes recorded", schema: sampleSchema, example } },
      problems: ["FORBIDDEN", "NOT_FOUND", "BATCH_STATE", "ORACLE_UNAVAILABLE"],
      handler: async ({ params, body, session }) => {
        const { oracle, me } = await auditorSample(session, params.batchId);
        const record = await oracle.sampleRecord(params.batchId);
        if (!record) {
          throw new HttpProblem(
            409,
            "BATCH_STATE",
            "Sample not drawn",
            `batch ${params.batchId} has no drawn sample yet`,
          );
        }
        const sampled = new Set(record.devices.map((d) => d.deviceId));
        const errors = body.outcomes.flatMap((o, i) =>
          sampled.has(o.deviceId.toLowerCase())
            ? []
            : [{ pointer: `/body/outcomes/${i}/deviceId`, detail: "not a device of this batch's sample" }],
        );
        if (errors.length > 0) {
          throw new HttpProblem(422, "INVALID_INPUT", "Invalid input", "devices outside the sample", { errors });
        }
        await oracle.recordSampleOutcomes(params.batchId, me.account, body.outcomes);
        return { body: (await sampleView(oracle, params.batchId))! };
      },
    }),
  ];
}
