/**
 * A readable API reference rendered from the OpenAPI document itself (no CDN, no build step): every operation
 * with its parameters, body and responses.
 */
interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: { name: string; in: string; required: boolean; description?: string }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { description: string }>;
  security?: unknown[];
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function renderDocsPage(doc: {
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, unknown>>;
}): string {
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      const op = raw as Operation;
      const params = (op.parameters ?? [])
        .map(
          (p) =>
            `<li><code>${esc(p.name)}</code> (${p.in}${p.required ? ", required" : ""})${p.description ? ` — ${esc(p.description)}` : ""}</li>`,
        )
        .join("");
      const body = op.requestBody
        ? `<p><b>Body:</b> ${Object.keys(op.requestBody.content).map(esc).join(", ")}</p>`
        : "";
      const responses = Object.entries(op.responses)
        .map(([status, r]) => `<li><code>${status}</code> ${esc(r.description)}</li>`)
        .join("");
      const html = `<section id="${esc(op.operationId)}"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code>${op.security ? ' <span class="lock">sign-in</span>' : ""}</h3>
<p>${esc(op.summary)}</p>${op.description ? `<p class="d">${esc(op.description)}</p>` : ""}${params ? `<p><b>Parameters</b></p><ul>${params}</ul>` : ""}${body}<details><summary>Responses</summary><ul>${responses}</ul></details></section>`;
      const tag = op.tags[0] ?? "other";
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const sections = [...byTag.entries()].map(([tag, ops]) => `<h2>${esc(tag)}</h2>${ops.join("\n")}`).join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/assets/style.css"></head>
<body><main class="docs"><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Errors: <code>application/problem+json</code> (RFC 9457).</p>
${sections}</main></body></html>`;
}
