/**
 * What the review screen shows, loaded and checked in the browser: the attestation (GET /batches/:id/attestation,
 * the exact eth_signTypedData_v4 payload), the calculation report's exact bytes (GET /lots/:id/report, the bytes the
 * report hash is taken over), and the SDK's checks of one against the other — the same `checkAttestation` that
 * `itec auditor review` runs, so the app trusts the API's word no more than the CLI does.
 */
import { ApiError } from "../../../../sdk/src/api-client.ts";
import {
  checkAttestation,
  type AttestationView,
  type ReportShape,
  type ReviewCheck,
} from "../../../../sdk/src/attestation-review.ts";
import { CATEGORIES } from "../../../../sdk/src/enums.ts";
import { getAddress, keccak256 } from "ethers";

import type { AppContext } from "../../context.ts";

export interface LoadedReview {
  view: AttestationView;
  /** The report's bytes exactly as served: what is hashed here and offered for download. */
  report: Uint8Array;
  /** The report parsed (undefined when it is not JSON: the checks then say so). */
  parsed: ReportShape | undefined;
  checks: ReviewCheck[];
}

export async function loadReview(ctx: AppContext, batchId: string): Promise<LoadedReview> {
  const view = await ctx.api.get<AttestationView>(`/batches/${encodeURIComponent(batchId)}/attestation`);
  const report = await reportBytes(ctx, view.lotId);
  let parsed: ReportShape | undefined;
  try {
    parsed = JSON.parse(new TextDecoder().decode(report)) as ReportShape;
  } catch {
    parsed = undefined;
  }
  return { view, report, parsed, checks: checkAttestation(view, report) };
}

/** The report's bytes, untouched (not through the JSON client, which would re-serialise them). */
async function reportBytes(ctx: AppContext, lotId: string): Promise<Uint8Array> {
  const url = `${ctx.api.baseUrl}/lots/${encodeURIComponent(lotId)}/report`;
  let res: Response;
  try {
    res = await fetch(url);
  } catch (error) {
    throw new ApiError(0, {
      code: "API_UNREACHABLE",
      detail: `the report of lot ${lotId} could not be fetched (${(error as Error).message}): check your connection and reload`,
    });
  }
  if (!res.ok) {
    let body: Record<string, unknown> = {};
    try {
      body = (await res.json()) as Record<string, unknown>;
    } catch {
      // not problem+json: the generic sentence below
    }
    throw new ApiError(res.status, {
      code: typeof body.code === "string" ? body.code : `HTTP_${res.status}`,
      detail:
        typeof body.detail === "string"
          ? body.detail
          : `the report of lot ${lotId} could not be fetched (HTTP ${res.status}): reload to try again`,
    });
  }
  return new Uint8Array(await res.arrayBuffer());
}

/** Accepted signatures over the attestation's current digest (older ones were dropped when it was renewed). */
export function countedSignatures(view: AttestationView): AttestationView["signatures"] {
  return view.signatures.filter((s) => s.status === "accepted" && s.digest.toLowerCase() === view.digest.toLowerCase());
}

/** Whether `me`'s signature is among those counted for the attestation. */
export function signedBy(view: AttestationView, me: string | undefined): boolean {
  if (!me) return false;
  return countedSignatures(view).some((s) => {
    try {
      return getAddress(s.auditor) === getAddress(me);
    } catch {
      return false;
    }
  });
}

/** Whether the batch takes signatures now. */
export function signable(view: AttestationView): boolean {
  return view.state === "awaiting_signatures" || view.state === "ready";
}

/** One row of the side-by-side table: a figure as signed, and as the report states it ("—" when it has none). */
export interface FigureRow {
  figure: string;
  signed: string;
  report: string;
}

/** A field of untrusted JSON as text: objects and arrays as JSON, absent as "—". */
const text = (v: unknown): string => {
  if (v === undefined || v === null) return "—";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return v.toString();
  return JSON.stringify(v) ?? "—";
};
const big = (v: unknown): bigint | undefined => {
  try {
    return BigInt(String(v));
  } catch {
    return undefined;
  }
};
/** Unix seconds as a calendar day (UTC): the vintage as the report writes it. */
const day = (unix: unknown) => {
  const n = Number(unix);
  return Number.isFinite(n) ? new Date(n * 1000).toISOString().slice(0, 10) : text(unix);
};
const kg = (grams: unknown, format: (g: bigint) => string) => {
  const g = big(grams);
  return g === undefined ? text(grams) : format(g);
};
const certs = (n: unknown, count: (n: bigint) => string) => {
  const c = big(n);
  return c === undefined ? text(n) : `${count(c)} I-TEC`;
};

