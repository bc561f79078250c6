/**
 * EIP-1193 provider errors as the test wallet returns them: plain `{code, message, data?}` objects cross the
 * Playwright binding (a thrown Error would arrive in the page with its message only), and the in-page provider turns
 * them back into an Error carrying `.code` and `.data`, as MetaMask's ProviderRpcError does.
 */

/** The codes of EIP-1193 and EIP-3085/3326 the wallet answers with, plus JSON-RPC's own. */
export const RPC_ERRORS = {
  userRejected: 4001,
  unauthorized: 4100,
  unsupportedMethod: 4200,
  disconnected: 4900,
  unrecognizedChain: 4902,
  invalidParams: -32602,
  internal: -32603,
} as const;

export interface ProviderRpcErrorShape {
  code: number;
  message: string;
  data?: unknown;
}

export class ProviderRpcError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = "ProviderRpcError";
    this.code = code;
    this.data = data;
  }

  toJSON(): ProviderRpcErrorShape {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

export function userRejected(method: string): ProviderRpcError {
  return new ProviderRpcError(RPC_ERRORS.userRejected, `User rejected the request (${method}).`);
}

export function invalidParams(message: string): ProviderRpcError {
  return new ProviderRpcError(RPC_ERRORS.invalidParams, message);
}

/** Any failure of the Node side as an error the page can read; unexpected ones become -32603 with their message. */
export function toProviderError(err: unknown): ProviderRpcErrorShape {
  if (err instanceof ProviderRpcError) return err.toJSON();
  const message = err instanceof Error ? err.message : String(err);
  return { code: RPC_ERRORS.internal, message };
}
