/**
 * Loopback proxies for failure tests: a TCP proxy in front of a JSON-RPC node that a test can take down and bring
 * back (the chain unreachable for a while), and an HTTP proxy in front of the API that loses an answer.
 */
import { createServer as createHttpServer, request as httpRequest } from "node:http";
import { createServer, connect, type Server, type Socket } from "node:net";

export interface RpcProxy {
  url: string;
  down(): void;
  up(): void;
  /** Points the proxy at another node (a node restarted behind the same URL); open connections are dropped. */
  retarget(url: string): void;
  close(): Promise<void>;
}

export async function startRpcProxy(targetUrl: string): Promise<RpcProxy> {
  let target = new URL(targetUrl);
  let isDown = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (isDown) {
      client.destroy();
      return;
    }
    sockets.add(client);
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    down: () => {
      isDown = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    up: () => {
      isDown = false;
    },
    retarget: (url: string) => {
      target = new URL(url);
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface DroppingProxy {
  url: string;
  /** Requests dropped so far (`METHOD /path`). */
  dropped: string[];
  /** From now on, drop the answer to the next request that matches (once), or to none. */
  dropNext(match: ((method: string, path: string) => boolean) | undefined): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of the API that can lose an answer: the matching request is forwarded and carried out
 * upstream, then the client's socket is closed instead of the answer being passed on — what a client sees when the
 * connection drops mid-request.
 */
export async function startDroppingProxy(targetUrl: string): Promise<DroppingProxy> {
  const target = new URL(targetUrl);
  let match: ((method: string, path: string) => boolean) | undefined;
  const dropped: string[] = [];
  const server = createHttpServer((req, res) => {
    const drop = match?.(req.method ?? "GET", req.url ?? "/") ?? false;
    if (drop) match = undefined;
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: Number(target.port),
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        if (drop) {
          // The request was carried out; its answer never reaches the client.
          answer.resume();
          answer.on("end", () => {
            dropped.push(`${req.method} ${req.url}`);
            req.socket.destroy();
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    dropped,
    dropNext: (m) => {
      match = m;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
