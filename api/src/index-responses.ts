/**
 * Response schemas of the event index's listings (indexer/store.ts): batches, retirements, participants and auditors
 * as the index holds them. Split from responses.ts (chain reads and the oracle's jobs), whose scalars they share.
 */
import { z } from "zod";

import { BATCH_STATUS, CLAIM_STATUS, PARTICIPANT_STATUS_VALUES } from "../../sdk/src/enums.ts";
import { blockNumber, category, checksumAddress, count, isoDay, isoTime, kind } from "./responses.ts";
import { hash32, indexStatusSchema, uintString } from "./schemas.ts";

// ---------------------------------------------------------------------------------------------------------------
// Event index listings (indexer/store.ts)
// ---------------------------------------------------------------------------------------------------------------

const indexedName = z.string().nullable().describe("the organisation name on the ledger (null: not admitted)");

export const indexedRetirementSchema = z
  .object({
    retirementId: uintString,
    batchId: uintString.describe("the batch the claim rests on now"),
    originalBatchId: uintString.describe("the batch the certificates were retired from"),
    replacements: count.describe("times the claim was restored from another batch"),
    claimStatus: z
      .enum(CLAIM_STATUS)
      .describe("reversed: its batch was reversed, replacement owed; replaced: restored from another batch"),
    account: checksumAddress.describe("the holder whose certificates were burned"),
    accountName: indexedName,
    operator: checksumAddress.describe("who sent the transaction: the holder or its approved operator"),
    beneficiaryName: z.string(),
    beneficiary: checksumAddress.nullable(),
    amount: uintString,
    periodStart: isoTime,
    periodEnd: isoTime,
    scope3Category: z.union([z.literal(1), z.literal(2)]),
    purpose: z.string(),
    claimHash: hash32,
    txHash: hash32,
    blockNumber,
    logIndex: count,
    blockTime: isoTime,
  })
  .meta({ id: "IndexedRetirement" });

export const indexedBatchSchema = z
  .object({
    batchId: uintString,
    owner: checksumAddress,
    ownerName: indexedName,
    category,
    categoryCode: z.number().int().min(1).max(255),
    issued: uintString,
    retired: uintString,
    outstanding: uintString.describe("issued − retired while the batch stands; 0 once reversed"),
    cancelled: uintString.describe("outstanding certificates cancelled by a reversal (0 unless reversed)"),
    baselineGrams: uintString,
    reductionGrams: uintString,
    vintageStart: isoDay,
    vintageEnd: isoDay,
    methodologyId: z.number().int().min(0).max(65_535),
    methodology: z.string().nullable(),
    parameters: z.string().nullable(),
    status: z.enum(BATCH_STATUS).describe("suspended: by the admin and/or open challenges; reversed: final"),
    hold: z.object({ adminSuspended: z.boolean(), openChallenges: count }),
    reportHash: hash32,
    referenceDataHash: hash32,
    deviceRoot: hash32,
    sampleHash: hash32.describe("keccak256 of the audit sample record; zero: issued without one"),
    evidenceURI: z.string(),
    deadline: isoTime,
    auditors: z.array(checksumAddress),
    txHash: hash32,
    blockNumber,
    blockTime: isoTime,
  })
  .meta({ id: "IndexedBatch" });

export const indexedParticipantSchema = z
  .object({
    account: checksumAddress,
    name: z.string().describe("the organisation name on the ledger"),
    kind,
    status: z.enum(PARTICIPANT_STATUS_VALUES),
    admittedBlock: blockNumber,
    admittedAt: isoTime,
    updatedBlock: blockNumber,
    updatedAt: isoTime,
  })
  .meta({ id: "IndexedParticipant" });

export const retirementListSchema = z.object({
  retirements: z.array(indexedRetirementSchema),
  index: indexStatusSchema,
});
export const batchListSchema = z.object({ batches: z.array(indexedBatchSchema), index: indexStatusSchema });
export const participantListSchema = z.object({
  participants: z.array(indexedParticipantSchema),
  index: indexStatusSchema,
});
export const auditorsSchema = z.object({
  auditors: z
    .array(checksumAddress)
    .describe("accredited auditor signing addresses, in the order of their latest accreditation (index)"),
  threshold: z
    .number()
    .int()
    .min(0)
    .max(255)
    .describe("distinct auditing bodies whose signatures issue a batch (chain)"),
  index: indexStatusSchema,
});
