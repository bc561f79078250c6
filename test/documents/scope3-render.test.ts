/**
 * The Scope 3 report's HTML and chart (issue 14 item 2): the organisation by name and account (the chart's title
 * too — never an address cut at `0x976EA740…`), when and from which chain and block the figures were read, tCO2e
 * totals, the year-on-year change with an explicit sign and direction (it used to print "(6.3 % vs previous year)"
 * for an increase), the applied retirements' beneficiaries and quality, the not-offsets statement.
 */
import { expect } from "chai";
import { PDFParse } from "pdf-parse";

import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import type { InventoryLine } from "../../core/documents/inventory.ts";
import { chartTitle, scope3ChartSvg, svgToPng } from "../../core/documents/scope3-chart.ts";
import { scope3Html, scope3Pdf } from "../../core/documents/scope3-render.ts";
import { scope3Report } from "../../core/documents/scope3.ts";
import { ACME, retirementFactory } from "../helpers/scope3-retirements.ts";

const reference = loadReferenceTable();
const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const readAt = {
  chainId: 1337,
  registry: REGISTRY,
  block: 1204,
  indexedToBlock: 1199,
  generatedAt: "2026-12-03T09:30:00.000Z",
};

const retirement = retirementFactory("Acme <Corporation>", { amount: 20 });

/** 2025: 275.783 kgCO2e per device adjusted; 2026: 293.157 — an increase of 6.3 %. */
const rising: InventoryLine[] = [
  { year: 2025, category: "laptop", devices: 50, pcfKgPerDevice: "310" },
  { year: 2026, category: "laptop", devices: 100, pcfKgPerDevice: "300" },
];
const risingRetirements = [
  retirement(1, {
    amount: 50,
    periodStart: "2025-01-01T00:00:00.000Z",
    periodEnd: "2025-12-31T23:59:59.000Z",
    vintageEnd: "2025-09-30",
  }),
  retirement(2),
];
const report = (over: Partial<Parameters<typeof scope3Report>[0]> = {}) =>
  scope3Report({
    account: ACME,
    accountName: "Acme <Corporation>",
    reportingYear: 2026,
    inventory: rising,
    retirements: risingRetirements,
    reference,
    readAt,
    ...over,
  });

async function pdfText(bytes: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    return (await parser.getText()).text.replace(/\s+/g, " ");
  } finally {
    await parser.destroy();
  }
}

describe("Scope 3 report HTML and chart", function () {
  it("names the organisation and account, the year, and when and where the figures were read", function () {
    const html = scope3Html(report(), "");
    expect(html).to.include(`<dt>Organisation</dt><dd>Acme &lt;Corporation&gt; (${ACME})</dd>`);
    expect(html).to.include("<dt>Reporting year</dt><dd>2026 (1 January to 31 December)</dd>");
    expect(html).to.include(
      `Generated at 2026-12-03T09:30:00.000Z from chain id 1337, registry ${REGISTRY}, block 1204; index to block 1199.`,
    );
    expect(html).not.to.include("<Corporation>");
    const unnamed = scope3Html(report({ accountName: null, readAt: undefined }), "");
    expect(unnamed).to.include(`<dt>Organisation</dt><dd>${ACME}</dd>`);
    expect(unnamed).to.include("the time and block of the reading were not recorded");
    expect(report().readAt).to.deep.equal(readAt);
  });

  it("gives totals in tCO2e, the applied retirement's beneficiary and quality, and the not-offsets statement", function () {
    const html = scope3Html(report(), "");
    // 30 t inventory; 20 × 34.217 kg = 0.684340 t; 29.315660 t adjusted.
    expect(html).to.include(
      '<td class="l">30.000000 tCO2e</td><td>0.684340 tCO2e</td><td>29.315660 tCO2e</td><td>293.157</td><td>20</td>',
    );
    expect(html).to.include(`<td class="l">Acme &lt;Corporation&gt; (${ACME})</td><td>#1</td>`);
    expect(html).to.include("all 6 criteria met");
    expect(html).to.include('<p class="statement">I-TECs are not offsets.');
    expect(html).to.include("<h2>Method, rules and data sources</h2>");
    expect(html).to.include(reference.sha256);
  });

  it("carries the disclosures in the JSON and the HTML: gross as the inventory total, the adjustment beside it", function () {
    const r = report();
    expect(r.disclosures.esrs.gross.value).to.equal("30.000000");
    expect(r.disclosures.esrs.certificateAdjustment.value).to.equal("-0.684340");
    const html = scope3Html(r, "");
    expect(html).to.include("<h2>Disclosures</h2>");
    expect(html).to.match(
      /<td class="l">ESRS E1-6<\/td><td class="l"><\/td><td class="l"[^>]*>Gross Scope 3 GHG emissions<\/td><td>30\.000000<\/td>/,
    );
  });

  it("states the year-on-year change with its sign and direction (it printed '6.3 % vs previous year' for an increase)", async function () {
    const r = report();
    expect(r.yearOnYear.at(-1)).to.include({
      adjustedChangePct: "6.3",
      adjustedChangeDirection: "increase",
      adjustedChangeText: "+6.3 % (increase) vs 2025",
    });
    const html = scope3Html(r, "");
    expect(html).to.include("+6.3 % (increase) vs 2025");
    const pdf = await pdfText(await scope3Pdf(r));
    expect(pdf).to.include("+6.3 % (increase) vs 2025");
    expect(pdf).not.to.include("vs previous year");
    // A fall: 100 certificates in 2026, (30000 − 3421.7) / 100 = 265.783 against 275.783.
    const falling = report({ retirements: [risingRetirements[0]!, retirement(2, { amount: 100 })] });
    expect(falling.yearOnYear.at(-1)!.adjustedChangeText).to.equal("-3.6 % (decrease) vs 2025");
    expect(falling.yearOnYear.at(-1)!.adjustedChangePct).to.equal("-3.6");
  });

  it("titles the chart with the organisation's name — or its whole address — never a cut address", async function () {
    const svg = scope3ChartSvg(report());
    expect(svg).to.include(">Acme &lt;Corporation&gt;</text>");
    expect(svg).not.to.include("0x976EA740…");
    const unnamed = report({ accountName: null });
    expect(chartTitle(unnamed)).to.equal(ACME);
    expect(scope3ChartSvg(unnamed)).to.include(`>${ACME}</text>`);
    const long = report({ accountName: `Acme ${"Holdings ".repeat(20)}plc` });
    expect(chartTitle(long)).to.match(/^Acme Holdings .*…$/);
    expect([...chartTitle(long)].length).to.be.below(70);
    expect(chartTitle(report({ accountName: "株式会社".repeat(20) })).length).to.be.below(45);
    const png = await svgToPng(svg);
    expect(png.subarray(0, 8).toString("hex")).to.equal("89504e470d0a1a0a");
  });
});
