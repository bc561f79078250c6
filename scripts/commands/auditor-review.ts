/**
 * An auditor's review of an attestation, on the auditor's own machine (`itec auditor review` and `sign`): every
 * figure the auditor attests to, and the checks that the EIP-712 typed data is exactly those figures, that it hashes
 * to the digest under the registry's domain, that the published calculation report hashes to the report hash and
 * states the same batch, and that the device root is the tree of the report's eligible devices, one leaf
 * `[index, deviceId]` per certificate (docs/adr/0015).
 */
import { keccak256, TypedDataEncoder } from "ethers";

import { DeviceMerkleTree } from "../../core/calc/merkle.ts";
import type { AttestationView } from "../../oracle/src/index.ts";
import { EIP712_NAME, EIP712_VERSION } from "../../sdk/src/attestation.ts";
import { ApiError, type ApiClient } from "../../sdk/src/api-client.ts";
import { reportDeviceIds, type ReportDevices } from "../../sdk/src/device-proof.ts";
import { CATEGORY_CODES } from "../../sdk/src/enums.ts";
import { gramsToKg } from "../../sdk/src/units.ts";
import { field } from "./common.ts";

/** `GET /batches/:id/attestation` answers the oracle's `AttestationView` as JSON. */
export type { AttestationView };

export interface ReviewCheck {
  check: string;
  passed: boolean;
  detail: string;
}

