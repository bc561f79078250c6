/**
 * Recompute a batch from the published record alone (docs/methodology.md, "Recomputing a batch"): the chain's batch,
 * the report its evidence URI serves, and reference data whose sha256 the chain holds. The report's keccak256 is
 * checked against the chain's `reportHash`, the calculation is run again from the report's normalised inputs, the
 * device tree is rebuilt (with the SDK's own builder, not the engine's), and everything is compared — the chain's
 * figures, the device root and the report's bytes — naming the device (index and id), batch, parameter or reference
 * row that differs.
 *
 * The SDK holds no calculation (its only dependency is ethers): the caller passes the engine, the registry's
 * `core/calc/recompute-engine.ts` (`calcEngine`) in Node and in the browser alike — an independent implementation of
 * the method can be checked the same way.
 */
import { keccak256, sha256 } from "ethers";

import { CodedError } from "./errors.ts";
import { deviceTreeRoot, reportDeviceIds, type ReportDevices } from "./device-proof.ts";
import type { RegistryReader } from "./reader.ts";
import { deviceWhere, firstDifferentByte, reportDifferences, valueText, type Difference } from "./recompute-diff.ts";
import type { Check, ChainBatch } from "./verification.ts";

export { type Difference } from "./recompute-diff.ts";

/** A device row as the engine takes it (the report's normalised record of it). */
export interface RecomputeDevice {
  line: number;
  serial: string;
  manufacturer: string;
  model: string;
  category: string;
  manufacture_date: string;
  refurbished_date: string;
  second_life_months: string;
  parts: string;
  ship_mass_kg: string;
  transport: string;
  test_report_id: string;
  erasure_certificate_id: string;
  /** For a device the reader rejected (`BAD_INPUT` without an id): its problems as published. */
  readerProblems?: readonly unknown[];
}

/** The lot as the report records it, ready for the engine. */
export interface RecomputeInput {
  devices: RecomputeDevice[];
  asOf: string;
  defaultTransport?: string;
  lotId?: string;
  refurbisher?: string;
  /** Ids the report excludes as `SERIAL_DUPLICATE` (certified in another batch, or twice in the lot). */
  certifiedDeviceIds: ReadonlySet<string>;
  /**
   * Ids the report excludes as `CLAIMED_ELSEWHERE`, with the external device set it names for each (docs/adr/0056);
   * absent when the report excludes none.
   */
  claimedElsewhere?: ReadonlyMap<string, ExternalClaimRecord>;
}

/** A registered external device set as a report names it for a device claimed elsewhere. */
export interface ExternalClaimRecord {
  setId: number;
  root: string;
  scheme: string;
}

/** A batch as the engine recomputed it. */
export interface RecomputedBatch {
  category: string;
  certificates: number;
  baselineGrams: string;
  reductionGrams: string;
  deviceRoot: string;
  vintageStart: string | null;
  vintageEnd: string | null;
}

/** A calculation engine: the method and parameter versions it implements, and the calculation. */
export interface RecomputeEngine {
  readonly method: string;
  readonly params: string;
  /** The parameter table of `params`, as a report records it. */
  readonly parameters: unknown;
  /** The canonical report (the bytes `reportHash` is taken over) and the batches, from the lot and the reference CSV. */
  calculate(input: RecomputeInput, reference: Uint8Array): { reportJson: string; batches: RecomputedBatch[] };
  /** The reference values a device of (manufacturer, model, category) gets: tier, `M` and the data row (T1/T2). */
  referenceOf(
    reference: Uint8Array,
    manufacturer: string,
    model: string,
    category: string,
  ): { tier: string; M: string; row: number | null } | undefined;
}

export interface RecomputeOptions {
  /** Reads the batch from the chain (the SDK's `RegistryReader`). */
  reader: Pick<RegistryReader, "batch">;
  engine: RecomputeEngine;
  /** The reference CSV to calculate with (bytes or UTF-8 text); default `GET {apiUrl}/reference-data`. */
  reference?: Uint8Array | string | undefined;
  /** The published report's bytes, when already at hand; default: fetched from the evidence URI. */
  report?: Uint8Array | string | undefined;
  /** A registry's API: the report is fetched from `{apiUrl}/lots/{lot}/report` when the evidence URI is one. */
  apiUrl?: string | undefined;
  /** Fetches a URL's bytes (default: the global `fetch`). */
  fetchBytes?: ((url: string) => Promise<Uint8Array>) | undefined;
  /**
   * The registry's external device sets (`readExternalSets`, or `GET /external-sets`): a report that excludes devices
   * as `CLAIMED_ELSEWHERE` is identical only when each set it names is registered with that root and scheme.
   */
  externalSets?: (() => Promise<readonly ExternalClaimRecord[]>) | undefined;
}

