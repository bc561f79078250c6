/** The Scope 3 report's chart: intensity by year as SVG, and its PNG rasterisation with the shipped fonts. */
import { CHART_FONT_FAMILY, fontPath } from "./fonts.ts";
import { esc } from "./html-escape.ts";
import type { Scope3Report } from "./scope3-types.ts";

/** The title line's width in px at 16 px bold; a longer name ends in "…". */
const TITLE_WIDTH = 680;
/** A generous width per character at 16 px bold: wide (CJK, Hangul, emoji) and others. */
const charWidth = (c: string) => (c.codePointAt(0)! >= 0x1100 ? 16.5 : 11);

/** The chart's title: the organisation's registered name, else its full address — never a cut address. */
export function chartTitle(r: Scope3Report): string {
  const name = r.accountName?.trim();
  if (!name) return r.account;
  const chars = [...name];
  let width = 0;
  for (let i = 0; i < chars.length; i++) {
    width += charWidth(chars[i]!);
    if (width > TITLE_WIDTH) return `${chars.slice(0, i - 1).join("")}…`;
  }
  return name;
}

/** Grouped bars of total intensity by year: inventory vs certificate-adjusted (kgCO2e per device). */
export function scope3ChartSvg(r: Scope3Report): string {
  const W = 720;
  const H = 380;
  const left = 70;
  const bottom = 50;
  const top = 86;
  const plotH = H - top - bottom;
  const data = r.yearOnYear;
  const max = Math.max(
    1,
    ...data.flatMap((d) => [Number(d.inventoryIntensityKgPerDevice), Number(d.adjustedIntensityKgPerDevice)]),
  );
  const niceMax = Math.ceil(max / 10 ** Math.floor(Math.log10(max))) * 10 ** Math.floor(Math.log10(max));
  const groupW = (W - left - 30) / Math.max(1, data.length);
  const barW = Math.min(60, groupW / 3);
  const y = (v: number) => top + plotH - (v / niceMax) * plotH;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * niceMax);
  const bars = data
    .map((d, i) => {
      const x = left + i * groupW + groupW / 2 - barW - 2;
      const inv = Number(d.inventoryIntensityKgPerDevice);
      const adj = Number(d.adjustedIntensityKgPerDevice);
      return `<rect x="${x}" y="${y(inv)}" width="${barW}" height="${top + plotH - y(inv)}" fill="#95a5a6"/>
<rect x="${x + barW + 4}" y="${y(adj)}" width="${barW}" height="${top + plotH - y(adj)}" fill="#1e8449"/>
<text x="${x + barW / 2}" y="${y(inv) - 5}" font-size="11" text-anchor="middle">${inv.toFixed(1)}</text>
<text x="${x + barW * 1.5 + 4}" y="${y(adj) - 5}" font-size="11" text-anchor="middle">${adj.toFixed(1)}</text>
<text x="${x + barW + 2}" y="${H - bottom + 18}" font-size="13" text-anchor="middle">${d.year}</text>`;
    })
    .join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${CHART_FONT_FAMILY}, sans-serif">
<rect width="${W}" height="${H}" fill="#ffffff"/>
<text x="20" y="26" font-size="16" font-weight="bold">${esc(chartTitle(r))}</text>
<text x="20" y="46" font-size="12" fill="#5d6d7e">Scope 3 IT procurement intensity, kgCO2e per device, by year</text>
${ticks.map((t) => `<line x1="${left}" x2="${W - 20}" y1="${y(t)}" y2="${y(t)}" stroke="#e5e8e8"/><text x="${left - 8}" y="${y(t) + 4}" font-size="11" text-anchor="end">${t.toFixed(0)}</text>`).join("\n")}
<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#17202a"/>
<line x1="${left}" x2="${W - 20}" y1="${top + plotH}" y2="${top + plotH}" stroke="#17202a"/>
${bars}
<rect x="20" y="58" width="12" height="12" fill="#95a5a6"/><text x="37" y="68" font-size="12">inventory-based</text>
<rect x="150" y="58" width="12" height="12" fill="#1e8449"/><text x="167" y="68" font-size="12">certificate-adjusted</text>
</svg>`;
}

/** Rasterises an SVG to PNG (resvg) with the fonts shipped in data/fonts only — never the machine's fonts. */
export async function svgToPng(svg: string): Promise<Buffer> {
  const { Resvg } = await import("@resvg/resvg-js");
  const resvg = new Resvg(svg, {
    font: {
      loadSystemFonts: false,
      fontFiles: [fontPath("sans"), fontPath("bold")],
      defaultFontFamily: CHART_FONT_FAMILY,
      sansSerifFamily: CHART_FONT_FAMILY,
    },
  });
  return resvg.render().asPng();
}
