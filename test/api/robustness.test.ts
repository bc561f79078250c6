/**
 * Abuse and faults: generated malformed params, queries and bodies thrown at every route never produce a 5xx
 * and always come back as problem+json; rate limits answer 429; an unreachable chain answers 503.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { Interface } from "ethers";
import fc from "fast-check";

import { allRoutes } from "../../api/src/app.ts";
import { formatSiweMessage } from "../../api/src/siwe.ts";
import { makeOffer, marketDomain, offerToJson, signOffer } from "../../sdk/src/market/offer.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { deployMarketOverRpc, type DeployedMarket } from "../helpers/market-api.ts";
import { check, PROBLEM } from "../helpers/fuzz/check.ts";
import { inParallel, mutations, routeKey, type Case, type Example } from "../helpers/fuzz/mutations.ts";
import { signView } from "../helpers/sign.ts";

const S9_CSV = readFileSync("test/vectors/section9-lot.csv", "utf8");

describe("API robustness", function () {
  this.timeout(180_000);

  describe("generated malformed requests at every route", function () {
    let h: ApiHarness;
    const market: Partial<DeployedMarket> = {};
    let token: string;
    before(async () => {
      h = await startApiHarness({
        // Capacity is not what this checks: no rate limit, and a worker queue deep enough for its bursts (a full
        // pool's 503 SERVER_BUSY is test/api/dos-limits.test.ts's).
        env: {
          ITEC_RATE_LIMIT_WRITE: "1000000",
          ITEC_RATE_LIMIT_AUTH: "1000000",
          ITEC_RATE_LIMIT_READ: "1000000",
          ITEC_WORKER_QUEUE: "10000",
        },
        deployMore: (chain, deployed) => deployMarketOverRpc(chain, deployed, market),
      });
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

    it("never answers 5xx to a valid request with one field set to an edge value (every route, every field)", async function () {
      const refurbisher = h.deployed.wallet("refurbisher");
      const corporate = h.deployed.wallet("corporate");
      const tokens = {
        refurbisher: token,
        admin: await h.signIn(h.deployed.wallet("admin")),
        corporate: await h.signIn(corporate),
      };
      // One real lot, so the batch-job routes reach signature verification rather than a 404.
      const rows = S9_CSV.trim().split("\n");
      const header = rows[0]!.split(",");
      const devices = rows.slice(1, 2).map((r) => Object.fromEntries(r.split(",").map((v, i) => [header[i]!, v])));
      const lotBody = { devices, defaultTransport: "hgv:600;van:250", asOf: "2026-06-30", lotId: "near-valid" };
      const lot = await h.http.post("/lots").set("Authorization", `Bearer ${tokens.refurbisher}`).send(lotBody);
      expect(lot.status, lot.text).to.equal(201);
      const job = (lot.body.batches as { id: string; state: string }[]).find((b) => b.state === "awaiting_signatures");
      expect(job, "a batch job awaiting signatures").to.not.equal(undefined);
      const view = (await h.http.get(`/batches/${job!.id}/attestation`).expect(200)).body;
      const auditor = h.deployed.wallet("auditor1").address;
      // Well-formed but by a non-auditor: the verification runs and refuses it.
      const foreignSignature = await signView(corporate, view);
      const registry = new Interface(["function safeTransferFrom(address,address,uint256,uint256,bytes)"]);
      const signedTransaction = await refurbisher.signTransaction({
        type: 0,
        to: h.deployed.address,
        data: registry.encodeFunctionData("safeTransferFrom", [refurbisher.address, corporate.address, 999, 1, "0x"]),
        chainId: 1337n,
        nonce: 1_000_000,
        gasLimit: 200_000n,
        gasPrice: 0n,
      });
      const siwe = formatSiweMessage({
        domain: "127.0.0.1",
        address: corporate.address,
        statement: "Sign in to the I-TEC Registry",
        uri: "http://127.0.0.1",
        version: "1",
        chainId: 1337,
        nonce: "abcdefgh12345678",
        issuedAt: new Date().toISOString(),
      });
      const A = corporate.address;
      const B = h.deployed.wallet("trader").address;
      const hash = `0x${"ab".repeat(32)}`;
      const offer = makeOffer({
        seller: refurbisher.address,
        token: market.token!,
        batchId: 1n,
        quantity: 5n,
        price: 1_000n,
        nonce: 1n,
        expiry: 4_000_000_000n,
        paymentWindow: 86_400n,
      });
      const offerSignature = await signOffer(refurbisher, marketDomain(1337n, market.market!), offer);
      const deviceProof = { root: `0x${"cd".repeat(32)}`, index: "3", deviceId: hash, proof: [hash, hash] };
      const examples: Record<string, Example | Example[]> = {
        "get /auth/nonce": {},
        "post /auth/siwe": { body: { message: siwe, signature: await corporate.signMessage(siwe) } },
        "get /auth/me": {},
        "post /tx/transfer": [
          { body: { to: A, items: [{ batchId: "1", amount: "1" }] } },
          {
            body: {
              from: refurbisher.address,
              to: A,
              items: [
                { batchId: "1", amount: "1" },
                { batchId: "2", amount: "3" },
              ],
            },
          },
        ],
        "post /tx/retire": {
          body: {
            holder: refurbisher.address,
            batchId: "1",
            amount: "1",
            beneficiaryName: "Acme Corp",
            beneficiary: A,
            periodStart: "2026-01-01",
            periodEnd: "2026-12-31",
            scope3Category: 1,
            purpose: "FY2026 laptop procurement",
          },
        },
        "post /tx/approval": { body: { operator: A, approved: true } },
        "post /tx/relay": { body: { signedTransaction } },
        "get /tx/:hash": { params: { hash } },
        "post /tx/replace": { body: { retirementId: "1", fromBatchId: "2", holder: refurbisher.address } },
        "post /tx/challenges/duplicate-device": { body: { a: deviceProof, b: { ...deviceProof, root: hash } } },
        "post /tx/challenges/tree-size": { body: { proof: deviceProof } },
        "post /tx/challenges/index-reuse": { body: { a: deviceProof, b: { ...deviceProof, deviceId: hash } } },
        "post /admin/participants": { as: "admin", body: { account: A, kind: "trader", name: "Trader GmbH" } },
        "put /admin/participants/:address/name": { as: "admin", params: { address: B }, body: { name: "Trader AG" } },
        "post /admin/participants/:address/:action": {
          as: "admin",
          params: { address: B, action: "suspend" },
          body: { reason: "audit finding" },
        },
        "post /admin/auditor-bodies": { as: "admin", body: { name: "Audit Body N" } },
        "put /admin/auditor-bodies/:bodyId/name": { as: "admin", params: { bodyId: "1" }, body: { name: "Body A" } },
        "put /admin/auditors/:address/accreditation": {
          as: "admin",
          params: { address: B },
          body: { bodyId: 1, categories: ["laptop", "server"], validFrom: "2026-01-01", validUntil: "2026-12-31" },
        },
        "post /admin/auditors/:address/revoke": { as: "admin", params: { address: auditor }, body: { reason: "left" } },
        "put /admin/auditors/threshold": { as: "admin", body: { threshold: 1 } },
        "post /admin/batches/:id/reverse": {
          as: "admin",
          params: { id: "1" },
          body: { reason: "double counted", evidenceURI: "https://registry.example/findings/1" },
        },
        "post /admin/challenges/:id/settle": {
          as: "admin",
          params: { id: "1" },
          body: { faultyBatchId: "1", reason: "double counted", evidenceURI: "" },
        },
        "post /admin/batches/:id/:action": {
          as: "admin",
          params: { id: "1", action: "suspend" },
          body: { reason: "audit finding" },
        },
        "post /lots": [
          { body: lotBody },
          {
            contentType: "text/csv",
            query: { asOf: "2026-06-30", defaultTransport: "hgv:600", lotRef: "near-valid-csv" },
            body: `${rows[0]}\n${rows[2]}\n`,
          },
        ],
        "get /lots": { query: { limit: "10", offset: "0" } },
        "get /lots/:id": { params: { id: lot.body.id } },
        "get /lots/:id/report": { params: { id: lot.body.id } },
        "get /batches/:id": { params: { id: job!.id } },
        "get /batches/:id/attestation": { params: { id: job!.id } },
        "post /batches/:id/signatures": { params: { id: job!.id }, body: { auditor, signature: foreignSignature } },
        "post /batches/:id/rejections": {
          params: { id: job!.id },
          body: { auditor, reason: "test reports missing", signature: foreignSignature },
        },
        "get /status": {},
        "get /retirements/:id/certificate.pdf": { params: { id: "1" } },
        "get /retirements/:id/certificate.html": { params: { id: "1" } },
        "post /reports/scope3": [
          {
            query: { format: "json" },
            body: {
              account: A,
              year: 2026,
              inventory: [
                {
                  year: 2026,
                  category: "laptop",
                  devices: 100,
                  pcfKgPerDevice: "310.5",
                  manufacturer: "Dell",
                  model: "Latitude 5420",
                },
              ],
            },
          },
          {
            contentType: "text/csv",
            query: { format: "csv", account: A, year: "2026" },
            body: "year,category,devices,pcf_kg_per_device,manufacturer,model\n2026,laptop,100,310.5,Dell,Latitude 5420\n",
          },
        ],
        "get /verify/retirements/:id": { params: { id: "1" } },
        "get /verify/batches/:id": { params: { id: "1" } },
        "get /verify/batches/:id/sample": { params: { id: "1" } },
        "get /certificates/:batchId": { params: { batchId: "1" } },
        "get /certificates/:batchId/metadata": { params: { batchId: "1" } },
        "get /accounts/:address/balances": { params: { address: A } },
        "get /retirements": {
          query: { beneficiary: "Acme", account: A, batchId: "1", limit: "10", offset: "0" },
        },
        "get /retirements/:id": { params: { id: "1" } },
        "get /batches": { query: { owner: A, category: "laptop", limit: "10", offset: "0" } },
        "get /participants": { query: { status: "active", kind: "refurbisher" } },
        "get /participants/:address": { params: { address: A } },
        "get /auditors": {},
        "get /claims/candidates": { query: { account: A, nameKey: "acme corporation" } },
        "get /claims/registered": { query: { key: "Acme Corporation" } },
        "get /devices/:deviceId": { params: { deviceId: `0x${"ab".repeat(32)}` } },
        "post /devices/check": { body: { deviceIds: [`0x${"ab".repeat(32)}`] } },
        "get /external-sets": {},
        "post /tx/challenges/claimed-elsewhere": {
          body: {
            ours: { root: `0x${"ab".repeat(32)}`, index: "0", deviceId: `0x${"cd".repeat(32)}`, proof: [] },
            setId: 1,
            theirs: { root: `0x${"ef".repeat(32)}`, index: "0", deviceId: `0x${"cd".repeat(32)}`, proof: [] },
          },
        },
        // The web app's routes
        "get /network": {},
        "get /reference-data": {},
        "get /reference-data/info": {},
        "get /reviews": { query: { mine: "all", limit: "10", offset: "0" } },
        "get /reviews/:batchId/sample": { params: { batchId: "L1-server" } },
        "post /reviews/:batchId/sample": {
          params: { batchId: "L1-server" },
          body: { outcomes: [{ deviceId: `0x${"11".repeat(32)}`, outcome: "seen" }] },
        },
        "get /accounts/:address/portfolio": { params: { address: A } },
        "get /accounts/:address/operators/:operator": { params: { address: A, operator: B } },
        "get /market": {},
        "post /market/offers": { body: { offer: offerToJson(offer), signature: offerSignature } },
        "get /market/offers": { query: { category: "1", maxPrice: "20000000", seller: refurbisher.address } },
        "get /market/offers/:hash": { params: { hash } },
        "get /market/requests": { query: { status: "open", buyer: A } },
        "get /market/reservations": { query: { account: A, status: "open" } },
        "post /tx/market/fill": { body: { offerHash: hash, amount: "1", batchId: "1", onInvoice: true } },
        "post /tx/market/confirm": { body: { reservationId: "1" } },
        "post /tx/market/reclaim": { body: { reservationId: "1" } },
        "post /tx/market/cancel": { body: { offerHash: hash } },
        "post /tx/market/request": { body: { category: 1, quantity: "10", expiry: "1798761600" } },
        "post /tx/market/approve": { body: { token: market.token!, amount: "1" } },
        // Flow-through deliveries
        "post /deliveries": [
          { body: { customer: B, reference: "ORD-1", devices: [{ manufacturer: "Dell", serial: "SN-1" }] } },
          { body: { customer: B, reference: "ORD-2", devices: [{ deviceId: hash }] } },
        ],
        "post /deliveries/:id/sent": { params: { id: "D0123456789abcdef" }, body: { txHash: hash } },
        "delete /deliveries/:id": { params: { id: "D0123456789abcdef" } },
        "get /deliveries": { query: { role: "itad", reference: "ORD-1" } },
        "get /deliveries/:id": { params: { id: "D0123456789abcdef" } },
        "get /deliveries/:id/proofs": { params: { id: "D0123456789abcdef" } },
      };

      const routes = allRoutes(h.api.deps);
      const missing = routes.map(routeKey).filter((k) => !(k in examples));
      expect(missing, "every route needs a valid example here").to.deep.equal([]);
      const cases: Case[] = [];
      for (const route of routes) {
        const list = examples[routeKey(route)]!;
        for (const example of Array.isArray(list) ? list : [list]) {
          cases.push({ route, example, label: "as given" });
          for (const m of mutations(example)) cases.push({ route, example: m.example, label: m.label });
        }
      }
      const failures: string[] = [];
      const started = Date.now();
      await inParallel(cases, 12, async (c) => {
        const failure = await check(h, tokens, c);
        if (failure) failures.push(failure);
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      expect(
        failures,
        `${failures.length} of ${cases.length} requests failed (${seconds} s):\n${failures.slice(0, 40).join("\n")}`,
      ).to.deep.equal([]);
    });

    it("refuses impossible dates and out-of-range integers with 422 and a pointer to the field", async function () {
      const to = h.deployed.wallet("corporate").address;
      const retire = {
        batchId: "1",
        amount: "1",
        beneficiaryName: "Acme Corp",
        periodStart: "2026-01-01",
        periodEnd: "2026-12-31",
        scope3Category: 1,
      };
      const cases: [string, Record<string, unknown>, string][] = [
        ["/tx/retire", { ...retire, periodStart: "2026-02-31" }, "/body/periodStart"],
        ["/tx/retire", { ...retire, periodEnd: "2025-02-29" }, "/body/periodEnd"],
        ["/tx/retire", { ...retire, periodStart: "1969-12-31" }, "/body/periodStart"],
        ["/tx/retire", { ...retire, batchId: (1n << 256n).toString() }, "/body/batchId"],
        ["/tx/transfer", { to, items: [{ batchId: "1", amount: "9".repeat(78) }] }, "/body/items/0/amount"],
        ["/tx/transfer", { to, items: [{ batchId: (1n << 256n).toString(), amount: "1" }] }, "/body/items/0/batchId"],
      ];
      for (const [path, body, pointer] of cases) {
        const res = await h.http.post(path).set("Authorization", `Bearer ${token}`).send(body);
        expect(res.status, `${path} ${JSON.stringify(body)} → ${res.text}`).to.equal(422);
        expect(res.headers["content-type"]).to.match(PROBLEM);
        expect(res.body.code).to.equal("INVALID_INPUT");
        expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).to.deep.equal([pointer]);
      }
      // The largest uint256 is a valid amount: the chain simulation refuses it (no such balance), not the encoder.
      const max = (1n << 256n) - 1n;
      const res = await h.http
        .post("/tx/transfer")
        .set("Authorization", `Bearer ${token}`)
        .send({ to, items: [{ batchId: "1", amount: max.toString() }] });
      expect(res.status, res.text).to.equal(422);
      expect(res.body.code).to.not.equal("INVALID_INPUT");
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
