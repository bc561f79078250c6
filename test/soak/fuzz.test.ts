/**
 * Hardening campaign, scenario 1 — the fuzzer (issue 18 item 7): seeded generated requests over EVERY operation,
 * SCALE.fuzz.requests in all (≥ 10,000 under `npm run soak`, ~1,500 in `npm test`). Each route starts from the
 * request example it declares (defineRoute's `example`, kept valid by test/api/openapi.test.ts); its share of the
 * requests is that example as given, then its near-valid mutations (one field set to an edge value:
 * test/helpers/fuzz/mutations.ts, the same as test/api/robustness.test.ts's), then random values from fast-check
 * in a random field, or a random extra query parameter — drawn from one seed, so a failure replays.
 *
 * Asserted over every answer: no 5xx; every error problem+json with its status, a code and no stack trace
 * (test/helpers/fuzz/check.ts); every success matching the schema its route declares for the status; and the API
 * still answering /health at the end.
 */
import { expect } from "chai";
import fc from "fast-check";

import { allRoutes } from "../../api/src/app.ts";
import type { RouteSpec } from "../../api/src/route/define.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { deployMarketOverRpc } from "../helpers/market-api.ts";
import { check, newTally } from "../helpers/fuzz/check.ts";
import {
  ABSENT,
  DATES,
  GENERIC,
  HEX,
  inParallel,
  mutations,
  NUMERIC_TEXT,
  nodes,
  setAt,
  show,
  TEXT,
  type Case,
  type Edge,
  type Example,
  type Json,
  type Role,
} from "../helpers/fuzz/mutations.ts";
import { reportFigures } from "./figures.ts";
import { SCALE } from "./scale.ts";

/** The route's own request example, as the fuzzer sends it (CSV bodies as CSV; admin routes as the admin). */
function declaredExample(route: RouteSpec): Example {
  const e = route.example ?? {};
  const csv = typeof e.body === "string" && (route.bodyTypes ?? []).includes("text/csv");
  return {
    ...(e.params ? { params: e.params } : {}),
    ...(e.query ? { query: e.query } : {}),
    ...(route.body ? { body: (e.body ?? {}) as Json } : {}),
    ...(csv ? { contentType: "text/csv" } : {}),
    ...(route.path.startsWith("/admin") ? { as: "admin" as const } : {}),
  };
}

const POOL: Json[] = [...GENERIC, ...NUMERIC_TEXT, ...DATES, ...HEX, ...TEXT];
const randomValue: fc.Arbitrary<Edge> = fc.oneof(
  fc.constantFrom<Edge>(...POOL, ABSENT),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.string({ maxLength: 64, unit: "binary" }),
  fc.bigInt({ min: -(1n << 300n), max: 1n << 300n }).map(String),
);
const randomDraw = fc.record({
  spot: fc.nat(),
  value: randomValue,
  extraKey: fc.constantFrom("limit", "offset", "asOf", "format", "account", "x", "__proto__", "constructor"),
  extra: fc.string({ maxLength: 40 }),
  extraOnly: fc.boolean(),
});

/** `count` random one-field mutations of `example` (or a random extra query parameter), from `seed`. */
function randomMutations(example: Example, count: number, seed: number): { example: Example; label: string }[] {
  const spots: { where: "params" | "query" | "body"; path: (string | number)[] }[] = [];
  for (const where of ["params", "query", "body"] as const) {
    const part = example[where] as Json | undefined;
    if (part === undefined) continue;
    for (const [path] of nodes(part)) if (where === "body" || path.length === 1) spots.push({ where, path });
  }
  return fc.sample(randomDraw, { numRuns: count, seed }).map((d) => {
    if (spots.length === 0 || d.extraOnly) {
      return {
        example: { ...example, query: { ...example.query, [d.extraKey]: d.extra } },
        label: `query/${d.extraKey} = ${show(d.extra)} (random, extra)`,
      };
    }
    const { where, path } = spots[d.spot % spots.length]!;
    // URL parts are strings; a path parameter is never empty (see `reachesItsRoute`).
    let value = d.value;
    if (where !== "body" && value !== ABSENT && typeof value !== "string") value = JSON.stringify(value);
    if (where === "params" && (value === ABSENT || value === "")) value = " ";
    return {
      example: { ...example, [where]: setAt(example[where] as Json, path, value) },
      label: `${where}${path.map((p) => `/${p}`).join("")} = ${show(value)} (random)`,
    };
  });
}

