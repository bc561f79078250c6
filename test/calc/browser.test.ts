/**
 * The browser's lot calculation (core/calc/browser.ts) against the oracle's intake path — the same reader rules,
 * reference table, options and calculation as `LotIntake.submit` — for the demo lot and generated lots full of
 * problems and exclusions; and its module graph: nothing of Node, nothing outside the SDK and the calculation.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, relative, resolve } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { parse } from "csv-parse/sync";

import { calculateLotCsv, referenceTableOf } from "../../core/calc/browser.ts";
import { calculateLot, canonicalJson, type DeviceInput, type LotResult } from "../../core/calc/index.ts";
import { readLotCsv } from "../../core/calc/lot/index.ts";
import { parseReferenceCsv } from "../../core/calc/reference-csv.ts";
import { DEFAULT_REFERENCE_PATH, loadReferenceTable } from "../../core/calc/reference-file.ts";
import { LOT_HEADER } from "../../core/calc/lot/csv.ts";
import { VECTORS } from "./fixtures.ts";
import { launchChromium, requireChromium } from "../helpers/browser.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const REFURBISHER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const referenceBytes = readFileSync(DEFAULT_REFERENCE_PATH);

/** The intake's path (oracle/src/pipeline/intake.ts, with the API's CSV reader): a fresh lot, nothing certified. */
async function intake(
  csv: Buffer,
  options: { asOf: string; defaultTransport?: string | undefined; lotRef?: string | undefined },
) {
  const devices = await readLotCsv(Readable.from([csv]));
  const stripped = devices.map(({ readerProblems: _r, ...rest }: DeviceInput) => rest);
  const inputSha256 = createHash("sha256").update(canonicalJson(stripped)).digest("hex");
  const lotRef = options.lotRef ?? `sha256:${inputSha256}`;
  const result = calculateLot(
    devices,
    {
      asOf: options.asOf,
      ...(options.defaultTransport ? { defaultTransport: options.defaultTransport } : {}),
      lotId: lotRef,
      refurbisher: REFURBISHER,
      certifiedDeviceIds: new Set(),
    },
    loadReferenceTable(),
  );
  return { result, inputSha256, lotRef };
}

function expectSame(
  browser: ReturnType<typeof calculateLotCsv>,
  oracle: { result: LotResult; inputSha256: string; lotRef: string },
) {
  const r = oracle.result;
  expect(browser.reportHash).to.equal(r.reportHash);
  expect(browser.inputSha256).to.equal(oracle.inputSha256);
  expect(browser.lotRef).to.equal(oracle.lotRef);
  expect(browser.referenceSha256).to.equal(r.referenceSha256);
  expect(browser.devices).to.equal(r.deviceCount);
  expect(browser.eligible).to.equal(r.eligibleCount);
  expect(browser.excluded).to.deep.equal(r.excluded);
  expect(
    browser.problems.map(({ line, column, field, value, expected }) => ({ line, column, field, value, expected })),
  ).to.deep.equal(r.problems.map((p) => ({ ...p })));
  expect(browser.exclusions.map((e) => [e.line, e.serial, e.reason])).to.deep.equal(
    r.devices.filter((d) => d.excluded).map((d) => [d.line, d.serial, d.excluded]),
  );
  expect(
    browser.batches.map((b) => [b.category, b.devices, b.baselineGrams, b.reductionGrams, b.certificates]),
  ).to.deep.equal(
    r.batches.map((b) => [
      b.category,
      b.devices,
      b.baselineGrams.toString(),
      b.reductionGrams.toString(),
      b.certificates,
    ]),
  );
  expect(browser.batches).to.deep.equal(r.report.batches);
  expect(browser.deviceRoots).to.deep.equal(Object.fromEntries(r.batches.map((b) => [b.category, b.deviceRoot])));
}

