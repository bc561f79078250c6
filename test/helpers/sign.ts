import type { Signer } from "ethers";

import type { AttestationView } from "../../oracle/src/pipeline/reads.ts";

/** Signs an attestation exactly as a wallet would from the eth_signTypedData_v4 payload the oracle exposes. */
export async function signView(signer: Signer, view: Pick<AttestationView, "typedData">): Promise<string> {
  const { EIP712Domain: _domain, ...types } = view.typedData.types;
  return signer.signTypedData(view.typedData.domain, types, view.typedData.message);
}
