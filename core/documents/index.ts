/**
 * The documents, end to end from the chain: a retirement certificate, and a Scope 3 report for an account and
 * year (its retirements read from the chain, each verified). Used by the API and the `itec` CLI alike.
 */
import type { ChainReads } from "../chain/reads.ts";
import type { ReferenceTable } from "../calc/index.ts";
import { attribute, organisationKey } from "../claims/attribution.ts";
import { buildCertificate } from "./certificate.ts";
import type { InventoryLine } from "./inventory.ts";
import { scope3Report } from "./scope3.ts";
import type { RetirementForReport } from "./scope3-types.ts";

export { buildCertificate, certificateSections, type CertificateModel } from "./certificate.ts";
export { certificateHtml, certificatePdf } from "./certificate-render.ts";
export {
  INVENTORY_COLUMNS,
  parseInventory,
  parseInventoryCsv,
  parseInventoryJson,
  Scope3InputError,
  type InventoryLine,
} from "./inventory.ts";
export { scope3Report, SCOPE3_RULES } from "./scope3.ts";
export { scope3ChartSvg, svgToPng } from "./scope3-chart.ts";
export { scope3Csv } from "./scope3-csv.ts";
export { scope3Html, scope3Pdf } from "./scope3-render.ts";
export type { InventoryRowReport, Scope3Report } from "./scope3-types.ts";
export { FONT_FILES, fontPath, fontRuns } from "./fonts.ts";
export { baseUrlFromExternalUrl, httpBaseUrl, registryBaseUrlOnChain, retirementVerifyUrl } from "./links.ts";

/** Fetches a calculation report by its evidence URI (http/https only; loopback or public). */
export async function fetchReportBytes(uri: string): Promise<Uint8Array | undefined> {
  if (!/^https?:\/\//.test(uri)) return undefined;
  const res = await fetch(uri, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) return undefined;
  return new Uint8Array(await res.arrayBuffer());
}

export async function retirementCertificate(
  reads: ChainReads,
  id: bigint,
  options: { verifyBaseUrl: string | null; rpcUrl: string },
) {
  return buildCertificate(reads, id, { ...options, fetchBytes: fetchReportBytes });
}

/**
 * Reads the account's retirements (each verified, with its claim status) and its organisation name from the chain
 * and builds the report. A reversed claim is listed as not applied, saying who owes its replacement; a replaced one
 * counts with the batch it now rests on.
 */
export async function scope3ForAccount(
  reads: ChainReads,
  input: { account: string; reportingYear: number; inventory: readonly InventoryLine[]; reference: ReferenceTable },
) {
  const [ids, participant] = await Promise.all([
    reads.retirementIdsFor(input.account),
    reads.participant(input.account),
  ]);
  // Interim register: the organisation itself (ADR 0051's full lookup replaces this).
  const register = participant.name ? [{ account: input.account, name: participant.name }] : [];
  const retirements: RetirementForReport[] = [];
  for (const id of ids) {
    const v = await reads.verifyRetirement(id);
    const s = v.claimStatus;
    const failed =
      v.verdict === "reversed"
        ? [
            `claim reversed: batch #${s.batchId} was found wrong and reversed, so the claim is not valid until ` +
              `replaced (replacement owed by ${s.owedBy ? (s.owedBy.name ?? s.owedBy.account) : "the batch's owner"})`,
          ]
        : v.checks.filter((c) => !c.passed).map((c) => c.check);
    retirements.push({
      retirementId: v.retirementId,
      batchId: v.batch.batchId,
      category: v.batch.category as RetirementForReport["category"],
      amount: Number(v.claim.amount),
      reductionKgPerDevice: v.batch.reductionKgPerDevice,
      periodStart: v.claim.periodStart,
      periodEnd: v.claim.periodEnd,
      scope3Category: v.claim.scope3Category,
      beneficiaryName: v.claim.beneficiaryName,
      beneficiaryAccount: v.claim.beneficiary,
      retiredBy: v.claim.account,
      claimStatus: s.status,
      vintageStart: v.batch.vintageStart,
      vintageEnd: v.batch.vintageEnd,
      attribution: attribute(v.claim, (key) => register.filter((p) => organisationKey(p.name) === key)),
      txHash: v.proof?.txHash ?? null,
      ...(failed.length ? { failedCheck: failed.join("; ") } : {}),
    });
  }
  return scope3Report({ ...input, accountName: participant.name, retirements });
}
