/**
 * One limiter in front of every path (issue 18, "unlimited routes"): /health and /ready in classes of their own,
 * everything else — the OpenAPI document, the docs page, static files, the web app's assets, unmatched and
 * malformed paths — in the read class, before any route is matched; the client is the peer address unless a proxy
 * is trusted. And the CORS policy: deny by default, an allow-list when configured.
 */
import { expect } from "chai";

import { PREFLIGHT_MAX_AGE } from "../../api/src/cors.ts";
import { ConfigError, readApiEnv } from "../../core/config.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";

const PROBLEM = /^application\/problem\+json/;

/** A 429 as the limiter answers it: problem+json, Retry-After and the RateLimit headers of `policy`. */
function expectLimited(
  res: { status: number; headers: Record<string, string>; body: { code?: string } },
  policy: string,
) {
  expect(res.status).to.equal(429);
  expect(res.headers["content-type"]).to.match(PROBLEM);
  expect(res.body.code).to.equal("RATE_LIMITED");
  expect(Number(res.headers["retry-after"])).to.be.at.least(1);
  expect(res.headers["ratelimit-policy"]).to.equal(policy);
  expect(res.headers.ratelimit).to.match(/^limit=\d+, remaining=0, reset=\d+$/);
}

describe("rate limits on every path", function () {
  this.timeout(120_000);
  let h: ApiHarness;
  before(async () => {
    h = await startApiHarness({
      env: { ITEC_RATE_LIMIT_READ: "7", ITEC_RATE_LIMIT_HEALTH: "4", ITEC_RATE_LIMIT_READY: "2" },
    });
  });
  after(async () => h?.close());

  it("counts the OpenAPI document, docs, static files, app assets and unmatched paths in the read class", async () => {
    const paths = [
      "/openapi.json",
      "/docs",
      "/assets/style.css",
      "/app/assets/no-such-bundle.js",
      "/no/such/path",
      "/verify",
      "/lots/%ZZ",
    ];
    for (const path of paths) {
      const res = await h.http.get(path);
      expect(res.status, path).to.not.equal(429);
      expect(res.headers["ratelimit-policy"], path).to.equal("7;w=60");
    }
    for (const path of [...paths, "/certificates/1"]) expectLimited(await h.http.get(path), "7;w=60");
  });

  it("limits /health generously and apart, keyed on the peer: X-Forwarded-For is not trusted by default", async () => {
    for (let i = 0; i < 4; i++) {
      const res = await h.http.get("/health").set("X-Forwarded-For", `203.0.113.${i}`);
      expect(res.status, "the read class being spent does not stop health probes").to.equal(200);
    }
    expectLimited(await h.http.get("/health").set("X-Forwarded-For", "198.51.100.77"), "4;w=60");
  });

  it("limits /ready, which reads the chain, the stores and the index", async () => {
    for (let i = 0; i < 2; i++) expect((await h.http.get("/ready")).status).to.be.oneOf([200, 503]);
    expectLimited(await h.http.get("/ready"), "2;w=60");
  });
});

