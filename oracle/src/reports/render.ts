/**
 * Renderings of the two documents corporates hand to auditors and disclosure platforms: the retirement
 * certificate (HTML, one-page PDF) and the Scope 3 certificate-adjusted intensity report (JSON is the object
 * itself; CSV, HTML, PDF, and an SVG/PNG chart of intensity by year).
 */
import { existsSync } from "node:fs";

import PDFDocument from "pdfkit";

import { certificateSections, type CertificateModel } from "./certificate.ts";
import type { Scope3Report } from "./scope3.ts";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** PDF standard fonts speak WinAnsi: spell out the few symbols outside it. */
export function pdfSafe(text: string): string {
  return text
    .replace(/B̄/g, "B-bar")
    .replace(/V̄/g, "V-bar")
    .replace(/✓/g, "[ok]")
    .replace(/✗/g, "[FAILED]")
    .replace(/→/g, "->")
    .replace(/CO₂/g, "CO2")
    .replace(/[^\x20-\x7e\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u20ac]/g, "?");
}

// ------------------------------------------------------------------------------------------------------------------
// Retirement certificate
// ------------------------------------------------------------------------------------------------------------------

export function certificateHtml(m: CertificateModel): string {
  const sections = certificateSections(m)
    .map(
      (s) =>
        `<section><h2>${esc(s.heading)}</h2><table>${s.rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table></section>`,
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(m.title)} #${esc(m.retirementId)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:860px;margin:2rem auto;color:#17202a}h1{margin:0}h2{font-size:1.05rem;border-bottom:1px solid #d5dbdb;padding-bottom:.2rem}
th{text-align:left;width:34%;color:#5d6d7e;vertical-align:top;padding:.15rem .5rem .15rem 0}td{word-break:break-all}.v{padding:.6rem 1rem;border-left:6px solid ${m.verified ? "#1e8449" : "#b03a2e"};background:#f8f9f9}
code{font:12px ui-monospace,monospace}</style></head><body>
<h1>${esc(m.title)} #${esc(m.retirementId)}</h1><p>${esc(m.subtitle)}</p>
<p class="v"><b>${esc(m.claim.amount)} I-TEC retired for ${esc(m.claim.beneficiaryName ?? "—")}</b> — ${esc(m.totals.reductionKgClaimed)} kgCO2e verified reduction
(${esc(m.batch.reductionKgPerDevice)} kgCO2e per device × ${esc(m.claim.amount)} devices), reporting period ${esc(m.claim.periodStart.slice(0, 10))} to ${esc(m.claim.periodEnd.slice(0, 10))}.</p>
${sections}
<section><h2>Verify independently</h2><p>Open <a href="${esc(m.howToVerify.url)}">${esc(m.howToVerify.url)}</a>, or ask any node of the chain:</p>
<p><code>${esc(m.howToVerify.cast)}</code></p><p><code>${esc(m.howToVerify.jsonRpc)}</code></p><p>${esc(m.howToVerify.claimHash)}.</p></section>
<p><small>${esc(m.statement)}</small></p></body></html>`;
}

/** A one-page A4 PDF of the certificate. */
export function certificatePdf(m: CertificateModel): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
    margin: 40,
    compress: false,
    info: { Title: `${m.title} #${m.retirementId}`, Creator: "I-TEC Registry" },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
  const width = doc.page.width - 80;
  doc
    .font("Helvetica-Bold")
    .fontSize(17)
    .text(pdfSafe(`${m.title} #${m.retirementId}`));
  doc.font("Helvetica").fontSize(8.5).fillColor("#5d6d7e").text(pdfSafe(m.subtitle)).moveDown(0.4);
  doc
    .fillColor(m.verified ? "#1e8449" : "#b03a2e")
    .font("Helvetica-Bold")
    .fontSize(10.5)
    .text(
      pdfSafe(
        `${m.claim.amount} I-TEC retired for ${m.claim.beneficiaryName ?? "-"}: ${m.totals.reductionKgClaimed} kgCO2e verified reduction ` +
          `(${m.batch.reductionKgPerDevice} kgCO2e per device x ${m.claim.amount} devices). ${m.verified ? "Verified on-chain." : "CHECKS FAILED."}`,
      ),
    )
    .fillColor("#17202a")
    .moveDown(0.4);
  for (const s of certificateSections(m)) {
    doc.font("Helvetica-Bold").fontSize(10).text(pdfSafe(s.heading)).moveDown(0.1);
    for (const [k, v] of s.rows) {
      const y = doc.y;
      doc.font("Helvetica").fontSize(7.5).fillColor("#5d6d7e").text(pdfSafe(k), 40, y, { width: 150 });
      doc.fillColor("#17202a").text(pdfSafe(v), 195, y, { width: width - 155 });
      doc.x = 40;
    }
    doc.moveDown(0.4);
  }
  doc.font("Helvetica-Bold").fontSize(10).text("Verify independently").moveDown(0.1);
  doc
    .font("Helvetica")
    .fontSize(7.5)
    .text(pdfSafe(`Verify page: ${m.howToVerify.url}`));
  doc
    .font("Courier")
    .fontSize(6.5)
    .text(pdfSafe(m.howToVerify.cast))
    .moveDown(0.1)
    .text(pdfSafe(m.howToVerify.jsonRpc));
  doc.font("Helvetica").fontSize(7).fillColor("#5d6d7e").moveDown(0.3).text(pdfSafe(m.statement));
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
] as const;

/** One tidy CSV for CDP / ESG data teams: a row per category and year, per applied and per unapplied retirement. */
export function scope3Csv(r: Scope3Report): string {
  const rows: Record<string, string | number>[] = [];
  for (const y of r.years) {
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
      });
    }
    const t = y.totals;
    rows.push({
      record_type: "total",
      year: y.year,
      category: "all",
      devices: t.devices,
      inventory_emissions_kgco2e: t.inventoryEmissionsKg,
      inventory_intensity_kgco2e_per_device: t.inventoryIntensityKgPerDevice,
      certificates_applied: t.certificatesApplied,
      reduction_kgco2e: t.reductionKg,
      adjusted_emissions_kgco2e: t.adjustedEmissionsKg,
      adjusted_intensity_kgco2e_per_device: t.adjustedIntensityKgPerDevice,
    });
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
      });
    }
  }
  const cell = (v: string | number | undefined) => {
    const s = v === undefined ? "" : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
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
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
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

const FONT_CANDIDATES = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
];

