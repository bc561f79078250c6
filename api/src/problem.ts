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
export class HttpProblem extends CodedError<ProblemCode> {
  readonly status: number;
  readonly title: string;
  readonly errors: FieldProblem[] | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: ProblemCode,
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
    requestId: z
      .string()
      .optional()
      .describe("the request's id: the X-Request-Id response header, and the server's log line of this request"),
  })
  .catchall(z.unknown())
  .meta({ id: "Problem" });

export type ProblemBody = z.infer<typeof problemSchema>;

/** The problem type URI of a code, e.g. `…/problems/not-found` for NOT_FOUND. */
export const problemType = (code: string): string => PROBLEM_TYPE_BASE + code.toLowerCase().replace(/_/g, "-");

export function sendProblem(res: Response, p: HttpProblem, instance?: string): void {
  const requestId = res.locals.requestId as string | undefined; // set by request-log.ts for every request
  const body: ProblemBody = {
    type: problemType(p.code),
    title: p.title,
    status: p.status,
    detail: p.message,
    code: p.code,
    ...(instance ? { instance } : {}),
    ...(p.errors ? { errors: p.errors } : {}),
    ...(p.extra ?? {}),
    ...(requestId ? { requestId } : {}),
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

/** The title of a problem by status, where the thrower gives none of its own. */
export const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: "Bad request",
  401: "Authentication required",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  408: "Request timeout",
  409: "Conflict",
  413: "Payload too large",
  415: "Unsupported media type",
  422: "Unprocessable content",
  429: "Too many requests",
  431: "Request header fields too large",
  500: "Internal error",
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
  SAMPLE_INCOMPLETE: 409,
  CHAIN_UNAVAILABLE: 503,
  EXTERNAL_SET_UNAVAILABLE: 503,
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

/** What a problem code tells the caller: its HTTP status and what happened (shown in the API reference). */
export interface ProblemCodeSpec {
  status: number;
  meaning: string;
}

const fromService = (code: OracleErrorCode, meaning: string): ProblemCodeSpec => ({
  status: SERVICE_STATUS[code],
  meaning,
});
const fromIndexer = (code: IndexerErrorCode, meaning: string): ProblemCodeSpec => ({
  status: INDEXER_STATUS[code],
  meaning,
});
const lotUnreadable = (meaning: string): ProblemCodeSpec => ({ status: 422, meaning });

/**
 * Every stable code a problem answer can carry, with its status. Routes declare which of them they can answer
 * with (`problems` in their declaration); the OpenAPI document lists them per response status, and in tests an
 * answer with a code its route does not declare, or with another status than this one, is a 500.
 */
export const PROBLEM_CODES = {
  // The request as a whole
  MALFORMED_BODY: { status: 400, meaning: "the request body is not valid JSON" },
  BAD_REQUEST: { status: 400, meaning: "the request body could not be read (e.g. an unsupported charset)" },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: "the request body is larger than the operation's limit (docs/api.md)" },
  TOO_MANY_ROWS: { status: 413, meaning: "more rows (devices, inventory lines) than the operation takes" },
  SERVER_BUSY: { status: 503, meaning: "every calculation worker is busy and the queue is full; see `Retry-After`" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: "the body's Content-Type is not one the operation takes" },
  BAD_PATH_ENCODING: { status: 400, meaning: "a path segment is not valid percent-encoding (e.g. `%ZZ`, `%C0%AF`)" },
  BAD_CONTENT_ENCODING: { status: 400, meaning: "the body does not decompress as its Content-Encoding says" },
  UNSUPPORTED_CONTENT_ENCODING: {
    status: 415,
    meaning: "the body's Content-Encoding is not identity, gzip, deflate or br",
  },
  METHOD_NOT_ALLOWED: { status: 405, meaning: "the path exists, not with this method: `Allow` lists its methods" },
  MALFORMED_REQUEST: {
    status: 400,
    meaning: "not a parseable HTTP/1.1 request (answered, then the connection closed)",
  },
  HEADERS_TOO_LARGE: { status: 431, meaning: "the request line and headers exceed 16 KB (the connection is closed)" },
  REQUEST_TIMEOUT: { status: 408, meaning: "the request's headers did not arrive in time (the connection is closed)" },
  INVALID_INPUT: { status: 422, meaning: "invalid fields: `errors` holds one JSON pointer per field" },
  RATE_LIMITED: { status: 429, meaning: "too many requests from this client this minute; see `Retry-After`" },
  CORS_NOT_ALLOWED: { status: 403, meaning: "a browser preflight from an origin not in ITEC_CORS_ORIGINS" },
  NOT_FOUND: fromService("NOT_FOUND", "no such resource (lot, batch, retirement, route)"),
  INTERNAL: { status: 500, meaning: "an unexpected error; it has been logged (no details are given)" },
  RESPONSE_INVALID: { status: 500, meaning: "tests only: the answer does not match its declared schema" },
  // Sign-in and roles
  UNAUTHENTICATED: { status: 401, meaning: "no bearer token: sign in with GET /auth/nonce and POST /auth/siwe" },
  TOKEN_INVALID: { status: 401, meaning: "the bearer token is not one this registry issued" },
  TOKEN_EXPIRED: { status: 401, meaning: "the bearer token has expired: sign in again" },
  SIWE_MALFORMED: { status: 422, meaning: "the sign-in message is not an EIP-4361 message" },
  SIWE_DOMAIN: { status: 401, meaning: "the sign-in message names another domain than this registry's" },
  SIWE_CHAIN: { status: 401, meaning: "the sign-in message names another chain than the registry's" },
  SIWE_EXPIRED: { status: 401, meaning: "the sign-in message's Expiration Time has passed" },
  SIWE_NOT_YET_VALID: { status: 401, meaning: "the sign-in message's Not Before is still ahead" },
  SIWE_STALE: { status: 401, meaning: "the sign-in message's Issued At is too far from the server's time" },
  SIWE_NONCE: { status: 401, meaning: "unknown, used or expired nonce: ask GET /auth/nonce for a new one" },
  SIWE_SIGNATURE: { status: 401, meaning: "the signature is not the message's account's (EOA or ERC-1271)" },
  SIWE_URI: { status: 401, meaning: "the sign-in message's URI is not on this registry's origin" },
  FORBIDDEN: { status: 403, meaning: "the signed-in account lacks the role or standing the operation needs" },
  // Services behind the API
  CHAIN_UNAVAILABLE: fromService("CHAIN_UNAVAILABLE", "the registry's chain node is unreachable; retry later"),
  EXTERNAL_SET_UNAVAILABLE: fromService(
    "EXTERNAL_SET_UNAVAILABLE",
    "a registered external device set's list cannot be fetched or is not its root's; the lot waits (retry later)",
  ),
  ORACLE_UNAVAILABLE: { status: 503, meaning: "this registry runs no oracle service (lots and batch jobs)" },
  INDEX_UNAVAILABLE: { status: 503, meaning: "this registry runs no event index (listings)" },
  MARKET_UNAVAILABLE: { status: 503, meaning: "this registry runs no market (ITEC_MARKET_ADDRESS is unset)" },
  OFFER_NOT_FOUND: { status: 404, meaning: "no offer with this hash was published here" },
  OFFER_WRONG_DOMAIN: {
    status: 422,
    meaning: "the offer was signed for another chain or market contract: sign it for the domain GET /market answers",
  },
  OFFER_BAD_SIGNATURE: { status: 422, meaning: "the signature does not verify for the offer's seller on this market" },
  OFFER_SELLER_NOT_ACTIVE: { status: 422, meaning: "the offer's seller is not an active participant" },
  OFFER_EXPIRED: { status: 422, meaning: "the offer's expiry has passed" },
  OFFER_CLOSED: { status: 422, meaning: "nothing is left of the offer: its nonce was cancelled, voided or filled" },
  OFFER_TOKEN_NOT_ADMITTED: { status: 422, meaning: "the offer's settlement token is not admitted by the market" },
  OFFER_INVALID: { status: 422, meaning: "a field of the offer is invalid (see `errors`)" },
  APP_NOT_BUILT: { status: 503, meaning: "the web app is not built here: `npm run build` in a clone (docs/app.md)" },
  CHAIN_CHANGED: fromIndexer("CHAIN_CHANGED", "the event index is catching up after the chain changed; retry"),
  CONCURRENT_WRITER: fromIndexer("CONCURRENT_WRITER", "another indexer wrote the same range first; retry"),
  INVALID_FILTER: fromIndexer("INVALID_FILTER", "a listing filter is invalid"),
  // Lots, batch jobs and signatures (the oracle service)
  LOT_INVALID: fromService("LOT_INVALID", "the lot cannot be calculated as submitted"),
  LOT_DUPLICATE: fromService("LOT_DUPLICATE", "the lot reference or its devices are taken by another lot"),
  LOT_NOTHING_ELIGIBLE: fromService("LOT_NOTHING_ELIGIBLE", "no device of the lot is eligible; nothing stored"),
  LOT_EMPTY: lotUnreadable("the lot has no device rows"),
  BAD_HEADER: lotUnreadable("the CSV header is not exactly the columns of docs/methodology.md §4"),
  BAD_CSV: lotUnreadable("the CSV is malformed beyond one row (e.g. an unclosed quote)"),
  BAD_JSON: lotUnreadable("the JSON lot does not match its schema"),
  BAD_OPTIONS: lotUnreadable("a lot option (as-of date, default transport, …) is invalid"),
  LOT_TOO_LARGE: lotUnreadable("a batch has more devices than the registry takes (2^24 − 1)"),
  UNREADABLE_FILE: lotUnreadable("the lot cannot be read"),
  BAD_REFERENCE: lotUnreadable("the reference data the calculation needs is unusable"),
  BATCH_STATE: fromService("BATCH_STATE", "the batch job is not in a state that allows this (see its state)"),
  NOT_A_PARTICIPANT: fromService("NOT_A_PARTICIPANT", "the account is not an active participant of that kind"),
  INVALID_ADDRESS: fromService("INVALID_ADDRESS", "an address is not a valid Ethereum address"),
  SIGNATURE_INVALID: fromService("SIGNATURE_INVALID", "the signature is malformed or not the auditor's"),
  SIGNER_NOT_AUDITOR: fromService(
    "SIGNER_NOT_AUDITOR",
    "the signer is not an auditor accredited now for the batch's device category (none, expired, not yet valid, out of scope)",
  ),
  ALREADY_SIGNED: fromService("ALREADY_SIGNED", "this auditor already signed or refused this batch"),
  ATTESTATION_EXPIRED: fromService("ATTESTATION_EXPIRED", "the attestation's deadline has passed"),
  SAMPLE_INCOMPLETE: fromService(
    "SAMPLE_INCOMPLETE",
    "the batch's audit sample is not drawn yet or a sampled device has no evidence outcome: record the outcomes, then sign",
  ),
  // Scope 3 reports
  BAD_INVENTORY: { status: 422, meaning: "the procurement inventory cannot be read" },
  // Flow-through deliveries (docs/deliveries.md)
  DELIVERY_INVALID: { status: 422, meaning: "the delivery's reference, customer or device list cannot be used" },
  DELIVERY_SENT: { status: 409, meaning: "the delivery was sent already: a new delivery needs a new reference" },
  DELIVERY_CONFLICT: { status: 409, meaning: "a device flowed through with another delivery meanwhile: prepare again" },
  DELIVERY_TRANSFER_MISMATCH: {
    status: 422,
    meaning: "the transaction is not the delivery's transfer (sender, customer, counts or reference hash differ)",
  },
  // Transactions built and relayed
  WOULD_REVERT: { status: 422, meaning: "the registry would refuse the transaction: `revert` names the error" },
  TX_MALFORMED: { status: 422, meaning: "signedTransaction is not a signed RLP transaction" },
  TX_UNSIGNED: { status: 422, meaning: "the transaction carries no signature" },
  TX_NOT_YOURS: { status: 403, meaning: "the transaction is signed by another account than the signed-in one" },
  TX_WRONG_CHAIN: { status: 422, meaning: "the transaction is for another chain" },
  TX_NOT_REGISTRY: { status: 422, meaning: "the transaction does not call the registry contract" },
  TX_FUNCTION_NOT_ALLOWED: { status: 422, meaning: "the relay does not forward this registry function" },
  TX_REFUSED: { status: 409, meaning: "the node refused the transaction (e.g. nonce or balance)" },
  RELAY_NOT_ALLOWED: {
    status: 403,
    meaning: "the relay serves active participants, accredited auditors and the admin: send it yourself",
  },
  TX_TYPE: { status: 422, meaning: "the relay forwards transaction types 0, 1 and 2 only" },
  TX_VALUE: { status: 422, meaning: "the transaction carries ether: registry calls take none (value 0)" },
  TX_GAS_CAP: { status: 422, meaning: "the gas limit is above the operation's cap (`gasCap`): sign it with less" },
  TX_NONCE: { status: 409, meaning: "the nonce is not the account's next one (`expectedNonce`): sign it again" },
} as const satisfies Record<string, ProblemCodeSpec>;

export type ProblemCode = keyof typeof PROBLEM_CODES;

export const isProblemCode = (code: string): code is ProblemCode => Object.hasOwn(PROBLEM_CODES, code);

/** Maps any error to a problem: typed service errors keep their code; unknown errors are a 500 without details. */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof OracleError) {
    const status = SERVICE_STATUS[error.code];
    return new HttpProblem(status, error.code, STATUS_TITLES[status] ?? "Error", error.message, {
      ...(error.details ? { extra: { ...error.details } } : {}),
    });
  }
  const framework = frameworkProblem(error);
  if (framework) return framework;
  // Indexer errors carry their HTTP status; a client's bad filter is a 400 with the reason, the rest say what failed.
  const indexerStatus = error instanceof IndexerError ? INDEXER_STATUS[error.code] : 500;
  const indexerCode = error instanceof IndexerError && isProblemCode(error.code) ? error.code : undefined;
  if (indexerCode && indexerStatus < 500) {
    return new HttpProblem(
      indexerStatus,
      indexerCode,
      STATUS_TITLES[indexerStatus] ?? "Error",
      (error as Error).message,
    );
  }
  if (indexerCode && indexerStatus === 503) {
    const detail = `the event index is catching up: ${(error as Error).message}`;
    return new HttpProblem(503, indexerCode, STATUS_TITLES[503]!, detail, { extra: { retryAfterSeconds: 5 } });
  }
  if (error instanceof ChainError && error.code === "NOT_FOUND") {
    return new HttpProblem(404, "NOT_FOUND", STATUS_TITLES[404]!, error.message);
  }
  if (isTransientError(error) || (error instanceof ChainError && error.code === "RPC_UNAVAILABLE")) {
    return new HttpProblem(
      503,
      "CHAIN_UNAVAILABLE",
      STATUS_TITLES[503]!,
      "the registry's chain node is unreachable; try again",
      {
        extra: { retryAfterSeconds: 5 },
      },
    );
  }
  return new HttpProblem(500, "INTERNAL", "Internal error", "an unexpected error occurred; it has been logged");
}

