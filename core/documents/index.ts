/**
 * The documents, end to end from the chain: a retirement certificate, and a Scope 3 report for an account and
 * year (its retirements read from the chain, each verified). Used by the API and the `itec` CLI alike.
 */
import type { ChainReads } from "../chain/reads.ts";
import type { ReferenceTable } from "../calc/index.ts";
import { organisationClaims } from "../claims/organisation.ts";
import { chainScanClaimSource, type ClaimSource } from "../claims/sources.ts";
import { buildCertificate } from "./certificate.ts";
import type { InventoryLine } from "./inventory.ts";
import { scope3Report } from "./scope3.ts";
import type { DeliveriesOf } from "../deliveries/attribution.ts";

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
export type { InventoryRowReport, ReadAt, Scope3Report } from "./scope3-types.ts";
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
  options: { verifyBaseUrl: string | null; rpcUrl: string; deliveries?: DeliveriesOf | undefined },
) {
  return buildCertificate(reads, id, { ...options, fetchBytes: fetchReportBytes });
}

/**
 * The Scope 3 report of `account` for a year, from the chain: its retirements found through `source` (the event
 * index; default a scan of the chain), each verified on the chain and attributed (core/claims, ADR 0051) — applied
 * when the claim is the organisation's, listed as not applied when it retired them for another organisation or for
 * nobody. A reversed claim is listed as not applied, saying who owes its replacement; a replaced one counts with
 * the batch it now rests on. The report says where and when it was read (`readAt`).
 */
export async function scope3ForAccount(
  reads: ChainReads,
  input: { account: string; reportingYear: number; inventory: readonly InventoryLine[]; reference: ReferenceTable },
  source: ClaimSource = chainScanClaimSource(reads),
  deliveries?: DeliveriesOf,
) {
  const chain = await scope3ChainInputs(reads, input.account, source, deliveries);
  const report = scope3Report({ ...input, ...chain });
  return { ...report, readAt: chain.readAt };
}

/**
 * What {@link scope3ForAccount} reads from the chain for `account` — its organisation name, its retirements (with
 * the deliveries each was received with) and where and when they were read — as plain data: the API builds the
 * report from it on a worker thread.
 */
export async function scope3ChainInputs(
  reads: ChainReads,
  account: string,
  source: ClaimSource = chainScanClaimSource(reads),
  deliveries?: DeliveriesOf,
) {
  const claims = await organisationClaims(reads, source, account);
  // docs/deliveries.md: each retirement names the deliveries its holder received the batch with before it.
  const retirements = deliveries
    ? await Promise.all(
        claims.retirements.map(async (r) =>
          r.block === undefined ? r : { ...r, deliveries: await deliveries(r.retiredBy, r.batchId, r.block) },
        ),
      )
    : claims.retirements;
  return { accountName: claims.accountName, retirements, readAt: claims.readAt };
}
