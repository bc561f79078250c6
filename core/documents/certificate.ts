/**
 * The retirement certificate's content, built only from on-chain data (claim and its status, batch figures and
 * standing, organisation and auditing-body names, chain id, contract, transaction, block) plus the calculation report
 * the batch references — used only after its keccak256 is checked against the report hash on-chain — so the document
 * can never disagree with the ledger. A reversed claim's certificate says REVERSED, never verified.
 */
import { keccak256 } from "ethers";

import { registryInterface } from "../../sdk/src/registry.ts";
import type { ChainReads } from "../chain/reads.ts";
import { retirementVerifyUrl } from "./links.ts";

export type CertificateModel = Awaited<ReturnType<typeof buildCertificate>>;

interface ReportShape {
  asOf?: string;
  lot?: { id?: string; refurbisher?: string };
  lotId?: string;
  refurbisher?: string;
  batches?: { category?: string; eligible?: number; devices?: number; certificates?: number }[];
}

/**
 * @param options.verifyBaseUrl the public base URL of the registry that holds the data (its verify page is linked),
 *   or null when it is unknown: the certificate then has no link, only the chain commands (see links.ts).
 * @param options.rpcUrl the JSON-RPC URL quoted in the commands.
 * @param options.fetchBytes fetches the calculation report (by its evidence URI); undefined when it cannot be read.
 */
export async function buildCertificate(
  reads: ChainReads,
  retirementId: bigint,
  options: {
    verifyBaseUrl: string | null;
    rpcUrl: string;
    fetchBytes?: (uri: string) => Promise<Uint8Array | undefined>;
  },
) {
  // The head now, not the read cache's last poll (up to ITEC_HEAD_POLL_MS old): a retirement mined since would
  // otherwise be read from a newer block than the certificate names. Clears the cache when the head moved.
  await reads.cache.refresh();
  const v = await reads.verifyRetirement(retirementId);
  const registry = v.chain.registry;
  const calldata = registryInterface.encodeFunctionData("retirement", [retirementId]);

  let report: {
    status: "verified" | "unavailable" | "hash mismatch";
    asOf?: string;
    lotDevices?: number;
    batchDevices?: number;
    eligible?: number;
  } = {
    status: "unavailable",
  };
  if (options.fetchBytes && v.batch.evidenceURI) {
    const bytes = await options.fetchBytes(v.batch.evidenceURI).catch(() => undefined);
    if (bytes) {
      if (keccak256(bytes) !== v.batch.reportHash) {
        report = { status: "hash mismatch" };
      } else {
        const parsed = JSON.parse(Buffer.from(bytes).toString("utf8")) as ReportShape & { devices?: unknown[] };
        const batch = parsed.batches?.find((b) => b.category === v.batch.category);
        report = {
          status: "verified",
          ...(parsed.asOf ? { asOf: parsed.asOf } : {}),
          ...(Array.isArray(parsed.devices) ? { lotDevices: parsed.devices.length } : {}),
          ...(batch?.devices !== undefined ? { batchDevices: batch.devices } : {}),
          ...(batch?.eligible !== undefined ? { eligible: batch.eligible } : {}),
        };
      }
    }
  }
  const verifyUrl = options.verifyBaseUrl === null ? null : retirementVerifyUrl(options.verifyBaseUrl, retirementId);
  return {
    title: "I-TEC Retirement Certificate",
    subtitle: "IT Asset Reuse Certificates — verified lower carbon intensity of refurbished IT devices (not an offset)",
    retirementId: v.retirementId,
    /** The block the figures were read at: the chain's head when the certificate was made. */
    readAt: { chainId: v.chain.chainId, registry, block: v.chain.checkedAtBlock },
    verified: v.verified,
    verdict: v.verdict,
    summary: v.summary,
    claimStatus: v.claimStatus,
    claim: v.claim,
    batch: v.batch,
    proof: v.proof,
    chain: v.chain,
    totals: v.totals,
    checks: v.checks,
    statement: v.statement,
    report: { ...report, uri: v.batch.evidenceURI, hash: v.batch.reportHash },
    howToVerify: {
      url: verifyUrl,
      // The Retirement struct is all static types, so its ten fields decode as ten outputs (no tuple parentheses:
      // two characters fewer keep the signature one unbroken token on an A4 line).
      cast: `cast call ${registry} "retirement(uint256)(address,uint40,uint8,uint32,uint16,address,uint32,uint32,uint32,bytes32)" ${retirementId} --rpc-url ${options.rpcUrl}`,
      // 0 verified, 1 reversed (not valid until replaced), 2 replaced; and the batch the claim rests on.
      castStatus: `cast call ${registry} "claimStatus(uint256)(uint8,uint256)" ${retirementId} --rpc-url ${options.rpcUrl}`,
      // Spaces only between arguments and inside the JSON, where a line may wrap and a copied line break changes
      // nothing (JSON ignores whitespace); none inside the header, where a line break would.
      jsonRpc: `curl -s ${options.rpcUrl} -H content-type:application/json --data '{"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [{"to": "${registry}", "data": "${calldata}"}, "latest"]}'`,
      claimHash: `keccak256(abi.encode(beneficiaryName, purpose)) must equal ${v.claim.claimHash}`,
    },
  };
}

