/**
 * The retirement certificate rendered as HTML (a page that prints on one A4 sheet), from the same content as the
 * PDF (certificate-content.ts); the PDF is certificate-pdf.ts.
 */
import { certificateDocument, type CertificateRow } from "./certificate-content.ts";
import type { CertificateModel } from "./certificate.ts";
import { esc } from "./html-escape.ts";
import { qrSvg } from "./qr.ts";
import { commandTokens } from "./wrap.ts";

export { certificatePdf } from "./certificate-pdf.ts";

/**
 * Long hashes and addresses wrap anywhere only when they must (`overflow-wrap:anywhere`); a command (`.cmd`) wraps
 * only between its tokens (each an unbreakable inline-block) with a hanging indent, and a token too long for the
 * line is printed smaller until it fits (`cqw`: a share of the command box's width); the QR code of the verify
 * URL sits beside the header, below it on a phone; the page fits one A4 sheet in print.
 */
const CERTIFICATE_CSS =
  "*{box-sizing:border-box}body{font:14px/1.45 system-ui,sans-serif;max-width:880px;margin:2rem auto;padding:0 1rem;color:#17202a;overflow-wrap:anywhere}" +
  ".head{display:flex;gap:1.25rem;align-items:flex-start}.head>div{flex:1;min-width:0}" +
  "h1{margin:0;font-size:1.6rem;line-height:1.2}.sub{margin:.25rem 0 .6rem;color:#5d6d7e;font-size:.85rem}" +
  "figure.qr{flex:none;margin:0;width:136px;text-align:center;color:#5d6d7e;font-size:.75rem}figure.qr svg{display:block;width:136px;height:136px}" +
  "h2{font-size:1.05rem;border-bottom:1px solid #d5dbdb;padding-bottom:.2rem;margin:1.1rem 0 .35rem}" +
  "table{border-collapse:collapse;width:100%}th{text-align:left;width:30%;color:#5d6d7e;font-weight:normal;vertical-align:top;padding:.1rem .6rem .1rem 0}td{vertical-align:top}" +
  "td code{font:12.5px/1.45 ui-monospace,monospace}" +
  ".v{padding:.6rem 1rem;border-left:6px solid;background:#f4f6f6;margin:1rem 0}" +
  "code.cmd{display:block;container-type:inline-size;font:12px/1.5 ui-monospace,monospace;white-space:normal;padding:.4rem .6rem .4rem 2.6ch;text-indent:-2ch;background:#f4f6f6;border-radius:4px;margin:.5rem 0}" +
  ".cmd .t{display:inline-block;white-space:nowrap;overflow-wrap:normal;text-indent:0}" +
  "footer{margin-top:1rem;color:#5d6d7e;font-size:.8rem}" +
  "@media (max-width:560px){body{margin:1rem auto}.head{flex-direction:column}th,td{display:block;width:auto;padding:0}th{padding-top:.35rem}}" +
  "@media print{@page{size:A4;margin:10mm}body{max-width:none;margin:0;padding:0;font-size:9px;line-height:1.32}h1{font-size:17px}.sub{font-size:8.5px}" +
  "h2{font-size:11px;margin:.45rem 0 .1rem}th{padding:0 .5rem 0 0}td code{font-size:8.5px}code.cmd{font-size:8px;margin:.25rem 0;padding:.25rem .5rem .25rem 2.5ch}" +
  "figure.qr{font-size:8px}figure.qr,figure.qr svg{width:100px;height:100px}.v{margin:.5rem 0;padding:.35rem .8rem}footer{margin-top:.4rem;font-size:8px}}";

/** A monospaced character's width in em, a little above the common 0.6 so that a shrunk token surely fits. */
const MONO_EM = 0.62;

/**
 * A command as HTML: its tokens as unbreakable pieces, separated by the spaces where a line may end. A token that
 * might not fit a line is scaled to at most the command box's width (`100cqw`) for its length.
 */
function commandHtml(command: string): string {
  const tokens = commandTokens(command).map((t) => {
    const length = [...t].length;
    const fit = length >= 24 ? ` style="font-size:min(1em,calc(100cqw / ${(length * MONO_EM).toFixed(2)}))"` : "";
    return `<span class="t"${fit}>${esc(t)}</span>`;
  });
  return `<code class="cmd">${tokens.join(" ")}</code>`;
}

/** A table of labelled values; the verify URL as a link; hashes in a monospaced font. */
function rowsHtml(rows: readonly CertificateRow[], url: string | null): string {
  const cell = (r: CertificateRow) =>
    r.value === url && url !== null
      ? `<a href="${esc(url)}">${esc(url)}</a>`
      : r.mono
        ? `<code>${esc(r.value)}</code>`
        : esc(r.value).replace(/\n/g, "<br>");
  return `<table>${rows.map((r) => `<tr><th>${esc(r.label)}</th><td>${cell(r)}</td></tr>`).join("")}</table>`;
}

export function certificateHtml(m: CertificateModel): string {
  const d = certificateDocument(m);
  const url = d.verify.url;
  // Both at least 5.5:1 on the panel (WCAG AA for normal-size bold text).
  const colour = d.verdict.ok ? "#196f3d" : "#b03a2e";
  const intro = url
    ? esc(d.verify.intro).replace(esc(url), `<a href="${esc(url)}">${esc(url)}</a>`)
    : esc(d.verify.intro);
  const qr = url
    ? `<figure class="qr">${qrSvg(url, `QR code of ${url}`)}<figcaption>Scan to verify</figcaption></figure>`
    : "";
  const sections = d.sections
    .map((s) => `<section><h2>${esc(s.heading)}</h2>${rowsHtml(s.rows, null)}</section>`)
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(d.title)}</title>
<style>${CERTIFICATE_CSS}.v{border-left-color:${colour}}.v b{color:${colour}}</style></head><body>
<header class="head"><div><h1>${esc(d.title)}</h1><p class="sub">${esc(d.subtitle)}</p>${rowsHtml(d.issuer, url)}</div>${qr}</header>
<p class="v" id="verdict"><b>${esc(d.verdict.summary)}</b><br>${esc(d.verdict.headline)}</p>
${sections}
<section><h2>Verify independently</h2><p>${intro}</p>
${d.verify.commands.map(commandHtml).join("\n")}
<p>${esc(d.verify.claimHash)}</p></section>
<footer><p>${esc(d.statement)}</p></footer></body></html>`;
}
