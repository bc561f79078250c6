/**
 * The retirement certificate as a page someone files, checked the way a reader sees it: the PDF rendered by poppler
 * (`pdftoppm` to pixels, `pdftotext` to words with their boxes). One A4 page, nothing outside it, the page used to
 * its bottom margin with no large blank band; the issuer, operator, issue date, certificate id and every other field
 * of the one content model present in the PDF and in the HTML alike; auditors named by their body; commands with no
 * line break inside a token (a token longer than the line alone on its line, smaller); the QR code decoding to the
 * verify URL; and a PDF made in well under 300 ms.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import decodeQR from "qr/decode.js";

import { buildCertificate, type CertificateModel } from "../../core/documents/certificate.ts";
import { certificateDocument } from "../../core/documents/certificate-content.ts";
import { certificateHtml, certificatePdf } from "../../core/documents/certificate-render.ts";
import { commandTokens } from "../../core/documents/wrap.ts";
import { ADMIN, certificateReads, OPERATOR_NAME, verificationFixture } from "./certificate-fixture.ts";

const VERIFICATION = verificationFixture("retirement-1");
const REVERSED = verificationFixture("retirement-2.reversed");
const BASE_URL = "https://registry.example:8443/itec";
const VERIFY_URL = `${BASE_URL}/verify/retirements/1`;
/** Longer than a whole line of a command in the PDF: it must stand alone on its line, never be cut. */
const LONG_RPC_URL = `https://rpc.registry-operator.example:8545/v1/${"itec-mainnet-archive-node-".repeat(5)}eu-west`;
const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 36;

const certificate = (
  v: unknown,
  options: { url?: string | null; rpcUrl?: string; operatorName?: string | null } = {},
) =>
  buildCertificate(certificateReads(v, { operatorName: options.operatorName }), 1n, {
    verifyBaseUrl: options.url === undefined ? BASE_URL : options.url,
    rpcUrl: options.rpcUrl ?? "http://127.0.0.1:8545",
  });

const normalise = (s: string) => s.replace(/\s+/g, " ").trim();
/** Text compared without any whitespace: where a line wraps is the layout's business, not the content's. */
const squeeze = (s: string) => s.replace(/\s+/g, "");
const htmlText = (html: string) =>
  html
    .replace(/<br>/g, "\n")
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

