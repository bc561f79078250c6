/**
 * The audit sample record (docs/methodology.md, "Audit sampling"; ADR 0055): the one document the auditors of a
 * batch agree on about its sample — the plan, the seed block, the seed, the population, n, the devices drawn in
 * draw order and the evidence outcome per device — and its hash, which the EIP-712 attestation carries as
 * `sampleHash`. Pure: anyone holding the record recomputes the hash, and with the chain and the report replays
 * the draw (sdk/src/sample.ts).
 *
 * - the record is canonical JSON (RFC 8785, core/calc/canonical-json.ts); sampleHash = keccak256 of its UTF-8
 *   bytes;
 * - outcomes are the batch's, not one auditor's: the latest outcome recorded for a device (by any auditor of the
 *   batch) is the device's outcome; a later record replaces the earlier one and so changes the hash;
 * - the record is bound into the attestation only once complete (every sampled device has an outcome); before
 *   that, and for a batch with no drawn sample, sampleHash is bytes32(0): "no sample record".
 */
import { keccak256, toUtf8Bytes, ZeroHash } from "ethers";

import { canonicalJson } from "./canonical-json.ts";
import { SamplingError, type SampleRecord } from "./sample-draw.ts";

export type EvidenceOutcome = "seen" | "missing";

/** One sampled device and the batch's outcome for it (null: not recorded yet). */
export interface SampledDevice {
  deviceId: string;
  outcome: EvidenceOutcome | null;
}

/** The public sample record: the draw (core/audit/sampling.ts) with the outcome per device, in draw order. */
export interface AuditSampleRecord {
  plan: string;
  categoryCode: number;
  reportHash: string;
  submittedBlock: number;
  seedBlock: { number: number; hash: string };
  seed: string;
  population: number;
  size: number;
  devices: SampledDevice[];
}

/** An outcome as recorded by one auditor (the store's rows); `at` orders records, ISO-8601 UTC. */
export interface RecordedOutcome {
  auditor: string;
  deviceId: string;
  outcome: EvidenceOutcome;
  at: string;
}

/**
 * The batch's record from its draw and every outcome recorded: per device, the latest outcome (ties in time broken
 * by the auditor address, so every reader derives the same record). Outcomes for devices outside the sample are
 * ignored.
 */
export function auditSampleRecord(draw: SampleRecord, outcomes: readonly RecordedOutcome[]): AuditSampleRecord {
  const latest = new Map<string, RecordedOutcome>();
  for (const o of outcomes) {
    const id = o.deviceId.toLowerCase();
    const prev = latest.get(id);
    if (!prev || o.at > prev.at || (o.at === prev.at && o.auditor.toLowerCase() > prev.auditor.toLowerCase())) {
      latest.set(id, o);
    }
  }
  return {
    plan: draw.plan,
    categoryCode: draw.categoryCode,
    reportHash: draw.reportHash.toLowerCase(),
    submittedBlock: draw.submittedBlock,
    seedBlock: { number: draw.seedBlock.number, hash: draw.seedBlock.hash.toLowerCase() },
    seed: draw.seed.toLowerCase(),
    population: draw.population,
    size: draw.size,
    devices: draw.devices.map((id) => {
      const deviceId = id.toLowerCase();
      return { deviceId, outcome: latest.get(deviceId)?.outcome ?? null };
    }),
  };
}

/** Whether every sampled device has an outcome (a record of size 0 is complete). */
export function sampleComplete(record: AuditSampleRecord): boolean {
  return record.devices.every((d) => d.outcome !== null);
}

/** The devices whose evidence was found missing. */
export function missingDevices(record: AuditSampleRecord): string[] {
  return record.devices.filter((d) => d.outcome === "missing").map((d) => d.deviceId);
}

/** The record's canonical bytes (RFC 8785). Refuses an incomplete record: only a complete one is ever hashed. */
export function sampleRecordBytes(record: AuditSampleRecord): Uint8Array {
  if (!sampleComplete(record)) throw new SamplingError("an incomplete sample record has no hash");
  return toUtf8Bytes(canonicalJson(record));
}

/** keccak256 of the record's canonical bytes: the attestation's `sampleHash`. */
export function sampleRecordHash(record: AuditSampleRecord): string {
  return keccak256(sampleRecordBytes(record));
}

/** What the attestation carries for a batch: the complete record's hash, else bytes32(0) (no sample record). */
export function attestedSampleHash(record: AuditSampleRecord | undefined): string {
  return record && sampleComplete(record) ? sampleRecordHash(record) : ZeroHash;
}

/** The one-line summary the CLI and the verify page print, e.g. "sample of 59 devices, seed 0x…, all evidence seen". */
export function sampleSummary(record: Pick<AuditSampleRecord, "size" | "seed" | "devices">): string {
  const missing = record.devices.filter((d) => d.outcome === "missing").length;
  const open = record.devices.filter((d) => d.outcome === null).length;
  const evidence = open > 0 ? `${open} without an outcome` : missing === 0 ? "all evidence seen" : `${missing} missing`;
  return `sample of ${record.size} device${record.size === 1 ? "" : "s"}, seed ${record.seed}, ${evidence}`;
}
