/**
 * A tiny stand-in for Web3Signer's Eth1 JSON-RPC (the part the oracle uses): `eth_accounts` and
 * `eth_signTransaction`, on 127.0.0.1 and a free port, holding one key. Like Web3Signer it signs for the chain id it
 * was configured with, not one in the request. `mode` makes it misbehave the ways a wrong or compromised signer
 * could: sign with another key, sign another recipient, or refuse.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { keccak256, type BaseWallet } from "ethers";

export type SignerMode = "honest" | "other-key" | "other-to" | "refuse";

export interface FakeWeb3Signer {
  url: string;
  /** What it was asked to sign (the JSON-RPC params) and the hash of what it returned. */
  signed: { params: Record<string, string>; hash: string }[];
  mode: SignerMode;
  close(): Promise<void>;
}

export async function startFakeWeb3Signer(options: {
  key: BaseWallet;
  chainId: bigint;
  /** The key it signs with in mode "other-key". */
  otherKey?: BaseWallet;
  /** Accounts it lists (default: its key's address). */
  accounts?: string[];
}): Promise<FakeWeb3Signer> {
  const signed: FakeWeb3Signer["signed"] = [];
  const state: { mode: SignerMode } = { mode: "honest" };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      void (async () => {
        const request = JSON.parse(body) as { id: number; method: string; params: unknown[] };
        const reply = (payload: object) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ jsonrpc: "2.0", id: request.id, ...payload }));
        };
        if (request.method === "eth_accounts") return reply({ result: options.accounts ?? [options.key.address] });
        if (request.method !== "eth_signTransaction") {
          return reply({ error: { code: -32601, message: "Method not found" } });
        }
        if (state.mode === "refuse") return reply({ error: { code: -32000, message: "Signing not allowed" } });
        const p = request.params[0] as Record<string, string>;
        if (p.from?.toLowerCase() !== options.key.address.toLowerCase()) {
          return reply({ error: { code: -32000, message: "No key for the account given in from" } });
        }
        const signer = state.mode === "other-key" ? options.otherKey! : options.key;
        const raw = await signer.signTransaction({
          to: state.mode === "other-to" ? "0x000000000000000000000000000000000000dEaD" : (p.to ?? null),
          data: p.data ?? "0x",
          value: BigInt(p.value ?? "0x0"),
          nonce: Number(p.nonce),
          gasLimit: BigInt(p.gas!),
          chainId: options.chainId,
          ...(p.maxFeePerGas !== undefined
            ? { type: 2, maxFeePerGas: BigInt(p.maxFeePerGas), maxPriorityFeePerGas: BigInt(p.maxPriorityFeePerGas!) }
            : { type: 0, gasPrice: BigInt(p.gasPrice ?? "0x0") }),
        });
        signed.push({ params: p, hash: keccak256(raw) });
        reply({ result: raw });
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    signed,
    get mode() {
      return state.mode;
    },
    set mode(mode: SignerMode) {
      state.mode = mode;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
