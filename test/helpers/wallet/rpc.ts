/**
 * Raw JSON-RPC to a chain's node. The wallet forwards the page's read calls with it rather than through ethers'
 * JsonRpcProvider so that the node's answer reaches the page untouched — in particular a revert's `{code, message,
 * data}`, which the app decodes into a reason.
 */
import { ProviderRpcError, RPC_ERRORS } from "./errors.ts";

let nextId = 1;

export async function rpcCall(url: string, method: string, params: readonly unknown[] = []): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
    });
  } catch (err) {
    // What MetaMask says when its node is unreachable: the chain is disconnected.
    throw new ProviderRpcError(RPC_ERRORS.disconnected, `The node at ${url} is unreachable: ${String(err)}`);
  }
  const body = (await res.json().catch(() => undefined)) as
    { result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } } | undefined;
  if (body?.error) {
    const { code, message, data } = body.error;
    throw new ProviderRpcError(
      typeof code === "number" ? code : RPC_ERRORS.internal,
      typeof message === "string" ? message : `${method} failed`,
      data,
    );
  }
  if (!body || !("result" in body)) {
    throw new ProviderRpcError(RPC_ERRORS.internal, `${method}: the node answered HTTP ${res.status} without a result`);
  }
  return body.result;
}
