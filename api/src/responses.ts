/**
 * Response schemas: what each read answers, exactly as the handlers build it (chain reads in
 * core/chain/reads.ts, the event index in indexer/store.ts, the oracle's job store). They feed the
 * OpenAPI document (named ones become components) and, in tests, every JSON reply is checked against them
 * (see `validateResponses` in route/mount.ts), so the document cannot drift from what the server sends.
 *
 * Wire rules: uint256 values and decimals are strings, addresses EIP-55 checksummed, times ISO-8601 UTC. Small
 * bounded integers (block numbers, counts of the oracle's jobs, uint8/uint16 codes) are JSON numbers.
 */
import { getAddress } from "ethers";
import { z } from "zod";

import {
  BATCH_STATUS,
  CATEGORIES,
  CATEGORY_CODES,
  CLAIM_STATUS,
  PARTICIPANT_KINDS,
  PARTICIPANT_STATUS,
  type Category,
  type ParticipantKindName,
} from "../../sdk/src/enums.ts";
import { BATCH_STATES } from "../../oracle/src/index.ts";
import { batchJobId, hash32, indexStatusSchema, lotId, uintString } from "./schemas.ts";

// ---------------------------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------------------------

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const isChecksummed = (v: string): boolean => {
  try {
    return getAddress(v) === v;
  } catch {
    return false;
  }
};

/**
 * An address as the API writes it: EIP-55 checksummed, nothing else. (The request schema `address` also takes
 * all-lower/upper case and checksums it; an answer must already be checksummed.)
 */
export const checksumAddress = z
  .string()
  .regex(ADDRESS, "expected a 0x-prefixed 20-byte Ethereum address")
  .refine((v) => !ADDRESS.test(v) || isChecksummed(v), "expected the EIP-55 checksummed form")
  .meta({
    id: "ChecksumAddress",
    description: "Ethereum address, EIP-55 checksummed",
    example: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  });

/** kgCO2e as a decimal string with exactly three decimals (integer grams / 1000, see `gramsToKg`). */
export const kgDecimal = z
  .string()
  .regex(/^(0|[1-9][0-9]*)\.[0-9]{3}$/, "expected kilograms as a decimal string with three decimals")
  .meta({
    id: "KgDecimal",
    description: "kgCO2e as a decimal string with exactly three decimals",
    example: "189.413",
  });

export const isoTime = z.iso.datetime().meta({ id: "UtcTime", description: "ISO-8601 time in UTC" });
export const isoDay = z.iso.date().meta({ id: "UtcDay", description: "A UTC day, YYYY-MM-DD" });
export const blockNumber = z.number().int().nonnegative();
export const count = z.number().int().nonnegative();
export const category = z
  .enum(Object.keys(CATEGORY_CODES) as [Category, ...Category[]])
  .meta({ id: "DeviceCategory", description: "Device category (docs/methodology.md §1)" });
const kinds = Object.keys(PARTICIPANT_KINDS) as [ParticipantKindName, ...ParticipantKindName[]];
export const kind = z.enum(kinds);
const batchState = z.enum(BATCH_STATES).meta({ id: "BatchState", description: "A batch job's state" });
/** SHA-256 as 64 lower-case hex digits (no 0x), as the reference data is identified. */
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "expected a SHA-256 as 64 hex digits");

// ---------------------------------------------------------------------------------------------------------------
// Chain reads (core/chain/reads.ts)
// ---------------------------------------------------------------------------------------------------------------

const eventProof = z.object({ txHash: hash32, blockNumber, timestamp: isoTime.nullable() });
/** An organisation name as the register holds it (`participant(account).name`; null when not admitted). */
const orgName = z.string().nullable();
const party = z
  .object({ account: checksumAddress, name: orgName })
  .meta({ id: "Party", description: "An account and the organisation name the register gives it" });
const batchStatus = z
  .enum(BATCH_STATUS)
  .meta({ id: "BatchStatus", description: "active, suspended (admin and/or open challenges) or reversed (final)" });

