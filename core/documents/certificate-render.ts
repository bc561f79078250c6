/** The retirement certificate rendered as HTML (a page that prints on one A4 sheet) and as a one-page A4 PDF. */
import { certificateSections, type CertificateModel } from "./certificate.ts";
import { MISSING_GLYPHS_NOTE } from "./fonts.ts";
import { esc } from "./html-escape.ts";
import { newPdf } from "./pdf-writer.ts";
import { commandTokens } from "./wrap.ts";

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
<p class="v" id="verdict"><b>${esc(m.summary)}</b><br>${esc(m.claim.amount)} I-TEC retired for ${esc(m.claim.beneficiaryName ?? "—")} — ${esc(m.totals.reductionKgClaimed)} kgCO2e verified reduction
(${esc(m.batch.reductionKgPerDevice)} kgCO2e per device × ${esc(m.claim.amount)} devices), reporting period ${esc(m.claim.periodStart.slice(0, 10))} to ${esc(m.claim.periodEnd.slice(0, 10))}.</p>
${sections}
<section><h2>Verify independently</h2><p>${ask} any node of the chain:</p>
${commandHtml(m.howToVerify.cast)}
${commandHtml(m.howToVerify.castStatus)}
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
  w.text(m.summary, "bold", 10);
  w.text(
    `${m.claim.amount} I-TEC retired for ${m.claim.beneficiaryName ?? "—"}: ${m.totals.reductionKgClaimed} kgCO2e verified reduction ` +
      `(${m.batch.reductionKgPerDevice} kgCO2e per device × ${m.claim.amount} devices).`,
    "sans",
    9,
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
  w.command(m.howToVerify.castStatus, "mono", 6, 40, width);
  doc.moveDown(0.2);
  w.command(m.howToVerify.jsonRpc, "mono", 6, 40, width);
  doc.fillColor("#5d6d7e").moveDown(0.3);
  w.text(m.statement, "sans", 6.5);
  if (w.missing) w.text(MISSING_GLYPHS_NOTE, "sans", 6.5);
  doc.end();
  return done;
}
