/**
 * The public audit sample record of an issued batch (docs/methodology.md, "Audit sampling"; ADR 0055): the
 * record whose keccak256 over its canonical JSON is the `sampleHash` the chain holds in the batch's BatchIssued
 * event. With it, the seed block's hash read from the chain and the batch's report, anyone replays the draw and
 * checks the outcomes the auditors signed (sdk/src/sample.ts, `itec verify batch`).
 */
import { z } from "zod";

import { sampleComplete, sampleRecordHash } from "../../../core/audit/sample-record.ts";
import { requireOracle, type AppDeps } from "../deps.ts";
import { HttpProblem } from "../problem.ts";
import { defineRoute, type RouteSpec } from "../route/define.ts";
import { hash32, positiveId } from "../schemas.ts";

const outcome = z.enum(["seen", "missing"]);

export const sampleRecordSchema = z
  .object({
    plan: z.string().describe("the sampling plan, e.g. ITEC-SAMPLE-1"),
    categoryCode: z.number().int().min(1).max(255),
    reportHash: hash32,
    submittedBlock: z.number().int().nonnegative().describe("the chain's latest block when the lot was stored"),
    seedBlock: z.object({ number: z.number().int().nonnegative(), hash: hash32 }).describe("submittedBlock + 1"),
    seed: hash32.describe("keccak256(abi.encode(seedBlock.hash, reportHash, uint8 categoryCode))"),
    population: z.number().int().nonnegative().describe("eligible devices of the batch"),
    size: z.number().int().nonnegative().describe("n of the zero-acceptance plan (95 % / 5 %)"),
    devices: z
      .array(z.object({ deviceId: hash32, outcome: outcome.nullable() }))
      .describe("the sampled devices in draw order (ascending keccak256(seed, deviceId)) with their outcome"),
  })
  .meta({ id: "AuditSampleRecord" });

export const publicSampleSchema = z
  .object({
    batchId: z.string().describe("batch (token) id"),
    sampleHash: hash32
      .nullable()
      .describe("keccak256 of the record's RFC 8785 bytes; null while a device has no outcome (never attested)"),
    record: sampleRecordSchema,
    seedBlockHash: hash32
      .nullable()
      .describe("the hash of block record.seedBlock.number as this API reads the chain now (null: no such block)"),
  })
  .meta({ id: "PublicAuditSample" });

export type PublicSample = z.infer<typeof publicSampleSchema>;

const example: PublicSample = {
  batchId: "6",
  sampleHash: "0x3f0b6f2ad54a1d9a3c2d3b8b1c1f43e2c5a55e0d0a6c6f1c1d5f3d7a9b2e4c81",
  record: {
    plan: "ITEC-SAMPLE-1",
    categoryCode: 6,
    reportHash: "0xfac3e279c59c5b2110a29fda95f1a47379770cdba38c8f185f49bacd915e5a04",
    submittedBlock: 41,
    seedBlock: { number: 42, hash: `0x${"ab".repeat(32)}` },
    seed: `0x${"5e".repeat(32)}`,
    population: 2,
    size: 2,
    devices: [
      { deviceId: `0x${"11".repeat(32)}`, outcome: "seen" },
      { deviceId: `0x${"22".repeat(32)}`, outcome: "seen" },
    ],
  },
  seedBlockHash: `0x${"ab".repeat(32)}`,
};

export function publicSampleRoutes(deps: AppDeps): RouteSpec[] {
  return [
    defineRoute({
      method: "get",
      path: "/verify/batches/:id/sample",
      operationId: "getBatchSample",
      summary: "An issued batch's audit sample record: replay its draw and check its hash against the chain",
      description:
        "The record the auditors signed: keccak256 of its canonical JSON (RFC 8785) equals the sampleHash of the " +
        "batch's BatchIssued event. The seed is keccak256(abi.encode(hash of block seedBlock.number, reportHash, " +
        "uint8 category)); every device of the batch's report is ranked by keccak256(abi.encode(seed, deviceId)) " +
        "and the n smallest are the sample (docs/methodology.md, Audit sampling). 404 when the registry recorded no " +
        "sample for the batch.",
      tags: ["verify"],
      limit: "read",
      params: z.object({ id: positiveId.describe("batch (token) id") }),
      example: { params: { id: "6" } },
      responses: {
        200: { description: "The sample record", schema: publicSampleSchema, example },
        404: { description: "No such batch, or no sample recorded for it" },
      },
      problems: ["NOT_FOUND", "ORACLE_UNAVAILABLE"],
      handler: async ({ params }) => {
        const oracle = requireOracle(deps);
        const batchId = params.id.toString();
        const job = await oracle.store.batchByTokenId(batchId);
        const record = job ? await oracle.sampleRecord(job.id) : undefined;
        if (!record) {
          throw new HttpProblem(404, "NOT_FOUND", "Not found", `no audit sample is recorded for batch ${batchId}`);
        }
        const block = await deps.reads.chain.provider.getBlock(record.seedBlock.number);
        return {
          body: {
            batchId,
            sampleHash: sampleComplete(record) ? sampleRecordHash(record) : null,
            record,
            seedBlockHash: block?.hash ?? null,
          },
        };
      },
    }),
  ];
}
