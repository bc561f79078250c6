/**
 * Flow-through deliveries (issue 19): real serials of the sample lot (data/samples/demo-lot.csv, the lot `npm start`
 * issues) flow through from the ITAD to a customer over a real chain, the real oracle and the real relay; the
 * customer reads what it received and verifies its devices against the chain; the refusals carry their reasons.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";

import { devAccount } from "../../core/keys.ts";
import { ApiClient, type UnsignedTx } from "../../sdk/src/api-client.ts";
import {
  deviceIdOf,
  referenceHashOf,
  verifyDeliveryTransfer,
  verifyDevices,
  type Delivery,
  type DeliveryDeviceProof,
} from "../../sdk/src/delivery.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { issueLot } from "../helpers/issue-lot.ts";

const DEMO_LOT = readFileSync("data/samples/demo-lot.csv", "utf8");
const rows = DEMO_LOT.trim()
  .split("\n")
  .slice(1)
  .map((l) => l.split(","))
  .map((f) => ({ serial: f[0]!, manufacturer: f[1]!, category: f[3]! }));
const serialsOf = (category: string) => rows.filter((r) => r.category === category && !/DUP|BAD|MB1/.test(r.serial));
const LAPTOPS = serialsOf("laptop").slice(0, 6);
const DESKTOPS = serialsOf("desktop");
/** In the sample lot but not certified: a duplicate serial (the lot excludes both rows). */
const DUPLICATE_IN_LOT = { manufacturer: "Dell", serial: "CN0LAT54DUP" };
const NEVER_SUBMITTED = { manufacturer: "Acme", serial: "NEVER-SUBMITTED-1" };

interface Prepared {
  delivery: Delivery;
  refused: { row: number; deviceId: string; reason: string; batchId: string | null; serial: string | null }[];
  transaction: UnsignedTx | null;
}

