/**
 * Device lookups for other schemes (issue 17): is this device certified here, and in which batch? One device with its
 * Merkle proof against the batch's root on the chain, or up to 10,000 at once. Public reads; the bulk check also
 * counts in a small limiter of its own (a request there is worth up to 10,000 lookups). What a device id reveals and
 * why it is unkeyed: docs/methodology.md, "What a device id reveals".
 */
import type { Request, RequestHandler, Response } from "express";
import { z } from "zod";

import { BATCH_STATUS } from "../../../sdk/src/enums.ts";
import { requireOracle, type AppDeps } from "../deps.ts";
import { HttpProblem } from "../problem.ts";
import { rateLimiter } from "../rate-limit.ts";
import { defineRoute, type RouteSpec } from "../route/define.ts";
import { DeviceLookup, type DeviceAnswer } from "../services/device-lookup.ts";
import { hash32 } from "../schemas.ts";
import { deviceProof } from "./challenges.ts";

/** The most ids one bulk check takes. */
export const MAX_DEVICE_CHECK = 10_000;
/** Bulk checks per client and minute (each up to MAX_DEVICE_CHECK ids), besides the read limit every request counts in. */
export const DEVICE_CHECKS_PER_MINUTE = 30;

const deviceIdParam = hash32.describe("device id: 0x and 64 hex digits, keccak256(manufacturer|serial) (§8.1)");

const deviceBatchSchema = z
  .object({
    batchId: z.string().describe("the batch's id on the chain"),
    category: z.string(),
    status: z.enum(BATCH_STATUS).describe("the batch's standing on the chain: active, suspended or reversed"),
  })
  .meta({ id: "DeviceBatch" });

const deviceStandingSchema = z
  .object({
    deviceId: z.string().describe("the id asked about, lower-case"),
    status: z
      .enum(["certified", "pending", "none"])
      .describe(
        "certified: in a batch issued on the chain (see batch.status); pending: reserved by a lot under review, " +
          "not certifiable elsewhere here; none: no batch here holds it",
      ),
    batch: deviceBatchSchema.nullable().describe("the issuing batch (certified devices only)"),
  })
  .meta({ id: "DeviceStanding" });

const deviceLookupSchema = deviceStandingSchema
  .extend({
    proof: deviceProof
      .nullable()
      .describe("the device's leaf in the batch's device tree, with its Merkle proof (certified devices only)"),
    block: z.number().int().describe("the chain block the batch's status was read at"),
    links: z.record(z.string(), z.string()),
  })
  .meta({ id: "DeviceLookup" });

const deviceCheckSchema = z
  .object({
    devices: z.array(deviceStandingSchema).describe("one answer per id asked, in the order asked"),
    certified: z.number().int(),
    pending: z.number().int(),
    none: z.number().int(),
    block: z.number().int().describe("the chain block the batches' status was read at"),
  })
  .meta({ id: "DeviceCheck" });

const EXAMPLE_ID = "0xaaeed030b18b2fc294e088ed9442b77ddb2beafa96efa571b1f0336413cc3bf7";
const OTHER_ID = "0x49539566a65080afc9705893764087c477cf9215b10f49a5909deeef128c9469";
const EXAMPLE_BATCH = { batchId: "1", category: "laptop", status: "active" } as const;

/** Counts bulk checks per client in the shared API store, as the write limiter counts writes (exact). */
function bulkLimiter(deps: AppDeps): RequestHandler {
  return rateLimiter({
    bucket: "devices-check",
    limit: DEVICE_CHECKS_PER_MINUTE,
    counter: deps.store,
    logger: deps.logger,
    onLimited: () => undefined, // the handler answers (below): the route's declared problem, checked in tests
  });
}

/** Whether the bulk limiter lets `req` through (it sets the RateLimit and Retry-After headers either way). */
async function passes(limiter: RequestHandler, req: Request, res: Response): Promise<boolean> {
  let passed = false;
  await limiter(req, res, () => {
    passed = true;
  });
  return passed;
}

/** The block the answer reflects (the head the cache last saw; read once if it has seen none). */
async function headOf(deps: AppDeps): Promise<number> {
  return deps.reads.cache.head >= 0 ? deps.reads.cache.head : await deps.reads.cache.refresh();
}

const counts = (devices: readonly DeviceAnswer[]) => ({
  certified: devices.filter((d) => d.status === "certified").length,
  pending: devices.filter((d) => d.status === "pending").length,
  none: devices.filter((d) => d.status === "none").length,
});

