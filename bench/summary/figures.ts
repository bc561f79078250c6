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
/** A figure; with `target`, whether it is `met`. */
const figure = (
  area: string,
  what: string,
  value: number,
  unit: string,
  target: string | null = null,
  met: boolean | null = null,
): Figure => ({ area, what, value, unit, target, met });
const atLeast = (value: number, limit: number): boolean => value >= limit;

/** A benchmark: the npm script that runs it, the file it writes, and how its figures are read. */
export interface Bench {
  name: string;
  script: string;
  file: string;
  /** Rough minutes on the 2-core machine of bench/results (for `npm run bench`'s plan). */
  minutes: number;
  /** Runs only when named (`npm run bench -- --only soak`): too long for the default run. */
  onRequest?: true;
  figures(results: unknown): Figure[];
}

export const BENCHES: readonly Bench[] = [
  {
    name: "gas",
    script: "bench:gas",
    file: "gas.json",
    minutes: 2,
    figures: (r) => [
      figure("gas", "gas: issue a batch, 1 auditor", num(r, "issue_1_auditor"), "gas"),
      figure("gas", "gas: transfer to a new holder", num(r, "transfer_new_holder"), "gas"),
      figure("gas", "gas: retire", num(r, "retire"), "gas"),
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
        figure(
          "calc",
          `calculation, lot of ${devices.toLocaleString("en")} devices`,
          num(largest, "devices_per_s"),
          "devices/s",
        ),
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
        figure("oracle", "oracle: lots of 1,000 devices", num(first, "lots_per_minute"), "lots/min"),
        figure("oracle", "oracle on PostgreSQL vs SQLite", Math.round(ratio * 100), "%", "≥ 90 %", atLeast(ratio, 0.9)),
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
      return [figure("oracle", `failover: ${kills} kills, batches lost or doubled`, bad, "batches", "0", bad === 0)];
    },
  },
  {
    name: "api",
    script: "bench:api",
    file: "api.json",
    minutes: 3,
    figures: (r) => [figure("API", "API verify, p99 at full load", num(r, "verify.p99_ms"), "ms")],
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
        figure("API", "API verify p99 under largest lot + reports", p99, "ms", `≤ ${target} ms`, atMost(p99, target)),
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
        figure(
          "SDK",
          "SDK verify p99, 10,000 vs 100 retirements",
          ratio,
          "×",
          `≤ ${num(r, "p99Ratio.target")} ×`,
          bool(r, "p99Ratio.met"),
        ),
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
      return [figure("API", "device check, 10,000 ids", median, "ms", `≤ ${target} ms`, atMost(median, target))];
    },
  },
  {
    name: "reports",
    script: "bench:reports",
    file: "reports.json",
    minutes: 10,
    figures: (r) => [
      figure(
        "reports",
        "Scope 3 report, 1,000 of 100,000 retirements",
        num(r, "report.medianSeconds"),
        "s",
        `≤ ${num(r, "report.target.seconds")} s`,
        bool(r, "report.met"),
      ),
      figure(
        "reports",
        "certificate PDF",
        num(r, "certificatePdf.medianMs"),
        "ms",
        `≤ ${num(r, "certificatePdf.target.ms")} ms`,
        bool(r, "certificatePdf.met"),
      ),
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
        figure(
          "CLI",
          "`itec verify retirement`",
          verify,
          "s",
          `≤ ${num(r, "results.itec verify retirement 1.target_s")} s`,
          atMost(verify, num(r, "results.itec verify retirement 1.target_s")),
        ),
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
        figure(
          "web",
          "web app JavaScript, gzip",
          Math.round(gzip / 1024),
          "KiB",
          `≤ ${Math.round(limit / 1024)} KiB`,
          atMost(gzip, limit),
        ),
        figure(
          "web",
          "web app: 1,000-batch portfolio shown",
          portfolio,
          "ms",
          `≤ ${num(r, "portfolio.hash_change_to_1000_rows.target_ms")} ms`,
          bool(r, "portfolio.hash_change_to_1000_rows.met"),
        ),
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
        figure(
          "embedded chain",
          `embedded chain: step ${num(last, "retirements").toLocaleString("en")} vs first`,
          ratio,
          "×",
          "≤ 2 ×",
          atMost(ratio, 2),
        ),
      ];
    },
  },
  {
    name: "chain-growth",
    script: "bench:chain-growth",
    file: "chain-growth.json",
    minutes: 12,
    onRequest: true,
    // The chain alone (ADR 0062): the embedded default's CPU per 1,000 blocks, the sixth thousand over the first.
    figures: (r) => {
      const results = at(r, "results") as Json[];
      const journaled = results.find((x) => String(x.chain).startsWith("EDR behind the block journal"));
      if (!journaled) throw new Error("results lack the journaled EDR chain");
      const ratio = num(journaled, "cpuLastOverFirst");
      return [
        figure("embedded chain", "embedded chain CPU, block 6,000 vs first", ratio, "×", "≤ 2 ×", atMost(ratio, 2)),
      ];
    },
  },
  {
    name: "soak",
    script: "bench:soak",
    file: "soak.json",
    minutes: 120,
    onRequest: true,
    // One row (the README stays within 12 KB): every 5xx to a fuzzed request and every mint lost or doubled through
    // the kills and the chain restart; the rest of the campaign's figures are in soak.json and docs/operations.md.
    figures: (r) => {
      const faults = num(r, "headline.5xx") + num(r, "headline.duplicates") + num(r, "headline.lost");
      return [
        figure("hardening", `soak (${String(at(r, "scale"))}): 5xx, lost/doubled mints`, faults, "", "0", faults === 0),
      ];
    },
  },
];
