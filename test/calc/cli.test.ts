/** `itec calc` end to end: the summary prints the §9 figures; errors are one line and a non-zero exit. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";

import { canonicalJson } from "../../core/calc/index.ts";
import { VECTORS, readVector } from "./fixtures.ts";

const ITEC = fileURLToPath(new URL("../../bin/itec.js", import.meta.url));
const LOT = `${VECTORS}section9-lot.csv`;

function itec(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [ITEC, "calc", ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("itec calc", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "itec-cli-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe("summary", () => {
    it("prints every published figure of the §9 lot", () => {
      const r = itec(LOT, "--transport", "hgv:600;van:250", "--as-of", "2026-06-30");
      expect(r.status, r.stderr).to.equal(0);
      const { devices } = readVector<{ devices: Record<string, string | number>[] }>("section9.json");
      // Columns are at least two spaces apart (only the device column has single spaces): each figure is checked
      // in its own column, not just somewhere on the row.
      const lines = r.stdout.split("\n");
      const header = lines
        .find((l) => l.startsWith("line "))!
        .trim()
        .split(/\s{2,}/);
      expect(header).to.deep.equal([
        "line",
        "serial",
        "device",
        "tier",
        "M",
        "L_ref",
        "L1/L2",
        "P",
        "UP",
        "B",
        "R",
        "R_up",
        "U",
        "V",
      ]);
      for (const d of devices) {
        const cells = lines
          .find((l) => l.includes(String(d.serial)))!
          .trim()
          .split(/\s{2,}/);
        expect(cells).to.have.length(header.length);
        const cell = (key: string) => cells[header.indexOf(key)];
        for (const key of ["tier", "M", "P", "UP", "B", "R", "R_up", "U", "V"]) {
          expect(cell(key), `${String(d.serial)} ${key}`).to.equal(String(d[key]));
        }
        expect(cell("L1/L2")).to.equal(`${d.L1}/${d.L2}`);
      }
      expect(r.stdout).to.include("ΣV -56.697").and.to.include("NOT ISSUED: NO_VERIFIED_REDUCTION");
      expect(r.stdout).to.include("V̄ 71.325").and.to.include("V̄ 261.023");
      expect(r.stderr).to.equal(""); // no progress bar when stderr is not a terminal
    });

    it("prints the 3 laptop I-TECs with B̄ 189.413 and V̄ 34.217 for the lot without the 7420", () => {
      const r = itec(
        `${VECTORS}section9-lot-without-7420.csv`,
        "--transport",
        "hgv:600;van:250",
        "--as-of",
        "2026-06-30",
      );
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.include("B̄ 189.413 kg · V̄ 34.217 kg").and.to.include("relU 0.464");
      expect(r.stdout).to.include("ISSUED: 3 I-TECs");
    });
  });

  describe("--json and --out", () => {
    it("checks --out before calculating, and never leaves a partial report", () => {
      const missing = itec(LOT, "--transport", "hgv:600", "--out", join(dir, "no-such-dir", "r.json"));
      expect(missing.status).to.equal(1);
      expect(missing.stderr).to.match(/^itec calc: BAD_OPTIONS: --out .*: cannot write there \(no such directory\)\n$/);
      const isDir = itec(LOT, "--transport", "hgv:600", "--out", dir);
      expect(isDir.status).to.equal(1);
      expect(isDir.stderr).to.match(/^itec calc: BAD_OPTIONS: --out .*: is a directory; name the report file\n$/);
      const out = join(dir, "kept.json");
      writeFileSync(out, "an earlier report");
      const failed = itec(fileURLToPath(new URL("../../package.json", import.meta.url)), "--out", out);
      expect(failed.status).to.equal(1);
      expect(readFileSync(out, "utf8"), "a failed run leaves the file as it was").to.equal("an earlier report");
      expect(
        readdirSync(dir).filter((f) => f.endsWith(".tmp")),
        "no temporary file left",
      ).to.deep.equal([]);
    });

    it("stops quietly when the reader of stdout goes away (| head)", () => {
      // A report far larger than a pipe's buffer (~530 bytes per device), so the writer does meet the closed pipe.
      const [header, ...rows] = readFileSync(LOT, "utf8").trim().split("\n");
      const big = join(dir, "big.csv");
      const copies = Array.from({ length: 400 }, (_, k) => rows.map((row) => row.replace(/^([^,]+)/, `$1-${k}`)));
      writeFileSync(big, [header, ...copies.flat()].join("\n"));
      const r = spawnSync("sh", ["-c", `"${process.execPath}" "${ITEC}" calc "${big}" --json | head -c 5`], {
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(r.stdout).to.equal('{"bat');
      expect(r.stderr).to.equal("");
    });

    it("prints the report on stdout and writes the same file, whose hash checks", () => {
      const out = join(dir, "report.json");
      const r = itec(LOT, "--transport", "hgv:600;van:250", "--as-of", "2026-06-30", "--json", "--out", out);
      expect(r.status, r.stderr).to.equal(0);
      const file = readFileSync(out, "utf8");
      expect(r.stdout).to.equal(`${file}\n`);
      const report = JSON.parse(file) as Record<string, unknown>;
      const hash = report.reportHash;
      delete report.reportHash;
      expect(keccak256(toUtf8Bytes(canonicalJson(report)))).to.equal(hash);
      expect(report).to.deep.include({ method: "ITEC-CALC 1.0", params: "ITEC-PARAMS-1" });
    });
  });

  describe("errors", () => {
    for (const [label, args, pattern] of [
      ["a missing file", ["/nonexistent/lot.csv"], /^itec calc: UNREADABLE_FILE: .*no such file\n$/],
      ["a wrong header", [fileURLToPath(new URL("../../package.json", import.meta.url))], /^itec calc: BAD_HEADER: /],
      ["an impossible --as-of", [LOT, "--as-of", "2026-02-30"], /^itec calc: BAD_OPTIONS: --as-of/],
    ] as const) {
      it(`exits non-zero with one line for ${label}`, () => {
        const r = itec(...args);
        expect(r.status).to.equal(1);
        expect(r.stderr).to.match(pattern);
        expect(r.stderr.trim().split("\n")).to.have.length(1);
        expect(r.stdout).to.equal("");
      });
    }

    it("exits non-zero for an empty lot", () => {
      const empty = join(dir, "empty.csv");
      writeFileSync(
        empty,
        "serial,manufacturer,model,category,manufacture_date,refurbished_date,second_life_months,parts,ship_mass_kg,transport,test_report_id,erasure_certificate_id\n",
      );
      const r = itec(empty);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/^itec calc: LOT_EMPTY: /);
    });

    it("lists every BAD_INPUT problem with line, column and what was expected", () => {
      const bad = join(dir, "bad.csv");
      writeFileSync(
        bad,
        [
          "serial,manufacturer,model,category,manufacture_date,refurbished_date,second_life_months,parts,ship_mass_kg,transport,test_report_id,erasure_certificate_id",
          "A1,Dell,Latitude 5420,laptop,2021-13,2025-09-30,36,,,,TR,EC",
          "A2,Dell,Latitude 5420,laptop,2021-06,2025-09-30,three,gpu,,,TR,EC",
        ].join("\n"),
      );
      const r = itec(bad, "--transport", "hgv:600", "--as-of", "2026-01-01");
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.include("BAD_INPUT (3 problems):");
      expect(r.stdout).to.include(
        'line 2, column 5 (manufacture_date): "2021-13" — expected a date as YYYY, YYYY-MM or YYYY-MM-DD',
      );
      expect(r.stdout).to.include("line 3, column 7 (second_life_months)");
      expect(r.stdout).to.include("line 3, column 8 (parts)");
      expect(r.stdout).not.to.include("no transport of");
    });

    it("says once, before the problems, that the lot needs --transport when rows have none", () => {
      const r = itec(LOT, "--as-of", "2026-06-30");
      expect(r.status, r.stderr).to.equal(0);
      const hint =
        '→ 4 rows have no transport of their own and the lot has no default: pass the lot\'s legs, e.g. --transport "hgv:600;van:250"';
      expect(r.stdout.split(hint).length - 1, "the hint, once").to.equal(1);
      expect(r.stdout).to.include("BAD_INPUT (4 problems):");
      expect(r.stdout.indexOf(hint)).to.be.lessThan(r.stdout.indexOf("BAD_INPUT (4 problems):"));
    });
  });
});
