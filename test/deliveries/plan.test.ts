/**
 * A delivery's plan (core/deliveries/plan.ts) and its inputs (input.ts, reference.ts): which devices carry a
 * certificate to the customer, how many per batch, and one reason for each that does not.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { deviceId } from "../../core/calc/device-id.ts";
import { deliveryDevices, MAX_DELIVERY_DEVICES, parseDeliveryCsv } from "../../core/deliveries/input.ts";
import { planDelivery, REFUSAL_REASONS, type DeviceStandingInput } from "../../core/deliveries/plan.ts";
import {
  deliveryReferenceHash,
  DeliveryInputError,
  MAX_REFERENCE_LENGTH,
  normaliseReference,
} from "../../core/deliveries/reference.ts";
import { deviceIdOf, referenceHashOf } from "../../sdk/src/delivery.ts";

const ITAD = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const OTHER = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720";
const id = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
const batch = (batchId: string, owner = ITAD, status = "active") => ({ batchId, category: "laptop", status, owner });

describe("Deliveries: plan", function () {
  describe("planDelivery", function () {
    const standing = new Map<string, DeviceStandingInput>([
      [id(1), { status: "certified", batch: batch("2") }],
      [id(2), { status: "certified", batch: batch("2") }],
      [id(3), { status: "certified", batch: batch("1") }],
      [id(4), { status: "pending" }],
      [id(5), { status: "certified", batch: batch("3", OTHER) }],
      [id(6), { status: "certified", batch: batch("4", ITAD, "suspended") }],
      [id(7), { status: "certified", batch: batch("5", ITAD, "reversed") }],
      [id(8), { status: "certified", batch: batch("2") }],
      [id(9), { status: "certified", batch: batch("1") }],
    ]);
    const devices = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1].map((n, i) => ({ row: i + 1, deviceId: id(n) }));

    it("counts per batch (ascending ids) and gives each other device one reason, in upload order", function () {
      const plan = planDelivery({
        itad: ITAD.toLowerCase(),
        devices,
        standing,
        deliveredBefore: new Set([id(9)]),
        balances: new Map([
          ["1", 5n],
          ["2", 2n],
        ]),
      });
      expect(plan).to.include({ delivered: 11, certified: 3 });
      expect(plan.items.map((i) => [i.batchId, i.amount, i.devices.map((d) => d.row)])).to.deep.equal([
        ["1", 1, [3]],
        ["2", 2, [1, 2]],
      ]);
      expect(plan.refused.map((r) => [r.row, r.reason, r.batchId])).to.deep.equal([
        [4, "PENDING", null],
        [5, "OTHER_OWNER", "3"],
        [6, "BATCH_SUSPENDED", "4"],
        [7, "BATCH_REVERSED", "5"],
        [8, "NOT_HELD", "2"],
        [9, "ALREADY_DELIVERED", "1"],
        [10, "NOT_CERTIFIED", null],
        [11, "DUPLICATE_IN_DELIVERY", null],
      ]);
      for (const r of plan.refused) expect(REFUSAL_REASONS).to.have.property(r.reason);
    });

    it("says OTHER_OWNER before anything else of another participant's device (its deliveries stay private)", function () {
      const plan = planDelivery({
        itad: OTHER,
        devices: [{ row: 1, deviceId: id(1) }],
        standing,
        deliveredBefore: new Set([id(1)]),
        balances: new Map(),
      });
      expect(plan.refused.map((r) => r.reason)).to.deep.equal(["OTHER_OWNER"]);
    });

    it("carries nothing when the ITAD holds none of the batch", function () {
      const plan = planDelivery({
        itad: ITAD,
        devices: [{ row: 1, deviceId: id(1) }],
        standing,
        deliveredBefore: new Set(),
        balances: new Map(),
      });
      expect(plan.items).to.deep.equal([]);
      expect(plan.refused.map((r) => r.reason)).to.deep.equal(["NOT_HELD"]);
    });
  });

  describe("parseDeliveryCsv / deliveryDevices", function () {
    it("reads the sample lot's CSV as it is (its other columns ignored) into the registry's device ids", function () {
      const devices = parseDeliveryCsv(readFileSync("data/samples/demo-lot.csv", "utf8"));
      expect(devices).to.have.length(43);
      expect(devices[0]).to.deep.equal({
        row: 1,
        deviceId: deviceId("Dell", "CN0LAT54000"),
        manufacturer: "Dell",
        serial: "CN0LAT54000",
      });
      // The SDK's id (the customer's side) is the calculation's, for every device of the lot.
      for (const d of devices) expect(deviceIdOf(d.manufacturer!, d.serial!)).to.equal(d.deviceId);
    });

    it("takes device ids and quoted fields, and skips empty lines", function () {
      const csv = `device_id,note\n${id(7).toUpperCase().replace("0X", "0x")},"a, b"\n,\n`;
      expect(parseDeliveryCsv(csv)).to.deep.equal([{ row: 1, deviceId: id(7) }]);
      expect(parseDeliveryCsv('Manufacturer,Serial\n" HP ",S 1\n')[0]!.deviceId).to.equal(deviceId("HP", "S1"));
    });

    it("refuses a header without the columns, bad ids, an empty list and more than the limit", function () {
      expect(() => parseDeliveryCsv("model\nX\n")).to.throw(DeliveryInputError, /manufacturer and serial/);
      expect(() => parseDeliveryCsv("")).to.throw(DeliveryInputError);
      expect(() => deliveryDevices([{ deviceId: "0x12" }])).to.throw(DeliveryInputError, /row 1/);
      expect(() => deliveryDevices([{ manufacturer: " ", serial: "S" }])).to.throw(DeliveryInputError);
      expect(() => deliveryDevices([])).to.throw(DeliveryInputError);
      const many = Array.from({ length: MAX_DELIVERY_DEVICES + 1 }, () => ({ deviceId: id(1) }));
      expect(() => deliveryDevices(many)).to.throw(DeliveryInputError, /at most/);
    });
  });

  describe("deliveryReferenceHash", function () {
    it("is keccak256 of the trimmed reference's UTF-8, as the SDK computes it", function () {
      expect(deliveryReferenceHash(" ORD-123 ")).to.equal(keccak256(toUtf8Bytes("ORD-123")));
      expect(referenceHashOf("Lieferung Nr. 7 – Köln")).to.equal(deliveryReferenceHash("Lieferung Nr. 7 – Köln"));
    });

    it("refuses an empty, too long or control-character reference", function () {
      for (const bad of ["", "   ", "x".repeat(MAX_REFERENCE_LENGTH + 1), "ORD\n1", "ORD\u0000", "\ud800"]) {
        expect(() => normaliseReference(bad), JSON.stringify(bad)).to.throw(DeliveryInputError);
      }
    });
  });
});
