/**
 * A table in a pdfkit document: fixed column widths, cells wrapped within their column, each row's height measured
 * before it is drawn so a row never straddles a page — a table that runs over the page continues on the next one
 * under its header again. Text goes through the PdfWriter (the shipped fonts), so names print as on the chain.
 */
import { fontBytes, type FontKey } from "./fonts.ts";
import type { PdfWriter } from "./pdf-writer.ts";

export interface PdfColumn {
  header: string;
  width: number;
  align?: "left" | "right";
}

export interface PdfRow {
  cells: string[];
  bold?: boolean;
  /** A background for subtotal and total rows. */
  fill?: string;
  /** Text colour per cell (e.g. a criterion not met), else the body colour. */
  colors?: (string | undefined)[];
}

const GAP = 4;
const PAD = 1.6;
const TEXT = "#17202a";
const registered = new WeakMap<PDFKit.PDFDocument, Set<FontKey>>();

/** Height of `text` in `font` at `size` within `width` (measured with the font the writer draws it in). */
export function measure(doc: PDFKit.PDFDocument, text: string, font: FontKey, size: number, width: number): number {
  const fonts = registered.get(doc) ?? new Set<FontKey>();
  if (!fonts.has(font)) {
    doc.registerFont(font, fontBytes(font));
    fonts.add(font);
    registered.set(doc, fonts);
  }
  doc.font(font).fontSize(size);
  return text === "" ? doc.currentLineHeight(true) : doc.heightOfString(text, { width });
}

/** Moves to a new page unless `height` more points fit above the bottom margin. */
export function keepSpace(doc: PDFKit.PDFDocument, height: number): void {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

/**
 * Draws `rows` under a header row at the left margin, in `size` pt; `title` (a bold line above) is kept on the page
 * with the header and the first row.
 */
export function pdfTable(
  w: PdfWriter,
  columns: readonly PdfColumn[],
  rows: readonly PdfRow[],
  options: { size?: number; title?: string } = {},
): void {
  const doc = w.doc;
  const size = options.size ?? 7;
  const x0 = doc.page.margins.left;
  const total = columns.reduce((s, c) => s + c.width, 0) + GAP * (columns.length - 1);
  const heightOf = (cells: readonly string[], font: FontKey) =>
    Math.max(...cells.map((c, i) => measure(doc, c, font, size, columns[i]!.width))) + 2 * PAD;

  const draw = (row: PdfRow, font: FontKey) => {
    const h = heightOf(row.cells, font);
    const y = doc.y;
    if (row.fill) doc.rect(x0, y, total, h).fill(row.fill);
    let x = x0;
    row.cells.forEach((cell, i) => {
      const col = columns[i]!;
      doc.fillColor(row.colors?.[i] ?? TEXT);
      w.text(cell, font, size, { x, y: y + PAD, width: col.width, align: col.align ?? "left" });
      x += col.width + GAP;
    });
    doc.fillColor(TEXT);
    doc
      .moveTo(x0, y + h)
      .lineTo(x0 + total, y + h)
      .lineWidth(0.4)
      .strokeColor(font === "bold" ? "#839192" : "#e5e8e8")
      .stroke();
    doc.x = x0;
    doc.y = y + h;
  };
  const header: PdfRow = { cells: columns.map((c) => c.header) };
  const headerHeight = heightOf(header.cells, "bold");
  const first = rows[0] ? heightOf(rows[0].cells, rows[0].bold ? "bold" : "sans") : 0;
  const titleHeight = options.title ? measure(doc, options.title, "bold", 9.5, total) + 4 : 0;
  keepSpace(doc, titleHeight + headerHeight + first);
  if (options.title) {
    w.text(options.title, "bold", 9.5, { x: x0, y: doc.y, width: total });
    doc.y += 2;
  }
  draw(header, "bold");
  for (const row of rows) {
    const font: FontKey = row.bold ? "bold" : "sans";
    if (doc.y + heightOf(row.cells, font) > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      draw(header, "bold");
    }
    draw(row, font);
  }
  doc.x = x0;
}
