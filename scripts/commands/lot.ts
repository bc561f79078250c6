/**
 * `itec lot submit|status|list` — a refurbisher's (or ITAD's) lots: submitted to the API, which runs ITEC-CALC 1.0
 * and opens one batch job per issuable category for the auditors.
 */
import { readFileSync } from "node:fs";
import type { LotSummary as StoredSummary } from "../../oracle/src/index.ts";

import type { Command } from "commander";

import { parseTransport } from "../../core/calc/index.ts";
import { ApiClient, ApiError } from "../../sdk/src/api-client.ts";
import { devicesLine, problemLines, transportHint } from "../lib/problem-lines.ts";
import {
  action,
  group,
  parseDay,
  parseLotId,
  print,
  signIn,
  table,
  thisCommand,
  withApi,
  withSigner,
  type ApiOptions,
  type SignerOptions,
} from "./common.ts";

/** `GET /lots/:id` (the API's `Lot`). */
export interface LotView {
  id: string;
  refurbisher: string;
  lotRef: string;
  status: string;
  asOf: string;
  reportHash: string | null;
  referenceDataSha256: string | null;
  submittedAt: string;
  summary: LotSummary | null;
  error: string | null;
  batches: BatchJob[];
  links: Record<string, string>;
}

/** `GET /lots/:id` → `summary`; lots stored by older versions lack the grouped problems. */
export type LotSummary = Omit<StoredSummary, "problemGroups" | "moreProblemGroups" | "missingTransport"> &
  Partial<Pick<StoredSummary, "problemGroups" | "moreProblemGroups" | "missingTransport">>;

export interface BatchJob {
  id: string;
  category: string;
  state: string;
  certificates: number;
  reason: string | null;
  error: string | null;
  tokenId: string | null;
}

export function registerLot(program: Command): void {
  const lot = group(program, "lot", "submit lots of refurbished devices and follow their batches");

  withSigner(
    lot
      .command("submit")
      .description("submit a lot (CSV, or JSON when the file ends in .json); prints the calculation per batch")
      .argument("<lot>", "lot file: CSV with the docs/methodology.md §4 header, or JSON")
      .option("--transport <legs>", "default transport legs for devices without their own, e.g. hgv:600;van:250")
      .option("--as-of <date>", "calculation date YYYY-MM-DD (default: today, UTC)", parseDay)
      .option("--lot-ref <ref>", "your own lot reference (unique per refurbisher; default: the hash of the devices)")
      .addHelpText(
        "after",
        `
A lot is identified by its reference: --lot-ref, or without it the hash of its devices. The calculation options
(--transport, --as-of) are not part of that identity (docs/adr/0040-lot-identity.md), so the same devices are
never certified twice under two sets of options:
  - the identical lot again (same devices and options; --as-of left out matches any date) answers with the lot
    already stored and exits 0 ("already submitted as L2"): re-running after a dropped connection is safe;
  - the same devices (or the same --lot-ref) with other options or devices is refused, LOT_DUPLICATE: submit the
    corrected lot under a new --lot-ref. Devices in the first lot's pending batches stay reserved until an
    auditor rejects those batches (itec auditor reject); devices of issued batches stay certified.
A lot in which not one device is eligible is refused and nothing is stored (LOT_NOTHING_ELIGIBLE): its problems
are printed, grouped, the missing-transport hint first; fix them (e.g. pass --transport) and submit again.`,
      ),
  ).action(
    action(
      async (file: string, o: SignerOptions & { transport?: string; asOf?: string; lotRef?: string }) => {
        if (o.transport !== undefined) {
          const legs = parseTransport(o.transport);
          if (!legs.ok) throw new Error(`--transport "${o.transport}": expected ${legs.expected}`);
        }
        let text: string;
        try {
          text = readFileSync(file, "utf8");
        } catch (error) {
          throw new Error(`cannot read lot file ${file}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}`, {
            cause: error,
          });
        }
        const query = new URLSearchParams({
          ...(o.transport ? { defaultTransport: o.transport } : {}),
          ...(o.asOf ? { asOf: o.asOf } : {}),
          ...(o.lotRef ? { lotRef: o.lotRef } : {}),
        });
        let body: unknown = text;
        if (file.toLowerCase().endsWith(".json")) {
          try {
            body = JSON.parse(text);
          } catch {
            throw new Error(`${file} is not valid JSON`);
          }
        }
        const s = await signIn(o);
        const path = `/lots${query.size ? `?${query.toString()}` : ""}`;
        let sent: { status: number; body: LotView };
        try {
          sent = await s.api.send<LotView>(
            "POST",
            path,
            body,
            typeof body === "string" ? { "content-type": "text/csv" } : {},
          );
        } catch (error) {
          if (error instanceof ApiError && error.code === "LOT_NOTHING_ELIGIBLE") {
            throw refusedLot(error, file, o.json === true);
          }
          throw error;
        }
        const answer = sent.body;
        // 200: the identical lot was stored before (e.g. the answer to an earlier run was lost) — not an error.
        print(o, answer, () => [
          ...(sent.status === 200 ? [`already submitted as ${answer.id}: nothing new was stored`] : []),
          ...lotLines(answer, true),
        ]);
      },
      {
        ifUnsure: () =>
          `to find out, run the same command again; that is safe, as an identical lot is answered with the one stored (exit 0): ${thisCommand()}`,
      },
    ),
  );

  withApi(
    lot
      .command("status")
      .description("a lot: calculation summary and the state of each batch")
      .argument("<lotId>", "lot id, e.g. L12", parseLotId),
  ).action(
    action(async (id: string, o: ApiOptions) => {
      const answer = await new ApiClient(o.api).get<LotView>(`/lots/${id}`);
      print(o, answer, () => lotLines(answer, false));
    }),
  );

  withSigner(lot.command("list").description("your lots, newest first (signs in)")).action(
    action(async (o: SignerOptions) => {
      const s = await signIn(o);
      const { lots } = await s.api.get<{ lots: LotView[] }>("/lots");
      print(o, { lots }, () =>
        lots.length === 0
          ? [`no lots submitted by ${s.address}`]
          : table(
              ["lot", "ref", "submitted", "status", "batches"],
              lots.map((l) => [
                l.id,
                l.lotRef,
                l.submittedAt,
                l.status,
                l.batches.map((b) => `${b.category} ${b.state}`).join(", "),
              ]),
            ),
      );
    }),
  );
}

