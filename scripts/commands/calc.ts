/**
 * `itec calc <lot.csv>` — runs ITEC-CALC 1.0 over a lot file and prints a readable summary, or (`--json`) the
 * published report. Thin: parsing and printing only; the calculation is `core/calc`.
 */
import { closeSync, existsSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

import type { Command } from "commander";

import { readLotCsv, todayUtc } from "../../core/calc/lot/index.ts";
import {
  CalcInputError,
  calculateLot,
  ceil3,
  Dec,
  parseDay,
  parseTransport,
  projectItemsOf,
  type BatchResult,
  type ExclusionReason,
  type LotResult,
} from "../../core/calc/index.ts";
import { groupProblems, missingTransportRows } from "../../core/calc/problems.ts";
import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import { devicesLine, exclusionText, problemLines, transportHint } from "../lib/problem-lines.ts";

interface CalcOptions {
  transport?: string;
  asOf?: string;
  out?: string;
  json?: boolean;
  refurbisher?: string;
  lotId?: string;
  reference?: string;
}

/** Lots this small get a per-device table in the summary. */
const DEVICE_TABLE_MAX = 50;

export function registerCalc(program: Command): void {
  program
    .command("calc <lot>")
    .description("calculate a lot's I-TEC figures (ITEC-CALC 1.0, ITEC-PARAMS-1)")
    .option("--transport <legs>", "default transport legs for devices without their own, e.g. hgv:600;van:250")
    .option("--as-of <date>", "calculation date YYYY-MM-DD, recorded in the report (default: today, UTC)")
    .option("--out <file>", "write the report (canonical JSON with reportHash) to this file")
    .option("--json", "print the report on stdout instead of the summary")
    .option("--refurbisher <name>", "refurbisher recorded in the report")
    .option("--lot-id <id>", "lot id recorded in the report")
    .option("--reference <csv>", "reference table (default: data/reference/boavizta-data-us.csv)")
    .action(async (lot: string, options: CalcOptions) => {
      try {
        await runCalc(lot, options);
      } catch (error) {
        // One line, no stack trace: the message says what is wrong and where.
        const message =
          error instanceof CalcInputError
            ? `${error.code}: ${error.message}`
            : error instanceof Error
              ? error.message
              : String(error);
        process.stderr.write(`itec calc: ${message}\n`);
        process.exitCode = 1;
      }
    });
}

async function runCalc(lot: string, options: CalcOptions): Promise<void> {
  const asOf = options.asOf ?? todayUtc();
  if (parseDay(asOf) === undefined) {
    throw new CalcInputError("BAD_OPTIONS", `--as-of "${asOf}" is not a calendar date YYYY-MM-DD`);
  }
  if (options.transport !== undefined) {
    const legs = parseTransport(options.transport);
    if (!legs.ok)
      throw new CalcInputError("BAD_OPTIONS", `--transport "${options.transport}": expected ${legs.expected}`);
  }
  const progress = process.stderr.isTTY && options.json !== true ? new ProgressBar() : undefined;

  // The report goes to a temporary file beside --out, renamed over it only when complete: a path that cannot be
  // written fails before the calculation, and a failure never leaves a truncated report.
  let out: { fd: number; temp: string; path: string } | undefined;
  if (options.out !== undefined) {
    if (existsSync(options.out) && statSync(options.out).isDirectory()) {
      throw new CalcInputError("BAD_OPTIONS", `--out ${options.out}: is a directory; name the report file`);
    }
    const temp = join(dirname(options.out), `.${basename(options.out)}.${process.pid}.tmp`);
    try {
      out = { fd: openSync(temp, "wx"), temp, path: options.out };
    } catch (error) {
      throw new CalcInputError("BAD_OPTIONS", `--out ${options.out}: cannot write there (${errorReason(error)})`);
    }
  }
  try {
    await calcInto(lot, asOf, options, progress, out);
  } finally {
    if (out !== undefined) {
      closeSync(out.fd);
      rmSync(out.temp, { force: true }); // gone after the rename; left only by a failure
    }
  }
}

function errorReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  return (error as Error).message;
}

async function calcInto(
  lot: string,
  asOf: string,
  options: CalcOptions,
  progress: ProgressBar | undefined,
  out: { fd: number; temp: string; path: string } | undefined,
): Promise<void> {
  const reference = loadReferenceTable(options.reference);
  const devices = await readLotCsv(lot, {
    onProgress: progress && ((read, total) => progress.show("reading", read, total ?? read)),
  });
  const result = calculateLot(
    devices,
    {
      asOf,
      ...(options.transport !== undefined ? { defaultTransport: options.transport } : {}),
      ...(options.lotId !== undefined ? { lotId: options.lotId } : {}),
      ...(options.refurbisher !== undefined ? { refurbisher: options.refurbisher } : {}),
      onProgress: progress && ((done, total) => progress.show("calculating", done, total)),
    },
    reference,
  );

  if (out !== undefined) {
    // ~530 bytes per device in the report: a progress estimate, held below 100 % until the end.
    const estimate = result.deviceCount * 530;
    let written = 0;
    result.writeReportFile((bytes) => {
      writeAll(out.fd, bytes);
      written += bytes.length;
      progress?.show("writing report", Math.min(written, estimate * 0.99), estimate);
    });
    renameSync(out.temp, out.path);
  }
  if (options.out === undefined && options.json !== true && progress !== undefined) {
    // The summary shows reportHash: hash the report now, with progress (the bytes go nowhere).
    const estimate = result.deviceCount * 530;
    let hashed = 0;
    result.writeReportFile((bytes) => {
      hashed += bytes.length;
      progress.show("hashing report", Math.min(hashed, estimate * 0.99), estimate);
    });
  }
  progress?.clear();

  if (options.json === true) {
    result.writeReportFile((bytes) => writeAll(1, bytes));
    writeAll(1, new TextEncoder().encode("\n"));
    return;
  }
  writeAll(1, new TextEncoder().encode(summary(result, lot, options.out)));
}