/**
 * An empty path parameter makes another operation's URL (`/batches/` is `GET /batches`): its answer is that
 * route's, not checked against this one's schema. That operation is fuzzed on its own.
 */
const reachesItsRoute = (e: Example) => !Object.values(e.params ?? {}).some((v) => v === "");

/** A deterministic shuffle (Fisher–Yates over a seeded LCG): which edge values each route gets is reproducible. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe(`soak: fuzzer (${SCALE.name} scale, ${SCALE.fuzz.requests} generated requests over every operation)`, function () {
  this.timeout(SCALE.name === "full" ? 3_600_000 : 240_000);
  let h: ApiHarness;
  before(async () => {
    h = await startApiHarness({
      // Capacity is not what this checks (as in test/api/robustness.test.ts): no rate limit, a deep worker queue.
      env: {
        ITEC_RATE_LIMIT_WRITE: "100000000",
        ITEC_RATE_LIMIT_AUTH: "100000000",
        ITEC_RATE_LIMIT_READ: "100000000",
        ITEC_RATE_LIMIT_READY: "100000000",
        ITEC_WORKER_QUEUE: "10000",
      },
      // Every operation is served: the market's routes answer 503 MARKET_UNAVAILABLE on a registry without one.
      deployMore: (chain, deployed) => deployMarketOverRpc(chain, deployed, {}),
    });
  });
  after(async () => h?.close());

  it("never answers 5xx, answers every error as problem+json and every success as its schema declares", async function () {
    const tokens: Record<Role, string> = {
      refurbisher: await h.signIn(h.deployed.wallet("refurbisher")),
      admin: await h.signIn(h.deployed.wallet("admin")),
      corporate: await h.signIn(h.deployed.wallet("corporate")),
    };
    const routes = allRoutes(h.api.deps);
    // One more per route than the target needs: a few generated requests cannot be sent at all (counted apart).
    const share = Math.ceil(SCALE.fuzz.requests / routes.length) + 1;
    const cases: Case[] = [];
    for (const [r, route] of routes.entries()) {
      const example = declaredExample(route);
      const seed = SCALE.fuzz.seed + r;
      const near = shuffled(
        [...mutations(example)].filter((m) => reachesItsRoute(m.example)),
        seed,
      ).slice(0, Math.floor(share / 2));
      const random = randomMutations(example, share - 1 - near.length, seed);
      cases.push({ route, example, label: "as declared" });
      for (const m of [...near, ...random]) cases.push({ route, example: m.example, label: m.label });
    }
    const tally = newTally();
    const failures: string[] = [];
    const started = Date.now();
    await inParallel(cases, 12, async (c) => {
      const failure = await check(h, tokens, c, tally);
      if (failure) failures.push(failure);
    });
    const seconds = (Date.now() - started) / 1000;
    const health = await h.http.get("/health");
    const errors = tally.requests - tally.successes;
    const fiveXx = Object.entries(tally.byStatus)
      .filter(([s]) => Number(s) >= 500)
      .reduce((n, [, c]) => n + c, 0);
    reportFigures("fuzz", {
      requests: tally.requests,
      unsendable: tally.unsendable,
      operations: routes.length,
      seed: SCALE.fuzz.seed,
      "5xx": fiveXx,
      errors,
      errorsProblemJson: tally.problems,
      successes: tally.successes,
      successesSchemaValid: tally.schemaValid,
      byStatus: tally.byStatus,
      alive: health.status === 200,
      seconds: Math.round(seconds * 10) / 10,
    });
    expect(
      failures,
      `${failures.length} of ${cases.length} requests failed (${seconds.toFixed(1)} s):\n${failures.slice(0, 40).join("\n")}`,
    ).to.deep.equal([]);
    expect(tally.requests + tally.unsendable, "every generated request was answered").to.equal(cases.length);
    expect(tally.requests).to.be.at.least(SCALE.fuzz.requests);
    expect(tally.problems, "errors answered as problem+json").to.equal(errors);
    expect(tally.schemaValid, "successes matching their schema").to.equal(tally.successes);
    expect(tally.successes, "some requests succeed: the examples are valid").to.be.greaterThan(routes.length / 4);
    expect(health.status, "the API still answers").to.equal(200);
  });
});
