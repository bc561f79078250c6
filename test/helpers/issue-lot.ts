/**
 * Issues every issuable batch of a lot through the real path — the refurbisher submits the lot CSV, auditor1 signs
 * each batch's attestation, the oracle mints — and answers the batches' token ids. For the recompute tests
 * (test/sdk/recompute.test.ts, test/e2e/verify-recompute.test.ts), which recompute what the suite issued.
 */
import { ApiClient } from "../../sdk/src/api-client.ts";
import { untilConfirmed, type ApiHarness } from "./api.ts";
import { signView } from "./sign.ts";

interface LotView {
  id: string;
  batches: { id: string; reason: string | null; tokenId: string | null }[];
}

/** Submits `csv` (with the lot's default legs `transport`), signs and mints its issuable batches; their token ids. */
export async function issueLot(h: ApiHarness, csv: string, transport: string): Promise<string[]> {
  const w = (role: Parameters<typeof h.deployed.wallet>[0]) => h.deployed.wallet(role).connect(h.chain.provider);
  const refurbisher = new ApiClient(h.api.url);
  await refurbisher.signIn(w("refurbisher"));
  const lot = await refurbisher.post<LotView>(`/lots?defaultTransport=${encodeURIComponent(transport)}`, csv, {
    "content-type": "text/csv",
  });
  const issuable = lot.batches.filter((b) => b.reason === null).map((b) => b.id);
  for (const id of issuable) {
    const view = await refurbisher.get<Parameters<typeof signView>[1]>(`/batches/${id}/attestation`);
    await refurbisher.post(`/batches/${id}/signatures`, {
      auditor: w("auditor1").address,
      signature: await signView(w("auditor1"), view),
    });
  }
  await untilConfirmed(h, issuable);
  const after = await refurbisher.get<LotView>(`/lots/${lot.id}`);
  return after.batches.filter((b) => b.tokenId !== null).map((b) => b.tokenId!);
}
