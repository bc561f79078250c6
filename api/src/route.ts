/**
 * Routes are declared once, with zod schemas for params, query, body and responses. The same declarations
 * validate every request (422 with a pointer per invalid field) and produce the OpenAPI 3.1 document, so the
 * document can never drift from what the server accepts.
 */
import type { Request, RequestHandler, Response, Router } from "express";
import { z } from "zod";

import { fieldProblems, HttpProblem, problemSchema, type FieldProblem } from "./problem.ts";

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
  responses: Record<number, ResponseSpec>;
  handler: (ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<Reply>;
}

/** Common error responses every route may give. */
const COMMON_ERRORS: Record<number, ResponseSpec> = {
  400: { description: "Malformed request", schema: problemSchema, contentType: "application/problem+json" },
  422: {
    description: "Invalid input (one pointer per field)",
    schema: problemSchema,
    contentType: "application/problem+json",
  },
  429: { description: "Rate limited", schema: problemSchema, contentType: "application/problem+json" },
  503: { description: "Chain unreachable", schema: problemSchema, contentType: "application/problem+json" },
};

export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec {
  return spec;
}

export interface MountOptions {
  authenticate: (req: Request) => Promise<Session>;
  limiters: Record<"auth" | "write" | "read", RequestHandler>;
  /** Body readers (JSON, CSV), run only for routes that take a body — after the rate limit and authentication. */
  bodyParsers: readonly RequestHandler[];
  /**
   * Check every reply against the route's declared responses before it is sent (tests; not production: it parses
   * every JSON answer again). A status the route does not declare, or a JSON body that does not match the schema
   * of its status — a wrong field, a field the schema does not declare, or a value the schema would rewrite (e.g.
   * an address not checksummed) — becomes a 500 `RESPONSE_INVALID` naming each field, also written to stderr.
   * Default: {@link responseValidation}`.enabled` when the routes are mounted.
   */
  validateResponses?: boolean;
}

/**
 * Process-wide default of {@link MountOptions.validateResponses}, read when routes are mounted. Off; the test
 * harness (test/helpers/api.ts) switches it on around `startApi`, so every API test also checks the document.
 */
export const responseValidation = { enabled: false };

/**
 * Registers every route on `router`. Order per request: rate limit → authentication (401 before anything else is
 * looked at) → media type (415) → body read (only routes that take one; 400/413) → validation (422) → handler. An
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
        (req, _res, next) => {
          if (!req.is(types)) {
            throw new HttpProblem(
              415,
              "UNSUPPORTED_MEDIA_TYPE",
              "Unsupported media type",
              `send ${types.join(" or ")}`,
            );
          }
          next();
        },
        ...options.bodyParsers,
      );
    }
    router[route.method](route.path, ...stages, async (req: Request, res: Response) => {
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
    });
  }
}

const JSON_TYPE = /^application\/([\w.-]+\+)?json(;|$)/i;

/** Throws a 500 RESPONSE_INVALID when a reply is not what the route declares (see MountOptions.validateResponses). */
function checkReply(route: RouteSpec, status: number, type: string | undefined, payload: string | Buffer | undefined) {
  const spec = route.responses[status];
  let errors: FieldProblem[] = [];
  if (!spec) {
    errors = [{ pointer: "/status", detail: `${status} is not among the declared responses` }];
  } else if (spec.schema && payload !== undefined && type !== undefined && JSON_TYPE.test(type)) {
    let value: unknown;
    try {
      value = JSON.parse(payload.toString()) as unknown;
    } catch {
      errors = [{ pointer: "/response", detail: "the body is not JSON" }];
    }
    if (!errors.length) {
      const result = spec.schema.safeParse(value);
      errors = result.success ? rewrites(value, result.data, "/response") : fieldProblems("/response", result.error);
    }
  }
  if (!errors.length) return;
  const detail = `${route.method.toUpperCase()} ${route.path} (${route.operationId}) answered ${status} not as declared`;
  process.stderr.write(`RESPONSE_INVALID: ${detail}\n${errors.map((e) => `  ${e.pointer}: ${e.detail}`).join("\n")}\n`);
  throw new HttpProblem(500, "RESPONSE_INVALID", "Response does not match its schema", detail, { errors });
}

/**
 * Where a parsed reply differs from what was sent: members the schema does not declare (it strips them; the
 * document says `additionalProperties: false`), members it adds, and values it rewrites.
 */
