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

  /** The height `text` takes when written in the style `font` at `size` with `options` (its width above all). */
  height(text: string, font: FontKey, size: number, options: TextOptions = {}): number {
    this.#use(font);
    this.doc.fontSize(size);
    return this.doc.heightOfString(text, options);
  }

  /**
   * A command's lines, `width` wide, in `font` at `size`: lines end only between its tokens (see wrap.ts — pdfkit's
   * own wrapping would break `--rpc-url` at its hyphens), continuation lines indented by two characters, and a token
   * wider than a line alone on its line in a smaller size. Each line with its indent, size and height.
   */
  commandLines(text: string, font: FontKey, size: number, width: number): CommandLine[] {
    this.#use(font);
    this.doc.fontSize(size);
    const indent = this.doc.widthOfString("  ");
    return wrapTokens(text, { first: width, rest: width - indent }, (s) => this.doc.widthOfString(s)).map((line, i) => {
      // Kept a hair below the exact fit, so that rounding never pushes the token past the line's end.
      const lineSize = line.scale < 1 ? size * line.scale * 0.995 : size;
      this.doc.fontSize(lineSize);
      return {
        text: line.text,
        indent: i === 0 ? 0 : indent,
        size: lineSize,
        height: this.doc.currentLineHeight(true),
      };
    });
  }

  /** Writes `lines` (from `commandLines`) from (x, y) down; returns the y below the last. */
  writeLines(lines: readonly CommandLine[], font: FontKey, x: number, y: number): number {
    let top = y;
    for (const line of lines) {
      this.text(line.text, font, line.size, { x: x + line.indent, y: top, lineBreak: false });
      top += line.height;
    }
    this.doc.x = x;
    this.doc.y = top;
    return top;
  }

  /** A command at (x, current y), `width` wide, wrapped as `commandLines` says. */
  command(text: string, font: FontKey, size: number, x: number, width: number): this {
    this.writeLines(this.commandLines(text, font, size, width), font, x, this.doc.y);
    return this;
  }
}

/** A line of a command as the PDF writes it. */
export interface CommandLine {
  text: string;
  /** Points from the command's left edge (continuation lines hang by two characters). */
  indent: number;
  size: number;
  height: number;
}

/** A new A4 PDF document, its writer, and its bytes once `doc.end()` is called. */
export function newPdf(
  info: { Title: string },
  margin = 40,
): { doc: PDFKit.PDFDocument; w: PdfWriter; done: Promise<Buffer> } {
  const doc = new PDFDocument({
    size: "A4",
    margin,
    compress: false,
    info: { ...info, Creator: "I-TEC Registry" },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
  return { doc, w: new PdfWriter(doc), done };
}
