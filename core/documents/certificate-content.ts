/**
 * What the retirement certificate says, in reading order — the one model both renderings draw (HTML:
 * certificate-render.ts, PDF: certificate-pdf.ts), so the two can never show different content: who issued it and
 * when, the verdict, the claim, the figures, the batch and its auditors, the on-chain proof, how to verify it
 * without the registry, and the statement of checks with the block the figures were read at.
 */
import { deliveryText } from "../deliveries/attribution.ts";
import type { CertificateModel } from "./certificate.ts";

/** One labelled value (a line break in it starts a new line). `mono`: a hash, printed in a monospaced font. */
export interface CertificateRow {
  label: string;
  value: string;
  mono?: boolean;
}

export interface CertificateSection {
  heading: string;
  rows: CertificateRow[];
}

export interface CertificateDocument {
  title: string;
  subtitle: string;
  /** Issuer, operator, issue date, certificate id, what was retired, verify URL: the page's header. */
  issuer: CertificateRow[];
  verdict: { ok: boolean; summary: string; headline: string };
  sections: CertificateSection[];
  verify: {
    /** The verify page (also the QR code's content), or null when no registry URL is known. */
    url: string | null;
    intro: string;
    commands: string[];
    claimHash: string;
  };
  /** The statement of checks, as the verification gives it: where it was read (the block) and what was checked. */
  statement: string;
}

/** An organisation: "Refurb Co (0x…)", or the address alone when the register has no name for it. */
const named = (account: string | null, name: string | null) =>
  account === null ? "—" : name ? `${name} (${account})` : account;

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "—");

/** "2026-12-02 01:00:33 UTC". */
const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

/** The claim's status in words: verified, reversed (who owes the replacement) or replaced (from which batch). */
export function claimStatusText(m: CertificateModel): string {
  const s = m.claimStatus;
  if (s.status === "reversed") {
    return (
      `REVERSED — batch #${s.batchId} was found wrong and reversed; the claim is not valid until replaced ` +
      `(replacement owed by ${s.owedBy ? named(s.owedBy.account, s.owedBy.name) : "the batch's owner"})`
    );
  }
  if (s.status === "replaced") {
    return `Replaced by batch #${s.batchId} — originally retired from batch #${s.originalBatchId ?? "?"}, which was reversed`;
  }
  return `Verified — rests on batch #${s.batchId}, where it was retired`;
}

/** Each auditor whose signature issued the batch, one a line: its auditing body's name first, its address after. */
function auditors(m: CertificateModel): string {
  const signers = m.batch.signers.map((s) =>
    s.body ? `${s.body} (auditor ${s.auditor})` : `auditor ${s.auditor} (no current accreditation)`,
  );
  return signers.join("\n") || "—";
}

function issuerRows(m: CertificateModel): CertificateRow[] {
  const r = m.registry;
  const operator = r.operator.name
    ? `${r.operator.name} (${r.operator.account}), the registry's admin`
    : `${r.operator.account}, the registry's admin (no organisation name on the register)`;
  return [
    {
      label: "Issued by",
      value: `${r.name} v${r.version}, registry contract ${r.address} on chain ${r.chainId}`,
    },
    { label: "Registry operator", value: operator },
    {
      label: "Issue date",
      value: m.issuedAt ? `${utc(m.issuedAt)} (block ${m.proof?.blockNumber ?? "—"}, the retirement)` : "—",
    },
    { label: "Certificate id", value: `Retirement #${m.retirementId}` },
    {
      label: "Certificates retired",
      value: `${m.claim.amount} I-TEC of batch #${m.batch.batchId} (ERC-1155 token id ${m.batch.batchId}; a batch's I-TECs carry no serials)`,
    },
    {
      label: "Verify at",
      value: m.howToVerify.url ?? "no public URL of the registry is known: verify on the chain (below)",
    },
  ];
}