function rewrites(sent: unknown, parsed: unknown, pointer: string): FieldProblem[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
  if (Array.isArray(sent) && Array.isArray(parsed)) {
    return sent.flatMap((v, i) => rewrites(v, parsed[i], `${pointer}/${i}`));
  }
  if (isObject(sent) && isObject(parsed) && !Array.isArray(sent) && !Array.isArray(parsed)) {
    const at = (k: string) => `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`;
    return [
      ...Object.keys(sent).flatMap((k) =>
        Object.hasOwn(parsed, k)
          ? rewrites(sent[k], parsed[k], at(k))
          : [{ pointer: at(k), detail: "not declared in the response schema" }],
      ),
      ...Object.keys(parsed)
        .filter((k) => !Object.hasOwn(sent, k))
        .map((k) => ({ pointer: at(k), detail: "absent from the reply but added by the schema" })),
    ];
  }
  if (Object.is(sent, parsed)) return [];
  const show = (v: unknown) => (typeof v === "bigint" ? `${v}n` : JSON.stringify(v));
  return [{ pointer, detail: `the schema rewrites ${show(sent)} as ${show(parsed)}` }];
}

function parse(schema: z.ZodType | undefined, value: unknown, root: string): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new HttpProblem(422, "INVALID_INPUT", "Invalid input", "the request has invalid fields", {
    errors: fieldProblems(root, result.error),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// OpenAPI 3.1
// ---------------------------------------------------------------------------------------------------------------

interface JsonSchemaWithDefs {
  $defs?: Record<string, unknown>;
  [k: string]: unknown;
}

/** JSON Schema of a zod schema for the document; named schemas (`.meta({ id })`) go to components. */
function schemaOf(schema: z.ZodType, components: Record<string, unknown>, io: "input" | "output"): unknown {
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchemaWithDefs;
  const { $defs, $schema: _s, ...rest } = json;
  const rewrite = (v: unknown) =>
    JSON.parse(JSON.stringify(v).replaceAll('"#/$defs/', '"#/components/schemas/')) as unknown;
  for (const [name, def] of Object.entries($defs ?? {})) components[name] = rewrite(def);
  return rewrite(rest);
}

function objectShape(schema: z.ZodType | undefined): Record<string, z.ZodType> {
  if (!schema) return {};
  const def = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  return def ?? {};
}

export function openApiDocument(
  routes: readonly RouteSpec[],
  info: { title: string; version: string; description: string },
) {
  const components: Record<string, unknown> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z_]+)/g, "{$1}");
    const parameters = [
      ...Object.entries(objectShape(r.params)).map(([name, s]) => ({
        name,
        in: "path",
        required: true,
        schema: schemaOf(s, components, "input"),
        ...(s.description ? { description: s.description } : {}),
      })),
      ...Object.entries(objectShape(r.query)).map(([name, s]) => ({
        name,
        in: "query",
        required: !s.safeParse(undefined).success,
        schema: schemaOf(s, components, "input"),
        ...(s.description ? { description: s.description } : {}),
      })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, declared] of Object.entries({ ...COMMON_ERRORS, ...r.responses })) {
      // Every error is problem+json (errorMiddleware): an error declared with a description only says so too.
      const resp: ResponseSpec =
        Number(status) >= 400 && !declared.schema && !declared.contentType
          ? { ...declared, schema: problemSchema, contentType: "application/problem+json" }
          : declared;
      responses[status] = {
        description: resp.description,
        ...(resp.schema
          ? {
              content: {
                [resp.contentType ?? "application/json"]: { schema: schemaOf(resp.schema, components, "output") },
              },
            }
          : resp.contentType
            ? { content: { [resp.contentType]: {} } }
            : {}),
      };
    }
    if (r.auth === "session") {
      responses["401"] = {
        description: "Sign in first",
        content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
      };
      responses["403"] = {
        description: "Not allowed for this account",
        content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
      };
    }
    paths[path] ??= {};
    paths[path][r.method] = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: r.tags,
      ...(parameters.length ? { parameters } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: Object.fromEntries(
                (r.bodyTypes ?? ["application/json"]).map((t) => [
                  t,
                  { schema: t === "application/json" ? schemaOf(r.body!, components, "input") : { type: "string" } },
                ]),
              ),
            },
          }
        : {}),
      ...(r.auth === "session" ? { security: [{ siwe: [] }] } : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        siwe: {
          type: "http",
          scheme: "bearer",
          description: "Token from POST /auth/siwe (Sign-In with Ethereum, EIP-4361); roles are read from the chain",
        },
      },
    },
  };
}
