/**
 * Which methods a path answers, read from the app's own route table (express's router stack: the declared routes
 * mountRoutes registered and the app's own, /health, /docs, the pages): a request that matched no route but whose
 * path some route serves with another method is a 405 with `Allow`, not a 404. Derived, never listed by hand, so
 * `Allow` cannot drift from what the router answers.
 */
import type { Express } from "express";

/** What this module reads of router 2's layers (express 5): a path matcher, and a route or a nested router. */
interface Layer {
  match(path: string): boolean;
  path?: string;
  route?: { methods: Record<string, boolean | undefined> };
  handle?: { stack?: Layer[] };
}

/** The order `Allow` lists methods in (RFC 9110 leaves it free; this is the usual one). */
const ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

/**
 * The methods the app's routes answer at `path`, as `Allow` lists them (HEAD with GET, as express answers it);
 * empty when no route serves the path. Static folders (express.static) are not routes and are not counted: they
 * answer GET and HEAD and let anything else fall through to the 404.
 */
export function allowedMethods(app: Express, path: string): string[] {
  const methods = new Set<string>();
  collect((app.router as unknown as { stack: Layer[] }).stack, path, methods);
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

const rank = (m: string) => (ORDER.includes(m) ? ORDER.indexOf(m) : ORDER.length);

function collect(stack: readonly Layer[], path: string, into: Set<string>): void {
  for (const layer of stack) {
    // A layer whose parameters do not decode throws; the router answered that request already (400).
    let matched: boolean;
    try {
      matched = layer.match(path);
    } catch {
      continue;
    }
    if (!matched) continue;
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== "_all") into.add(method.toUpperCase());
      }
    } else if (layer.handle?.stack) {
      // A mounted router sees the path without its mount point (layer.path, set by match).
      collect(layer.handle.stack, path.slice((layer.path ?? "").length) || "/", into);
    }
  }
}
