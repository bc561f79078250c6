/**
 * The API's CORS policy: deny by default. With no `ITEC_CORS_ORIGINS`, no answer carries
 * `Access-Control-Allow-Origin`, so a page on another origin cannot read the API from a browser (curl, the CLI,
 * the SDK in Node and other servers are not browsers and are unaffected); a preflight is refused with a 403
 * problem+json saying how to allow its origin. The verification page and the web app are served by the API
 * itself (same origin): browsers send them no preflight and need no header.
 *
 * With an allow-list, a listed origin is answered with its own origin (and `Vary: Origin`), the methods and
 * request headers the API takes, the headers a client may read (rate limits, request id) and how long a browser
 * may cache the preflight. `*` allows every origin. No credentials: the API's sessions are bearer tokens, which
 * a browser sends only when the page's script adds them, never cookies.
 */
import type { RequestHandler } from "express";

import { HttpProblem, sendProblem } from "./problem.ts";

/** Methods the API's routes use (route/define.ts), and the request headers a cross-origin caller may send. */
const METHODS = "GET, HEAD, POST, PUT";
const REQUEST_HEADERS = "Authorization, Content-Type, X-Request-Id";
/** Response headers a cross-origin script may read beyond the CORS-safelisted ones. */
const EXPOSED = "RateLimit, RateLimit-Policy, Retry-After, X-Request-Id, Location, Content-Disposition";
/** How long a browser may reuse a preflight (seconds; Chromium caps it at 7,200). */
export const PREFLIGHT_MAX_AGE = 600;

export interface CorsPolicy {
  /** Sets the allow headers on every answer to a listed origin (mount before the rate limiter: 429s too). */
  readonly headers: RequestHandler;
  /** Answers preflights: 204 for a listed origin, else 403 (mount after the rate limiter: preflights count). */
  readonly preflight: RequestHandler;
}

/** The policy for `origins` (ITEC_CORS_ORIGINS: exact origins such as `https://app.example`, or `*`). */
export function corsPolicy(origins: readonly string[] = []): CorsPolicy {
  const any = origins.includes("*");
  const listed = new Set(origins);
  const allowed = (origin: string | undefined): origin is string => origin !== undefined && (any || listed.has(origin));

  return {
    headers: (req, res, next) => {
      // Answers differ by Origin only when some origin is listed (and not all are): caches must keep them apart.
      if (listed.size > 0 && !any) res.vary("Origin");
      const origin = req.get("origin");
      if (origin !== undefined && allowed(origin)) {
        res.setHeader("Access-Control-Allow-Origin", any ? "*" : origin);
        res.setHeader("Access-Control-Expose-Headers", EXPOSED);
      }
      next();
    },
    preflight: (req, res, next) => {
      const origin: string | undefined = req.get("origin");
      if (req.method !== "OPTIONS" || origin === undefined || req.get("access-control-request-method") === undefined) {
        next();
        return;
      }
      if (!allowed(origin)) {
        sendProblem(
          res,
          new HttpProblem(
            403,
            "CORS_NOT_ALLOWED",
            "Forbidden",
            `this registry does not serve browser pages on ${String(origin).slice(0, 200)}: list the origin in ITEC_CORS_ORIGINS to allow it`,
          ),
          req.originalUrl,
        );
        return;
      }
      res.vary("Access-Control-Request-Method").vary("Access-Control-Request-Headers");
      res.setHeader("Access-Control-Allow-Methods", METHODS);
      res.setHeader("Access-Control-Allow-Headers", REQUEST_HEADERS);
      res.setHeader("Access-Control-Max-Age", String(PREFLIGHT_MAX_AGE));
      res.status(204).end();
    },
  };
}
