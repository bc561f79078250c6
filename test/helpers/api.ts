/**
 * A running API over a real chain (HTTP JSON-RPC on loopback) with a deployed registry, its oracle service
 * (holding the dev oracle key, so tests can run worker passes) and a sign-in helper.
 */
import type { Wallet, HDNodeWallet } from "ethers";
import { pino } from "pino";
import request from "supertest";

import { responseValidation } from "../../api/src/route/mount.ts";
import { formatSiweMessage } from "../../api/src/siwe.ts";
import { readApiEnv } from "../../core/config.ts";
import { startApi, type RunningApi } from "../../api/src/server.ts";
import type { IndexReader } from "../../api/src/deps.ts";
import { openIndexer } from "../../indexer/index.ts";
import { createOracle } from "../../oracle/src/runtime/oracle.ts";
import { startRpcProxy, type RpcProxy } from "./proxy.ts";
import {
  ACCOUNTS,
  freePort,
  deployOverRpc,
  startTestChain,
  type ChainKind,
  type DeployedRegistry,
  type TestChain,
} from "./chain.ts";

export interface ApiHarness {
  chain: TestChain;
  /** Present with `viaProxy`: the API reaches the chain through it (take it down to simulate an outage). */
  proxy: RpcProxy | undefined;
  deployed: DeployedRegistry;
  api: RunningApi;
  http: ReturnType<typeof request>;
  signIn(wallet: Wallet | HDNodeWallet): Promise<string>;
  close(): Promise<void>;
}

export async function startApiHarness(
  options: {
    env?: Record<string, string>;
    viaProxy?: boolean;
    /** The chain to run on (default: startTestChain's, i.e. ITEC_TEST_CHAIN), e.g. anvil mining a block a second. */
    chain?: { kind: ChainKind; blockTime?: number };
    /** The built web app to serve under /app/ (default: app/dist). */
    appDir?: string;
    /** The listing index; default: the real indexer on an in-memory SQLite store, following the chain. */
    index?: (chainUrl: string, registry: string) => Promise<IndexReader & { close?: () => Promise<void> }>;
    /** Deploys more next to the registry (e.g. the market) and answers more environment for the API. */
    deployMore?: (chain: TestChain, deployed: DeployedRegistry) => Promise<Record<string, string>>;
  } = {},
): Promise<ApiHarness> {
  const chain = options.chain
    ? await startTestChain(options.chain.kind, { blockTime: options.chain.blockTime ?? 1 })
    : await startTestChain();
  const deployed = await deployOverRpc(chain, { auditors: 2 });
  const proxy = options.viaProxy ? await startRpcProxy(chain.url) : undefined;
  // A known port, so evidence URIs in attestations point at this API (documents fetch the report there).
  const port = await freePort();
  const env = readApiEnv({
    ITEC_RPC_URL: proxy?.url ?? chain.url,
    ITEC_REGISTRY_ADDRESS: deployed.address,
    ITEC_CHAIN_ID: "1337",
    ITEC_DB_PATH: ":memory:",
    ITEC_API_PORT: String(port),
    ITEC_EVIDENCE_BASE_URL: `http://127.0.0.1:${port}`,
    ITEC_ORACLE_DEV_ACCOUNT: String(ACCOUNTS.oracle),
    ITEC_LOG_LEVEL: "silent",
    ...(chain.kind === "anvil" ? { ITEC_GAS_PRICE: "0" } : {}),
    ...options.env,
    ...(options.deployMore ? await options.deployMore(chain, deployed) : {}),
  });
  const logger = pino({ level: "silent" });
  const oracle = await createOracle(env, logger);
  const stopIndexing = new AbortController();
  let indexing: Promise<void> | undefined;
  let index: (IndexReader & { close?: () => Promise<void> }) | undefined;
  if (options.index) {
    index = await options.index(chain.url, deployed.address);
  } else {
    const indexer = await openIndexer({
      rpcUrl: chain.url,
      registryAddress: deployed.address,
      chainId: 1337n,
      sqlitePath: ":memory:",
      logger,
    });
    indexing = indexer.run(stopIndexing.signal, 100);
    index = indexer;
  }
  // Every JSON reply is checked against the schema its route declares (a mismatch is a 500 RESPONSE_INVALID), so
  // each API test also checks the OpenAPI document. Only for the routes this harness mounts.
  const validating = responseValidation.enabled;
  responseValidation.enabled = true;
  let api: RunningApi;
  try {
    api = await startApi(env, {
      logger,
      oracle,
      ...(index ? { index } : {}),
      ...(options.appDir ? { appDir: options.appDir } : {}),
    });
  } finally {
    responseValidation.enabled = validating;
  }
  const http = request(api.url);
  return {
    chain,
    proxy,
    deployed,
    api,
    http,
    async signIn(wallet) {
      const nonce = (await http.get("/auth/nonce").expect(200)).body as {
        nonce: string;
        domain: string;
        uri: string;
        chainId: string;
      };
      const message = formatSiweMessage({
        domain: nonce.domain,
        address: wallet.address,
        statement: "Sign in to the I-TEC Registry",
        uri: nonce.uri,
        version: "1",
        chainId: Number(nonce.chainId),
        nonce: nonce.nonce,
        issuedAt: new Date().toISOString(),
      });
      const res = await http
        .post("/auth/siwe")
        .send({ message, signature: await wallet.signMessage(message) })
        .expect(200);
      return (res.body as { token: string }).token;
    },
    async close() {
      await api.close();
      await oracle.close();
      stopIndexing.abort();
      await indexing;
      await index?.close?.();
      await proxy?.close();
      await chain.stop();
    },
  };
}

/**
 * Runs worker passes until every batch job in `ids` is confirmed (time-bounded, so it also works on a chain that
 * mines a block every second rather than one per transaction).
 */
export async function untilConfirmed(h: ApiHarness, ids: readonly string[], timeoutMs = 60_000): Promise<void> {
  const store = h.api.oracle.oracle.store;
  const deadline = Date.now() + timeoutMs;
  const batches = () => Promise.all(ids.map((id) => store.batch(id)));
  for (let rows = await batches(); !rows.every((b) => b?.state === "confirmed"); rows = await batches()) {
    const stuck = rows.find((b) => b && ["failed", "rejected"].includes(b.state));
    if (stuck) throw new Error(`batch ${stuck.id} ${stuck.state}: ${stuck.error ?? stuck.reason ?? ""}`);
    if (Date.now() > deadline)
      throw new Error(
        `batches not confirmed after ${timeoutMs} ms: ${ids.map((id, i) => `${id}=${rows[i]?.state}`).join(", ")}`,
      );
    await h.api.oracle.oracle.tick();
    await new Promise((r) => setTimeout(r, 50));
  }
}
