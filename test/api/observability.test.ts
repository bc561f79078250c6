/**
 * Observability of one API instance on a real chain: Prometheus metrics at /metrics (parsed from the exposition,
 * and shown to move), the old JSON for clients that ask for it, one log line per request with a request id that
 * is also in the X-Request-Id header and in problem+json bodies, and a readiness probe that turns 503 within a
 * bounded time when the chain or a database stops answering (refused, or silently hung).
 */
import { createServer, type Server, type Socket } from "node:net";
import { Writable } from "node:stream";

import { expect } from "chai";
import { pino } from "pino";
import request from "supertest";

import { startApi, type RunningApi } from "../../api/src/server.ts";
import { ApiStore } from "../../api/src/store/store.ts";
import { readApiEnv } from "../../core/config.ts";
import { openIndexer, type Indexer } from "../../indexer/index.ts";
import { createOracle, type OracleRuntime } from "../../oracle/src/index.ts";
import {
  ACCOUNTS,
  deployOverRpc,
  freePort,
  startTestChain,
  type DeployedRegistry,
  type TestChain,
} from "../helpers/chain.ts";
import { startRpcProxy, type RpcProxy } from "../helpers/proxy.ts";
import { storeBackends, type StoreBackend } from "./store-backends.ts";

/** `name{labels} value` lines of a Prometheus text exposition (comments skipped). */
function parseExposition(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const samples = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return parseExposition(text).find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;
}