describe("CORS", function () {
  this.timeout(120_000);

  describe("by default (no ITEC_CORS_ORIGINS)", function () {
    let h: ApiHarness;
    before(async () => {
      h = await startApiHarness();
    });
    after(async () => h?.close());

    it("answers no Access-Control-Allow-Origin and refuses a preflight with 403 problem+json", async () => {
      const res = await h.http.get("/health").set("Origin", "https://elsewhere.example").expect(200);
      expect(res.headers).to.not.have.property("access-control-allow-origin");
      const pre = await h.http
        .options("/auth/nonce")
        .set("Origin", "https://elsewhere.example")
        .set("Access-Control-Request-Method", "GET")
        .expect(403);
      expect(pre.headers["content-type"]).to.match(PROBLEM);
      expect(pre.body.code).to.equal("CORS_NOT_ALLOWED");
      expect(pre.body.detail).to.include("ITEC_CORS_ORIGINS");
      expect(pre.headers).to.not.have.property("access-control-allow-origin");
      expect(pre.headers).to.not.have.property("access-control-allow-methods");
    });

    it("leaves same-origin calls of the web app and the verification page alone (the browser's Origin header too)", async () => {
      const origin = new URL(h.api.url).origin;
      const res = await h.http.get("/auth/nonce").set("Origin", origin).expect(200);
      expect(res.headers).to.not.have.property("access-control-allow-origin");
      await h.http.get("/verify").set("Origin", origin).expect(200);
    });
  });

  describe("with an allow-list", function () {
    let h: ApiHarness;
    before(async () => {
      h = await startApiHarness({
        env: { ITEC_CORS_ORIGINS: "https://app.example, https://erp.example:8443", ITEC_RATE_LIMIT_AUTH: "1" },
      });
    });
    after(async () => h?.close());

    it("answers a listed origin's preflight with 204 and the methods, headers and max-age it may use", async () => {
      const pre = await h.http
        .options("/tx/relay")
        .set("Origin", "https://erp.example:8443")
        .set("Access-Control-Request-Method", "POST")
        .set("Access-Control-Request-Headers", "authorization, content-type")
        .expect(204);
      expect(pre.headers["access-control-allow-origin"]).to.equal("https://erp.example:8443");
      expect(pre.headers["access-control-allow-methods"]).to.equal("GET, HEAD, POST, PUT");
      expect(pre.headers["access-control-allow-headers"]).to.equal("Authorization, Content-Type, X-Request-Id");
      expect(pre.headers["access-control-max-age"]).to.equal(String(PREFLIGHT_MAX_AGE));
      expect(pre.headers.vary).to.match(/Origin/);
      expect(pre.headers).to.not.have.property("access-control-allow-credentials");
      expect(pre.headers["ratelimit-policy"], "preflights are counted like any request").to.be.a("string");
    });

    it("lets a listed origin read answers (its 429s too) and their rate-limit headers; refuses the others", async () => {
      const ok = await h.http.get("/auth/nonce").set("Origin", "https://app.example").expect(200);
      expect(ok.headers["access-control-allow-origin"]).to.equal("https://app.example");
      expect(ok.headers["access-control-expose-headers"]).to.include("RateLimit").and.include("Retry-After");
      expect(ok.headers.vary).to.match(/Origin/);
      const limited = await h.http.get("/auth/nonce").set("Origin", "https://app.example").expect(429);
      expect(limited.headers["access-control-allow-origin"]).to.equal("https://app.example");

      const other = await h.http.get("/health").set("Origin", "https://app.example.evil").expect(200);
      expect(other.headers).to.not.have.property("access-control-allow-origin");
      await h.http
        .options("/health")
        .set("Origin", "http://app.example")
        .set("Access-Control-Request-Method", "GET")
        .expect(403);
    });
  });
});

describe("ITEC_CORS_ORIGINS", function () {
  const read = (value: string) =>
    readApiEnv({ ITEC_REGISTRY_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3", ITEC_CORS_ORIGINS: value })
      .ITEC_CORS_ORIGINS;

  it("is exact origins, comma-separated, or * alone; empty means none", function () {
    expect(read("")).to.equal(undefined);
    expect(read(" https://app.example , http://127.0.0.1:5173")).to.deep.equal([
      "https://app.example",
      "http://127.0.0.1:5173",
    ]);
    expect(read("*")).to.deep.equal(["*"]);
  });

  it("refuses what a browser would never send as Origin, naming the variable", function () {
    for (const bad of [
      "https://app.example/",
      "https://app.example/path",
      "app.example",
      "ftp://x.example",
      "*,https://a.example",
    ]) {
      expect(() => read(bad), bad)
        .to.throw(ConfigError)
        .with.property("message")
        .that.matches(/ITEC_CORS_ORIGINS: expected origins such as https:\/\/app\.example/);
    }
  });
});
