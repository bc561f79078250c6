/**
 * Flow-through deliveries in the job store (oracle/src/store/deliveries.ts, schema version 6) on each engine: a
 * device flows through once, a prepared delivery is replaced or withdrawn but a sent one is final, and a customer
 * sees only what was sent to it.
 */
import { expect } from "chai";

import { DeliveryStoreError, type DeliveryRow } from "../../oracle/src/store/deliveries.ts";
import { JobStore } from "../../oracle/src/store/jobs.ts";
import { forEachEngine, type StoreEngine } from "./engines.ts";

const ITAD = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const CUSTOMER = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";
const id = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

function row(deliveryId: string, reference: string, items: { batchId: string; amount: number }[]) {
  return {
    id: deliveryId,
    itad: ITAD,
    customer: CUSTOMER,
    reference,
    reference_hash: id(999),
    delivered: 3,
    certified: items.reduce((n, i) => n + i.amount, 0),
    items_json: JSON.stringify(items.map((i) => ({ ...i, category: "laptop" }))),
    refused_json: "[]",
  } satisfies Omit<DeliveryRow, "state" | "tx_hash" | "block_number" | "created_at" | "updated_at">;
}

async function rejects(p: Promise<unknown>, code: string): Promise<void> {
  const caught = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(caught).to.be.instanceOf(DeliveryStoreError);
  expect((caught as DeliveryStoreError).code).to.equal(code);
}

forEachEngine("Delivery store", (makeEngine) => {
  let engine: StoreEngine;
  let store: JobStore;
  beforeEach(async () => {
    engine = makeEngine();
    store = await JobStore.open(engine.target);
  });
  afterEach(async () => {
    await store.close();
    await engine.dispose();
  });

  it("keeps a device in one delivery, replaces a prepared one, and makes a sent one final", async function () {
    const d = store.deliveries;
    const a = await d.prepare(row("D1", "ORD-1", [{ batchId: "1", amount: 2 }]), [
      { deviceId: id(1), batchId: "1", position: 1 },
      { deviceId: id(2), batchId: "1", position: 3 },
    ]);
    expect(a).to.include({ state: "prepared", certified: 2, delivered: 3, tx_hash: null });
    expect([...(await d.taken([id(1), id(2), id(3)]))].sort()).to.deep.equal([id(1), id(2)]);
    expect((await d.taken([id(1)], "D1")).size).to.equal(0);
    // Another delivery cannot take device 2.
    await rejects(
      d.prepare(row("D2", "ORD-2", []), [{ deviceId: id(2), batchId: "1", position: 1 }]),
      "DELIVERY_CONFLICT",
    );
    expect(await d.get("D2")).to.equal(undefined);
    // The same reference again replaces the prepared delivery and frees its old devices.
    await d.prepare(row("D1", "ORD-1", [{ batchId: "1", amount: 1 }]), [
      { deviceId: id(3), batchId: "1", position: 1 },
    ]);
    expect([...(await d.taken([id(1), id(2), id(3)]))]).to.deep.equal([id(3)]);
    // The customer sees nothing until it is sent.
    expect(await d.of(CUSTOMER, "customer")).to.deep.equal([]);
    expect(await d.markSent("D1", id(77), 12)).to.equal(true);
    expect(await d.markSent("D1", id(78), 13)).to.equal(false);
    const sent = (await d.of(CUSTOMER, "customer"))[0]!;
    expect(sent).to.include({ id: "D1", state: "sent", tx_hash: id(77), block_number: 12 });
    await rejects(d.prepare(row("D1", "ORD-1", []), []), "DELIVERY_SENT");
    expect(await d.cancel("D1")).to.equal(false);
    expect((await d.devices("D1")).map((v) => [v.device_id, v.position])).to.deep.equal([[id(3), 1]]);
  });

  it("lets one of two stores preparing the same device at once win; the other is DELIVERY_CONFLICT", async function () {
    const second = await JobStore.open(engine.target);
    try {
      const devices = Array.from({ length: 300 }, (_, i) => ({
        deviceId: id(1000 + i),
        batchId: "1",
        position: i + 1,
      }));
      const results = await Promise.allSettled([
        store.deliveries.prepare(row("DA", "ORD-A", [{ batchId: "1", amount: 300 }]), devices),
        second.deliveries.prepare(row("DB", "ORD-B", [{ batchId: "1", amount: 300 }]), devices),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).to.have.length(1);
      const lost = results.find((r) => r.status === "rejected")!;
      expect((lost.reason as DeliveryStoreError).code).to.equal("DELIVERY_CONFLICT");
      expect((await store.deliveries.taken(devices.map((d) => d.deviceId))).size).to.equal(300);
    } finally {
      await second.close();
    }
  });

  it("finds the sent deliveries of a batch to a holder up to a block, oldest first", async function () {
    const d = store.deliveries;
    await d.prepare(row("D1", "ORD-1", [{ batchId: "5", amount: 1 }]), [
      { deviceId: id(1), batchId: "5", position: 1 },
    ]);
    await d.prepare(row("D2", "ORD-2", [{ batchId: "5", amount: 1 }]), [
      { deviceId: id(2), batchId: "5", position: 1 },
    ]);
    await d.prepare(row("D3", "ORD-3", [{ batchId: "6", amount: 1 }]), [
      { deviceId: id(3), batchId: "6", position: 1 },
    ]);
    await d.markSent("D2", id(2), 20);
    await d.markSent("D1", id(1), 30);
    await d.markSent("D3", id(3), 10);
    expect((await d.receivedOf(CUSTOMER, "5", 25)).map((r) => r.reference)).to.deep.equal(["ORD-2"]);
    expect((await d.receivedOf(CUSTOMER, "5", 30)).map((r) => r.reference)).to.deep.equal(["ORD-2", "ORD-1"]);
    expect(await d.receivedOf(ITAD, "5", 30)).to.deep.equal([]);
    // A prepared delivery can be withdrawn; its devices are free again.
    await d.prepare(row("D4", "ORD-4", []), [{ deviceId: id(4), batchId: "6", position: 1 }]);
    expect(await d.cancel("D4")).to.equal(true);
    expect((await d.taken([id(4)])).size).to.equal(0);
  });
});
