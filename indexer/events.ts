/**
 * The registry's event logs decoded into plain, typed records (addresses checksummed, integers as bigint), and
 * the view reads a few of them need: `BatchIssued` carries hashes, URI, deadline and auditors but not the figures
 * (read from `batch(id)`); `CertificatesRetired` carries ids, holder, operator and the texts but not amount,
 * period, category or beneficiary account (read from `retirement(id)`). Every other change the index follows
 * (statuses, holds, challenges, reversals, replacements, names, bodies and accreditations) is in its event.
 * Pure functions: no I/O here.
 */
import { getAddress, ZeroAddress, type Log, type LogDescription } from "ethers";

import { registryInterface } from "../sdk/src/registry.ts";

/** Where a log sits on the chain; (txHash, logIndex) is its identity. */
export type EventPosition = {
  txHash: string;
  logIndex: number;
  blockNumber: number;
  blockHash: string;
};

/** Figures of a batch from the `batch(id)` view (all fixed at issuance). */
export type BatchFigures = {
  issued: bigint;
  baselineGrams: bigint;
  reductionGrams: bigint;
  category: number;
  vintageStart: bigint;
  vintageEnd: bigint;
  methodologyId: number;
};

/** A stored claim from the `retirement(id)` view (never changes once written). */
export type RetirementClaim = {
  amount: bigint;
  beneficiary: string | null;
  periodStart: bigint;
  periodEnd: bigint;
  scope3Category: number;
  claimHash: string;
};

export type RegistryEvent =
  | { name: "ParticipantAdmitted"; account: string; kind: number; admin: string; participantName: string }
  | { name: "ParticipantRenamed"; account: string; admin: string; participantName: string }
  | { name: "ParticipantSuspended" | "ParticipantReinstated"; account: string; admin: string; reason: string }
  | { name: "AuditorBodyRegistered" | "AuditorBodyRenamed"; bodyId: number; bodyName: string }
  | {
      name: "AuditorAccredited";
      auditor: string;
      bodyId: number;
      categories: number;
      validFrom: bigint;
      validUntil: bigint;
      admin: string;
    }
  | { name: "AccreditationRevoked"; auditor: string; bodyId: number; admin: string; reason: string }
  | { name: "MethodologyRegistered"; methodologyId: number; methodology: string; parameters: string }
  | { name: "MethodologyStatusChanged"; methodologyId: number; active: boolean }
  | {
      name: "BatchIssued";
      batchId: bigint;
      owner: string;
      reportHash: string;
      referenceDataHash: string;
      deviceRoot: string;
      sampleHash: string;
      evidenceURI: string;
      deadline: bigint;
      auditors: string[];
    }
  | { name: "BatchSuspended" | "BatchReinstated"; batchId: bigint; by: string; reason: string }
  | { name: "BatchStatusChanged"; batchId: bigint; status: number }
  | {
      name: "BatchReversed";
      batchId: bigint;
      admin: string;
      cancelled: bigint;
      retiredReversed: bigint;
      reason: string;
      evidenceURI: string;
    }
  | {
      name: "CertificatesRetired";
      retirementId: bigint;
      batchId: bigint;
      account: string;
      operator: string;
      beneficiaryName: string;
      purpose: string;
    }
  | {
      name: "RetirementReplaced";
      retirementId: bigint;
      previousBatchId: bigint;
      batchId: bigint;
      holder: string;
      operator: string;
    }
  | {
      name: "ChallengeOpened";
      challengeId: bigint;
      batchA: bigint;
      batchB: bigint;
      kind: number;
      deviceId: string;
      index: bigint;
      challenger: string;
    }
  | {
      name: "ChallengeSettled";
      challengeId: bigint;
      faultyBatchId: bigint;
      admin: string;
      reason: string;
      evidenceURI: string;
    }
  | {
      name: "TransferSingle" | "TransferBatch";
      operator: string;
      from: string;
      to: string;
      ids: bigint[];
      values: bigint[];
    }
  | { name: "RoleGranted" | "RoleRevoked"; role: string; account: string; sender: string }
  /**
   * ERC-1155 `URI`: the batch's on-chain metadata changed with its status (which BatchStatusChanged records). Its
   * value, a whole base64 document with an SVG card, is not kept: `uri(id)` renders it again at any time.
   */
  | { name: "URI"; id: bigint }
  /** Everything else the registry emits (thresholds, approvals, admin transfers, base URI): the raw event log only. */
  | { name: "Other"; event: string; args: Record<string, unknown> };

