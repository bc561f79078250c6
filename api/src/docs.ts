/**
 * The API reference at /docs: Swagger UI (the `swagger-ui-dist` package, served from its installed folder, no
 * CDN) rendering /openapi.json — every schema, the examples and problem codes of each operation, and "Try it
 * out" against this registry, signed in with a session token ("Authorize"). Only files from this origin load, so
 * the page runs under the app's Content Security Policy (script-src 'self') unchanged.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";

import type { Express } from "express";

/** The installed swagger-ui-dist folder, found as node finds the package: works from a clone and an install. */
function swaggerUiDir(): string {
  return dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
}

/** Swagger UI's files the page loads (and their source maps, for a browser's developer tools). */
const ASSETS = ["swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui.css.map", "swagger-ui-bundle.js.map"];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * Swagger UI's start, a file of its own (the CSP forbids inline scripts). No validator badge (it would call a
 * third-party service); the token given in "Authorize" stays in the page, never in storage. No deep links: they
 * put a link inside each operation's toggle button, which screen readers cannot reach (axe: nested-interactive).
 * The "obsidian" highlighting: the default's red numbers lack contrast on its dark background.
 */
const INIT = `"use strict";
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: false,
    validatorUrl: null,
    displayOperationId: true,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
    docExpansion: "list",
    filter: true,
    persistAuthorization: false,
    requestSnippetsEnabled: true,
    tryItOutEnabled: false,
    syntaxHighlight: { theme: "obsidian" },
  });
});
`;

/** Swagger UI's badges, links and buttons darkened to WCAG AA contrast (4.5:1) for their text. */
const CSS = `.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #0b5cad; }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #1b7340; }
.swagger-ui .opblock.opblock-put .opblock-summary-method { background: #9a4d00; }
.swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #b3261e; }
.swagger-ui .info .title small { background: #4d5562; }
.swagger-ui .info .title small.version-stamp { background: #3d6b00; }
.swagger-ui .info a { color: #1d5fb0; }
.swagger-ui .parameter__in { color: #555; }
.swagger-ui .btn.authorize { border-color: #1b7340; color: #1b7340; }
.swagger-ui .btn.authorize svg { fill: #1b7340; }
.swagger-ui .btn.execute { background-color: #1d5fb0; border-color: #1d5fb0; }
.swagger-ui .btn.cancel { border-color: #b3261e; color: #b3261e; }
`;

function page(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="stylesheet" href="/docs/docs.css">
</head>
<body>
<main id="swagger-ui" aria-label="${esc(title)}"></main>
<noscript><p>This reference needs JavaScript. The document itself: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p></noscript>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;
}

/** Serves the reference page, its start script and styles, and Swagger UI's assets under /docs. */
export function mountDocs(app: Express, title: string): void {
  const root = swaggerUiDir();
  const html = page(title);
  app.get(["/docs", "/docs/"], (_req, res) => {
    res.type("html").send(html);
  });
  app.get("/docs/init.js", (_req, res) => {
    res.type("text/javascript").send(INIT);
  });
  app.get("/docs/docs.css", (_req, res) => {
    res.type("text/css").send(CSS);
  });
  for (const file of ASSETS) {
    app.get(`/docs/${file}`, (_req, res) => res.sendFile(file, { root, maxAge: "1h" }));
  }
}
