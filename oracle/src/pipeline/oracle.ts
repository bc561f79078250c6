/**
 * The oracle: from a submitted lot to an auditor-signed, minted batch — crash-safe and exactly-once.
 *
 * Every step is a state change of a batch recorded in one SQLite transaction (see store/jobs.ts). A chain
 * transaction is signed and persisted *before* it is broadcast, so after a crash the same bytes (same nonce,
 * same hash) are found and reconciled, never sent twice. The contract's (reportHash, category) uniqueness is the
 * last line of defence: "already issued" counts as success once the on-chain batch is checked to be this one.
 *
 * One worker per database: `tick()` first takes (or renews) the store's worker lease, and every change the worker
 * makes to a batch is a compare-and-set — committed only while it still holds the lease and the batch is still in
 * the state it read — so a second worker on the same database (e.g. `npm start`'s plus `itec oracle run`) waits
 * instead of posting the same batch again. A batch whose step keeps failing is set aside (retried with backoff,
 * `failed` after `maxAttempts`) without holding up the others.
 */
import { createHash, randomUUID } from "node:crypto";

import {
  getAddress,
  isAddress,
  keccak256,
  recoverAddress,
  toUtf8Bytes,
  TypedDataEncoder,
  type Signer,
  type TransactionReceipt,
} from "ethers";
import type { Logger } from "pino";

import { attestationDigest, attestationFromJson, attestationToJson, attestationTypedData, REJECTION_TYPES, sortSignatures, type Attestation, type AuditorSignature } from "../../../sdk/src/attestation.ts";
import { statusName, CATEGORY_CODES } from "../../../sdk/src/enums.ts";
import type { ChainClient } from "../../../core/chain/client.ts";
import { ChainError, isTransientError, type DecodedRevert } from "../../../core/chain/errors.ts";
import { OracleError } from "../../../core/errors.ts";
import { groupProblems, missingTransportRows } from "../../../core/calc/problems.ts";
import {
  calculateLot,
  CalcInputError,
  canonicalJson,
  gramsToKg,
  METHOD_VERSION,
  PARAMS_VERSION,
  parseDay,
  type DeviceInput,
  type LotResult,
  type ReferenceTable,
} from "../../../core/calc/index.ts";
import type { JobStore } from "../store/jobs.ts";
import { thisProcess, type LeaseHolder, type LeaseRow } from "../store/leases.ts";
import type { BatchRow, LotRow, SignatureRow } from "../store/rows.ts";
import { RESERVING_STATES, StaleStateError, type BatchState } from "../store/transitions.ts";

import type { FaultPoint } from "../../../core/config.ts";

export interface OracleConfig {
  /** Blocks on top of (and including) the mined block before a mint counts as confirmed (QBFT: 1). */
  confirmations: number;
  /** How long an attestation stays signable, seconds. */
  attestationTtlSeconds: number;
  /** Renew an attestation this many seconds before its deadline (auditors then re-sign). */
  renewMarginSeconds: number;
  /** Public base URL where a lot's report is served, e.g. https://registry.example (→ /lots/L1/report). */
  evidenceBaseUrl: string;
  /** Longest wait between two retries of a batch's step (transient RPC failures back off up to this, forever). */
  maxBackoffMs: number;
  /**
   * A batch whose step fails this many times with a non-transient error is moved to `failed` with the error —
   * except a `posted` batch, whose transaction may still be mined: it keeps being reconciled at `maxBackoffMs`.
   */
  maxAttempts: number;
  /** How long the worker lease lasts without renewal; a worker renews it on every pass (and within long ones). */
  workerLeaseMs: number;
}

export const DEFAULT_ORACLE_CONFIG: OracleConfig = {
  confirmations: 1,
  attestationTtlSeconds: 14 * 86_400,
  renewMarginSeconds: 3_600,
  evidenceBaseUrl: "http://127.0.0.1:8080",
  maxBackoffMs: 60_000,
  maxAttempts: 5,
  workerLeaseMs: 30_000,
};

/**
 * Longest auditor signature accepted, in bytes. An EOA's is 65 bytes (64 in EIP-2098 compact form); an ERC-1271
 * contract wallet's may be longer (e.g. a Safe's: 65 bytes per owner plus any contract-owner data), so the bound is
 * generous — 2,048 bytes, ~30 ECDSA owners — yet keeps an unauthenticated caller from having the oracle store
 * or forward to the chain arbitrarily large blobs.
 */
export const MAX_SIGNATURE_BYTES = 2048;

/** Earliest as-of date of a lot; the latest is today (UTC) plus `AS_OF_SLACK_MS` for clocks ahead of ours. */
export const EARLIEST_AS_OF = "2000-01-01";
export const AS_OF_SLACK_MS = 86_400_000;

/** The store's lease row that makes one worker at a time advance batches. */
export const WORKER_LEASE = "worker";

/** Whether this oracle instance may advance batches now, and if not who holds the worker lease. */
export interface WorkerLeaseStatus {
  acquired: boolean;
  holder: { host: string; pid: number; since: string; renewedAt: string; expiresAt: string };
  message: string;
}

export interface OracleDeps {
  store: JobStore;
  chain: ChainClient;
  /** The oracle's key (holds ISSUER_ROLE), connected to `chain.provider`. Without it (e.g. in the API process) the
   * service calculates lots and takes signatures but never posts. */
  signer?: Signer | undefined;
  reference: ReferenceTable;
  logger: Logger;
  config?: Partial<OracleConfig> | undefined;
  now?: () => Date;
  faults?: (point: FaultPoint, context: Record<string, unknown>) => Promise<void>;
}

export interface SubmitLotInput {
  devices: readonly DeviceInput[];
  /** Address of the refurbisher / ITAD provider receiving the certificates (an active participant). */
  refurbisher: string;
  /** The refurbisher's own lot reference; a lot is unique per (refurbisher, lotRef). Default: the input hash. */
  lotRef?: string;
  asOf?: string;
  defaultTransport?: string;
  correlationId?: string;
}

/** What an auditor reviews and signs, next to the human-readable figures. */
export interface AttestationView {
  batchId: string;
  lotId: string;
  state: BatchState;
  digest: string;
  deadline: string;
  /** The exact `eth_signTypedData_v4` payload. */
  typedData: ReturnType<typeof attestationTypedData>;
  review: {
    category: string;
    certificates: number;
    baselineKgPerDevice: string;
    reductionKgPerDevice: string;
    certifiedIntensityKgPerDevice: string;
    totalReductionKg: string;
    vintage: { start: string | null; end: string | null };
    methodology: string;
    parameters: string;
    reportHash: string;
    referenceDataSha256: string;
    deviceRoot: string;
    evidenceURI: string;
    owner: string;
    registry: { chainId: string; address: string };
  };
  signatures: { auditor: string; status: string; reason: string | null; at: string; digest: string }[];
  threshold: number | null;
}

/** Counters since start, next to the per-state counts read from the store. */
export interface OracleMetrics {
  batchesByState: Record<string, number>;
  counters: Record<string, number>;
}

