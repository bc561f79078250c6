/**
 * Device lookups for other schemes (issue 17): GET /devices/{id} and POST /devices/check over a real chain, the real
 * oracle and a lot issued through the real path (the §9 lot: desktop and server batches issuable, laptops not).
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";

import { DEVICE_CHECKS_PER_MINUTE, MAX_DEVICE_CHECK } from "../../api/src/routes/devices.ts";
import { deviceId } from "../../core/calc/index.ts";
import { verifyDeviceInclusion } from "../../sdk/src/device-proof.ts";
import { startApiHarness, untilConfirmed, type ApiHarness } from "../helpers/api.ts";
import { signView } from "../helpers/sign.ts";

const S9_CSV = readFileSync("test/vectors/section9-lot.csv", "utf8");
const PROBLEM = /^application\/problem\+json/;

/** §9 devices by category: desktop and server are issuable; the four laptops are not (NO_VERIFIED_REDUCTION). */
const DESKTOP = deviceId("HP", "S9-HP880-002");
const SERVER = deviceId("Dell", "S9-R740-003");
const LAPTOP = deviceId("Dell", "S9-5420-001");
const UNKNOWN = deviceId("Acme", "NEVER-SUBMITTED");

interface Standing {
  deviceId: string;
  status: string;
  batch: { batchId: string; category: string; status: string } | null;
}

