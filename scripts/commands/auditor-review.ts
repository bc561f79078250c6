/**
 * An auditor's review of an attestation, on the auditor's own machine (`itec auditor review` and `sign`): every
 * figure the auditor attests to, and the checks of sdk/src/attestation-review.ts (the same the web app's review
 * screen runs in the browser): the EIP-712 typed data is exactly those figures, it hashes to the digest under the
 * registry's domain, the published calculation report hashes to the report hash and states the same batch, and the
 * device root is the tree of the report's eligible devices, one leaf `[index, deviceId]` per certificate
 * (docs/adr/0015).
 */
import { DeviceMerkleTree } from "../../core/calc/merkle.ts";
import { ApiError, type ApiClient } from "../../sdk/src/api-client.ts";
import type { AuditSample } from "../../sdk/src/api-operations.ts";
import {
  checkAttestation as checkWith,
  type AttestationView,
  type ReviewCheck,
} from "../../sdk/src/attestation-review.ts";
import { field } from "./common.ts";

export type { AttestationView, ReviewCheck };

export interface Review {
  view: AttestationView;
  reportUrl: string;
  checks: ReviewCheck[];
  /** The audit sample (GET /reviews/{id}/sample, signed in as an auditor); undefined when not asked for. */
  sample?: SampleView | undefined;
}

/** The audit sample as the API answers it (api/src/routes/review-sample.ts): the SDK's type. */
export type SampleView = AuditSample;

export type EvidenceOutcome = { deviceId: string; outcome: "seen" | "missing" };

/** The signed-in auditor's sample of `batchId`, after recording `evidence` (if any) on it. */
export async function fetchSample(
  api: ApiClient,
  batchId: string,
  evidence: readonly EvidenceOutcome[] = [],
): Promise<SampleView> {
  const path = `/reviews/${batchId}/sample`;
  return evidence.length > 0 ? api.post<SampleView>(path, { outcomes: evidence }) : api.get<SampleView>(path);
}

/** `--evidence seen:0x…,missing:0x…` → outcomes per device. */
export function parseEvidence(text: string): EvidenceOutcome[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^(seen|missing):(0x[0-9a-fA-F]{64})$/.exec(part);
      if (!m) throw new Error(`--evidence: "${part}" is not seen:<deviceId> or missing:<deviceId>`);
      return { outcome: m[1] as "seen" | "missing", deviceId: m[2]!.toLowerCase() };
    });
}

/** "sample of n devices, seed …" with the list and the batch's outcome per device (one record for all auditors). */
export function sampleLines(s: SampleView): string[] {
  if (s.state === "pending") {
    return [`audit sample: pending (drawn from block ${s.submittedBlock + 1}'s hash once that block exists)`];
  }
  const seen = s.devices.filter((d) => d.outcome === "seen").length;
  const missing = s.devices.filter((d) => d.outcome === "missing").length;
  return [
    `audit sample: sample of ${s.size} devices (of ${s.population}), seed ${s.seed} (${s.plan})`,
    `  seed block ${s.seedBlock} ${s.seedBlockHash} (first block after ${s.submittedBlock}, recorded at submission)`,
    `  evidence (the batch's record): ${seen} seen, ${missing} missing, ${s.devices.length - seen - missing} not recorded`,
    `  record hash ${s.sampleHash ?? "— (incomplete: the attestation binds it once every device has an outcome)"}`,
    ...s.devices.map((d, i) => `  ${String(i + 1).padStart(3)}. ${d.deviceId} ${d.outcome ?? "—"}`),
  ];
}

/** Fetches the attestation and its report, and checks them against each other. */
export async function fetchReview(api: ApiClient, batchId: string, reportOut?: string): Promise<Review> {
  const view = await api.get<AttestationView>(`/batches/${batchId}/attestation`);
  const lot = await api.get<{ links: Record<string, string> }>(`/lots/${view.lotId}`);
  const reportUrl = lot.links.report ?? `${api.baseUrl}/lots/${view.lotId}/report`;
  const bytes = await download(`${api.baseUrl}/lots/${view.lotId}/report`);
  if (reportOut) {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(reportOut, bytes);
  }
  return { view, reportUrl, checks: checkAttestation(view, bytes) };
}

