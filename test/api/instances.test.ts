/**
 * Several API instances behind one balancer: two API servers on one chain share ONE API store (a SQLite file, and
 * PostgreSQL when ITEC_TEST_DATABASE_URL is set) and one ITEC_SESSION_SECRET. A nonce from A signs in at B, a
 * token from B works at A, a nonce used at one is refused at the other (also when 10 sign-ins race on both), and a
 * client's rate limit counts its requests at both. With ITEC_TRUST_PROXY, clients behind the proxy (told apart by
 * X-Forwarded-For) have their own buckets; without it they share the proxy's.
 */
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";

import { expect } from "chai";
import type { HDNodeWallet, Wallet } from "ethers";
import { pino, type Logger } from "pino";
import request from "supertest";

import { startApi, type RunningApi } from "../../api/src/server.ts";
import { formatSiweMessage } from "../../api/src/siwe.ts";
import { ApiStore } from "../../api/src/store/store.ts";
import { readApiEnv } from "../../core/config.ts";
import { createOracle, type OracleRuntime } from "../../oracle/src/index.ts";
import {
  ACCOUNTS,
  deployOverRpc,
  freePort,
  startTestChain,
  type DeployedRegistry,
  type TestChain,
} from "../helpers/chain.ts";
import { storeBackends, type StoreBackend } from "./store-backends.ts";

const PUBLIC_URL = "http://registry.test"; // the sign-in domain both instances answer for (as behind one proxy)

interface Instance {
  api: RunningApi;
  oracle: OracleRuntime;
  http: ReturnType<typeof request>;
}

async function startInstance(
  chain: TestChain,
  deployed: DeployedRegistry,
  store: ApiStore,
  env: Record<string, string>,
  log?: Logger,
): Promise<Instance> {
  const port = await freePort();
  const apiEnv = readApiEnv({
    ITEC_RPC_URL: chain.url,
    ITEC_REGISTRY_ADDRESS: deployed.address,
    ITEC_CHAIN_ID: "1337",
    ITEC_DB_PATH: ":memory:",
    ITEC_API_PORT: String(port),
    ITEC_PUBLIC_URL: PUBLIC_URL,
    ITEC_LOG_LEVEL: "silent",
    ...env,
  });
  const logger = log ?? pino({ level: "silent" });
  const oracle = await createOracle(apiEnv, logger, { requireKey: false });
  const api = await startApi(apiEnv, { logger, oracle, store });
  return { api, oracle, http: request(`http://127.0.0.1:${port}`) };
}

async function signedMessage(from: Instance, wallet: Wallet | HDNodeWallet) {
  const n = (await from.http.get("/auth/nonce").expect(200)).body as { nonce: string; domain: string; uri: string };
  const message = formatSiweMessage({
    domain: n.domain,
    address: wallet.address,
    statement: "Sign in to the I-TEC Registry",
    uri: n.uri,
    version: "1",
    chainId: 1337,
    nonce: n.nonce,
    issuedAt: new Date().toISOString(),
  });
  return { message, signature: await wallet.signMessage(message) };
}

