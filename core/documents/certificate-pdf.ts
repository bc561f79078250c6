/**
 * The retirement certificate as a one-page A4 PDF: the header (title, issuer, issue date, certificate id, the QR
 * code of the verify URL), the verdict, the sections, the verification commands and the statement of checks — the
 * content of certificate-content.ts, laid out so that it fills the page. The layout is measured first and every size
 * scaled by one factor, the largest at which everything fits: a normal claim uses the whole page in comfortable
 * sizes, a claim with long texts still fits on it in smaller ones.
 */
import { certificateDocument, type CertificateDocument, type CertificateRow } from "./certificate-content.ts";
import type { CertificateModel } from "./certificate.ts";
import { fontRuns, MISSING_GLYPHS_NOTE } from "./fonts.ts";
import { newPdf, type PdfWriter } from "./pdf-writer.ts";
import { darkRuns, qrMatrix } from "./qr.ts";

const MARGIN = 36;
const INK = "#17202a";
const MUTED = "#5d6d7e";
const RULE = "#d5dbdb";
const PANEL = "#f4f6f6";
const GOOD = "#196f3d";
const BAD = "#b03a2e";

/** Font sizes and spacing (points) at scale 1. */
const BASE = {
  title: 19,
  subtitle: 8,
  row: 8.6,
  mono: 7.9,
  heading: 10.5,
  summary: 10.5,
  headline: 8.8,
  command: 7.4,
  small: 6.8,
  rowGap: 1.6,
  gap: 8,
  label: 132,
  qr: 96,
};
/** The scales tried: above the largest, the header and the hashes outgrow their columns. */
const MIN_SCALE = 0.45;
const MAX_SCALE = 1.2;

/** A one-page A4 PDF of the certificate. */
export function certificatePdf(m: CertificateModel): Promise<Buffer> {
  const d = certificateDocument(m);
  const { doc, w, done } = newPdf({ Title: d.title }, MARGIN);
  const qr = d.verify.url ? qrMatrix(d.verify.url) : null;
  const missing = allText(d).some((t) => fontRuns(t, "sans").some((r) => r.missing));
  // A few points of slack below the measured height: pdfkit starts a new page for a line that crosses the margin.
  const available = doc.page.height - 2 * MARGIN - 4;
  const fits = (s: number) => layout(w, d, qr, missing, s, false) <= available;
  let scale = MAX_SCALE;
  if (!fits(scale)) {
    let [lo, hi] = [MIN_SCALE, MAX_SCALE];
    for (let i = 0; i < 9; i++) {
      const mid = (lo + hi) / 2;
      if (fits(mid)) lo = mid;
      else hi = mid;
    }
    scale = lo;
  }
  layout(w, d, qr, missing, scale, true);
  doc.end();
  return done;
}

/** Every text the page prints (to know beforehand whether a character needs the missing-glyphs note). */
function allText(d: CertificateDocument): string[] {
  const rows = [...d.issuer, ...d.sections.flatMap((s) => s.rows)].flatMap((r) => [r.label, r.value]);
  return [d.title, d.subtitle, d.verdict.summary, d.verdict.headline, ...rows, d.verify.intro, d.statement];
}

/**
 * Lays the certificate out at `scale`, drawing it when `draw`; returns the height used below the top margin. Every
 * step advances by the height it measured, so the measuring pass and the drawing pass agree exactly.
 */
