/** The calculation's reason codes as a refurbisher reads them (docs/methodology.md §6 and §7). */
import { CATEGORIES } from "../../../../sdk/src/enums.ts";

/** Why a device is excluded (methodology §6), with what to do about it where something can be done. */
export const EXCLUSION_WORDS: Readonly<Record<string, string>> = {
  SERIAL_MISSING: "No serial number: add the device's serial.",
  SERIAL_DUPLICATE:
    "The serial occurs more than once in the lot (every occurrence is excluded), or the device is already certified.",
  CLAIMED_ELSEWHERE:
    "Another scheme registered here already credited this device (an external device set lists it): it cannot be certified again.",
  NO_TEST_REPORT: "No test report id: add the functional test report's id.",
  NO_ERASURE_CERTIFICATE: "No data-erasure certificate id: add the erasure certificate's id.",
  CATEGORY_UNKNOWN: `The category is not one of the six (${CATEGORIES.join(", ")}).`,
  BAD_INPUT: "A field cannot be used (see the details).",
  TOO_OLD: "The device is older than the category's maximum age.",
  SECOND_LIFE_TOO_SHORT: "The warranted second life is shorter than 12 months.",
  MAINBOARD_REPLACED: "The mainboard was replaced: the device counts as a new one.",
  PARTS_EXCEED_HALF: "The replaced parts weigh at least half of a new device's footprint.",
};

/** Why a batch is not issued (methodology §7, the issuance gate). */
export const BATCH_REASON_WORDS: Readonly<Record<string, string>> = {
  NO_ELIGIBLE_DEVICES: "no eligible device",
  NO_CENTRAL_REDUCTION: "refurbishing does not reduce the footprint",
  NO_VERIFIED_REDUCTION: "no reduction left after the uncertainty",
  UNCERTAINTY_TOO_HIGH: "the uncertainty is above 50 %",
};

export function exclusionWords(reason: string): string {
  return EXCLUSION_WORDS[reason] ?? reason;
}

export function batchReasonWords(reason: string | null): string {
  if (!reason) return "";
  const words = BATCH_REASON_WORDS[reason];
  return words ? `${words} (${reason})` : reason;
}
