/**
 * Mounts declared routes on an express router: each request is rate limited, authenticated, read and validated
 * against the route's schemas (422 with a pointer per invalid field) before its handler runs.
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response, Router } from "express";
import type { z } from "zod";

import { fieldProblems, HttpProblem, toProblem } from "../problem.ts";
import type { RouteSpec, Session } from "./define.ts";
import { checkProblem, checkReply } from "./reply-check.ts";

export interface MountOptions {
  authenticate: (req: Request) => Promise<Session>;
  limiters: Record<"auth" | "write" | "read", RequestHandler>;
  /**
   * Body readers (JSON, CSV), run only for routes that take a body — after the rate limit and authentication; per
   * route when a function (each route's own size limits).
   */
  bodyParsers: readonly RequestHandler[] | ((route: RouteSpec) => readonly RequestHandler[]);
  /**
   * Check every answer against the route's declaration before it is sent (tests; not production: it parses
   * every JSON answer again): see reply-check.ts. Default: {@link responseValidation}`.enabled` when the routes
   * are mounted.
   */
  validateResponses?: boolean;
}

/**
 * The Content-Encodings a body may come in (body-parser inflates them; its size limit counts the inflated bytes,
 * so a compressed body cannot outgrow it). Fixed here rather than left to body-parser, whose zstd depends on the
 * Node version: the same request gets the same answer on every install. See docs/api.md, "Errors".
 */
export const BODY_ENCODINGS: ReadonlySet<string> = new Set(["identity", "gzip", "deflate", "br"]);

/**
 * Process-wide default of {@link MountOptions.validateResponses}, read when routes are mounted. Off; the test
 * harness (test/helpers/api.ts) switches it on around `startApi`, so every API test also checks the document.
 */
export const responseValidation = { enabled: false };

/**
 * Registers every route on `router`. Order per request: rate limit → authentication (401 before anything else is
 * looked at) → media type and content coding (415) → body read (only routes that take one; 400/413) → validation (422) → handler. An
 * unauthenticated or rate-limited caller never has its body read.
 */
export function mountRoutes(router: Router, routes: readonly RouteSpec[], options: MountOptions): void {
  const validate = options.validateResponses ?? responseValidation.enabled;
  for (const route of routes) {
    const limiter = options.limiters[route.limit ?? (route.method === "get" ? "read" : "write")];
    const stages: RequestHandler[] = [limiter];
    if (route.auth === "session") {
      stages.push(async (req, res, next) => {
        res.locals.session = await options.authenticate(req);
        next();
      });
    }
    if (route.body) {
      const types = route.bodyTypes ?? ["application/json"];
      stages.push(
        (req, res, next) => {
          if (!req.is(types)) {
            throw new HttpProblem(
              415,
              "UNSUPPORTED_MEDIA_TYPE",
              "Unsupported media type",
              `send ${types.join(" or ")}`,
            );
          }
          const encoding = (req.get("content-encoding") ?? "identity").trim().toLowerCase();
          if (!BODY_ENCODINGS.has(encoding)) {
            // RFC 9110 §12.5.3: a 415 for a content coding says which codings are accepted.
            res.setHeader("Accept-Encoding", "gzip, deflate, br");
            throw new HttpProblem(
              415,
              "UNSUPPORTED_CONTENT_ENCODING",
              "Unsupported media type",
              "send the body with Content-Encoding identity, gzip, deflate or br (one of them, not a list)",
            );
          }
          next();
        },
        ...(typeof options.bodyParsers === "function" ? options.bodyParsers(route) : options.bodyParsers),
      );
    }
    const handle = async (req: Request, res: Response) => {
      const params = parse(route.params, req.params, "/params");
      const query = parse(route.query, req.query, "/query");
      const body = route.body ? parse(route.body, req.body, "/body") : undefined;
      const session = res.locals.session as Session | undefined;
      const reply = await route.handler({ params, query, body, req, res, session });
      const status = reply.status ?? 200;
      const [payload, type] =
        reply.raw !== undefined
          ? [reply.raw, reply.contentType ?? "application/octet-stream"]
          : reply.body !== undefined
            ? [JSON.stringify(reply.body), reply.contentType ?? "application/json"]
            : [undefined, undefined];
      if (validate) checkReply(route, status, type, payload);
      if (reply.headers) for (const [k, v] of Object.entries(reply.headers)) res.setHeader(k, v);
      res.status(status);
      if (payload === undefined) res.end();
      else res.type(type).send(payload);
    };
    // Any stage's error passes here on its way to the error middleware: in tests, its code must be declared.
    const checkError: ErrorRequestHandler = (error: unknown, _req, _res, next) => {
      try {
        checkProblem(route, toProblem(error));
      } catch (invalid) {
        next(invalid);
        return;
      }
      next(error);
    };
    router[route.method](route.path, ...stages, handle, ...(validate ? [checkError] : []));
  }
}

function parse(schema: z.ZodType | undefined, value: unknown, root: string): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new HttpProblem(422, "INVALID_INPUT", "Invalid input", "the request has invalid fields", {
    errors: fieldProblems(root, result.error),
  });
}
