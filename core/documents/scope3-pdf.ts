/**
 * The Scope 3 report as an A4 PDF, the same sections as its HTML (scope3-render.ts): organisation, year and where the
 * figures were read; the not-offsets statement; the summary and emissions per Scope 3 and device category in tCO2e;
 * the retirements applied and their claim quality; those not applied and why; the inventory's footprint sources;
 * year on year and the chart; method, rules and data sources. Tables never run outside the page (pdf-table.ts).
 */
import { MISSING_GLYPHS_NOTE } from "./fonts.ts";
import { keepSpace, pdfTable, type PdfColumn, type PdfRow } from "./pdf-table.ts";
import { newPdf } from "./pdf-writer.ts";
import { disclosureTable } from "./scope3-disclosures.ts";
import { scope3ChartSvg, svgToPng } from "./scope3-chart.ts";
import {
  beneficiaryLines,
  beneficiaryText,
  deliveriesText,
  changeText,
  footprintLabel,
  organisationText,
  qualitySummary,
  readAtText,
  scope3Name,
} from "./scope3-text.ts";
import type { Figures, Scope3Report } from "./scope3-types.ts";

const MUTED = "#5d6d7e";
const TEXT = "#17202a";
const GREEN = "#1e8449";
const RED = "#b03a2e";
const SHADE = "#f4f6f6";

const col = (header: string, width: number, align: "left" | "right" = "right"): PdfColumn => ({
  header,
  width,
  align,
});

const figures = (f: Figures) => [
  String(f.devices),
  f.inventoryEmissionsTCO2e,
  f.inventoryIntensityKgPerDevice,
  String(f.certificatesApplied),
  f.reductionTCO2e,
  f.adjustedEmissionsTCO2e,
  f.adjustedIntensityKgPerDevice,
];

