/**
 * A lot's summary as stored with it (`GET /lots/:id` → `summary`): per batch its figures, and the calculation's
 * problems grouped by kind, for listings, the CLI and the reasons a lot is refused.
 */
import { groupProblems, missingTransportRows } from "../../../core/calc/problems.ts";
import type { LotFigures } from "./lot-calculation.ts";

/** Per-batch summary stored with the lot (`GET /lots/:id` → `summary`), for listings and the CLI. */
export type LotSummary = ReturnType<typeof lotSummary>;

export function lotSummary(r: LotFigures) {
  const { groups, more } = groupProblems(r.problems);
  return {
    method: r.method,
    params: r.params,
    asOf: r.asOf,
    devices: r.deviceCount,
    eligible: r.eligibleCount,
    excluded: r.excluded,
    problems: r.problems.length,
    /** The problems grouped by kind, with their lines (core/calc/problems.ts); the report lists each. */
    problemGroups: groups,
    moreProblemGroups: more,
    /** Rows without transport in a lot without a default transport. */
    missingTransport: missingTransportRows(r.problems),
    batches: r.batches.map((b) => ({
      category: b.category,
      eligible: b.eligible,
      certificates: b.certificates,
      baselineKg: b.baselineKg,
      reductionKg: b.reductionKg,
      relU: b.relU,
      issued: b.issued,
      reason: b.reason,
    })),
  };
}
