/**
 * Per-client rate limiting: a one-minute window per client and limiter, counted in the API store (store/store.ts)
 * that every API instance shares, so a client gets the same limit however a balancer spreads its requests. The
 * client is `req.ip`: the peer address, or — with `ITEC_TRUST_PROXY` — the address the trusted proxies report in
 * X-Forwarded-For (express's `trust proxy`), so behind a reverse proxy each client has its own bucket.
 *
 * Why not express-rate-limit: it hashes the client key (SHA-256) and appends headers on every request, which cost
 * the hot public reads a fifth of their throughput and several ms of p99 in `npm run bench:api`. This does the one
 * thing the registry needs: count per client (an IPv6 client by its /64), answer 429 beyond the limit, and say so
 * in the `RateLimit-Policy` / `RateLimit` headers (IETF draft 7) and `Retry-After`.
 */
import type { Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";

import type { RateHit } from "./store/store.ts";

/** Where windows are counted (the API store; anything with its `hit`). */
export interface RateCounter {
  hit(bucket: string, client: string, now: number, windowMs: number): Promise<RateHit>;
}

export interface RateLimitOptions {
  /** The limiter's name: its counts are kept apart from other limiters' (e.g. "auth", "read"). */
  readonly bucket: string;
  /** Requests allowed per client per window. */
  readonly limit: number;
  readonly counter: RateCounter;
  /** Window length (default one minute). */
  readonly windowMs?: number;
  /** Answers a limited request (after the headers are set). */
  readonly onLimited: (req: Request, res: Response) => void;
  /** Told when the store cannot count (the request then passes: see below). */
  readonly logger?: Logger | undefined;
  /** The clock (tests). */
  readonly now?: () => number;
}

export function rateLimiter(options: RateLimitOptions): RequestHandler {
  const { bucket, limit, counter, onLimited, logger } = options;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const policy = `${limit};w=${Math.ceil(windowMs / 1000)}`;
  let warnedAt = 0;
  return async (req, res, next) => {
    const t = now();
    const key = clientKey(req.ip ?? req.socket.remoteAddress ?? "");
    let hit: RateHit;
    try {
      hit = await counter.hit(bucket, key, t, windowMs);
    } catch (error) {
      // Fail open: the limit is a brake, and a database outage must not take the chain reads (verification) down
      // with it. /ready reports the database; this says why limits are off, once a minute at most.
      if (t - warnedAt > 60_000) {
        warnedAt = t;
        logger?.warn({ err: (error as Error).message, bucket }, "rate limit store unavailable: not limiting");
      }
      next();
      return;
    }
    const reset = Math.max(0, Math.ceil((hit.windowStart + windowMs - t) / 1000));
    res.setHeader("RateLimit-Policy", policy);
    res.setHeader("RateLimit", `limit=${limit}, remaining=${Math.max(0, limit - hit.count)}, reset=${reset}`);
    if (hit.count > limit) {
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