interface Word {
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** The PDF as poppler reads it: pages rendered to PNG, its text, its words with their boxes, the page size. */
class Rendered {
  readonly dir = mkdtempSync(join(tmpdir(), "itec-certificate-page-"));
  readonly pdf: string;
  constructor(bytes: Buffer) {
    this.pdf = join(this.dir, "certificate.pdf");
    writeFileSync(this.pdf, bytes);
  }
  pngPages(): string[] {
    execFileSync("pdftoppm", ["-png", "-r", "40", this.pdf, join(this.dir, "page")]);
    return readdirSync(this.dir).filter((f) => /^page-\d+\.png$/.test(f));
  }
  /** Text in reading order, a column at a time. */
  text(): string {
    return execFileSync("pdftotext", ["-enc", "UTF-8", this.pdf, "-"], { encoding: "utf8" });
  }
  /** Text as laid out: a label and its value on one line. */
  layout(): string {
    return execFileSync("pdftotext", ["-layout", "-enc", "UTF-8", this.pdf, "-"], { encoding: "utf8" });
  }
  /** Text in content-stream order: each line the PDF drew stays one line. */
  raw(): string[] {
    return execFileSync("pdftotext", ["-raw", "-enc", "UTF-8", this.pdf, "-"], { encoding: "utf8" }).split("\n");
  }
  words(): { page: { width: number; height: number }; words: Word[] } {
    const html = execFileSync("pdftotext", ["-bbox", "-enc", "UTF-8", this.pdf, "-"], { encoding: "utf8" });
    const page = /<page width="([\d.]+)" height="([\d.]+)"/.exec(html)!;
    const words = [
      ...html.matchAll(/<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)<\/word>/g),
    ].map((w) => ({ xMin: +w[1]!, yMin: +w[2]!, xMax: +w[3]!, yMax: +w[4]!, text: w[5]! }));
    return { page: { width: +page[1]!, height: +page[2]! }, words };
  }
  /** Page 1 in grey levels (pdftoppm's PGM), as the RGB pixels the QR decoder reads. */
  pixels(dpi: number): { width: number; height: number; data: Uint8Array } {
    const pgm = execFileSync("pdftoppm", ["-gray", "-r", String(dpi), "-f", "1", "-l", "1", this.pdf], {
      maxBuffer: 64 << 20,
    });
    const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.toString("latin1", 0, 40))!;
    const [width, height] = [Number(header[1]), Number(header[2])];
    const grey = pgm.subarray(header[0].length);
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) data.fill(grey[i]!, 3 * i, 3 * i + 3);
    return { width, height, data };
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe("Retirement certificate page (PDF and HTML)", function () {
  let m: CertificateModel;
  let page: Rendered;
  before(async function () {
    execFileSync("pdftoppm", ["-v"], { stdio: "ignore" }); // poppler-utils must be installed (see .ci/run)
    m = await certificate(VERIFICATION, { rpcUrl: LONG_RPC_URL });
    page = new Rendered(await certificatePdf(m));
  });
  after(() => page?.remove());

  describe("certificatePdf", function () {
    it("is one A4 page, with no text outside the page box", function () {
      expect(page.pngPages()).to.have.length(1);
      const { page: box, words } = page.words();
      // Math.abs, not chai's closeTo: Hardhat's chai matchers take closeTo over for bigints and refuse 595.28.
      expect(Math.abs(box.width - A4.width)).to.be.below(0.5);
      expect(Math.abs(box.height - A4.height)).to.be.below(0.5);
      expect(words.length).to.be.greaterThan(300);
      const outside = words.filter((w) => w.xMin < 0 || w.yMin < 0 || w.xMax > box.width || w.yMax > box.height);
      expect(outside).to.deep.equal([]);
      // Inside the margins too: nothing cut off by a printer.
      const outsideMargins = words.filter(
        (w) =>
          w.xMin < MARGIN - 1 ||
          w.yMin < MARGIN - 1 ||
          w.xMax > box.width - MARGIN + 1 ||
          w.yMax > box.height - MARGIN + 1,
      );
      expect(outsideMargins.map((w) => w.text)).to.deep.equal([]);
    });

    it("uses the page: text runs down to the bottom margin, with no blank band taller than 4 % of the page", function () {
      const { page: box, words } = page.words();
      const lowest = Math.max(...words.map((w) => w.yMax));
      expect(lowest, "the last line's bottom").to.be.greaterThan(box.height - MARGIN - 0.06 * box.height);
      // The largest vertical gap between lines of text (the QR code sits beside the header's text).
      const lines = [...new Set(words.map((w) => Math.round(w.yMin)))].sort((a, b) => a - b);
      const bottoms = new Map<number, number>();
      for (const w of words) {
        const k = Math.round(w.yMin);
        bottoms.set(k, Math.max(bottoms.get(k) ?? 0, w.yMax));
      }
      const gaps = lines.slice(1).map((y, i) => y - bottoms.get(lines[i]!)!);
      expect(Math.max(...gaps), "largest blank band (pt)").to.be.lessThan(0.04 * box.height);
    });

    it("names the registry, its operator, the issue date and the certificate id", function () {
      const text = normalise(page.layout());
      for (const expected of [
        "I-TEC Registry v2, registry contract 0x5FbDB2315678afecb367f032d93F642f64180aa3 on chain 1337",
        `${OPERATOR_NAME} (${ADMIN}), the registry's admin`,
        "Issue date 2026-12-02 01:00:33 UTC (block 16, the retirement)",
        "Certificate id Retirement #1",
        "5 I-TEC of batch #1 (ERC-1155 token id 1",
        `Verify at ${VERIFY_URL}`,
      ]) {
        expect(text).to.include(expected);
      }
    });

    it("names each auditor by its body first, its address after", function () {
      const text = normalise(page.text());
      expect(text).to.include("Audit Body A (auditor 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC)");
      expect(text).to.include("Audit Body B (auditor 0x90F79bf6EB2c4f870365E785982E1f101E93b906)");
    });

    it("prints each command with no line break inside a token; a token wider than the line alone on its line, smaller", function () {
      const raw = page.raw().map(normalise);
      /** The command's tokens as printed from line `start` on, each line whole tokens in order; null if not. */
      const printed = (start: number, tokens: string[]) => {
        const words: string[] = [];
        for (let i = start; words.length < tokens.length && i < raw.length; i++) {
          const line = raw[i]!.split(" ");
          if (line.some((w, k) => w !== tokens[words.length + k])) return null;
          words.push(...line);
        }
        return words;
      };
      for (const command of certificateDocument(m).verify.commands) {
        const tokens = commandTokens(command);
        const found = raw.map((_, i) => printed(i, tokens)).filter((w) => w !== null);
        expect(found, command).to.deep.equal([tokens]);
      }
      // The overlong RPC URL is on a line of its own, in a smaller size than the command's other lines.
      const { words } = page.words();
      const url = words.filter((w) => w.text === LONG_RPC_URL);
      const cast = words.find((w) => w.text === "cast")!;
      expect(url).to.have.length(3);
      for (const u of url) {
        expect(u.yMax - u.yMin).to.be.lessThan(cast.yMax - cast.yMin);
        expect(words.filter((w) => Math.abs(w.yMin - u.yMin) < 1 && w !== u)).to.deep.equal([]);
      }
    });

    it("draws a QR code that decodes to the verify URL", function () {
      expect(decodeQR(page.pixels(150))).to.equal(VERIFY_URL);
    });

    it("has no QR code, and no verify URL, when no registry URL is known", async function () {
      const unlinked = new Rendered(await certificatePdf(await certificate(VERIFICATION, { url: null })));
      try {
        expect(() => decodeQR(unlinked.pixels(150))).to.throw();
        expect(normalise(unlinked.layout())).to.include(
          "Verify at no public URL of the registry is known: verify on the chain (below)",
        );
      } finally {
        unlinked.remove();
      }
    });

    it("says when the register has no name for the registry's admin", async function () {
      const unnamed = new Rendered(await certificatePdf(await certificate(VERIFICATION, { operatorName: null })));
      try {
        expect(normalise(unnamed.layout())).to.include(
          `Registry operator ${ADMIN}, the registry's admin (no organisation name on the register)`,
        );
      } finally {
        unnamed.remove();
      }
    });

    it("fits a reversed claim's longer texts on one page too", async function () {
      const reversed = new Rendered(await certificatePdf(await certificate(REVERSED, { rpcUrl: LONG_RPC_URL })));
      try {
        expect(reversed.pngPages()).to.have.length(1);
        expect(normalise(reversed.text())).to.include("REVERSED — batch #1 was found wrong and reversed");
      } finally {
        reversed.remove();
      }
    });

    it("is made in a median of at most 300 ms (20 renders)", async function () {
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        await certificatePdf(m);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      expect((times[9]! + times[10]!) / 2).to.be.at.most(300);
    });
  });

  describe("one content model, two renderings", function () {
    for (const [name, fixture] of [
      ["verified", VERIFICATION],
      ["reversed", REVERSED],
    ] as const) {
      it(`shows every field of the ${name} certificate in the PDF and in the HTML`, async function () {
        const model = await certificate(fixture);
        const d = certificateDocument(model);
        const rendered = new Rendered(await certificatePdf(model));
        try {
          const pdf = squeeze(rendered.text());
          const html = squeeze(htmlText(certificateHtml(model)));
          const fields = [
            d.title,
            d.subtitle,
            d.verdict.summary,
            d.verdict.headline,
            ...[...d.issuer, ...d.sections.flatMap((s) => s.rows)].flatMap((r) => [r.label, r.value]),
            ...d.sections.map((s) => s.heading),
            d.verify.intro,
            ...d.verify.commands,
            d.verify.claimHash,
            d.statement,
          ];
          expect(fields.length).to.be.greaterThan(70);
          for (const field of fields) {
            expect(pdf, `PDF: ${field}`).to.include(squeeze(field));
            expect(html, `HTML: ${field}`).to.include(squeeze(field));
          }
        } finally {
          rendered.remove();
        }
      });
    }

    it("embeds the QR code of the verify URL in the HTML as an inline SVG", function () {
      const html = certificateHtml(m);
      expect(html).to.match(/<figure class="qr"><svg class="qr" [^>]*role="img" aria-label="QR code of [^"]+"/);
      expect(html).to.include(`<title>QR code of ${VERIFY_URL}</title>`);
    });
  });
});
