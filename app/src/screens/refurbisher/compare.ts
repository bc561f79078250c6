/**
 * The browser's calculation next to the registry's: after a lot is submitted, every figure the browser showed
 * (report hash, reference data, per batch the certificates, B̄, V̄ and device root) is compared with what the
 * oracle recorded, and each difference is named. Pure: no DOM.
 */
import type { BrowserLotResult } from "../../calc/protocol.ts";
import type { LotView } from "./lots-api.ts";

export type FigureKind = "hash" | "sha256" | "day" | "count" | "kg" | "grams" | "root";

export interface ComparedFigure {
  /** What is compared, e.g. "server: B̄ per device". */
  label: string;
  kind: FigureKind;
  browser: string | null;
  registry: string | null;
  same: boolean;
}

export interface Comparison {
  identical: boolean;
  figures: ComparedFigure[];
  /** One sentence per difference, naming it. */
  differences: string[];
  /** Why they may differ, when the registry's answer shows it (e.g. devices already certified). */
  explanation: string | null;
}

export function compareLot(browser: BrowserLotResult, lot: LotView): Comparison {
  const figures: ComparedFigure[] = [];
  const add = (label: string, kind: FigureKind, b: string | number | null, r: string | number | null | undefined) => {
    const bs = b === null ? null : String(b);
    const rs = r === null || r === undefined ? null : String(r);
    figures.push({ label, kind, browser: bs, registry: rs, same: bs === rs });
  };
  add("Report hash", "hash", browser.reportHash, lot.reportHash);
  add("Reference data (sha256)", "sha256", browser.referenceSha256, lot.referenceDataSha256);
  add("Calculation date", "day", browser.asOf, lot.asOf);
  add("Devices", "count", browser.devices, lot.summary?.devices);
  add("Eligible devices", "count", browser.eligible, lot.summary?.eligible);

  const categories = [...new Set([...browser.batches.map((b) => b.category), ...lot.batches.map((b) => b.category)])];
  for (const category of categories) {
    const mine = browser.batches.find((b) => b.category === category);
    const summary = lot.summary?.batches.find((b) => b.category === category);
    const job = lot.batches.find((b) => b.category === category);
    add(`${category}: certificates`, "count", mine?.certificates ?? null, summary?.certificates);
    add(`${category}: B̄ per device`, "kg", mine?.baselineKg ?? null, summary?.baselineKg);
    add(`${category}: V̄ per device`, "kg", mine?.reductionKg ?? null, summary?.reductionKg);
    add(`${category}: B̄ on the certificate`, "grams", mine?.baselineGrams ?? null, job?.baselineGrams);
    add(`${category}: V̄ on the certificate`, "grams", mine?.reductionGrams ?? null, job?.reductionGrams);
    add(`${category}: device root`, "root", mine?.deviceRoot ?? null, job?.deviceRoot);
  }

  const differences = figures
    .filter((f) => !f.same)
    .map((f) => `${f.label}: ${f.browser ?? "none"} in your browser, ${f.registry ?? "none"} at the registry.`);
  return { identical: differences.length === 0, figures, differences, explanation: explain(browser, lot) };
}

function explain(browser: BrowserLotResult, lot: LotView): string | null {
  if (lot.referenceDataSha256 && lot.referenceDataSha256 !== browser.referenceSha256) {
    return "The registry calculated with other reference data than your browser fetched: reload the page and compare again.";
  }
  const mine = browser.excluded.SERIAL_DUPLICATE ?? 0;
  const theirs = lot.summary?.excluded.SERIAL_DUPLICATE ?? 0;
  if (theirs > mine) {
    return (
      `The registry excluded ${theirs - mine} more device(s) as SERIAL_DUPLICATE: they are already certified or ` +
      "reserved in another lot, which your browser cannot know."
    );
  }
  if (lot.asOf !== browser.asOf) return "The registry calculated for another date.";
  if (lot.lotRef !== browser.lotRef) {
    return `The registry holds this lot under the reference "${lot.lotRef}" (the report records it).`;
  }
  return null;
}
