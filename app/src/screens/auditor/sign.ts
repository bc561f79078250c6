/**
 * The auditor's two wallet actions on an attestation: sign it (EIP-712 `Attestation`, the wallet's
 * `eth_signTypedData_v4` with exactly the payload the API published) or reject it (EIP-712 `Rejection` over the
 * attestation's digest, with the reason), then hand the signature to the API — as `itec auditor sign|reject` do.
 * Only a signature leaves the wallet: no transaction, no gas; the oracle posts the attestation once enough auditing
 * bodies signed. Before the wallet is asked, what can be checked here is: the wallet holds the signed-in account and
 * is on the registry's chain (a wallet refuses typed data for another chain than its own).
 */
import { REJECTION_TYPES } from "../../../../sdk/src/attestation.ts";
import { signingTypes, type AttestationView } from "../../../../sdk/src/attestation-review.ts";

import type { AppContext } from "../../context.ts";

/** GET /batches/:id and the answers of POST …/signatures and …/rejections (the batch job). */
export interface BatchJob {
  id: string;
  state: string;
  reason: string | null;
  tokenId: string | null;
  digest: string | null;
  signatures?: { auditor: string; status: string; digest?: string }[];
}

async function readySigner(ctx: AppContext) {
  if (!ctx.session.onRegistryChain) await ctx.session.switchChain();
  return ctx.session.signer();
}

/** The wallet signs the attestation; the API verifies and counts the signature. Throws 4001 when declined. */
export async function signAttestation(ctx: AppContext, view: AttestationView): Promise<BatchJob> {
  const signer = await readySigner(ctx);
  const signature = await signer.signTypedData(
    view.typedData.domain,
    signingTypes(view.typedData),
    view.typedData.message,
  );
  return ctx.api.post<BatchJob>(`/batches/${encodeURIComponent(view.batchId)}/signatures`, {
    auditor: ctx.session.address,
    signature,
  });
}

/** The wallet signs the rejection (the reason bound to the digest reviewed); the API records it. */
export async function rejectAttestation(ctx: AppContext, view: AttestationView, reason: string): Promise<BatchJob> {
  const signer = await readySigner(ctx);
  const signature = await signer.signTypedData(view.typedData.domain, REJECTION_TYPES, {
    attestationDigest: view.digest,
    reason,
  });
  return ctx.api.post<BatchJob>(`/batches/${encodeURIComponent(view.batchId)}/rejections`, {
    auditor: ctx.session.address,
    reason,
    signature,
  });
}
