/**
 * Checks an issued batch's audit sample from public data only (docs/methodology.md, "Audit sampling"; ADR 0055):
 * the sample record the registry publishes (GET /verify/batches/{id}/sample), the chain (the batch's BatchIssued
 * event: reportHash, deviceRoot, sampleHash; the seed block's hash) and the batch's report (its device ids). Every
 * step of the draw is replayed here — nothing the registry says about the draw is taken on trust:
 *
 * 1. the record's keccak256 over its canonical JSON equals the chain's `sampleHash`;
 * 2. its report hash and category are the batch's; the report's device ids of the category rebuild the chain's
 *    device root (so the population is the batch's);
 * 3. the seed block is the one after the recorded submission block and its hash is the chain's;
 * 4. the seed, n for the population and the devices drawn, in order, are what the plan gives;
 * 5. every sampled device has an outcome; `missing` counts those whose evidence was not found.
 */
import { ZeroHash } from "ethers";

import type { AuditSampleRecordJson, PublicAuditSample } from "./api-operations.ts";
import { deviceTreeRoot, reportDeviceIds, type ReportDevices } from "./device-proof.ts";
import { CATEGORY_CODES, type Category } from "./enums.ts";
import { drawSample, sampleSeed, sampleSize, seedBlockNumber, SAMPLING_PLAN } from "./sample-draw.ts";
import { sampleComplete, sampleRecordHash, sampleSummary, type AuditSampleRecord } from "./sample-record.ts";
import { reportUrl } from "./recompute.ts";
import type { ChainBatch, Check } from "./verification.ts";

/** What `verifySample` needs of the chain: the batch as BatchIssued recorded it, and block hashes. */
export interface SampleChainFacts {
  /** The batch's category name (`laptop`, …), as `ChainBatch.category`. */
  category: string;
  reportHash: string | null;
  deviceRoot: string | null;
  sampleHash: string | null;
  /** The hash of block `n` on this chain (e.g. `(await provider.getBlock(n))?.hash`); null when there is none. */
  blockHash: (n: number) => Promise<string | null>;
}

export interface SampleVerification {
  /** True when a sample record is attested and every check passed. */
  verified: boolean;
  /** False when the chain holds no sample hash for the batch (issued without a sample record). */
  attested: boolean;
  /** "sample of n devices, seed 0x…, all evidence seen" (or "k missing"); "no audit sample recorded". */
  summary: string;
  size: number | null;
  seed: string | null;
  /** Sampled devices whose evidence was found missing. */
  missing: string[];
  checks: Check[];
}

/**
 * Replays the draw of `record` and checks it against the chain and the report's device ids (`deviceIds`: the
 * batch's eligible devices in report order, e.g. `reportDeviceIds(report, category)`).
 */
