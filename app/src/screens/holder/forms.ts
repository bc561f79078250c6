/** Form pieces the transfer and retire screens share: the held-batch picker and the amount check. */
import type { PortfolioEntry } from "../../../../sdk/src/api-operations.ts";
import { h } from "../../ui/dom.ts";
import { count } from "../../ui/format.ts";

/** One option per usable batch: "#7 laptop — 12 I-TEC held (V̄ 47.959 kgCO2e/device)". */
export function batchOptions(usable: readonly PortfolioEntry[], preselect: string | null): HTMLOptionElement[] {
  const options = usable.map((b) =>
    h(
      "option",
      { value: b.batchId, selected: b.batchId === preselect },
      `#${b.batchId} ${b.category} — ${count(b.held)} I-TEC held (V̄ ${b.reductionKgPerDevice} kgCO2e/device)`,
    ),
  );
  if (!usable.some((b) => b.batchId === preselect)) {
    options.unshift(h("option", { value: "", selected: true }, "Choose a batch"));
  }
  return options;
}

/**
 * The amount as a decimal string, or the sentence saying why it is refused: whole certificates, at least 1, at most
 * what is held. Digit grouping the reader may type ("1,000", "1 000") is accepted.
 */
export function checkAmount(raw: string, held: string): { amount: string } | { error: string } {
  const trimmed = raw.trim();
  // Grouped thousands ("1,000", "1 000", "1.000") but never a fraction ("1.5" is refused, not read as 15).
  const text = /^\d{1,3}([,.'\s\u00a0\u202f]\d{3})+$/.test(trimmed) ? trimmed.replace(/\D/g, "") : trimmed;
  if (!/^[0-9]+$/.test(text) || BigInt(text) === 0n) {
    return { error: "Give a whole number of certificates, at least 1." };
  }
  if (BigInt(text) > BigInt(held)) {
    return { error: `You hold ${count(held)} I-TEC of this batch: give at most that many.` };
  }
  return { amount: BigInt(text).toString() };
}