export function deviceRoutes(deps: AppDeps): RouteSpec[] {
  let lookup: DeviceLookup | undefined;
  const devices = () => (lookup ??= new DeviceLookup(requireOracle(deps).store, deps.reads));
  let limiter: RequestHandler | undefined;
  return [
    defineRoute({
      method: "get",
      path: "/devices/:deviceId",
      operationId: "getDevice",
      summary: "Whether a device is certified here, in which batch, with its Merkle proof against the chain",
      description:
        "For other schemes checking a device before they credit it. The id is the interoperable, unkeyed " +
        '`keccak256(utf8(lower(manufacturer) + "|" + upper(serial)))` of docs/methodology.md §8.1. `status` is ' +
        "`certified` (issued on the chain; `batch.status` says whether that batch is active, suspended or reversed — " +
        "a reversed batch's devices are still never certified again here), `pending` (reserved by a lot under " +
        "review: this registry will not certify it in any other lot) or `none`. A certified device comes with its " +
        "leaf `[index, deviceId]` and Merkle proof against the batch's device root on the chain, the shape " +
        "`POST /challenges/*` takes; check it with `GET /verify/batches/{batchId}` and the SDK's " +
        "`verifyDeviceInclusion`.",
      tags: ["verify"],
      limit: "read",
      params: z.object({ deviceId: deviceIdParam }),
      example: { params: { deviceId: EXAMPLE_ID } },
      responses: {
        200: {
          description: "The device's standing (an unknown device is `none`, not an error)",
          schema: deviceLookupSchema,
          example: {
            deviceId: EXAMPLE_ID,
            status: "certified",
            batch: EXAMPLE_BATCH,
            proof: {
              root: "0x1f825e1404ce2ee9ebcc19eb9d47594bffd642497c14fe6bbde076694a9d58f7",
              index: "0",
              deviceId: EXAMPLE_ID,
              proof: ["0x253d512ef9877210cd2d4802033eaf8f6a9eb202f6901aa706cf76b89ef98865"],
            },
            block: 42,
            links: {
              self: `${deps.publicUrl}/devices/${EXAMPLE_ID}`,
              batch: `${deps.publicUrl}/verify/batches/1`,
            },
          },
        },
        422: { description: "The id is not 0x and 64 hex digits" },
      },
      problems: ["ORACLE_UNAVAILABLE"],
      handler: async ({ params }) => {
        const answer = await devices().lookup(params.deviceId);
        const links: Record<string, string> = { self: `${deps.publicUrl}/devices/${answer.deviceId}` };
        if (answer.batch) links.batch = `${deps.publicUrl}/verify/batches/${answer.batch.batchId}`;
        return { body: { ...answer, block: await headOf(deps), links } };
      },
    }),
    defineRoute({
      method: "post",
      path: "/devices/check",
      operationId: "checkDevices",
      summary: `Check up to ${MAX_DEVICE_CHECK.toLocaleString("en")} device ids at once: certified, pending or none`,
      description:
        "The bulk form of `GET /devices/{deviceId}`, without proofs (ask for one device to get its proof). One answer " +
        `per id, in the order sent. More than ${MAX_DEVICE_CHECK} ids is 422 INVALID_INPUT (a body over 25 MB, 413). ` +
        `Besides the read limit, each client may make ${DEVICE_CHECKS_PER_MINUTE} bulk checks a minute (429 ` +
        "RATE_LIMITED with `Retry-After`, counted after the body is read).",
      tags: ["verify"],
      limit: "read",
      body: z.object({
        deviceIds: z
          .array(deviceIdParam)
          .min(1)
          .max(MAX_DEVICE_CHECK)
          .describe(`1 to ${MAX_DEVICE_CHECK} device ids (0x and 64 hex digits each)`),
      }),
      example: { body: { deviceIds: [EXAMPLE_ID, OTHER_ID] } },
      responses: {
        200: {
          description: "Each device's standing",
          schema: deviceCheckSchema,
          example: {
            devices: [
              { deviceId: EXAMPLE_ID, status: "certified", batch: EXAMPLE_BATCH },
              { deviceId: OTHER_ID, status: "none", batch: null },
            ],
            certified: 1,
            pending: 0,
            none: 1,
            block: 42,
          },
        },
        422: { description: `Not 1 to ${MAX_DEVICE_CHECK} ids, or an id that is not 0x and 64 hex digits` },
        429: { description: `More than ${DEVICE_CHECKS_PER_MINUTE} bulk checks this minute from this client` },
      },
      problems: ["ORACLE_UNAVAILABLE"],
      handler: async ({ body, req, res }) => {
        if (!(await passes((limiter ??= bulkLimiter(deps)), req, res))) {
          throw new HttpProblem(
            429,
            "RATE_LIMITED",
            "Too many requests",
            `at most ${DEVICE_CHECKS_PER_MINUTE} bulk device checks per minute; retry later`,
          );
        }
        const answers = await devices().check(body.deviceIds);
        return { body: { devices: answers, ...counts(answers), block: await headOf(deps) } };
      },
    }),
  ];
}