const chainBatchShape = {
  batchId: uintString.describe("token id"),
  category,
  issued: uintString,
  retired: uintString.describe("burned by retirements and by replacements of reversed claims"),
  outstanding: uintString.describe("issued − retired while the batch stands; 0 once reversed"),
  cancelled: uintString.describe("outstanding certificates cancelled by a reversal (0 unless reversed)"),
  status: batchStatus,
  hold: z
    .object({ adminSuspended: z.boolean(), openChallenges: count })
    .describe("why it is frozen: the registry admin's suspension and the fraud proofs still open against it"),
  statusDetail: z.string().describe("the batch's standing in one sentence"),
  reversal: z
    .object({
      cancelled: uintString,
      retiredReversed: uintString.nullable(),
      reason: z.string().nullable(),
      evidenceURI: z.string().nullable(),
      admin: checksumAddress.nullable(),
      event: eventProof.nullable().describe("the BatchReversed event (null when not found)"),
    })
    .nullable()
    .describe("the reversal, when the batch was reversed"),
  baselineKgPerDevice: kgDecimal,
  reductionKgPerDevice: kgDecimal,
  certifiedIntensityKgPerDevice: kgDecimal,
  baselineGrams: uintString,
  reductionGrams: uintString,
  vintageStart: isoDay,
  vintageEnd: isoDay,
  methodology: z.string(),
  parameters: z.string(),
  owner: checksumAddress.nullable().describe("first holder (null when the issuance event is not found)"),
  ownerName: orgName.describe("the first holder's organisation name"),
  reportHash: hash32.nullable(),
  referenceDataHash: hash32.nullable(),
  deviceRoot: hash32.nullable(),
  sampleHash: hash32
    .nullable()
    .describe("keccak256 of the audit sample record (GET /verify/batches/{id}/sample); zero: none recorded"),
  evidenceURI: z.string().nullable(),
  auditors: z.array(checksumAddress).describe("auditors whose signatures issued the batch"),
  signers: z
    .array(
      z.object({
        auditor: checksumAddress,
        bodyId: z.number().int().positive().nullable().describe("null: no current accreditation"),
        body: z.string().nullable().describe("the auditing body's name"),
      }),
    )
    .describe("the same auditors with the auditing body each signs for (its accreditation)"),
  issuance: eventProof.nullable().describe("the BatchIssued event (null when not found)"),
};

/** A batch as the chain holds it (`ChainReads.batch`). */
export const chainBatchSchema = z
  .object(chainBatchShape)
  .meta({ id: "Batch", description: "A batch (ERC-1155 token id) as the registry contract holds it" });

/** The batch with the link to its ERC-1155 metadata (GET /certificates/:batchId). */
export const certificateBatchSchema = z
  .object({ ...chainBatchShape, metadataURI: z.url() })
  .meta({ id: "CertificateBatch", description: "A batch as the chain holds it, with its metadata link" });

/** The ERC-1155 metadata JSON the contract renders (BatchMetadataRenderer.sol), decoded. */
export const certificateMetadataSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    decimals: z.literal(0),
    external_url: z.string(),
    image: z
      .string()
      .startsWith("data:image/svg+xml;base64,")
      .describe("the certificate card (SVG) wallets show: category, B̄, V̄, vintage, status"),
    attributes: z
      .array(
        z.object({
          trait_type: z.string(),
          display_type: z.literal("number").optional(),
          value: z.union([z.string(), z.number()]),
        }),
      )
      .describe("wallet traits (OpenSea metadata standard)"),
    properties: z.object({
      category,
      baseline_kgco2e_per_device: kgDecimal,
      verified_reduction_kgco2e_per_device: kgDecimal,
      certified_intensity_kgco2e_per_device: kgDecimal,
      issued: count.describe("uint32, a JSON number as the contract renders it"),
      status: z.enum(BATCH_STATUS).describe("the batch's status; metadata changes only with it (a URI event)"),
      vintage_start: count.describe("Unix seconds (uint40)"),
      vintage_end: count.describe("Unix seconds (uint40)"),
      methodology: z.string(),
      parameters: z.string(),
    }),
  })
  .meta({ id: "CertificateMetadata", description: "ERC-1155 metadata as the contract's uri(id) returns it" });

