/**
 * The Scope 3 PDF checked as a reader sees it (issue 14 item 2): rendered to PNG with poppler's `pdftoppm`, its text
 * read with `pdftotext` — the page count, every field a sustainability team files (organisation name and account,
 * year, where and when the figures were read, tCO2e totals, per Scope 3 and device category rows, each retirement's
 * beneficiary, batch, V̄, status and quality, the signed year-on-year change, method, rules and sources, the
 * not-offsets statement) and no word outside the page. Page 1 is committed as docs/img/scope3-report.png
 * (`ITEC_UPDATE_SNAPSHOTS=1` refreshes it).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";

import { expect } from "chai";

import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import { scope3Pdf } from "../../core/documents/scope3-render.ts";
import { scope3Report } from "../../core/documents/scope3.ts";
import type { RetirementForReport } from "../../core/documents/scope3-types.ts";

const OUT = "test/output/scope3";
const IMAGE = "docs/img/scope3-report.png";
const ACME = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";
const GLOBEX = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955";
const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

const base: RetirementForReport = {
  retirementId: "1",
  batchId: "3",
  category: "laptop",
  amount: 40,
  reductionKgPerDevice: "34.217",
  periodStart: "2026-01-01T00:00:00.000Z",
  periodEnd: "2026-12-31T23:59:59.000Z",
  scope3Category: 2,
  beneficiaryName: "Acme Corporation",
  beneficiaryAccount: ACME,
  retiredBy: ACME,
  claimStatus: "verified",
  vintageStart: "2026-01-01",
  vintageEnd: "2026-03-31",
  attribution: {
    account: ACME,
    name: "Acme Corporation",
    rule: "BENEFICIARY_ACCOUNT",
    detail: `the claim names beneficiary account ${ACME}`,
  },
  txHash: "0x7a1c",
  methodology: "ITEC-CALC 1.0",
  parameters: "ITEC-PARAMS-1",
};

/** Acme's 2026 report: Scope 3 categories given, three claims applied, four not (each for another reason). */
export function sampleReport() {
  return scope3Report({
    account: ACME,
    accountName: "Acme Corporation",
    reportingYear: 2026,
    reference: loadReferenceTable(),
    inventory: [
      { year: 2025, category: "laptop", devices: 180, manufacturer: "Dell", model: "Latitude 5410", scope3Category: 2 },
      { year: 2025, category: "monitor", devices: 60, pcfKgPerDevice: "310", scope3Category: 1 },
      { year: 2026, category: "laptop", devices: 150, manufacturer: "Dell", model: "Latitude 5410", scope3Category: 2 },
      { year: 2026, category: "laptop", devices: 40, pcfKgPerDevice: "285.5", scope3Category: 1 },
      { year: 2026, category: "monitor", devices: 45, pcfKgPerDevice: "310", scope3Category: 1 },
      { year: 2026, category: "server", devices: 4, manufacturer: "Dell", model: "PowerEdge R640", scope3Category: 2 },
    ],
    retirements: [
      base,
      {
        ...base,
        retirementId: "2",
        batchId: "5",
        amount: 12,
        scope3Category: 1,
        reductionKgPerDevice: "58.625",
        retiredBy: GLOBEX,
      },
      { ...base, retirementId: "3", batchId: "6", category: "server", amount: 2, reductionKgPerDevice: "261.023" },
      {
        ...base,
        retirementId: "4",
        amount: 12,
        beneficiaryName: "Globex GmbH",
        beneficiaryAccount: null,
        attribution: {
          account: GLOBEX,
          name: "Globex GmbH",
          rule: "BENEFICIARY_NAME",
          detail: `beneficiary name 'Globex GmbH' is the registered name of ${GLOBEX}`,
        },
      },
      {
        ...base,
        retirementId: "5",
        batchId: "7",
        amount: 5,
        claimStatus: "reversed",
        failedCheck: "claim reversed: batch #7 was found wrong and reversed (replacement owed by Refurb Co)",
      },
      { ...base, retirementId: "6", batchId: "2", amount: 3, vintageStart: "2024-07-01", vintageEnd: "2024-12-31" },
    ],
    readAt: {
      chainId: 1337,
      registry: REGISTRY,
      block: 1204,
      indexedToBlock: 1203,
      generatedAt: "2026-12-03T09:30:00.000Z",
    },
  });
}

