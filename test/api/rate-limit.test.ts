/** The API's per-client rate limiter: counting, windows, headers and the client key (on the shared API store). */
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

  it("lets a client make `limit` requests per window, then answers through onLimited until the window ends", async () => {
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
    expect(first.headers).to.deep.equal({ "RateLimit-Policy": "2;w=60", RateLimit: "limit=2, remaining=1, reset=60" });
    t += 15_000;
    expect((await call(handler, "10.0.0.1")).headers.RateLimit).to.equal("limit=2, remaining=0, reset=45");
    const third = await call(handler, "10.0.0.1");
    expect(third.limited).to.equal(true);
    expect(third.headers["Retry-After"]).to.equal("45");
    expect(limitedCalls).to.equal(1);
    expect((await call(handler, "10.0.0.2")).passed, "another client has its own count").to.equal(true);
    t += 45_000;
    const next = await call(handler, "10.0.0.1");
    expect(next.passed, "a new window").to.equal(true);
    expect(next.headers.RateLimit).to.equal("limit=2, remaining=1, reset=60");
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
    const broken: RateCounter = { hit: () => Promise.reject(new Error("connection refused")) };
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

  it("counts the read bucket in batches: from memory between exchanges, sharing counts with other instances", async () => {
    const a = new BatchedRateCounter(store, { flushMs: 1_000 });
    const b = new BatchedRateCounter(store, { flushMs: 1_000 });
    const stored = async () =>
      Number((await store.db.get("SELECT count FROM api_rate_windows WHERE client = 'c'"))?.count ?? 0);
    const t = 10_000_000;
    expect(await a.hit("read", "c", t, 60_000)).to.deep.equal({ count: 1, windowStart: t });
    expect(await stored(), "the first request of a window goes to the store").to.equal(1);
    for (let i = 2; i <= 5; i++) expect((await a.hit("read", "c", t + 10 * i, 60_000)).count).to.equal(i);
    expect(await stored(), "later ones wait in memory").to.equal(1);
    expect((await b.hit("read", "c", t + 100, 60_000)).count, "b sees what a sent").to.equal(2);
    expect((await a.hit("read", "c", t + 1_000, 60_000)).count).to.equal(6);
    await new Promise((r) => setTimeout(r, 10)); // the background exchange
    expect(await stored(), "a's five unsent requests, sent at once").to.equal(7);
    expect((await a.hit("read", "c", t + 1_010, 60_000)).count, "a took back b's count").to.equal(8);
    expect((await a.hit("read", "c", t + 60_000, 60_000)).count, "a new window").to.equal(1);
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
