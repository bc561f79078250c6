/**
 * The retirement certificate's facts, read only from the chain (claim and its status, batch figures and standing,
 * organisation and auditing-body names, the registry's own name and its admin, chain id, contract, transaction,
 * block) plus the calculation report the batch references — used only after its keccak256 is checked against the
 * report hash on-chain — so the document can never disagree with the ledger. A reversed claim's certificate says
 * REVERSED, never verified. What the page says, in which words, is certificate-content.ts.
 */
import { getAddress, keccak256 } from "ethers";

import { registryInterface } from "../../sdk/src/registry.ts";
import type { ChainReads } from "../chain/reads.ts";
import type { DeliveriesOf } from "../deliveries/attribution.ts";
import { retirementVerifyUrl } from "./links.ts";

export { certificateSections, claimStatusText } from "./certificate-content.ts";

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
    /** The deliveries the holder received the batch with (docs/deliveries.md); absent: none are named. */
    deliveries?: DeliveriesOf | undefined;
  },
) {
  // The head now, not the read cache's last poll (up to ITEC_HEAD_POLL_MS old): a retirement mined since would
  // otherwise be read from a newer block than the certificate names. Clears the cache when the head moved.
  await reads.cache.refresh();
  const [v, identity] = await Promise.all([reads.verifyRetirement(retirementId), registryIdentity(reads)]);
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
  const deliveries =
    options.deliveries && v.claim.account && v.proof
      ? await options.deliveries(v.claim.account, v.batch.batchId, v.proof.blockNumber)
      : [];
  const verifyUrl = options.verifyBaseUrl === null ? null : retirementVerifyUrl(options.verifyBaseUrl, retirementId);
  return {
    title: "I-TEC Retirement Certificate",
    subtitle: "IT Asset Reuse Certificates — verified lower carbon intensity of refurbished IT devices (not an offset)",
    retirementId: v.retirementId,
    /** The registry that issued it: the contract's own name (its EIP-712 domain) and the admin who operates it. */
    registry: { ...identity, address: registry, chainId: v.chain.chainId, publicUrl: options.verifyBaseUrl },
    /** The retirement's block time: when the claim was made and the certificates burned. */
    issuedAt: v.proof?.timestamp ?? null,
    /** The block the figures were read at: the chain's head when the certificate was made. */
    readAt: { chainId: v.chain.chainId, registry, block: v.chain.checkedAtBlock },
    verified: v.verified,
    verdict: v.verdict,
    summary: v.summary,
    claimStatus: v.claimStatus,
    claim: v.claim,
    /** The deliveries the holder received this batch's certificates with, before retiring them (may be none). */
    deliveries,
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

/**
 * What the registry contract says it is and who runs it: its EIP-712 domain name and version, its admin
 * (`defaultAdmin()`, the account that admits participants and accredits auditors) and the organisation name the
 * register gives that account — null unless the admin was admitted as a participant under a name.
 */
function registryIdentity(reads: ChainReads) {
  return reads.cache.get("certificate:registry", async () => {
    const r = reads.chain.registry;
    const [domain, admin] = await Promise.all([r.eip712Domain(), r.defaultAdmin()]);
    const participant = await r.participant(admin);
    return {
      name: domain.name,
      version: domain.version,
      operator: {
        account: getAddress(admin),
        name: participant.kind === 0n || participant.name === "" ? null : participant.name,
      },
    };
  });
}
