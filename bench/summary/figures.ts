/**
 * The headline figures of each benchmark, read from the JSON it wrote to bench/results/ (issue 18 item 8). One
 * extractor per results file: the benchmarks keep their own detailed formats; this module is the one place that
 * knows which of their numbers a reader of the README needs, with the target each was measured against.
 */

/** One figure of a benchmark: a value, its unit, and the target it is held to (null when it has none). */
export interface Figure {
  area: string;
  what: string;
  value: number;
  unit: string;
  target: string | null;
  met: boolean | null;
}

type Json = Record<string, unknown>;

/** `x.a.b.c` of parsed JSON, or a thrown error naming the missing path (a results file changed its shape). */
function at(x: unknown, path: string): unknown {
  let cur: unknown = x;
  for (const key of path.split(".")) {
    if (cur === null || typeof cur !== "object" || !(key in (cur as Json))) {
      throw new Error(`results lack ${path}`);
    }
    cur = (cur as Json)[key];
  }
  return cur;
}
const num = (x: unknown, path: string): number => {
  const v = at(x, path);
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`results: ${path} is not a number`);
  return v;
};
const bool = (x: unknown, path: string): boolean | null => {
  const v = at(x, path);
  return typeof v === "boolean" ? v : null;
};
const atMost = (value: number, limit: number): boolean => value <= limit;
const atLeast = (value: number, limit: number): boolean => value >= limit;

/** A benchmark: the npm script that runs it, the file it writes, and how its figures are read. */
export interface Bench {
  name: string;
  script: string;
  file: string;
  /** Rough minutes on the 2-core machine of bench/results (for `npm run bench`'s plan). */
  minutes: number;
  figures(results: unknown): Figure[];
}

