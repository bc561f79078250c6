/** Normalisation of the identifying text fields (docs/methodology.md §2 matching, §6 duplicates, §8.1 device ids). */

const WS_RUN = /\s+/g;
const WS_ANY = /\s/g;

/** Manufacturer / model / dataset name: trim, collapse inner whitespace to one space, lower-case. Idempotent. */
export function normaliseName(value: string): string {
  return value.trim().replace(WS_RUN, " ").toLowerCase();
}

/**
 * Serial as compared and hashed: every whitespace character removed, upper-cased. Idempotent.
 * (docs/methodology.md §8.1: not only spaces but tabs and non-breaking spaces too, so that copy-paste artefacts
 * cannot make two spellings of one serial look like two devices; ADR 0014.)
 */
export function normaliseSerial(value: string): string {
  return value.replace(WS_ANY, "").toUpperCase();
}

/** Category as compared: trimmed, lower-case. */
export function normaliseCategory(value: string): string {
  return value.trim().toLowerCase();
}