/** Rasterises an SVG to PNG (resvg; uses a system font for labels when one is installed). */
export async function svgToPng(svg: string): Promise<Buffer> {
  const { Resvg } = await import("@resvg/resvg-js");
  const fontFiles = FONT_CANDIDATES.filter((f) => existsSync(f));
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: fontFiles.length === 0, fontFiles, defaultFontFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}

export function scope3Html(r: Scope3Report, chartSvg = scope3ChartSvg(r)): string {
  const y = r.current;
  const catRows = y.categories
    .map(
      (c) =>
        `<tr><td>${c.category}</td><td>${c.devices}</td><td>${c.inventoryEmissionsKg}</td><td>${c.inventoryIntensityKgPerDevice}</td><td>${c.certificatesApplied}</td><td>${c.reductionKg}</td><td>${c.adjustedEmissionsKg}${c.flooredAtZero ? " (floored)" : ""}</td><td>${c.adjustedIntensityKgPerDevice}</td><td>${esc(c.pcfSources.join("; "))}</td></tr>`,
    )
    .join("");
  const t = y.totals;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Scope 3 IT procurement intensity ${r.reportingYear}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1000px;margin:2rem auto;color:#17202a}table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border-bottom:1px solid #e5e8e8;padding:.25rem .4rem;text-align:right}th:first-child,td:first-child{text-align:left}</style></head><body>
<h1>Scope 3 certificate-adjusted IT procurement intensity — ${r.reportingYear}</h1>
<p>Account ${esc(r.account)}. Units: ${esc(r.unit)}.</p>
<table><tr><th>category</th><th>devices</th><th>inventory kgCO2e</th><th>kgCO2e/device</th><th>I-TECs applied</th><th>reduction kgCO2e</th><th>adjusted kgCO2e</th><th>adjusted kgCO2e/device</th><th>PCF source</th></tr>${catRows}
<tr><th>total</th><th>${t.devices}</th><th>${t.inventoryEmissionsKg}</th><th>${t.inventoryIntensityKgPerDevice}</th><th>${t.certificatesApplied}</th><th>${t.reductionKg}</th><th>${t.adjustedEmissionsKg}</th><th>${t.adjustedIntensityKgPerDevice}</th><th></th></tr></table>
<h2>Certificates applied</h2><table><tr><th>retirement</th><th>batch</th><th>category</th><th>I-TECs</th><th>V̄ kgCO2e</th><th>reduction kgCO2e</th></tr>
${y.applied.map((a) => `<tr><td>#${a.retirementId}</td><td>#${a.batchId}</td><td>${a.category}</td><td>${a.certificates}</td><td>${a.reductionKgPerCertificate}</td><td>${a.reductionKg}</td></tr>`).join("")}</table>
<h2>Retirements not applied</h2><table><tr><th>retirement</th><th>batch</th><th>category</th><th>I-TECs</th><th>reason</th></tr>
${y.unapplied.map((u) => `<tr><td>#${u.retirementId}</td><td>#${u.batchId}</td><td>${u.category}</td><td>${u.certificates}</td><td>${u.reason}: ${esc(u.detail)}</td></tr>`).join("") || "<tr><td colspan=5>none</td></tr>"}</table>
<h2>Year on year</h2><table><tr><th>year</th><th>inventory kgCO2e/device</th><th>adjusted kgCO2e/device</th><th>change vs previous year</th></tr>
${r.yearOnYear.map((d) => `<tr><td>${d.year}</td><td>${d.inventoryIntensityKgPerDevice}</td><td>${d.adjustedIntensityKgPerDevice}</td><td>${d.adjustedChangePct === null ? "—" : `${d.adjustedChangePct} %`}</td></tr>`).join("")}</table>
${chartSvg}
<h2>Rules</h2><ul>${r.rules.map((x) => `<li>${esc(x)}</li>`).join("")}</ul></body></html>`;
}

export async function scope3Pdf(r: Scope3Report): Promise<Buffer> {
  const png = await svgToPng(scope3ChartSvg(r));
  const doc = new PDFDocument({
    size: "A4",
    margin: 40,
    compress: false,
    info: { Title: `Scope 3 IT procurement intensity ${r.reportingYear}` },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
  doc
    .font("Helvetica-Bold")
    .fontSize(15)
    .text(`Scope 3 certificate-adjusted IT procurement intensity - ${r.reportingYear}`);
  doc
    .font("Helvetica")
    .fontSize(8)
    .fillColor("#5d6d7e")
    .text(pdfSafe(`Account ${r.account}. Units: ${r.unit}.`))
    .fillColor("#17202a")
    .moveDown(0.5);
  const cols = [60, 45, 70, 60, 45, 65, 70, 60];
  const head = [
    "category",
    "devices",
    "inventory kg",
    "kg/device",
    "I-TECs",
    "reduction kg",
    "adjusted kg",
    "adj. kg/dev",
  ];
  const row = (cells: string[], bold = false) => {
    const y0 = doc.y;
    let x = 40;
    doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(8);
    cells.forEach((c, i) => {
      doc.text(pdfSafe(c), x, y0, { width: cols[i]!, align: i === 0 ? "left" : "right" });
      x += cols[i]! + 5;
    });
    doc.x = 40;
    doc.y = y0 + 12;
  };
  row(head, true);
  for (const c of r.current.categories) {
    row([
      c.category,
      String(c.devices),
      c.inventoryEmissionsKg,
      c.inventoryIntensityKgPerDevice,
      String(c.certificatesApplied),
      c.reductionKg,
      c.adjustedEmissionsKg,
      c.adjustedIntensityKgPerDevice,
    ]);
  }
  const t = r.current.totals;
  row(
    [
      "total",
      String(t.devices),
      t.inventoryEmissionsKg,
      t.inventoryIntensityKgPerDevice,
      String(t.certificatesApplied),
      t.reductionKg,
      t.adjustedEmissionsKg,
      t.adjustedIntensityKgPerDevice,
    ],
    true,
  );
  doc.moveDown(0.6).font("Helvetica-Bold").fontSize(10).text("Certificates applied");
  doc.font("Helvetica").fontSize(8);
  for (const a of r.current.applied)
    doc.text(
      pdfSafe(
        `retirement #${a.retirementId}, batch #${a.batchId} (${a.category}): ${a.certificates} I-TEC x ${a.reductionKgPerCertificate} kgCO2e = ${a.reductionKg} kgCO2e`,
      ),
    );
  if (r.current.applied.length === 0) doc.text("none");
  doc.moveDown(0.4).font("Helvetica-Bold").fontSize(10).text("Retirements not applied");
  doc.font("Helvetica").fontSize(8);
  for (const u of r.current.unapplied)
    doc.text(
      pdfSafe(
        `retirement #${u.retirementId}, batch #${u.batchId} (${u.category}), ${u.certificates} I-TEC: ${u.reason} - ${u.detail}`,
      ),
    );
  if (r.current.unapplied.length === 0) doc.text("none");
  doc.moveDown(0.4).font("Helvetica-Bold").fontSize(10).text("Year on year");
  doc.font("Helvetica").fontSize(8);
  for (const d of r.yearOnYear) {
    doc.text(
      `${d.year}: inventory ${d.inventoryIntensityKgPerDevice}, certificate-adjusted ${d.adjustedIntensityKgPerDevice} kgCO2e per device${d.adjustedChangePct === null ? "" : ` (${d.adjustedChangePct} % vs previous year)`}`,
    );
  }
  doc.moveDown(0.4).image(png, { width: 480 });
  doc.moveDown(0.4).font("Helvetica-Bold").fontSize(9).text("Rules");
  doc.font("Helvetica").fontSize(7.5);
  for (const rule of r.rules) doc.text(pdfSafe(`- ${rule}`));
  doc.end();
  return done;
}