/** A TCP server that accepts connections and never answers: a hung node or database. */
async function startBlackhole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("API observability", function () {
  this.timeout(120_000);
  let chain: TestChain;
  let deployed: DeployedRegistry;
  let rpc: RpcProxy;
  let oracle: OracleRuntime;
  let indexer: Indexer;
  const indexing = new AbortController();
  let running: Promise<void>;
  let api: RunningApi;
  let http: ReturnType<typeof request>;
  const lines: Record<string, unknown>[] = [];

  before(async () => {
    chain = await startTestChain();
    deployed = await deployOverRpc(chain, { auditors: 1 });
    rpc = await startRpcProxy(chain.url);
    const port = await freePort();
    const env = readApiEnv({
      ITEC_RPC_URL: rpc.url,
      ITEC_REGISTRY_ADDRESS: deployed.address,
      ITEC_CHAIN_ID: "1337",
      ITEC_DB_PATH: ":memory:",
      ITEC_API_PORT: String(port),
      ITEC_ORACLE_DEV_ACCOUNT: String(ACCOUNTS.oracle),
      ITEC_HEAD_POLL_MS: "100",
      ...(chain.kind === "anvil" ? { ITEC_GAS_PRICE: "0" } : {}),
    });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const logger = pino({ level: "info" }, sink);
    oracle = await createOracle(env, logger);
    indexer = await openIndexer({
      rpcUrl: chain.url,
      registryAddress: deployed.address,
      chainId: 1337n,
      sqlitePath: ":memory:",
    });
    running = indexer.run(indexing.signal, 100);
    api = await startApi(env, { logger, oracle, index: indexer });
    http = request(`http://127.0.0.1:${port}`);
  });
  after(async () => {
    await api?.close();
    await oracle?.close();
    indexing.abort();
    await running;
    await indexer?.close();
    await rpc?.close();
    await chain?.stop();
  });

  it("exposes Prometheus metrics per route template, the oracle, the chain, the index, the signer and the process", async function () {
    const before = (await http.get("/metrics").expect(200)).text;
    const labels = { method: "GET", route: "/certificates/:batchId", status_class: "4xx" };
    const countBefore = sample(before, "itec_http_request_duration_seconds_count", labels) ?? 0;
    await http.get("/certificates/424242").expect(404);
    await http.get("/certificates/525252").expect(404);
    await http.get("/no/such/path/777").expect(404);
    const res = await http.get("/metrics").expect(200);
    expect(res.headers["content-type"]).to.match(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    expect(sample(text, "itec_http_request_duration_seconds_count", labels)).to.equal(countBefore + 2);
    expect(sample(text, "itec_http_request_duration_seconds_bucket", { ...labels, le: "+Inf" })).to.equal(
      countBefore + 2,
    );
    expect(sample(text, "itec_http_request_duration_seconds_count", { route: "unmatched" })).to.be.greaterThan(0);
    const routes = parseExposition(text).flatMap((s) => (s.labels.route ? [s.labels.route] : []));
    expect(
      routes.filter((r) => /424242|525252|777/.test(r)),
      "no raw path becomes a label",
    ).to.deep.equal([]);

    expect(sample(text, "itec_oracle_batches", { state: "confirmed" })).to.equal(0);
    expect(sample(text, "itec_chain_reachable")).to.equal(1);
    const head = sample(text, "itec_chain_head_block")!;
    expect(head).to.be.greaterThan(0);
    expect(sample(text, "itec_index_last_block")).to.be.a("number");
    expect(sample(text, "itec_index_lag_blocks")).to.be.at.least(0);
    const signer = deployed.wallet("oracle").address;
    expect(sample(text, "itec_signer_balance_wei", { address: signer })).to.be.at.least(0);
    expect(sample(text, "itec_signer_nonce", { address: signer, block: "latest" })).to.be.at.least(0);
    expect(sample(text, "itec_signer_nonce", { address: signer, block: "pending" })).to.be.at.least(0);
    expect(sample(text, "process_cpu_user_seconds_total")).to.be.greaterThan(0);
    expect(sample(text, "nodejs_heap_size_used_bytes")).to.be.greaterThan(0);
  });

  it("answers the oracle's JSON at /status, and at /metrics to a client that asks for JSON", async function () {
    const status = (await http.get("/status").expect(200)).body as { batchesByState: Record<string, number> };
    expect(status.batchesByState).to.have.property("confirmed");
    const json = await http.get("/metrics").set("Accept", "application/json").expect(200);
    expect(json.headers["content-type"]).to.match(/^application\/json/);
    expect(json.body).to.deep.equal(status);
  });

  it("logs one line per request and puts its request id in the header, the problem body and the line", async function () {
    const res = await http.get("/certificates/999999").set("X-Request-Id", "trace-abc.123").expect(404);
    expect(res.headers["x-request-id"]).to.equal("trace-abc.123");
    expect(res.headers["content-type"]).to.match(/^application\/problem\+json/);
    expect(res.body.requestId).to.equal("trace-abc.123");
    await new Promise((r) => setTimeout(r, 50));
    const line = lines.filter((l) => l.requestId === "trace-abc.123");
    expect(line).to.have.length(1);
    expect(line[0]).to.include({ msg: "request", method: "GET", route: "/certificates/:batchId", status: 404 });
    expect(line[0]!.durationMs).to.be.a("number");
    expect(line[0]!.ip).to.match(/127\.0\.0\.1/);

    // An id that is not a plausible one (spaces, markup, length) is replaced by a fresh UUID.
    for (const bad of ["has spaces", "<script>", "x".repeat(129)]) {
      const r = await http.get("/no/such/route").set("X-Request-Id", bad).expect(404);
      expect(r.headers["x-request-id"]).to.match(/^[0-9a-f-]{36}$/);
      expect(r.body.requestId).to.equal(r.headers["x-request-id"]);
    }
    const fresh = await http.get("/health").expect(200);
    expect(fresh.headers["x-request-id"]).to.match(/^[0-9a-f-]{36}$/);
  });

  it("turns /ready 503 within a bounded time when the chain stops or hangs, and recovers", async function () {
    await http.get("/ready").expect(200);
    rpc.down();
    let t = Date.now();
    const refused = await http.get("/ready").expect(503);
    expect(refused.body.chain.ok).to.equal(false);
    expect(Date.now() - t).to.be.below(4_000);
    rpc.up();
    await http.get("/ready").expect(200);

    const hole = await startBlackhole();
    try {
      rpc.retarget(hole.url); // connections go through, nothing ever answers
      t = Date.now();
      const hung = await http.get("/ready").expect(503);
      expect(Date.now() - t).to.be.below(4_000);
      expect(hung.body.chain).to.deep.include({ ok: false });
      rpc.retarget(chain.url);
      await http.get("/ready").expect(200);
    } finally {
      await hole.close();
    }
  });

  it("turns /ready 503 when the API store is closed", async function () {
    const closed = await ApiStore.open({ sqlitePath: ":memory:" });
    const store = api.deps.store;
    await closed.close();
    api.deps.store = closed;
    try {
      const res = await http.get("/ready").expect(503);
      expect(res.body.apiStore.ok).to.equal(false);
      expect(res.body.chain.ok).to.equal(true);
    } finally {
      api.deps.store = store;
    }
    await http.get("/ready").expect(200);
  });

  for (const makeBackend of storeBackends().filter((b) => b.label === "PostgreSQL")) {
    it("turns /ready 503 within a bounded time when PostgreSQL stops answering", async function () {
      const backend: StoreBackend = makeBackend();
      const url = new URL(backend.location.databaseUrl!);
      const pgProxy = await startRpcProxy(`http://${url.hostname}:${url.port}`);
      const proxied = new URL(url);
      proxied.port = new URL(pgProxy.url).port;
      const store = await ApiStore.open({ ...backend.location, databaseUrl: proxied.toString() });
      const hole = await startBlackhole();
      const original = api.deps.store;
      api.deps.store = store;
      try {
        await http.get("/ready").expect(200);
        pgProxy.retarget(hole.url);
        const t = Date.now();
        const res = await http.get("/ready").expect(503);
        expect(Date.now() - t).to.be.below(4_000);
        expect(res.body.apiStore.ok).to.equal(false);
      } finally {
        api.deps.store = original;
        await pgProxy.close();
        await hole.close();
        await Promise.race([store.close(), new Promise((r) => setTimeout(r, 1000))]);
        await backend.dispose();
      }
    });
  }

  // Last: it closes the index for good.
  it("turns /ready 503 when the event index's database is closed", async function () {
    await http.get("/ready").expect(200);
    indexing.abort();
    await running;
    await indexer.store.close();
    const res = await http.get("/ready").expect(503);
    expect(res.body.index.ok).to.equal(false);
    expect(res.body.chain.ok).to.equal(true);
  });
});