describe("Flow-through deliveries (POST /deliveries, GET /deliveries/{id}, …/proofs)", function () {
  this.timeout(300_000);
  let h: ApiHarness;
  let itad: ApiClient;
  let customer: ApiClient;
  let other: ApiClient;
  const w = (role: Parameters<ApiHarness["deployed"]["wallet"]>[0]) =>
    h.deployed.wallet(role).connect(h.chain.provider);

  const prepare = async (client: ApiClient, body: unknown, status = 201) => {
    const res = await client.send<Prepared>("POST", "/deliveries", body).catch((e: unknown) => e);
    if (status !== 201) return res as { status: number; body: { code: string } };
    return (res as { body: Prepared }).body;
  };

  before(async () => {
    h = await startApiHarness();
    await issueLot(h, DEMO_LOT, "hgv:600;van:250");
    itad = new ApiClient(h.api.url);
    await itad.signIn(w("refurbisher"));
    customer = new ApiClient(h.api.url);
    await customer.signIn(w("corporate"));
    other = new ApiClient(h.api.url);
    await other.signIn(w("trader"));
  });
  after(async () => h?.close());

  let delivery: Delivery;

  describe("a delivery of real serials from the sample lot", function () {
    let prepared: Prepared;

    before(async () => {
      prepared = (await prepare(itad, {
        customer: w("corporate").address,
        reference: "ORD-123",
        devices: [...LAPTOPS, DESKTOPS[0]!, DUPLICATE_IN_LOT, NEVER_SUBMITTED, LAPTOPS[0]!].map((d) => ({
          manufacturer: d.manufacturer,
          serial: d.serial,
        })),
      })) as Prepared;
    });

    it("counts the certificates per batch and lists each device without one with its reason", function () {
      const d = prepared.delivery;
      expect(d).to.include({ reference: "ORD-123", state: "prepared", delivered: 10, certified: 7 });
      expect(d.referenceHash).to.equal(referenceHashOf("ORD-123"));
      expect(Object.fromEntries(d.items.map((i) => [i.category, i.amount]))).to.deep.equal({
        laptop: "6",
        desktop: "1",
      });
      expect(d.items.map((i) => BigInt(i.batchId))).to.deep.equal(d.items.map((i) => BigInt(i.batchId)).sort());
      expect(prepared.refused.map((r) => [r.row, r.reason, r.serial])).to.deep.equal([
        [8, "NOT_CERTIFIED", "CN0LAT54DUP"],
        [9, "NOT_CERTIFIED", "NEVER-SUBMITTED-1"],
        [10, "DUPLICATE_IN_DELIVERY", LAPTOPS[0]!.serial],
      ]);
      // What is stored and shown to the customer names devices by id only.
      expect(JSON.stringify(d)).not.to.include("CN0LAT54DUP");
      expect(d.refused[0]).to.deep.equal({
        row: 8,
        deviceId: deviceIdOf("Dell", "CN0LAT54DUP"),
        reason: "NOT_CERTIFIED",
        batchId: null,
      });
    });

    it("builds one safeBatchTransferFrom carrying the reference's hash; the customer sees nothing before it is sent", async function () {
      const tx = prepared.transaction!;
      expect(tx.data.slice(0, 10)).to.equal(
        h.deployed.registry.interface.getFunction("safeBatchTransferFrom").selector,
      );
      expect(tx.data).to.include(referenceHashOf("ORD-123").slice(2));
      const seen = await customer.get<{ deliveries: Delivery[] }>("/deliveries?reference=ORD-123");
      expect(seen.deliveries).to.deep.equal([]);
      const res = await customer.send("GET", `/deliveries/${prepared.delivery.id}`).catch((e: { status: number }) => e);
      expect(res.status).to.equal(404);
    });

    it("records the transfer once the chain shows it is the delivery's", async function () {
      const hash = await itad.signAndRelay(w("refurbisher"), prepared.transaction!);
      delivery = await itad.post<Delivery>(`/deliveries/${prepared.delivery.id}/sent`, { txHash: hash });
      expect(delivery.state).to.equal("sent");
      expect(delivery.transfer!.txHash).to.equal(hash);
      const again = await itad
        .send("POST", `/deliveries/${delivery.id}/sent`, { txHash: hash })
        .catch((e: { status: number; code: string }) => e);
      expect(again).to.include({ status: 409, code: "DELIVERY_SENT" });
    });

    it("shows the customer what it received: '… 10 devices, 7 certified (3 not certified: …)'", async function () {
      const list = await customer.get<{ deliveries: Delivery[] }>("/deliveries?reference=ORD-123");
      expect(list.deliveries).to.have.length(1);
      expect(list.deliveries[0]!.summary).to.equal(
        "received with delivery ORD-123: 10 devices, 7 certified (3 not certified: 2 NOT_CERTIFIED, 1 DUPLICATE_IN_DELIVERY)",
      );
    });

    it("lets the customer verify each of its devices and the transfer against the chain", async function () {
      const proofs = await customer.get<{ devices: DeliveryDeviceProof[] }>(`/deliveries/${delivery.id}/proofs`);
      expect(proofs.devices).to.have.length(7);
      const results = await verifyDevices(
        [...LAPTOPS, DESKTOPS[0]!, NEVER_SUBMITTED],
        proofs.devices,
        h.api.deps.reads,
      );
      expect(results.map((r) => r.status)).to.deep.equal([...Array(7).fill("verified"), "not-in-delivery"]);
      const transfer = await verifyDeliveryTransfer(h.chain.provider, h.deployed.address, delivery.transfer!.txHash, {
        itad: delivery.itad,
        customer: delivery.customer,
        referenceHash: referenceHashOf("ORD-123"),
        items: delivery.items,
      });
      expect(transfer).to.include({ verified: true });
      const forged = await verifyDeliveryTransfer(h.chain.provider, h.deployed.address, delivery.transfer!.txHash, {
        itad: delivery.itad,
        customer: delivery.customer,
        referenceHash: referenceHashOf("ORD-999"),
        items: delivery.items,
      });
      expect(forged.verified).to.equal(false);
      expect(forged.problems.join()).to.match(/not the delivery reference's hash/);
    });

    it("fails a tampered proof and a proof of another device", async function () {
      const { devices } = await customer.get<{ devices: DeliveryDeviceProof[] }>(`/deliveries/${delivery.id}/proofs`);
      const laptop = devices.find((d) => d.deviceId === deviceIdOf(LAPTOPS[1]!.manufacturer, LAPTOPS[1]!.serial))!;
      const sibling = laptop.proof!.proof[0]!;
      const flipped = `${sibling.slice(0, -1)}${sibling.endsWith("0") ? "1" : "0"}`;
      const tampered = { ...laptop, proof: { ...laptop.proof!, proof: [flipped, ...laptop.proof!.proof.slice(1)] } };
      const [bad] = await verifyDevices([laptop.deviceId], [tampered], h.api.deps.reads);
      expect(bad).to.include({ status: "proof-invalid" });
      const wrongIndex = { ...laptop, proof: { ...laptop.proof!, index: String(Number(laptop.proof!.index) + 1) } };
      expect((await verifyDevices([laptop.deviceId], [wrongIndex], h.api.deps.reads))[0]!.status).to.equal(
        "proof-invalid",
      );
      const swapped = { ...devices[0]!, deviceId: laptop.deviceId };
      expect((await verifyDevices([laptop.deviceId], [swapped], h.api.deps.reads))[0]!.status).to.equal(
        "proof-invalid",
      );
    });

    it("serves proofs of the delivery's own devices only, and nothing to another account", async function () {
      const { devices } = await customer.get<{ devices: DeliveryDeviceProof[] }>(`/deliveries/${delivery.id}/proofs`);
      const mine = new Set([...LAPTOPS, DESKTOPS[0]!].map((d) => deviceIdOf(d.manufacturer, d.serial)));
      expect(new Set(devices.map((d) => d.deviceId))).to.deep.equal(mine);
      // Other laptops of the same batch (another customer's, say) appear nowhere in the answer.
      const text = JSON.stringify(devices);
      for (const r of serialsOf("laptop").slice(6)) {
        expect(text).not.to.include(deviceIdOf(r.manufacturer, r.serial).slice(2));
        expect(text).not.to.include(r.serial);
      }
      for (const path of [`/deliveries/${delivery.id}`, `/deliveries/${delivery.id}/proofs`]) {
        const res = await other.send("GET", path).catch((e: { status: number; code: string }) => e);
        expect(res).to.include({ status: 404, code: "NOT_FOUND" });
      }
      expect((await other.get<{ deliveries: Delivery[] }>("/deliveries")).deliveries).to.deep.equal([]);
      expect((await h.http.get(`/deliveries/${delivery.id}/proofs`).expect(401)).body.code).to.equal("UNAUTHENTICATED");
    });
  });

  describe("on the retirement certificate and in the Scope 3 report", function () {
    let retirementId: string;

    before(async () => {
      const laptopBatch = delivery.items.find((i) => i.category === "laptop")!.batchId;
      await customer.signAndRelay(
        w("corporate"),
        await customer.buildRetirement({
          batchId: laptopBatch,
          amount: "4",
          beneficiaryName: "Corporate Plc",
          periodStart: "2026-01-01",
          periodEnd: "2026-12-31",
          scope3Category: 2,
          purpose: "laptops received with ORD-123",
        }),
      );
      retirementId = (await h.deployed.registry.retirementCount()).toString();
    });

    it("names the delivery the retired certificates were received with", async function () {
      const html = (await h.http.get(`/retirements/${retirementId}/certificate.html`).expect(200)).text;
      expect(html).to.include("Received with delivery");
      expect(html).to.match(/ORD-123 — 6 of this batch from 0x[0-9a-fA-F]{40} \(tx 0x[0-9a-f]{64}\)/);
      expect(html).not.to.include("other sources");
    });

    it("lists the delivery reference with the retirement in the Scope 3 report", async function () {
      const account = w("corporate").address;
      type Row = { retirementId: string; deliveries?: { reference: string }[] };
      let row: Row | undefined;
      for (const deadline = Date.now() + 30_000; !row && Date.now() < deadline;) {
        const res = await h.http
          .post("/reports/scope3")
          .send({ account, year: 2026, inventory: [{ category: "laptop", devices: 50, pcfKgPerDevice: "300" }] })
          .expect(200);
        const y = (res.body as { current: { applied: Row[]; unapplied: Row[] } }).current;
        row = [...y.applied, ...y.unapplied].find((r) => r.retirementId === retirementId);
        if (!row) await new Promise((r) => setTimeout(r, 200));
      }
      expect(row!.deliveries!.map((d) => d.reference)).to.deep.equal(["ORD-123"]);
      const csv = await h.http
        .post("/reports/scope3?format=csv")
        .send({ account, year: 2026, inventory: [{ category: "laptop", devices: 50, pcfKgPerDevice: "300" }] })
        .expect(200);
      expect(csv.text).to.include("delivery_references");
      expect(csv.text).to.match(/,ORD-123\n/);
      const html = await h.http
        .post("/reports/scope3?format=html")
        .send({ account, year: 2026, inventory: [{ category: "laptop", devices: 50, pcfKgPerDevice: "300" }] })
        .expect(200);
      expect(html.text).to.include("received with delivery ORD-123");
    });
  });

  describe("refusals", function () {
    it("refuses devices that flowed through already (ALREADY_DELIVERED)", async function () {
      const p = (await prepare(itad, {
        customer: w("trader").address,
        reference: "ORD-124",
        devices: [LAPTOPS[0]!, LAPTOPS[1]!].map(({ manufacturer, serial }) => ({ manufacturer, serial })),
      })) as Prepared;
      expect(p.delivery.certified).to.equal(0);
      expect(p.refused.map((r) => r.reason)).to.deep.equal(["ALREADY_DELIVERED", "ALREADY_DELIVERED"]);
      expect(p.transaction).to.equal(null);
    });

    it("refuses devices of another participant's batch (OTHER_OWNER)", async function () {
      const stranger = devAccount(9, h.chain.provider);
      await (await h.deployed.adminRegistry.admitParticipant(stranger.address, 2, "Other ITAD")).wait();
      const client = new ApiClient(h.api.url);
      await client.signIn(stranger);
      const p = (await prepare(client, {
        customer: w("corporate").address,
        reference: "ORD-1",
        devices: [{ manufacturer: LAPTOPS[5]!.manufacturer, serial: LAPTOPS[5]!.serial }],
      })) as Prepared;
      expect(p.refused.map((r) => r.reason)).to.deep.equal(["OTHER_OWNER"]);
      const q = (await prepare(client, {
        customer: w("corporate").address,
        reference: "ORD-2",
        devices: [{ manufacturer: DESKTOPS[1]!.manufacturer, serial: DESKTOPS[1]!.serial }],
      })) as Prepared;
      expect(q.refused.map((r) => [r.reason, r.batchId])).to.deep.equal([["OTHER_OWNER", q.refused[0]!.batchId]]);
      expect(q.refused[0]!.batchId).to.match(/^\d+$/);
    });

    it("refuses devices beyond what the ITAD still holds of their batch (NOT_HELD)", async function () {
      const desktopBatch = delivery.items.find((i) => i.category === "desktop")!.batchId;
      const held = await h.deployed.registry.balanceOf(w("refurbisher").address, BigInt(desktopBatch));
      // Keep one desktop certificate: give the rest away.
      await itad.signAndRelay(
        w("refurbisher"),
        await itad.buildTransfer({
          to: w("trader").address,
          items: [{ batchId: desktopBatch, amount: String(held - 1n) }],
        }),
      );
      const p = (await prepare(itad, {
        customer: w("corporate").address,
        reference: "ORD-125",
        devices: DESKTOPS.slice(1, 3).map(({ manufacturer, serial }) => ({ manufacturer, serial })),
      })) as Prepared;
      expect(p.delivery.items).to.deep.equal([{ batchId: desktopBatch, category: "desktop", amount: "1" }]);
      expect(p.refused.map((r) => [r.row, r.reason])).to.deep.equal([[2, "NOT_HELD"]]);
      // One batch: one safeTransferFrom.
      expect(p.transaction!.data.slice(0, 10)).to.equal(
        h.deployed.registry.interface.getFunction("safeTransferFrom").selector,
      );
    });

    it("refuses to record a transfer that is not the delivery's (no reference hash in its data)", async function () {
      const p = (await prepare(itad, {
        customer: w("corporate").address,
        reference: "ORD-126",
        devices: [serialsOf("laptop")[6]!].map(({ manufacturer, serial }) => ({ manufacturer, serial })),
      })) as Prepared;
      const item = p.delivery.items[0]!;
      const plain = await itad.signAndRelay(
        w("refurbisher"),
        await itad.buildTransfer({
          to: w("corporate").address,
          items: [{ batchId: item.batchId, amount: item.amount }],
        }),
      );
      const res = await itad
        .send("POST", `/deliveries/${p.delivery.id}/sent`, { txHash: plain })
        .catch((e: { status: number; code: string; body: { detail: string } }) => e);
      expect(res).to.include({ status: 422, code: "DELIVERY_TRANSFER_MISMATCH" });
      expect((res as { body: { detail: string } }).body.detail).to.match(/not the delivery reference's hash/);
      // The customer cannot record it either (only the ITAD can, and only its own).
      const theirs = await customer
        .send("POST", `/deliveries/${p.delivery.id}/sent`, { txHash: plain })
        .catch((e: { status: number }) => e);
      expect(theirs.status).to.equal(404);
    });

    it("refuses a customer the registry has not admitted (the transfer would revert) and stores nothing", async function () {
      const stranger = h.deployed.wallet("auditor3").address;
      const res = (await prepare(
        itad,
        {
          customer: stranger,
          reference: "ORD-STRANGER",
          devices: [serialsOf("laptop")[7]!].map(({ manufacturer, serial }) => ({ manufacturer, serial })),
        },
        422,
      )) as { status: number; body: { code: string } };
      expect(res).to.include({ status: 422, code: "WOULD_REVERT" });
      expect((await itad.deliveries("itad", "ORD-STRANGER")).length).to.equal(0);
    });

    it("takes a CSV upload (the lot's own columns) and refuses a bad one with DELIVERY_INVALID", async function () {
      const csv = [DEMO_LOT.split("\n")[0], ...DEMO_LOT.split("\n").filter((l) => l.startsWith("7KQ2OPTI005"))].join(
        "\n",
      );
      const res = await itad.send<Prepared>(
        "POST",
        `/deliveries?customer=${w("corporate").address}&reference=ORD-CSV`,
        csv,
        { "content-type": "text/csv" },
      );
      expect(res.status).to.equal(201);
      expect(res.body.delivery.delivered).to.equal(1);
      const bad = await itad
        .send("POST", `/deliveries?customer=${w("corporate").address}&reference=ORD-CSV2`, "model\nX\n", {
          "content-type": "text/csv",
        })
        .catch((e: { status: number; code: string }) => e);
      expect(bad).to.include({ status: 422, code: "DELIVERY_INVALID" });
      const self = await prepare(
        itad,
        { customer: w("refurbisher").address, reference: "ORD-SELF", devices: [{ deviceId: `0x${"1".repeat(64)}` }] },
        422,
      );
      expect(self).to.include({ status: 422, code: "DELIVERY_INVALID" });
      const corporate = await customer
        .send("POST", "/deliveries", {
          customer: w("trader").address,
          reference: "X",
          devices: [{ deviceId: `0x${"1".repeat(64)}` }],
        })
        .catch((e: { status: number; code: string }) => e);
      expect(corporate).to.include({ status: 403, code: "FORBIDDEN" });
    });
  });
});
