/**
 * One structured log line per request and its request id. The id is the caller's `X-Request-Id` when it is a
 * plausible id (1–128 characters of letters, digits and `._:-`, so a log line cannot be forged or bloated through
 * it), else a new UUID; it is echoed in the `X-Request-Id` response header, in every problem+json body
 * (`requestId`, see problem.ts) and in the log line, so a client's error report leads to the server's log.
 * The line: method, route template (never the raw path), status, duration in ms, request id and the client's
 * address as express sees it (`req.ip`: the proxy's view with ITEC_TRUST_PROXY). The same observation feeds the
 * latency histogram of metrics.ts.
 */
import { randomUUID } from "node:crypto";

import type { Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";

import type { ApiMetrics } from "./metrics.ts";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id of a request this middleware has seen (undefined before it). */
export const requestIdOf = (res: Response): string | undefined => res.locals.requestId as string | undefined;

export function requestLog(logger: Logger, metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const given = req.get("x-request-id");
    const requestId = given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader("X-Request-Id", requestId);
    res.once("close", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = routeTemplate(req, res);
      const aborted = !res.writableFinished;
      metrics.observe(req.method, route, res.statusCode, ms / 1000);
      logger.info(
        {
          requestId,
          method: req.method,
          route,
          status: res.statusCode,
          durationMs: Math.round(ms * 100) / 100,
          ip: req.ip,
          ...(aborted ? { aborted } : {}),
        },
        "request",
      );
    });
    next();
  };
}

/**
 * The template of the route that answered (`/lots/:id`), from express's matched route; a static mount is
 * `/assets/*`; nothing matched is `unmatched`. Never the raw path: that would make one metric series per URL.
 */
function routeTemplate(req: Request, res: Response): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === "string") return req.baseUrl + path;
  if (Array.isArray(path)) return path.map((p) => req.baseUrl + String(p)).join("|");
  if (req.baseUrl) return `${req.baseUrl}/*`;
  return res.statusCode === 404 ? "unmatched" : "other";
}