/** The certificate's labelled lines below the header, in reading order: one source for the HTML and the PDF. */
export function certificateSections(m: CertificateModel): CertificateSection[] {
  const c = m.claim;
  const b = m.batch;
  const holder = named(c.account, c.accountName);
  const retiredBy =
    c.operator && c.operator !== c.account ? `${holder} (by operator ${named(c.operator, c.operatorName)})` : holder;
  const replacements = m.claimStatus.history.map((h, i): CertificateRow => ({
    label: `Replacement ${i + 1}`,
    value: `batch #${h.previousBatchId} → batch #${h.batchId}, certificates burned by ${named(h.holder.account, h.holder.name)} (tx ${h.event.txHash})`,
  }));
  return [
    {
      heading: "Claim",
      rows: [
        { label: "Claim status", value: claimStatusText(m) },
        ...replacements,
        { label: "Beneficiary", value: c.beneficiaryName ?? "—" },
        {
          label: "Beneficiary account",
          value: c.beneficiary ? named(c.beneficiary, c.beneficiaryAccountName) : "— (none given)",
        },
        { label: "Retired by (holder)", value: retiredBy },
        { label: "Retired on behalf", value: c.onBehalf ? "yes" : "no" },
        { label: "Amount", value: `${c.amount} I-TEC (1 I-TEC = one verified refurbished ${b.category})` },
        { label: "Reporting period", value: `${day(c.periodStart)} to ${day(c.periodEnd)}` },
        {
          label: "GHG Protocol Scope 3",
          value: c.scope3Category === 1 ? "Category 1 — purchased goods and services" : "Category 2 — capital goods",
        },
        { label: "Purpose", value: c.purpose ?? "—" },
        ...(m.deliveries.length > 0
          ? [{ label: "Received with delivery", value: deliveryText(m.deliveries, Number(c.amount)) }]
          : []),
        { label: "Claim hash", value: c.claimHash, mono: true },
      ],
    },
    {
      heading: "Figures (ITEC-CALC)",
      rows: [
        { label: "Baseline, new equivalent (B̄)", value: `${b.baselineKgPerDevice} kgCO2e per device` },
        { label: "Verified reduction (V̄)", value: `${b.reductionKgPerDevice} kgCO2e per device` },
        { label: "Certified intensity (B̄ − V̄)", value: `${b.certifiedIntensityKgPerDevice} kgCO2e per device` },
        { label: "Total reduction claimed", value: `${m.totals.reductionKgClaimed} kgCO2e (${c.amount} × V̄)` },
        { label: "Method", value: `${b.methodology} / ${b.parameters}` },
        {
          label: "Calculation report",
          value: `${b.evidenceURI ?? "—"} (${m.report.status}${m.report.asOf ? `, calculated as of ${m.report.asOf}` : ""})`,
        },
      ],
    },
    {
      heading: `Batch #${b.batchId}`,
      rows: [
        { label: "Status", value: `${b.status.toUpperCase()} — ${b.statusDetail}` },
        { label: "Category", value: b.category },
        { label: "Owner at issuance", value: named(b.owner, b.ownerName) },
        {
          label: "Devices certified",
          value:
            b.status === "reversed"
              ? `${b.issued} (retired ${b.retired}, cancelled ${b.cancelled})`
              : `${b.issued} (retired ${b.retired}, outstanding ${b.outstanding})`,
        },
        { label: "Vintage (refurbished)", value: `${b.vintageStart} to ${b.vintageEnd}` },
        { label: "Auditors", value: auditors(m) },
        { label: "Report hash", value: b.reportHash ?? "—", mono: true },
        { label: "Reference data hash", value: b.referenceDataHash ?? "—", mono: true },
        { label: "Device Merkle root", value: b.deviceRoot ?? "—", mono: true },
        { label: "Issuance transaction", value: b.issuance?.txHash ?? "—", mono: true },
      ],
    },
    {
      heading: "On-chain proof",
      rows: [
        { label: "Chain id / registry", value: `${m.chain.chainId} / ${m.chain.registry}` },
        { label: "Retirement transaction", value: m.proof ? m.proof.txHash : "—", mono: true },
        { label: "Retirement block", value: m.proof ? `${m.proof.blockNumber} (${m.proof.timestamp ?? "—"})` : "—" },
        { label: "Figures read at block", value: readAtValue(m) },
        { label: "Checks", value: m.checks.map((k) => `${k.passed ? "✓" : "✗"} ${k.check}`).join("; ") },
      ],
    },
  ];
}

/** "17 (the chain's head when this certificate was made; the retirement is in block 16)". */
function readAtValue(m: CertificateModel): string {
  const where = m.proof ? `; the retirement is in block ${m.proof.blockNumber}` : "";
  return `${m.readAt.block} (the chain's head when this certificate was made${where})`;
}

/** The whole certificate, header to footer. */
export function certificateDocument(m: CertificateModel): CertificateDocument {
  const url = m.howToVerify.url;
  return {
    title: `${m.title} #${m.retirementId}`,
    subtitle: m.subtitle,
    issuer: issuerRows(m),
    verdict: {
      ok: m.verified,
      summary: m.summary,
      headline:
        `${m.claim.amount} I-TEC retired for ${m.claim.beneficiaryName ?? "—"}: ${m.totals.reductionKgClaimed} kgCO2e ` +
        `verified reduction (${m.batch.reductionKgPerDevice} kgCO2e per device × ${m.claim.amount} devices), ` +
        `reporting period ${day(m.claim.periodStart)} to ${day(m.claim.periodEnd)}.`,
    },
    sections: certificateSections(m),
    verify: {
      url,
      intro: url
        ? `Open ${url} (the QR code), or ask any node of the chain:`
        : "Ask any node of the chain (no public URL of the registry is known):",
      commands: [m.howToVerify.cast, m.howToVerify.castStatus, m.howToVerify.jsonRpc],
      claimHash: `${m.howToVerify.claimHash}.`,
    },
    statement: m.statement,
  };
}