/**
 * LOT_NOTHING_ELIGIBLE: prints (on stdout, unless `--json`) what the API found — the exclusions, the
 * missing-transport hint first, the problems grouped — and returns the one-line error.
 */
function refusedLot(error: ApiError, file: string, json: boolean): Error {
  const summary = (error.body.summary ?? undefined) as LotSummary | undefined;
  if (!json && summary) {
    process.stdout.write(
      `${[
        `lot ${file} not stored: ${devicesLine(summary.devices, summary.eligible, summary.excluded)}`,
        ...transportHint(summary.missingTransport ?? 0),
        ...(summary.problems
          ? ["", ...problemLines(summary.problemGroups ?? [], summary.problems, summary.moreProblemGroups ?? 0)]
          : []),
      ].join("\n")}\n`,
    );
  }
  if (json || !summary || summary.problems === 0) return error; // the API's detail says why and what to do
  // The details are on stdout: the one line need not repeat the hint.
  const n = summary.devices;
  return new ApiError(error.status, {
    ...error.body,
    detail:
      `none of the lot's ${n} device${n === 1 ? "" : "s"} is eligible, so nothing was stored: fix the ` +
      `problem${summary.problems === 1 ? "" : "s"} listed above and submit again`,
  });
}

/** The calculation summary per batch, joined with each batch job's state. */
export function lotLines(l: LotView, submitted: boolean): string[] {
  const s = l.summary;
  const lines = [`lot ${l.id} (ref ${l.lotRef}) ${submitted ? "submitted by" : "of"} ${l.refurbisher} · ${l.status}`];
  if (l.error) lines.push(`  error: ${l.error}`);
  if (s) {
    lines.push(`${s.method} · ${s.params} · as of ${s.asOf} · ${devicesLine(s.devices, s.eligible, s.excluded)}`);
    // Stored by an older version: counts only.
    if (s.problemGroups === undefined && s.problems) lines.push(`${s.problems} input problem(s), see the report`);
    lines.push(...transportHint(s.missingTransport ?? 0));
  }
  if (l.reportHash) lines.push(`reportHash ${l.reportHash}`, `report ${l.links.report ?? ""}`);
  if (l.referenceDataSha256) lines.push(`reference data sha256 ${l.referenceDataSha256}`);
  const rows = (s?.batches ?? []).map((b) => {
    const job = l.batches.find((j) => j.category === b.category);
    const state = job
      ? `${job.state}${job.tokenId ? ` → batch #${job.tokenId}` : ""}${job.error ? ` (${job.error})` : ""}`
      : "—";
    return [
      b.category,
      String(b.eligible),
      String(b.certificates),
      b.baselineKg,
      b.reductionKg,
      b.relU ?? "—",
      b.issued ? (job?.id ?? "—") : `not issued: ${b.reason ?? ""}`,
      b.issued ? state : "",
    ];
  });
  if (rows.length) {
    lines.push(
      "",
      ...table(
        ["category", "eligible", "I-TECs", "B̄ kg/device", "V̄ kg/device", "relU", "batch job", "state"],
        rows,
        new Set([1, 2, 3, 4]),
      ),
    );
  }
  if (s?.problemGroups && s.problems) {
    lines.push("", ...problemLines(s.problemGroups, s.problems, s.moreProblemGroups ?? 0));
  }
  const awaiting = l.batches.filter((b) => b.state === "awaiting_signatures");
  if (awaiting.length) {
    lines.push(
      "",
      `awaiting auditors: ${awaiting.map((b) => b.id).join(", ")} (itec auditor review <id>, then itec auditor sign <id>)`,
    );
  }
  return lines;
}
