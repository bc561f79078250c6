/**
 * `itec lot submit|status|list` — a refurbisher's (or ITAD's) lots: submitted to the API, which runs ITEC-CALC 1.0
 * and opens one batch job per issuable category for the auditors.
 */
import { readFileSync } from "node:fs";
import type { LotSummary } from "../../oracle/src/pipeline/oracle.ts";

import type { Command } from "commander";

import { parseTransport } from "../../oracle/src/methodology/index.ts";
import { ApiClient } from "../lib/api-client.ts";
import {
  action,
  group,
  parseDay,
  parseLotId,
  print,
  signIn,
  table,
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

export type { LotSummary };

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
      .option("--lot-ref <ref>", "your own lot reference (unique per refurbisher)"),
  ).action(
    action(async (file: string, o: SignerOptions & { transport?: string; asOf?: string; lotRef?: string }) => {
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
      const s = await signIn(o);
      const path = `/lots${query.size ? `?${query.toString()}` : ""}`;
      let answer: LotView;
      if (file.toLowerCase().endsWith(".json")) {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw new Error(`${file} is not valid JSON`);
        }
        answer = await s.api.post<LotView>(path, body);
      } else {
        answer = await s.api.post<LotView>(path, text, { "content-type": "text/csv" });
      }
      print(o, answer, () => lotLines(answer, true));
    }),
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

/** The calculation summary per batch, joined with each batch job's state. */
export function lotLines(l: LotView, submitted: boolean): string[] {
  const s = l.summary;
  const lines = [`lot ${l.id} (ref ${l.lotRef}) ${submitted ? "submitted" : "of"} ${l.refurbisher} · ${l.status}`];
  if (l.error) lines.push(`  error: ${l.error}`);
  if (s) {
    const excluded = Object.entries(s.excluded)
      .map(([k, v]) => `${k} ×${v}`)
      .join(", ");
    lines.push(
      `${s.method} · ${s.params} · as of ${s.asOf} · ${s.devices} device(s), ${s.eligible} eligible` +
        (excluded ? `; excluded: ${excluded}` : "") +
        (s.problems ? ` · ${s.problems} input problem(s), see the report` : ""),
    );
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
  const awaiting = l.batches.filter((b) => b.state === "awaiting_signatures");
  if (awaiting.length) {
    lines.push(
      "",
      `awaiting auditors: ${awaiting.map((b) => b.id).join(", ")} (itec auditor review <id>, then itec auditor sign <id>)`,
    );
  }
  return lines;
}
