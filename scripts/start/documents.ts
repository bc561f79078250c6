/**
 * The demonstration's documents, rendered from the chain into `<data-dir>/documents/`: the retirement certificate
 * (PDF and HTML) and the corporate's Scope 3 report for 2026 (PDF, PNG chart, CSV, JSON). Recorded in demo.json; a
 * failure is reported and the next start tries again.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { claimSource } from "../../api/src/deps.ts";
import type { RunningApi } from "../../api/src/server.ts";
import { chainScanClaimSource } from "../../core/claims/sources.ts";
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
  /** What the report applied, and why it is the corporate's claim (one line of the quickstart's output). */
  scope3Applied: string;
}

/** How long the report waits for the event index to reach the retirement (then it scans the chain instead). */
const INDEX_WAIT_MS = 15_000;

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
    say(`  ${docs.scope3Applied}`);
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
  // The corporate retired for its registered name ("Acme Corporation", no beneficiary account): its claim by name
  // (ADR 0051), found through the event index once the index has read the retirement's block.
  const reads = api.deps.reads;
  const retiredAt = Number((await reads.storedClaim(BigInt(retirementId))).blockNumber);
  const indexed = await indexReached(api, retiredAt);
  const report = await scope3ForAccount(
    reads,
    {
      account: devAccount(START_ROLES.corporate).address,
      reportingYear: 2026,
      inventory: parseInventoryCsv(readFileSync("data/samples/inventory-acme.csv", "utf8"), 2026),
      reference: loadReferenceTable(),
    },
    indexed ? claimSource(api.deps) : chainScanClaimSource(reads),
  );
  const svg = scope3ChartSvg(report);
  const scope3Pdf = join(dir, "scope3-2026.pdf");
  const scope3Png = join(dir, "scope3-2026.png");
  writeFileSync(scope3Pdf, await renderScope3Pdf(report));
  writeFileSync(scope3Png, await svgToPng(svg));
  writeFileSync(join(dir, "scope3-2026.csv"), scope3Csv(report));
  writeFileSync(join(dir, "scope3-2026.json"), JSON.stringify(report, null, 2) + "\n");
  const applied = report.current.applied.find((a) => a.retirementId === retirementId);
  const unapplied = report.years.flatMap((y) => y.unapplied).find((u) => u.retirementId === retirementId);
  const scope3Applied = applied
    ? `applied: retirement #${retirementId} (${applied.certificates} I-TEC), retired for '${model.claim.beneficiaryName}' — ` +
      `${report.accountName === model.claim.beneficiaryName ? "the corporate's registered name, so its claim" : "the corporate's claim"} ` +
      `(read at block ${report.readAt.block}, found ${indexed ? "through the event index" : "by a scan of the chain"})`
    : `not applied: retirement #${retirementId}: ${unapplied ? `${unapplied.reason} — ${unapplied.detail}` : "not found"}`;
  return { certificatePdf, scope3Pdf, scope3Png, scope3Applied };
}

/** Whether the API's event index has read block `block` (waiting up to INDEX_WAIT_MS); false without an index. */
async function indexReached(api: RunningApi, block: number): Promise<boolean> {
  const index = api.deps.index;
  if (!index) return false;
  const deadline = Date.now() + INDEX_WAIT_MS;
  for (;;) {
    const { lastBlock } = await index.status();
    if (lastBlock !== null && lastBlock >= block) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
