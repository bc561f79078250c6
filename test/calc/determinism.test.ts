/**
 * Same inputs → same device results and a byte-identical report, whatever the row order or name spelling. Row order
 * does change the device roots: a device's index in its batch's tree is its position in the report (ADR 0015).
 */
import { expect } from "chai";

import { calculateLot, DeviceMerkleTree, type DeviceInput, type DeviceResult } from "../../core/calc/index.ts";
import { DEFAULT_LEGS, reference, readVector, readVectorLot } from "./fixtures.ts";

const OPTIONS = { asOf: "2026-06-30", defaultTransport: DEFAULT_LEGS };

/** A lot with every tier, exclusions and several categories: all devices of the golden vectors, serials made unique. */
function mixedLot(): DeviceInput[] {
  const { cases } = readVector<{ cases: { devices: DeviceInput[] }[] }>("calc-vectors.json");
  return cases
    .flatMap((c) => c.devices)
    .map((d, i) => ({ ...d, serial: d.serial === "" ? "" : `${d.serial}-${i}`, line: i + 2 }));
}

/** What must not depend on order or spelling: the results, keyed by serial. */
function bySerial(devices: readonly DeviceResult[]): Map<string, unknown> {
  return new Map(
    devices.map((d) => {
      const { line: _line, ...rest } = d;
      return [`${d.serial}#${d.erasure_certificate_id}`, rest];
    }),
  );
}

describe("determinism", () => {
  describe("row order", () => {
    it("gives the same device results and batches when the rows are shuffled; the roots follow the order", () => {
      const lot = mixedLot();
      const a = calculateLot(lot, OPTIONS, reference());
      const shuffled = [...lot].reverse();
      for (let i = shuffled.length - 1; i > 0; i -= 3)
        [shuffled[i], shuffled[i - 1]] = [shuffled[i - 1]!, shuffled[i]!];
      const b = calculateLot(shuffled, OPTIONS, reference());
      expect(bySerial(b.devices)).to.deep.equal(bySerial(a.devices));
      const withoutRoot = (r: typeof a) => r.report.batches.map(({ deviceRoot: _root, ...rest }) => rest);
      expect(withoutRoot(b)).to.deep.equal(withoutRoot(a));
      a.batches.forEach((x, i) => {
        const y = b.batches[i]!;
        expect([...y.deviceIds].sort()).to.deep.equal([...x.deviceIds].sort());
        expect(y.deviceRoot).to.equal(DeviceMerkleTree.fromIds(y.deviceIds).root);
        if (x.deviceIds.join() !== y.deviceIds.join()) expect(y.deviceRoot).to.not.equal(x.deviceRoot);
      });
      expect(b.batches.some((x, i) => x.deviceRoot !== a.batches[i]!.deviceRoot)).to.equal(true);
    });
  });

  describe("spelling", () => {
    it("gives the same results when manufacturer and model differ in case and whitespace", () => {
      const lot = mixedLot();
      const respelled = lot.map((d, i) => ({
        ...d,
        manufacturer: i % 2 === 0 ? `  ${d.manufacturer.toUpperCase()} ` : d.manufacturer.toLowerCase(),
        model: d.model.replace(/ /g, i % 3 === 0 ? "   " : "\t"),
        serial: i % 4 === 0 ? ` ${d.serial.toLowerCase()} ` : d.serial,
      }));
      const a = calculateLot(lot, OPTIONS, reference());
      const b = calculateLot(respelled, OPTIONS, reference());
      expect(b.devices).to.deep.equal(a.devices);
      expect(b.reportHash).to.equal(a.reportHash);
    });
  });

  describe("the same file twice", () => {
    it("gives a byte-identical report and hash", async () => {
      const one = calculateLot(await readVectorLot("section9-lot.csv"), OPTIONS, reference());
      const two = calculateLot(await readVectorLot("section9-lot.csv"), OPTIONS, reference());
      expect(two.reportJson).to.equal(one.reportJson);
      expect(two.reportHash).to.equal(one.reportHash);
      const file = (r: typeof one): Buffer => {
        const parts: Uint8Array[] = [];
        r.writeReportFile((b) => parts.push(Buffer.from(b)));
        return Buffer.concat(parts);
      };
      expect(file(two).equals(file(one))).to.equal(true);
    });

    it("changes the hash when the calculation date changes (it is an input)", async () => {
      const devices = await readVectorLot("section9-lot.csv");
      const a = calculateLot(devices, OPTIONS, reference());
      const b = calculateLot(devices, { ...OPTIONS, asOf: "2026-07-01" }, reference());
      expect(b.reportHash).to.not.equal(a.reportHash);
      expect(b.report.lot.asOf).to.equal("2026-07-01");
    });
  });
});