export const BENCHES: readonly Bench[] = [
  {
    name: "gas",
    script: "bench:gas",
    file: "gas.json",
    minutes: 2,
    figures: (r) => [
      {
        area: "gas",
        what: "gas: issue a batch, 1 auditor",
        value: num(r, "issue_1_auditor"),
        unit: "gas",
        target: null,
        met: null,
      },
      {
        area: "gas",
        what: "gas: transfer to a new holder",
        value: num(r, "transfer_new_holder"),
        unit: "gas",
        target: null,
        met: null,
      },
      {
        area: "gas",
        what: "gas: retire",
        value: num(r, "retire"),
        unit: "gas",
        target: null,
        met: null,
      },
    ],
  },
  {
    name: "calc",
    script: "bench:calc",
    file: "calc.json",
    minutes: 2,
    figures: (r) => {
      const rows = r as Json[];
      const largest = rows.reduce((a, b) => (num(b, "devices") > num(a, "devices") ? b : a));
      const devices = num(largest, "devices");
      return [
        {
          area: "calc",
          what: `calculation, lot of ${devices.toLocaleString("en")} devices`,
          value: num(largest, "devices_per_s"),
          unit: "devices/s",
          target: null,
          met: null,
        },
      ];
    },
  },
  {
    name: "oracle",
    script: "bench:oracle",
    file: "oracle.json",
    minutes: 6,
    figures: (r) => {
      const share = (at(r, "postgres_vs_sqlite") as Json[])[0]!;
      const first = (at(r, "runs") as Json[])[0]!;
      const ratio = num(share, "postgres_share_of_sqlite");
      return [
        {
          area: "oracle",
          what: "oracle: lots of 1,000 devices",
          value: num(first, "lots_per_minute"),
          unit: "lots/min",
          target: null,
          met: null,
        },
        {
          area: "oracle",
          what: "oracle on PostgreSQL vs SQLite",
          value: Math.round(ratio * 100),
          unit: "%",
          target: "≥ 90 %",
          met: atLeast(ratio, 0.9),
        },
      ];
    },
  },
  {
    name: "failover",
    script: "bench:failover",
    file: "failover.json",
    minutes: 5,
    figures: (r) => {
      const runs = at(r, "runs") as Json[];
      const kills = runs.reduce((s, x) => s + num(x, "kills"), 0);
      const bad = runs.reduce((s, x) => s + num(x, "duplicates") + num(x, "lost"), 0);
      const takeover = Math.max(...runs.map((x) => num(x, "takeover_ms.max")));
      return [
        {
          area: "oracle",
          what: `failover: ${kills} kills, batches lost or doubled`,
          value: bad,
          unit: "batches",
          target: "0",
          met: bad === 0,
        },
      ];
    },
  },
  {
    name: "api",
    script: "bench:api",
    file: "api.json",
    minutes: 3,
    figures: (r) => [
      {
        area: "API",
        what: "API verify, p99 at full load",
        value: num(r, "verify.p99_ms"),
        unit: "ms",
        target: null,
        met: null,
      },
    ],
  },
  {
    name: "dos",
    script: "bench:dos",
    file: "dos.json",
    minutes: 3,
    figures: (r) => {
      const p99 = num(r, "underLoad.p99_ms");
      const target = num(r, "targetP99Ms");
      return [
        {
          area: "API",
          what: "API verify p99 under largest lot + reports",
          value: p99,
          unit: "ms",
          target: `≤ ${target} ms`,
          met: atMost(p99, target),
        },
      ];
    },
  },
  {
    name: "verify",
    script: "bench:verify",
    file: "verify.json",
    minutes: 10,
    figures: (r) => {
      const ratio = num(r, "p99Ratio.value");
      return [
        {
          area: "SDK",
          what: "SDK verify p99, 10,000 vs 100 retirements",
          value: ratio,
          unit: "×",
          target: `≤ ${num(r, "p99Ratio.target")} ×`,
          met: bool(r, "p99Ratio.met"),
        },
      ];
    },
  },
  {
    name: "devices",
    script: "bench:devices",
    file: "devices.json",
    minutes: 2,
    figures: (r) => {
      const median = num(r, "certified.median_ms");
      const target = num(r, "targetMs");
      return [
        {
          area: "API",
          what: "device check, 10,000 ids",
          value: median,
          unit: "ms",
          target: `≤ ${target} ms`,
          met: atMost(median, target),
        },
      ];
    },
  },
  {
    name: "reports",
    script: "bench:reports",
    file: "reports.json",
    minutes: 10,
    figures: (r) => [
      {
        area: "reports",
        what: "Scope 3 report, 1,000 of 100,000 retirements",
        value: num(r, "report.medianSeconds"),
        unit: "s",
        target: `≤ ${num(r, "report.target.seconds")} s`,
        met: bool(r, "report.met"),
      },
      {
        area: "reports",
        what: "certificate PDF",
        value: num(r, "certificatePdf.medianMs"),
        unit: "ms",
        target: `≤ ${num(r, "certificatePdf.target.ms")} ms`,
        met: bool(r, "certificatePdf.met"),
      },
    ],
  },
  {
    name: "cli",
    script: "bench:cli",
    file: "cli.json",
    minutes: 2,
    figures: (r) => {
      const verify = num(r, "results.itec verify retirement 1.median_s");
      return [
        {
          area: "CLI",
          what: "`itec verify retirement`",
          value: verify,
          unit: "s",
          target: `≤ ${num(r, "results.itec verify retirement 1.target_s")} s`,
          met: atMost(verify, num(r, "results.itec verify retirement 1.target_s")),
        },
      ];
    },
  },
  {
    name: "app",
    script: "bench:app",
    file: "app.json",
    minutes: 3,
    figures: (r) => {
      const gzip = num(r, "bundle.initial_js.gzip");
      const limit = num(r, "bundle.target_initial_gzip_bytes");
      const portfolio = num(r, "portfolio.hash_change_to_1000_rows.median_ms");
      return [
        {
          area: "web",
          what: "web app JavaScript, gzip",
          value: Math.round(gzip / 1024),
          unit: "KiB",
          target: `≤ ${Math.round(limit / 1024)} KiB`,
          met: atMost(gzip, limit),
        },
        {
          area: "web",
          what: "web app: 1,000-batch portfolio shown",
          value: portfolio,
          unit: "ms",
          target: `≤ ${num(r, "portfolio.hash_change_to_1000_rows.target_ms")} ms`,
          met: bool(r, "portfolio.hash_change_to_1000_rows.met"),
        },
      ];
    },
  },
  {
    name: "growth",
    script: "bench:growth",
    file: "growth.json",
    minutes: 9,
    figures: (r) => {
      const ratio = num(r, "lastStepOverFirst");
      const steps = at(r, "steps") as Json[];
      const last = steps[steps.length - 1]!;
      return [
        {
          area: "embedded chain",
          what: `embedded chain: step ${num(last, "retirements").toLocaleString("en")} vs first`,
          value: ratio,
          unit: "×",
          target: "≤ 2 ×",
          met: atMost(ratio, 2),
        },
      ];
    },
  },
];