export async function verifySample(
  chain: SampleChainFacts,
  record: AuditSampleRecordJson | null,
  deviceIds: readonly string[],
): Promise<SampleVerification> {
  const attested = chain.sampleHash !== null && chain.sampleHash !== ZeroHash;
  if (!attested || record === null) {
    const detail = attested ? "the chain holds a sample hash but no record was found" : "the chain holds none";
    return {
      verified: false,
      attested,
      summary: attested ? "audit sample record not available" : "no audit sample recorded",
      size: null,
      seed: null,
      missing: [],
      checks: [{ check: "audit sample record matches the chain's sampleHash", passed: false, detail }],
    };
  }
  const checks: Check[] = [];
  const check = (name: string, passed: boolean, detail: string) => checks.push({ check: name, passed, detail });
  const rec: AuditSampleRecord = record;
  const complete = sampleComplete(rec);
  const hash = complete ? sampleRecordHash(rec) : null;
  check(
    "audit sample record matches the chain's sampleHash",
    hash === chain.sampleHash?.toLowerCase(),
    hash === null ? "a sampled device has no outcome" : `keccak256 of the record ${hash}; chain ${chain.sampleHash}`,
  );
  const categoryCode = CATEGORY_CODES[chain.category as Category];
  check(
    "sample of this batch's report and category",
    rec.reportHash === chain.reportHash?.toLowerCase() && rec.categoryCode === categoryCode,
    `record: report ${rec.reportHash}, category ${rec.categoryCode}; chain: ${chain.reportHash}, ${categoryCode}`,
  );
  const ids = deviceIds.map((d) => d.toLowerCase());
  const root = deviceTreeRoot(ids);
  check(
    "population is the batch's devices",
    root === chain.deviceRoot?.toLowerCase() && rec.population === new Set(ids).size,
    `${ids.length} devices of the report rebuild root ${root} (chain ${chain.deviceRoot}); record population ${rec.population}`,
  );
  const seedBlock = seedBlockNumber(rec.submittedBlock);
  const chainHash = rec.seedBlock.number === seedBlock ? await chain.blockHash(seedBlock) : null;
  check(
    "seed block hash read from the chain",
    chainHash !== null && chainHash.toLowerCase() === rec.seedBlock.hash,
    `block ${rec.seedBlock.number} (expected ${seedBlock}): chain ${chainHash ?? "none"}, record ${rec.seedBlock.hash}`,
  );
  const seed =
    chainHash !== null && chain.reportHash !== null && categoryCode !== undefined
      ? sampleSeed(chainHash, chain.reportHash, categoryCode)
      : null;
  check("seed recomputed", seed === rec.seed, `recomputed ${seed ?? "—"}; record ${rec.seed}`);
  const n = sampleSize(new Set(ids).size);
  check(
    `sample size of plan ${SAMPLING_PLAN}`,
    rec.plan === SAMPLING_PLAN && rec.size === n && rec.devices.length === n,
    `n = ${n} for ${new Set(ids).size} devices; record ${rec.plan}: ${rec.size} (${rec.devices.length} listed)`,
  );
  const drawn = seed ? drawSample(seed, ids, n) : [];
  const firstDiff = drawn.findIndex((id, i) => rec.devices[i]?.deviceId !== id);
  check(
    "devices redrawn, in draw order",
    seed !== null && firstDiff === -1 && drawn.length === rec.devices.length,
    firstDiff === -1
      ? `${drawn.length} devices as recorded`
      : `draw position ${firstDiff}: redrawn ${drawn[firstDiff]}, record ${rec.devices[firstDiff]?.deviceId ?? "none"}`,
  );
  const open = rec.devices.filter((d) => d.outcome === null).length;
  check("every sampled device has an outcome", open === 0, `${open} without an outcome`);
  const missing = rec.devices.filter((d) => d.outcome === "missing").map((d) => d.deviceId);
  return {
    verified: checks.every((c) => c.passed),
    attested,
    summary: sampleSummary(rec),
    size: rec.size,
    seed: rec.seed,
    missing,
    checks,
  };
}

/** Where `checkBatchSample` reads the public record and the report. */
export interface BatchSampleOptions {
  /** Block hashes of the chain the batch was read from (e.g. the reader's provider). */
  provider: { getBlock(n: number): Promise<{ hash: string | null } | null> };
  /** The registry API serving the record (default: the origin of the batch's evidence URI — the registry's). */
  apiUrl?: string | undefined;
  /** The published report's bytes, when already at hand; default: fetched as `recomputeBatch` fetches it. */
  report?: Uint8Array | string | undefined;
  fetchBytes?: ((url: string) => Promise<Uint8Array>) | undefined;
}

/** The URL of a batch's public sample record: `{api}/verify/batches/{id}/sample`. */
export function sampleUrl(batch: Pick<ChainBatch, "batchId" | "evidenceURI">, apiUrl?: string): string | undefined {
  const base = apiUrl ?? (batch.evidenceURI ? originOf(batch.evidenceURI) : undefined);
  return base === undefined ? undefined : `${base.replace(/\/$/, "")}/verify/batches/${batch.batchId}/sample`;
}

/**
 * Fetches an issued batch's public sample record and report and checks them (`verifySample`): nothing is fetched
 * for a batch the chain holds no sample hash for.
 * @throws Error when the record or the report cannot be fetched (the check could not run: no verdict)
 */
export async function checkBatchSample(batch: ChainBatch, options: BatchSampleOptions): Promise<SampleVerification> {
  const facts: SampleChainFacts = {
    ...batch,
    blockHash: async (n) => (await options.provider.getBlock(n))?.hash ?? null,
  };
  if (batch.sampleHash === null || batch.sampleHash === ZeroHash) return verifySample(facts, null, []);
  const get = options.fetchBytes ?? fetchBytes;
  const url = sampleUrl(batch, options.apiUrl);
  if (url === undefined) throw new Error("no registry to fetch the audit sample record from: give an apiUrl");
  const published = JSON.parse(new TextDecoder().decode(await get(url))) as PublicAuditSample;
  const reportAt = reportUrl(batch.evidenceURI, options.apiUrl);
  const report =
    options.report !== undefined
      ? options.report
      : reportAt === undefined
        ? undefined
        : await get(reportAt).then((b) => new TextDecoder().decode(b));
  if (report === undefined) throw new Error("no report to read the batch's devices from");
  const text = typeof report === "string" ? report : new TextDecoder().decode(report);
  return verifySample(facts, published.record, reportDeviceIds(JSON.parse(text) as ReportDevices, batch.category));
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

function originOf(uri: string): string | undefined {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
}
