/**
 * The registry API over a real chain: every route, each error path and each auth rule (supertest).
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { keccak256, toUtf8Bytes, Transaction, type HDNodeWallet } from "ethers";

import { formatSiweMessage } from "../../api/src/siwe.ts";
import { startApiHarness, untilConfirmed, type ApiHarness } from "../helpers/api.ts";
import { AUDITOR_BODIES, PARTICIPANT_NAMES } from "../helpers/chain.ts";
import { signView } from "../helpers/sign.ts";
import { REQUEST_LIMITS } from "../../core/config.ts";

const S9_CSV = readFileSync("test/vectors/section9-lot.csv", "utf8");
const PROBLEM = /^application\/problem\+json/;

/** Fills nonce and fees, signs with `wallet`, returns the raw transaction. */
async function signUnsigned(h: ApiHarness, wallet: HDNodeWallet, tx: Record<string, string>): Promise<string> {
  const fee = await h.chain.provider.getFeeData();
  return wallet.signTransaction({
    to: tx.to!,
    data: tx.data!,
    value: 0n,
    chainId: BigInt(tx.chainId!),
    nonce: await h.chain.provider.getTransactionCount(wallet.address, "pending"),
    gasLimit: BigInt(tx.gasLimit!),
    ...(tx.gasPrice !== undefined
      ? { type: 0, gasPrice: BigInt(tx.gasPrice) }
      : { type: 2, maxFeePerGas: fee.maxFeePerGas!, maxPriorityFeePerGas: fee.maxPriorityFeePerGas! }),
  });
}

