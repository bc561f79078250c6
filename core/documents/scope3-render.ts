/**
 * The Scope 3 certificate-adjusted intensity report as HTML: the organisation and when and where its figures were
 * read, the not-offsets statement, emissions per Scope 3 category and device category with subtotals (tCO2e), the
 * retirements applied (beneficiary, batch, V̄, status) and their claim quality, those not applied and why, the
 * inventory's footprint sources, year on year, the chart, and the method, rules and data sources. The PDF
 * (scope3-pdf.ts) carries the same sections.
 */
import { esc } from "./html-escape.ts";
import { scope3ChartSvg } from "./scope3-chart.ts";
import { disclosureTable } from "./scope3-disclosures.ts";
import {
  beneficiaryText,
  deliveriesText,
  changeText,
  footprintLabel,
  organisationText,
  qualitySummary,
  readAtText,
  scope3Name,
} from "./scope3-text.ts";
import type { ClaimParticulars, Figures, Scope3Report } from "./scope3-types.ts";

/** A retirement's deliveries (docs/deliveries.md) under its id, or nothing. */
const delivered = (c: ClaimParticulars) => (deliveriesText(c) ? `<br><small>${esc(deliveriesText(c))}</small>` : "");

export { scope3Pdf } from "./scope3-pdf.ts";

const STYLE =
  "body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#17202a}" +
  "table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border-bottom:1px solid #e5e8e8;padding:.25rem .4rem;text-align:right;vertical-align:top}" +
  "th:first-child,td:first-child,.l{text-align:left}td.l{overflow-wrap:anywhere}tr.sub th,tr.sub td{background:#f4f6f6}dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}" +
  "dt{font-weight:600}.statement{border-left:4px solid #1e8449;padding:.4rem .8rem;background:#eafaf1}.notes li{color:#935116}" +
  ".met{color:#1e8449}.unmet{color:#b03a2e;font-weight:600}code{font-size:.9em}";

const cells = (values: (string | number)[], tag = "td") =>
  values.map((v) => `<${tag}>${esc(String(v))}</${tag}>`).join("");

const figureCells = (f: Figures, tag = "td") =>
  cells(
    [
      f.devices,
      f.inventoryEmissionsTCO2e,
      f.inventoryIntensityKgPerDevice,
      f.certificatesApplied,
      f.reductionTCO2e,
      f.adjustedEmissionsTCO2e,
      f.adjustedIntensityKgPerDevice,
    ],
    tag,
  );