describe("Device lookups (GET /devices/{id}, POST /devices/check)", function () {
  this.timeout(180_000);
  let h: ApiHarness;
  let lotId: string;
  let bulkUsed = 0;

  const check = async (deviceIds: string[], status = 200) => {
    bulkUsed++;
    return h.http.post("/devices/check").send({ deviceIds }).expect(status);
  };

  before(async () => {
    h = await startApiHarness();
    const token = await h.signIn(h.deployed.wallet("refurbisher"));
    const lot = await h.http
      .post("/lots")
      .set("Authorization", `Bearer ${token}`)
      .set("Content-Type", "text/csv")
      .query({ defaultTransport: "hgv:600;van:250" })
      .send(S9_CSV)
      .expect(201);
    lotId = lot.body.id as string;
  });
  after(async () => h?.close());

  describe("before issuance", function () {
    it("answers pending for the devices of batches under review, none for the rest", async function () {
      const res = await check([DESKTOP, SERVER, LAPTOP, UNKNOWN]);
      expect((res.body.devices as Standing[]).map((d) => [d.deviceId, d.status, d.batch])).to.deep.equal([
        [DESKTOP, "pending", null],
        [SERVER, "pending", null],
        [LAPTOP, "none", null],
        [UNKNOWN, "none", null],
      ]);
      expect(res.body).to.include({ certified: 0, pending: 2, none: 2 });
      const one = await h.http.get(`/devices/${SERVER}`).expect(200);
      expect(one.body).to.include({ status: "pending", batch: null, proof: null });
    });
  });

  describe("after issuance", function () {
    before(async () => {
      const id = `${lotId}-desktop`;
      const view = (await h.http.get(`/batches/${id}/attestation`).expect(200)).body;
      const auditor = h.deployed.wallet("auditor1");
      await h.http
        .post(`/batches/${id}/signatures`)
        .send({ auditor: auditor.address, signature: await signView(auditor, view) })
        .expect(200);
      await untilConfirmed(h, [id]);
    });

    it("names the issuing batch and its status on the chain, in the order asked, repeats included", async function () {
      const res = await check([SERVER, DESKTOP.toUpperCase().replace("0X", "0x"), UNKNOWN, DESKTOP]);
      const devices = res.body.devices as Standing[];
      expect(devices.map((d) => [d.deviceId, d.status])).to.deep.equal([
        [SERVER, "pending"],
        [DESKTOP, "certified"],
        [UNKNOWN, "none"],
        [DESKTOP, "certified"],
      ]);
      expect(devices[1]!.batch).to.deep.equal({ batchId: "1", category: "desktop", status: "active" });
      expect(res.body).to.include({ certified: 2, pending: 1, none: 1 });
      expect(res.body.block).to.be.a("number").greaterThan(0);
    });

    it("gives a certified device its leaf and a Merkle proof the chain accepts", async function () {
      const res = await h.http.get(`/devices/${DESKTOP}`).expect(200);
      expect(res.body).to.include({ deviceId: DESKTOP, status: "certified" });
      expect(res.body.batch).to.deep.equal({ batchId: "1", category: "desktop", status: "active" });
      expect(res.body.links.batch).to.match(/\/verify\/batches\/1$/);
      const { root, index, proof } = res.body.proof as { root: string; index: string; proof: string[] };
      const onChain = await h.api.deps.reads.batch(1n);
      expect(root).to.equal(onChain.deviceRoot!.toLowerCase());
      expect(verifyDeviceInclusion(root, BigInt(index), DESKTOP, proof)).to.equal(true);
      const verified = await h.api.deps.reads.verifyDeviceInBatch(1n, BigInt(index), DESKTOP, proof);
      expect(verified.verified).to.equal(true);
    });

    it("reports a suspended batch as suspended", async function () {
      await (await h.deployed.adminRegistry.suspendBatch(1n, "evidence under review")).wait();
      let status = "";
      for (const deadline = Date.now() + 20_000; status !== "suspended" && Date.now() < deadline;) {
        await h.api.deps.reads.cache.refresh();
        status = ((await h.http.get(`/devices/${DESKTOP}`).expect(200)).body as Standing).batch!.status;
      }
      expect(status).to.equal("suspended");
      const res = await check([DESKTOP]);
      expect((res.body.devices as Standing[])[0]!.batch!.status).to.equal("suspended");
    });
  });

  describe("refusals", function () {
    it("refuses an id that is not 0x and 64 hex digits (422 with a pointer)", async function () {
      for (const bad of ["0x1234", `${DESKTOP}00`, DESKTOP.slice(2), `0x${"g".repeat(64)}`]) {
        const res = await h.http.get(`/devices/${bad}`).expect(422);
        expect(res.headers["content-type"]).to.match(PROBLEM);
        expect(res.body.code).to.equal("INVALID_INPUT");
        expect(res.body.errors[0].pointer).to.equal("/params/deviceId");
      }
      const body = await check([DESKTOP, "0xnope"], 422);
      expect(body.body.errors[0].pointer).to.equal("/body/deviceIds/1");
    });

    it(`refuses an empty list and more than ${MAX_DEVICE_CHECK} ids, and answers exactly ${MAX_DEVICE_CHECK}`, async function () {
      expect((await check([], 422)).body.code).to.equal("INVALID_INPUT");
      const many = Array.from({ length: MAX_DEVICE_CHECK + 1 }, (_, i) => deviceId("Acme", `BULK-${i}`));
      const over = await check(many, 422);
      expect(over.headers["content-type"]).to.match(PROBLEM);
      expect(over.body.errors[0].pointer).to.equal("/body/deviceIds");
      const full = await check([...many.slice(0, MAX_DEVICE_CHECK - 1), DESKTOP]);
      expect(full.body.devices).to.have.length(MAX_DEVICE_CHECK);
      expect(full.body).to.include({ certified: 1, none: MAX_DEVICE_CHECK - 1 });
    });

    it(`limits bulk checks to ${DEVICE_CHECKS_PER_MINUTE} a minute per client, in a class of their own`, async function () {
      // Earlier tests used `bulkUsed` of the bucket (a 422 before the handler takes none: validation comes first).
      let allowed = 0;
      let limited: Awaited<ReturnType<typeof check>> | undefined;
      for (let i = 0; i < DEVICE_CHECKS_PER_MINUTE + 1 && !limited; i++) {
        const res = await h.http.post("/devices/check").send({ deviceIds: [UNKNOWN] });
        if (res.status === 429) limited = res;
        else allowed++;
      }
      expect(limited, "the bulk limit never answered 429").not.to.equal(undefined);
      expect(allowed)
        .to.be.at.most(DEVICE_CHECKS_PER_MINUTE)
        .and.at.least(DEVICE_CHECKS_PER_MINUTE - bulkUsed);
      expect(limited!.headers["content-type"]).to.match(PROBLEM);
      expect(limited!.body.code).to.equal("RATE_LIMITED");
      expect(Number(limited!.headers["retry-after"])).to.be.greaterThan(0);
      // Single lookups are reads: still answered.
      await h.http.get(`/devices/${UNKNOWN}`).expect(200);
    });
  });
});
