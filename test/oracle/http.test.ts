/**
 * The oracle's guards as the API's callers see them (supertest over a real chain): identical signatures posted
 * at once, a forged signature under an auditor's address (the route takes no login: signatures authenticate
 * themselves), an oversized signature, and lots dated in the future or before 2000.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";

import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { signView } from "../helpers/sign.ts";

const S9_CSV = readFileSync("test/vectors/section9-lot.csv", "utf8");
const PROBLEM = /^application\/problem\+json/;

describe("Oracle guards over HTTP", function () {
  this.timeout(120_000);
  let h: ApiHarness;
  let token: string;
  let lotId: string;

  before(async () => {
    h = await startApiHarness();
    token = await h.signIn(h.deployed.wallet("refurbisher"));
    const res = await h.http
      .post("/lots?defaultTransport=hgv:600;van:250&lotRef=S9")
      .set({ Authorization: `Bearer ${token}` })
      .set("Content-Type", "text/csv")
      .send(S9_CSV)
      .expect(201);
    lotId = res.body.id as string;
  });
  after(async () => h?.close());

  it("answers three identical signatures posted at once with one 200 and 409 ALREADY_SIGNED problems", async function () {
    const id = `${lotId}-server`;
    const view = (await h.http.get(`/batches/${id}/attestation`).expect(200)).body;
    const auditor = h.deployed.wallet("auditor1");
    const signature = await signView(auditor, view);
    const responses = await Promise.all(
      [1, 2, 3].map(() => h.http.post(`/batches/${id}/signatures`).send({ auditor: auditor.address, signature })),
    );
    expect(responses.map((r) => r.status).sort()).to.deep.equal([200, 409, 409]);
    for (const r of responses.filter((x) => x.status === 409)) {
      expect(r.headers["content-type"]).to.match(PROBLEM);
      expect(r.body).to.include({ status: 409, code: "ALREADY_SIGNED" });
      expect(r.body.detail).to.equal(`${auditor.address} already signed batch ${id}`);
    }
    const job = (await h.http.get(`/batches/${id}`).expect(200)).body;
    expect(job.state).to.equal("ready");
    expect(job.signatures.map((s: { auditor: string; status: string }) => [s.auditor, s.status])).to.deep.equal([
      [auditor.address, "accepted"],
    ]);
  });

  it("never shows a signature that does not verify as a refusal by the auditor it names; caps its length", async function () {
    const id = `${lotId}-desktop`;
    const auditor1 = h.deployed.wallet("auditor1").address;
    // Anyone, no login: a well-formed 65-byte garbage signature under auditor 1's address.
    const forged = await h.http
      .post(`/batches/${id}/signatures`)
      .send({ auditor: auditor1, signature: `0x${"42".repeat(65)}` })
      .expect(422);
    expect(forged.headers["content-type"]).to.match(PROBLEM);
    expect(forged.body.code).to.equal("SIGNATURE_INVALID");
    const tooLong = await h.http
      .post(`/batches/${id}/signatures`)
      .send({ auditor: auditor1, signature: `0x${"42".repeat(2049)}` })
      .expect(422);
    expect(tooLong.body.code).to.equal("SIGNATURE_INVALID");
    expect(tooLong.body.detail).to.match(/longer than 2048 bytes/);
    const job = (await h.http.get(`/batches/${id}`).expect(200)).body;
    expect(job.signatures).to.deep.equal([]);
    expect((await h.http.get(`/batches/${id}/attestation`).expect(200)).body.signatures).to.deep.equal([]);
    // Kept for the operator, apart from the auditors' signatures.
    const store = h.api.oracle.oracle.store;
    expect((await store.unattributedSignatures(id)).map((s) => s.claimed_auditor)).to.deep.equal([auditor1]);
  });

  it("refuses a lot dated after tomorrow (UTC) or before 2000-01-01 with 422 LOT_INVALID", async function () {
    const auth = { Authorization: `Bearer ${token}` };
    const csv = await h.http
      .post("/lots?defaultTransport=hgv:600;van:250&lotRef=future&asOf=9999-12-31")
      .set(auth)
      .set("Content-Type", "text/csv")
      .send(S9_CSV)
      .expect(422);
    expect(csv.headers["content-type"]).to.match(PROBLEM);
    expect(csv.body.code).to.equal("LOT_INVALID");
    expect(csv.body.detail).to.match(/^as-of date 9999-12-31 is out of range/);
    const json = await h.http
      .post("/lots")
      .set(auth)
      .send({
        devices: [
          {
            serial: "OLD-1",
            manufacturer: "Dell",
            model: "Latitude 5420",
            category: "laptop",
            manufacture_date: "1998-06",
            refurbished_date: "1999-09-30",
            second_life_months: 36,
            transport: "van:100",
          },
        ],
        asOf: "1999-12-31",
        lotId: "past",
      });
    expect(json.status, JSON.stringify(json.body)).to.equal(422);
    expect(json.body.code).to.equal("LOT_INVALID");
    expect(json.body.detail).to.match(/^as-of date 1999-12-31 is out of range/);
    const lots = (await h.http.get("/lots").set(auth).expect(200)).body.lots as { id: string }[];
    expect(lots.map((l) => l.id)).to.deep.equal([lotId]);
  });
});
