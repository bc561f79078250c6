/**
 * Requests a fuzzer sends that once answered 500, an empty body or a 304 (issue 18, "Broke" 1): bad
 * percent-encoding in a path, a corrupt or unknown Content-Encoding, requests Node's HTTP parser refuses, a wrong
 * method, `If-None-Match: *`. Each is now a problem+json answer with a stable code and the right status, and none
 * writes an error-level log line. Sent over raw sockets, so no client library normalises what goes on the wire.
 */
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";

import { expect } from "chai";
import { pino } from "pino";

import { allRoutes, createApp } from "../../api/src/app.ts";
import { answerClientErrors } from "../../api/src/client-error.ts";
import { toProblem } from "../../api/src/problem.ts";
import { responseValidation } from "../../api/src/route/mount.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";

const PROBLEM = /^application\/problem\+json/;

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `request` as is to the server at `url` and reads the answer until the server closes the connection. */
function raw(url: string, request: string | Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(15_000, () => socket.destroy(new Error("no answer within 15 s")));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    // A reset after the answer (the server closes a connection it refused) still leaves a whole answer.
    socket.on("error", (e) => (chunks.length ? undefined : reject(e)));
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine!.split(" ")[1]), headers, body: text.slice(end + 4) });
    });
    // Not ended: a half-closed connection may be dropped before its answer; the server closes it (Connection: close,
    // or after a refusal).
    socket.write(request);
  });
}

/** A request in HTTP/1.1 wire form that asks the server to close the connection after its answer. */
function wire(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close"];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (body) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1"), body ?? Buffer.alloc(0)]);
}

/** The answer's problem body, after checking it is problem+json with `status` and `code`. */
function expectProblem(answer: RawAnswer, status: number, code: string, label: string): Record<string, unknown> {
  expect(answer.status, `${label}: ${answer.body}`).to.equal(status);
  expect(answer.headers["content-type"], label).to.match(PROBLEM);
  const problem = JSON.parse(answer.body) as Record<string, unknown>;
  expect(problem, label).to.include({ status, code });
  expect(answer.body, label).not.to.match(/ at |stack|node_modules/);
  return problem;
}

