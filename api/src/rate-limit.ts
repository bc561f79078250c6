/**
 * Per-client rate limiting: a token bucket per client and limiter (GCRA), kept in the API store (store/store.ts)
 * that every API instance shares, so a client gets the same limit however a balancer spreads its requests. A
 * client may send `limit` requests at once, then one every `window / limit`: no window boundary to straddle (the
 * fixed window it replaces let 2 × limit through in a moment across one). Refused requests take nothing.
 *
 * The client is `req.ip`: the peer address, or — with `ITEC_TRUST_PROXY` — the address the trusted proxies report
 * in X-Forwarded-For (express's `trust proxy`), so behind a reverse proxy each client has its own bucket; by
 * default no header is trusted.
 *
 * Why not express-rate-limit: it hashes the client key (SHA-256) and appends headers on every request, which cost
 * the hot public reads a fifth of their throughput and several ms of p99 in `npm run bench:api`. This does the one
 * thing the registry needs: count per client (an IPv6 client by its /64), answer 429 beyond the limit, and say so
 * in the `RateLimit-Policy` / `RateLimit` headers (IETF draft 7) and `Retry-After`.
 */
import type { Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";

import type { Rate, RateTake } from "./store/store.ts";

/** Where buckets are kept (the API store, or the batched counter in front of it). */
export interface RateCounter {
  take(bucket: string, client: string, now: number, rate: Rate): Promise<RateTake>;
}

export interface RateLimitOptions {
  /** The limiter's name: its buckets are kept apart from other limiters' (e.g. "auth", "read"). */
  readonly bucket: string;
  /** Requests allowed per client per window (and the largest burst). */
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

/** The buckets each request was already counted in: a request passes each bucket once, however many limiters. */
const counted = new WeakMap<Request, Set<string>>();

export function rateLimiter(options: RateLimitOptions): RequestHandler {
  const { bucket, limit, counter, onLimited, logger } = options;
  const windowMs = options.windowMs ?? 60_000;
  const rate: Rate = { limit, windowMs };
  const interval = windowMs / limit;
  const now = options.now ?? Date.now;
  const policy = `${limit};w=${Math.ceil(windowMs / 1000)}`;
  let warnedAt = 0;
  return async (req, res, next) => {
    const seen = counted.get(req) ?? new Set<string>();
    if (seen.has(bucket)) {
      next();
      return;
    }
    seen.add(bucket);
    counted.set(req, seen);
    const t = now();
    const key = clientKey(req.ip ?? req.socket.remoteAddress ?? "");
    let take: RateTake;
    try {
      take = await counter.take(bucket, key, t, rate);
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
    const ahead = Math.max(0, take.tat - t);
    // 1e-9: the arrival time is a float sum of intervals; a whole token must not read as 0.999….
    const remaining = Math.max(0, Math.floor((windowMs - ahead) / interval + 1e-9));
    res.setHeader("RateLimit-Policy", policy);
    // reset: seconds until the whole burst is available again.
    res.setHeader("RateLimit", `limit=${limit}, remaining=${remaining}, reset=${Math.ceil(ahead / 1000)}`);
    if (!take.allowed) {
      // The next request fits once the bucket is less than a window minus one interval ahead.
      res.setHeader("Retry-After", String(Math.max(1, Math.ceil((ahead + interval - windowMs) / 1000))));
      onLimited(req, res);
      return;
    }
    next();
  };
}

/** The limiter classes every request passes before any route (see `limitEveryRequest`). */
export interface SiteLimiters {
  /** GET /health: cheap, so generous. */
  readonly health: RequestHandler;
  /** GET /ready: reads the chain, the job store, the index and the API store. */
  readonly ready: RequestHandler;
  /** Everything else (API routes, documents, static files, the web app, unmatched paths). */
  readonly read: RequestHandler;
}

/**
 * One limiter in front of every route: each request is counted in the class its path belongs to before it is
 * routed, so no path — an unmatched one, a static file, a malformed URL — escapes a limit. Sign-in and write
 * routes are also counted in their own, smaller classes where they are mounted (route/mount.ts); a route's own
 * `read` limiter then passes what this one already counted.
 */
export function limitEveryRequest(limiters: SiteLimiters): RequestHandler {
  return (req, res, next) => {
    // express matches paths case-insensitively and with or without a trailing slash: so does the class.
    const path = req.path.toLowerCase().replace(/\/+$/, "");
    const limiter = path === "/health" ? limiters.health : path === "/ready" ? limiters.ready : limiters.read;
    return limiter(req, res, next);
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
