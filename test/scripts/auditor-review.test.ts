/**
 * The auditor review's device-root check (scripts/commands/auditor-review.ts): the signed device root must be the
 * tree of the report's eligible devices, one leaf [index, deviceId] per certificate (docs/adr/0015). Finding 3 of
 * issue 13 was a 1-certificate batch whose tree also named other devices; this is the auditor's side of refusing it.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { calculateLot } from "../../core/calc/index.ts";
import { deviceRootCheck, type ReportShape } from "../../scripts/commands/auditor-review.ts";
import { DEFAULT_LEGS, reference, readVectorLot } from "../calc/fixtures.ts";

const CHECK = "device root is the report's devices";

async function section9() {
  const lot = calculateLot(
    await readVectorLot("section9-lot.csv"),
    { asOf: "2026-06-30", defaultTransport: DEFAULT_LEGS },
    reference(),
  );
  const report = JSON.parse(lot.reportJson) as ReportShape & { devices: { deviceId?: string; category: string }[] };
  return { lot, report };
}

const tree = (ids: readonly string[]) =>
  StandardMerkleTree.of(
    ids.map((id, index) => [index, id]),
    ["uint256", "bytes32"],
  );

describe("auditor review: deviceRootCheck", function () {
  it("passes every issued batch of a lot against its own report", async function () {
    const { lot, report } = await section9();
    const issued = lot.batches.filter((b) => b.issued);
    expect(issued.map((b) => b.category)).to.deep.equal(["desktop", "server"]);
    for (const b of issued) {
      expect(deviceRootCheck(report, b.category, BigInt(b.certificates), b.deviceRoot)).to.deep.equal({
        check: CHECK,
        passed: true,
        detail: `the report's 1 eligible ${b.category} device, one leaf [index, deviceId] per certificate, give the signed device root`,
      });
    }
  });

  it("fails a 1-certificate batch whose signed tree also names other devices (finding 3)", async function () {
    const { lot, report } = await section9();
    const server = lot.batches.find((b) => b.category === "server")!;
    const competitor = ["A", "B"].map((s) => keccak256(toUtf8Bytes(`lenovo|FUTURE-${s}`)));
    const poisoned = tree([...server.deviceIds, ...competitor]).root;
    const c = deviceRootCheck(report, "server", 1n, poisoned);
    expect(c.passed).to.equal(false);
    expect(c.detail).to.equal(
      `the report's 1 eligible server device: the rebuilt tree's root ${server.deviceRoot} differs from the signed device root`,
    );
  });

  it("fails a report that lists more eligible devices than certificates, or one device twice", async function () {
    const { report } = await section9();
    const server = report.devices.find((d) => d.category === "server")!;
    const extra = keccak256(toUtf8Bytes("lenovo|FUTURE-A"));
    const padded = { ...report, devices: [...report.devices, { ...server, deviceId: extra }] };
    const c = deviceRootCheck(padded, "server", 1n, tree([server.deviceId!, extra]).root);
    expect(c).to.deep.include({ passed: false });
    expect(c.detail).to.equal("the report's 2 eligible server devices: 2 devices for 1 certificates");

    const twice = { ...report, devices: [...report.devices, server] };
    const d = deviceRootCheck(twice, "server", 2n, tree([server.deviceId!, server.deviceId!]).root);
    expect(d.detail).to.equal("the report's 2 eligible server devices: 1 device id(s) listed twice");
  });

  it("fails when the report has no devices to rebuild from", function () {
    expect(deviceRootCheck(undefined, "server", 1n, `0x${"00".repeat(32)}`)).to.deep.equal({
      check: CHECK,
      passed: false,
      detail: "the report is not JSON",
    });
    expect(deviceRootCheck({}, "server", 1n, `0x${"00".repeat(32)}`).detail).to.equal("the report has no device list");
  });
});
