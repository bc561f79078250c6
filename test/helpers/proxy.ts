/**
 * A loopback TCP proxy in front of a JSON-RPC node that a test can take down and bring back, to simulate the
 * chain being unreachable for a while.
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export interface RpcProxy {
  url: string;
  down(): void;
  up(): void;
  close(): Promise<void>;
}

export async function startRpcProxy(targetUrl: string): Promise<RpcProxy> {
  const target = new URL(targetUrl);
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
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
