/**
 * Routes are declared once, with zod schemas for params, query, body and responses, examples of a request and of
 * each answer, and the problem codes the route can answer with. The same declarations validate every request
 * (mount.ts), check replies in tests (reply-check.ts) and produce the OpenAPI 3.1 document (openapi.ts), so the
 * document can never drift from what the server accepts and answers.
 */
import type { Request, Response } from "express";
import type { z } from "zod";

import type { ProblemCode } from "../problem.ts";

export type Method = "get" | "post" | "put" | "delete";

export interface Session {
  /** Checksummed address proven by Sign-In with Ethereum. */
  address: string;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  req: Request;
  res: Response;
  session: Session | undefined;
}

/** What a handler returns: JSON by default; `raw` sends a string/buffer as is with `contentType`. */
export interface Reply {
  status?: number;
  body?: unknown;
  raw?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
  /** An answer as the route gives it (JSON); a test checks it against `schema` as replies are checked. */
  example?: unknown;
}

/**
 * A request as an integrator would send it: `params` and `query` as the URL carries them (strings), `body` as
 * sent — a JSON value, or a string for a text body (CSV). A test checks each part against the route's schema.
 */
export interface RequestExample {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** Express-style path, e.g. `/lots/:id`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** `session`: a Sign-In with Ethereum bearer token is required (roles are then read from the chain). */
  auth?: "none" | "session";
  /** Which rate limiter guards the route. */
  limit?: "auth" | "write" | "read";
  params?: P;
  query?: Q;
  body?: B;
  /** Accepted request media types (default application/json). */
  bodyTypes?: string[];
  /** Required when the route takes params, a query or a body. */
  example?: RequestExample;
  /** Success answers; an error status listed here only gives its problems a route-specific description. */
  responses: Record<number, ResponseSpec>;
  /**
   * The problem codes the route answers with besides those its shape implies (see {@link problemCodesOf}). In
   * tests an answer with a code the route does not declare is a 500 (mount.ts), so the list stays true.
   */
  problems?: readonly ProblemCode[];
  handler: (ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<Reply>;
}

export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec {
  return spec;
}

/**
 * Every problem code a route can answer with: those of any route (rate limit, chain outage, an unexpected
 * error), those its shape implies (input → 422; a path parameter → 400 BAD_PATH_ENCODING; a body → 400/413/415;
 * a session → 401), then its own.
 */
export function problemCodesOf(route: RouteSpec): ProblemCode[] {
  const codes: ProblemCode[] = ["RATE_LIMITED", "CHAIN_UNAVAILABLE", "INTERNAL"];
  if (route.params || route.query || route.body) codes.push("INVALID_INPUT");
  if (route.path.includes(":")) codes.push("BAD_PATH_ENCODING");
  if (route.body) {
    codes.push("MALFORMED_BODY", "BAD_REQUEST", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE");
    codes.push("BAD_CONTENT_ENCODING", "UNSUPPORTED_CONTENT_ENCODING");
  }
  if (route.auth === "session") codes.push("UNAUTHENTICATED", "TOKEN_INVALID", "TOKEN_EXPIRED");
  for (const code of route.problems ?? []) if (!codes.includes(code)) codes.push(code);
  return codes;
}