/** A retirement verified from the chain alone (`ChainReads.verifyRetirement`). */
export const retirementVerificationSchema = z
  .object({
    retirementId: uintString,
    verified: z.boolean().describe("every check passed (never for a reversed claim)"),
    verdict: z
      .enum(["verified", "replaced", "reversed", "failed"])
      .describe("verified; replaced (verified, on a replacement batch); reversed (not valid until replaced); failed"),
    summary: z.string().describe("the verdict in one sentence, naming the organisations"),
    claimStatus: z
      .object({
        status: z.enum(CLAIM_STATUS).describe("claimStatus(id), from contract state"),
        batchId: uintString.describe("the batch the claim rests on now"),
        originalBatchId: uintString.nullable().describe("the batch it was retired from"),
        replacements: count,
        history: z
          .array(
            z.object({
              previousBatchId: uintString,
              batchId: uintString,
              holder: party,
              operator: checksumAddress,
              event: eventProof,
            }),
          )
          .describe("RetirementReplaced events, oldest first"),
        owedBy: party.nullable().describe("when reversed: the reversed batch's owner, who owes the replacement"),
      })
      .meta({ id: "ClaimStatus", description: "A claim's status from contract state, with where it rests and why" }),
    chain: z.object({ chainId: uintString, registry: checksumAddress, checkedAtBlock: z.number().int() }),
    claim: z.object({
      account: checksumAddress.describe("whose certificates were burned"),
      accountName: orgName,
      operator: checksumAddress.nullable().describe("who sent the retirement (null when the event is not found)"),
      operatorName: orgName,
      beneficiaryName: z.string().nullable(),
      beneficiary: checksumAddress.nullable(),
      beneficiaryAccountName: orgName.describe("the beneficiary account's organisation name on the register"),
      onBehalf: z.boolean().nullable(),
      amount: uintString,
      periodStart: isoTime,
      periodEnd: isoTime,
      scope3Category: z.union([z.literal(1), z.literal(2)]).describe("1 purchased goods, 2 capital goods"),
      purpose: z.string().nullable(),
      claimHash: hash32,
    }),
    proof: z
      .object({ txHash: hash32, blockNumber, blockHash: hash32, timestamp: isoTime.nullable() })
      .nullable()
      .describe("the CertificatesRetired event (null when not found)"),
    batch: chainBatchSchema.describe("the batch the claim rests on now"),
    totals: z.object({ certificates: uintString, unit: z.string(), reductionKgClaimed: kgDecimal }),
    checks: z.array(z.object({ check: z.string(), passed: z.boolean(), detail: z.string() })),
    statement: z.string(),
  })
  .meta({ id: "RetirementVerification", description: "A retirement checked against the chain, check by check" });

/** An account's standing, name, roles and accreditation (`ChainReads.participant`). */
export const participantSchema = z
  .object({
    account: checksumAddress,
    kind: z.enum(["none", ...kinds]),
    status: z.enum(PARTICIPANT_STATUS),
    name: orgName.describe("the organisation name on the register (null when not admitted)"),
    hasCode: z.boolean().describe("the account has code: a contract (ERC-1271 signatures)"),
    roles: z.object({
      admin: z.boolean(),
      auditor: z.boolean().describe("accredited for an auditing body, within its validity window now"),
      issuer: z.boolean(),
    }),
    accreditation: z
      .object({
        bodyId: z.number().int().positive(),
        body: z.string(),
        categories: z.array(z.enum(CATEGORIES)),
        validFrom: isoTime,
        validUntil: isoTime,
      })
      .nullable()
      .describe("the auditing body it signs for, the device categories and the validity window"),
  })
  .meta({
    id: "Participant",
    description: "An account's standing, name, roles and accreditation, read from the chain",
  });

export const balancesSchema = z
  .object({
    account: checksumAddress,
    balances: z.array(z.object({ batchId: uintString, amount: uintString })).describe("nonzero balances only"),
    index: indexStatusSchema,
  })
  .meta({ id: "Balances" });