/** A decoded log with its position, its block's time and — for issuance and retirement — the view it needs. */
export type IndexedEvent = EventPosition & { blockTime: number } & (
    | Exclude<RegistryEvent, { name: "BatchIssued" | "CertificatesRetired" }>
    | (Extract<RegistryEvent, { name: "BatchIssued" }> & { figures: BatchFigures })
    | (Extract<RegistryEvent, { name: "CertificatesRetired" }> & { claim: RetirementClaim })
  );

/** One block range read from the chain, ready to apply. */
export type BlockRange = {
  fromBlock: number;
  toBlock: number;
  toHash: string;
  toTime: number;
  /** Ordered by (blockNumber, logIndex). */
  events: readonly IndexedEvent[];
};

const addr = (v: unknown) => getAddress(String(v));
const big = (v: unknown) => BigInt(v as bigint);
const num = (v: unknown) => Number(v);
const str = (v: unknown) => String(v);
const list = (v: unknown) => Array.from(v as readonly unknown[]);

/** Decodes one registry log; undefined when it is not one of the registry's events. */
export function decodeRegistryLog(log: Pick<Log, "topics" | "data">): RegistryEvent | undefined {
  let parsed: LogDescription | null;
  try {
    parsed = registryInterface.parseLog({ topics: [...log.topics], data: log.data });
  } catch {
    return undefined;
  }
  if (!parsed) return undefined;
  const a = parsed.args.toObject() as Record<string, unknown>;
  switch (parsed.name) {
    case "ParticipantAdmitted":
      return {
        name: parsed.name,
        account: addr(a.account),
        kind: num(a.kind),
        admin: addr(a.admin),
        participantName: str(a.name),
      };
    case "ParticipantRenamed":
      return { name: parsed.name, account: addr(a.account), admin: addr(a.admin), participantName: str(a.name) };
    case "ParticipantSuspended":
    case "ParticipantReinstated":
      return { name: parsed.name, account: addr(a.account), admin: addr(a.admin), reason: str(a.reason) };
    case "AuditorBodyRegistered":
    case "AuditorBodyRenamed":
      return { name: parsed.name, bodyId: num(a.bodyId), bodyName: str(a.name) };
    case "AuditorAccredited":
      return {
        name: parsed.name,
        auditor: addr(a.auditor),
        bodyId: num(a.bodyId),
        categories: num(a.categories),
        validFrom: big(a.validFrom),
        validUntil: big(a.validUntil),
        admin: addr(a.admin),
      };
    case "AccreditationRevoked":
      return {
        name: parsed.name,
        auditor: addr(a.auditor),
        bodyId: num(a.bodyId),
        admin: addr(a.admin),
        reason: str(a.reason),
      };
    case "MethodologyRegistered":
      return {
        name: parsed.name,
        methodologyId: num(a.methodologyId),
        methodology: str(a.name),
        parameters: str(a.parameters),
      };
    case "MethodologyStatusChanged":
      return { name: parsed.name, methodologyId: num(a.methodologyId), active: Boolean(a.active) };
    case "BatchIssued":
      return {
        name: parsed.name,
        batchId: big(a.batchId),
        owner: addr(a.owner),
        reportHash: str(a.reportHash),
        referenceDataHash: str(a.referenceDataHash),
        deviceRoot: str(a.deviceRoot),
        sampleHash: str(a.sampleHash),
        evidenceURI: str(a.evidenceURI),
        deadline: big(a.deadline),
        auditors: list(a.auditors).map(addr),
      };
    case "BatchSuspended":
    case "BatchReinstated":
      return { name: parsed.name, batchId: big(a.batchId), by: addr(a.by), reason: str(a.reason) };
    case "BatchStatusChanged":
      return { name: parsed.name, batchId: big(a.batchId), status: num(a.status) };
    case "BatchReversed":
      return {
        name: parsed.name,
        batchId: big(a.batchId),
        admin: addr(a.admin),
        cancelled: big(a.cancelled),
        retiredReversed: big(a.retiredReversed),
        reason: str(a.reason),
        evidenceURI: str(a.evidenceURI),
      };
    case "RetirementReplaced":
      return {
        name: parsed.name,
        retirementId: big(a.retirementId),
        previousBatchId: big(a.previousBatchId),
        batchId: big(a.batchId),
        holder: addr(a.holder),
        operator: addr(a.operator),
      };
    case "ChallengeOpened":
      return {
        name: parsed.name,
        challengeId: big(a.challengeId),
        batchA: big(a.batchA),
        batchB: big(a.batchB),
        kind: num(a.kind),
        deviceId: str(a.deviceId),
        index: big(a.index),
        challenger: addr(a.challenger),
      };
    case "ChallengeSettled":
      return {
        name: parsed.name,
        challengeId: big(a.challengeId),
        faultyBatchId: big(a.faultyBatchId),
        admin: addr(a.admin),
        reason: str(a.reason),
        evidenceURI: str(a.evidenceURI),
      };
    case "CertificatesRetired":
      return {
        name: parsed.name,
        retirementId: big(a.retirementId),
        batchId: big(a.batchId),
        account: addr(a.account),
        operator: addr(a.operator),
        beneficiaryName: str(a.beneficiaryName),
        purpose: str(a.purpose),
      };
    case "TransferSingle":
      return {
        name: parsed.name,
        operator: addr(a.operator),
        from: addr(a.from),
        to: addr(a.to),
        ids: [big(a.id)],
        values: [big(a.value)],
      };
    case "TransferBatch":
      return {
        name: parsed.name,
        operator: addr(a.operator),
        from: addr(a.from),
        to: addr(a.to),
        ids: list(a.ids).map(big),
        values: list(a.values).map(big),
      };
    case "RoleGranted":
    case "RoleRevoked":
      return { name: parsed.name, role: str(a.role), account: addr(a.account), sender: addr(a.sender) };
    case "URI":
      return { name: parsed.name, id: big(a.id) };
    default:
      return { name: "Other", event: parsed.name, args: a };
  }
}