/** Writes all of `bytes` to a file descriptor (stdout included), synchronously: large reports stream in order. */
function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") continue; // non-blocking pipe: retry
      if (code === "EPIPE" && fd === 1) process.exit(0); // the reader (e.g. `| head`) has what it wanted
      throw error;
    }
  }
}

// ---- the readable summary ----

function summary(r: LotResult, lot: string, out: string | undefined): string {
  const lines: string[] = [];
  lines.push(`${r.method} · ${r.params} · reference data sha256 ${r.referenceSha256}`);
  lines.push(`lot ${lot} · as of ${r.asOf} · ${devicesLine(r.deviceCount, r.eligibleCount, r.excluded)}`);
  // The usual first stumble, said once and before any per-row line.
  lines.push(...transportHint(missingTransportRows(r.problems)));
  if (r.deviceCount <= DEVICE_TABLE_MAX) lines.push("", ...deviceTable(r));
  lines.push("");
  for (const b of r.batches) lines.push(...batchLines(b));
  if (r.problems.length > 0) {
    const { groups, more } = groupProblems(r.problems);
    lines.push("", ...problemLines(groups, r.problems.length, more));
  }
  lines.push("", `reportHash ${r.reportHash}${out === undefined ? "" : ` · report written to ${out}`}`);
  return `${lines.join("\n")}\n`;
}

/** Exclusion counts in the order the reasons are checked. */
function reasons(counts: Readonly<Partial<Record<ExclusionReason, number>>>): string {
  const text = exclusionText(counts);
  return text === "" ? "" : ` (${text})`;
}

function deviceTable(r: LotResult): string[] {
  const header = ["line", "serial", "device", "tier", "M", "L_ref", "L1/L2", "P", "UP", "B", "R", "R_up", "U", "V"];
  // M to at least 3 dp, P and UP rounded up to 3 dp "for reading" as docs/methodology.md §9.2 shows them.
  const kg3 = (text: string): string => (/\.\d{3}/.test(text) ? text : new Dec(text).toFixed(3));
  const up3 = (text: string | undefined): string => (text === undefined ? "?" : ceil3(new Dec(text)).toFixed(3));
  const rows = r.devices.map((d) => {
    const device = `${d.manufacturer} ${d.model} (${d.category})`;
    if (d.excluded !== undefined) return [String(d.line), d.serial, device, `excluded: ${d.excluded}`];
    const items = projectItemsOf(d);
    return [
      String(d.line),
      d.serial,
      device,
      d.tier!,
      kg3(d.M!),
      String(d.L_ref),
      `${d.L1}/${d.L2}`,
      up3(items?.P),
      up3(items?.UP),
      d.B!,
      d.R!,
      d.R_up!,
      d.U!,
      d.V!,
    ];
  });
  const widths = header.map((h, k) =>
    Math.max(h.length, ...rows.map((row) => (row.length > 4 ? (row[k]?.length ?? 0) : 0))),
  );
  const numeric = new Set([4, 5, 7, 8, 9, 10, 11, 12, 13]);
  const format = (row: string[]): string =>
    row.length === 4
      ? `${row
          .slice(0, 3)
          .map((c, k) => c.padEnd(widths[k]!))
          .join("  ")}  ${row[3]}`
      : row
          .map((c, k) => (numeric.has(k) ? c.padStart(widths[k]!) : c.padEnd(widths[k]!)))
          .join("  ")
          .trimEnd();
  return [format(header), ...rows.map(format)];
}

function batchLines(b: BatchResult): string[] {
  const tiers = `tiers T1 ${b.tiers.T1}, T2 ${b.tiers.T2}, T3 ${b.tiers.T3}`;
  const head = `batch ${b.category}: ${b.eligible} eligible, ${b.devices - b.eligible} excluded${reasons(b.excluded)} · ${tiers}`;
  const t = b.totals;
  const sums = `  ΣB ${t.B} · ΣR ${t.R} · ΣR_up ${t.R_up} · ΣΔ ${t.delta} · ΣU ${t.U} · ΣV ${t.V}`;
  const figures =
    b.eligible === 0
      ? "  no eligible devices"
      : `  B̄ ${b.baselineKg} kg · V̄ ${b.reductionKg} kg · certified intensity ${b.certifiedIntensityKg} kg · ` +
        `R̄_up ${b.refurbishedIntensityKg} kg · relU ${b.relU ?? "n/a"} · central reduction ${b.centralReductionPct ?? "n/a"} %`;
  const verdict = b.issued
    ? `  ISSUED: ${b.certificates} I-TEC${b.certificates === 1 ? "" : "s"} (baseline ${b.baselineGrams} g, reduction ${b.reductionGrams} g each) · deviceRoot ${b.deviceRoot} · vintage ${b.vintageStart} … ${b.vintageEnd}`
    : `  NOT ISSUED: ${b.reason}`;
  return [head, sums, figures, verdict];
}

/** A one-line progress bar on stderr, redrawn at most ~10 times a second. */
class ProgressBar {
  private last = 0;
  show(label: string, done: number, total: number): void {
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const width = 30;
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(ratio * width);
    process.stderr.write(
      `\r${label.padEnd(16)} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}%`,
    );
  }
  clear(): void {
    process.stderr.write(`\r${" ".repeat(60)}\r`);
  }
}
