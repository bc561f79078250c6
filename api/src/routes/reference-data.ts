/**
 * The reference data the oracle calculates with, as bytes: the web app calculates a lot in the browser with the same
 * file (core/calc/browser.ts), and anyone can check a report's `referenceData.sha256` against it. Public.
 */
import { z } from "zod";

import { METHOD_VERSION, PARAMS_VERSION } from "../../../core/calc/index.ts";
import type { AppDeps } from "../deps.ts";
import { HttpProblem } from "../problem.ts";
import { defineRoute, type RouteSpec } from "../route/define.ts";

export const referenceInfoSchema = z
  .object({
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    rows: z.number().int().nonnegative(),
    methodVersion: z.string(),
    paramsVersion: z.string(),
    source: z.string(),
  })
  .meta({ id: "ReferenceDataInfo" });

export const referenceInfoExample = {
  sha256: "3c8b4e0c9f3d6c1c2a6f1e0a7b9d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d",
  rows: 1226,
  methodVersion: METHOD_VERSION,
  paramsVersion: PARAMS_VERSION,
  source: "Boavizta environmental-footprint-data boavizta-data-us.csv, commit 61323eb5c3bb63b0703e7a9c6456482ccbaac3a6",
};

export function referenceDataRoutes(deps: AppDeps): RouteSpec[] {
  const file = () => {
    if (!deps.referenceFile) {
      throw new HttpProblem(503, "ORACLE_UNAVAILABLE", "Service unavailable", "no reference data is loaded here");
    }
    return deps.referenceFile;
  };
  return [
    defineRoute({
      method: "get",
      path: "/reference-data",
      operationId: "getReferenceData",
      summary: "The reference CSV the oracle calculates with: the exact bytes whose sha256 lots record",
      description:
        "`X-Reference-Sha256` is the sha256 (hex) of the body: a lot's `referenceDataSha256`. The `ETag` is derived " +
        "from it, so `If-None-Match` answers 304 while the file is unchanged.",
      tags: ["reference"],
      responses: {
        // 304 (If-None-Match) is express's answer to the ETag, not the route's: described above, not listed.
        200: { description: "CSV (Boavizta columns)", contentType: "text/csv" },
      },
      problems: ["ORACLE_UNAVAILABLE"],
      handler: async () => {
        const { bytes, table } = file();
        return {
          raw: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
          contentType: "text/csv; charset=utf-8",
          headers: {
            ETag: `"sha256-${table.sha256}"`,
            "X-Reference-Sha256": table.sha256,
            // The file changes only with a restart under another ITEC_REFERENCE_PATH: revalidate, cheaply (304).
            "Cache-Control": "public, no-cache",
          },
        };
      },
    }),
    defineRoute({
      method: "get",
      path: "/reference-data/info",
      operationId: "getReferenceDataInfo",
      summary: "What the reference data is: its sha256, rows, the method and parameters it serves, its source",
      tags: ["reference"],
      responses: { 200: { description: "Reference data", schema: referenceInfoSchema, example: referenceInfoExample } },
      problems: ["ORACLE_UNAVAILABLE"],
      handler: async () => {
        const { table } = file();
        return {
          body: {
            sha256: table.sha256,
            rows: table.rows,
            methodVersion: METHOD_VERSION,
            paramsVersion: PARAMS_VERSION,
            source: table.source,
          },
        };
      },
    }),
  ];
}
