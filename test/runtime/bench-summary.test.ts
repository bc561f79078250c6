import { expect } from "chai";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { BENCHES } from "../../bench/summary/figures.ts";
import {
  figuresTable,
  readmeWithFigures,
  summarise,
  TABLE_END,
  TABLE_START,
  withTable,
} from "../../bench/summary/summary.ts";

const root = join(import.meta.dirname, "..", "..");
const results = join(root, "bench", "results");

describe("npm run bench: the summary and the README's figures table", function () {
  it("covers every bench:* script of package.json and every results file", function () {
    const scripts = Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts as object);
    const benchScripts = scripts.filter((s) => s.startsWith("bench:")).sort();
    expect(BENCHES.map((b) => b.script).sort()).to.deep.equal(benchScripts);
    const files = readdirSync(results)
      .filter((f) => f.endsWith(".json") && f !== "summary.json" && f !== "runs.json")
      .sort();
    expect(BENCHES.map((b) => b.file).sort()).to.deep.equal(files);
  });

  it("reads a figure from every committed results file", function () {
    const summary = summarise(results);
    for (const bench of summary.benches) {
      expect(bench.problem, bench.name).to.equal(null);
      expect(bench.figures.length, bench.name).to.be.greaterThan(0);
      for (const f of bench.figures) expect(Number.isFinite(f.value), `${bench.name}: ${f.what}`).to.equal(true);
    }
    const gas = summary.benches.find((b) => b.name === "gas")!;
    const json = JSON.parse(readFileSync(join(results, "gas.json"), "utf8"));
    expect(gas.figures.find((f) => f.what === "gas: retire")!.value).to.equal(json.retire);
  });

  it("marks a missed target, and names a results file whose shape changed or that is missing", function () {
    const dir = mkdtempSync(join(tmpdir(), "itec-bench-summary-"));
    try {
      cpSync(results, dir, { recursive: true });
      const dos = JSON.parse(readFileSync(join(dir, "dos.json"), "utf8"));
      dos.underLoad.p99_ms = dos.targetP99Ms + 1;
      writeFileSync(join(dir, "dos.json"), JSON.stringify(dos));
      dos.underLoad.p99_ms = dos.targetP99Ms - 1;
      const growth = JSON.parse(readFileSync(join(dir, "growth.json"), "utf8"));
      delete growth.lastStepOverFirst;
      writeFileSync(join(dir, "growth.json"), JSON.stringify(growth));
      rmSync(join(dir, "cli.json"));
      const ranAt = "2026-01-02T03:04:05.000Z";
      const machine = { cpus: 2, cpu: "test", memoryGb: 1, node: "v22" };
      writeFileSync(join(dir, "runs.json"), JSON.stringify({ gas: { ranAt, machine } }));
      const summary = summarise(dir);
      const byName = (n: string) => summary.benches.find((b) => b.name === n)!;
      expect(byName("dos").figures[0]!.met).to.equal(false);
      expect(byName("growth").problem).to.match(/lastStepOverFirst/);
      expect(byName("cli").problem).to.match(/npm run bench:cli/);
      // gas.json has no date of its own: the run log's; calc.json has neither: null, never the file's mtime.
      expect(byName("gas").measuredAt).to.equal(ranAt);
      expect(byName("gas").machine).to.deep.equal(machine);
      expect(byName("calc").measuredAt).to.equal(null);
      const table = figuresTable(summary);
      expect(table).to.match(/✗ not met/);
      expect(table).to.match(/no cli\.json: run npm run bench:cli/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the README's table is the one the committed results give (npm run bench -- --summary-only rewrites it)", async function () {
    const readmePath = join(root, "README.md");
    const readme = readFileSync(readmePath, "utf8");
    const expected = await readmeWithFigures(readme, readmePath, summarise(results));
    expect(readme).to.equal(expected);
    expect(Buffer.byteLength(readme), "the README stays a stranger's page: reference goes in docs/").to.be.at.most(
      12 * 1024,
    );
    expect(() => withTable("no markers", "x")).to.throw(TABLE_START.slice(0, 10));
    expect(readme.indexOf(TABLE_END)).to.be.greaterThan(readme.indexOf(TABLE_START));
  });
});