for (const makeBackend of storeBackends()) {
  describe(`API instances on one shared store (${makeBackend.label})`, function () {
    this.timeout(120_000);
    let chain: TestChain;
    let deployed: DeployedRegistry;
    let backend: StoreBackend;
    const stores: ApiStore[] = [];
    const instances: Instance[] = [];

    /** Two instances, each with its own connection to the one database, as two processes would have. */
    async function pair(env: Record<string, string>): Promise<[Instance, Instance]> {
      const started: Instance[] = [];
      for (let i = 0; i < 2; i++) {
        const store = await ApiStore.open(backend.location);
        stores.push(store);
        const instance = await startInstance(chain, deployed, store, env);
        instances.push(instance);
        started.push(instance);
      }
      return [started[0]!, started[1]!];
    }

    before(async () => {
      chain = await startTestChain();
      deployed = await deployOverRpc(chain, { auditors: 1 });
    });
    beforeEach(() => {
      backend = makeBackend();
    });
    afterEach(async () => {
      for (const i of instances.splice(0)) {
        await i.api.close();
        await i.oracle.close();
      }
      for (const s of stores.splice(0)) await s.close();
      await backend.dispose();
    });
    after(async () => chain?.stop());

    const secret = randomBytes(32).toString("hex");

    it("signs in at B with a nonce from A; B's token works at A; a used nonce is refused at the other", async () => {
      const [a, b] = await pair({ ITEC_SESSION_SECRET: secret });
      const wallet = deployed.wallet("corporate");
      const signed = await signedMessage(a, wallet);
      const token = ((await b.http.post("/auth/siwe").send(signed).expect(200)).body as { token: string }).token;
      const me = await a.http.get("/auth/me").set("Authorization", `Bearer ${token}`).expect(200);
      expect(me.body.account).to.equal(wallet.address);

      const again = await a.http.post("/auth/siwe").send(signed).expect(401);
      expect(again.body.code, "the nonce was used at B").to.equal("SIWE_NONCE");

      const fromB = await signedMessage(b, wallet);
      await b.http.post("/auth/siwe").send(fromB).expect(200);
      expect((await a.http.post("/auth/siwe").send(fromB).expect(401)).body.code).to.equal("SIWE_NONCE");
    });

    it("lets exactly one of 10 concurrent sign-ins with one nonce succeed across both instances", async () => {
      const [a, b] = await pair({ ITEC_SESSION_SECRET: secret, ITEC_RATE_LIMIT_AUTH: "1000" });
      const signed = await signedMessage(a, deployed.wallet("refurbisher"));
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).http.post("/auth/siwe").send(signed)),
      );
      const statuses = answers.map((r) => r.status);
      expect(
        statuses.filter((s) => s === 200),
        statuses.join(","),
      ).to.have.length(1);
      for (const r of answers.filter((r) => r.status !== 200)) expect(r.body.code).to.equal("SIWE_NONCE");
    });

    it("counts a client's requests at both instances against one limit", async () => {
      const [a, b] = await pair({ ITEC_RATE_LIMIT_AUTH: "4" });
      await a.http.get("/auth/nonce").expect(200);
      await b.http.get("/auth/nonce").expect(200);
      await a.http.get("/auth/nonce").expect(200);
      const last = await b.http.get("/auth/nonce").expect(200);
      expect(last.headers.ratelimit).to.match(/remaining=0/);
      const limited = await a.http.get("/auth/nonce").expect(429);
      expect(limited.body.code).to.equal("RATE_LIMITED");
      await b.http.get("/auth/nonce").expect(429);
    });

    it("gives clients behind a trusted proxy their own buckets (X-Forwarded-For), and one bucket without trust", async () => {
      const [trusting, b] = await pair({ ITEC_RATE_LIMIT_AUTH: "2", ITEC_TRUST_PROXY: "loopback" });
      const from = (ip: string, i: Instance) => i.http.get("/auth/nonce").set("X-Forwarded-For", ip);
      await from("203.0.113.1", trusting).expect(200);
      await from("203.0.113.1", b).expect(200);
      await from("203.0.113.1", trusting).expect(429);
      await from("203.0.113.2", trusting).expect(200); // another client behind the same proxy
      await from("203.0.113.2", b).expect(200);
      await from("203.0.113.2", b).expect(429);

      const [plain] = await pair({ ITEC_RATE_LIMIT_AUTH: "2" });
      // Without trust proxy, the peer (127.0.0.1, the "proxy") is the client; its header is ignored.
      await from("198.51.100.1", plain).expect(200);
      await from("198.51.100.2", plain).expect(200);
      await from("198.51.100.3", plain).expect(429);
    });

    it("warns at start when ITEC_SESSION_SECRET is unset on a shared store (tokens would fail at other instances)", async function () {
      const lines: { level: number; msg: string }[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _e, done) {
          for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l));
          done();
        },
      });
      const store = await ApiStore.open(backend.location);
      stores.push(store);
      instances.push(await startInstance(chain, deployed, store, {}, pino({ level: "warn" }, sink)));
      expect(lines.filter((l) => /ITEC_SESSION_SECRET is not set/.test(l.msg))).to.have.length(1);
      instances.push(
        await startInstance(chain, deployed, store, { ITEC_SESSION_SECRET: secret }, pino({ level: "warn" }, sink)),
      );
      expect(
        lines.filter((l) => /ITEC_SESSION_SECRET/.test(l.msg)),
        "not with a secret",
      ).to.have.length(1);
    });
  });
}
