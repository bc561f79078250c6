/**
 * The auditor's review checks (sdk/src/attestation-review.ts), which `itec auditor review|sign` and the web app's
 * review screen both run: a genuine attestation passes every check; a report changed by one byte, a signed figure
 * changed, or a view whose figures differ from what is signed each fail the check that names it. The device-root
 * check: the signed device root must be the tree of the report's eligible devices, one leaf [index, deviceId] per
 * certificate (docs/adr/0015). Finding 3 of issue 13 was a 1-certificate batch whose tree also named other devices;
 * this is the auditor's side of refusing it. The SDK's ethers-only tree builder gives the calculation's roots.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { calculateLot, METHOD_VERSION, PARAMS_VERSION } from "../../core/calc/index.ts";
import { DeviceMerkleTree } from "../../core/calc/merkle.ts";
import { checkAttestation as cliChecks } from "../../scripts/commands/auditor-review.ts";
import {
  checkAttestation,
  deviceRootCheck,
  failedChecks,
  type AttestationView,
  type ReportShape,
} from "../../sdk/src/attestation-review.ts";
import {
  attestationDigest,
  attestationDomain,
  attestationTypedData,
  type Attestation,
} from "../../sdk/src/attestation.ts";
import { deviceTreeRoot } from "../../sdk/src/device-proof.ts";
import { CATEGORY_CODES } from "../../sdk/src/enums.ts";
import { gramsToKg } from "../../sdk/src/units.ts";
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

const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const OWNER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const unix = (day: string) => BigInt(Date.parse(`${day}T00:00:00Z`) / 1000);

/** What GET /batches/:id/attestation answers for `category` of the section-9 lot (as the oracle builds it). */
async function viewOf(category: "desktop" | "server"): Promise<{ view: AttestationView; report: Uint8Array }> {
  const { lot } = await section9();
  const b = lot.batches.find((x) => x.category === category)!;
  const a: Attestation = {
    owner: OWNER,
    category: CATEGORY_CODES[category],
    certificates: BigInt(b.certificates),
    baselineGrams: b.baselineGrams,
    reductionGrams: b.reductionGrams,
    vintageStart: unix(b.vintageStart!),
    vintageEnd: unix(b.vintageEnd!),
    methodology: METHOD_VERSION,
    parameters: PARAMS_VERSION,
    reportHash: lot.reportHash,
    referenceDataHash: `0x${lot.referenceSha256}`,
    deviceRoot: b.deviceRoot,
    sampleHash: `0x${"00".repeat(32)}`,
    evidenceURI: "http://127.0.0.1:8080/lots/L1/report",
    deadline: 1_900_000_000n,
  };
  const domain = attestationDomain(1337n, REGISTRY);
  const view: AttestationView = {
    batchId: `L1-${category}`,
    lotId: "L1",
    state: "awaiting_signatures",
    digest: attestationDigest(domain, a),
    deadline: new Date(1_900_000_000_000).toISOString(),
    typedData: attestationTypedData(domain, a),
    review: {
      category,
      certificates: b.certificates,
      baselineKgPerDevice: gramsToKg(b.baselineGrams),
      reductionKgPerDevice: gramsToKg(b.reductionGrams),
      certifiedIntensityKgPerDevice: gramsToKg(b.baselineGrams - b.reductionGrams),
      totalReductionKg: gramsToKg(b.reductionGrams * BigInt(b.certificates)),
      vintage: { start: b.vintageStart!, end: b.vintageEnd! },
      methodology: METHOD_VERSION,
      parameters: PARAMS_VERSION,
      reportHash: lot.reportHash,
      referenceDataSha256: lot.referenceSha256,
      deviceRoot: b.deviceRoot,
      evidenceURI: a.evidenceURI,
      owner: OWNER,
      registry: { chainId: "1337", address: REGISTRY },
    },
    signatures: [],
    threshold: 2,
  };
  return { view, report: new TextEncoder().encode(lot.reportJson) };
}

