/**
 * The certificate's QR code of its verify URL, as a module matrix (the PDF draws it as filled squares) and as a
 * compact inline SVG (the HTML). Medium error correction: a printed and rescanned page still reads, at a symbol
 * small enough for a corner of A4. The quiet zone is left to the page: both renderings draw dark modules only.
 */
import encodeQR from "qr";

import { esc } from "./html-escape.ts";

/** The QR symbol of `text`: `true` for a dark module, rows top to bottom, without any border. */
export function qrMatrix(text: string): boolean[][] {
  // The encoder requires a border of at least one module; it is sliced off here.
  const bordered = encodeQR(text, "raw", { ecc: "medium", border: 1 });
  return bordered.slice(1, -1).map((row) => row.slice(1, -1));
}

/** Each row's runs of dark modules, as [row, first column, length]. */
export function darkRuns(matrix: readonly (readonly boolean[])[]): [number, number, number][] {
  const runs: [number, number, number][] = [];
  matrix.forEach((row, y) => {
    let x = 0;
    while (x < row.length) {
      if (!row[x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < row.length && row[x]) x++;
      runs.push([y, start, x - start]);
    }
  });
  return runs;
}

/**
 * `text` as an inline SVG QR code: one path of horizontal runs, a four-module quiet zone inside the view box, a
 * title naming what it encodes (`label`).
 */
export function qrSvg(text: string, label: string): string {
  const matrix = qrMatrix(text);
  const size = matrix.length + 8;
  const d = darkRuns(matrix)
    .map(([y, x, n]) => `M${x + 4} ${y + 4}h${n}v1h-${n}z`)
    .join("");
  const escaped = esc(label);
  return (
    `<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" role="img" ` +
    `aria-label="${escaped}" shape-rendering="crispEdges"><title>${escaped}</title>` +
    `<rect width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${d}"/></svg>`
  );
}
