/**
 * What the web app reads from the API (issue 15): the chain for the wallet (GET /network), the reference data
 * (GET /reference-data, /reference-data/info) with which the browser's calculation gives the oracle's figures for a
 * submitted lot, the participant search by organisation name, and the auditor's queue (GET /reviews).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

import { expect } from "chai";
import request from "supertest";

import { createApp } from "../../api/src/app.ts";
import { chainNameOf } from "../../api/src/routes/network.ts";
import { calculateLotCsv } from "../../core/calc/browser.ts";
import { DEFAULT_REFERENCE_PATH, loadReferenceTable } from "../../core/calc/reference-file.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { PARTICIPANT_NAMES } from "../helpers/chain.ts";
import { signView } from "../helpers/sign.ts";

const DEMO_LOT = readFileSync("data/samples/demo-lot.csv", "utf8");
const AS_OF = "2026-01-15";

describe("API for the web app: network, reference data, participant search, auditor queue", function () {
  this.timeout(180_000);
  let h: ApiHarness;
  const tokens: Record<string, string> = {};
  const auth = (role: string) => ({ Authorization: `Bearer ${tokens[role]}` });

  before(async () => {
    h = await startApiHarness();
    for (const role of ["refurbisher", "corporate", "auditor1", "auditor2"] as const) {
      tokens[role] = await h.signIn(h.deployed.wallet(role));
    }
  });
  after(async () => {
    await h?.close();
  });

  describe("GET /network", () => {
    it("names the chain, the registry and the RPC URL a browser wallet adds", async () => {
      const res = await h.http.get("/network").expect(200);
      expect(res.body).to.deep.equal({
        chainId: "1337",
        chainName: "I-TEC Registry (dev)",
        registry: h.deployed.address,
        deployBlock: 0,
        // ITEC_PUBLIC_RPC_URL is unset here: the API's own ITEC_RPC_URL.
        rpcUrl: h.chain.url,
        dev: true,
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      });
    });

    it("answers the configured name, public RPC URL and deploy block", async () => {
      const { reads } = h.api.deps;
      const app = createApp({
        ...h.api.deps,
        chainName: "ACME Registry",
        publicRpcUrl: "https://rpc.example/",
        reads: Object.assign(Object.create(Object.getPrototypeOf(reads) as object) as typeof reads, reads, {
          fromBlock: 17,
        }),
      });
      const res = await request(app).get("/network").expect(200);
      expect(res.body).to.include({ chainName: "ACME Registry", rpcUrl: "https://rpc.example/", deployBlock: 17 });
    });

    it("marks only the development chains as dev, with the default names", () => {
      expect(chainNameOf(1337n, undefined)).to.equal("I-TEC Registry (dev)");
      expect(chainNameOf(31337n, undefined)).to.equal("I-TEC Registry (dev)");
      expect(chainNameOf(1n, undefined)).to.equal("I-TEC Registry");
      expect(chainNameOf(2018n, undefined)).to.equal("I-TEC Registry");
      expect(chainNameOf(1n, "Named")).to.equal("Named");
    });
  });

  describe("GET /reference-data", () => {
    let lot: { id: string; reportHash: string; referenceDataSha256: string; batches: Record<string, unknown>[] };

    before(async () => {
      lot = (
        await h.http
          .post(`/lots?asOf=${AS_OF}`)
          .set(auth("refurbisher"))
          .set("Content-Type", "text/csv")
          .send(DEMO_LOT)
          .expect(201)
      ).body;
    });

    it("serves the file's bytes with the sha256 a submitted lot records", async () => {
      const file = readFileSync(DEFAULT_REFERENCE_PATH);
      const res = await h.http
        .get("/reference-data")
        .buffer(true)
        .parse((r, done) => {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(res.headers["content-type"]).to.match(/^text\/csv/);
      expect(Buffer.compare(res.body as Buffer, file)).to.equal(0);
      const sha256 = createHash("sha256").update(file).digest("hex");
      expect(res.headers["x-reference-sha256"]).to.equal(sha256);
      expect(lot.referenceDataSha256).to.equal(sha256);
      expect(res.headers.etag).to.equal(`"sha256-${sha256}"`);
      await h.http.get("/reference-data").set("If-None-Match", res.headers.etag!).expect(304);
    });

    it("describes the file", async () => {
      const info = (await h.http.get("/reference-data/info").expect(200)).body;
      const table = loadReferenceTable();
      expect(info).to.deep.equal({
        sha256: lot.referenceDataSha256,
        rows: table.rows,
        methodVersion: "ITEC-CALC 1.0",
        paramsVersion: "ITEC-PARAMS-1",
        source: table.source,
      });
    });

    it("lets the browser calculate the lot the API stored: same report hash and figures", async () => {
      const reference = new Uint8Array(readFileSync(DEFAULT_REFERENCE_PATH));
      const browser = calculateLotCsv(DEMO_LOT, reference, {
        asOf: AS_OF,
        refurbisher: h.deployed.wallet("refurbisher").address,
      });
      expect(browser.reportHash).to.equal(lot.reportHash);
      expect(browser.referenceSha256).to.equal(lot.referenceDataSha256);
      const report = (await h.http.get(`/lots/${lot.id}/report`).expect(200)).text;
      expect(browser.reportHash).to.equal(lot.reportHash);
      expect(JSON.parse(report).batches).to.deep.equal(browser.batches);
      const issued = browser.batches.filter((b) => b.issued);
      expect(
        lot.batches
          .filter((b) => b.state !== "not_issuable")
          .map((b) => [b.category, b.baselineGrams, b.reductionGrams, b.certificates, b.deviceRoot]),
      ).to.deep.equal(issued.map((b) => [b.category, b.baselineGrams, b.reductionGrams, b.certificates, b.deviceRoot]));
    });
  });

  describe("GET /participants?name=", () => {
    it("finds participants by a part of their organisation name, in any case", async () => {
      const list = async (name: string) =>
        (await h.http.get("/participants").query({ name }).expect(200)).body.participants as { name: string }[];
      for (let i = 0; i < 100 && (await list("co")).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      expect((await list("REFURB")).map((p) => p.name)).to.deep.equal([PARTICIPANT_NAMES.refurbisher]);
      expect((await list("corporate P")).map((p) => p.name)).to.deep.equal([PARTICIPANT_NAMES.corporate]);
      expect((await list("co")).map((p) => p.name).sort()).to.deep.equal(
        [PARTICIPANT_NAMES.corporate, PARTICIPANT_NAMES.refurbisher].sort(),
      );
      expect(await list("no such organisation")).to.deep.equal([]);
      const both = (await h.http.get("/participants").query({ name: "gmbh", kind: "corporate" }).expect(200)).body;
      expect(both.participants).to.deep.equal([]);
      const bad = await h.http.get("/participants").query({ name: "" }).expect(422);
      expect(bad.body.errors[0].pointer).to.equal("/query/name");
    });
  });

  describe("GET /reviews", () => {
    it("is for accredited auditors only", async () => {
      expect((await h.http.get("/reviews").expect(401)).body.code).to.equal("UNAUTHENTICATED");
      const refused = await h.http.get("/reviews").set(auth("corporate")).expect(403);
      expect(refused.body.code).to.equal("FORBIDDEN");
      expect(refused.headers["content-type"]).to.match(/^application\/problem\+json/);
    });

    it("lists the batches awaiting signatures, and what the signed-in auditor has signed", async () => {
      const threshold = (await h.http.get("/auditors").expect(200)).body.threshold as number;
      const queue = (await h.http.get("/reviews").set(auth("auditor1")).expect(200)).body.reviews as Record<
        string,
        unknown
      >[];
      const awaiting = (await h.http.get("/lots").set(auth("refurbisher")).expect(200)).body.lots.flatMap(
        (l: { batches: { id: string; state: string }[] }) =>
          l.batches.filter((b) => ["awaiting_signatures", "ready"].includes(b.state)).map((b) => b.id),
      ) as string[];
      expect(awaiting.length).to.be.greaterThan(0);
      expect(queue.map((r) => r.batchId).sort()).to.deep.equal([...awaiting].sort());
      const first = queue[0]!;
      const id = String(first.batchId);
      const batch = (await h.http.get(`/batches/${id}`).expect(200)).body;
      expect(first).to.include({
        lotId: batch.lotId,
        category: batch.category,
        certificates: batch.certificates,
        signatures: 0,
        threshold,
        mine: "pending",
        digest: batch.digest,
      });
      expect(first.links).to.deep.equal({
        attestation: `${h.api.url}/batches/${id}/attestation`,
        report: `${h.api.url}/lots/${batch.lotId}/report`,
        batch: `${h.api.url}/batches/${id}`,
        sample: `${h.api.url}/reviews/${id}/sample`,
      });
      const view = (await h.http.get(`/batches/${id}/attestation`).expect(200)).body;
      expect(first.baselineKg).to.equal(view.review.baselineKgPerDevice);
      expect(first.reductionKg).to.equal(view.review.reductionKgPerDevice);

      const auditor1 = h.deployed.wallet("auditor1");
      await h.http
        .post(`/batches/${id}/signatures`)
        .send({ auditor: auditor1.address, signature: await signView(auditor1, view) })
        .expect(200);
      const pending = (await h.http.get("/reviews").set(auth("auditor1")).expect(200)).body.reviews;
      expect(pending.map((r: { batchId: string }) => r.batchId)).not.to.include(id);
      const all = (await h.http.get("/reviews?mine=all").set(auth("auditor1")).expect(200)).body.reviews;
      expect(all.find((r: { batchId: string }) => r.batchId === id)).to.include({ mine: "signed", signatures: 1 });
      const other = (await h.http.get("/reviews").set(auth("auditor2")).expect(200)).body.reviews;
      expect(other.find((r: { batchId: string }) => r.batchId === id)).to.include({ mine: "pending", signatures: 1 });
      const bad = await h.http.get("/reviews?mine=mine").set(auth("auditor1")).expect(422);
      expect(bad.body.code).to.equal("INVALID_INPUT");
    });

    it("shows the audit sample once drawn and records the auditor's evidence per sampled device", async () => {
      // The seed block is the one after the submission: mine it (the test chain mines on transactions only).
      await fetch(h.chain.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_mine", params: [] }),
      });
      await h.api.oracle.oracle.tick();
      const queue = (await h.http.get("/reviews?mine=all").set(auth("auditor2")).expect(200)).body.reviews;
      const id = String(queue[0].batchId);
      const sample = (await h.http.get(`/reviews/${id}/sample`).set(auth("auditor2")).expect(200)).body;
      expect(sample.state).to.equal("drawn");
      expect(sample.devices).to.have.length(sample.size).and.length.above(0);
      const listed = (await h.http.get("/reviews?mine=all").set(auth("auditor2")).expect(200)).body.reviews;
      expect(listed.find((r: { batchId: string }) => r.batchId === id).sample.seed).to.equal(sample.seed);
      const [first, second] = sample.devices as { deviceId: string }[];
      const outcomes = [{ deviceId: first!.deviceId, outcome: "seen" }];
      if (second) outcomes.push({ deviceId: second.deviceId, outcome: "missing" });
      const after = (await h.http.post(`/reviews/${id}/sample`).set(auth("auditor2")).send({ outcomes }).expect(200))
        .body;
      expect(after.devices[0]).to.deep.equal({ deviceId: first!.deviceId, outcome: "seen" });
      if (second) expect(after.devices[1].outcome).to.equal("missing");
      // The record is the batch's, one all its auditors sign (ADR 0055); a device outside the sample is refused.
      const other = (await h.http.get(`/reviews/${id}/sample`).set(auth("auditor1")).expect(200)).body;
      expect(other.devices).to.deep.equal(after.devices);
      const outside = await h.http
        .post(`/reviews/${id}/sample`)
        .set(auth("auditor2"))
        .send({ outcomes: [{ deviceId: `0x${"00".repeat(32)}`, outcome: "seen" }] })
        .expect(422);
      expect(outside.body.errors[0].pointer).to.equal("/body/outcomes/0/deviceId");
    });
  });
});