export function scope3Html(r: Scope3Report, chartSvg = scope3ChartSvg(r)): string {
  const y = r.current;
  const t = y.totals;
  const yoy = r.yearOnYear.at(-1)!;
  const categoryRows = y.categories
    .map(
      (c) =>
        `<tr><td class="l">${esc(c.scope3Category === null ? "not given" : String(c.scope3Category))}</td><td class="l">${esc(c.category)}</td>` +
        figureCells(c) +
        `<td class="l">${esc(c.claimsScope3Category === null ? "—" : `Category ${c.claimsScope3Category}`)}${c.flooredAtZero ? " (floored at zero)" : ""}</td>` +
        `<td class="l">${esc(c.pcfSources.join("; "))}</td></tr>`,
    )
    .join("");
  const subtotalRows = y.scope3Subtotals
    .map(
      (s) =>
        `<tr class="sub"><th class="l">${s.scope3Category}</th><th class="l">subtotal</th>${figureCells(s, "th")}<th></th><th></th></tr>`,
    )
    .join("");
  const applied = y.applied
    .map(
      (a) =>
        `<tr><td class="l">#${esc(a.retirementId)}${delivered(a)}</td><td class="l">${esc(beneficiaryText(a))}</td><td>#${esc(a.batchId)}</td><td class="l">${esc(a.category)}</td>` +
        `<td>${a.scope3Category}</td><td>${a.certificates}</td><td>${esc(a.reductionKgPerCertificate)}</td><td>${esc(a.reductionTCO2e)}</td>` +
        `<td class="l">${esc(a.claimStatus)}</td><td class="l">${esc(qualitySummary(a.quality))}</td></tr>`,
    )
    .join("");
  const assessed = [...y.applied, ...y.unapplied].filter(
    (x, i, all) => x.quality !== null && all.findIndex((o) => o.retirementId === x.retirementId) === i,
  );
  const appliedIds = new Set(y.applied.map((a) => a.retirementId));
  const quality = assessed
    .map(
      (x) =>
        `<tr><td class="l">#${esc(x.retirementId)}</td><td class="l">${appliedIds.has(x.retirementId) ? "applied" : "not applied"}</td>` +
        x
          .quality!.criteria.map(
            (c) =>
              `<td class="${c.met ? "met" : "unmet"}" title="${esc(c.detail)}">${c.met ? "✓ met" : "✗ not met"}</td>`,
          )
          .join("") +
        `<td class="l">${esc(qualitySummary(x.quality))}</td></tr>`,
    )
    .join("");
  const unapplied = y.unapplied
    .map(
      (u) =>
        `<tr><td class="l">#${esc(u.retirementId)}${delivered(u)}</td><td class="l">${esc(beneficiaryText(u))}</td><td>#${esc(u.batchId)}</td><td class="l">${esc(u.category)}</td>` +
        `<td>${u.scope3Category}</td><td>${u.certificates}</td><td class="l">${esc(u.claimStatus)}</td>` +
        `<td class="l"><code>${esc(u.reason)}</code>${u.quality && u.failedCriterion ? ` (${esc(u.quality.criteria.find((c) => c.id === u.failedCriterion)!.rule)})` : ""}: ${esc(u.detail)}</td></tr>`,
    )
    .join("");
  const inventoryRows = y.inventory
    .map(
      (i) =>
        `<tr><td class="l">${esc(i.row)}</td><td class="l">${esc(i.scope3Category === null ? "not given" : String(i.scope3Category))}</td><td class="l">${esc(i.category)}</td>` +
        `<td>${i.devices}</td><td class="l">${esc(i.manufacturer ?? "")}</td><td class="l">${esc(i.model ?? "")}</td><td>${esc(i.footprintKgPerDevice)}</td>` +
        `<td>${esc(i.emissionsKg)}</td><td class="l">${esc(footprintLabel(i))}</td><td class="l">${esc(i.detail)}</td></tr>`,
    )
    .join("");
  const s = r.sources;
  const list = (items: string[], cls = "") =>
    `<ul${cls ? ` class="${cls}"` : ""}>${items.map((x) => `<li>${esc(x)}</li>`).join("")}</ul>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Scope 3 IT procurement intensity ${r.reportingYear} — ${esc(r.accountName ?? r.account)}</title>
<style>${STYLE}</style></head><body>
<h1>Scope 3 certificate-adjusted IT procurement intensity — ${r.reportingYear}</h1>
<dl class="meta"><dt>Organisation</dt><dd>${esc(organisationText(r))}</dd><dt>Reporting year</dt><dd>${r.reportingYear} (1 January to 31 December)</dd>
<dt>Read</dt><dd>${esc(readAtText(r.readAt))}</dd><dt>Units</dt><dd>${esc(r.unit)}</dd></dl>
<p class="statement">${esc(r.statement)}</p>
<h2>Summary ${r.reportingYear}</h2>
<table><tr><th class="l">inventory-based</th><th>certificate reduction</th><th>certificate-adjusted</th><th>adjusted kgCO2e/device</th><th>I-TECs applied</th><th>year on year (adjusted intensity)</th></tr>
<tr><td class="l">${esc(t.inventoryEmissionsTCO2e)} tCO2e</td><td>${esc(t.reductionTCO2e)} tCO2e</td><td>${esc(t.adjustedEmissionsTCO2e)} tCO2e</td><td>${esc(t.adjustedIntensityKgPerDevice)}</td><td>${t.certificatesApplied}</td><td>${esc(changeText(yoy))}</td></tr></table>
<h2>Emissions by Scope 3 category and device category</h2>
<table><tr><th class="l">Scope 3 cat.</th><th class="l">device category</th><th>devices</th><th>inventory tCO2e</th><th>kgCO2e/device</th><th>I-TECs applied</th><th>reduction tCO2e</th><th>adjusted tCO2e</th><th>adjusted kgCO2e/device</th><th class="l">claims applied</th><th class="l">PCF source</th></tr>
${categoryRows}${subtotalRows}<tr class="sub"><th class="l">all</th><th class="l">total</th>${figureCells(t, "th")}<th></th><th></th></tr></table>
<p>Scope 3 categories: 1 = ${esc(scope3Name(1))}; 2 = ${esc(scope3Name(2))}.${y.scope3Subtotals.length === 0 ? " The inventory gives no scope3_category for this year: rows are per device category, each holding claims of one Scope 3 category only." : ""}</p>
<h2>Retirements applied</h2>
<table><tr><th class="l">retirement</th><th class="l">beneficiary</th><th>batch</th><th class="l">category</th><th>Scope 3 cat.</th><th>I-TECs</th><th>V̄ kgCO2e/device</th><th>reduction tCO2e</th><th class="l">claim status</th><th class="l">claim quality</th></tr>
${applied || '<tr><td class="l" colspan="10">none</td></tr>'}</table>
<h2>Claim quality</h2>
<p>Each retirement of ${r.reportingYear} checked against the criteria below (docs/claim-quality.md); only one meeting all of them is applied.</p>
<table><tr><th class="l">retirement</th><th class="l">outcome</th>${s.qualityCriteria.map((c) => `<th title="${esc(c.requirement)}">${esc(c.rule)} ${esc(c.title)}</th>`).join("")}<th class="l">summary</th></tr>
${quality || `<tr><td class="l" colspan="${s.qualityCriteria.length + 3}">no retirement claimed for ${r.reportingYear}</td></tr>`}</table>
${list(s.qualityCriteria.map((c) => `${c.rule} ${c.title}: ${c.requirement} Source: ${c.source}.`))}
<h2>Retirements not applied</h2>
<table><tr><th class="l">retirement</th><th class="l">beneficiary</th><th>batch</th><th class="l">category</th><th>Scope 3 cat.</th><th>I-TECs</th><th class="l">claim status</th><th class="l">reason</th></tr>
${unapplied || '<tr><td class="l" colspan="8">none</td></tr>'}</table>
<h2>Inventory rows and footprint sources</h2>
<table><tr><th class="l">row</th><th class="l">Scope 3 cat.</th><th class="l">category</th><th>devices</th><th class="l">manufacturer</th><th class="l">model</th><th>kgCO2e/device</th><th>kgCO2e</th><th class="l">source</th><th class="l">detail</th></tr>
${inventoryRows}</table>
<h2>Year on year</h2>
<table><tr><th class="l">year</th><th>inventory tCO2e</th><th>adjusted tCO2e</th><th>inventory kgCO2e/device</th><th>adjusted kgCO2e/device</th><th>change of adjusted intensity</th></tr>
${r.yearOnYear.map((d) => `<tr>${cells([d.year, d.inventoryEmissionsTCO2e, d.adjustedEmissionsTCO2e, d.inventoryIntensityKgPerDevice, d.adjustedIntensityKgPerDevice, changeText(d)])}</tr>`).join("")}</table>
${chartSvg}
<h2>Disclosures</h2>
<p>The figures above in the fields of the GHG Protocol Scope 3 inventory, CDP question 7.8 and ESRS E1-6 (docs/disclosures.md). Gross emissions are never reduced: the I-TEC adjustment is disclosed separately. ${esc(r.disclosures.coverage)}</p>
<table><tr><th class="l">framework</th><th class="l">line</th><th class="l">field</th><th>value</th><th class="l">unit</th><th class="l">reference</th></tr>
${disclosureTable(r.disclosures)
  .map(
    (d) =>
      `<tr><td class="l">${esc(d.framework)}</td><td class="l">${esc(d.line)}</td><td class="l" title="${esc(`${d.source}: ${d.computed}`)}">${esc(d.name)}</td>` +
      `<td${d.unit === "tCO2e" || d.unit === "%" ? "" : ' class="l"'}>${esc(Array.isArray(d.value) ? d.value.join("; ") : (d.value ?? "—"))}</td><td class="l">${esc(d.unit)}</td><td class="l">${esc(d.ref)}</td></tr>`,
  )
  .join("")}</table>
<h2>Method, rules and data sources</h2>
<h3>Method</h3>${list(s.method)}
<h3>Rules</h3>${list(r.rules)}
<h3>Data sources</h3>${list([
    `Inventory: ${s.inventoryRows} rows given by the organisation for ${r.years.map((x) => x.year).join(", ")}.`,
    `Registry reference data: ${s.reference.source}; sha256 ${s.reference.sha256}; licence ${s.reference.license}.`,
    `Batches' methodology (from the chain): ${s.methodologies.length ? s.methodologies.join("; ") : "as named on each batch"}.`,
    `Retirements, claims and batches: ${readAtText(r.readAt)}`,
    `Vintage window for ${r.reportingYear} (CQ4): a batch's vintage ends between ${s.vintageWindow.from} and ${s.vintageWindow.to}.`,
  ])}
${r.notes.length ? `<h2>Notes</h2>${list(r.notes, "notes")}` : ""}
</body></html>`;
}