/** `batch(id)` as returned by the typed contract → the figures the index keeps. */
export function batchFigures(b: {
  issued: bigint;
  baselineGrams: bigint;
  reductionGrams: bigint;
  category: bigint;
  vintageStart: bigint;
  vintageEnd: bigint;
  methodologyId: bigint;
}): BatchFigures {
  return {
    issued: b.issued,
    baselineGrams: b.baselineGrams,
    reductionGrams: b.reductionGrams,
    category: Number(b.category),
    vintageStart: b.vintageStart,
    vintageEnd: b.vintageEnd,
    methodologyId: Number(b.methodologyId),
  };
}

/** `retirement(id)` as returned by the typed contract → the claim the index keeps. */
export function retirementClaim(r: {
  amount: bigint;
  beneficiary: string;
  periodStart: bigint;
  periodEnd: bigint;
  scope3Category: bigint;
  claimHash: string;
}): RetirementClaim {
  return {
    amount: r.amount,
    beneficiary: r.beneficiary === ZeroAddress ? null : getAddress(r.beneficiary),
    periodStart: r.periodStart,
    periodEnd: r.periodEnd,
    scope3Category: Number(r.scope3Category),
    claimHash: r.claimHash,
  };
}

/** JSON of an event's arguments for the raw event log (bigint → decimal string). */
export function eventArgsJson(event: RegistryEvent): string {
  const { name: _name, ...rest } = event;
  const body = event.name === "Other" ? event.args : rest;
  return JSON.stringify(body, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

/** The event's name as the contract spells it. */
export function eventName(event: RegistryEvent): string {
  return event.name === "Other" ? event.event : event.name;
}
