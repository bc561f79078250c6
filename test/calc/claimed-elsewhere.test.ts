/**
 * CLAIMED_ELSEWHERE (issue 17 item 3, docs/adr/0056): a device whose id a registered external device set lists is
 * excluded, the report names the set (id, root, scheme), the streamed report equals the object's canonical JSON, and
 * the report alone recomputes to the same bytes (the SDK's `recomputeInput` carries the claims to the engine).
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";

import { calculateLot, canonicalJson, type ExternalClaim } from "../../core/calc/index.ts";
import { deviceId } from "../../core/calc/device-id.ts";
import { calcEngine } from "../../core/calc/recompute-engine.ts";
import { recomputeInput } from "../../sdk/src/recompute.ts";
import { DEFAULT_LEGS, reference, readVectorLot } from "./fixtures.ts";

const OPTIONS = { asOf: "2026-06-30", defaultTransport: DEFAULT_LEGS, lotId: "S9", refurbisher: "Refurb Ltd" };
const CLAIM: ExternalClaim = { setId: 3, root: `0x${"ab".repeat(32)}`, scheme: "OEM take-back" };

describe("calculation: devices claimed elsewhere", () => {
  it("excludes a device listed by a registered set, naming the set, and changes nothing else", async () => {
    const devices = await readVectorLot("section9-lot.csv");
    const plain = calculateLot(devices, OPTIONS, reference());
    const listed = deviceId(devices[0]!.manufacturer, devices[0]!.serial);
    const lot = calculateLot(devices, { ...OPTIONS, claimedElsewhere: new Map([[listed, CLAIM]]) }, reference());
    const d = lot.report.devices[0]!;
    expect(d.excluded).to.equal("CLAIMED_ELSEWHERE");
    expect(d.claimedElsewhere).to.deep.equal(CLAIM);
    expect(d.deviceId).to.equal(listed);
    expect(d.B, "an excluded device has no figures").to.equal(undefined);
    expect(lot.report.lot.excluded).to.deep.equal({ CLAIMED_ELSEWHERE: 1 });
    expect(lot.eligibleCount).to.equal(plain.eligibleCount - 1);
    const laptops = lot.batches.find((b) => b.category === "laptop")!;
    expect(laptops.deviceIds).to.not.include(listed);
    expect(laptops.excluded).to.deep.equal({ CLAIMED_ELSEWHERE: 1 });
    // The other devices keep their figures; the streamed report is the object's canonical JSON.
    expect(lot.report.devices.slice(1)).to.deep.equal(plain.report.devices.slice(1));
    expect(lot.reportJson).to.equal(canonicalJson(lot.report));
    expect([...lot.reportChunks()].join("")).to.equal(lot.reportJson);
  });

  it("leaves a lot with no listed device byte-identical (sets that list none change no report)", async () => {
    const devices = await readVectorLot("section9-lot.csv");
    const plain = calculateLot(devices, OPTIONS, reference());
    const other = calculateLot(
      devices,
      { ...OPTIONS, claimedElsewhere: new Map([[deviceId("nobody", "X1"), CLAIM]]) },
      reference(),
    );
    expect(other.reportJson).to.equal(plain.reportJson);
  });

  it("a device duplicated in the lot stays SERIAL_DUPLICATE (checked first)", async () => {
    const devices = await readVectorLot("section9-lot.csv");
    const twice = [...devices, { ...devices[0]!, line: 99 }];
    const listed = deviceId(devices[0]!.manufacturer, devices[0]!.serial);
    const lot = calculateLot(twice, { ...OPTIONS, claimedElsewhere: new Map([[listed, CLAIM]]) }, reference());
    expect(lot.report.devices[0]!.excluded).to.equal("SERIAL_DUPLICATE");
    expect(lot.report.devices[0]!.claimedElsewhere).to.equal(undefined);
  });

  it("recomputes from the report alone to the same bytes, claims included", async () => {
    const devices = await readVectorLot("section9-lot.csv");
    const listed = deviceId(devices[1]!.manufacturer, devices[1]!.serial);
    const lot = calculateLot(devices, { ...OPTIONS, claimedElsewhere: new Map([[listed, CLAIM]]) }, reference());
    const input = recomputeInput(JSON.parse(lot.reportJson) as Record<string, unknown>);
    expect([...(input.claimedElsewhere ?? new Map())]).to.deep.equal([[listed, CLAIM]]);
    const csv = readFileSync("data/reference/boavizta-data-us.csv");
    const again = calcEngine.calculate(input, new Uint8Array(csv));
    expect(again.reportJson).to.equal(lot.reportJson);
    // Without the claims the device would be eligible again: the report must carry them.
    const { claimedElsewhere: _dropped, ...withoutClaims } = input;
    expect(calcEngine.calculate(withoutClaims, new Uint8Array(csv)).reportJson).to.not.equal(lot.reportJson);
  });
});