/** GET /tx/:hash. */
export const transactionStatusSchema = z
  .discriminatedUnion("status", [
    z.object({
      hash: hash32,
      status: z.enum(["mined", "reverted"]),
      blockNumber,
      gasUsed: uintString,
    }),
    z.object({
      hash: hash32,
      status: z.enum(["pending", "unknown"]),
      blockNumber: z.null(),
      gasUsed: z.null(),
    }),
  ])
  .meta({ id: "TransactionStatus" });

// ---------------------------------------------------------------------------------------------------------------
// The oracle's batch jobs (oracle/src/pipeline/oracle.ts)
// ---------------------------------------------------------------------------------------------------------------

const signatureSchema = z
  .object({
    auditor: checksumAddress,
    status: z.enum(["accepted", "refused", "dropped"]),
    reason: z.string().nullable(),
    at: isoTime,
    digest: hash32.describe("the attestation digest signed (or refused)"),
  })
  .meta({ id: "AuditorSignature" });

/** What GET /batches/:id adds to the batch job view (the route extends its `BatchJob` schema with these). */
export const batchJobHistoryShape = {
  transitions: z.array(
    z.object({ from: batchState.nullable(), to: batchState, at: isoTime, note: z.string().nullable() }),
  ),
  signatures: z.array(signatureSchema),
  transactions: z.array(
    z.object({
      hash: hash32,
      nonce: count,
      status: z.enum(["signed", "broadcast", "mined", "reverted", "replaced"]),
      blockNumber: blockNumber.nullable(),
    }),
  ),
};

const uintDecimal = z.string().regex(/^(0|[1-9][0-9]*)$/, "expected a non-negative integer as a decimal string");

/** GET /batches/:id/attestation: the exact eth_signTypedData_v4 payload, and the figures to review. */
export const attestationViewSchema = z
  .object({
    batchId: batchJobId,
    lotId,
    state: batchState,
    digest: hash32.describe("EIP-712 digest of the attestation"),
    deadline: isoTime,
    typedData: z
      .object({
        types: z.record(z.string(), z.array(z.object({ name: z.string(), type: z.string() }))),
        domain: z.object({
          name: z.string(),
          version: z.string(),
          chainId: z.union([z.number().int().nonnegative(), z.string()]),
          verifyingContract: z.string().regex(ADDRESS).describe("lower case, as EIP-712 tooling emits it"),
        }),
        primaryType: z.literal("Attestation"),
        message: z.object({
          owner: z.string().regex(ADDRESS).describe("lower case, as EIP-712 tooling emits it"),
          category: uintDecimal,
          certificates: uintDecimal,
          baselineGrams: uintDecimal,
          reductionGrams: uintDecimal,
          vintageStart: uintDecimal,
          vintageEnd: uintDecimal,
          methodology: z.string(),
          parameters: z.string(),
          reportHash: hash32,
          referenceDataHash: hash32,
          deviceRoot: hash32,
          sampleHash: hash32,
          evidenceURI: z.string(),
          deadline: uintDecimal,
        }),
      })
      .describe("pass as is to eth_signTypedData_v4"),
    review: z.object({
      category,
      certificates: count,
      baselineKgPerDevice: kgDecimal,
      reductionKgPerDevice: kgDecimal,
      certifiedIntensityKgPerDevice: kgDecimal,
      totalReductionKg: kgDecimal,
      vintage: z.object({ start: isoDay.nullable(), end: isoDay.nullable() }),
      methodology: z.string(),
      parameters: z.string(),
      reportHash: hash32,
      referenceDataSha256: z.union([sha256Hex, z.literal("")]),
      deviceRoot: hash32,
      evidenceURI: z.string(),
      owner: checksumAddress,
      registry: z.object({ chainId: uintString, address: checksumAddress }),
    }),
    signatures: z.array(signatureSchema),
    threshold: z.number().int().min(0).max(255).nullable().describe("null when the chain could not be read"),
  })
  .meta({ id: "AttestationView" });

export const oracleMetricsSchema = z
  .object({
    batchesByState: z.record(batchState, count),
    counters: z.record(z.string(), count).describe("counters since the process started"),
  })
  .meta({ id: "OracleMetrics" });