/** Node's zlib (Z_DATA_ERROR, Z_BUF_ERROR, …) and brotli (ERR__ERROR_FORMAT_…) decompression error codes. */
const DECOMPRESSION_ERROR = /^(Z_|ERR__ERROR_|ERR_BROTLI|ERR_ZSTD)/;

/** The stable code of a framework error by its 4xx status (BAD_REQUEST, which keeps any 4xx status, for the rest). */
const CODE_OF_STATUS: Readonly<Record<number, ProblemCode>> = {
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

/**
 * Errors of express, its router and body-parser/raw-body/send: each carries an HTTP status (`status`/`statusCode`),
 * and a 4xx keeps it — the client's mistake, never a 500 (and so never an error-level log line). The router's
 * URIError (bad percent-encoding in a path parameter) is BAD_PATH_ENCODING; a body that fails to decompress
 * (body-parser passes zlib's error on with status 400 and no `type`) is BAD_CONTENT_ENCODING.
 */
function frameworkProblem(error: unknown): HttpProblem | undefined {
  if (!error || typeof error !== "object") return undefined;
  const e = error as {
    type?: unknown;
    status?: unknown;
    statusCode?: unknown;
    code?: unknown;
    expose?: unknown;
    limit?: unknown;
  };
  const status = typeof e.status === "number" ? e.status : e.statusCode;
  if (typeof status !== "number" || status < 400 || status >= 500) return undefined;
  // http-errors (what express, body-parser and send throw) marks a client error `expose`; the router's URIError
  // is a plain one. An error of anything else that happens to carry a status stays an unexpected 500.
  if (e.expose !== true && !(error instanceof URIError)) return undefined;
  const title = STATUS_TITLES[status] ?? "Bad request";
  if (error instanceof URIError) {
    const detail = "a path segment is not valid percent-encoding (RFC 3986 §2.1, UTF-8)";
    return new HttpProblem(400, "BAD_PATH_ENCODING", STATUS_TITLES[400]!, detail);
  }
  if (e.type === "entity.parse.failed") {
    return new HttpProblem(400, "MALFORMED_BODY", "Malformed request body", "the request body is not valid JSON");
  }
  if (e.type === "entity.too.large") {
    const limit = typeof e.limit === "number" ? ` of ${e.limit} bytes` : "";
    return new HttpProblem(413, "PAYLOAD_TOO_LARGE", title, `the request body is larger than the limit${limit}`);
  }
  if (e.type === "encoding.unsupported") {
    const detail = "send the body with Content-Encoding identity, gzip, deflate or br";
    return new HttpProblem(415, "UNSUPPORTED_CONTENT_ENCODING", title, detail);
  }
  if (e.type === undefined && typeof e.code === "string" && DECOMPRESSION_ERROR.test(e.code)) {
    const detail = "the request body does not decompress as its Content-Encoding says";
    return new HttpProblem(400, "BAD_CONTENT_ENCODING", STATUS_TITLES[400]!, detail);
  }
  const code = CODE_OF_STATUS[status] ?? "BAD_REQUEST";
  return new HttpProblem(status, code, title, "the request could not be read");
}

export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const p = toProblem(error);
    if (p.status >= 500) {
      logger.error(
        {
          err: error instanceof Error ? { message: error.message, stack: error.stack } : error,
          path: req.path,
          requestId: res.locals.requestId as string | undefined,
        },
        "request failed",
      );
    }
    if (p.status === 503) res.setHeader("Retry-After", "5");
    if (res.headersSent) return;
    sendProblem(res, p, req.originalUrl);
  };
}
