/**
 * Requests Node's HTTP parser refuses before express sees them (a method such as `FOO`, `Content-Length: -1`,
 * both Content-Length and Transfer-Encoding, a raw non-ASCII byte in the path, a request line and headers over
 * 16 KB, headers that take too long): answered as problem+json like every other error, written to the socket as
 * a raw HTTP/1.1 response with `Connection: close` — there is no request or response object to answer through.
 * What Node does not allow is documented in docs/api.md ("Errors").
 */
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { Socket } from "node:net";

import type { Logger } from "pino";

import { type ProblemBody, problemType, type ProblemCode, STATUS_TITLES } from "./problem.ts";

/** The parser's error codes that are not a 400 (the rest are). */
const STATUS_OF: Readonly<Record<string, { status: number; code: ProblemCode; detail: string }>> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: "HEADERS_TOO_LARGE",
    detail: "the request line and headers are larger than 16 KB",
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: "REQUEST_TIMEOUT",
    detail: "the request's headers did not arrive in time (or the whole request, the server's requestTimeout)",
  },
};

const MALFORMED = {
  status: 400,
  code: "MALFORMED_REQUEST" as const,
  detail: "the request is not a valid HTTP/1.1 request (method, request target, Content-Length or Transfer-Encoding)",
};

/** The status and problem code a parser error (by Node's error code) is answered with. */
export const clientErrorProblem = (errorCode: string | undefined) => (errorCode && STATUS_OF[errorCode]) || MALFORMED;

/** The raw HTTP/1.1 response a parser error is answered with: a problem+json body, then the connection closes. */
export function clientErrorResponse(errorCode: string | undefined, requestId: string): string {
  const { status, code, detail } = clientErrorProblem(errorCode);
  const title = STATUS_TITLES[status] ?? "Bad request";
  const problem: ProblemBody = { type: problemType(code), title, status, detail, code, requestId };
  const body = JSON.stringify(problem);
  return [
    `HTTP/1.1 ${status} ${title}`,
    "Content-Type: application/problem+json",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Cache-Control: no-store",
    "X-Content-Type-Options: nosniff",
    `X-Request-Id: ${requestId}`,
    "Connection: close",
    "",
    body,
  ].join("\r\n");
}

/**
 * Answers the parser's errors on `server` (its `clientError` event) as Node would, with a problem+json body: only
 * while the socket is writable and no answer to an earlier request on it has begun (writing then would corrupt
 * that answer); a reset connection is just closed. One info line per refusal (code and status, never a stack):
 * the client's mistake, not the server's.
 */
export function answerClientErrors(server: Server, logger: Logger): void {
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const requestId = randomUUID();
    const { status } = clientErrorProblem(error.code);
    logger.info({ requestId, code: error.code, status }, "request refused by the HTTP parser");
    socket.end(clientErrorResponse(error.code, requestId), () => socket.destroy());
  });
}
