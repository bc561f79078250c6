/**
 * The public verify page's recomputation (api/public/verify.js loads this module, built to /app/verify/recompute.js
 * by scripts/build/app.ts): the SDK's `recomputeBatch` with the registry's engine, run in the visitor's browser. The
 * chain's batch is the one the page already shows (the API's chain read, GET /verify/batches/{id}); the report and
 * the reference data are fetched from this registry's origin (the only one the page's CSP allows).
 */
import { calcEngine } from "../../../core/calc/recompute-engine.ts";
import { recomputeBatch, type RecomputeResult } from "../../../sdk/src/recompute.ts";
import type { ChainBatch } from "../../../sdk/src/verification.ts";

/** Recomputes `batch` here: its report and the reference data from this origin, the calculation in this tab. */
export function recomputeHere(batch: ChainBatch): Promise<RecomputeResult> {
  return recomputeBatch(batch.batchId, {
    reader: { batch: () => Promise.resolve(batch) },
    engine: calcEngine,
    apiUrl: globalThis.location.origin,
    externalSets: async () => {
      const res = await fetch(`${globalThis.location.origin}/external-sets`);
      if (!res.ok) throw new Error(`GET /external-sets answered ${res.status}`);
      return ((await res.json()) as { sets: { setId: number; root: string; scheme: string }[] }).sets;
    },
  });
}