async function download(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (error) {
    throw new ApiError(0, { code: "API_UNREACHABLE", detail: `cannot fetch ${url} (${(error as Error).message})` });
  }
  if (!res.ok) throw new ApiError(res.status, { code: `HTTP_${res.status}`, detail: `cannot fetch ${url}` });
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * The SDK's checks, with the calculation's WebAssembly tree builder for the device root: the same root as the SDK's
 * ethers-only builder, built in a fraction of the time for a batch of a million devices.
 */
export function checkAttestation(view: AttestationView, report: Uint8Array): ReviewCheck[] {
  return checkWith(view, report, { deviceRoot: (ids) => DeviceMerkleTree.fromIds(ids).root });
}

/** The review as `--json` prints it. */
export function reviewJson(r: Review) {
  return {
    ...r.view,
    reportUrl: r.reportUrl,
    checks: r.checks,
    verified: r.checks.every((c) => c.passed),
    ...(r.sample ? { sample: r.sample } : {}),
  };
}

function relative(iso: string): string {
  const ms = Date.parse(iso) - Date.now();
  const abs = Math.abs(ms);
  const text = abs >= 86_400_000 ? `${Math.round(abs / 86_400_000)} d` : `${Math.round(abs / 3_600_000)} h`;
  return ms >= 0 ? `in ${text}` : `EXPIRED ${text} ago`;
}

/** The human review: every field the auditor attests to, signatures so far, and the checks. */
export function reviewLines(r: Review): string[] {
  const {
    view: v,
    view: { review: rv },
  } = r;
  const accepted = v.signatures.filter(
    (s) => s.status === "accepted" && (s.digest === undefined || s.digest === v.digest),
  );
  const refused = v.signatures.filter((s) => s.status !== "accepted");
  const row = (k: string, val: string) => field(k, val);
  return [
    `Attestation ${v.batchId} (lot ${v.lotId}) · state ${v.state}`,
    row("category", rv.category),
    row("certificates", `${rv.certificates} I-TEC (1 per eligible device)`),
    row("B̄ baseline", `${rv.baselineKgPerDevice} kgCO2e per device`),
    row("V̄ verified reduction", `${rv.reductionKgPerDevice} kgCO2e per device`),
    row("certified intensity", `${rv.certifiedIntensityKgPerDevice} kgCO2e per device (B̄ − V̄)`),
    row("total reduction", `${rv.totalReductionKg} kgCO2e`),
    row("vintage", `${rv.vintage.start ?? "?"} … ${rv.vintage.end ?? "?"}`),
    row("methodology", `${rv.methodology} · parameters ${rv.parameters}`),
    row("report hash", rv.reportHash),
    row("report", r.reportUrl),
    row("reference data sha256", rv.referenceDataSha256),
    row("device root", rv.deviceRoot),
    row("evidence URI", rv.evidenceURI),
    row("owner (receives)", rv.owner),
    row("registry", `chain ${rv.registry.chainId} · ${rv.registry.address}`),
    row("deadline", `${v.deadline} (${relative(v.deadline)})`),
    row("digest", v.digest),
    row("threshold", v.threshold === null ? "unknown (chain unavailable)" : `${v.threshold} signature(s)`),
    row("signatures so far", accepted.length === 0 ? "none" : accepted.map((s) => `${s.auditor} (${s.at})`).join(", ")),
    ...refused.map((s) => row("", `${s.status} ${s.auditor}: ${s.reason ?? "no reason given"}`)),
    "checked here:",
    ...r.checks.map((c) => `  ${c.passed ? "✓" : "✗"} ${c.check}: ${c.detail}`),
    ...(r.sample ? sampleLines(r.sample) : []),
  ];
}