const tool = (name: string) => {
  try {
    execFileSync(name, ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

interface Word {
  page: number;
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** pdftotext -bbox: every word with its box, and each page's size. */
function words(pdf: string): { pages: { width: number; height: number }[]; words: Word[] } {
  const xhtml = execFileSync("pdftotext", ["-bbox", pdf, "-"], { encoding: "utf8" });
  const pages: { width: number; height: number }[] = [];
  const out: Word[] = [];
  for (const part of xhtml.split(/<page /).slice(1)) {
    const size = /width="([\d.]+)" height="([\d.]+)"/.exec(part)!;
    pages.push({ width: Number(size[1]), height: Number(size[2]) });
    for (const m of part.matchAll(
      /<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)<\/word>/g,
    )) {
      out.push({ page: pages.length, text: m[5]!, xMin: +m[1]!, yMin: +m[2]!, xMax: +m[3]!, yMax: +m[4]! });
    }
  }
  return { pages, words: out };
}

describe("Scope 3 report PDF, as rendered (pdftoppm, pdftotext)", function () {
  let pdfPath: string;
  let text: string;
  before(async function () {
    if (!tool("pdftoppm") || !tool("pdftotext")) {
      // CI installs poppler-utils (.ci/run), so there a missing tool fails the run instead of skipping silently.
      if (process.env.CI)
        throw new Error("poppler-utils (pdftoppm, pdftotext) is missing: apt-get install -y poppler-utils");
      console.warn("    poppler-utils (pdftoppm, pdftotext) not installed: apt-get install -y poppler-utils");
      this.skip();
    }
    mkdirSync(OUT, { recursive: true });
    pdfPath = `${OUT}/scope3-report.pdf`;
    writeFileSync(pdfPath, await scope3Pdf(sampleReport()));
    // -layout keeps a table row on one line; white space is then collapsed.
    text = execFileSync("pdftotext", ["-layout", pdfPath, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
  });

  it("is four A4 pages (the disclosures take two), with no word outside the page and none in its margins", function () {
    const { pages, words: all } = words(pdfPath);
    expect(pages).to.have.length(4);
    for (const p of pages) expect([Math.round(p.width), Math.round(p.height)]).to.deep.equal([595, 842]);
    expect(all.length).to.be.greaterThan(600);
    const outside = all.filter((w) => w.xMin < 36 || w.yMin < 36 || w.xMax > 595 - 36 || w.yMax > 842 - 36);
    expect(outside, "words in the margins or off the page").to.deep.equal([]);
  });

  it("holds every field a sustainability team files", function () {
    for (const field of [
      "Scope 3 certificate-adjusted IT procurement intensity — 2026",
      `Acme Corporation (${ACME})`,
      "Reporting year 2026",
      `Generated at 2026-12-03T09:30:00.000Z from chain id 1337, registry ${REGISTRY}, block 1204; index to block 1203.`,
      "I-TECs are not offsets.",
      // Totals in tCO2e (inventory-based, reduction, certificate-adjusted) and the signed year on year.
      "69.622720 2.594226 67.028494 280.454 54 +2.7 % (increase) vs 2025",
      // Rows per Scope 3 category and device category, with subtotals.
      "1 laptop 40 11.420000 285.500 12 0.703500 10.716500 267.912 cat. 1",
      "2 laptop 150 39.120000 260.800 40 1.368680 37.751320 251.675 cat. 2",
      "1 subtotal 85 25.370000 298.471 12 0.703500 24.666500 290.194",
      "2 subtotal 154 44.252720 287.355 42 1.890726 42.361994 275.078",
      "all total 239 69.622720 291.308 54 2.594226 67.028494 280.454",
      // Each applied retirement: beneficiary name and account, batch, certificates, V̄, reduction, status, quality.
      "#1 Acme Corporation laptop 40 34.217 1.368680 verified all met",
      `batch #3 ${ACME} cat. 2`,
      "#2 Acme Corporation laptop 12 58.625 0.703500 verified all met",
      `batch #5 ${ACME} cat. 1`,
      "retirement #1 applied ✓ ✓ ✓ ✓ ✓ ✓",
      "retirement #4 not applied ✗ ✓ ✓ ✓ ✓ ✓ CQ1 not met: attributed to Globex GmbH",
      "retirement #5 not applied ✓ ✗ ✗ ✓ ✓ ✓ CQ2 not met",
      "retirement #6 not applied ✓ ✓ ✓ ✗ ✓ ✓ CQ4 not met: vintage 2024-07-01 to 2024-12-31",
      `beneficiary Globex GmbH (${GLOBEX}), claim verified: CLAIM_OF_ANOTHER_ORGANISATION (CQ1)`,
      "claim reversed: CLAIM_REVERSED (CQ2)",
      "VINTAGE_OUTSIDE_WINDOW (CQ4)",
      // The disclosures: gross never reduced, the adjustment beside it.
      "Disclosures",
      "ESRS E1-6 Gross Scope 3 GHG emissions 69.622720 tCO2e",
      "CDP 7.8: Capital goods Emissions in reporting year (metric 44.253 tCO2e",
      "Method, rules and data sources",
      "Batches' methodology (from the chain): ITEC-CALC 1.0 / ITEC-PARAMS-1.",
      "Registry reference data: Boavizta",
      "Vintage window for 2026 (CQ4): a batch's vintage ends between 2025-01-01 and 2027-03-31.",
      "I-TECs represent lower-intensity procurement; they are not offsets.",
    ]) {
      expect(text, field).to.include(field);
    }
    expect(text).not.to.include("vs previous year");
    expect(text).not.to.match(/0x976EA740…/);
  });

  it("renders page 1 to PNG, the image committed as docs/img/scope3-report.png", function () {
    execFileSync("pdftoppm", ["-r", "60", "-f", "1", "-l", "1", "-png", "-singlefile", pdfPath, `${OUT}/page-1`]);
    const png = readFileSync(`${OUT}/page-1.png`);
    expect(png.subarray(0, 8).toString("hex")).to.equal("89504e470d0a1a0a");
    // A4 at 60 dpi: 497 × 702 px.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).to.deep.equal([497, 702]);
    if (process.env.ITEC_UPDATE_SNAPSHOTS === "1" || !existsSync(IMAGE)) writeFileSync(IMAGE, png);
    expect(statSync(IMAGE).size, `${IMAGE} stays small`).to.be.below(150_000);
    const committed = readFileSync(IMAGE);
    expect([committed.readUInt32BE(16), committed.readUInt32BE(20)]).to.deep.equal([497, 702]);
  });
});