/** An organisation: "Refurb Co (0x…)", or the address alone when the register has no name for it. */
const named = (account: string | null, name: string | null) =>
  account === null ? "—" : name ? `${name} (${account})` : account;

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
    return `Replaced — now rests on batch #${s.batchId}; originally batch #${s.originalBatchId ?? "?"}, which was reversed`;
  }
  return `Verified — rests on batch #${s.batchId}, where it was retired`;
}

/** The certificate's lines, in reading order: one source for the HTML and the PDF. */
export function certificateSections(m: CertificateModel): { heading: string; rows: [string, string][] }[] {
  const c = m.claim;
  const b = m.batch;
  const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "—");
  const holder = named(c.account, c.accountName);
  const retiredBy =
    c.operator && c.operator !== c.account ? `${holder} (by operator ${named(c.operator, c.operatorName)})` : holder;
  const replacements = m.claimStatus.history.map((h, i): [string, string] => [
    `Replacement ${i + 1}`,
    `batch #${h.previousBatchId} → batch #${h.batchId}, certificates burned by ${named(h.holder.account, h.holder.name)} (tx ${h.event.txHash})`,
  ]);
  return [
    {
      heading: "Claim",
      rows: [
        ["Claim status", claimStatusText(m)],
        ...replacements,
        ["Beneficiary", c.beneficiaryName ?? "—"],
        ["Beneficiary account", c.beneficiary ? named(c.beneficiary, c.beneficiaryAccountName) : "— (none given)"],
        ["Retired by (holder)", retiredBy],
        ["Retired on behalf of the beneficiary", c.onBehalf ? "yes" : "no"],
        ["Certificates retired", `${c.amount} I-TEC (1 I-TEC = one verified refurbished ${b.category})`],
        ["Reporting period", `${day(c.periodStart)} to ${day(c.periodEnd)}`],
        [
          "GHG Protocol Scope 3",
          c.scope3Category === 1 ? "Category 1 — purchased goods and services" : "Category 2 — capital goods",
        ],
        ["Purpose", c.purpose ?? "—"],
      ],
    },
    {
      heading: "Figures (ITEC-CALC)",
      rows: [
        ["Baseline, new equivalent (B̄)", `${b.baselineKgPerDevice} kgCO2e per device`],
        ["Verified reduction (V̄)", `${b.reductionKgPerDevice} kgCO2e per device`],
        ["Certified intensity (B̄ − V̄)", `${b.certifiedIntensityKgPerDevice} kgCO2e per device`],
        ["Total reduction claimed", `${m.totals.reductionKgClaimed} kgCO2e (${c.amount} × V̄)`],
        ["Methodology", `${b.methodology} / ${b.parameters}`],
      ],
    },
    {
      heading: `Batch #${b.batchId}`,
      rows: [
        ["Status", `${b.status.toUpperCase()} — ${b.statusDetail}`],
        ["Category", b.category],
        ["Owner at issuance", named(b.owner, b.ownerName)],
        [
          "Devices certified in the batch",
          b.status === "reversed"
            ? `${b.issued} (retired ${b.retired}, cancelled ${b.cancelled})`
            : `${b.issued} (retired ${b.retired}, outstanding ${b.outstanding})`,
        ],
        ["Vintage (refurbished)", `${b.vintageStart} to ${b.vintageEnd}`],
        [
          "Auditor(s)",
          b.signers.map((s) => `${s.body ?? "no current accreditation"} (${s.auditor})`).join(", ") || "—",
        ],
        [
          "Calculation report",
          `${b.evidenceURI ?? "—"} (${m.report.status}${m.report.asOf ? `, calculated as of ${m.report.asOf}` : ""})`,
        ],
        ["Report hash", b.reportHash ?? "—"],
        ["Reference data hash", b.referenceDataHash ?? "—"],
        ["Device Merkle root", b.deviceRoot ?? "—"],
      ],
    },
    {
      heading: "On-chain proof",
      rows: [
        ["Chain id / registry", `${m.chain.chainId} / ${m.chain.registry}`],
        ["Retirement transaction", m.proof ? m.proof.txHash : "—"],
        ["Block", m.proof ? `${m.proof.blockNumber} (${m.proof.timestamp ?? ""})` : "—"],
        [
          "Figures read at block",
          `${m.readAt.block} (the chain's head when this certificate was made${m.proof ? `; the retirement is in block ${m.proof.blockNumber}` : ""})`,
        ],
        ["Issuance transaction", b.issuance?.txHash ?? "—"],
        ["Claim hash", c.claimHash],
        ["Checks", m.checks.map((k) => `${k.passed ? "✓" : "✗"} ${k.check}`).join("; ")],
      ],
    },
  ];
}
