/**
 * The documents draw every character with fonts shipped in data/fonts (never PDF's WinAnsi-only built-in fonts, nor
 * the machine's fonts): font runs per grapheme, a Scope 3 PDF whose extracted text holds non-Latin-1 names exactly,
 * and a chart whose labels are drawn with system fonts switched off.
 */
import { expect } from "chai";
import { PDFParse } from "pdf-parse";

import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import { fontRuns, MISSING_GLYPHS_NOTE } from "../../core/documents/fonts.ts";
import { svgToPng } from "../../core/documents/scope3-chart.ts";
import { scope3Pdf } from "../../core/documents/scope3-render.ts";
import { scope3Report } from "../../core/documents/scope3.ts";

async function pdfText(bytes: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    return (await parser.getText()).text.replace(/\s+/g, " ");
  } finally {
    await parser.destroy();
  }
}

const runs = (text: string, style: Parameters<typeof fontRuns>[1] = "sans") =>
  fontRuns(text, style).map((r) => [r.font, r.text, r.missing]);

describe("Document fonts (data/fonts)", function () {
  it("draws Latin, Polish, combining marks, symbols and emoticons in DejaVu Sans", function () {
    expect(runs("Łódź Sp. z o.o. — B̄ − V̄ ✓ ✗ × € CO₂ 😀")).to.deep.equal([
      ["sans", "Łódź Sp. z o.o. — B̄ − V̄ ✓ ✗ × € CO₂ 😀", false],
    ]);
  });

  it("falls back to Droid Sans Fallback for Chinese and Japanese, and back again", function () {
    expect(runs("東京支社 Acme 株式会社")).to.deep.equal([
      ["cjk", "東京支社", false],
      ["sans", " Acme ", false],
      ["cjk", "株式会社", false],
    ]);
    expect(runs("Łódź 東京", "bold")).to.deep.equal([
      ["bold", "Łódź ", false],
      ["cjk", "東京", false],
    ]);
  });

  it("prints what no shipped font draws as code points, never as '?'", function () {
    expect(runs("한국 Ltd")).to.deep.equal([
      ["sans", "[U+D55C][U+AD6D]", true],
      ["sans", " Ltd", false],
    ]);
  });

  it("keeps a variation selector the font has, and leaves out an invisible one it lacks", function () {
    expect(runs("I ❤️ NY")).to.deep.equal([["sans", "I ❤️ NY", false]]);
    // An ideographic variation sequence: Droid Sans Fallback has the ideograph, not the selector U+E0100.
    expect(runs("葛\u{E0100}飾")).to.deep.equal([["cjk", "葛飾", false]]);
    expect(runs("👍")).to.deep.equal([["sans", "[U+1F44D]", true]]);
  });

  it("prints non-Latin-1 names in the Scope 3 PDF exactly, and says when a character had to be spelled out", async function () {
    const r = scope3Report({
      account: "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
      reportingYear: 2026,
      inventory: [
        { year: 2026, category: "laptop", devices: 3, manufacturer: "Łódź Elektronik", model: "東京 X1 😀" },
        { year: 2026, category: "monitor", devices: 1, manufacturer: "한국", model: "M" },
      ],
      retirements: [],
      reference: loadReferenceTable(),
    });
    const pdf = await scope3Pdf(r);
    expect(pdf.toString("latin1")).not.to.match(/\/BaseFont \/(Helvetica|Courier|Times)/);
    const text = await pdfText(pdf);
    expect(text).to.include("Scope 3 certificate-adjusted IT procurement intensity — 2026");
    expect(text).to.include("Łódź Elektronik 東京 X1 😀");
    expect(text).to.include("Łódź Elektronik '東京 X1 😀' (laptop) is not in the registry reference");
    expect(text).to.include("[U+D55C][U+AD6D] M");
    expect(text).to.include(MISSING_GLYPHS_NOTE);
    expect(text).not.to.include("?");
  });

  it("draws the chart's labels with the shipped font, with system fonts switched off", async function () {
    const blank =
      '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="#fff"/>';
    const withText = `${blank}<text x="5" y="25" font-size="16">Łódź kgCO2e — 2026</text></svg>`;
    const empty = await svgToPng(`${blank}</svg>`);
    const drawn = await svgToPng(withText);
    // resvg renders no glyph when it has no font: the PNG would then be the blank one, byte for byte.
    expect(drawn.equals(empty)).to.equal(false);
    expect(drawn.length).to.be.greaterThan(empty.length + 200);
  });
});