describe("Malformed requests", function () {
  this.timeout(180_000);
  let h: ApiHarness;
  /** The same app on a server of this test's, whose log lines are kept. */
  let logged: { url: string; server: Server; lines: { level: number; msg: string; [k: string]: unknown }[] };

  before(async function () {
    h = await startApiHarness();
    const lines: typeof logged.lines = [];
    const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const server = createServer();
    answerClientErrors(server, logger);
    const validating = responseValidation.enabled;
    responseValidation.enabled = true;
    try {
      server.on("request", createApp({ ...h.api.deps, logger }));
    } finally {
      responseValidation.enabled = validating;
    }
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    logged = { url: `http://127.0.0.1:${port}`, server, lines };
  });

  after(async function () {
    logged?.server.closeAllConnections();
    await new Promise<void>((resolve) => (logged ? logged.server.close(() => resolve()) : resolve()));
    await h?.close();
  });

  /** Log lines written while `run` ran. */
  async function logOf(run: () => Promise<void>) {
    const from = logged.lines.length;
    await run();
    return logged.lines.slice(from);
  }

  describe("bad percent-encoding in a path parameter", function () {
    it("answers 400 BAD_PATH_ENCODING as problem+json, without an error log line or a stack", async function () {
      const paths = [
        "/lots/%ZZ",
        "/verify/retirements/%",
        "/accounts/%C0%AF/balances",
        "/lots/%E0%A4%A",
        "/batches/%FF/attestation",
        "/retirements/%/certificate.pdf",
      ];
      const lines = await logOf(async () => {
        for (const path of paths) {
          const problem = expectProblem(await raw(logged.url, wire("GET", path)), 400, "BAD_PATH_ENCODING", path);
          expect(problem.instance, path).to.equal(path);
        }
      });
      // One request line each, at info: no error or warn line, no stack.
      expect(lines.filter((l) => l.level >= 40)).to.deep.equal([]);
      expect(JSON.stringify(lines)).not.to.include("stack");
      expect(lines.filter((l) => l.msg === "request").map((l) => l.status)).to.deep.equal(paths.map(() => 400));
    });

    it("keeps an unmatched path with bad encoding a 404", async function () {
      expectProblem(await raw(h.api.url, wire("GET", "/nowhere/%ZZ")), 404, "NOT_FOUND", "/nowhere/%ZZ");
    });
  });

  describe("toProblem", function () {
    it("keeps the 4xx status of express's and body-parser's errors (http-errors: `expose`)", function () {
      const httpError = (status: number, extra: object = {}) =>
        Object.assign(new Error("x"), { status, statusCode: status, expose: true }, extra);
      expect(toProblem(httpError(416))).to.include({ status: 416, code: "BAD_REQUEST" });
      expect(toProblem(httpError(405))).to.include({ status: 405, code: "METHOD_NOT_ALLOWED" });
      expect(toProblem(httpError(413))).to.include({ status: 413, code: "PAYLOAD_TOO_LARGE" });
      expect(toProblem(httpError(400, { code: "Z_DATA_ERROR" }))).to.include({
        status: 400,
        code: "BAD_CONTENT_ENCODING",
      });
      expect(toProblem(httpError(415, { type: "encoding.unsupported" }))).to.include({
        status: 415,
        code: "UNSUPPORTED_CONTENT_ENCODING",
      });
      const uri = Object.assign(new URIError("Failed to decode param '%ZZ'"), { status: 400, statusCode: 400 });
      expect(toProblem(uri)).to.include({ status: 400, code: "BAD_PATH_ENCODING" });
    });

    it("leaves a status on any other error an unexpected 500 (a client's 404 from a fetch is not ours)", function () {
      const stray = Object.assign(new Error("upstream said 404"), { status: 404 });
      expect(toProblem(stray)).to.include({ status: 500, code: "INTERNAL" });
    });
  });

  describe("Content-Encoding of a body", function () {
    const json = Buffer.from(JSON.stringify({ message: 1 }));
    const corrupt: [string, Buffer][] = [
      ["gzip", Buffer.from("this is not gzip")],
      ["gzip", gzipSync(json).subarray(0, 12)], // cut off
      ["deflate", Buffer.from("this is not deflate")],
      ["br", Buffer.from("this is not brotli at all")],
      ["GZIP", Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff])],
    ];

    it("answers a body that does not decompress with 400 BAD_CONTENT_ENCODING (unauthenticated routes)", async function () {
      const lines = await logOf(async () => {
        for (const path of ["/auth/siwe", "/reports/scope3"]) {
          for (const [encoding, body] of corrupt) {
            const headers = { "Content-Type": "application/json", "Content-Encoding": encoding };
            const answer = await raw(logged.url, wire("POST", path, headers, body));
            expectProblem(answer, 400, "BAD_CONTENT_ENCODING", `${path} ${encoding}`);
          }
        }
      });
      expect(lines.filter((l) => l.level >= 40)).to.deep.equal([]);
    });

    it("refuses an unknown or listed Content-Encoding with 415 before reading the body", async function () {
      for (const encoding of ["compress", "zstd", "x-custom", "gzip, br", "identity, gzip"]) {
        const headers = { "Content-Type": "application/json", "Content-Encoding": encoding };
        const answer = await raw(h.api.url, wire("POST", "/auth/siwe", headers, gzipSync(json)));
        expectProblem(answer, 415, "UNSUPPORTED_CONTENT_ENCODING", encoding);
        expect(answer.headers["accept-encoding"], encoding).to.equal("gzip, deflate, br");
      }
    });

    it("inflates gzip, deflate and br bodies that are well formed (their fields are then checked)", async function () {
      for (const [encoding, body] of [
        ["gzip", gzipSync(json)],
        ["deflate", deflateSync(json)],
        ["br", brotliCompressSync(json)],
        ["identity", json],
      ] as const) {
        const headers = { "Content-Type": "application/json", "Content-Encoding": encoding };
        const problem = expectProblem(
          await raw(h.api.url, wire("POST", "/auth/siwe", headers, body)),
          422,
          "INVALID_INPUT",
          encoding,
        );
        const pointers = (problem.errors as { pointer: string }[]).map((e) => e.pointer);
        expect(pointers, encoding).to.include("/body/message");
      }
    });

    it("still asks for a session before reading an authenticated route's body", async function () {
      const headers = { "Content-Type": "application/json", "Content-Encoding": "gzip" };
      const answer = await raw(h.api.url, wire("POST", "/lots", headers, Buffer.from("not gzip")));
      expectProblem(answer, 401, "UNAUTHENTICATED", "POST /lots");
    });
  });

  describe("requests Node's HTTP parser refuses", function () {
    const cases: [string, Buffer, number, string][] = [
      ["method FOO", Buffer.from("FOO / HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "MALFORMED_REQUEST"],
      [
        "Content-Length: -1",
        Buffer.from("POST /auth/siwe HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"),
        400,
        "MALFORMED_REQUEST",
      ],
      [
        "Content-Length and Transfer-Encoding",
        Buffer.from(
          "POST /auth/siwe HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        ),
        400,
        "MALFORMED_REQUEST",
      ],
      [
        "raw non-ASCII path",
        Buffer.from("GET /lots/\u00e9t\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n", "utf8"),
        400,
        "MALFORMED_REQUEST",
      ],
      ["a space in the path", Buffer.from("GET /lots/a b HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "MALFORMED_REQUEST"],
      [
        "a 20 KB query",
        Buffer.from(`GET /health?q=${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
        431,
        "HEADERS_TOO_LARGE",
      ],
      [
        "a 20 KB header",
        Buffer.from(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`),
        431,
        "HEADERS_TOO_LARGE",
      ],
    ];

    it("answers each as problem+json with Connection: close (the API's own server)", async function () {
      for (const [label, request, status, code] of cases) {
        const answer = await raw(h.api.url, request);
        const problem = expectProblem(answer, status, code, label);
        expect(answer.headers.connection, label).to.equal("close");
        expect(Number(answer.headers["content-length"]), label).to.equal(Buffer.byteLength(answer.body));
        expect(problem.requestId, label)
          .to.equal(answer.headers["x-request-id"])
          .and.match(/^[0-9a-f-]{36}$/);
      }
    });

    it("logs one info line per refusal, with its code and no stack", async function () {
      const lines = await logOf(async () => {
        for (const [, request] of cases) await raw(logged.url, request);
      });
      expect(lines.map((l) => [l.level, l.msg])).to.deep.equal(
        cases.map(() => [30, "request refused by the HTTP parser"]),
      );
      expect(lines.map((l) => l.status)).to.deep.equal(cases.map(([, , status]) => status));
      expect(JSON.stringify(lines)).not.to.include("stack");
    });

    it("answers headers that do not arrive in time with 408 REQUEST_TIMEOUT", async function () {
      // Node's own timers, shortened: the same clientError path as its 60 s headers timeout.
      const slow = createServer({ headersTimeout: 300, requestTimeout: 400, connectionsCheckingInterval: 50 });
      answerClientErrors(slow, pino({ level: "silent" }));
      slow.on("request", (_req, res) => res.end("never"));
      await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = slow.address() as { port: number };
        const answer = await raw(`http://127.0.0.1:${port}`, Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n"));
        expectProblem(answer, 408, "REQUEST_TIMEOUT", "partial headers");
        expect(answer.headers.connection).to.equal("close");
      } finally {
        slow.closeAllConnections();
        await new Promise<void>((resolve) => slow.close(() => resolve()));
      }
    });

    it("still answers a well-formed request on a new connection afterwards", async function () {
      const answer = await raw(h.api.url, wire("GET", "/health"));
      expect(answer.status).to.equal(200);
    });
  });

  describe("a wrong method on a path that exists", function () {
    it("answers 405 METHOD_NOT_ALLOWED with Allow listing the path's methods", async function () {
      const cases: [string, string, string][] = [
        ["POST", "/verify/retirements/1", "GET, HEAD"],
        ["PUT", "/health", "GET, HEAD"],
        ["DELETE", "/lots", "GET, HEAD, POST"],
        ["GET", "/auth/siwe", "POST"],
        ["HEAD", "/auth/siwe", "POST"],
        ["DELETE", "/docs", "GET, HEAD"],
      ];
      for (const [method, path, allow] of cases) {
        const answer = await raw(h.api.url, wire(method, path));
        expect(answer.status, `${method} ${path}`).to.equal(405);
        expect(answer.headers.allow, `${method} ${path}`).to.equal(allow);
        if (method !== "HEAD") expectProblem(answer, 405, "METHOD_NOT_ALLOWED", `${method} ${path}`);
      }
    });

    it("derives Allow from the route table: every declared route's path answers PATCH with 405", async function () {
      const routes = allRoutes(h.api.deps);
      const concrete = (path: string) => path.replace(/:(\w+)/g, "1");
      for (const route of routes) {
        const path = concrete(route.path);
        const expected = new Set(routes.filter((r) => concrete(r.path) === path).map((r) => r.method.toUpperCase()));
        const answer = await raw(h.api.url, wire("PATCH", path));
        expect(answer.status, `PATCH ${path}`).to.equal(405);
        const allow = answer.headers.allow!.split(", ");
        for (const m of expected) expect(allow, `PATCH ${path}`).to.include(m);
      }
    });

    it("keeps an unmatched path a 404 without Allow", async function () {
      for (const method of ["GET", "POST", "DELETE"]) {
        const answer = await raw(h.api.url, wire(method, "/no/such/path"));
        expectProblem(answer, 404, "NOT_FOUND", method);
        expect(answer.headers.allow).to.equal(undefined);
      }
    });
  });

  describe("conditional GET", function () {
    it("never answers 304 to If-None-Match: * (no validator was matched)", async function () {
      for (const path of ["/health", "/network", "/openapi.json", "/reference-data", "/verify", "/assets/style.css"]) {
        for (const tag of ["*", " * ", 'W/"x", *']) {
          const answer = await raw(h.api.url, wire("GET", path, { "If-None-Match": tag }));
          expect(answer.status, `${path} If-None-Match: ${tag}`).to.equal(200);
          expect(answer.body.length, path).to.be.greaterThan(0);
        }
      }
    });

    it("answers 304 only when a listed tag matches the answer's ETag", async function () {
      const first = await raw(h.api.url, wire("GET", "/reference-data"));
      const etag = first.headers.etag!;
      expect(etag).to.match(/^"sha256-[0-9a-f]{64}"$/);
      expect((await raw(h.api.url, wire("GET", "/reference-data", { "If-None-Match": etag }))).status).to.equal(304);
      const other = { "If-None-Match": '"sha256-0000"' };
      expect((await raw(h.api.url, wire("GET", "/reference-data", other))).status).to.equal(200);
      // An answer without an ETag is never fresh, whatever tag is sent.
      expect((await raw(h.api.url, wire("GET", "/network", { "If-None-Match": etag }))).status).to.equal(200);
    });
  });
});