/** What a recomputation found. `identical` only when every check passed. */
export interface RecomputeResult {
  batchId: string;
  identical: boolean;
  /** False when the calculation could not be run (unknown method, reference data not the chain's, unreadable report). */
  recomputed: boolean;
  checks: Check[];
  differences: Difference[];
}

/** Why a recomputation could not start: no report to fetch, or the fetch failed. */
export class RecomputeError extends CodedError<"NO_EVIDENCE" | "FETCH_FAILED"> {}

const toBytes = (v: Uint8Array | string) => (typeof v === "string" ? new TextEncoder().encode(v) : v);

async function defaultFetch(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The URL to fetch the report from: the evidence URI, or the same path under `apiUrl`. */
export function reportUrl(evidenceURI: string | null, apiUrl: string | undefined): string | undefined {
  const lot = evidenceURI === null ? null : /\/lots\/([^/?#]+)\/report(?:[?#].*)?$/.exec(evidenceURI);
  if (apiUrl !== undefined && lot !== null) return `${apiUrl.replace(/\/$/, "")}/lots/${lot[1]}/report`;
  return evidenceURI ?? undefined;
}

async function bytesOf(
  what: string,
  given: Uint8Array | string | undefined,
  url: string | undefined,
  fetchBytes: (url: string) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  if (given !== undefined) return toBytes(given);
  if (url === undefined) throw new RecomputeError("NO_EVIDENCE", `no ${what} to fetch: give it, or an apiUrl`);
  try {
    return await fetchBytes(url);
  } catch (error) {
    throw new RecomputeError("FETCH_FAILED", `the ${what} could not be fetched from ${url}`, { cause: error });
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === "string" ? v : "");

/** The engine's input from a parsed report: its devices' normalised records and its lot options. */
export function recomputeInput(report: Json): RecomputeInput {
  const lot = isObject(report.lot) ? report.lot : {};
  const list = Array.isArray(report.devices) ? (report.devices as unknown[]) : [];
  const certified = new Set<string>();
  const elsewhere = new Map<string, ExternalClaimRecord>();
  const devices = list.map((raw, i): RecomputeDevice => {
    const d = isObject(raw) ? raw : {};
    if (d.excluded === "SERIAL_DUPLICATE" && typeof d.deviceId === "string") certified.add(d.deviceId.toLowerCase());
    const claim = d.claimedElsewhere;
    if (d.excluded === "CLAIMED_ELSEWHERE" && typeof d.deviceId === "string" && isObject(claim)) {
      const setId = typeof claim.setId === "number" ? claim.setId : 0;
      elsewhere.set(d.deviceId.toLowerCase(), { setId, root: text(claim.root), scheme: text(claim.scheme) });
    }
    const problems = d.excluded === "BAD_INPUT" && Array.isArray(d.problems) ? (d.problems as unknown[]) : [];
    // A BAD_INPUT row with an id was found bad by the calculation: its problems hold the raw values of the bad fields,
    // which give the same problems again. One without an id was rejected by the reader (e.g. a wrong field count):
    // its problems are taken as published, as the reader's.
    const rawOf: Json = {};
    if (typeof d.deviceId === "string") {
      for (const p of problems) if (isObject(p) && typeof p.field === "string") rawOf[p.field] = p.value;
    }
    const field = (name: string) => text(name in rawOf ? rawOf[name] : d[name]);
    return {
      line: typeof d.line === "number" ? d.line : i + 1,
      serial: text(d.serial),
      manufacturer: field("manufacturer"),
      model: field("model"),
      category: text(d.category),
      manufacture_date: field("manufacture_date"),
      refurbished_date: field("refurbished_date"),
      second_life_months: field("second_life_months"),
      parts: field("parts"),
      ship_mass_kg: field("ship_mass_kg"),
      transport: field("transport"),
      test_report_id: text(d.test_report_id),
      erasure_certificate_id: text(d.erasure_certificate_id),
      ...(d.excluded === "BAD_INPUT" && typeof d.deviceId !== "string" ? { readerProblems: problems } : {}),
    };
  });
  return {
    devices,
    asOf: text(lot.asOf),
    ...(typeof lot.defaultTransport === "string" ? { defaultTransport: lot.defaultTransport } : {}),
    ...(typeof lot.id === "string" ? { lotId: lot.id } : {}),
    ...(typeof lot.refurbisher === "string" ? { refurbisher: lot.refurbisher } : {}),
    certifiedDeviceIds: certified,
    ...(elsewhere.size > 0 ? { claimedElsewhere: elsewhere } : {}),
  };
}

/**
 * Checks that every external device set a report's `CLAIMED_ELSEWHERE` devices name is registered on the chain with
 * that root and scheme (a report could otherwise drop devices it dislikes under a made-up set). Without the sets to
 * check against, the check fails: the report's exclusions would be taken on trust.
 */
async function checkClaimedSets(
  claims: ReadonlyMap<string, ExternalClaimRecord>,
  externalSets: RecomputeOptions["externalSets"],
  check: (name: string, passed: boolean, detail: string) => void,
  differences: Difference[],
): Promise<void> {
  const name = "sets of devices claimed elsewhere are the chain's";
  const named = new Map<number, ExternalClaimRecord>();
  for (const claim of claims.values()) named.set(claim.setId, claim);
  if (externalSets === undefined) {
    check(name, false, `${named.size} set(s) named, no register given to check them against`);
    return;
  }
  const registered = new Map((await externalSets()).map((s) => [s.setId, s]));
  let passed = true;
  for (const [setId, claim] of named) {
    const set = registered.get(setId);
    if (set === undefined || set.root.toLowerCase() !== claim.root.toLowerCase() || set.scheme !== claim.scheme) {
      passed = false;
      differences.push({
        where: `external device set ${setId}`,
        field: "root and scheme",
        expected: set === undefined ? "(not registered)" : `${set.root.toLowerCase()} ${set.scheme}`,
        actual: `${claim.root} ${claim.scheme}`,
      });
    }
  }
  check(name, passed, `${claims.size} device(s) in ${named.size} set(s)`);
}

/**
 * Recomputes batch `batchId` from the published record alone and compares everything. Never throws for a
 * difference: the result names it. See the module comment for what is checked.
 * @throws RecomputeError NO_EVIDENCE / FETCH_FAILED when the report or the reference data cannot be had;
 *   RegistryReadError NOT_FOUND for an unknown batch.
 */
export async function recomputeBatch(
  batchId: bigint | number | string,
  options: RecomputeOptions,
): Promise<RecomputeResult> {
  const { engine } = options;
  const fetchBytes = options.fetchBytes ?? defaultFetch;
  const batch = await options.reader.batch(BigInt(batchId));
  const checks: Check[] = [];
  const differences: Difference[] = [];
  const chainWhere = `chain batch #${batch.batchId}`;
  const check = (name: string, passed: boolean, detail: string) => checks.push({ check: name, passed, detail });
  const done = (recomputed: boolean): RecomputeResult => ({
    batchId: batch.batchId,
    identical: recomputed && differences.length === 0 && checks.every((c) => c.passed),
    recomputed,
    checks,
    differences,
  });

  // 1. The method and parameter versions: the engine must implement the chain's.
  const versions = batch.methodology === engine.method && batch.parameters === engine.params;
  check("method and parameters are the engine's", versions, `${batch.methodology} / ${batch.parameters}`);
  if (!versions) {
    if (batch.methodology !== engine.method) {
      differences.push({ where: chainWhere, field: "methodology", expected: engine.method, actual: batch.methodology });
    }
    if (batch.parameters !== engine.params) {
      differences.push({ where: chainWhere, field: "parameters", expected: engine.params, actual: batch.parameters });
    }
    return done(false);
  }

  // 2. The report: its bytes hash to the chain's reportHash.
  const url = reportUrl(batch.evidenceURI, options.apiUrl);
  const published = await bytesOf("report", options.report, url, fetchBytes);
  const hash = keccak256(published);
  check("report hash is the chain's", hash === batch.reportHash, `keccak256 ${hash}`);
  if (hash !== batch.reportHash) {
    differences.push({ where: "report", field: "keccak256", expected: valueText(batch.reportHash), actual: hash });
  }
  let report: Json;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(published));
    if (!isObject(parsed)) throw new Error("not an object");
    report = parsed;
  } catch (error) {
    differences.push({
      where: "report",
      field: "(whole)",
      expected: "canonical JSON (UTF-8)",
      actual: error instanceof Error ? error.message : String(error),
    });
    check("report is readable", false, "the report is not a JSON object in UTF-8");
    return done(false);
  }

  // 3. The reference data: its sha256 is the chain's, else nothing is recomputed (the rows that differ are named).
  const referenceUrl = options.apiUrl === undefined ? undefined : `${options.apiUrl.replace(/\/$/, "")}/reference-data`;
  const reference = await bytesOf("reference data", options.reference, referenceUrl, fetchBytes);
  const referenceHash = sha256(reference);
  const sameReference = referenceHash === batch.referenceDataHash;
  check("reference data is the chain's", sameReference, `sha256 ${referenceHash.slice(2)}`);
  if (!sameReference) {
    differences.push({
      where: "reference data",
      field: "sha256",
      expected: valueText(batch.referenceDataHash?.slice(2)),
      actual: referenceHash.slice(2),
    });
    differences.push(...referenceRowDifferences(engine, reference, report));
    return done(false);
  }

  // 4. The calculation again, from the report's inputs; the sets its CLAIMED_ELSEWHERE devices name are the chain's.
  const input = recomputeInput(report);
  if (input.claimedElsewhere !== undefined) {
    await checkClaimedSets(input.claimedElsewhere, options.externalSets, check, differences);
  }
  let result: ReturnType<RecomputeEngine["calculate"]>;
  try {
    result = engine.calculate(input, reference);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    differences.push({
      where: "report lot",
      field: typeof code === "string" ? code : "(calculation)",
      expected: "a lot the calculation accepts",
      actual: error instanceof Error ? error.message : String(error),
    });
    check("the calculation ran", false, "the report's lot could not be calculated");
    return done(false);
  }
  const regenerated = new TextEncoder().encode(result.reportJson);
  const at = firstDifferentByte(regenerated, published);
  check(
    "recomputed report is byte-identical",
    at < 0,
    at < 0 ? `${published.length} bytes` : `first difference at byte ${at} of ${published.length}`,
  );
  if (at >= 0) differences.push(...reportDifferences(JSON.parse(result.reportJson) as unknown, report));

  // 5. The batch: the chain's figures and device root against the recomputation.
  const mine = result.batches.find((b) => b.category === batch.category);
  if (mine === undefined) {
    differences.push({ where: chainWhere, field: "category", expected: "(no such batch)", actual: batch.category });
    check("batch figures are the chain's", false, `the recomputed lot has no ${batch.category} batch`);
    return done(true);
  }
  differences.push(...chainDifferences(batch, mine, chainWhere));
  const figuresMatch = !differences.some((d) => d.where === chainWhere);
  check(
    "batch figures are the chain's",
    figuresMatch,
    `n ${mine.certificates}, B̄ ${mine.baselineGrams} g, V̄ ${mine.reductionGrams} g`,
  );
  const ids = reportDeviceIds(JSON.parse(result.reportJson) as ReportDevices, batch.category);
  const root = deviceTreeRoot(ids);
  const rootMatches = root === batch.deviceRoot && root === mine.deviceRoot;
  check("device root is the chain's", rootMatches, `${ids.length} devices, root ${root}`);
  if (!rootMatches) {
    differences.push({ where: chainWhere, field: "deviceRoot", expected: root, actual: valueText(batch.deviceRoot) });
  }
  return done(true);
}

/** The chain's batch figures that differ from the recomputed batch's. */
function chainDifferences(batch: ChainBatch, mine: RecomputedBatch, where: string): Difference[] {
  const certifiedGrams = (BigInt(mine.baselineGrams) - BigInt(mine.reductionGrams)).toString();
  const chainCertified = (BigInt(batch.baselineGrams) - BigInt(batch.reductionGrams)).toString();
  const pairs: [string, string, string][] = [
    ["certificates (device count)", String(mine.certificates), batch.issued],
    ["baselineGrams (B̄)", mine.baselineGrams, batch.baselineGrams],
    ["reductionGrams (V̄)", mine.reductionGrams, batch.reductionGrams],
    ["certified intensity (grams)", certifiedGrams, chainCertified],
    ["vintageStart", valueText(mine.vintageStart), batch.vintageStart],
    ["vintageEnd", valueText(mine.vintageEnd), batch.vintageEnd],
  ];
  return pairs.filter(([, e, a]) => e !== a).map(([field, expected, actual]) => ({ where, field, expected, actual }));
}

/**
 * With reference data that is not the chain's: the rows whose values differ from what the report records for its
 * eligible devices (tier and `M`), one difference per row — the row the report's device was matched with, or the
 * category's T3 value.
 */
function referenceRowDifferences(engine: RecomputeEngine, reference: Uint8Array, report: Json): Difference[] {
  const out: Difference[] = [];
  const seen = new Set<string>();
  let local: ReturnType<RecomputeEngine["referenceOf"]>;
  const list = Array.isArray(report.devices) ? (report.devices as unknown[]) : [];
  for (const [i, raw] of list.entries()) {
    if (!isObject(raw) || raw.excluded !== undefined || typeof raw.M !== "string") continue;
    try {
      local = engine.referenceOf(reference, text(raw.manufacturer), text(raw.model), text(raw.category));
    } catch (error) {
      return [
        { where: "reference data", field: "(file)", expected: "a readable reference CSV", actual: String(error) },
      ];
    }
    if (local !== undefined && local.M === raw.M && local.tier === raw.tier) continue;
    const where =
      local?.row != null
        ? `reference row ${local.row} (${text(raw.manufacturer)} ${text(raw.model)})`
        : `reference data T3 ${text(raw.category)}`;
    if (seen.has(where)) continue;
    seen.add(where);
    out.push({
      where,
      field: local?.tier === raw.tier ? "M" : "tier, M",
      expected: `${valueText(raw.tier)} ${raw.M} (as the report records for ${deviceWhere(i, raw)})`,
      actual: local === undefined ? "(no value)" : `${local.tier} ${local.M}`,
    });
  }
  return out;
}