async function waitMined(h: ApiHarness, hash: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const res = await h.http.get(`/tx/${hash}`).expect(200);
    if ((res.body as { status: string }).status === "mined") return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tx ${hash} not mined`);
}

describe("Registry API", function () {
  this.timeout(120_000);
  let h: ApiHarness;
  const tokens: Record<string, string> = {};

  before(async () => {
    h = await startApiHarness();
    for (const role of ["admin", "refurbisher", "corporate", "auditor1", "trader"] as const) {
      tokens[role] = await h.signIn(h.deployed.wallet(role));
    }
  });
  after(async () => h?.close());

  const auth = (role: string) => ({ Authorization: `Bearer ${tokens[role]}` });

  describe("health, readiness and documents", function () {
    it("answers /health and /ready with the chain and store reachable", async function () {
      expect((await h.http.get("/health").expect(200)).body).to.deep.equal({ status: "ok" });
      const ready = (await h.http.get("/ready").expect(200)).body as {
        status: string;
        chain: { ok: boolean; registry: string };
      };
      expect(ready.status).to.equal("ready");
      expect(ready.chain.registry).to.equal(h.deployed.address);
    });

    it("serves the OpenAPI 3.1 document and its reference page (Swagger UI, local assets), with security headers", async function () {
      const res = await h.http.get("/openapi.json").expect(200);
      expect(res.body.openapi).to.equal("3.1.0");
      expect(Object.keys(res.body.paths as object)).to.include.members([
        "/lots",
        "/verify/retirements/{id}",
        "/tx/relay",
      ]);
      expect(res.headers["x-content-type-options"]).to.equal("nosniff");
      expect(res.headers["content-security-policy"]).to.match(/script-src 'self'/);
      // an http registry (this one): no upgrade of its own assets to https, no HSTS (Safari: a blank page)
      expect(res.headers["content-security-policy"]).not.to.match(/upgrade-insecure-requests/);
      expect(res.headers["strict-transport-security"]).to.equal(undefined);
      const docs = await h.http.get("/docs").expect(200);
      expect(docs.text)
        .to.match(/<title>I-TEC Registry API /)
        .and.match(/<script src="\/docs\/swagger-ui-bundle.js"><\/script>/)
        .and.not.match(/https?:\/\//);
      expect(docs.headers["content-security-policy"]).to.match(/script-src 'self'/);
      for (const [path, type] of [
        ["/docs/swagger-ui-bundle.js", /javascript/],
        ["/docs/init.js", /javascript/],
        ["/docs/swagger-ui.css", /text\/css/],
      ] as const) {
        const asset = await h.http.get(path).expect(200);
        expect(asset.headers["content-type"], path).to.match(type);
      }
    });

    it("answers unknown routes with a 404 problem", async function () {
      const res = await h.http.get("/no/such/route").expect(404);
      expect(res.headers["content-type"]).to.match(PROBLEM);
      expect(res.body).to.include({ status: 404, code: "NOT_FOUND", instance: "/no/such/route" });
    });
  });

  describe("Sign-In with Ethereum", function () {
    async function message(
      overrides: Partial<Parameters<typeof formatSiweMessage>[0]> = {},
      wallet = h.deployed.wallet("corporate"),
    ) {
      const n = (await h.http.get("/auth/nonce").expect(200)).body as {
        nonce: string;
        domain: string;
        uri: string;
        chainId: string;
      };
      return formatSiweMessage({
        domain: n.domain,
        address: wallet.address,
        uri: n.uri,
        version: "1",
        chainId: Number(n.chainId),
        nonce: n.nonce,
        issuedAt: new Date().toISOString(),
        ...overrides,
      });
    }

    it("issues a token whose roles are read from the chain", async function () {
      const me = (await h.http.get("/auth/me").set(auth("refurbisher")).expect(200)).body as {
        kind: string;
        status: string;
      };
      expect(me).to.include({ kind: "refurbisher", status: "active" });
      const admin = (await h.http.get("/auth/me").set(auth("admin")).expect(200)).body as { roles: { admin: boolean } };
      expect(admin.roles.admin).to.equal(true);
    });

    const refusals: [string, Partial<Parameters<typeof formatSiweMessage>[0]>, string][] = [
      ["another domain", { domain: "evil.example" }, "SIWE_DOMAIN"],
      ["another chain", { chainId: 1 }, "SIWE_CHAIN"],
      ["an expired message", { expirationTime: new Date(Date.now() - 1000).toISOString() }, "SIWE_EXPIRED"],
      ["a message not valid yet", { notBefore: new Date(Date.now() + 3_600_000).toISOString() }, "SIWE_NOT_YET_VALID"],
      ["an unknown nonce", { nonce: "abcdefgh12345678" }, "SIWE_NONCE"],
    ];
    for (const [what, overrides, code] of refusals) {
      it(`refuses ${what} with 401 ${code}`, async function () {
        const wallet = h.deployed.wallet("corporate");
        const text = await message(overrides, wallet);
        const res = await h.http
          .post("/auth/siwe")
          .send({ message: text, signature: await wallet.signMessage(text) })
          .expect(401);
        expect(res.body.code).to.equal(code);
      });
    }

    it("refuses a signature by another key, a reused nonce and a malformed message", async function () {
      const text = await message();
      const bad = await h.http
        .post("/auth/siwe")
        .send({ message: text, signature: await h.deployed.wallet("trader").signMessage(text) })
        .expect(401);
      expect(bad.body.code).to.equal("SIWE_SIGNATURE");
      const ok = await h.deployed.wallet("corporate").signMessage(text);
      await h.http.post("/auth/siwe").send({ message: text, signature: ok }).expect(200);
      expect((await h.http.post("/auth/siwe").send({ message: text, signature: ok }).expect(401)).body.code).to.equal(
        "SIWE_NONCE",
      );
      const malformed = await h.http.post("/auth/siwe").send({ message: "hello", signature: ok }).expect(422);
      expect(malformed.body.errors[0].pointer).to.equal("/body/message");
    });

    it("answers 401 without a token or with a forged one", async function () {
      expect((await h.http.get("/auth/me").expect(401)).body.code).to.equal("UNAUTHENTICATED");
      const forged = `${tokens.corporate!.split(".")[0]}.${"A".repeat(43)}`;
      expect((await h.http.get("/auth/me").set("Authorization", `Bearer ${forged}`).expect(401)).body.code).to.equal(
        "TOKEN_INVALID",
      );
    });

    it("answers 401 before reading or validating the body of a route that needs a session", async function () {
      const invalid = await h.http.post("/lots").send({}).expect(401);
      expect(invalid.body.code).to.equal("UNAUTHENTICATED");
      // Beyond the lot's JSON limit: unauthenticated, it is refused before a byte of it is parsed.
      const huge = `{"devices":"${"x".repeat(REQUEST_LIMITS.lotJsonBytes + (1 << 20))}"}`;
      const unread = await h.http.post("/lots").set("Content-Type", "application/json").send(huge).expect(401);
      expect(unread.body.code).to.equal("UNAUTHENTICATED");
      const tooLarge = await h.http
        .post("/lots")
        .set(auth("refurbisher"))
        .set("Content-Type", "application/json")
        .send(huge)
        .expect(413);
      expect(tooLarge.body.code).to.equal("PAYLOAD_TOO_LARGE");
      const notFound = await h.http
        .post("/no-such-route")
        .set("Content-Type", "application/json")
        .send("{")
        .expect(404);
      expect(notFound.body.code, "a path that takes no body does not read one").to.equal("NOT_FOUND");
    });
  });

  describe("lots, batches and auditor signatures", function () {
    let lotId: string;

    it("refuses lots from the unauthenticated (401) and from non-refurbishers (403)", async function () {
      await h.http.post("/lots").set("Content-Type", "text/csv").send(S9_CSV).expect(401);
      const res = await h.http
        .post("/lots")
        .set(auth("corporate"))
        .set("Content-Type", "text/csv")
        .send(S9_CSV)
        .expect(403);
      expect(res.body.code).to.equal("FORBIDDEN");
    });

    it("takes a CSV lot (options in the query) and returns its calculation and batches", async function () {
      const res = await h.http
        .post("/lots?defaultTransport=hgv:600;van:250&lotRef=S9")
        .set(auth("refurbisher"))
        .set("Content-Type", "text/csv")
        .send(S9_CSV)
        .expect(201);
      lotId = res.body.id as string;
      expect(res.headers.location).to.equal(`/lots/${lotId}`);
      expect(res.body.refurbisher).to.equal(h.deployed.wallet("refurbisher").address);
      const states = Object.fromEntries(
        (res.body.batches as { category: string; state: string }[]).map((b) => [b.category, b.state]),
      );
      expect(states).to.deep.equal({
        laptop: "not_issuable",
        desktop: "awaiting_signatures",
        server: "awaiting_signatures",
      });
      const report = await h.http.get(`/lots/${lotId}/report`).expect(200);
      expect(keccak256(toUtf8Bytes(report.text)))
        .to.equal(res.body.reportHash)
        .and.to.equal(report.headers["x-report-hash"]);
      expect((await h.http.get(`/lots/${lotId}`).expect(200)).body.id).to.equal(lotId);
      const mine = (await h.http.get("/lots").set(auth("refurbisher")).expect(200)).body.lots as { id: string }[];
      expect(mine.map((l) => l.id)).to.include(lotId);
    });

    it("takes a JSON lot, answers the identical lot again with the stored one, and refuses other options with 409", async function () {
      const rows = S9_CSV.trim().split("\n");
      const header = rows[0]!.split(",");
      const devices = rows.slice(1, 3).map((r) => Object.fromEntries(r.split(",").map((v, i) => [header[i]!, v])));
      const body = {
        devices: devices.map((d) => ({ ...d, serial: `J-${d.serial}` })),
        defaultTransport: "hgv:600;van:250",
        lotId: "json-1",
      };
      const first = await h.http.post("/lots").set(auth("refurbisher")).send(body).expect(201);
      // A retry (the answer to the first was lost, say): 200 and the stored lot, unchanged.
      const again = await h.http.post("/lots").set(auth("refurbisher")).send(body).expect(200);
      expect(again.body).to.deep.equal(first.body);
      expect(again.headers.location).to.equal("/lots/L2");
      // The same reference with other options: a conflict that says how to resubmit.
      const dup = await h.http
        .post("/lots")
        .set(auth("refurbisher"))
        .send({ ...body, defaultTransport: "rail:300" })
        .expect(409);
      expect(dup.body).to.include({ code: "LOT_DUPLICATE", lotId: "L2", identical: false, sameDevices: true });
      expect(dup.body.differences).to.deep.equal({
        defaultTransport: { submitted: "hgv:600;van:250", now: "rail:300" },
      });
      expect(dup.body.detail).to.include("the options are not part of a lot's identity").and.include("--lot-ref");
    });

    it("refuses bad lots with 422 and a precise message, and bad ids with a pointer", async function () {
      const header = await h.http
        .post("/lots")
        .set(auth("refurbisher"))
        .set("Content-Type", "text/csv")
        .send("a,b,c\n1,2,3\n")
        .expect(422);
      expect(header.body.code).to.equal("BAD_HEADER");
      const empty = await h.http.post("/lots").set(auth("refurbisher")).send({ devices: [] }).expect(422);
      expect(empty.body.code).to.equal("LOT_EMPTY");
      const shape = await h.http
        .post("/lots")
        .set(auth("refurbisher"))
        .send({ devices: [{ serail: "x" }] })
        .expect(422);
      expect(shape.body.code).to.equal("INVALID_INPUT");
      expect(shape.body.errors.length).to.be.greaterThan(0);
      const xml = await h.http
        .post("/lots")
        .set(auth("refurbisher"))
        .set("Content-Type", "application/xml")
        .send("<a/>")
        .expect(415);
      expect(xml.body.code).to.equal("UNSUPPORTED_MEDIA_TYPE");
      const broken = await h.http
        .post("/lots")
        .set(auth("refurbisher"))
        .set("Content-Type", "application/json")
        .send("{oops")
        .expect(400);
      expect(broken.body.code).to.equal("MALFORMED_BODY");
      const badId = await h.http.get("/lots/lot-1").expect(422);
      expect(badId.body.errors[0].pointer).to.equal("/params/id");
      expect((await h.http.get("/lots/L999").expect(404)).body.code).to.equal("NOT_FOUND");
    });

    it("exposes exactly what the auditor signs, and verifies each signature before accepting it", async function () {
      const id = `${lotId}-server`;
      const view = (await h.http.get(`/batches/${id}/attestation`).expect(200)).body;
      expect(view.review).to.include({
        category: "server",
        baselineKgPerDevice: "984.960",
        reductionKgPerDevice: "261.023",
      });
      expect(view.typedData.primaryType).to.equal("Attestation");
      const outsider = h.deployed.wallet("corporate");
      const notAuditor = await h.http
        .post(`/batches/${id}/signatures`)
        .send({ auditor: outsider.address, signature: await signView(outsider, view) })
        .expect(403);
      expect(notAuditor.body.code).to.equal("SIGNER_NOT_AUDITOR");
      const auditor = h.deployed.wallet("auditor1");
      const wrong = await h.http
        .post(`/batches/${id}/signatures`)
        .send({ auditor: auditor.address, signature: "0x1234" })
        .expect(422);
      expect(wrong.body.code).to.equal("SIGNATURE_INVALID");
      const badBody = await h.http
        .post(`/batches/${id}/signatures`)
        .send({ auditor: "nope", signature: 5 })
        .expect(422);
      expect(badBody.body.errors.map((e: { pointer: string }) => e.pointer).sort()).to.deep.equal([
        "/body/auditor",
        "/body/signature",
      ]);
      const ok = await h.http
        .post(`/batches/${id}/signatures`)
        .send({ auditor: auditor.address, signature: await signView(auditor, view) })
        .expect(200);
      expect(ok.body.state).to.equal("ready");
      const again = await h.http
        .post(`/batches/${id}/signatures`)
        .send({ auditor: auditor.address, signature: await signView(auditor, view) })
        .expect(409);
      expect(again.body).to.include({ code: "ALREADY_SIGNED", auditorCounted: true });
      expect(again.body.counted).to.deep.equal([auditor.address]);
      // The worker posts; the batch job then shows the token id.
      await untilConfirmed(h, [id]);
      const job = (await h.http.get(`/batches/${id}`).expect(200)).body;
      expect(job.state).to.equal("confirmed");
      expect(job.tokenId).to.equal("1");
      expect(job.transitions.map((t: { to: string }) => t.to)).to.deep.equal([
        "submitted",
        "calculated",
        "awaiting_signatures",
        "ready",
        "posted",
        "confirmed",
      ]);
    });

    it("lets an auditor reject a batch with a signed reason", async function () {
      const id = `${lotId}-desktop`;
      const view = (await h.http.get(`/batches/${id}/attestation`).expect(200)).body;
      const auditor = h.deployed.wallet("auditor2");
      const reason = "test reports missing";
      const { REJECTION_TYPES } = await import("../../sdk/src/attestation.ts");
      const signature = await auditor.signTypedData(view.typedData.domain, REJECTION_TYPES, {
        attestationDigest: view.digest,
        reason,
      });
      const res = await h.http
        .post(`/batches/${id}/rejections`)
        .send({ auditor: auditor.address, reason, signature })
        .expect(200);
      expect(res.body).to.include({ state: "rejected", reason });
    });

    it("reports oracle metrics", async function () {
      const m = (await h.http.get("/status").expect(200)).body;
      expect(m.batchesByState.confirmed).to.equal(1);
      expect(m.counters.signaturesRefused).to.be.greaterThan(0);
    });
  });

  describe("certificates, transactions and verification", function () {
    it("shows a batch from the chain, and 404 for an unknown one", async function () {
      const b = (await h.http.get("/certificates/1").expect(200)).body;
      expect(b).to.include({ batchId: "1", category: "server", issued: "1", retired: "0", outstanding: "1" });
      expect(b.auditors).to.deep.equal([h.deployed.wallet("auditor1").address]);
      // Standing and names from the chain: the owner by its organisation name, each auditor by its body.
      expect(b).to.deep.include({
        status: "active",
        hold: { adminSuspended: false, openChallenges: 0 },
        cancelled: "0",
        reversal: null,
        ownerName: PARTICIPANT_NAMES.refurbisher,
        signers: [{ auditor: h.deployed.wallet("auditor1").address, bodyId: 1, body: AUDITOR_BODIES[0] }],
      });
      const owner = (await h.http.get(`/participants/${b.owner}`).expect(200)).body;
      expect(owner).to.deep.include({ name: PARTICIPANT_NAMES.refurbisher, kind: "refurbisher", accreditation: null });
      const auditor = (await h.http.get(`/participants/${h.deployed.wallet("auditor1").address}`).expect(200)).body;
      expect(auditor.roles.auditor).to.equal(true);
      expect(auditor.accreditation).to.deep.include({ bodyId: 1, body: AUDITOR_BODIES[0] });
      expect(auditor.accreditation.categories).to.have.length(6);
      const meta = (await h.http.get("/certificates/1/metadata").expect(200)).body;
      expect(meta.name).to.equal("I-TEC batch #1 (server)");
      expect((await h.http.get("/certificates/99").expect(404)).body.code).to.equal("NOT_FOUND");
      expect((await h.http.get("/verify/batches/1").expect(200)).body.reportHash).to.equal(b.reportHash);
    });

    it("builds an unsigned transfer, refuses one that would revert, and relays the signed one", async function () {
      const refurbisher = h.deployed.wallet("refurbisher");
      const outsider = h.deployed.wallet("auditor2");
      const refused = await h.http
        .post("/tx/transfer")
        .set(auth("refurbisher"))
        .send({ to: outsider.address, items: [{ batchId: "1", amount: "1" }] })
        .expect(422);
      expect(refused.body.code).to.equal("WOULD_REVERT");
      // The detail is the sentence for people; the raw error stays in `revert`.
      expect(refused.body.detail).to.equal(
        `${outsider.address} is not an admitted participant: the registry admin can admit it with ` +
          `\`itec participant admit ${outsider.address} --kind <refurbisher|itad|corporate|trader> --name "…"\``,
      );
      expect(refused.body.revert).to.deep.equal({
        name: "ITECAccountNotActive",
        args: { account: outsider.address, status: "0" },
        message: `ITECAccountNotActive(account=${outsider.address}, status=0)`,
      });
      const built = (
        await h.http
          .post("/tx/transfer")
          .set(auth("refurbisher"))
          .send({ to: h.deployed.wallet("corporate").address, items: [{ batchId: "1", amount: "1" }] })
          .expect(200)
      ).body;
      expect(built).to.include({ from: refurbisher.address, to: h.deployed.address, value: "0", chainId: "1337" });
      const raw = await signUnsigned(h, refurbisher, built);
      // Only the signed-in account's own transactions are relayed.
      expect(
        (await h.http.post("/tx/relay").set(auth("corporate")).send({ signedTransaction: raw }).expect(403)).body.code,
      ).to.equal("TX_NOT_YOURS");
      const sent = (
        await h.http.post("/tx/relay").set(auth("refurbisher")).send({ signedTransaction: raw }).expect(202)
      ).body;
      expect(sent.function).to.equal("safeTransferFrom");
      expect(Transaction.from(raw).hash).to.equal(sent.hash);
      await waitMined(h, sent.hash);
      expect(await h.deployed.registry.balanceOf(h.deployed.wallet("corporate").address, 1n)).to.equal(1n);
    });

    it("refuses to relay garbage, other contracts and other chains", async function () {
      const garbage = await h.http
        .post("/tx/relay")
        .set(auth("refurbisher"))
        .send({ signedTransaction: "0x1234" })
        .expect(422);
      expect(garbage.body.code).to.equal("TX_MALFORMED");
      const w = h.deployed.wallet("refurbisher");
      const other = await w.signTransaction({
        to: w.address,
        data: "0x",
        chainId: 1337n,
        nonce: 0,
        gasLimit: 21_000n,
        gasPrice: 0n,
      });
      expect(
        (await h.http.post("/tx/relay").set(auth("refurbisher")).send({ signedTransaction: other }).expect(422)).body
          .code,
      ).to.equal("TX_NOT_REGISTRY");
      const chain1 = await w.signTransaction({
        to: h.deployed.address,
        data: "0x",
        chainId: 1n,
        nonce: 0,
        gasLimit: 21_000n,
        gasPrice: 0n,
      });
      expect(
        (await h.http.post("/tx/relay").set(auth("refurbisher")).send({ signedTransaction: chain1 }).expect(422)).body
          .code,
      ).to.equal("TX_WRONG_CHAIN");
    });

    it("retires through the wallet flow and verifies the retirement from the chain", async function () {
      const corporate = h.deployed.wallet("corporate");
      const body = {
        batchId: "1",
        amount: "1",
        beneficiaryName: "Acme Corporation",
        periodStart: "2026-01-01",
        periodEnd: "2026-12-31",
        scope3Category: 2,
        purpose: "FY2026 server procurement",
      };
      const badPeriod = await h.http
        .post("/tx/retire")
        .set(auth("corporate"))
        .send({ ...body, periodEnd: "2025-01-01" })
        .expect(422);
      expect(badPeriod.body.errors[0].pointer).to.equal("/body/periodEnd");
      const built = (await h.http.post("/tx/retire").set(auth("corporate")).send(body).expect(200)).body;
      const sent = (
        await h.http
          .post("/tx/relay")
          .set(auth("corporate"))
          .send({ signedTransaction: await signUnsigned(h, corporate, built) })
          .expect(202)
      ).body;
      expect(sent.function).to.equal("retire");
      await waitMined(h, sent.hash);
      await h.api.deps.reads.cache.refresh();
      const v = (await h.http.get("/verify/retirements/1").expect(200)).body;
      expect(v.verified).to.equal(true);
      expect(v.verdict).to.equal("verified");
      expect(v.claimStatus).to.include({ status: "verified", batchId: "1", originalBatchId: "1", replacements: 0 });
      expect(v.summary).to.equal(
        "Retirement #1 is verified: 1 I-TEC (server) retired for Acme Corporation from batch #1.",
      );
      expect(v.chain).to.include({ chainId: "1337", registry: h.deployed.address });
      expect(v.claim).to.include({
        account: corporate.address,
        accountName: PARTICIPANT_NAMES.corporate,
        beneficiaryName: "Acme Corporation",
        amount: "1",
        scope3Category: 2,
        purpose: body.purpose,
      });
      expect(v.claim.periodStart).to.equal("2026-01-01T00:00:00.000Z");
      expect(v.claim.periodEnd).to.equal("2026-12-31T23:59:59.000Z");
      expect(v.proof.txHash).to.equal(sent.hash);
      expect(v.batch).to.include({ batchId: "1", reductionKgPerDevice: "261.023" });
      expect(v.totals.reductionKgClaimed).to.equal("261.023");
      expect(v.checks.every((c: { passed: boolean }) => c.passed)).to.equal(true);
      expect(v.statement).to.match(/Nothing in this answer comes from the registry's own database/);
      expect((await h.http.get("/retirements/1").expect(200)).body.retirementId).to.equal("1");
      expect((await h.http.get("/verify/retirements/7").expect(404)).body.code).to.equal("NOT_FOUND");
      // A browser gets the page for the same URL.
      const page = await h.http.get("/verify/retirements/1").set("Accept", "text/html").expect(200);
      expect(page.headers["content-type"]).to.match(/text\/html/);
      expect(page.text).to.match(/verify\.js/);
    });

    it("lists from the event index, saying how far it has caught up", async function () {
      const corporate = h.deployed.wallet("corporate").address;
      let listed:
        { retirements: { retirementId: string; beneficiaryName: string }[]; index: { lagBlocks: number } } | undefined;
      for (let i = 0; i < 100; i++) {
        listed = (await h.http.get("/retirements?beneficiary=acme").expect(200)).body;
        if (listed!.retirements.length > 0 && listed!.index.lagBlocks === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(listed!.retirements.map((r) => [r.retirementId, r.beneficiaryName])).to.deep.equal([
        ["1", "Acme Corporation"],
      ]);
      expect(listed!.index.lagBlocks).to.equal(0);
      expect((await h.http.get(`/retirements?account=${corporate}`).expect(200)).body.retirements).to.have.length(1);
      expect((await h.http.get("/retirements?batchId=2").expect(200)).body.retirements).to.have.length(0);
      await h.api.deps.reads.cache.refresh();
      const refurbisher = h.deployed.wallet("refurbisher").address;
      const balances = (await h.http.get(`/accounts/${refurbisher}/balances`).expect(200)).body;
      expect(balances.balances).to.deep.equal([]);
      const batches = (await h.http.get("/batches?category=server").expect(200)).body.batches as {
        id?: string;
        batchId?: string;
      }[];
      expect(batches).to.have.length(1);
      const participants = (await h.http.get("/participants?kind=corporate").expect(200)).body.participants as {
        account: string;
      }[];
      expect(participants.map((p) => p.account)).to.deep.equal([corporate]);
      const auditors = (await h.http.get("/auditors").expect(200)).body;
      expect(auditors.threshold).to.equal(1);
      expect(auditors.auditors).to.have.members([
        h.deployed.wallet("auditor1").address,
        h.deployed.wallet("auditor2").address,
      ]);
      const bad = await h.http.get("/retirements?limit=9999").expect(422);
      expect(bad.body.errors[0].pointer).to.equal("/query/limit");
    });

    it("builds admin transactions only for the admin", async function () {
      const account = h.deployed.wallet("auditor2").address;
      const denied = await h.http
        .post("/admin/participants")
        .set(auth("corporate"))
        .send({ account, kind: "trader", name: "Second Trader Ltd" })
        .expect(403);
      expect(denied.body.code).to.equal("FORBIDDEN");
      const built = (
        await h.http
          .post("/admin/participants")
          .set(auth("admin"))
          .send({ account, kind: "trader", name: "Second Trader Ltd" })
          .expect(200)
      ).body;
      expect(built.description).to.equal(`admit ${account} as trader "Second Trader Ltd"`);
      const admin = h.deployed.wallet("admin");
      const sent = (
        await h.http
          .post("/tx/relay")
          .set(auth("admin"))
          .send({ signedTransaction: await signUnsigned(h, admin, built) })
          .expect(202)
      ).body;
      await waitMined(h, sent.hash);
      const p = await h.deployed.registry.participant(account);
      expect([p.status, p.name]).to.deep.equal([1n, "Second Trader Ltd"]);
      for (const [method, path, body] of [
        ["post", `/admin/participants/${account}/suspend`, { reason: "review" }],
        ["put", `/admin/participants/${account}/name`, { name: "Second Trader GmbH" }],
        ["post", "/admin/auditor-bodies", { name: "Audit Body C" }],
        [
          "put",
          `/admin/auditors/${h.deployed.wallet("auditor3").address}/accreditation`,
          { bodyId: 1, categories: ["laptop"], validFrom: "2026-01-01", validUntil: "2026-12-31" },
        ],
        ["post", `/admin/auditors/${h.deployed.wallet("auditor1").address}/revoke`, { reason: "left" }],
        ["put", "/admin/auditors/threshold", { threshold: 1 }],
        ["post", "/admin/batches/1/suspend", { reason: "audit finding" }],
      ] as const) {
        const denied2 = await h.http[method](path).set(auth("trader")).send(body).expect(403);
        expect(denied2.body.code, path).to.equal("FORBIDDEN");
        const ok = await h.http[method](path).set(auth("admin")).send(body).expect(200);
        expect(ok.body.to, path).to.equal(h.deployed.address);
      }
    });
  });
});
