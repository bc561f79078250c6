/** The API's per-client rate limiter: token buckets, headers and the client key (on the shared API store). */
import { expect } from "chai";
import type { Request, Response } from "express";
import type { Logger } from "pino";

import { BatchedRateCounter } from "../../api/src/rate-batch.ts";
import { clientKey, rateLimiter, type RateCounter } from "../../api/src/rate-limit.ts";
import { ApiStore } from "../../api/src/store/store.ts";

async function call(handler: ReturnType<typeof rateLimiter>, ip: string) {
  const headers: Record<string, string> = {};
  let passed = false;
  const req = { ip, socket: {} } as unknown as Request;
  const res = {
    setHeader: (k: string, v: string) => {
      headers[k] = v;
    },
  } as unknown as Response;
  await (handler as unknown as (q: Request, s: Response, n: () => void) => Promise<void>)(
    req,
    res,
    () => (passed = true),
  );
  return { headers, passed, limited: !passed };
}

describe("rate limiter", () => {
  let store: ApiStore;
  beforeEach(async () => {
    store = await ApiStore.open({ sqlitePath: ":memory:" });
  });
  afterEach(() => store.close());

  it("lets a client send `limit` requests at once, then one per window / limit, refusing the rest until then", async () => {
    let t = 1_000_000;
    let limitedCalls = 0;
    const handler = rateLimiter({
      bucket: "read",
      counter: store,
      limit: 2,
      windowMs: 60_000,
      now: () => t,
      onLimited: () => limitedCalls++,
    });
    const first = await call(handler, "10.0.0.1");
    expect(first.passed).to.equal(true);
    expect(first.headers).to.deep.equal({ "RateLimit-Policy": "2;w=60", RateLimit: "limit=2, remaining=1, reset=30" });
    t += 15_000;
    expect((await call(handler, "10.0.0.1")).headers.RateLimit).to.equal("limit=2, remaining=0, reset=45");
    const third = await call(handler, "10.0.0.1");
    expect(third.limited).to.equal(true);
    expect(third.headers["Retry-After"], "a token is back 30 s after the first request").to.equal("15");
    expect(limitedCalls).to.equal(1);
    expect((await call(handler, "10.0.0.2")).passed, "another client has its own bucket").to.equal(true);
    t += 14_999;
    expect((await call(handler, "10.0.0.1")).limited, "refused requests took nothing, and no token yet").to.equal(true);
    t += 1;
    const next = await call(handler, "10.0.0.1");
    expect(next.passed, "one token back").to.equal(true);
    expect(next.headers.RateLimit).to.equal("limit=2, remaining=0, reset=60");
  });

  it("holds a burst straddling a minute boundary to the limit (the fixed window let 60 sign-ins through in 2.5 s)", async () => {
    for (const [n, counter] of [store, new BatchedRateCounter(store)].entries()) {
      const client = `10.0.0.${9 + n}`;
      let t = 3_000_000;
      const handler = rateLimiter({ bucket: "auth", counter, limit: 30, now: () => t, onLimited: () => undefined });
      await call(handler, client); // the client's first request: a fixed window started here
      t += 58_750; // 1.25 s before that window ends …
      let passed = 1;
      for (let i = 0; i < 100; i++) {
        if ((await call(handler, client)).passed) passed += 1;
        t += 25; // … 100 requests over the next 2.5 s, across the boundary
      }
      // 30 at once, plus one token per 2 s refilled over the 61.25 s since the first request (30 of them).
      expect(passed, "over 61.25 s").to.be.at.most(30 + Math.ceil(61_250 / 2_000));
      expect(passed - 1, "in the 2.5 s burst itself: 30 at once, one token per 2 s").to.be.at.most(30 + 2);
      t += 2_500;
      let again = 0;
      for (let i = 0; i < 60; i++) if ((await call(handler, client)).passed) again += 1;
      expect(again, "the bucket refilled one token per 2 s, no more").to.be.at.most(2);
    }
  });

  it("counts a request once per bucket however many limiters of that bucket it passes", async () => {
    const t = 4_000_000;
    const read = rateLimiter({ bucket: "read", counter: store, limit: 2, now: () => t, onLimited: () => undefined });
    const req = { ip: "10.1.1.1", socket: {} } as unknown as Request;
    const res = { setHeader: () => undefined } as unknown as Response;
    let passed = 0;
    const run = (h: ReturnType<typeof rateLimiter>) =>
      (h as unknown as (q: Request, s: Response, n: () => void) => Promise<void>)(req, res, () => passed++);
    await run(read);
    await run(read); // the route's own read limiter after the site-wide one: the same request
    expect(passed).to.equal(2);
    expect((await call(read, "10.1.1.1")).headers.RateLimit, "counted once").to.match(/remaining=0/);
  });

  it("keeps the buckets of two limiters apart on one store", async () => {
    const t = 5_000_000;
    const auth = rateLimiter({ bucket: "auth", counter: store, limit: 1, now: () => t, onLimited: () => undefined });
    const read = rateLimiter({ bucket: "read", counter: store, limit: 1, now: () => t, onLimited: () => undefined });
    expect((await call(auth, "10.0.0.1")).passed).to.equal(true);
    expect((await call(read, "10.0.0.1")).passed, "the read bucket is its own").to.equal(true);
    expect((await call(auth, "10.0.0.1")).limited).to.equal(true);
  });

  it("lets requests through when the store cannot count (fail open), and says so in the log", async () => {
    const broken: RateCounter = { take: () => Promise.reject(new Error("connection refused")) };
    const warnings: unknown[] = [];
    const logger = { warn: (o: unknown) => warnings.push(o) } as unknown as Logger;
    const handler = rateLimiter({ bucket: "read", counter: broken, limit: 1, logger, onLimited: () => undefined });
    expect((await call(handler, "10.0.0.1")).passed).to.equal(true);
    expect((await call(handler, "10.0.0.1")).passed).to.equal(true);
    expect(warnings).to.have.length(1);
  });

  it("counts an IPv6 client by its /64 and an IPv4-mapped address as IPv4", async () => {
    expect(clientKey("192.0.2.7")).to.equal("192.0.2.7");
    expect(clientKey("::ffff:192.0.2.7")).to.equal("192.0.2.7");
    expect(clientKey("2001:db8:1:2:3:4:5:6")).to.equal("2001:db8:1:2::/64");
    expect(clientKey("2001:db8:1:2::ff")).to.equal("2001:db8:1:2::/64");
    expect(clientKey("2001:0db8::1")).to.equal("2001:db8:0:0::/64");
    expect(clientKey("::1")).to.equal("0:0:0:0::/64");
    expect(clientKey("fe80::1%eth0")).to.equal("fe80:0:0:0::/64");
    let t = 0;
    const handler = rateLimiter({ bucket: "read", counter: store, limit: 1, now: () => t, onLimited: () => undefined });
    expect((await call(handler, "2001:db8:1:2::a")).passed).to.equal(true);
    expect((await call(handler, "2001:db8:1:2::b")).limited, "same /64").to.equal(true);
    expect((await call(handler, "2001:db8:1:3::a")).passed, "another /64").to.equal(true);
    t += 60_000;
    expect((await call(handler, "2001:db8:1:2::b")).passed, "the next window").to.equal(true);
  });

  it("counts the read bucket in batches: from memory between exchanges, sharing buckets with other instances", async () => {
    const a = new BatchedRateCounter(store, { flushMs: 1_000 });
    const b = new BatchedRateCounter(store, { flushMs: 1_000 });
    const rate = { limit: 60_000, windowMs: 60_000 }; // 1 ms per request
    const stored = async () =>
      Number((await store.db.get("SELECT tat FROM api_rate_buckets WHERE client = 'c'"))?.tat ?? 0);
    const t = 10_000_000;
    expect(await a.take("read", "c", t, rate)).to.deep.equal({ allowed: true, tat: t + 1 });
    expect(await stored(), "the first request goes to the store").to.equal(t + 1);
    for (let i = 2; i <= 5; i++) expect((await a.take("read", "c", t, rate)).tat).to.equal(t + i);
    expect(await stored(), "later ones wait in memory").to.equal(t + 1);
    expect((await b.take("read", "c", t, rate)).tat, "b sees what a sent").to.equal(t + 2);
    expect((await a.take("read", "c", t + 1_000, rate)).tat).to.equal(t + 1_000 + 1);
    await new Promise((r) => setTimeout(r, 10)); // the background exchange
    expect(await stored(), "a's five unsent requests, sent at once").to.equal(t + 1_000 + 5);
    expect((await a.take("read", "c", t + 1_000, rate)).tat, "a took back b's count").to.equal(t + 1_000 + 6);
  });

  it("refuses a client over the read limit across two instances within one exchange interval", async () => {
    let t = 20_000_000;
    const limiters = [0, 1].map(() =>
      rateLimiter({
        bucket: "read",
        counter: new BatchedRateCounter(store, { flushMs: 1_000 }),
        limit: 10,
        now: () => t,
        onLimited: () => undefined,
      }),
    );
    let passed = 0;
    for (let i = 0; i < 40; i++) {
      if ((await call(limiters[i % 2]!, "10.9.9.9")).passed) passed += 1;
      t += 100; // 40 requests over 4 s, alternating instances
      await new Promise((r) => setTimeout(r, 1));
    }
    // Exact would be 10; each instance may overshoot by what it admits within one 1-s exchange interval.
    expect(passed).to.be.at.least(10).and.at.most(20);
  });
});
