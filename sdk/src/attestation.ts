/**
 * The EIP-712 attestation an auditor signs — the single TypeScript mirror of `IITECRegistry.Attestation`.
 * `test/contracts/eip712.test.ts` proves this definition and the contract's `ATTESTATION_TYPEHASH` agree.
 */
import { TypedDataEncoder, ZeroHash, type TypedDataDomain, type TypedDataField } from "ethers";

/** EIP-712 domain name and version of the registry contract (`EIP712("I-TEC Registry", "2")`). */
export const EIP712_NAME = "I-TEC Registry";
export const EIP712_VERSION = "2";

/** Field order and types exactly as in the Solidity struct. */
export const ATTESTATION_TYPES: Record<"Attestation", TypedDataField[]> = {
  Attestation: [
    { name: "owner", type: "address" },
    { name: "category", type: "uint8" },
    { name: "certificates", type: "uint32" },
    { name: "baselineGrams", type: "uint40" },
    { name: "reductionGrams", type: "uint40" },
    { name: "vintageStart", type: "uint40" },
    { name: "vintageEnd", type: "uint40" },
    { name: "methodology", type: "string" },
    { name: "parameters", type: "string" },
    { name: "reportHash", type: "bytes32" },
    { name: "referenceDataHash", type: "bytes32" },
    { name: "deviceRoot", type: "bytes32" },
    { name: "sampleHash", type: "bytes32" },
    { name: "evidenceURI", type: "string" },
    { name: "deadline", type: "uint64" },
  ],
};

/** An attestation as ethers encodes it (integers as bigint, hashes as 0x-hex). */
export interface Attestation {
  owner: string;
  category: number;
  certificates: bigint;
  baselineGrams: bigint;
  reductionGrams: bigint;
  vintageStart: bigint;
  vintageEnd: bigint;
  methodology: string;
  parameters: string;
  reportHash: string;
  referenceDataHash: string;
  deviceRoot: string;
  /** keccak256 of the canonical audit sample record (core/audit/sample-record.ts); bytes32(0): no sample record. */
  sampleHash: string;
  evidenceURI: string;
  deadline: bigint;
}

/** One auditor's signature, as `issue` takes it. */
export interface AuditorSignature {
  auditor: string;
  signature: string;
}

/** The EIP-712 domain of a registry deployment: bound to its chain and contract address. */
export function attestationDomain(chainId: bigint | number, verifyingContract: string): TypedDataDomain {
  return { name: EIP712_NAME, version: EIP712_VERSION, chainId: BigInt(chainId), verifyingContract };
}

/** The canonical type string, e.g. for comparing with the contract's `ATTESTATION_TYPEHASH`. */
export function attestationTypeString(): string {
  return TypedDataEncoder.from(ATTESTATION_TYPES).encodeType("Attestation");
}

/** The digest auditors sign (what `attestationDigest` returns on-chain). */
export function attestationDigest(domain: TypedDataDomain, attestation: Attestation): string {
  return TypedDataEncoder.hash(domain, ATTESTATION_TYPES, attestation);
}

/**
 * The full `eth_signTypedData_v4` payload for a wallet: exactly what the auditor signs, with `EIP712Domain`
 * spelled out and integers as decimal strings (JSON has no bigint).
 */
export function attestationTypedData(domain: TypedDataDomain, attestation: Attestation) {
  const payload: unknown = TypedDataEncoder.getPayload(domain, ATTESTATION_TYPES, attestation);
  return payload as {
    types: Record<string, { name: string; type: string }[]>;
    domain: Record<string, unknown>;
    primaryType: "Attestation";
    message: Record<string, unknown>;
  };
}

/** Signatures must reach the contract sorted by ascending auditor address (this is also how it sees distinctness). */
export function sortSignatures(signatures: readonly AuditorSignature[]): AuditorSignature[] {
  return [...signatures].sort((a, b) => {
    const x = BigInt(a.auditor);
    const y = BigInt(b.auditor);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * An auditor's signed refusal to attest (EIP-712 primary type `Rejection`, same domain): binds the reason to the
 * exact attestation digest the auditor reviewed. Verified off-chain by the oracle; never sent to the contract.
 */
export const REJECTION_TYPES: Record<"Rejection", TypedDataField[]> = {
  Rejection: [
    { name: "attestationDigest", type: "bytes32" },
    { name: "reason", type: "string" },
  ],
};

export interface Rejection {
  attestationDigest: string;
  reason: string;
}

/** Attestation ↔ JSON (integers as decimal strings), for storage and the wire. */
export function attestationToJson(a: Attestation): Record<keyof Attestation, string | number> {
  return {
    owner: a.owner,
    category: a.category,
    certificates: a.certificates.toString(),
    baselineGrams: a.baselineGrams.toString(),
    reductionGrams: a.reductionGrams.toString(),
    vintageStart: a.vintageStart.toString(),
    vintageEnd: a.vintageEnd.toString(),
    methodology: a.methodology,
    parameters: a.parameters,
    reportHash: a.reportHash,
    referenceDataHash: a.referenceDataHash,
    deviceRoot: a.deviceRoot,
    sampleHash: a.sampleHash,
    evidenceURI: a.evidenceURI,
    deadline: a.deadline.toString(),
  };
}

export function attestationFromJson(j: Record<string, unknown>): Attestation {
  const s = (k: string) => String(j[k]);
  return {
    owner: s("owner"),
    category: Number(j.category),
    certificates: BigInt(s("certificates")),
    baselineGrams: BigInt(s("baselineGrams")),
    reductionGrams: BigInt(s("reductionGrams")),
    vintageStart: BigInt(s("vintageStart")),
    vintageEnd: BigInt(s("vintageEnd")),
    methodology: s("methodology"),
    parameters: s("parameters"),
    reportHash: s("reportHash"),
    referenceDataHash: s("referenceDataHash"),
    deviceRoot: s("deviceRoot"),
    // Attestations stored before the sample hash existed carry none: bytes32(0), "no sample record".
    sampleHash: j.sampleHash === undefined ? ZeroHash : s("sampleHash"),
    evidenceURI: s("evidenceURI"),
    deadline: BigInt(s("deadline")),
  };
}
