/**
 * An auditor's review of an attestation before signing it, recomputed on the auditor's own machine and independent
 * of the API's word: the EIP-712 typed data is exactly the figures shown, it hashes to the digest under the
 * registry's domain, the published calculation report hashes to the report hash and states the same batch, and the
 * device root is the tree of the report's eligible devices, one leaf `[index, deviceId]` per certificate
 * (docs/adr/0015). One definition for every client: `itec auditor review|sign` (scripts/commands/auditor-review.ts)
 * and the web app's review screen (app/src/screens/auditor/review.ts) both call `checkAttestation`.
 */
import { keccak256, TypedDataEncoder } from "ethers";

import { EIP712_NAME, EIP712_VERSION } from "./attestation.ts";
import { deviceTreeRoot, reportDeviceIds, type ReportDevices } from "./device-proof.ts";
import { CATEGORY_CODES } from "./enums.ts";
import { gramsToKg } from "./units.ts";

/** `GET /batches/:id/attestation`: the exact `eth_signTypedData_v4` payload, its digest, and the figures to review. */
export interface AttestationView {
  batchId: string;
  lotId: string;
  state: string;
  digest: string;
  deadline: string;
  typedData: {
    types: Record<string, { name: string; type: string }[]>;
    domain: Record<string, unknown>;
    primaryType: "Attestation";
    message: Record<string, unknown>;
  };
  review: {
    category: string;
    certificates: number;
    baselineKgPerDevice: string;
    reductionKgPerDevice: string;
    certifiedIntensityKgPerDevice: string;
    totalReductionKg: string;
    vintage: { start: string | null; end: string | null };
    methodology: string;
    parameters: string;
    reportHash: string;
    referenceDataSha256: string;
    deviceRoot: string;
    evidenceURI: string;
    owner: string;
    registry: { chainId: string; address: string };
  };
  signatures: { auditor: string; status: string; reason: string | null; at: string; digest: string }[];
  threshold: number | null;
}

/** One check of a review: its name, whether it passed, and what was compared (or what differs). */
export interface ReviewCheck {
  check: string;
  passed: boolean;
  detail: string;
}

/** What the checks read of a calculation report (docs/methodology.md §8.3); a parsed report is untrusted. */
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

export interface ReviewOptions {
  /**
   * Builds the device tree's root from ids in index order. Default: `deviceTreeRoot` (ethers only, runs anywhere);
   * the CLI passes the calculation's WebAssembly builder, which gives the same root faster for huge batches.
   */
  deviceRoot?: (ids: readonly string[]) => string;
}

/** The types to sign: the payload's types without `EIP712Domain`, as ethers' `signTypedData` takes them. */
export function signingTypes(
  typedData: AttestationView["typedData"],
): Record<string, { name: string; type: string }[]> {
  const { EIP712Domain: _domain, ...types } = typedData.types;
  return types;
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
/** A bigint from a message field; a field that is not an integer (a tampered payload) reads as -1, never throws. */
const big = (v: unknown) => {
  try {
    return BigInt(String(v));
  } catch {
    return -1n;
  }
};

/**
 * The auditor's own checks of `view` against the report's exact bytes `report` (GET /lots/:id/report): every check
 * is returned, passed or not, so a screen can show each and name the one that failed.
 */
export function checkAttestation(
  view: AttestationView,
  report: Uint8Array,
  options: ReviewOptions = {},
): ReviewCheck[] {
  const { domain, message: m } = view.typedData;
  const rv = view.review;
  const checks: ReviewCheck[] = [];

  let digest: string | undefined;
  try {
    digest = TypedDataEncoder.hash(domain, signingTypes(view.typedData), m);
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

  const baseline = big(m.baselineGrams);
  const reduction = big(m.reductionGrams);
  const certificates = big(m.certificates);
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
    ["deadline", isoOf(m.deadline) === view.deadline],
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
    detail: `keccak256 of the ${report.length}-byte report = ${reportHash}${same(reportHash, m.reportHash) ? "" : `, signed report hash ${String(m.reportHash)}`}`,
  });

  let parsed: ReportShape | undefined;
  try {
    parsed = JSON.parse(new TextDecoder().decode(report)) as ReportShape;
  } catch {
    parsed = undefined;
  }
  const b = Array.isArray(parsed?.batches) ? parsed.batches.find((x) => x.category === rv.category) : undefined;
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
  checks.push(deviceRootCheck(parsed, rv.category, certificates, String(m.deviceRoot), options.deviceRoot));
  return checks;
}

function isoOf(unix: unknown): string {
  try {
    return new Date(Number(unix) * 1000).toISOString();
  } catch {
    return String(unix); // not a time: it then differs from the deadline shown
  }
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
  rootOf: (ids: readonly string[]) => string = deviceTreeRoot,
): ReviewCheck {
  const check = "device root is the report's devices";
  let ids: string[];
  let root: string;
  try {
    if (report === undefined || report === null) throw new Error("the report is not JSON");
    ids = reportDeviceIds(report as ReportDevices, category);
    root = rootOf(ids).toLowerCase();
  } catch (error) {
    return { check, passed: false, detail: (error as Error).message };
  }
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

/** Whether every check passed; the names of those that failed otherwise. */
export function failedChecks(checks: readonly ReviewCheck[]): string[] {
  return checks.filter((c) => !c.passed).map((c) => c.check);
}