const SIGNABLE: readonly BatchState[] = ["awaiting_signatures", "ready"];
const TERMINAL: readonly BatchState[] = ["confirmed", "rejected", "not_issuable", "failed"];

export class Oracle {
  readonly store: JobStore;
  readonly chain: ChainClient;
  readonly config: OracleConfig;
  readonly #signerOrUndefined: Signer | undefined;
  readonly #reference: ReferenceTable;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #faults: NonNullable<OracleDeps["faults"]>;
  /** This instance as a worker-lease holder (a fresh id per instance: two instances in one process are two). */
  readonly #holder: LeaseHolder = { id: randomUUID(), ...thisProcess() };
  #leaseHeld = false;
  #leaseRenewedAt = 0;
  #leaseWarnedAt = 0;
  readonly #counters: Record<string, number> = {
    lotsSubmitted: 0,
    signaturesAccepted: 0,
    signaturesRefused: 0,
    signaturesUnattributed: 0,
    attestationsRenewed: 0,
    transactionsSent: 0,
    transactionsRebroadcast: 0,
    transientRetries: 0,
    stepFailures: 0,
    leaseWaits: 0,
    reverts: 0,
    batchesConfirmed: 0,
  };

  constructor(deps: OracleDeps) {
    this.store = deps.store;
    this.chain = deps.chain;
    this.#signerOrUndefined = deps.signer;
    this.#reference = deps.reference;
    this.#log = deps.logger;
    this.#now = deps.now ?? (() => new Date());
    this.#faults = deps.faults ?? (() => Promise.resolve());
    this.config = { ...DEFAULT_ORACLE_CONFIG, ...deps.config };
  }

  // -----------------------------------------------------------------------------------------------------------
  // Lots
  // -----------------------------------------------------------------------------------------------------------

  /**
   * Calculates a lot and stores it with its batches in one transaction: issuable batches reserve their device
   * ids (registry-wide exclusivity) and wait for signatures; the others are `not_issuable` with the gate's reason.
   * The as-of date must be a calendar day from EARLIEST_AS_OF to today (UTC) plus one day of clock slack: a lot
   * dated in the future would take its devices' ids for a calculation that cannot have happened yet.
   * @throws OracleError LOT_INVALID (bad lot or as-of date), LOT_DUPLICATE, NOT_A_PARTICIPANT, CHAIN_UNAVAILABLE
   */
  async submitLot(input: SubmitLotInput): Promise<LotRow> {
    const refurbisher = this.#address(input.refurbisher, "refurbisher");
    const asOf = input.asOf ?? this.#now().toISOString().slice(0, 10);
    this.#checkAsOf(asOf);
    await this.#requireParticipant(refurbisher);
    const inputJson = canonicalJson(input.devices.map(stripReaderFields));
    const inputSha256 = createHash("sha256").update(inputJson).digest("hex");
    const lotRef = input.lotRef ?? `sha256:${inputSha256}`;
    const existing = this.store.lotByRef(refurbisher, lotRef);
    if (existing) throw this.#duplicate(existing, input, inputSha256);
    const correlationId = input.correlationId ?? randomUUID();
    const options = { asOf, defaultTransport: input.defaultTransport, lotRef };
    // Validate the whole lot before storing anything: a lot that cannot be calculated is refused outright, and so
    // is one without a single eligible device (nothing to certify; storing it would only take its reference).
    const preview = this.#calculate(input.devices, options, refurbisher, new Set());
    if (preview.eligibleCount === 0) throw nothingEligible(preview, new Map());

    const lot = this.store.tx(() => {
      const row = this.store.insertLot({
        refurbisher,
        lot_ref: lotRef,
        as_of: asOf,
        options_json: JSON.stringify(options),
        input_sha256: inputSha256,
        input_json: inputJson,
        correlation_id: correlationId,
      });
      const { result, reserved } = this.#processLotInTx(row, input.devices);
      // Every eligible device is already in another batch: refused, and the transaction stores nothing.
      if (result.eligibleCount === 0) throw nothingEligible(result, this.store.holdersOf([...reserved]));
      return this.store.lot(row.id)!;
    });
    this.#counters.lotsSubmitted! += 1;
    this.#lotLog(lot).info({ batches: this.store.batchesOfLot(lot.id).map((b) => [b.id, b.state]) }, "lot calculated");
    await this.#faults("after_lot_stored", { lot: lot.id });
    return lot;
  }

  /**
   * LOT_DUPLICATE for a lot whose reference is taken (docs/adr/0040-lot-identity.md). A lot's identity is
   * (refurbisher, lotRef), lotRef defaulting to the hash of the devices; the calculation options are not part of
   * it, so the same devices are never certified twice under two option sets. `identical` (same devices, same
   * options; an as-of date not given matches any) lets the API answer with the stored lot instead.
   */
  #duplicate(existing: LotRow, input: SubmitLotInput, inputSha256: string): OracleError {
    const stored = JSON.parse(existing.options_json) as { asOf: string; defaultTransport?: string };
    const sameDevices = existing.input_sha256 === inputSha256;
    const differences: Record<string, { submitted: string | null; now: string | null }> = {};
    if ((stored.defaultTransport ?? null) !== (input.defaultTransport ?? null)) {
      differences.defaultTransport = {
        submitted: stored.defaultTransport ?? null,
        now: input.defaultTransport ?? null,
      };
    }
    if (input.asOf !== undefined && input.asOf !== existing.as_of) {
      differences.asOf = { submitted: existing.as_of, now: input.asOf };
    }
    const ref = existing.lot_ref;
    if (sameDevices && Object.keys(differences).length === 0) {
      return new OracleError("LOT_DUPLICATE", `lot ${ref} was already submitted as ${existing.id}, identical`, {
        lotId: existing.id,
        identical: true,
      });
    }
    const newRef = "submit it under a new lot reference (lotRef; `itec lot submit --lot-ref <new-ref>`)";
    if (!sameDevices) {
      return new OracleError(
        "LOT_DUPLICATE",
        `lot reference "${ref}" is already lot ${existing.id}, with other devices: ${newRef}`,
        { lotId: existing.id, identical: false, sameDevices: false },
      );
    }
    const changed = Object.entries(differences)
      .map(([k, d]) => `${k} ${d.submitted ?? "none"} → ${d.now ?? "none"}`)
      .join(", ");
    const batches = this.store.batchesOfLot(existing.id);
    const issued = batches.filter((b) => b.state === "confirmed" || b.state === "posted").map((b) => b.id);
    const pending = batches
      .filter((b) => RESERVING_STATES.includes(b.state) && !issued.includes(b.id))
      .map((b) => `${b.id} (${b.state})`);
    const forward = [
      issued.length
        ? `${issued.join(", ")} ${issued.length === 1 ? "is" : "are"} issued: those devices stay certified`
        : "",
      pending.length
        ? `${pending.join(", ")} still hold${pending.length === 1 ? "s" : ""} its devices until an auditor rejects ` +
          `${pending.length === 1 ? "it" : "them"} (\`itec auditor reject <batch job> --reason …\`); then ${newRef}`
        : `to recalculate them, ${newRef}`,
    ].filter(Boolean);
    return new OracleError(
      "LOT_DUPLICATE",
      `these devices were already submitted as lot ${existing.id} (ref ${ref}) with other options (${changed}); ` +
        `the options are not part of a lot's identity, so the same devices are never certified twice: ` +
        forward.join("; "),
      { lotId: existing.id, identical: false, sameDevices: true, differences, issued, pending },
    );
  }

  #checkAsOf(asOf: string): void {
    if (parseDay(asOf) === undefined) {
      throw new OracleError("LOT_INVALID", `as-of date "${asOf}" is not a YYYY-MM-DD calendar date`, {
        calcCode: "BAD_OPTIONS",
        field: "asOf",
      });
    }
    const latest = new Date(this.#now().getTime() + AS_OF_SLACK_MS).toISOString().slice(0, 10);
    if (asOf < EARLIEST_AS_OF || asOf > latest) {
      throw new OracleError(
        "LOT_INVALID",
        `as-of date ${asOf} is out of range: a lot is calculated as of a day from ${EARLIEST_AS_OF} to today ` +
          `(UTC, one day of clock slack allowed: ${latest})`,
        { calcCode: "BAD_OPTIONS", field: "asOf", earliest: EARLIEST_AS_OF, latest },
      );
    }
  }

  /** Calculates a lot left in `submitted` (e.g. stored by an older version or before a crash). */
  processPendingLots(): void {
    for (const lot of this.store.lotsByStatus("submitted")) {
      const devices = JSON.parse(lot.input_json) as DeviceInput[];
      try {
        this.store.tx(() => this.#processLotInTx(lot, devices));
      } catch (error) {
        this.store.setLotFailed(lot.id, describe(error));
        this.#lotLog(lot).error({ err: describe(error) }, "lot calculation failed");
      }
    }
  }

  #processLotInTx(lot: LotRow, devices: readonly DeviceInput[]): { result: LotResult; reserved: ReadonlySet<string> } {
    const options = JSON.parse(lot.options_json) as { asOf: string; defaultTransport?: string; lotRef: string };
    // Exclusivity: devices already in a pending or issued batch are SERIAL_DUPLICATE; recalculate until stable
    // (each round only removes devices, so it ends).
    let certified = new Set<string>();
    let result = this.#calculate(devices, options, lot.refurbisher, certified);
    for (;;) {
      const ids = result.batches.filter((b) => b.issued).flatMap((b) => b.deviceIds);
      const conflicts = this.store.reservedDevices(ids);
      if (conflicts.size === 0) break;
      certified = new Set([...certified, ...conflicts]);
      result = this.#calculate(devices, options, lot.refurbisher, certified);
    }

    const reportJson = result.reportJson;
    this.store.setLotCalculated(lot.id, {
      report_json: reportJson,
      report_hash: result.reportHash,
      reference_sha256: result.referenceSha256,
      summary_json: JSON.stringify(lotSummary(result)),
    });
    const nowSec = Math.floor(this.#now().getTime() / 1000);
    for (const b of result.batches) {
      const id = `${lot.id}-${b.category}`;
      this.store.insertBatch(
        {
          id,
          lot_id: lot.id,
          category: b.category,
          certificates: b.issued ? b.certificates : b.eligible,
          baseline_grams: b.baselineGrams.toString(),
          reduction_grams: b.reductionGrams.toString(),
          device_root: b.deviceRoot,
          vintage_start: b.vintageStart,
          vintage_end: b.vintageEnd,
        },
        lot.submitted_at,
      );
      this.store.transition(id, "calculated", `${b.eligible} eligible of ${b.devices} devices`);
      if (!b.issued) {
        this.store.transition(id, "not_issuable", b.reason, { reason: b.reason });
        continue;
      }
      this.store.reserveDevices(id, b.deviceIds);
      const attestation: Attestation = {
        owner: lot.refurbisher,
        category: CATEGORY_CODES[b.category],
        certificates: BigInt(b.certificates),
        baselineGrams: b.baselineGrams,
        reductionGrams: b.reductionGrams,
        vintageStart: BigInt(dayToUnix(b.vintageStart!)),
        vintageEnd: BigInt(dayToUnix(b.vintageEnd!)),
        methodology: METHOD_VERSION,
        parameters: PARAMS_VERSION,
        reportHash: result.reportHash,
        referenceDataHash: `0x${result.referenceSha256}`,
        deviceRoot: b.deviceRoot,
        evidenceURI: `${this.config.evidenceBaseUrl.replace(/\/$/, "")}/lots/${lot.id}/report`,
        deadline: BigInt(nowSec + this.config.attestationTtlSeconds),
      };
      this.#setAttestation(id, attestation, "awaiting_signatures", "attestation built; waiting for auditors");
    }
    return { result, reserved: certified };
  }

  #calculate(
    devices: readonly DeviceInput[],
    options: { asOf: string; defaultTransport?: string | undefined; lotRef: string },
    refurbisher: string,
    certified: ReadonlySet<string>,
  ): LotResult {
    try {
      return calculateLot(
        devices,
        {
          asOf: options.asOf,
          ...(options.defaultTransport ? { defaultTransport: options.defaultTransport } : {}),
          lotId: options.lotRef,
          refurbisher,
          certifiedDeviceIds: certified,
        },
        this.#reference,
      );
    } catch (error) {
      if (error instanceof CalcInputError) {
        throw new OracleError("LOT_INVALID", error.message, { calcCode: error.code }, { cause: error });
      }
      throw error;
    }
  }

  #setAttestation(batchId: string, a: Attestation, to: BatchState, note: string): void {
    const digest = attestationDigest(this.chain.domain(), a);
    this.store.transition(batchId, to, note, {
      attestation_json: JSON.stringify(attestationToJson(a)),
      digest,
      deadline: Number(a.deadline),
      attempts: 0,
      next_attempt_at: 0,
      error: null,
    });
  }

  getLot(id: string): LotRow {
    const lot = this.store.lot(id);
    if (!lot) throw new OracleError("NOT_FOUND", `no lot ${id}`);
    return lot;
  }

  /** The canonical report (the bytes `reportHash` is taken over). */
  getReport(lotId: string): string {
    const lot = this.getLot(lotId);
    if (!lot.report_json) throw new OracleError("NOT_FOUND", `lot ${lotId} has no report (status ${lot.status})`);
    return lot.report_json;
  }

  // -----------------------------------------------------------------------------------------------------------
  // Batches, attestations and signatures
  // -----------------------------------------------------------------------------------------------------------

  getBatch(id: string) {
    const row = this.store.batch(id);
    if (!row) throw new OracleError("NOT_FOUND", `no batch ${id}`);
    return {
      ...row,
      transitions: this.store.transitions(id),
      signatures: this.store.signatures(id).map(publicSignature),
      transactions: this.store.txsOfBatch(id).map(({ raw: _raw, ...t }) => t),
    };
  }

  /** Exactly what the auditor signs, and the figures to review before signing. */
  async getAttestation(batchId: string): Promise<AttestationView> {
    const row = this.#batchRow(batchId);
    if (!row.attestation_json || !row.digest) {
      throw new OracleError("BATCH_STATE", `batch ${batchId} has no attestation (state ${row.state})`, {
        state: row.state,
      });
    }
    const a = attestationFromJson(JSON.parse(row.attestation_json) as Record<string, unknown>);
    const lot = this.getLot(row.lot_id);
    let threshold: number | null;
    try {
      threshold = await this.chain.auditorThreshold();
    } catch {
      threshold = null;
    }
    const kg = gramsToKg;
    return {
      batchId,
      lotId: row.lot_id,
      state: row.state,
      digest: row.digest,
      deadline: new Date(Number(a.deadline) * 1000).toISOString(),
      typedData: attestationTypedData(this.chain.domain(), a),
      review: {
        category: row.category,
        certificates: Number(a.certificates),
        baselineKgPerDevice: kg(a.baselineGrams),
        reductionKgPerDevice: kg(a.reductionGrams),
        certifiedIntensityKgPerDevice: kg(a.baselineGrams - a.reductionGrams),
        totalReductionKg: kg(a.reductionGrams * a.certificates),
        vintage: { start: row.vintage_start, end: row.vintage_end },
        methodology: a.methodology,
        parameters: a.parameters,
        reportHash: a.reportHash,
        referenceDataSha256: lot.reference_sha256 ?? "",
        deviceRoot: a.deviceRoot,
        evidenceURI: a.evidenceURI,
        owner: a.owner,
        registry: { chainId: this.chain.chainId.toString(), address: this.chain.address },
      },
      signatures: this.store.signatures(batchId).map(publicSignature),
      threshold,
    };
  }

  /**
   * Accepts an auditor's EIP-712 signature after checking it off-chain: the signer holds the auditor role
   * now, the attestation is unexpired and not yet used, and the signature verifies (ECDSA, or ERC-1271 for a
   * contract wallet). Signatures are at most MAX_SIGNATURE_BYTES.
   *
   * The route takes no login (a signature authenticates itself), so a refusal is recorded as the named auditor's
   * only when the signature verifies for that auditor (e.g. an expired attestation, or a signer without the role).
   * One that does not verify — garbage, another key's, or a signature over other figures, which recovers to an
   * unrelated address — proves nothing about who sent it: it is kept apart as unattributed, never in the
   * auditor's name. Malformed or oversized input is refused without being stored.
   *
   * The final checks (still signable, same attestation, not signed yet) are repeated inside the write
   * transaction, so concurrent identical submissions get one acceptance and ALREADY_SIGNED for the others.
   */
  async addSignature(batchId: string, auditorInput: string, signature: string): Promise<BatchRow> {
    const auditor = this.#address(auditorInput, "auditor");
    const row = this.#batchRow(batchId);
    // Whose signatures count for the batch's attestation, so a refusal can tell an auditor who retries whether
    // theirs is among them (public anyway: `GET /batches/:id` lists them).
    const signers = (digest: string) => this.store.acceptedSignatures(batchId, digest).map((x) => x.auditor);
    const counted = (b: BatchRow) => (b.digest ? signers(b.digest) : []);
    const takesNone = (b: BatchRow) => {
      const list = counted(b);
      const mine = list.includes(auditor);
      return new OracleError(
        "BATCH_STATE",
        `batch ${batchId} is ${b.state}: it takes no signatures; ${auditor}'s signature is ` +
          `${mine ? "" : "not "}among the ${list.length} counted`,
        { state: b.state, batchId, auditor, counted: list, auditorCounted: mine },
      );
    };
    if (!SIGNABLE.includes(row.state) || !row.digest || !row.deadline) throw takesNone(row);
    const digest = row.digest;
    const alreadySigned = () =>
      new OracleError("ALREADY_SIGNED", `${auditor} already signed batch ${batchId}`, {
        batchId,
        auditor,
        counted: signers(digest),
        auditorCounted: true,
      });
    if (signers(digest).includes(auditor)) throw alreadySigned();
    const refuse = (
      code: "SIGNATURE_INVALID" | "SIGNER_NOT_AUDITOR" | "ATTESTATION_EXPIRED",
      reason: string,
      attribution: "auditor" | "unattributed" | "not stored",
    ) => {
      if (attribution === "auditor") {
        this.store.addSignature({ batch_id: batchId, digest, auditor, signature, status: "refused", reason });
      } else if (attribution === "unattributed") {
        this.store.addUnattributedSignature({ batch_id: batchId, digest, claimed_auditor: auditor, signature, reason });
      }
      this.#counters.signaturesRefused! += 1;
      if (attribution !== "auditor") this.#counters.signaturesUnattributed! += 1;
      this.#batchLog(row).warn({ claimedAuditor: auditor, code, reason, attribution }, "signature refused");
      return new OracleError(code, reason, { batchId, auditor });
    };
    const malformed = signatureProblem(signature);
    if (malformed) throw refuse("SIGNATURE_INVALID", malformed, "not stored");
    const verified = await this.#chainCall(() => this.#verifies(auditor, digest, signature));
    if (this.#nowSec() >= row.deadline) {
      throw refuse(
        "ATTESTATION_EXPIRED",
        `the attestation of batch ${batchId} expired at ${iso(row.deadline)}`,
        verified ? "auditor" : "unattributed",
      );
    }
    if (!verified) {
      throw refuse(
        "SIGNATURE_INVALID",
        `the signature does not verify for ${auditor} over digest ${digest}`,
        "unattributed",
      );
    }
    if (!(await this.#chainCall(() => this.chain.isAuditor(auditor)))) {
      throw refuse("SIGNER_NOT_AUDITOR", `${auditor} does not hold the auditor role on the registry`, "auditor");
    }
    const threshold = await this.#chainCall(() => this.chain.auditorThreshold());
    const updated = this.store.tx(() => {
      // Re-checked under the write lock: the awaits above let other requests (or the worker) run.
      const current = this.store.batch(batchId)!;
      if (!SIGNABLE.includes(current.state) || current.digest !== digest) {
        if (!SIGNABLE.includes(current.state)) throw takesNone(current);
        throw new OracleError(
          "BATCH_STATE",
          `the attestation of batch ${batchId} was renewed while the signature was checked; sign the new one`,
          { state: current.state, batchId, auditor, counted: counted(current), auditorCounted: false },
        );
      }
      if (signers(digest).includes(auditor)) throw alreadySigned();
      this.store.addSignature({ batch_id: batchId, digest, auditor, signature, status: "accepted", reason: null });
      const count = this.store.acceptedSignatures(batchId, digest).length;
      if (count >= threshold && current.state === "awaiting_signatures") {
        return this.store.transition(
          batchId,
          "ready",
          `${count} of ${threshold} auditor signatures`,
          {},
          "awaiting_signatures",
        );
      }
      return current;
    });
    this.#counters.signaturesAccepted! += 1;
    this.#batchLog(row).info({ auditor, state: updated.state }, "signature accepted");
    return updated;
  }

  /** An auditor refuses to attest, with a reason, signed as EIP-712 `Rejection` over the attestation digest. */
  async rejectBatch(batchId: string, auditorInput: string, reason: string, signature: string): Promise<BatchRow> {
    const auditor = this.#address(auditorInput, "auditor");
    const row = this.#batchRow(batchId);
    if (!SIGNABLE.includes(row.state) || !row.digest) {
      throw new OracleError("BATCH_STATE", `batch ${batchId} is ${row.state}: it cannot be rejected`, {
        state: row.state,
      });
    }
    const text = reason.trim();
    if (text.length === 0 || text.length > 1000) {
      throw new OracleError("SIGNATURE_INVALID", "a rejection needs a reason of 1 to 1000 characters");
    }
    const malformed = signatureProblem(signature);
    if (malformed) throw new OracleError("SIGNATURE_INVALID", malformed);
    const digest = TypedDataEncoder.hash(this.chain.domain(), REJECTION_TYPES, {
      attestationDigest: row.digest,
      reason: text,
    });
    if (!(await this.#chainCall(() => this.#verifies(auditor, digest, signature)))) {
      throw new OracleError("SIGNATURE_INVALID", `the rejection is not signed by ${auditor}`);
    }
    if (!(await this.#chainCall(() => this.chain.isAuditor(auditor)))) {
      throw new OracleError("SIGNER_NOT_AUDITOR", `${auditor} does not hold the auditor role on the registry`);
    }
    const updated = this.store.tx(() => {
      const current = this.store.batch(batchId)!;
      if (!SIGNABLE.includes(current.state) || current.digest !== row.digest) {
        throw new OracleError("BATCH_STATE", `batch ${batchId} is ${current.state}: it cannot be rejected`, {
          state: current.state,
        });
      }
      return this.store.transition(batchId, "rejected", `rejected by ${auditor}: ${text}`, { reason: text });
    });
    this.#batchLog(row).warn({ auditor, reason: text }, "batch rejected by auditor");
    return updated;
  }

  async #verifies(auditor: string, digest: string, signature: string): Promise<boolean> {
    try {
      if (recoverAddress(digest, signature) === auditor) return true;
    } catch {
      // Not a 65-byte ECDSA signature: may still be a contract wallet's.
    }
    if (!(await this.chain.hasCode(auditor))) return false;
    return this.chain.isValidErc1271Signature(auditor, digest, signature);
  }

  // -----------------------------------------------------------------------------------------------------------
  // The worker's step
  // -----------------------------------------------------------------------------------------------------------

  /**
   * One pass of the worker: renew expiring attestations, post ready batches, reconcile posted ones. It first
   * takes this database's worker lease; while another worker holds a fresh one, the pass does nothing (and says
   * so, at most every 30 s). Each batch's step is isolated: an error is recorded on that batch and the pass goes
   * on with the others.
   */
  async tick(): Promise<void> {
    if (!this.#holdLease()) return;
    this.processPendingLots();
    const nowSec = this.#nowSec();
    for (const b of this.store.batchesInState("awaiting_signatures", "ready")) {
      if (b.deadline === null || b.deadline - this.config.renewMarginSeconds > nowSec) continue;
      if (b.failures > 0 && b.next_attempt_at > this.#now().getTime()) continue;
      if (!this.#keepLease()) return;
      await this.#step(b, () => Promise.resolve(this.#renew(b)));
    }
    for (const b of this.store.batchesInState("ready")) {
      if (b.next_attempt_at > this.#now().getTime()) continue;
      if (!this.#keepLease()) return;
      await this.#step(b, () => this.#post(b));
    }
    for (const b of this.store.batchesInState("posted")) {
      if (b.next_attempt_at > this.#now().getTime()) continue;
      if (!this.#keepLease()) return;
      await this.#step(b, () => this.#reconcile(b));
    }
  }

  /**
   * Takes or renews this database's worker lease for this instance (see JobStore.acquireLease). A process may
   * call it before starting its loop to refuse to run beside another worker; `tick()` calls it on every pass.
   */
  acquireWorkerLease(): WorkerLeaseStatus {
    const nowMs = this.#now().getTime();
    const r = this.store.acquireLease(WORKER_LEASE, this.#holder, nowMs, this.config.workerLeaseMs);
    const holder = leaseInfo(r.lease);
    if (r.acquired) {
      if (r.tookOver) {
        this.#log.warn(
          { previous: leaseInfo(r.tookOver.from), why: r.tookOver.why },
          `took over the worker lease (${r.tookOver.why})`,
        );
      } else if (!this.#leaseHeld) {
        this.#log.info({ holder }, "worker lease acquired");
      }
      this.#leaseHeld = true;
      this.#leaseRenewedAt = nowMs;
      return { acquired: true, holder, message: `this worker holds the worker lease until ${holder.expiresAt}` };
    }
    if (this.#leaseHeld) this.#log.error({ holder }, "worker lease lost to another worker; this worker stops posting");
    this.#leaseHeld = false;
    return {
      acquired: false,
      holder,
      message:
        `another oracle worker holds this database's worker lease (pid ${holder.pid} on ${holder.host}, since ` +
        `${holder.since}, valid until ${holder.expiresAt}); this worker waits and takes over when that one stops ` +
        `or its lease expires`,
    };
  }

  /** At the start of a pass: holds the lease (taking or renewing it as needed), or says who does and waits. */
  #holdLease(): boolean {
    if (this.#leaseFresh()) return true;
    const status = this.acquireWorkerLease();
    if (status.acquired) return true;
    this.#counters.leaseWaits! += 1;
    if (Date.now() - this.#leaseWarnedAt >= 30_000) {
      this.#leaseWarnedAt = Date.now();
      this.#log.warn({ holder: status.holder }, status.message);
    }
    return false;
  }

  /** Within a pass: renews the lease once a third of its lifetime has passed; false when it was lost. */
  #keepLease(): boolean {
    return this.#leaseFresh() || this.acquireWorkerLease().acquired;
  }

  /**
   * Held and renewed less than a third of its lifetime ago (so an idle pass writes nothing). Every batch change
   * re-checks the holder in its own transaction anyway (#commit).
   */
  #leaseFresh(): boolean {
    const sinceRenewal = Math.abs(this.#now().getTime() - this.#leaseRenewedAt);
    return this.#leaseHeld && sinceRenewal < this.config.workerLeaseMs / 3;
  }

  /**
   * Commits a worker's change to batch `b` only if this worker still holds the lease and `b` is still in the
   * state (and attestation) it was read in — a compare-and-set, in one IMMEDIATE transaction. Otherwise nothing is
   * written and StaleStateError ends the step (no error is recorded: the batch belongs to someone else now).
   */
  #commit<T>(b: BatchRow, fn: () => T): T {
    return this.store.tx(() => {
      if (!this.store.holdsLease(WORKER_LEASE, this.#holder.id)) {
        this.#leaseHeld = false;
        throw new StaleStateError(`this worker no longer holds the worker lease; batch ${b.id} left to the holder`);
      }
      const current = this.store.batch(b.id);
      if (!current || current.state !== b.state || current.digest !== b.digest) {
        throw new StaleStateError(
          `batch ${b.id} is ${current?.state ?? "gone"}${current && current.digest !== b.digest ? " with another attestation" : ""}, not the ${b.state} this worker read`,
        );
      }
      return fn();
    });
  }

  /**
   * Runs one batch's step. A transient chain failure is retried later with exponential backoff (for ever); a
   * batch changed under the worker is left alone; any other error is recorded on the batch (see #recordFailure)
   * and never escapes, so the other batches still advance.
   */
  async #step(b: BatchRow, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      if (error instanceof StaleStateError) {
        this.#batchLog(b).info({ reason: describe(error) }, "batch changed under this worker; step abandoned");
        return;
      }
      if (isTransientError(error) || (error instanceof OracleError && error.code === "CHAIN_UNAVAILABLE")) {
        const attempts = b.attempts + 1;
        const delay = Math.min(250 * 2 ** Math.min(attempts, 16), this.config.maxBackoffMs);
        this.store.setRetry(b.id, attempts, this.#now().getTime() + delay, `transient: ${describe(error)}`);
        this.#counters.transientRetries! += 1;
        this.#batchLog(b).warn({ attempts, retryInMs: delay, err: describe(error) }, "chain unavailable; will retry");
        return;
      }
      this.#recordFailure(b, error);
    }
  }

  /**
   * Records a non-transient error on the batch: failure count, last error and the next try (backoff). After
   * `maxAttempts` failures in one state the batch is `failed` with the error — unless it is `posted`: its
   * transaction may still be mined, so it stays and is reconciled at the longest backoff, logged as an error.
   */
  #recordFailure(b: BatchRow, error: unknown): void {
    const message = describe(error);
    this.#counters.stepFailures! += 1;
    const log = this.#batchLog(b);
    try {
      const outcome = this.store.tx(() => {
        if (!this.store.holdsLease(WORKER_LEASE, this.#holder.id)) {
          this.#leaseHeld = false;
          return { kind: "lease lost" as const };
        }
        const current = this.store.batch(b.id);
        if (!current || TERMINAL.includes(current.state)) return { kind: "finished" as const };
        const failures = current.failures + 1;
        if (failures >= this.config.maxAttempts && current.state !== "posted") {
          this.store.transition(
            b.id,
            "failed",
            `${current.state}: gave up after ${failures} failed attempts: ${message}`,
            { error: `${message} (${current.state}; ${failures} failed attempts)`, failures },
            current.state,
          );
          return { kind: "failed" as const, failures, state: current.state };
        }
        const delay = Math.min(1000 * 2 ** Math.min(failures - 1, 16), this.config.maxBackoffMs);
        this.store.setFailure(b.id, failures, this.#now().getTime() + delay, `error: ${message}`);
        return { kind: "retry" as const, failures, delay, state: current.state };
      });
      if (outcome.kind === "failed") {
        log.error(
          { err: message, failures: outcome.failures, from: outcome.state },
          "batch failed after repeated errors",
        );
      } else if (outcome.kind === "retry") {
        log[outcome.state === "posted" && outcome.failures >= this.config.maxAttempts ? "error" : "warn"](
          { err: message, failures: outcome.failures, retryInMs: outcome.delay, state: outcome.state },
          outcome.state === "posted"
            ? "error reconciling a posted batch; it stays posted (its transaction may be mined) and is retried"
            : "batch step failed; will retry",
        );
      } else {
        log.warn({ err: message, outcome: outcome.kind }, "batch step failed; not recorded");
      }
    } catch (recordError) {
      log.error({ err: message, recordErr: describe(recordError) }, "batch step failed and could not be recorded");
    }
  }

  #renew(b: BatchRow): void {
    const a = attestationFromJson(JSON.parse(b.attestation_json!) as Record<string, unknown>);
    const renewed = { ...a, deadline: BigInt(this.#nowSec() + this.config.attestationTtlSeconds) };
    this.#commit(b, () => {
      for (const s of this.store.acceptedSignatures(b.id, b.digest!)) {
        this.store.dropSignature(s.id, "attestation expired and was renewed");
      }
      this.#setAttestation(
        b.id,
        renewed,
        "awaiting_signatures",
        `attestation expired at ${iso(b.deadline!)}; renewed until ${iso(Number(renewed.deadline))}`,
      );
    });
    this.#counters.attestationsRenewed! += 1;
    this.#batchLog(b).warn({ deadline: iso(Number(renewed.deadline)) }, "attestation renewed; auditors must re-sign");
  }

  async #post(b: BatchRow): Promise<void> {
    await this.#faults("before_post", { batch: b.id });
    const lot = this.getLot(b.lot_id);
    const a = attestationFromJson(JSON.parse(b.attestation_json!) as Record<string, unknown>);
    // The report must still be the one the auditors reviewed.
    const storedHash = lot.report_json ? keccak256(toUtf8Bytes(lot.report_json)) : null;
    if (storedHash !== a.reportHash || lot.report_hash !== a.reportHash) {
      this.#commit(b, () =>
        this.store.transition(b.id, "failed", "REPORT_HASH_MISMATCH", {
          error: `REPORT_HASH_MISMATCH: the stored report hashes to ${storedHash ?? "nothing"}, the attestation says ${a.reportHash}`,
        }),
      );
      this.#batchLog(b).error({ storedHash, attested: a.reportHash }, "report tampered; batch failed");
      return;
    }
    // Auditors must still hold the role when we post (revoked after signing → dropped).
    const signatures: AuditorSignature[] = [];
    const dropped: SignatureRow[] = [];
    for (const s of this.store.acceptedSignatures(b.id, b.digest!)) {
      if (await this.chain.isAuditor(s.auditor)) signatures.push({ auditor: s.auditor, signature: s.signature });
      else dropped.push(s);
    }
    const threshold = await this.chain.auditorThreshold();
    if (dropped.length > 0 || signatures.length < threshold) {
      this.#commit(b, () => {
        for (const s of dropped) this.store.dropSignature(s.id, "auditor role revoked before posting");
        this.store.transition(
          b.id,
          "awaiting_signatures",
          `${signatures.length} valid signatures of ${threshold} needed` +
            (dropped.length ? `; dropped ${dropped.map((s) => s.auditor).join(", ")} (role revoked)` : ""),
        );
      });
      this.#batchLog(b).warn({ dropped: dropped.map((s) => s.auditor), threshold }, "not enough auditors to post");
      return;
    }

    const data = this.chain.registry.interface.encodeFunctionData("issue", [a, sortSignatures(signatures)]);
    const from = await this.#signer.getAddress();
    let gasLimit: bigint;
    try {
      gasLimit = await this.chain.provider.estimateGas({ from, to: this.chain.address, data });
    } catch (error) {
      const revert = this.chain.decodeError(error);
      if (!revert) throw error;
      await this.#onRevert(b, a, revert);
      return;
    }
    const nonce = Math.max(await this.chain.provider.getTransactionCount(from, "pending"), this.store.maxNonce() + 1);
    const raw = await this.#signer.signTransaction({
      to: this.chain.address,
      data,
      nonce,
      gasLimit: (gasLimit * 12n) / 10n,
      chainId: this.chain.chainId,
      ...(await this.chain.feeFields()),
    });
    const hash = keccak256(raw);
    // The claim: ready → posted only if this worker still holds the lease and the batch is still ready with the
    // attestation it signed, and the nonce is still free — else nothing is stored and nothing is sent.
    this.#commit(b, () => {
      const used = this.store.maxNonce();
      if (used >= nonce) {
        throw new StaleStateError(`nonce ${nonce} was taken by another stored transaction (up to ${used}) meanwhile`);
      }
      this.store.insertTx({ hash, batch_id: b.id, nonce, raw });
      this.store.transition(
        b.id,
        "posted",
        `issue tx ${hash} (nonce ${nonce})`,
        { attempts: 0, next_attempt_at: 0 },
        "ready",
      );
    });
    await this.#faults("after_tx_persisted", { batch: b.id, hash });
    await this.#broadcast(b, hash, raw);
    this.#counters.transactionsSent! += 1;
    await this.#faults("after_broadcast", { batch: b.id, hash });
    this.#batchLog(b).info({ hash, nonce }, "issue transaction sent");
  }

  async #broadcast(b: BatchRow, hash: string, raw: string): Promise<void> {
    try {
      await this.chain.provider.broadcastTransaction(raw);
      this.store.setTxStatus(hash, "broadcast");
    } catch (error) {
      if (isTransientError(error)) throw error;
      // "already known", "nonce too low", a replacement error…: reconciliation decides from the chain's state.
      this.#batchLog(b).warn({ hash, err: describe(error) }, "broadcast refused; will reconcile");
    }
  }

  async #reconcile(b: BatchRow): Promise<void> {
    const tx = this.store
      .txsOfBatch(b.id)
      .filter((t) => t.status !== "replaced")
      .at(-1);
    if (!tx) {
      this.#commit(b, () => this.store.transition(b.id, "ready", "no transaction recorded; re-posting"));
      return;
    }
    const receipt = await this.chain.provider.getTransactionReceipt(tx.hash);
    if (!receipt) {
      const known = await this.chain.provider.getTransaction(tx.hash);
      if (known) return; // pending in the node: wait
      // Unknown to the node: was the nonce used by something else, or did the batch get issued anyway?
      const attested = attestationFromJson(JSON.parse(b.attestation_json!) as Record<string, unknown>);
      const issued = await this.chain.registry.batchOfReport(attested.reportHash, attested.category);
      if (issued !== 0n) {
        await this.#alreadyIssued(b, attested, issued);
        return;
      }
      const from = await this.#signer.getAddress();
      const mined = await this.chain.provider.getTransactionCount(from, "latest");
      if (mined > tx.nonce) {
        // Our nonce was consumed by another transaction: this one can never be mined. Sign anew.
        this.#commit(b, () => {
          this.store.setTxStatus(tx.hash, "replaced", null, "nonce consumed by another transaction");
          this.store.transition(b.id, "ready", `tx ${tx.hash} replaced (nonce ${tx.nonce} used); re-posting`);
        });
        return;
      }
      await this.#broadcast(b, tx.hash, tx.raw);
      this.#counters.transactionsRebroadcast! += 1;
      this.#batchLog(b).info({ hash: tx.hash }, "transaction re-broadcast (same bytes)");
      return;
    }
    await this.#faults("after_receipt", { batch: b.id, hash: tx.hash });
    if (receipt.status !== 1) {
      const a = attestationFromJson(JSON.parse(b.attestation_json!) as Record<string, unknown>);
      const revert = await this.#replayRevert(receipt);
      this.store.setTxStatus(tx.hash, "reverted", receipt.blockNumber, revert?.message ?? "reverted");
      await this.#onRevert(
        b,
        a,
        revert ?? {
          name: "UnknownRevert",
          args: {},
          message: "reverted",
          sentence: "the registry refused the transaction without a reason",
          data: "0x",
        },
      );
      return;
    }
    const latest = await this.chain.provider.getBlockNumber();
    if (latest - receipt.blockNumber + 1 < this.config.confirmations) return;
    const tokenId = this.#tokenIdFromReceipt(receipt);
    this.#commit(b, () => {
      this.store.setTxStatus(tx.hash, "mined", receipt.blockNumber);
      this.store.transition(b.id, "confirmed", `minted as batch #${tokenId} in block ${receipt.blockNumber}`, {
        token_id: tokenId.toString(),
        error: null,
      });
    });
    this.#counters.batchesConfirmed! += 1;
    this.#batchLog(b).info({ tokenId: tokenId.toString(), block: receipt.blockNumber }, "batch confirmed");
  }

  #tokenIdFromReceipt(receipt: TransactionReceipt): bigint {
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== this.chain.address.toLowerCase()) continue;
      const parsed = this.chain.registry.interface.parseLog(log);
      if (parsed?.name === "BatchIssued") return parsed.args[0] as bigint;
    }
    throw new ChainError("NO_BATCH_EVENT", `receipt ${receipt.hash} has no BatchIssued event`);
  }

  /** Why a mined transaction reverted: replays it as a call on the state it ran against. */
  async #replayRevert(receipt: TransactionReceipt): Promise<DecodedRevert | undefined> {
    const tx = await this.chain.provider.getTransaction(receipt.hash);
    if (!tx) return undefined;
    try {
      await this.chain.provider.call({ from: tx.from, to: tx.to, data: tx.data, blockTag: receipt.blockNumber - 1 });
      return undefined;
    } catch (error) {
      return this.chain.decodeError(error);
    }
  }

  /** A revert is recorded with its decoded error and never retried blindly; "already issued" is checked. */
  async #onRevert(b: BatchRow, a: Attestation, revert: DecodedRevert): Promise<void> {
    this.#counters.reverts! += 1;
    if (revert.name === "ITECReportAlreadyIssued") {
      await this.#alreadyIssued(b, a, BigInt(revert.args.batchId ?? "0"));
      return;
    }
    this.#commit(b, () => this.store.transition(b.id, "failed", revert.name, { error: revert.message }));
    this.#batchLog(b).error({ revert: revert.message }, "issue reverted; batch failed");
  }

  /** The contract says this report's batch exists: success only if it is the same batch (figures and devices). */
  async #alreadyIssued(b: BatchRow, a: Attestation, tokenId: bigint): Promise<void> {
    const onChain = await this.chain.registry.batch(tokenId);
    const rootBatch = await this.chain.registry.batchOfDeviceRoot(a.deviceRoot);
    const same =
      rootBatch === tokenId &&
      Number(onChain.category) === a.category &&
      onChain.issued === a.certificates &&
      onChain.baselineGrams === a.baselineGrams &&
      onChain.reductionGrams === a.reductionGrams;
    this.#commit(b, () => {
      for (const t of this.store.txsOfBatch(b.id))
        if (t.status === "signed" || t.status === "broadcast") {
          this.store.setTxStatus(t.hash, "replaced", null, "batch found already issued");
        }
      if (same) {
        this.store.transition(b.id, "confirmed", `already issued on-chain as batch #${tokenId}; verified same batch`, {
          token_id: tokenId.toString(),
          error: null,
        });
      } else {
        this.store.transition(b.id, "failed", "REPORT_ALREADY_ISSUED_DIFFERENT", {
          error: `the report's ${b.category} batch is on-chain as #${tokenId} with different figures or devices`,
        });
      }
    });
    if (same) this.#counters.batchesConfirmed! += 1;
    this.#batchLog(b)[same ? "info" : "error"]({ tokenId: tokenId.toString(), same }, "report already issued on-chain");
  }

  // -----------------------------------------------------------------------------------------------------------
  // Helpers
  // -----------------------------------------------------------------------------------------------------------

  get #signer(): Signer {
    if (!this.#signerOrUndefined)
      throw new Error("this oracle instance has no key: only the worker posts transactions");
    return this.#signerOrUndefined;
  }

  metrics(): OracleMetrics {
    return { batchesByState: this.store.countByState(), counters: { ...this.#counters } };
  }

  #batchRow(id: string): BatchRow {
    const row = this.store.batch(id);
    if (!row) throw new OracleError("NOT_FOUND", `no batch ${id}`);
    return row;
  }

  #address(value: string, field: string): string {
    if (!isAddress(value))
      throw new OracleError("INVALID_ADDRESS", `${field} is not an Ethereum address: ${String(value)}`);
    return getAddress(value);
  }

  async #requireParticipant(account: string): Promise<void> {
    const p = await this.#chainCall(() => this.chain.registry.participant(account));
    if (Number(p.status) !== 1) {
      throw new OracleError(
        "NOT_A_PARTICIPANT",
        `${account} is not an active participant of the registry (status ${statusName(p.status)})`,
      );
    }
  }

  /** A chain read on behalf of a caller: an unreachable node becomes CHAIN_UNAVAILABLE (HTTP 503). */
  async #chainCall<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (isTransientError(error)) {
        throw new OracleError("CHAIN_UNAVAILABLE", "the registry's chain node is unreachable; try again", undefined, {
          cause: error,
        });
      }
      throw error;
    }
  }

  #nowSec(): number {
    return Math.floor(this.#now().getTime() / 1000);
  }

  #lotLog(lot: LotRow): Logger {
    return this.#log.child({ lot: lot.id, correlationId: lot.correlation_id });
  }

  #batchLog(b: BatchRow): Logger {
    const lot = this.store.lot(b.lot_id);
    return this.#log.child({ lot: b.lot_id, batch: b.id, correlationId: lot?.correlation_id });
  }
}

