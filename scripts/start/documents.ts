/**
 * The demonstration's documents, rendered from the chain into `<data-dir>/documents/`: the retirement certificate
 * (PDF and HTML) and the corporate's Scope 3 report for 2026 (PDF, PNG chart, CSV, JSON). Recorded in demo.json; a
 * failure is reported and the next start tries again.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import type { RunningApi } from "../../api/src/server.ts";
import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import {
  certificateHtml,
  certificatePdf as renderCertificatePdf,
  parseInventoryCsv,
  retirementCertificate,
  scope3ChartSvg,
  scope3Csv,
  scope3ForAccount,
  scope3Pdf as renderScope3Pdf,
  svgToPng,
} from "../../core/documents/index.ts";
import { devAccount } from "../../core/keys.ts";
import type { DataDir } from "./data-dir.ts";
import { START_ROLES } from "./dev-accounts.ts";
import { complain, oneLine, say } from "./terminal.ts";

export interface DemoDocuments {
  certificatePdf: string;
  scope3Pdf: string;
  scope3Png: string;
}

/** Renders the documents of the demonstration's retirement and records them in demo.json; never throws. */
export async function recordDocuments(
  ctx: { api: RunningApi; rpcUrl: string; dir: DataDir; guard(): void },
  retirementId: string,
): Promise<void> {
  try {
    const docs = await writeDocuments(ctx, retirementId);
    ctx.guard();
    const demo = JSON.parse(readFileSync(ctx.dir.demo, "utf8")) as Record<string, unknown>;
    writeFileSync(ctx.dir.demo, JSON.stringify({ ...demo, documents: docs }, null, 2) + "\n");
    say(`retirement certificate (PDF): ${docs.certificatePdf}`);
    say(`Scope 3 report for the corporate, 2026: ${docs.scope3Pdf} (chart ${docs.scope3Png})`);
  } catch (error) {
    ctx.guard();
    complain(`the demonstration's documents could not be rendered: ${oneLine(error)} — the next npm start tries again`);
  }
}

async function writeDocuments(
  ctx: { api: RunningApi; rpcUrl: string; dir: DataDir },
  retirementId: string,
): Promise<DemoDocuments> {
  const { api, rpcUrl } = ctx;
  const dir = ctx.dir.documents;
  mkdirSync(dir, { recursive: true });
  const model = await retirementCertificate(api.deps.reads, BigInt(retirementId), { verifyBaseUrl: api.url, rpcUrl });
  const certificatePdf = join(dir, `retirement-${retirementId}.pdf`);
  writeFileSync(certificatePdf, await renderCertificatePdf(model));
  writeFileSync(join(dir, `retirement-${retirementId}.html`), certificateHtml(model));
  const report = await scope3ForAccount(api.deps.reads, {
    account: devAccount(START_ROLES.corporate).address,
    reportingYear: 2026,
    inventory: parseInventoryCsv(readFileSync("data/samples/inventory-acme.csv", "utf8"), 2026),
    reference: loadReferenceTable(),
  });
  const svg = scope3ChartSvg(report);
  const scope3Pdf = join(dir, "scope3-2026.pdf");
  const scope3Png = join(dir, "scope3-2026.png");
  writeFileSync(scope3Pdf, await renderScope3Pdf(report));
  writeFileSync(scope3Png, await svgToPng(svg));
  writeFileSync(join(dir, "scope3-2026.csv"), scope3Csv(report));
  writeFileSync(join(dir, "scope3-2026.json"), JSON.stringify(report, null, 2) + "\n");
  return { certificatePdf, scope3Pdf, scope3Png };
}
