/**
 * A4 PDFs for the documents (pdfkit), written in the fonts shipped in data/fonts: the writer that picks a font per
 * piece of text, and a new document whose bytes are collected.
 */
import PDFDocument from "pdfkit";

import { fontBytes, fontRuns, type FontKey } from "./fonts.ts";
import { wrapTokens } from "./wrap.ts";

type TextOptions = PDFKit.Mixins.TextOptions & { x?: number; y?: number };

/**
 * Writes text into a pdfkit document in the fonts shipped in data/fonts (never PDF's built-in fonts, which only
 * speak WinAnsi): each piece in the first font that has its glyphs, so every character of a claim prints as itself.
 * Remembers whether some character had to be printed as its code point (`missing`).
 */
export class PdfWriter {
  missing = false;
  readonly #registered = new Set<FontKey>();
  readonly doc: PDFKit.PDFDocument;
  constructor(doc: PDFKit.PDFDocument) {
    this.doc = doc;
  }

  #use(font: FontKey): void {
    if (!this.#registered.has(font)) {
      this.doc.registerFont(font, fontBytes(font));
      this.#registered.add(font);
    }
    this.doc.font(font);
  }

  /** `text` in the style `font` at `size`; with x/y it starts there, else where the last text ended. */
  text(text: string, font: FontKey, size: number, options: TextOptions = {}): this {
    const { x, y, ...rest } = options;
    const runs = fontRuns(text, font);
    if (runs.length === 0) runs.push({ font, text: "", missing: false });
    this.doc.fontSize(size);
    runs.forEach((run, i) => {
      if (run.missing) this.missing = true;
      this.#use(run.font);
      const o = { ...rest, continued: i < runs.length - 1 || rest.continued === true };
      if (i === 0 && x !== undefined) this.doc.text(run.text, x, y, o);
      else this.doc.text(run.text, o);
    });
    return this;
  }

  /**
   * A command at (x, current y), `width` wide: lines end only between its tokens (see wrap.ts — pdfkit's own
   * wrapping would break `--rpc-url` at its hyphens), continuation lines indented by two characters.
   */
  command(text: string, font: FontKey, size: number, x: number, width: number): this {
    this.#use(font);
    this.doc.fontSize(size);
    const indent = this.doc.widthOfString("  ");
    const lines = wrapTokens(text, { first: width, rest: width - indent }, (s) => this.doc.widthOfString(s));
    lines.forEach((line, i) => {
      this.text(line, font, size, { x: i === 0 ? x : x + indent, y: this.doc.y, lineBreak: false });
      this.doc.y += this.doc.currentLineHeight(true);
    });
    this.doc.x = x;
    return this;
  }
}

/** A new A4 PDF document, its writer, and its bytes once `doc.end()` is called. */
export function newPdf(info: { Title: string }): { doc: PDFKit.PDFDocument; w: PdfWriter; done: Promise<Buffer> } {
  const doc = new PDFDocument({
    size: "A4",
    margin: 40,
    compress: false,
    info: { ...info, Creator: "I-TEC Registry" },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
  return { doc, w: new PdfWriter(doc), done };
}
