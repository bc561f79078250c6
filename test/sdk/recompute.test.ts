/**
 * Recompute from the published record alone (sdk/src/recompute.ts with the registry's engine,
 * core/calc/recompute-engine.ts): every batch the test issues — the §9 sample lot's and the demonstration lot's,
 * whose exclusions include in-lot duplicates and a BAD_INPUT row — recomputes identical from the chain, the report
 * its evidence URI serves and the reference data the API serves. One changed byte in the report, one changed
 * reference row and one changed parameter each give a difference that names the device, the row or the parameter.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { calcEngine } from "../../core/calc/recompute-engine.ts";
import { PARAMS } from "../../core/calc/index.ts";
import { RegistryReader } from "../../sdk/src/reader.ts";
import { recomputeBatch, RecomputeError, type RecomputeOptions } from "../../sdk/src/recompute.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { issueLot } from "../helpers/issue-lot.ts";
import { runItec } from "../helpers/itec.ts";

const CHECKS = [
  "method and parameters are the engine's",
  "report hash is the chain's",
  "reference data is the chain's",
  "recomputed report is byte-identical",
  "batch figures are the chain's",
  "device root is the chain's",
];

/** A CSV line's fields (quoted fields keep their quotes, so joining them gives the line back). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    if (c === "," && !quoted) {
      fields.push(field);
      field = "";
    } else field += c;
  }
  return [...fields, field];
}

describe("SDK: recomputeBatch", function () {
  this.timeout(300_000);
  let h: ApiHarness;
  let section9: string[];
  let demo: string[];
  let options: RecomputeOptions;

  before(async function () {
    h = await startApiHarness();
    section9 = await issueLot(h, readFileSync("test/vectors/section9-lot.csv", "utf8"), "hgv:600;van:250");
    demo = await issueLot(h, readFileSync("data/samples/demo-lot.csv", "utf8"), "hgv:600;van:250");
    options = {
      reader: new RegistryReader(h.chain.provider, h.deployed.address),
      engine: calcEngine,
      apiUrl: h.api.url,
    };
  });
  after(async () => {
    await h?.close();
  });

  const reportOf = async (batchId: string) => {
    const batch = await options.reader.batch(BigInt(batchId));
    const res = await fetch(batch.evidenceURI!);
    return { batch, bytes: new Uint8Array(await res.arrayBuffer()) };
  };

  it("recomputes every issued batch identical (the §9 lot's and the demonstration lot's)", async function () {
    expect(section9.length).to.be.greaterThan(0);
    expect(demo).to.have.length(6);
    for (const id of [...section9, ...demo]) {
      const r = await recomputeBatch(id, options);
      expect(r.differences, `batch ${id}`).to.deep.equal([]);
      expect(r.checks.map((c) => [c.check, c.passed])).to.deep.equal(CHECKS.map((c) => [c, true]));
      expect(r).to.deep.include({ batchId: id, identical: true, recomputed: true });
    }
  });

  it("names the device and field of one changed byte in the report", async function () {
    const id = section9[0]!;
    const { batch, bytes } = await reportOf(id);
    const text = new TextDecoder().decode(bytes);
    const report = JSON.parse(text) as {
      devices: { deviceId?: string; excluded?: string; category: string; B?: string }[];
    };
    const index = report.devices.findIndex((d) => d.excluded === undefined && d.category === batch.category);
    const device = report.devices[index]!;
    // The B figure's first digit, inside that device's record only (members sort: "B" comes before "deviceId").
    const at = text.lastIndexOf(`"B":"${device.B}"`, text.indexOf(`"deviceId":"${device.deviceId}"`)) + 5;
    expect(at).to.be.greaterThan(5);
    const changed = bytes.slice();
    changed[at] = changed[at] === 0x39 ? 0x38 : changed[at]! + 1;
    const r = await recomputeBatch(id, { ...options, report: changed });
    expect(r.identical).to.equal(false);
    expect(r.recomputed).to.equal(true);
    expect(r.checks.filter((c) => !c.passed).map((c) => c.check)).to.deep.equal([
      "report hash is the chain's",
      "recomputed report is byte-identical",
    ]);
    expect(r.differences[0]).to.deep.include({ where: "report", field: "keccak256", expected: batch.reportHash });
    expect(r.differences.slice(1)).to.deep.equal([
      {
        where: `device ${index} (${device.deviceId})`,
        field: "B",
        expected: device.B,
        actual: new TextDecoder().decode(changed.slice(at, at + device.B!.length)),
      },
    ]);
  });

  it("refuses reference data with one changed row, naming the row and what the report recorded", async function () {
    const reference = readFileSync("data/reference/boavizta-data-us.csv", "utf8");
    const id = section9[0]!;
    const { bytes } = await reportOf(id);
    const report = JSON.parse(new TextDecoder().decode(bytes)) as {
      devices: {
        excluded?: string;
        tier?: string;
        manufacturer: string;
        model: string;
        category: string;
        M?: string;
      }[];
    };
    const t1 = report.devices.find((d) => d.excluded === undefined && d.tier !== "T3")!;
    const match = calcEngine.referenceOf(new TextEncoder().encode(reference), t1.manufacturer, t1.model, t1.category)!;
    expect(match.row).to.be.a("number");
    const lines = reference.split("\n");
    const header = csvFields(lines[0]!.replace(/\r$/, ""));
    const column = header.indexOf("gwp_total");
    const fields = csvFields(lines[match.row!]!);
    fields[column] = String(Number(fields[column]!.replace(/"/g, "")) + 100);
    lines[match.row!] = fields.join(",");
    const changed = lines.join("\n");

    const r = await recomputeBatch(id, { ...options, reference: changed });
    expect(r).to.deep.include({ identical: false, recomputed: false });
    expect(r.checks.find((c) => c.check === "reference data is the chain's")!.passed).to.equal(false);
    expect(r.differences[0]).to.deep.include({ where: "reference data", field: "sha256" });
    const row = r.differences.find((d) => d.where.startsWith(`reference row ${match.row} `));
    expect(row, JSON.stringify(r.differences)).to.not.equal(undefined);
    expect(row!.field).to.equal("M");
    expect(row!.expected).to.include(t1.M!);
    expect(row!.actual).to.not.include(t1.M!);
  });

  it("names a changed parameter by its path, the engine's value against the report's", async function () {
    const id = demo[0]!;
    const { batch, bytes } = await reportOf(id);
    const report = JSON.parse(new TextDecoder().decode(bytes)) as { parameters: typeof PARAMS };
    const category = batch.category as keyof typeof PARAMS.categories;
    const original = report.parameters.categories[category].processKg;
    (report.parameters.categories[category] as { processKg: string }).processKg = "9.99";
    const r = await recomputeBatch(id, { ...options, report: JSON.stringify(report) });
    expect(r.identical).to.equal(false);
    expect(r.differences.slice(1)).to.deep.equal([
      { where: "parameters", field: `categories.${category}.processKg`, expected: original, actual: "9.99" },
    ]);
    expect(original).to.equal(PARAMS.categories[category].processKg);
  });

  it("fails with a stable code when the report cannot be fetched", async function () {
    const error = await recomputeBatch(section9[0]!, {
      ...options,
      fetchBytes: () => Promise.reject(new Error("offline")),
    }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RecomputeError);
    expect((error as RecomputeError).code).to.equal("FETCH_FAILED");
  });

  describe("itec verify batch <id> --recompute", function () {
    const cli = (args: string[]) =>
      runItec(["verify", "batch", ...args, "--rpc", h.chain.url, "--registry", h.deployed.address], {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
      });

    it('prints "recomputed: identical" and exits 0 for an issued batch', async function () {
      const run = await cli([demo[1]!, "--recompute", "--api", h.api.url]);
      expect(run.stderr).to.equal("");
      expect(run.code).to.equal(0);
      expect(run.stdout).to.include("✓ recomputed report is byte-identical").and.include("\nrecomputed: identical\n");
    });

    it("prints the difference and exits 1 for a report with one changed byte", async function () {
      const id = section9[0]!;
      const { bytes } = await reportOf(id);
      const text = new TextDecoder().decode(bytes);
      const dir = mkdtempSync(join(tmpdir(), "itec-recompute-"));
      const file = join(dir, "report.json");
      expect(text).to.include('"reductionKg":"261.023"');
      writeFileSync(file, text.replace('"reductionKg":"261.023"', '"reductionKg":"261.024"'));
      const run = await cli([id, "--recompute", "--report", file]);
      expect(run.code).to.equal(1);
      expect(run.stdout)
        .to.include("✗ report hash is the chain's")
        .and.include("recomputed: DIFFERENT")
        .and.include("  batch server · reductionKg: expected 261.023, found 261.024");
      expect(run.stderr).to.match(/recomputed with \d+ difference/);
    });
  });
});