/** Per-batch summary stored with the lot (`GET /lots/:id` → `summary`), for listings and the CLI. */
export type LotSummary = ReturnType<typeof lotSummary>;

function lotSummary(r: LotResult) {
  const { groups, more } = groupProblems(r.problems);
  return {
    method: r.method,
    params: r.params,
    asOf: r.asOf,
    devices: r.deviceCount,
    eligible: r.eligibleCount,
    excluded: r.excluded,
    problems: r.problems.length,
    /** The problems grouped by kind, with their lines (core/calc/problems.ts); the report lists each. */
    problemGroups: groups,
    moreProblemGroups: more,
    /** Rows without transport in a lot without a default transport. */
    missingTransport: missingTransportRows(r.problems),
    batches: r.batches.map((b) => ({
      category: b.category,
      eligible: b.eligible,
      certificates: b.certificates,
      baselineKg: b.baselineKg,
      reductionKg: b.reductionKg,
      relU: b.relU,
      issued: b.issued,
      reason: b.reason,
    })),
  };
}

/**
 * LOT_NOTHING_ELIGIBLE: not one device of the lot can be certified, so nothing is stored (the lot's reference
 * stays free for the corrected lot). Says why, with the next step; `summary` carries the grouped problems.
 */
function nothingEligible(r: LotResult, holders: ReadonlyMap<string, number>): OracleError {
  const summary = lotSummary(r);
  const excluded = Object.entries(r.excluded)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  const n = r.deviceCount;
  let why: string;
  if (summary.missingTransport > 0) {
    const m = summary.missingTransport;
    why =
      `${m} row${m === 1 ? " has" : "s have"} no transport and the lot has no default transport: give the lot's ` +
      "legs (defaultTransport, e.g. hgv:600;van:250; `itec lot submit --transport`) or fill the transport column, " +
      "then submit again";
  } else if (holders.size > 0) {
    why =
      `its eligible devices are already in ${[...holders.keys()].join(", ")}, and a device is never certified twice ` +
      "(docs/adr/0040-lot-identity.md)";
  } else {
    why = "the calculation report (`itec calc <lot>`) says why each device is excluded; fix the rows and submit again";
  }
  return new OracleError(
    "LOT_NOTHING_ELIGIBLE",
    `none of the lot's ${n} device${n === 1 ? "" : "s"} is eligible (excluded: ${excluded}), so nothing was stored: ${why}`,
    { summary, holders: Object.fromEntries(holders) },
  );
}