export async function scope3Pdf(r: Scope3Report): Promise<Buffer> {
  const png = await svgToPng(scope3ChartSvg(r));
  const { doc, w, done } = newPdf({
    Title: `Scope 3 IT procurement intensity ${r.reportingYear} — ${r.accountName ?? r.account}`,
  });
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const y = r.current;
  const t = y.totals;
  const para = (text: string, size = 7.5, font: "sans" | "bold" = "sans") =>
    w.text(text, font, size, { x: left, y: doc.y, width });
  const heading = (text: string) => {
    doc.moveDown(0.6);
    keepSpace(doc, 40);
    w.text(text, "bold", 9.5, { x: left, y: doc.y, width });
    doc.y += 2;
  };

  w.text(`Scope 3 certificate-adjusted IT procurement intensity — ${r.reportingYear}`, "bold", 14, {
    x: left,
    y: doc.y,
    width,
  });
  doc.y += 4;
  w.text(organisationText(r), "bold", 10, { x: left, y: doc.y, width });
  doc.fillColor(MUTED);
  para(`Reporting year ${r.reportingYear} (1 January to 31 December). ${readAtText(r.readAt)}`);
  para(`Units: ${r.unit}.`);
  doc.fillColor(TEXT);
  doc.y += 5;
  const statementTop = doc.y;
  w.text(r.statement, "sans", 7.5, { x: left + 8, y: doc.y + 3, width: width - 12 });
  doc.rect(left, statementTop, 3, doc.y - statementTop + 3).fill(GREEN);
  doc.fillColor(TEXT);
  doc.y += 6;

  pdfTable(
    w,
    [
      col("inventory-based tCO2e", 78),
      col("certificate reduction tCO2e", 90),
      col("certificate-adjusted tCO2e", 88),
      col("adjusted kgCO2e/device", 76),
      col("I-TECs applied", 50),
      col("year on year (adjusted intensity)", 113, "left"),
    ],
    [
      {
        cells: [
          t.inventoryEmissionsTCO2e,
          t.reductionTCO2e,
          t.adjustedEmissionsTCO2e,
          t.adjustedIntensityKgPerDevice,
          String(t.certificatesApplied),
          changeText(r.yearOnYear.at(-1)!),
        ],
        bold: true,
      },
    ],
    { title: `Summary ${r.reportingYear}`, size: 7.5 },
  );

  doc.moveDown(0.6);
  const rows: PdfRow[] = [
    ...y.categories.map((c) => ({
      cells: [
        c.scope3Category === null ? "not given" : String(c.scope3Category),
        c.category,
        ...figures(c).slice(0, 5),
        `${c.adjustedEmissionsTCO2e}${c.flooredAtZero ? "*" : ""}`,
        c.adjustedIntensityKgPerDevice,
        c.claimsScope3Category === null ? "—" : `cat. ${c.claimsScope3Category}`,
      ],
    })),
    ...y.scope3Subtotals.map((s) => ({
      cells: [String(s.scope3Category), "subtotal", ...figures(s), ""],
      bold: true,
      fill: SHADE,
    })),
    { cells: ["all", "total", ...figures(t), ""], bold: true, fill: SHADE },
  ];
  pdfTable(
    w,
    [
      col("Scope 3 cat.", 42, "left"),
      col("device category", 58, "left"),
      col("devices", 34),
      col("inventory tCO2e", 56),
      col("kgCO2e/ device", 44),
      col("I-TECs applied", 34),
      col("reduction tCO2e", 54),
      col("adjusted tCO2e", 56),
      col("adjusted kgCO2e/ device", 48),
      col("claims applied", 45, "left"),
    ],
    rows,
    { title: "Emissions by Scope 3 category and device category" },
  );
  doc.fillColor(MUTED);
  doc.y += 2;
  para(`Scope 3 categories: 1 = ${scope3Name(1)}; 2 = ${scope3Name(2)}.`, 7);
  if (y.scope3Subtotals.length === 0)
    para(
      "The inventory gives no scope3_category for this year: rows are per device category, each holding claims of one Scope 3 category only (CQ6).",
      7,
    );
  if (y.categories.some((c) => c.flooredAtZero)) para("* floored at zero: emissions are never negative.", 7);
  doc.fillColor(TEXT);

  if (r.notes.length) {
    heading("Notes");
    doc.fillColor("#935116");
    for (const n of r.notes) para(`- ${n}`);
    doc.fillColor(TEXT);
  }

  doc.moveDown(0.6);
  pdfTable(
    w,
    [
      col("retirement", 44, "left"),
      col("beneficiary (name, account)", 192, "left"),
      col("category, Scope 3", 44, "left"),
      col("I-TECs", 28),
      col("V̄ kgCO2e/ device", 40),
      col("reduction tCO2e", 46),
      col("claim status", 36, "left"),
      col("quality CQ1–CQ6", 43, "left"),
    ],
    y.applied.length
      ? y.applied.map((a) => ({
          cells: [
            `#${a.retirementId}\nbatch #${a.batchId}${deliveriesText(a) ? `\n${deliveriesText(a)}` : ""}`,
            beneficiaryLines(a),
            `${a.category}\ncat. ${a.scope3Category}`,
            String(a.certificates),
            a.reductionKgPerCertificate,
            a.reductionTCO2e,
            a.claimStatus,
            a.quality?.met ? "all met" : qualitySummary(a.quality),
          ],
        }))
      : [{ cells: ["none", "", "", "", "", "", "", ""] }],
    { title: `Retirements applied (${y.applied.length})` },
  );

  const appliedIds = new Set(y.applied.map((a) => a.retirementId));
  const assessed = [...y.applied, ...y.unapplied].filter(
    (x, i, all) => x.quality !== null && all.findIndex((o) => o.retirementId === x.retirementId) === i,
  );
  const criteria = r.sources.qualityCriteria;
  doc.moveDown(0.6);
  pdfTable(
    w,
    [
      col("claim", 62, "left"),
      col("outcome", 44, "left"),
      ...criteria.map((c) => col(c.rule, 24, "left")),
      col("first criterion not met", 229, "left"),
    ],
    assessed.length
      ? assessed.map((x) => ({
          cells: [
            `retirement #${x.retirementId}`,
            appliedIds.has(x.retirementId) ? "applied" : "not applied",
            ...x.quality!.criteria.map((c) => (c.met ? "✓" : "✗")),
            x.quality!.met ? "—" : qualitySummary(x.quality),
          ],
          colors: [undefined, undefined, ...x.quality!.criteria.map((c) => (c.met ? GREEN : RED)), undefined],
        }))
      : [{ cells: [`no retirement claimed for ${r.reportingYear}`, "", ...criteria.map(() => ""), ""] }],
    { title: "Claim quality: a retirement is applied only when it meets every criterion" },
  );
  doc.y += 2;
  doc.fillColor(MUTED);
  for (const c of criteria) para(`${c.rule} ${c.title}: ${c.requirement} Source: ${c.source}.`, 6.5);
  doc.fillColor(TEXT);

  heading(`Retirements not applied (${y.unapplied.length})`);
  for (const u of y.unapplied) {
    const rule = u.failedCriterion && u.quality?.criteria.find((c) => c.id === u.failedCriterion)?.rule;
    doc.y += 1.5;
    para(
      `- retirement #${u.retirementId}, batch #${u.batchId} (${u.category}, Scope 3 cat. ${u.scope3Category}), ${u.certificates} I-TEC, ` +
        `beneficiary ${beneficiaryText(u)}, claim ${u.claimStatus}: ${u.reason}${rule ? ` (${rule})` : ""} — ${u.detail}`,
    );
  }
  if (y.unapplied.length === 0) para("none");

  heading("Inventory rows and footprint sources");
  for (const i of y.inventory) {
    const what = [i.manufacturer, i.model].filter(Boolean).join(" ");
    const s3 = i.scope3Category === null ? "" : ` (Scope 3 cat. ${i.scope3Category})`;
    para(
      `${i.row}: ${i.devices} ${i.category}${s3}${what ? `, ${what}` : ""} — ${i.footprintKgPerDevice} kgCO2e per device ` +
        `from ${footprintLabel(i)}, ${i.emissionsKg} kgCO2e${i.footprintSource === "supplier_pcf" ? "" : ` (${i.detail})`}`,
    );
  }

  doc.moveDown(0.6);
  pdfTable(
    w,
    [
      col("year", 40, "left"),
      col("inventory tCO2e", 70),
      col("adjusted tCO2e", 70),
      col("inventory kgCO2e/device", 80),
      col("adjusted kgCO2e/device", 80),
      col("change of adjusted intensity", 155, "left"),
    ],
    r.yearOnYear.map((d) => ({
      cells: [
        String(d.year),
        d.inventoryEmissionsTCO2e,
        d.adjustedEmissionsTCO2e,
        d.inventoryIntensityKgPerDevice,
        d.adjustedIntensityKgPerDevice,
        changeText(d),
      ],
    })),
    { title: "Year on year" },
  );
  doc.moveDown(0.6);
  const chartWidth = 400;
  keepSpace(doc, (chartWidth * 380) / 720 + 4);
  doc.image(png, left, doc.y, { width: chartWidth });
  doc.y += (chartWidth * 380) / 720 + 4;

  heading("Disclosures");
  para(
    "The figures above in the fields of the GHG Protocol Scope 3 inventory, CDP question 7.8 and ESRS E1-6 " +
      `(docs/disclosures.md). Gross emissions are never reduced: the I-TEC adjustment is disclosed separately. ${r.disclosures.coverage}`,
    7,
  );
  doc.y += 2;
  pdfTable(
    w,
    [
      col("framework / line", 90, "left"),
      col("field", 135, "left"),
      col("value", 150, "left"),
      col("unit", 34, "left"),
      col("reference", 90, "left"),
    ],
    disclosureTable(r.disclosures).map((d) => ({
      cells: [
        d.line ? `${d.framework}: ${d.line}` : d.framework,
        d.name,
        Array.isArray(d.value) ? d.value.join("; ") : (d.value ?? "—"),
        d.unit,
        d.ref,
      ],
    })),
  );

  const s = r.sources;
  heading("Method, rules and data sources");
  for (const m of s.method) para(`- ${m}`, 7);
  doc.y += 3;
  for (const rule of r.rules) para(`- ${rule}`, 7);
  doc.y += 3;
  for (const source of [
    `Inventory: ${s.inventoryRows} rows given by the organisation for ${r.years.map((x) => x.year).join(", ")}.`,
    `Registry reference data: ${s.reference.source}; sha256 ${s.reference.sha256}; licence ${s.reference.license}.`,
    `Batches' methodology (from the chain): ${s.methodologies.length ? s.methodologies.join("; ") : "as named on each batch"}.`,
    `Retirements, claims and batches: ${readAtText(r.readAt)}`,
    `Vintage window for ${r.reportingYear} (CQ4): a batch's vintage ends between ${s.vintageWindow.from} and ${s.vintageWindow.to}.`,
  ])
    para(`- ${source}`, 7);
  if (w.missing) para(MISSING_GLYPHS_NOTE, 7);
  doc.end();
  return done;
}