describe("auditor review: checkAttestation (SDK, shared by the CLI and the web app)", function () {
  const ALL = [
    "typed data hashes to the digest",
    "signing domain is the registry shown",
    "typed data states the figures shown",
    "report hashes to the report hash",
    "report states the same batch",
    "device root is the report's devices",
  ];

  it("passes a genuine attestation on every check, and the CLI gives exactly the SDK's checks", async function () {
    for (const category of ["desktop", "server"] as const) {
      const { view, report } = await viewOf(category);
      const checks = checkAttestation(view, report);
      expect(checks.map((c) => c.check)).to.deep.equal(ALL);
      expect(failedChecks(checks), category).to.deep.equal([]);
      expect(cliChecks(view, report)).to.deep.equal(checks);
    }
  });

  it("fails the report hash when one byte of the report changes, naming both hashes", async function () {
    const { view, report } = await viewOf("server");
    const tampered = report.slice();
    const at = new TextDecoder().decode(report).indexOf('"method"') + 2; // a letter inside a key: still JSON
    tampered[at] = tampered[at]! ^ 0x20;
    const checks = checkAttestation(view, tampered);
    expect(failedChecks(checks)).to.deep.equal(["report hashes to the report hash", "report states the same batch"]);
    const hash = checks.find((c) => c.check === "report hashes to the report hash")!;
    expect(hash.detail).to.equal(
      `keccak256 of the ${report.length}-byte report = ${keccak256(tampered)}, signed report hash ${view.review.reportHash}`,
    );
    // One digit of another batch's figure: only the hash tells the report is not the one signed.
    const text = new TextDecoder().decode(report);
    const digit = text.indexOf('"centralReductionPct":"11.3"') + '"centralReductionPct":"11.'.length;
    const other = report.slice();
    other[digit] = "4".charCodeAt(0);
    expect(failedChecks(checkAttestation(view, other))).to.deep.equal(["report hashes to the report hash"]);
  });

  it("fails the digest and the figures when a signed figure differs from the one shown", async function () {
    const { view, report } = await viewOf("server");
    const inflated = {
      ...view,
      typedData: { ...view.typedData, message: { ...view.typedData.message, certificates: "5" } },
    };
    const checks = checkAttestation(inflated, report);
    expect(failedChecks(checks)).to.include.members([
      "typed data hashes to the digest",
      "typed data states the figures shown",
      "report states the same batch",
      "device root is the report's devices",
    ]);
    expect(checks.find((c) => c.check === "typed data states the figures shown")!.detail).to.equal(
      "differs in: certificates, total reduction",
    );
  });

  it("fails the figures shown when the review says another B̄ than the one signed", async function () {
    const { view, report } = await viewOf("desktop");
    const shown = { ...view, review: { ...view.review, baselineKgPerDevice: "1.000" } };
    expect(failedChecks(checkAttestation(shown, report))).to.deep.equal(["typed data states the figures shown"]);
    expect(checkAttestation(shown, report)[2]!.detail).to.equal("differs in: B̄");
  });

  it("fails a domain of another chain or contract, and a payload that is not typed data", async function () {
    const { view, report } = await viewOf("server");
    const elsewhere = { ...view, review: { ...view.review, registry: { chainId: "1", address: REGISTRY } } };
    expect(failedChecks(checkAttestation(elsewhere, report))).to.deep.equal(["signing domain is the registry shown"]);
    const broken = {
      ...view,
      typedData: { ...view.typedData, message: { ...view.typedData.message, owner: "nobody" } },
    };
    const checks = checkAttestation(broken, report);
    expect(checks[0]).to.deep.include({ check: "typed data is well formed", passed: false });
    expect(failedChecks(checks)).to.include("typed data hashes to the digest");
  });
});

describe("device tree root (SDK, ethers only)", function () {
  it("equals StandardMerkleTree's and the calculation's root for 0 to 40 devices", function () {
    expect(deviceTreeRoot([])).to.equal(`0x${"00".repeat(32)}`);
    expect(DeviceMerkleTree.fromIds([]).root).to.equal(deviceTreeRoot([]));
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 40]) {
      const ids = Array.from({ length: n }, (_, i) => keccak256(toUtf8Bytes(`dell|SN-${i}`)));
      const root = deviceTreeRoot(ids);
      expect(root, `${n} devices`).to.equal(tree(ids).root);
      expect(root, `${n} devices`).to.equal(DeviceMerkleTree.fromIds(ids).root);
    }
  });
});
