/**
 * `npm run bench:calc` — ITEC-CALC 1.0 on synthetic lots of 10k, 100k and 1,000,000 devices.
 *
 * For each size it measures, each in a fresh Node process (so peak RSS is the run's own):
 *   - full: read the CSV (streaming) + calculate (eligibility, figures, batches, device ids, Merkle roots)
 *           + write the report file (canonical JSON streamed, hashed in the same pass);
 *   - parse only: read the same CSV into device rows.
 * Results (median of the runs) go to bench/results/calc.json as `{devices, wall_s, devices_per_s, peak_rss_mb,
 * parse_only_s}`; per-phase times and memo statistics are printed.
 *
 * Options: `--sizes 10000,100000,1000000` `--runs 3` (runs per size, so the 1M case runs 3 times).
 * The generated lots stay in $TMPDIR/itec-bench (deterministic: regenerated only when missing).
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { generateLot } from "./generate-lot.ts";
import { readLotCsv } from "../core/calc/lot/index.ts";
import { calculateLot } from "../core/calc/index.ts";
import { loadReferenceTable } from "../core/calc/reference-file.ts";

const AS_OF = "2026-01-31";
const LEGS = "hgv:600;van:250";
const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface ChildResult {
  wall_s: number;
  /** CPU time of the main thread (Linux), the one core's own work whatever else the machine runs. */
  cpu_s?: number | undefined;
  peak_rss_mb: number;
  parse_s?: number;
  calc_s?: number;
  report_s?: number;
  report_mb?: number;
  eligible?: number;
  stats?: Record<string, number>;
}

// ---- child: one measured run ----

async function child(mode: string, lot: string): Promise<ChildResult> {
  const reference = loadReferenceTable();
  const c0 = mainThreadCpu();
  const t0 = performance.now();
  const devices = await readLotCsv(lot);
  const t1 = performance.now();
  if (mode === "parse") {
    return { wall_s: (t1 - t0) / 1000, cpu_s: cpuSince(c0), peak_rss_mb: peakRssMb() };
  }
  const result = calculateLot(devices, { asOf: AS_OF, defaultTransport: LEGS }, reference);
  const t2 = performance.now();
  const out = `${lot}.report.json`;
  const fd = openSync(out, "w");
  let bytes = 0;
  try {
    result.writeReportFile((piece) => {
      bytes += piece.length;
      writeSync(fd, piece);
    });
  } finally {
    closeSync(fd);
  }
  const t3 = performance.now();
  rmSync(out, { force: true });
  return {
    wall_s: (t3 - t0) / 1000,
    cpu_s: cpuSince(c0),
    peak_rss_mb: peakRssMb(),
    parse_s: (t1 - t0) / 1000,
    calc_s: (t2 - t1) / 1000,
    report_s: (t3 - t2) / 1000,
    report_mb: bytes / 1e6,
    eligible: result.eligibleCount,
    stats: { ...result.memo },
  };
}

/** utime + stime of the main thread in seconds, from /proc (undefined elsewhere). */
function mainThreadCpu(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks, USER_HZ = 100
  } catch {
    return undefined;
  }
}

function cpuSince(start: number | undefined): number | undefined {
  const now = mainThreadCpu();
  return start === undefined || now === undefined ? undefined : Math.round((now - start) * 100) / 100;
}

function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10; // maxRSS is in KiB
}

// ---- parent: generate, run, summarise ----

function run(mode: string, lot: string): ChildResult {
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", SELF, "--child", mode, lot], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`bench child (${mode}) failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as ChildResult;
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const k = args.indexOf(name);
    return k < 0 ? undefined : args[k + 1];
  };
  const sizes = (option("--sizes") ?? "10000,100000,1000000").split(",").map(Number);
  const runs = Number(option("--runs") ?? "3");
  const dir = join(tmpdir(), "itec-bench");
  mkdirSync(dir, { recursive: true });

  const results: {
    devices: number;
    wall_s: number;
    devices_per_s: number;
    peak_rss_mb: number;
    parse_only_s: number;
  }[] = [];
  for (const n of sizes) {
    const lot = join(dir, `lot-${n}.csv`);
    if (!existsSync(lot)) {
      process.stderr.write(`generating ${n} devices → ${lot}\n`);
      await generateLot(n, lot);
    }
    const full: ChildResult[] = [];
    const parse: ChildResult[] = [];
    for (let k = 0; k < runs; k++) {
      // Interleaved, so a slow moment of a shared machine hits both measures alike.
      parse.push(run("parse", lot));
      full.push(run("full", lot));
      const f = full.at(-1)!;
      process.stderr.write(
        `${String(n).padStart(8)} run ${k + 1}: full ${f.wall_s.toFixed(2)} s (parse ${f.parse_s!.toFixed(2)}, ` +
          `calculate ${f.calc_s!.toFixed(2)}, report ${f.report_s!.toFixed(2)} s / ${f.report_mb!.toFixed(0)} MB; ` +
          `main-thread CPU ${f.cpu_s ?? "?"} s), peak RSS ${f.peak_rss_mb} MB; ` +
          `parse only ${parse.at(-1)!.wall_s.toFixed(2)} s (CPU ${parse.at(-1)!.cpu_s ?? "?"} s)\n`,
      );
    }
    const wall = median(full.map((r) => r.wall_s));
    results.push({
      devices: n,
      wall_s: round(wall),
      devices_per_s: Math.round(n / wall),
      peak_rss_mb: round(Math.max(...full.map((r) => r.peak_rss_mb)), 1),
      parse_only_s: round(median(parse.map((r) => r.wall_s))),
    });
    const f = full.at(-1)!;
    process.stderr.write(`${String(n).padStart(8)} memo: ${f.eligible} eligible, ${JSON.stringify(f.stats)}\n`);
  }

  const outDir = join(ROOT, "bench", "results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "calc.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.table(results);
}

if (process.argv.includes("--child")) {
  const k = process.argv.indexOf("--child");
  const result = await child(process.argv[k + 1]!, process.argv[k + 2]!);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  await main();
}
