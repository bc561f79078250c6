/**
 * ITEC-CALC 1.0 as the SDK's `recomputeBatch` takes an engine (sdk/src/recompute.ts): the lot a report records, run
 * again with the reference CSV. Browser-safe like browser.ts (no `node:` module): the CLI and the public verify page
 * run this same module.
 */
import type { RecomputeEngine, RecomputeInput, RecomputedBatch } from "../../sdk/src/recompute.ts";
import { referenceTableOf } from "./browser.ts";
import { plain } from "./decimal.ts";
import { calculateLot } from "./index.ts";
import { isCategory, METHOD_VERSION, PARAMS, PARAMS_VERSION } from "./params.ts";
import type { DeviceInput, InputProblem } from "./types.ts";

function calculate(input: RecomputeInput, reference: Uint8Array): { reportJson: string; batches: RecomputedBatch[] } {
  const devices: DeviceInput[] = input.devices.map((d) => {
    const { readerProblems, ...row } = d;
    return readerProblems === undefined ? row : { ...row, readerProblems: readerProblems as InputProblem[] };
  });
  const result = calculateLot(
    devices,
    {
      asOf: input.asOf,
      defaultTransport: input.defaultTransport,
      lotId: input.lotId,
      refurbisher: input.refurbisher,
      certifiedDeviceIds: input.certifiedDeviceIds,
      claimedElsewhere: input.claimedElsewhere,
    },
    referenceTableOf(reference),
  );
  return {
    reportJson: result.reportJson,
    batches: result.batches.map((b) => ({
      category: b.category,
      certificates: b.certificates,
      baselineGrams: b.baselineGrams.toString(),
      reductionGrams: b.reductionGrams.toString(),
      deviceRoot: b.deviceRoot,
      vintageStart: b.vintageStart,
      vintageEnd: b.vintageEnd,
    })),
  };
}

/** The registry's own engine for `recomputeBatch`. */
export const calcEngine: RecomputeEngine = {
  method: METHOD_VERSION,
  params: PARAMS_VERSION,
  parameters: PARAMS,
  calculate,
  referenceOf(reference, manufacturer, model, category) {
    if (!isCategory(category)) return undefined;
    const table = referenceTableOf(reference);
    const match = table.match(manufacturer, model);
    if (match !== undefined) return { tier: match.tier, M: plain(match.M), row: match.row ?? null };
    return { tier: "T3", M: plain(table.t3(category).M), row: null };
  },
};