function stripReaderFields(d: DeviceInput): Omit<DeviceInput, "readerProblems"> {
  const { readerProblems: _r, ...rest } = d;
  return rest;
}

/** Why `signature` cannot be an auditor's signature at all (not hex bytes, empty, or over MAX_SIGNATURE_BYTES). */
function signatureProblem(signature: string): string | null {
  if (typeof signature !== "string") return "the signature is not a string of hex bytes";
  if (signature.length > 2 + 2 * MAX_SIGNATURE_BYTES) {
    return (
      `the signature is longer than ${MAX_SIGNATURE_BYTES} bytes (an EOA's is 65; a contract wallet's ERC-1271 ` +
      `signature may be longer, up to ${MAX_SIGNATURE_BYTES})`
    );
  }
  if (!/^0x(?:[0-9a-fA-F]{2})+$/.test(signature)) return "the signature is not 0x-prefixed hex bytes";
  return null;
}

function leaseInfo(l: LeaseRow): WorkerLeaseStatus["holder"] {
  return {
    host: l.host,
    pid: l.pid,
    since: l.acquired_at,
    renewedAt: l.renewed_at,
    expiresAt: new Date(l.expires_at).toISOString(),
  };
}

function publicSignature(s: SignatureRow) {
  return { auditor: s.auditor, status: s.status, reason: s.reason, at: s.created_at, digest: s.digest };
}

function dayToUnix(day: string): number {
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000);
}

function iso(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString();
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0]!;
  return String(error);
}