/**
 * Every field of the signed message next to what the report says of the batch. The figures are exact: grams shown
 * as kgCO2e with three decimals by `gramsAsKg`, never through a float.
 */
export function figureRows(
  r: LoadedReview,
  gramsAsKg: (g: bigint) => string,
  count: (n: bigint) => string,
): FigureRow[] {
  const m = r.view.typedData.message;
  const d = r.view.typedData.domain;
  const b = Array.isArray(r.parsed?.batches)
    ? r.parsed.batches.find((x) => x.category === r.view.review.category)
    : undefined;
  const wide = b as (typeof b & { certifiedIntensityKg?: string; devices?: number; eligible?: number }) | undefined;
  const baseline = big(m.baselineGrams);
  const reduction = big(m.reductionGrams);
  const certificates = big(m.certificates);
  const category = CATEGORIES[Number(m.category) - 1] ?? "unknown category";
  const sameRoot = (x: unknown) => (typeof x === "string" ? x : "—");
  return [
    { figure: "Device category", signed: `${category} (code ${text(m.category)})`, report: b ? b.category : "—" },
    {
      figure: "Devices in the lot / eligible",
      signed: "—",
      report: wide?.devices !== undefined ? `${text(wide.devices)} / ${text(wide.eligible)}` : "—",
    },
    {
      figure: "Certificates (I-TEC)",
      signed: certs(m.certificates, count),
      report: b?.certificates !== undefined ? certs(b.certificates, count) : "—",
    },
    {
      figure: "B̄ baseline per device",
      signed: kg(m.baselineGrams, gramsAsKg),
      report: b?.baselineGrams !== undefined ? kg(b.baselineGrams, gramsAsKg) : "—",
    },
    {
      figure: "V̄ verified reduction per device",
      signed: kg(m.reductionGrams, gramsAsKg),
      report: b?.reductionGrams !== undefined ? kg(b.reductionGrams, gramsAsKg) : "—",
    },
    {
      figure: "Certified intensity per device (B̄ − V̄)",
      signed: baseline !== undefined && reduction !== undefined ? gramsAsKg(baseline - reduction) : "—",
      report: wide?.certifiedIntensityKg !== undefined ? `${wide.certifiedIntensityKg}\u00a0kgCO2e` : "—",
    },
    {
      figure: "Total verified reduction",
      signed: reduction !== undefined && certificates !== undefined ? gramsAsKg(reduction * certificates) : "—",
      report: "—",
    },
    {
      figure: "Vintage",
      signed: `${day(m.vintageStart)} … ${day(m.vintageEnd)}`,
      report: b ? `${text(b.vintageStart)} … ${text(b.vintageEnd)}` : "—",
    },
    {
      figure: "Methodology / parameters",
      signed: `${text(m.methodology)} / ${text(m.parameters)}`,
      report: r.parsed ? `${text(r.parsed.method)} / ${text(r.parsed.params)}` : "—",
    },
    { figure: "Report hash (keccak256)", signed: text(m.reportHash), report: `${keccak256(r.report)} (computed here)` },
    {
      figure: "Reference data (SHA-256)",
      signed: text(m.referenceDataHash),
      report: r.parsed?.referenceData?.sha256 ? `0x${r.parsed.referenceData.sha256}` : "—",
    },
    { figure: "Device root", signed: text(m.deviceRoot), report: sameRoot(b?.deviceRoot) },
    { figure: "Audit sample record (keccak256)", signed: text(m.sampleHash), report: "—" },
    { figure: "Certificates go to (owner)", signed: text(m.owner), report: "—" },
    { figure: "Evidence (report URL)", signed: text(m.evidenceURI), report: "—" },
    {
      figure: "Signing domain",
      signed: `${text(d.name)} v${text(d.version)}, chain ${text(big(d.chainId) ?? d.chainId)}, contract ${text(d.verifyingContract)}`,
      report: "—",
    },
    { figure: "Signable until", signed: r.view.deadline, report: "—" },
    { figure: "EIP-712 digest", signed: r.view.digest, report: "—" },
  ];
}