function layout(
  w: PdfWriter,
  d: CertificateDocument,
  qr: boolean[][] | null,
  missing: boolean,
  scale: number,
  draw: boolean,
): number {
  const doc = w.doc;
  const size = (k: keyof typeof BASE) => BASE[k] * scale;
  const left = MARGIN;
  const width = doc.page.width - 2 * MARGIN;
  let y = MARGIN;

  const text = (t: string, font: "sans" | "bold" | "mono", sz: number, x: number, wd: number, color: string) => {
    const h = w.height(t, font, sz, { width: wd });
    if (draw) {
      doc.fillColor(color);
      w.text(t, font, sz, { x, y, width: wd });
    }
    return h;
  };
  const rows = (list: readonly CertificateRow[], x: number, wd: number, labelWidth: number) => {
    for (const r of list) {
      const lh = text(r.label, "sans", size("row"), x, labelWidth - 6, MUTED);
      const font = r.mono ? "mono" : "sans";
      const vh = text(r.value, font, size(r.mono ? "mono" : "row"), x + labelWidth, wd - labelWidth, INK);
      y += Math.max(lh, vh) + size("rowGap");
    }
  };

  // Header: title, issuer rows; the QR code of the verify URL at the top right.
  const qrSize = Math.max(84, size("qr"));
  const headWidth = qr ? width - qrSize - 16 : width;
  y += text(d.title, "bold", size("title"), left, headWidth, INK);
  y += text(d.subtitle, "sans", size("subtitle"), left, headWidth, MUTED) + size("gap") * 0.6;
  rows(d.issuer, left, headWidth, size("label") * 0.78);
  if (qr) {
    const x = left + width - qrSize;
    const module = qrSize / qr.length;
    if (draw) {
      doc.fillColor("#000");
      for (const [row, col, n] of darkRuns(qr)) {
        doc.rect(x + col * module, MARGIN + row * module, n * module, module);
      }
      doc.fill();
    }
    const top = y;
    y = MARGIN + qrSize + 3;
    y += text("Scan to verify", "sans", size("small"), x, qrSize, MUTED);
    y = Math.max(top, y);
  }
  y += size("gap") * 0.6;

  // The verdict, on a panel with a bar in its colour.
  const pad = 6 * scale;
  const inner = width - 2 * pad - 4;
  const boxTop = y;
  const summaryHeight = w.height(d.verdict.summary, "bold", size("summary"), { width: inner });
  const headlineHeight = w.height(d.verdict.headline, "sans", size("headline"), { width: inner });
  const boxHeight = pad * 2 + summaryHeight + 2 * scale + headlineHeight;
  const colour = d.verdict.ok ? GOOD : BAD;
  if (draw) {
    doc.rect(left, boxTop, width, boxHeight).fill(PANEL);
    doc.rect(left, boxTop, 4, boxHeight).fill(colour);
  }
  y += pad;
  y += text(d.verdict.summary, "bold", size("summary"), left + 4 + pad, inner, colour) + 2 * scale;
  y += text(d.verdict.headline, "sans", size("headline"), left + 4 + pad, inner, INK);
  y = boxTop + boxHeight + size("gap");

  const heading = (h: string) => {
    y += text(h, "bold", size("heading"), left, width, INK) + 1;
    if (draw)
      doc
        .moveTo(left, y)
        .lineTo(left + width, y)
        .lineWidth(0.5)
        .strokeColor(RULE)
        .stroke();
    y += 2.5 * scale;
  };
  for (const s of d.sections) {
    heading(s.heading);
    rows(s.rows, left, width, size("label"));
    y += size("gap") * 0.7;
  }

  // How to verify without the registry: the commands print whole, wrapped only between their tokens.
  heading("Verify independently");
  y += text(d.verify.intro, "sans", size("row"), left, width, INK) + 2 * scale;
  for (const command of d.verify.commands) {
    const lines = w.commandLines(command, "mono", size("command"), width - 2 * pad);
    const height = lines.reduce((sum, l) => sum + l.height, 0) + pad;
    if (draw) {
      doc.rect(left, y, width, height).fill(PANEL);
      doc.fillColor(INK);
      w.writeLines(lines, "mono", left + pad, y + pad / 2);
    }
    y += height + 2.5 * scale;
  }
  y += text(d.verify.claimHash, "sans", size("small"), left, width, INK) + size("gap") * 0.6;

  // Footer: the statement of checks, with the block the figures were read at.
  y += text(d.statement, "sans", size("small"), left, width, MUTED);
  if (missing) y += text(MISSING_GLYPHS_NOTE, "sans", size("small"), left, width, MUTED);
  return y - MARGIN;
}