/** A seeded lot with every kind of row the reader and the calculation treat specially. */
function generatedLot(seed: number, rows: number): Buffer {
  let s = seed >>> 0;
  const rand = (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const models = [
    ["Dell", "Latitude 5410", "laptop"],
    ["Lenovo", "ThinkPad T14 Gen 2", "laptop"],
    ["HP", "EliteDesk 800 G5", "desktop"],
    ["Dell", "P2720D", "monitor"],
    ["Apple", "iPhone 12", "smartphone"],
    ["Acme", "Unknown 1", "tablet"],
    ["Acme", "Toaster", "toaster"],
  ];
  const lines: string[] = [LOT_HEADER];
  for (let i = 0; i < rows; i++) {
    const [make, model, category] = models[rand(models.length)]!;
    const f = [
      `SN${seed}-${i}`,
      make,
      model,
      category,
      ["2021-03", "2019", "2012-01-01", "2023-13"][rand(4)]!,
      ["2025-11-15", "2025-02-30", "2025-06-01"][rand(3)]!,
      ["36", "12", "x", "24"][rand(4)]!,
      ["", "battery:56Wh", "mainboard", "ssd:512GB;ram:16GB", "battery:abc"][rand(5)]!,
      ["", "1.8", "-1", "4.2"][rand(4)]!,
      ["", "hgv:600;van:250", "sea:9000", "none", "plane:5"][rand(5)]!,
      rand(10) === 0 ? "" : `TR-${i}`,
      rand(10) === 0 ? "" : `EC-${i}`,
    ];
    switch (rand(12)) {
      case 0:
        f[0] = ""; // no serial
        break;
      case 1:
        f[0] = `SN${seed}-0`; // duplicate
        break;
      case 2:
        f.pop(); // 11 columns
        break;
      case 3:
        f[2] = `"${model}, rev ""B"""`; // quoted, with a delimiter and quotes
        break;
      case 4:
        f[1] = `"${make}"x`; // text after the closing quote
        break;
      case 5:
        f[2] = `"${model}\nsecond line"`; // a record over two lines
        break;
    }
    lines.push(f.join(","));
    if (rand(20) === 0) lines.push(""); // a blank line
  }
  const text = lines.join(seed % 2 === 0 ? "\r\n" : "\n") + "\n";
  const body = Buffer.from(seed % 3 === 0 ? `\uFEFF${text}` : text, "utf8");
  if (seed % 4 !== 1) return body;
  // Bytes that are not UTF-8 in one row's model: the row is excluded with a reader problem.
  const at = body.indexOf(",Dell,");
  return at < 0 ? body : Buffer.concat([body.subarray(0, at + 3), Buffer.from([0xff, 0xfe]), body.subarray(at + 3)]);
}

describe("browser calculation (core/calc/browser.ts)", function () {
  this.timeout(120_000);

  it("gives the intake's report hash, roots, figures and problems for the demo lot", async () => {
    const csv = readFileSync(`${ROOT}data/samples/demo-lot.csv`);
    const oracle = await intake(csv, { asOf: "2026-01-15" });
    const browser = calculateLotCsv(csv.toString("utf8"), referenceBytes, {
      asOf: "2026-01-15",
      refurbisher: REFURBISHER,
    });
    expectSame(browser, oracle);
    expect(browser.eligible).to.be.greaterThan(0);
    expect(browser.batches.some((b) => b.certificates > 0)).to.equal(true);
  });

  it("gives the intake's results for generated lots with problems and exclusions, as text and as bytes", async () => {
    let problems = 0;
    let reasons = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) {
      const csv = generatedLot(seed, 150 + seed * 10);
      const options = {
        asOf: "2026-01-15",
        defaultTransport: seed % 2 ? "hgv:300" : undefined,
        lotRef: seed % 5 ? undefined : `lot-${seed}`,
      };
      const oracle = await intake(csv, options);
      const browser = calculateLotCsv(new Uint8Array(csv), referenceBytes, { ...options, refurbisher: REFURBISHER });
      expectSame(browser, oracle);
      if (seed % 4 !== 1) {
        expectSame(
          calculateLotCsv(csv.toString("utf8"), referenceBytes.toString("utf8"), {
            ...options,
            refurbisher: REFURBISHER,
          }),
          oracle,
        );
      }
      problems += browser.problems.length;
      reasons = new Set([...reasons, ...browser.exclusions.map((e) => e.reason)]);
    }
    // The generated lots do exercise what they are for.
    expect(problems).to.be.greaterThan(100);
    expect([...reasons]).to.include.members(["SERIAL_MISSING", "SERIAL_DUPLICATE", "BAD_INPUT", "CATEGORY_UNKNOWN"]);
  });

  it("numbers problems by data row and says what is wrong", () => {
    const csv = `${LOT_HEADER}\nA1,Dell,Latitude 5410,laptop,2022-03,2025-11-15,36,,1.8,hgv:600,TR,EC\n\nA2,Dell,Latitude 5410,laptop,2022-13,2025-11-15,36,,1.8,hgv:600,TR,EC\n`;
    const r = calculateLotCsv(csv, referenceBytes, { asOf: "2026-01-15" });
    expect(r.problems).to.have.length(1);
    expect(r.problems[0]).to.include({ row: 2, line: 4, column: 5, field: "manufacture_date", code: "BAD_INPUT" });
    expect(r.problems[0]!.message).to.match(/^manufacture_date \(column 5\): "2022-13" — expected /);
    expect(r.exclusions).to.deep.equal([{ row: 2, line: 4, serial: "A2", reason: "BAD_INPUT" }]);
  });

  it("refuses a lot it cannot read with the reader's code", () => {
    expect(() => calculateLotCsv("serial,model\n1,2\n", referenceBytes, { asOf: "2026-01-15" }))
      .to.throw()
      .with.property("code", "BAD_HEADER");
    expect(() => calculateLotCsv(`${LOT_HEADER}\n`, referenceBytes, { asOf: "2026-01-15" }))
      .to.throw()
      .with.property("code", "LOT_EMPTY");
    expect(() => calculateLotCsv(`${LOT_HEADER}\n"open,`, referenceBytes, { asOf: "2026-01-15" }))
      .to.throw()
      .with.property("code", "BAD_CSV");
  });

  it("parses the reference file into csv-parse's rows and the oracle's table", () => {
    const rows = parseReferenceCsv(referenceBytes.toString("utf8"));
    expect(rows).to.deep.equal(parse(referenceBytes, { columns: true, bom: true, skip_empty_lines: true }));
    const table = referenceTableOf(referenceBytes);
    const oracle = loadReferenceTable();
    expect([table.sha256, table.rows, table.validRows]).to.deep.equal([oracle.sha256, oracle.rows, oracle.validRows]);
    expect(table.sha256).to.equal(createHash("sha256").update(referenceBytes).digest("hex"));
    expect(() => parseReferenceCsv("a,b\n1,2,3\n"))
      .to.throw()
      .with.property("code", "BAD_REFERENCE");
  });

  it("imports nothing of Node and nothing outside sdk/, core/calc/, decimal.js and ethers", () => {
    const graph = importGraph(resolve(ROOT, "core/calc/browser.ts"));
    const files = [...graph.files].map((f) => relative(ROOT, f));
    expect(files).to.include.members(["core/calc/browser.ts", "core/calc/lot.ts", "core/calc/lot/csv-records.ts"]);
    for (const f of files) expect(f, f).to.match(/^(sdk\/src|core\/calc)\//);
    expect([...graph.packages].sort()).to.satisfy((p: string[]) =>
      p.every((name) => ["decimal.js", "ethers"].includes(name)),
    );
    expect([...graph.packages]).to.include("ethers");
    // Node's globals are not imports: no file of the graph may name them either.
    for (const f of graph.files) {
      const code = stripComments(readFileSync(f, "utf8"));
      expect(code, relative(ROOT, f)).not.to.match(/\bBuffer\.|\bprocess\.|\brequire\(|__dirname/);
    }
  });

  it("computes the same result where there is no Buffer (the browser's UTF-8 path)", () => {
    const csv = generatedLot(6, 120).toString("utf8");
    const expected = calculateLotCsv(csv, referenceBytes, { asOf: "2026-01-15", refurbisher: REFURBISHER });
    const script = `
      // ethers' Node build loads Node's HTTP client, which needs Buffer: load it first (a browser gets its browser
      // build), then take Buffer away before the calculation's modules load.
      await import("ethers");
      delete globalThis.Buffer;
      const { calculateLotCsv } = await import(${JSON.stringify(resolve(ROOT, "core/calc/browser.ts"))});
      const { readFileSync } = await import("node:fs");
      const csv = readFileSync(0, "utf8");
      const ref = new Uint8Array(readFileSync(${JSON.stringify(DEFAULT_REFERENCE_PATH)}));
      if (typeof globalThis.Buffer !== "undefined") throw new Error("Buffer is still there");
      const r = calculateLotCsv(csv, ref, { asOf: "2026-01-15", refurbisher: ${JSON.stringify(REFURBISHER)} });
      process.stdout.write(JSON.stringify(r));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { input: csv, encoding: "utf8" });
    expect(JSON.parse(out)).to.deep.equal(JSON.parse(JSON.stringify(expected)));
  });

  it("bundles with Vite and gives the same result in Chromium, where there is no Buffer", async function () {
    requireChromium(this);
    const dir = mkdtempSync(`${tmpdir()}/itec-browser-calc-`);
    try {
      // The way the web app's build takes it in: Vite bundles the module for the browser (no Node shims).
      writeFileSync(
        `${dir}/entry.ts`,
        `import { calculateLotCsv } from ${JSON.stringify(resolve(ROOT, "core/calc/browser.ts"))};\n` +
          "(globalThis as any).calculate = (lot: string, ref: Uint8Array, options: any) =>" +
          " JSON.stringify(calculateLotCsv(lot, ref, options));\n",
      );
      const { build } = await import("vite");
      await build({
        configFile: false,
        logLevel: "silent",
        root: dir,
        build: {
          outDir: `${dir}/dist`,
          lib: { entry: `${dir}/entry.ts`, formats: ["iife"], name: "calc", fileName: () => "calc.js" },
        },
      });
      const bundle = readFileSync(`${dir}/dist/calc.js`, "utf8");
      expect(bundle).not.to.match(/from\s*["']node:/);
      const lot = generatedLot(8, 150).toString("utf8");
      const options = { asOf: "2026-01-15", refurbisher: REFURBISHER };
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.setContent("<!doctype html><title>calc</title>");
        await page.addScriptTag({ content: bundle });
        expect(await page.evaluate(() => typeof (globalThis as { Buffer?: unknown }).Buffer)).to.equal("undefined");
        const inPage = await page.evaluate(
          ([l, r, o]) =>
            (globalThis as unknown as { calculate: (l: string, r: Uint8Array, o: unknown) => string }).calculate(
              l,
              new Uint8Array(r as number[]),
              o,
            ),
          [lot, [...referenceBytes], options] as const,
        );
        const expected = calculateLotCsv(lot, referenceBytes, options);
        expect(JSON.parse(inPage)).to.deep.equal(JSON.parse(JSON.stringify(expected)));
      } finally {
        await browser.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Every file `entry` imports, transitively (relative specifiers), and the bare packages they name. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const code = stripComments(readFileSync(file, "utf8"));
    const specifiers = [
      ...code.matchAll(
        /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s*["']([^"']+)["']/g,
      ),
    ].map((m) => m[1] ?? m[2] ?? m[3]!);
    for (const spec of specifiers) {
      if (spec.startsWith(".")) queue.push(resolve(dirname(file), spec));
      else packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
    }
  }
  return { files, packages };
}

function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}
