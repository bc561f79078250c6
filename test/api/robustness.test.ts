/**
 * Abuse and faults: generated malformed params, queries and bodies thrown at every route never produce a 5xx
 * and always come back as problem+json; rate limits answer 429; an unreachable chain answers 503.
 */
import { expect } from "chai";
import fc from "fast-check";

import { allRoutes } from "../../api/src/app.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";

const PROBLEM = /^application\/problem\+json/;

describe("API robustness", function () {
  this.timeout(180_000);

  describe("generated malformed requests at every route", function () {
    let h: ApiHarness;
    let token: string;
    before(async () => {
      h = await startApiHarness({ env: { ITEC_RATE_LIMIT_WRITE: "100000", ITEC_RATE_LIMIT_AUTH: "100000" } });
      token = await h.signIn(h.deployed.wallet("refurbisher"));
    });
    after(async () => h?.close());

    it("never answers 5xx and always answers errors as problem+json", async function () {
      const routes = allRoutes(h.api.deps);
      const segment = fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom("0", "-1", "1e9", "99999999999999999999999", "L0", "L1-spaceship", "0xZZ", "%00", "..", "null"),
        fc.integer().map(String),
      );
      const jsonBody = fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.dictionary(
          fc.constantFrom(
            "auditor",
            "signature",
            "devices",
            "to",
            "items",
            "batchId",
            "amount",
            "reason",
            "message",
            "threshold",
            "account",
            "kind",
          ),
          fc.jsonValue({ maxDepth: 2 }),
        ),
      );
      const request = fc.record({
        route: fc.integer({ min: 0, max: routes.length - 1 }),
        params: fc.array(segment, { minLength: 3, maxLength: 3 }),
        query: fc.dictionary(
          fc.constantFrom(
            "limit",
            "offset",
            "asOf",
            "lotRef",
            "beneficiary",
            "account",
            "batchId",
            "status",
            "kind",
            "category",
          ),
          fc.string({ maxLength: 20 }),
        ),
        body: jsonBody,
        raw: fc.option(fc.string({ maxLength: 200 }), { nil: undefined }),
        contentType: fc.constantFrom("application/json", "text/csv", "text/plain", "application/x-www-form-urlencoded"),
        authed: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const route = routes[r.route]!;
          let i = 0;
          const path = route.path.replace(/:([A-Za-z_]+)/g, () => encodeURIComponent(r.params[i++] ?? "x"));
          let req = h.http[route.method](path).query(r.query);
          if (r.authed) req = req.set("Authorization", `Bearer ${token}`);
          if (route.method !== "get") {
            req = req.set("Content-Type", r.contentType).send(r.raw ?? JSON.stringify(r.body));
          }
          const res = await req;
          expect(
            res.status,
            `${route.method.toUpperCase()} ${path} → ${res.status} ${res.text.slice(0, 300)}`,
          ).to.be.below(500);
          if (res.status >= 400) {
            expect(res.headers["content-type"], `${route.method} ${path}`).to.match(PROBLEM);
            expect(res.body).to.have.property("status", res.status);
            expect(res.body).to.have.property("code").that.is.a("string");
            expect(res.text).to.not.match(/\n\s+at [^\n]+\(.*:\d+:\d+\)/); // never a stack trace
          }
        }),
        { numRuns: 400 },
      );
    });
  });

  it("answers 429 as problem+json once a client exceeds the sign-in rate limit", async function () {
    const h = await startApiHarness({ env: { ITEC_RATE_LIMIT_AUTH: "3" } });
    try {
      for (let i = 0; i < 3; i++) await h.http.get("/auth/nonce").expect(200);
      const res = await h.http.get("/auth/nonce").expect(429);
      expect(res.headers["content-type"]).to.match(PROBLEM);
      expect(res.body.code).to.equal("RATE_LIMITED");
    } finally {
      await h.close();
    }
  });

  it("answers 503 as problem+json while the chain is unreachable, and recovers", async function () {
    const h = await startApiHarness({ viaProxy: true });
    try {
      await h.http.get("/certificates/1").expect(404);
      h.proxy!.down();
      const res = await h.http.get("/certificates/1").expect(503);
      expect(res.headers["content-type"]).to.match(PROBLEM);
      expect(res.headers["retry-after"]).to.equal("5");
      expect(res.body.code).to.equal("CHAIN_UNAVAILABLE");
      const ready = await h.http.get("/ready").expect(503);
      expect(ready.body.chain.ok).to.equal(false);
      h.proxy!.up();
      await h.http.get("/ready").expect(200);
      await h.http.get("/certificates/1").expect(404);
    } finally {
      await h.close();
    }
  });
});
