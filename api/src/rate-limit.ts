/**
 * Per-client rate limiting: a fixed one-minute window per limiter, counted in memory (one API process — a
 * deployment with several behind a balancer limits at the balancer too).
 *
 * Why not express-rate-limit: it hashes the client key (SHA-256) and appends headers on every request, which cost
 * the hot public reads a fifth of their throughput and several ms of p99 in `npm run bench:api`. This does the one
 * thing the registry needs: count per client (an IPv6 client by its /64), answer 429 beyond the limit, and say so
 * in the `RateLimit-Policy` / `RateLimit` headers (IETF draft 7) and `Retry-After`.
 */
import type { Request, RequestHandler, Response } from "express";

export interface RateLimitOptions {
  /** Requests allowed per client per window. */
  readonly limit: number;
  /** Window length (default one minute). */
  readonly windowMs?: number;
  /** Answers a limited request (after the headers are set). */
  readonly onLimited: (req: Request, res: Response) => void;
  /** The clock (tests). */
  readonly now?: () => number;
}

export function rateLimiter(options: RateLimitOptions): RequestHandler {
  const { limit, onLimited } = options;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const policy = `${limit};w=${Math.ceil(windowMs / 1000)}`;
  let windowEnd = 0;
  let counts = new Map<string, number>();
  return (req, res, next) => {
    const t = now();
    if (t >= windowEnd) {
      windowEnd = t + windowMs; // a new window: every client starts again (the old counts go with the map)
      counts = new Map();
    }
    const key = clientKey(req.ip ?? req.socket.remoteAddress ?? "");
    const used = (counts.get(key) ?? 0) + 1;
    counts.set(key, used);
    const reset = Math.ceil((windowEnd - t) / 1000);
    res.setHeader("RateLimit-Policy", policy);
    res.setHeader("RateLimit", `limit=${limit}, remaining=${Math.max(0, limit - used)}, reset=${reset}`);
    if (used > limit) {
      res.setHeader("Retry-After", String(reset));
      onLimited(req, res);
      return;
    }
    next();
  };
}

/** The key a client is counted under: its IPv4 address, or the /64 of its IPv6 address. */
export function clientKey(address: string): string {
  const ip = address.split("%")[0]!; // no zone id
  if (!ip.includes(":")) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const [head = "", tail] = ip.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined ? left : [...left, ...new Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(":")}::/64`;
}
