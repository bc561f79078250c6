/**
 * RFC 9457 problem details: every error the API returns is `application/problem+json` from one middleware.
 * Bad input is 400/422 with a JSON pointer per invalid field; nothing ever leaks a stack trace.
 */
import type { ErrorRequestHandler, Response } from "express";
import type { Logger } from "pino";
import { z } from "zod";

import { ChainError, isTransientError } from "../../core/chain/errors.ts";
import { OracleError, type OracleErrorCode } from "../../core/errors.ts";
import { IndexerError, type IndexerErrorCode } from "../../indexer/index.ts";
import { CodedError } from "../../sdk/src/errors.ts";

export const PROBLEM_TYPE_BASE = "https://itec-registry.dev/problems/";

/** One invalid field: where it is (RFC 6901 pointer into the request) and what is wrong. */
export interface FieldProblem {
  pointer: string;
  detail: string;
}

/** An error the API answers with as it is. `code` becomes the problem type's last segment. */
export class HttpProblem extends CodedError {
  readonly status: number;
  readonly title: string;
  readonly errors: FieldProblem[] | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: string,
    title: string,
    detail?: string,
    options: { errors?: FieldProblem[]; extra?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, detail ?? title, { cause: options.cause });
    this.status = status;
    this.title = title;
    this.errors = options.errors;
    this.extra = options.extra;
  }
}

export const problemSchema = z
  .object({
    type: z.string().describe("URI identifying the problem type"),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: z.string().describe("stable machine-readable code"),
    errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
  })
  .catchall(z.unknown())
  .meta({ id: "Problem" });

export type ProblemBody = z.infer<typeof problemSchema>;

export function sendProblem(res: Response, p: HttpProblem, instance?: string): void {
  const body: ProblemBody = {
    type: PROBLEM_TYPE_BASE + p.code.toLowerCase().replace(/_/g, "-"),
    title: p.title,
    status: p.status,
    detail: p.message,
    code: p.code,
    ...(instance ? { instance } : {}),
    ...(p.errors ? { errors: p.errors } : {}),
    ...(p.extra ?? {}),
  };
  res.status(p.status).type("application/problem+json").send(JSON.stringify(body));
}

/** zod issues → field problems with JSON pointers, rooted at `/body`, `/query` or `/params`. */
export function fieldProblems(root: string, error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    pointer: `${root}${issue.path.map((p) => `/${String(p).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("")}`,
    detail: issue.message,
  }));
}

const TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Authentication required",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  413: "Payload too large",
  415: "Unsupported media type",
  422: "Unprocessable content",
  429: "Too many requests",
  503: "Service unavailable",
};

/** The HTTP status of each service error code: the only place statuses are attached to the services' codes. */
export const SERVICE_STATUS: Readonly<Record<OracleErrorCode, number>> = {
  LOT_INVALID: 422,
  LOT_DUPLICATE: 409,
  LOT_NOTHING_ELIGIBLE: 422,
  NOT_FOUND: 404,
  BATCH_STATE: 409,
  NOT_A_PARTICIPANT: 422,
  INVALID_ADDRESS: 400,
  SIGNATURE_INVALID: 422,
  SIGNER_NOT_AUDITOR: 403,
  ALREADY_SIGNED: 409,
  ATTESTATION_EXPIRED: 409,
  CHAIN_UNAVAILABLE: 503,
};

/** The HTTP status of each indexer error code. */
export const INDEXER_STATUS: Readonly<Record<IndexerErrorCode, number>> = {
  CONFIG: 500,
  INVALID_FILTER: 400,
  CHAIN_CHANGED: 503,
  CONCURRENT_WRITER: 409,
  INCONSISTENT: 500,
  STORE: 500,
};

/** Maps any error to a problem: typed service errors keep their code; unknown errors are a 500 without details. */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof OracleError) {
    const status = SERVICE_STATUS[error.code];
    return new HttpProblem(status, error.code, TITLES[status] ?? "Error", error.message, {
      ...(error.details ? { extra: { ...error.details } } : {}),
    });
  }
  const e = error as { type?: string; status?: number; statusCode?: number; expose?: boolean };
  // body-parser / raw-body errors (they carry a `type` and an HTTP status).
  if (e && typeof e === "object" && typeof e.type === "string" && typeof (e.status ?? e.statusCode) === "number") {
    const status = (e.status ?? e.statusCode)!;
    if (e.type === "entity.parse.failed") {
      return new HttpProblem(400, "MALFORMED_BODY", "Malformed request body", "the request body is not valid JSON");
    }
    if (e.type === "entity.too.large") {
      return new HttpProblem(413, "PAYLOAD_TOO_LARGE", TITLES[413]!, "the request body is larger than the limit");
    }
    if (status >= 400 && status < 500) {
      return new HttpProblem(status, "BAD_REQUEST", TITLES[status] ?? "Bad request", "the request could not be read");
    }
  }
  // Indexer errors carry their HTTP status; a client's bad filter is a 400 with the reason, the rest say what failed.
  const indexerStatus = error instanceof IndexerError ? INDEXER_STATUS[error.code] : 500;
  if (error instanceof IndexerError && indexerStatus < 500) {
    return new HttpProblem(indexerStatus, error.code, TITLES[indexerStatus] ?? "Error", error.message);
  }
  if (error instanceof IndexerError && indexerStatus === 503) {
    return new HttpProblem(503, error.code, TITLES[503]!, `the event index is catching up: ${error.message}`, {
      extra: { retryAfterSeconds: 5 },
    });
  }
  if (error instanceof ChainError && error.code === "NOT_FOUND") {
    return new HttpProblem(404, "NOT_FOUND", TITLES[404]!, error.message);
  }
  if (isTransientError(error) || (error instanceof ChainError && error.code === "RPC_UNAVAILABLE")) {
    return new HttpProblem(
      503,
      "CHAIN_UNAVAILABLE",
      TITLES[503]!,
      "the registry's chain node is unreachable; try again",
      {
        extra: { retryAfterSeconds: 5 },
      },
    );
  }
  return new HttpProblem(500, "INTERNAL", "Internal error", "an unexpected error occurred; it has been logged");
}

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const p = toProblem(error);
    if (p.status >= 500) {
      logger.error(
        { err: error instanceof Error ? { message: error.message, stack: error.stack } : error, path: req.path },
        "request failed",
      );
    }
    if (p.status === 503) res.setHeader("Retry-After", "5");
    if (res.headersSent) return;
    sendProblem(res, p, req.originalUrl);
  };
}
