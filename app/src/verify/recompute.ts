/**
 * The public verify page's recomputation and audit sample replay (api/public/verify.js loads this module, built to /app/verify/recompute.js
 * by scripts/build/app.ts): the SDK's `recomputeBatch` with the registry's engine, run in the visitor's browser. The
 * chain's batch is the one the page already shows (the API's chain read, GET /verify/batches/{id}); the report and
 * the reference data are fetched from this registry's origin (the only one the page's CSP allows).
 */
import { calcEngine } from "../../../core/calc/recompute-engine.ts";
import { recomputeBatch, type RecomputeResult } from "../../../sdk/src/recompute.ts";
import type { PublicAuditSample } from "../../../sdk/src/api-operations.ts";
import { checkBatchSample, type SampleVerification } from "../../../sdk/src/sample.ts";
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

/**
 * The batch's audit sample replayed here (sdk/src/sample.ts): its public record and report from this origin, the
 * seed block's hash as this registry's API reads the chain (`itec verify batch` reads your own node instead).
 */
export async function sampleHere(batch: ChainBatch): Promise<SampleVerification> {
  const origin = globalThis.location.origin;
  const published = await fetch(`${origin}/verify/batches/${batch.batchId}/sample`).then(async (res) =>
    res.ok ? ((await res.json()) as PublicAuditSample) : undefined,
  );
  return checkBatchSample(batch, {
    apiUrl: origin,
    provider: {
      getBlock: (n) =>
        Promise.resolve(published?.record.seedBlock.number === n ? { hash: published.seedBlockHash } : null),
    },
    fetchBytes: async (url) => {
      if (url.endsWith("/sample") && published) return new TextEncoder().encode(JSON.stringify(published));
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${url} answered ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    },
  });
}
