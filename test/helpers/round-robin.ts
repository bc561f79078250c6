/**
 * A round-robin HTTP reverse proxy on loopback, in front of several API instances (the failover test's stand-in
 * for the reverse proxy the operations guide puts in front of two `itec serve`): each request goes to the next
 * upstream in turn. It records which upstream answered each request, so a test can show that traffic really went
 * through every instance.
 *
 * Retry policy — the one nginx applies by default (`proxy_next_upstream error`, non-idempotent requests not
 * retried once sent): a request whose upstream refuses the CONNECTION (nothing was sent: the instance is down) is
 * sent to the next upstream, whatever its method. A request that reached an upstream which then died before
 * answering is NOT retried (the instance may have acted on it); the client gets a 502 and decides — the lot and
 * signature submissions are idempotent (ADR 0040), so the failover test's clients simply send them again.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface ProxiedRequest {
  method: string;
  path: string;
  /** Index of the upstream that answered (after any retries), or -1 when none could be reached. */
  upstream: number;
  status: number;
  /** Upstreams tried first that refused the connection. */
  refused: number[];
}

export interface RoundRobinProxy {
  url: string;
  /** Every request, in the order they were answered. */
  readonly log: readonly ProxiedRequest[];
  close(): Promise<void>;
}

/** The connection error that proves the request never reached the upstream: safe to send elsewhere. */
const NOT_SENT = "ECONNREFUSED";

export async function startRoundRobin(upstreams: readonly string[]): Promise<RoundRobinProxy> {
  if (upstreams.length === 0) throw new Error("a round-robin proxy needs at least one upstream");
  const targets = upstreams.map((u) => new URL(u));
  const log: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  let next = 0;

  const server = createServer((req, res) => {
    // Bodies are small (lots of a few devices, signatures): buffer them, so a refused request can be resent.
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const first = next;
      next = (next + 1) % targets.length;
      forward(req, res, Buffer.concat(chunks), first, 0, []);
    });
  });

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    index: number,
    tries: number,
    refused: number[],
  ): void {
    const target = targets[index]!;
    const entry = (upstream: number, status: number) =>
      log.push({ method: req.method ?? "GET", path: req.url ?? "/", upstream, status, refused });
    // X-Forwarded-For as a reverse proxy sets it: an API that trusts its proxy keys rate limits by the client.
    const forwarded = [req.headers["x-forwarded-for"], req.socket.remoteAddress].filter(Boolean).join(", ");
    const headers = {
      ...req.headers,
      host: target.host,
      "content-length": String(body.length),
      "x-forwarded-for": forwarded,
    };
    delete headers["transfer-encoding"];
    const upstream = httpRequest(
      // A fresh connection per request (no keep-alive pool): a pooled socket to an instance that was just killed
      // would fail with ECONNRESET on a request that never reached it, which this proxy could not tell apart.
      { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on("end", () => entry(index, answer.statusCode ?? 502));
        answer.on("error", () => res.destroy());
      },
    );
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error.code === NOT_SENT && tries + 1 < targets.length) {
        forward(req, res, body, (index + 1) % targets.length, tries + 1, [...refused, index]);
        return;
      }
      entry(error.code === NOT_SENT ? -1 : index, 502);
      res.writeHead(502, { "content-type": "application/problem+json" });
      res.end(
        JSON.stringify({
          type: "about:blank",
          title: "Bad Gateway",
          status: 502,
          detail: `upstream ${target.host}: ${error.code ?? error.message}`,
        }),
      );
    });
    upstream.end(body);
  }

  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
