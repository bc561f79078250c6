/**
 * The OpenAPI 3.1 document, built from the route declarations: JSON Schemas from their zod schemas (named ones
 * become components), their request and answer examples, and per error status the problem codes the route can
 * answer with, each with an example problem.
 */
import { z } from "zod";

import { PROBLEM_CODES, problemSchema, problemType, STATUS_TITLES, type ProblemCode } from "../problem.ts";
import { problemCodesOf, type RouteSpec } from "./define.ts";

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

/** What an error status means when the route says nothing more specific. */
const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: "Malformed request",
  401: "Sign in first",
  403: "Not allowed for this account",
  404: "Not found",
  409: "Conflict with the current state",
  413: "Request body too large",
  415: "Unsupported media type",
  422: "Invalid input",
  429: "Rate limited",
  500: "Internal error",
  503: "Service unavailable",
};

/** An example problem answer with `code`, as the error middleware writes it (a component, shared by operations). */
function problemExample(code: ProblemCode) {
  const { status, meaning } = PROBLEM_CODES[code];
  return {
    summary: code,
    value: {
      type: problemType(code),
      title: STATUS_TITLES[status] ?? "Error",
      status,
      detail: meaning.replace(/`/g, ""),
      code,
      ...(code === "INVALID_INPUT" ? { errors: [{ pointer: "/query/limit", detail: "Too big: expected <=500" }] } : {}),
      ...(status === 503 ? { retryAfterSeconds: 5 } : {}),
    },
  };
}

/**
 * The error responses of a route: one per status of its problem codes, each code listed and exemplified (the
 * examples are components: `examples` collects those used).
 */
function errorResponses(route: RouteSpec, examples: Record<string, unknown>): Record<string, unknown> {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of problemCodesOf(route)) {
    const { status } = PROBLEM_CODES[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const status of Object.keys(route.responses).map(Number)) {
    if (status >= 400 && !byStatus.has(status)) byStatus.set(status, []);
  }
  const responses: Record<string, unknown> = {};
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const codes = byStatus.get(status)!;
    const list = codes.map((c) => `- \`${c}\`: ${PROBLEM_CODES[c].meaning}`).join("\n");
    const description = route.responses[status]?.description ?? ERROR_DESCRIPTIONS[status] ?? "Error";
    responses[String(status)] = {
      description: codes.length ? `${description}\n\nProblem codes:\n${list}` : description,
      content: {
        "application/problem+json": {
          schema: {
            allOf: [{ $ref: "#/components/schemas/Problem" }],
            ...(codes.length ? { properties: { code: { enum: codes } } } : {}),
          },
          ...(codes.length
            ? {
                examples: Object.fromEntries(
                  codes.map((c) => {
                    examples[c] ??= problemExample(c);
                    return [c, { $ref: `#/components/examples/${c}` }];
                  }),
                ),
              }
            : {}),
        },
      },
    };
  }
  return responses;
}

export function openApiDocument(
  routes: readonly RouteSpec[],
  info: { title: string; version: string; description: string },
) {
  const components: Record<string, unknown> = {};
  const examples: Record<string, unknown> = {};
  schemaOf(problemSchema, components, "output");
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z_]+)/g, "{$1}");
    const example = r.example ?? {};
    const parameter = (where: "path" | "query", name: string, s: z.ZodType, value: string | undefined) => ({
      name,
      in: where,
      required: where === "path" || !s.safeParse(undefined).success,
      schema: schemaOf(s, components, "input"),
      ...(s.description ? { description: s.description } : {}),
      ...(value !== undefined ? { example: value } : {}),
    });
    const parameters = [
      ...Object.entries(objectShape(r.params)).map(([name, s]) => parameter("path", name, s, example.params?.[name])),
      ...Object.entries(objectShape(r.query)).map(([name, s]) => parameter("query", name, s, example.query?.[name])),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, resp] of Object.entries(r.responses)) {
      if (Number(status) >= 400) continue;
      const media = resp.schema ? { schema: schemaOf(resp.schema, components, "output") } : {};
      responses[status] = {
        description: resp.description,
        ...(resp.schema || resp.contentType
          ? {
              content: {
                [resp.contentType ?? "application/json"]: {
                  ...media,
                  ...(resp.example !== undefined ? { example: resp.example } : {}),
                },
              },
            }
          : {}),
      };
    }
    Object.assign(responses, errorResponses(r, examples));
    const bodyMedia = (type: string) => {
      const json = type === "application/json";
      const value = example.body;
      const fits = value !== undefined && (typeof value === "string") !== json;
      return {
        schema: json ? schemaOf(r.body!, components, "input") : { type: "string" },
        ...(fits ? { example: value } : {}),
      };
    };
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
              content: Object.fromEntries((r.bodyTypes ?? ["application/json"]).map((t) => [t, bodyMedia(t)])),
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
      examples: Object.fromEntries(Object.entries(examples).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        siwe: {
          type: "http",
          scheme: "bearer",
          description:
            "A session token from Sign-In with Ethereum (EIP-4361): `GET /auth/nonce`, sign the message it " +
            "describes in your wallet, `POST /auth/siwe` with the message and signature; the answer's `token` " +
            "is short-lived (15 minutes by default). Roles are read from the chain on every request.",
        },
      },
    },
  };
}