export interface Review {
  view: AttestationView;
  reportUrl: string;
  checks: ReviewCheck[];
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

const day = (unix: unknown) => new Date(Number(unix) * 1000).toISOString().slice(0, 10);
const same = (a: unknown, b: unknown) => String(a).toLowerCase() === String(b).toLowerCase();
/** An integer given as decimal, hex or bigint, as decimal text (or as it came when it is not one). */
const intText = (v: unknown) => {
  try {
    return BigInt(String(v)).toString();
  } catch {
    return String(v);
  }
};
const sameInt = (a: unknown, b: unknown) => intText(a) === intText(b);

/**
 * The auditor's own checks, independent of the API's word: the typed data states the figures shown, it hashes to
 * the digest under the registry's domain, and the report behind the report hash states the same batch.
 */
export function checkAttestation(view: AttestationView, report: Uint8Array): ReviewCheck[] {
  const { domain, message: m, types } = view.typedData;
  const rv = view.review;
  const checks: ReviewCheck[] = [];

  const { EIP712Domain: _d, ...signedTypes } = types;
  let digest: string | undefined;
  try {
    digest = TypedDataEncoder.hash(domain, signedTypes, m);
  } catch (error) {
    digest = undefined;
    checks.push({
      check: "typed data is well formed",
      passed: false,
      detail: (error as Error).message.split("\n")[0]!,
    });
  }
  checks.push({
    check: "typed data hashes to the digest",
    passed: digest === view.digest,
    detail: `EIP-712 hash computed here ${digest ?? "n/a"} vs digest ${view.digest}`,
  });

  checks.push({
    check: "signing domain is the registry shown",
    passed:
      domain.name === EIP712_NAME &&
      domain.version === EIP712_VERSION &&
      sameInt(domain.chainId, rv.registry.chainId) &&
      same(domain.verifyingContract, rv.registry.address),
    detail: `domain "${String(domain.name)}" v${String(domain.version)}, chain ${intText(domain.chainId)}, contract ${String(domain.verifyingContract)}`,
  });

  const baseline = BigInt(String(m.baselineGrams));
  const reduction = BigInt(String(m.reductionGrams));
  const certificates = BigInt(String(m.certificates));
  const mismatches = [
    ["owner", same(m.owner, rv.owner)],
    ["category", Number(m.category) === CATEGORY_CODES[rv.category as keyof typeof CATEGORY_CODES]],
    ["certificates", certificates === BigInt(rv.certificates)],
    ["B̄", gramsToKg(baseline) === rv.baselineKgPerDevice],
    ["V̄", gramsToKg(reduction) === rv.reductionKgPerDevice],
    ["certified intensity", gramsToKg(baseline - reduction) === rv.certifiedIntensityKgPerDevice],
    ["total reduction", gramsToKg(reduction * certificates) === rv.totalReductionKg],
    ["vintage", day(m.vintageStart) === rv.vintage.start && day(m.vintageEnd) === rv.vintage.end],
    ["methodology", m.methodology === rv.methodology && m.parameters === rv.parameters],
    ["report hash", same(m.reportHash, rv.reportHash)],
    ["reference data", same(m.referenceDataHash, `0x${rv.referenceDataSha256}`)],
    ["device root", same(m.deviceRoot, rv.deviceRoot)],
    ["evidence URI", m.evidenceURI === rv.evidenceURI],
    ["deadline", new Date(Number(m.deadline) * 1000).toISOString() === view.deadline],
  ]
    .filter(([, ok]) => !ok)
    .map(([name]) => name as string);
  checks.push({
    check: "typed data states the figures shown",
    passed: mismatches.length === 0,
    detail: mismatches.length ? `differs in: ${mismatches.join(", ")}` : "every signed field equals the review",
  });

  const reportHash = keccak256(report);
  checks.push({
    check: "report hashes to the report hash",
    passed: same(reportHash, m.reportHash),
    detail: `keccak256 of the ${report.length}-byte report = ${reportHash}`,
  });

  let parsed: ReportShape | undefined;
  try {
    parsed = JSON.parse(new TextDecoder().decode(report)) as ReportShape;
  } catch {
    parsed = undefined;
  }
  const b = parsed?.batches?.find((x) => x.category === rv.category);
  const reportDiffs = !b
    ? [`no ${rv.category} batch in the report`]
    : [
        ["baselineGrams", String(b.baselineGrams) === baseline.toString()],
        ["reductionGrams", String(b.reductionGrams) === reduction.toString()],
        ["certificates", String(b.certificates) === certificates.toString()],
        ["deviceRoot", same(b.deviceRoot, m.deviceRoot)],
        ["vintage", b.vintageStart === day(m.vintageStart) && b.vintageEnd === day(m.vintageEnd)],
        ["issued", b.issued === true],
        ["method", parsed?.method === m.methodology && parsed?.params === m.parameters],
        ["reference data sha256", same(`0x${parsed?.referenceData?.sha256 ?? ""}`, m.referenceDataHash)],
      ]
        .filter(([, ok]) => !ok)
        .map(([name]) => name as string);
  checks.push({
    check: "report states the same batch",
    passed: reportDiffs.length === 0,
    detail: reportDiffs.length
      ? `differs in: ${reportDiffs.join(", ")}`
      : `the report's ${rv.category} batch has these figures, device root and vintage`,
  });
  checks.push(deviceRootCheck(parsed, rv.category, certificates, String(m.deviceRoot)));
  return checks;
}

/**
 * The device root rebuilt here from the report's devices: the eligible devices of the batch's category, in report
 * order, leaf `[index, deviceId]` each (docs/methodology.md §8.2). A tree that lists more (or other) devices than the
 * report certifies — finding 3 of issue 13, a small batch whose tree holds another refurbisher's future devices —
 * cannot give the signed root, and one leaf per certificate means as many devices as certificates, all distinct.
 */
export function deviceRootCheck(
  report: ReportShape | undefined,
  category: string,
  certificates: bigint,
  signedRoot: string,
): ReviewCheck {
  const check = "device root is the report's devices";
  let ids: string[];
  try {
    if (report === undefined) throw new Error("the report is not JSON");
    ids = reportDeviceIds(report as ReportDevices, category);
  } catch (error) {
    return { check, passed: false, detail: (error as Error).message };
  }
  const root = DeviceMerkleTree.fromIds(ids).root;
  const distinct = new Set(ids).size;
  const devices = `the report's ${ids.length} eligible ${category} device${ids.length === 1 ? "" : "s"}`;
  const problems = [
    root === signedRoot.toLowerCase() ? "" : `the rebuilt tree's root ${root} differs from the signed device root`,
    BigInt(ids.length) === certificates ? "" : `${ids.length} devices for ${certificates} certificates`,
    distinct === ids.length ? "" : `${ids.length - distinct} device id(s) listed twice`,
  ].filter((p) => p !== "");
  return {
    check,
    passed: problems.length === 0,
    detail: problems.length
      ? `${devices}: ${problems.join("; ")}`
      : `${devices}, one leaf [index, deviceId] per certificate, give the signed device root`,
  };
}

export interface ReportShape {
  devices?: ReportDevices["devices"];
  method?: string;
  params?: string;
  referenceData?: { sha256?: string };
  batches?: {
    category: string;
    baselineGrams?: string;
    reductionGrams?: string;
    certificates?: number;
    deviceRoot?: string;
    vintageStart?: string;
    vintageEnd?: string;
    issued?: boolean;
  }[];
}

/** The review as `--json` prints it. */
export function reviewJson(r: Review) {
  return { ...r.view, reportUrl: r.reportUrl, checks: r.checks, verified: r.checks.every((c) => c.passed) };
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
  ];
}
