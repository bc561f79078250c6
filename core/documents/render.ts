/**
 * Renderings of the two documents corporates hand to auditors and disclosure platforms: the retirement
 * certificate (HTML, one-page PDF) and the Scope 3 certificate-adjusted intensity report (JSON is the object
 * itself; CSV, HTML, PDF, and an SVG/PNG chart of intensity by year).
 */
import PDFDocument from "pdfkit";

import { certificateSections, type CertificateModel } from "./certificate.ts";
import { CHART_FONT_FAMILY, fontBytes, fontPath, fontRuns, MISSING_GLYPHS_NOTE, type FontKey } from "./fonts.ts";
import { commandTokens, wrapTokens } from "./wrap.ts";
import { SCOPE3_CATEGORY_NAMES, type InventoryRowReport, type Scope3Report } from "./scope3.ts";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

type TextOptions = PDFKit.Mixins.TextOptions & { x?: number; y?: number };

/**
 * Writes text into a pdfkit document in the fonts shipped in data/fonts (never PDF's built-in fonts, which only
 * speak WinAnsi): each piece in the first font that has its glyphs, so every character of a claim prints as itself.
 * Remembers whether some character had to be printed as its code point (`missing`).
 */
class PdfWriter {
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

function newPdf(info: { Title: string }): { doc: PDFKit.PDFDocument; w: PdfWriter; done: Promise<Buffer> } {
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

// ------------------------------------------------------------------------------------------------------------------
// Retirement certificate
// ------------------------------------------------------------------------------------------------------------------

/**
 * Long hashes and addresses wrap anywhere only when they must (`overflow-wrap:anywhere`); a command (`.cmd`) wraps
 * only between its tokens (each an inline-block, cut inside only when it alone is wider than the line) with a
 * hanging indent; the page has side padding on a phone, and fits an A4 page in print.
 */
const CERTIFICATE_CSS =
  "*{box-sizing:border-box}body{font:14px/1.45 system-ui,sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem;color:#17202a;overflow-wrap:anywhere}" +
  "h1{margin:0}h2{font-size:1.05rem;border-bottom:1px solid #d5dbdb;padding-bottom:.2rem}" +
  "table{border-collapse:collapse;width:100%}th{text-align:left;width:34%;color:#5d6d7e;vertical-align:top;padding:.15rem .5rem .15rem 0}td{vertical-align:top}" +
  ".v{padding:.6rem 1rem;border-left:6px solid;background:#f8f9f9}" +
  "code{font:12px/1.5 ui-monospace,monospace}" +
  ".cmd{display:block;white-space:pre-wrap;padding:.4rem .6rem .4rem 2.6ch;text-indent:-2ch;background:#f4f6f6;border-radius:4px;margin:.5rem 0}" +
  ".cmd .t{display:inline-block;max-width:100%;text-indent:0;overflow-wrap:anywhere}" +
  "@media (max-width:560px){body{margin:1rem auto}th,td{display:block;width:auto;padding:0}th{padding-top:.35rem}}" +
  "@media print{body{max-width:none;margin:0;padding:0}}";

/** A command as HTML: its tokens as unbreakable pieces, separated by the spaces where a line may end. */
function commandHtml(command: string): string {
  return `<p><code class="cmd">${commandTokens(command)
    .map((t) => `<span class="t">${esc(t)}</span>`)
    .join(" ")}</code></p>`;
}

export function certificateHtml(m: CertificateModel): string {
  const url = m.howToVerify.url;
  const ask = url ? `Open <a href="${esc(url)}">${esc(url)}</a>, or ask` : "Ask";
  const sections = certificateSections(m)
    .map(
      (s) =>
        `<section><h2>${esc(s.heading)}</h2><table>${s.rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table></section>`,
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(m.title)} #${esc(m.retirementId)}</title>
<style>${CERTIFICATE_CSS}.v{border-left-color:${m.verified ? "#1e8449" : "#b03a2e"}}</style></head><body>
<h1>${esc(m.title)} #${esc(m.retirementId)}</h1><p>${esc(m.subtitle)}</p>
<p class="v"><b>${esc(m.claim.amount)} I-TEC retired for ${esc(m.claim.beneficiaryName ?? "—")}</b> — ${esc(m.totals.reductionKgClaimed)} kgCO2e verified reduction
(${esc(m.batch.reductionKgPerDevice)} kgCO2e per device × ${esc(m.claim.amount)} devices), reporting period ${esc(m.claim.periodStart.slice(0, 10))} to ${esc(m.claim.periodEnd.slice(0, 10))}.</p>
${sections}
<section><h2>Verify independently</h2><p>${ask} any node of the chain:</p>
${commandHtml(m.howToVerify.cast)}
${commandHtml(m.howToVerify.jsonRpc)}
<p>${esc(m.howToVerify.claimHash)}.</p></section>
<p><small>${esc(m.statement)}</small></p></body></html>`;
}

/** A one-page A4 PDF of the certificate. */
export function certificatePdf(m: CertificateModel): Promise<Buffer> {
  const { doc, w, done } = newPdf({ Title: `${m.title} #${m.retirementId}` });
  const width = doc.page.width - 80;
  w.text(`${m.title} #${m.retirementId}`, "bold", 17);
  doc.fillColor("#5d6d7e");
  w.text(m.subtitle, "sans", 8);
  doc.moveDown(0.4);
  doc.fillColor(m.verified ? "#1e8449" : "#b03a2e");
  w.text(
    `${m.claim.amount} I-TEC retired for ${m.claim.beneficiaryName ?? "—"}: ${m.totals.reductionKgClaimed} kgCO2e verified reduction ` +
      `(${m.batch.reductionKgPerDevice} kgCO2e per device × ${m.claim.amount} devices). ${m.verified ? "Verified on-chain." : "CHECKS FAILED."}`,
    "bold",
    10,
  );
  doc.fillColor("#17202a").moveDown(0.4);
  for (const s of certificateSections(m)) {
    w.text(s.heading, "bold", 9.5);
    doc.moveDown(0.1);
    for (const [k, v] of s.rows) {
      const y = doc.y;
      doc.fillColor("#5d6d7e");
      w.text(k, "sans", 7, { x: 40, y, width: 150 });
      const below = doc.y;
      doc.fillColor("#17202a");
      w.text(v, "sans", 7, { x: 195, y, width: width - 155 });
      doc.x = 40;
      doc.y = Math.max(doc.y, below);
    }
    doc.moveDown(0.4);
  }
  w.text("Verify independently", "bold", 9.5);
  doc.moveDown(0.1);
  w.text(
    m.howToVerify.url
      ? `Verify page: ${m.howToVerify.url} — or ask any node of the chain:`
      : "Ask any node of the chain:",
    "sans",
    7,
  );
  doc.moveDown(0.1);
  w.command(m.howToVerify.cast, "mono", 6, 40, width);
  doc.moveDown(0.2);
  w.command(m.howToVerify.jsonRpc, "mono", 6, 40, width);
  doc.fillColor("#5d6d7e").moveDown(0.3);
  w.text(m.statement, "sans", 6.5);
  if (w.missing) w.text(MISSING_GLYPHS_NOTE, "sans", 6.5);
  doc.end();
  return done;
}

// ------------------------------------------------------------------------------------------------------------------
// Scope 3 report
// ------------------------------------------------------------------------------------------------------------------

const CSV_COLUMNS = [
  "record_type",
  "year",
  "category",
  "devices",
  "inventory_emissions_kgco2e",
  "inventory_intensity_kgco2e_per_device",
  "certificates_applied",
  "reduction_kgco2e",
  "adjusted_emissions_kgco2e",
  "adjusted_intensity_kgco2e_per_device",
  "retirement_id",
  "batch_id",
  "reduction_kgco2e_per_certificate",
  "reason",
  "scope3_category",
  "inventory_row",
  "manufacturer",
  "model",
  "footprint_kgco2e_per_device",
  "footprint_source",
  "reference_tier",
] as const;

/**
 * One tidy CSV for CDP / ESG data teams. Per year: a row per inventory row (its footprint and where it came from),
 * per category, per Scope 3 category (when the inventory gives them), the total, per applied and per unapplied
 * retirement, and per note (a category default used for a missing or unmatched model).
 */
export function scope3Csv(r: Scope3Report): string {
  const rows: Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null>>[] = [];
  for (const y of r.years) {
    for (const i of y.inventory) {
      rows.push({
        record_type: "inventory_row",
        year: y.year,
        category: i.category,
        devices: i.devices,
        inventory_emissions_kgco2e: i.emissionsKg,
        reason: i.detail,
        scope3_category: i.scope3Category,
        inventory_row: i.row,
        manufacturer: i.manufacturer,
        model: i.model,
        footprint_kgco2e_per_device: i.footprintKgPerDevice,
        footprint_source: i.footprintSource,
        reference_tier: i.referenceTier,
      });
    }
    for (const c of y.categories) {
      rows.push({
        record_type: "category",
        year: y.year,
        category: c.category,
        devices: c.devices,
        inventory_emissions_kgco2e: c.inventoryEmissionsKg,
        inventory_intensity_kgco2e_per_device: c.inventoryIntensityKgPerDevice,
        certificates_applied: c.certificatesApplied,
        reduction_kgco2e: c.reductionKg,
        adjusted_emissions_kgco2e: c.adjustedEmissionsKg,
        adjusted_intensity_kgco2e_per_device: c.adjustedIntensityKgPerDevice,
        reason: c.flooredAtZero ? "floored at zero" : "",
        scope3_category: c.scope3Category,
      });
    }
    const figures = (record_type: string, t: (typeof y)["totals"], scope3: number | null) => ({
      record_type,
      year: y.year,
      category: "all",
      devices: t.devices,
      inventory_emissions_kgco2e: t.inventoryEmissionsKg,
      inventory_intensity_kgco2e_per_device: t.inventoryIntensityKgPerDevice,
      certificates_applied: t.certificatesApplied,
      reduction_kgco2e: t.reductionKg,
      adjusted_emissions_kgco2e: t.adjustedEmissionsKg,
      adjusted_intensity_kgco2e_per_device: t.adjustedIntensityKgPerDevice,
      scope3_category: scope3,
    });
    for (const s of y.scope3Subtotals) rows.push(figures("scope3_subtotal", s, s.scope3Category));
    rows.push(figures("total", y.totals, null));
    for (const a of y.applied) {
      rows.push({
        record_type: "certificate_applied",
        year: y.year,
        category: a.category,
        certificates_applied: a.certificates,
        reduction_kgco2e: a.reductionKg,
        retirement_id: a.retirementId,
        batch_id: a.batchId,
        reduction_kgco2e_per_certificate: a.reductionKgPerCertificate,
        scope3_category: a.scope3Category,
      });
    }
    for (const u of y.unapplied) {
      rows.push({
        record_type: "retirement_unapplied",
        year: y.year,
        category: u.category,
        certificates_applied: 0,
        retirement_id: u.retirementId,
        batch_id: u.batchId,
        reason: `${u.reason}: ${u.detail} (${u.certificates} certificates)`,
        scope3_category: u.scope3Category,
      });
    }
    for (const n of y.notes) rows.push({ record_type: "note", year: y.year, reason: n });
  }
  const cell = (v: string | number | null | undefined) => {
    const s = v === undefined || v === null ? "" : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return (
    [CSV_COLUMNS.join(","), ...rows.map((row) => CSV_COLUMNS.map((c) => cell(row[c])).join(","))].join("\n") + "\n"
  );
}

/** Grouped bars of total intensity by year: inventory vs certificate-adjusted (kgCO2e per device). */
export function scope3ChartSvg(r: Scope3Report): string {
  const W = 720;
  const H = 380;
  const left = 70;
  const bottom = 50;
  const top = 66;
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
<text x="${left}" y="24" font-size="15" font-weight="bold">IT procurement intensity, kgCO2e per device — ${esc(r.account.slice(0, 10))}…</text>
${ticks.map((t) => `<line x1="${left}" x2="${W - 20}" y1="${y(t)}" y2="${y(t)}" stroke="#e5e8e8"/><text x="${left - 8}" y="${y(t) + 4}" font-size="11" text-anchor="end">${t.toFixed(0)}</text>`).join("\n")}
<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#17202a"/>
<line x1="${left}" x2="${W - 20}" y1="${top + plotH}" y2="${top + plotH}" stroke="#17202a"/>
${bars}
<rect x="${W - 300}" y="34" width="12" height="12" fill="#95a5a6"/><text x="${W - 283}" y="44" font-size="12">inventory-based</text>
<rect x="${W - 175}" y="34" width="12" height="12" fill="#1e8449"/><text x="${W - 158}" y="44" font-size="12">certificate-adjusted</text>
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

/** "supplier PCF", "registry reference T1", "category default (T3)". */
function footprintLabel(i: InventoryRowReport): string {
  return i.footprintSource === "supplier_pcf"
    ? "supplier PCF"
    : i.footprintSource === "registry_reference"
      ? `registry reference ${i.referenceTier}`
      : `category default (${i.referenceTier})`;
}

const scope3Name = (s: number | null) =>
  s === null ? "" : (SCOPE3_CATEGORY_NAMES[s as 1 | 2] ?? `Scope 3 Category ${s}`);

export function scope3Html(r: Scope3Report, chartSvg = scope3ChartSvg(r)): string {
  const y = r.current;
  const split = y.scope3Subtotals.length > 0;
  const s3Cell = (s: number | null) => (split ? `<td>${s === null ? "" : s}</td>` : "");
  const figures = (t: (typeof y)["totals"]) =>
    `<td>${t.devices}</td><td>${t.inventoryEmissionsKg}</td><td>${t.inventoryIntensityKgPerDevice}</td><td>${t.certificatesApplied}</td><td>${t.reductionKg}</td><td>${t.adjustedEmissionsKg}</td><td>${t.adjustedIntensityKgPerDevice}</td>`;
  const catRows = y.categories
    .map(
      (c) =>
        `<tr>${s3Cell(c.scope3Category)}<td>${c.category}</td><td>${c.devices}</td><td>${c.inventoryEmissionsKg}</td><td>${c.inventoryIntensityKgPerDevice}</td><td>${c.certificatesApplied}</td><td>${c.reductionKg}</td><td>${c.adjustedEmissionsKg}${c.flooredAtZero ? " (floored)" : ""}</td><td>${c.adjustedIntensityKgPerDevice}</td><td>${esc(c.pcfSources.join("; "))}</td></tr>`,
    )
    .join("");
  const subtotalRows = y.scope3Subtotals
    .map((s) => `<tr><th>${s.scope3Category}</th><th>subtotal</th>${figures(s)}<th></th></tr>`)
    .join("");
  const t = y.totals;
  const inventoryRows = y.inventory
    .map(
      (i) =>
        `<tr><td>${esc(i.row)}</td>${s3Cell(i.scope3Category)}<td>${i.category}</td><td>${i.devices}</td><td>${esc(i.manufacturer ?? "")}</td><td>${esc(i.model ?? "")}</td><td>${i.footprintKgPerDevice}</td><td>${i.emissionsKg}</td><td>${footprintLabel(i)}</td><td>${esc(i.detail)}</td></tr>`,
    )
    .join("");
  const s3Head = split ? "<th>Scope 3 cat.</th>" : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Scope 3 IT procurement intensity ${r.reportingYear}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1000px;margin:2rem auto;color:#17202a}table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border-bottom:1px solid #e5e8e8;padding:.25rem .4rem;text-align:right}th:first-child,td:first-child{text-align:left}.notes li{color:#935116}</style></head><body>
<h1>Scope 3 certificate-adjusted IT procurement intensity — ${r.reportingYear}</h1>
<p>Account ${esc(r.account)}. Units: ${esc(r.unit)}.</p>
${r.notes.length ? `<h2>Notes</h2><ul class="notes">${r.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : ""}
<table><tr>${s3Head}<th>category</th><th>devices</th><th>inventory kgCO2e</th><th>kgCO2e/device</th><th>I-TECs applied</th><th>reduction kgCO2e</th><th>adjusted kgCO2e</th><th>adjusted kgCO2e/device</th><th>PCF source</th></tr>${catRows}
${subtotalRows}<tr>${split ? "<th></th>" : ""}<th>total</th>${figures(t).replace(/td>/g, "th>")}<th></th></tr></table>
${split ? `<p>Scope 3 categories: ${[1, 2].map((s) => `${s} = ${esc(scope3Name(s))}`).join("; ")}.</p>` : ""}
<h2>Inventory rows and footprint sources</h2><table><tr><th>row</th>${s3Head}<th>category</th><th>devices</th><th>manufacturer</th><th>model</th><th>kgCO2e/device</th><th>kgCO2e</th><th>source</th><th>detail</th></tr>
${inventoryRows}</table>
<h2>Certificates applied</h2><table><tr><th>retirement</th><th>batch</th><th>category</th><th>Scope 3 cat.</th><th>I-TECs</th><th>V̄ kgCO2e</th><th>reduction kgCO2e</th></tr>
${y.applied.map((a) => `<tr><td>#${a.retirementId}</td><td>#${a.batchId}</td><td>${a.category}</td><td>${a.scope3Category}</td><td>${a.certificates}</td><td>${a.reductionKgPerCertificate}</td><td>${a.reductionKg}</td></tr>`).join("")}</table>
<h2>Retirements not applied</h2><table><tr><th>retirement</th><th>batch</th><th>category</th><th>Scope 3 cat.</th><th>I-TECs</th><th>reason</th></tr>
${y.unapplied.map((u) => `<tr><td>#${u.retirementId}</td><td>#${u.batchId}</td><td>${u.category}</td><td>${u.scope3Category}</td><td>${u.certificates}</td><td>${u.reason}: ${esc(u.detail)}</td></tr>`).join("") || "<tr><td colspan=6>none</td></tr>"}</table>
<h2>Year on year</h2><table><tr><th>year</th><th>inventory kgCO2e/device</th><th>adjusted kgCO2e/device</th><th>change vs previous year</th></tr>
${r.yearOnYear.map((d) => `<tr><td>${d.year}</td><td>${d.inventoryIntensityKgPerDevice}</td><td>${d.adjustedIntensityKgPerDevice}</td><td>${d.adjustedChangePct === null ? "—" : `${d.adjustedChangePct} %`}</td></tr>`).join("")}</table>
${chartSvg}
<h2>Rules</h2><ul>${r.rules.map((x) => `<li>${esc(x)}</li>`).join("")}</ul></body></html>`;
}

export async function scope3Pdf(r: Scope3Report): Promise<Buffer> {
  const png = await svgToPng(scope3ChartSvg(r));
  const { doc, w, done } = newPdf({ Title: `Scope 3 IT procurement intensity ${r.reportingYear}` });
  const y = r.current;
  const split = y.scope3Subtotals.length > 0;
  w.text(`Scope 3 certificate-adjusted IT procurement intensity — ${r.reportingYear}`, "bold", 14);
  doc.fillColor("#5d6d7e");
  w.text(`Account ${r.account}. Units: ${r.unit}.`, "sans", 7.5);
  doc.fillColor("#17202a").moveDown(0.5);
  const cols = [85, 40, 65, 55, 40, 60, 65, 55];
  const row = (cells: string[], bold = false) => {
    const y0 = doc.y;
    let x = 40;
    let bottom = y0;
    cells.forEach((c, i) => {
      w.text(c, bold ? "bold" : "sans", 7.5, { x, y: y0, width: cols[i]!, align: i === 0 ? "left" : "right" });
      bottom = Math.max(bottom, doc.y);
      x += cols[i]! + 5;
    });
    doc.x = 40;
    doc.y = Math.max(bottom, y0 + 11);
  };
  const figures = (t: (typeof y)["totals"]) => [
    String(t.devices),
    t.inventoryEmissionsKg,
    t.inventoryIntensityKgPerDevice,
    String(t.certificatesApplied),
    t.reductionKg,
    t.adjustedEmissionsKg,
    t.adjustedIntensityKgPerDevice,
  ];
  row(
    ["category", "devices", "inventory kg", "kg/device", "I-TECs", "reduction kg", "adjusted kg", "adj. kg/dev"],
    true,
  );
  for (const c of y.categories) {
    row([
      c.scope3Category === null ? c.category : `${c.category} (cat. ${c.scope3Category})`,
      ...figures(c).slice(0, 5),
      `${c.adjustedEmissionsKg}${c.flooredAtZero ? "*" : ""}`,
      c.adjustedIntensityKgPerDevice,
    ]);
  }
  for (const s of y.scope3Subtotals) row([`Scope 3 cat. ${s.scope3Category}`, ...figures(s)], true);
  row(["total", ...figures(y.totals)], true);
  if (y.categories.some((c) => c.flooredAtZero)) w.text("* floored at zero: emissions are never negative", "sans", 7);
  if (split) w.text(`Scope 3 categories (cat.): ${scope3Name(1)}; ${scope3Name(2)}.`, "sans", 7);

  const heading = (text: string) => {
    doc.moveDown(0.5);
    w.text(text, "bold", 9.5);
  };
  if (r.notes.length) {
    heading("Notes");
    doc.fillColor("#935116");
    for (const n of r.notes) w.text(`- ${n}`, "sans", 7.5);
    doc.fillColor("#17202a");
  }
  heading("Inventory rows and footprint sources");
  for (const i of y.inventory) {
    const what = [i.manufacturer, i.model].filter(Boolean).join(" ");
    const s3 = i.scope3Category === null ? "" : ` (cat. ${i.scope3Category})`;
    w.text(
      `${i.row}: ${i.devices} ${i.category}${s3}${what ? `, ${what}` : ""} — ${i.footprintKgPerDevice} kgCO2e per device ` +
        `from ${footprintLabel(i)}, ${i.emissionsKg} kgCO2e${i.footprintSource === "supplier_pcf" ? "" : ` (${i.detail})`}`,
      "sans",
      7.5,
    );
  }
  heading("Certificates applied");
  for (const a of y.applied)
    w.text(
      `retirement #${a.retirementId}, batch #${a.batchId} (${a.category}, Scope 3 cat. ${a.scope3Category}): ${a.certificates} I-TEC × ${a.reductionKgPerCertificate} kgCO2e (V̄) = ${a.reductionKg} kgCO2e`,
      "sans",
      7.5,
    );
  if (y.applied.length === 0) w.text("none", "sans", 7.5);
  heading("Retirements not applied");
  for (const u of y.unapplied)
    w.text(
      `retirement #${u.retirementId}, batch #${u.batchId} (${u.category}, Scope 3 cat. ${u.scope3Category}), ${u.certificates} I-TEC: ${u.reason} — ${u.detail}`,
      "sans",
      7.5,
    );
  if (y.unapplied.length === 0) w.text("none", "sans", 7.5);
  heading("Year on year");
  for (const d of r.yearOnYear) {
    w.text(
      `${d.year}: inventory ${d.inventoryIntensityKgPerDevice}, certificate-adjusted ${d.adjustedIntensityKgPerDevice} kgCO2e per device${d.adjustedChangePct === null ? "" : ` (${d.adjustedChangePct} % vs previous year)`}`,
      "sans",
      7.5,
    );
  }
  doc.moveDown(0.4);
  if (doc.y + 270 > doc.page.height - 40) doc.addPage();
  doc.image(png, { width: 480 });
  heading("Rules");
  for (const rule of r.rules) w.text(`- ${rule}`, "sans", 7);
  if (w.missing) w.text(MISSING_GLYPHS_NOTE, "sans", 7);
  doc.end();
  return done;
}
