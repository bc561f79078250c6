/**
 * Why a lot is refused, said with the next step: LOT_DUPLICATE when its reference is taken (with what became of
 * the stored lot's batches), LOT_NOTHING_ELIGIBLE when not one of its devices can be certified.
 */
import type { LotFigures } from "./lot-calculation.ts";
import { OracleError } from "../../../core/errors.ts";
import type { JobStore } from "../store/jobs.ts";
import type { LotHead } from "../store/rows.ts";
import { RESERVING_STATES } from "../store/transitions.ts";
import type { SubmitLotInput } from "./intake.ts";
import { lotSummary } from "./lot-summary.ts";

/**
 * LOT_DUPLICATE for a lot whose reference is taken (docs/adr/0040-lot-identity.md). A lot's identity is
 * (refurbisher, lotRef), lotRef defaulting to the hash of the devices; the calculation options are not part of
 * it, so the same devices are never certified twice under two option sets. `identical` (same devices, same
 * options; an as-of date not given matches any) lets the API answer with the stored lot instead.
 */
export async function duplicateLot(
  store: JobStore,
  existing: LotHead,
  input: Pick<SubmitLotInput, "asOf" | "defaultTransport">,
  inputSha256: string,
): Promise<OracleError> {
  const stored = JSON.parse(existing.options_json) as { asOf: string; defaultTransport?: string };
  const sameDevices = existing.input_sha256 === inputSha256;
  const differences: Record<string, { submitted: string | null; now: string | null }> = {};
  if ((stored.defaultTransport ?? null) !== (input.defaultTransport ?? null)) {
    differences.defaultTransport = {
      submitted: stored.defaultTransport ?? null,
      now: input.defaultTransport ?? null,
    };
  }
  if (input.asOf !== undefined && input.asOf !== existing.as_of) {
    differences.asOf = { submitted: existing.as_of, now: input.asOf };
  }
  const ref = existing.lot_ref;
  if (sameDevices && Object.keys(differences).length === 0) {
    return new OracleError("LOT_DUPLICATE", `lot ${ref} was already submitted as ${existing.id}, identical`, {
      lotId: existing.id,
      identical: true,
    });
  }
  const newRef = "submit it under a new lot reference (lotRef; `itec lot submit --lot-ref <new-ref>`)";
  if (!sameDevices) {
    return new OracleError(
      "LOT_DUPLICATE",
      `lot reference "${ref}" is already lot ${existing.id}, with other devices: ${newRef}`,
      { lotId: existing.id, identical: false, sameDevices: false },
    );
  }
  const changed = Object.entries(differences)
    .map(([k, d]) => `${k} ${d.submitted ?? "none"} → ${d.now ?? "none"}`)
    .join(", ");
  const batches = await store.batchesOfLot(existing.id);
  const issued = batches.filter((b) => b.state === "confirmed" || b.state === "posted").map((b) => b.id);
  const pending = batches
    .filter((b) => RESERVING_STATES.includes(b.state) && !issued.includes(b.id))
    .map((b) => `${b.id} (${b.state})`);
  const forward = [
    issued.length
      ? `${issued.join(", ")} ${issued.length === 1 ? "is" : "are"} issued: those devices stay certified`
      : "",
    pending.length
      ? `${pending.join(", ")} still hold${pending.length === 1 ? "s" : ""} its devices until an auditor rejects ` +
        `${pending.length === 1 ? "it" : "them"} (\`itec auditor reject <batch job> --reason …\`); then ${newRef}`
      : `to recalculate them, ${newRef}`,
  ].filter(Boolean);
  return new OracleError(
    "LOT_DUPLICATE",
    `these devices were already submitted as lot ${existing.id} (ref ${ref}) with other options (${changed}); ` +
      `the options are not part of a lot's identity, so the same devices are never certified twice: ` +
      forward.join("; "),
    { lotId: existing.id, identical: false, sameDevices: true, differences, issued, pending },
  );
}

/**
 * LOT_NOTHING_ELIGIBLE: not one device of the lot can be certified, so nothing is stored (the lot's reference
 * stays free for the corrected lot). Says why, with the next step; `summary` carries the grouped problems.
 */
export function nothingEligible(r: LotFigures, holders: ReadonlyMap<string, number>): OracleError {
  const summary = lotSummary(r);
  const excluded = Object.entries(r.excluded)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  const n = r.deviceCount;
  let why: string;
  if (summary.missingTransport > 0) {
    const m = summary.missingTransport;
    why =
      `${m} row${m === 1 ? " has" : "s have"} no transport and the lot has no default transport: give the lot's ` +
      "legs (defaultTransport, e.g. hgv:600;van:250; `itec lot submit --transport`) or fill the transport column, " +
      "then submit again";
  } else if (holders.size > 0) {
    why =
      `its eligible devices are already in ${[...holders.keys()].join(", ")}, and a device is never certified twice ` +
      "(docs/adr/0040-lot-identity.md)";
  } else {
    why = "the calculation report (`itec calc <lot>`) says why each device is excluded; fix the rows and submit again";
  }
  return new OracleError(
    "LOT_NOTHING_ELIGIBLE",
    `none of the lot's ${n} device${n === 1 ? "" : "s"} is eligible (excluded: ${excluded}), so nothing was stored: ${why}`,
    { summary, holders: Object.fromEntries(holders) },
  );
}
