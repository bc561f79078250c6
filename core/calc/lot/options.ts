/** Lot-level options shared by the CLI and the API: the calculation date, default transport, lot id, refurbisher. */
import { z } from "zod";

import { parseDay } from "../dates.ts";
import { parseTransport } from "../grammar.ts";

export const lotOptionsSchema = z.object({
  /** Calculation date `YYYY-MM-DD`; the caller supplies today when absent. */
  asOf: z
    .string()
    .refine((v) => parseDay(v) !== undefined, "expected a calendar date as YYYY-MM-DD")
    .optional(),
  /** Legs for devices without their own, e.g. `hgv:600;van:250`. */
  defaultTransport: z
    .string()
    .refine((v) => parseTransport(v).ok, "expected transport legs like hgv:600;van:250 (or none)")
    .optional(),
  lotId: z
    .string()
    .min(1)
    .max(200)
    .refine(
      (v) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(v),
      "expected well-formed Unicode text",
    )
    .optional(),
  refurbisher: z.string().min(1).max(200).optional(),
});
export type LotOptionsInput = z.infer<typeof lotOptionsSchema>;

/** Today's date in UTC as `YYYY-MM-DD` — for adapters only; the calculation never reads a clock. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
