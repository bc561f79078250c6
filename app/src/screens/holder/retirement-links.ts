/**
 * Retirements as the index lists them (GET /retirements?account=…), finding the one a transaction made, and the
 * links every retirement gets: its public verify page and its certificate (PDF, HTML).
 */
import type { AppContext } from "../../context.ts";
import { h } from "../../ui/dom.ts";
import { links } from "./shared.ts";

/** A retirement as GET /retirements lists it (api/src/index-responses.ts, IndexedRetirement). */
export interface ListedRetirement {
  retirementId: string;
  batchId: string;
  originalBatchId: string;
  claimStatus: "verified" | "reversed" | "replaced";
  account: string;
  operator: string;
  beneficiaryName: string;
  beneficiary: string | null;
  amount: string;
  periodStart: string;
  periodEnd: string;
  scope3Category: number;
  purpose: string;
  txHash: string;
  blockTime: string;
}

const PAGE = 500;

/** Every retirement of `account`'s certificates, ascending id (paged through the listing's 500-row pages). */
export async function listRetirements(ctx: AppContext, account: string, batchId?: string): Promise<ListedRetirement[]> {
  const all: ListedRetirement[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const query = new URLSearchParams({ account, limit: String(PAGE), offset: String(offset) });
    if (batchId) query.set("batchId", batchId);
    const { retirements } = await ctx.api.get<{ retirements: ListedRetirement[] }>(`/retirements?${query}`);
    all.push(...retirements);
    if (retirements.length < PAGE) return all;
  }
}

/**
 * The retirement transaction `txHash` made, once the index has it: polled with backoff (250 ms doubling to 2 s)
 * for up to `timeoutMs`; undefined if the listing has not caught up by then.
 */
export async function findRetirement(
  ctx: AppContext,
  account: string,
  batchId: string,
  txHash: string,
  timeoutMs = 30_000,
): Promise<ListedRetirement | undefined> {
  const deadline = Date.now() + timeoutMs;
  let delay = 250;
  for (;;) {
    const found = (await listRetirements(ctx, account, batchId)).find(
      (r) => r.txHash.toLowerCase() === txHash.toLowerCase(),
    );
    if (found || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 2_000);
  }
}

/** "Verify it publicly · Certificate (PDF) · (HTML)" for retirement `id`. */
export function retirementLinks(id: string): (Node | string)[] {
  return [
    h("a", { href: links.retirement(id), class: "verify-link" }, `Verify retirement #${id} publicly`),
    " · ",
    h(
      "a",
      { href: links.certificatePdf(id), class: "certificate-link", type: "application/pdf" },
      `Certificate #${id} (PDF)`,
    ),
    " · ",
    h("a", { href: `/retirements/${encodeURIComponent(id)}/certificate.html` }, `Certificate #${id} (HTML)`),
  ];
}
