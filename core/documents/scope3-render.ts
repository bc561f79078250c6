/**
 * The Scope 3 certificate-adjusted intensity report rendered as HTML and as an A4 PDF: the same sections (categories,
 * inventory rows and footprint sources, certificates applied and not, year on year, the chart, the rules) in two media.
 */
import { MISSING_GLYPHS_NOTE } from "./fonts.ts";
import { esc } from "./html-escape.ts";
import { newPdf } from "./pdf-writer.ts";
import { scope3ChartSvg, svgToPng } from "./scope3-chart.ts";
import { SCOPE3_CATEGORY_NAMES, type InventoryRowReport, type Scope3Report } from "./scope3-types.ts";

/** "supplier PCF", "registry reference T1", "category default (T3)". */
function footprintLabel(i: InventoryRowReport): string {
  return i.footprintSource === "supplier_pcf"
    ? "supplier PCF"
    : i.footprintSource === "registry_reference"
      ? `registry reference ${i.referenceTier}`
      : `category default (${i.referenceTier})`;
}

/** "Corporate plc (0x…)", or the address alone when the register has no name for it. */
const accountText = (r: Scope3Report) => (r.accountName ? `${r.accountName} (${r.account})` : r.account);

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
<p>Account ${esc(accountText(r))}. Units: ${esc(r.unit)}.</p>
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
  w.text(`Account ${accountText(r)}. Units: ${r.unit}.`, "sans", 7.5);
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
