/**
 * The oracle: from a submitted lot to an auditor-signed, minted batch — crash-safe and exactly-once.
 *
 * Every step is a state change of a batch recorded in one transaction (SQLite or PostgreSQL, see store/jobs.ts). A chain
 * transaction is signed and persisted *before* it is broadcast, so after a crash the same bytes (same nonce,
 * same hash) are found and reconciled, never sent twice. The contract's (reportHash, category) uniqueness is the
 * last line of defence: "already issued" counts as success once the on-chain batch is checked to be this one.
 *
 * One worker per database: `tick()` first takes (or renews) the store's worker lease, and every change the worker
 * makes to a batch is a compare-and-set — committed only while it still holds the lease and the batch is still in
 * the state it read — so a second worker on the same database (e.g. `npm start`'s plus `itec oracle run`) waits
 * instead of posting the same batch again. A batch whose step keeps failing is set aside (retried with backoff,
 * `failed` after `maxAttempts`) without holding up the others.
 *
 * This class is the service's one public face; each concept lives in its own file: lot intake (intake.ts),
 * attestations (attestations.ts), auditor signatures (signatures.ts), the worker lease (lease.ts), the worker's
 * pass and step with backoff (step.ts), posting and reconciling (issuance.ts) and reads for callers (reads.ts).
 */
import type { ChainClient } from "../../../core/chain/client.ts";
import type { JobStore } from "../store/jobs.ts";
import type { BatchRow, LotHead, LotRow } from "../store/rows.ts";
import type { OracleConfig, OracleDeps } from "./config.ts";
import { OracleContext } from "./context.ts";
import { LotIntake, type SubmitLotInput } from "./intake.ts";
import { Issuance } from "./issuance.ts";
import { WorkerLease, type WorkerLeaseStatus } from "./lease.ts";
import { OracleReads, type AttestationView } from "./reads.ts";
import { AuditorSignatures } from "./signatures.ts";
import { currentSampleRecord, recordSampleOutcomes } from "./sample-binding.ts";
import type { AuditSampleRecord, EvidenceOutcome } from "../../../core/audit/sample-record.ts";
import { Worker } from "./step.ts";

/** Counters since start, next to the per-state counts read from the store. */
export interface OracleMetrics {
  batchesByState: Record<string, number>;
  counters: Record<string, number>;
}

export class Oracle {
  readonly store: JobStore;
  readonly chain: ChainClient;
  readonly config: OracleConfig;
  readonly #ctx: OracleContext;
  readonly #intake: LotIntake;
  readonly #signatures: AuditorSignatures;
  readonly #reads: OracleReads;
  readonly #lease: WorkerLease;
  readonly #worker: Worker;

  constructor(deps: OracleDeps) {
    this.#ctx = new OracleContext(deps);
    this.store = this.#ctx.store;
    this.chain = this.#ctx.chain;
    this.config = this.#ctx.config;
    this.#intake = new LotIntake(this.#ctx);
    this.#signatures = new AuditorSignatures(this.#ctx);
    this.#reads = new OracleReads(this.#ctx);
    this.#lease = new WorkerLease(this.#ctx);
    this.#worker = new Worker(this.#ctx, this.#lease, this.#intake, new Issuance(this.#ctx, this.#lease));
  }

  // --- lots ---------------------------------------------------------------------------------------------------

  /**
   * Calculates a lot and stores it with its batches in one transaction (see LotIntake.submit).
   * @throws OracleError LOT_INVALID (bad lot or as-of date), LOT_DUPLICATE, NOT_A_PARTICIPANT, CHAIN_UNAVAILABLE
   */
  submitLot(input: SubmitLotInput): Promise<LotRow> {
    return this.#intake.submit(input);
  }

  /** Calculates a lot left in `submitted` (e.g. stored by an older version or before a crash). */
  processPendingLots(): Promise<void> {
    return this.#intake.processPending();
  }

  /** A lot without its input and report JSON (getReport has the report). @throws OracleError NOT_FOUND */
  getLot(id: string): Promise<LotHead> {
    return this.#ctx.lotHead(id);
  }

  /** The canonical report (the bytes `reportHash` is taken over). */
  getReport(lotId: string): Promise<string> {
    return this.#reads.report(lotId);
  }

  // --- batches, attestations and signatures -------------------------------------------------------------------

  getBatch(id: string): ReturnType<OracleReads["batch"]> {
    return this.#reads.batch(id);
  }

  /** Exactly what the auditor signs, and the figures to review before signing. */
  getAttestation(batchId: string): Promise<AttestationView> {
    return this.#reads.attestation(batchId);
  }

  /** Accepts an auditor's EIP-712 signature after checking it off-chain (see AuditorSignatures.add). */
  addSignature(batchId: string, auditor: string, signature: string): Promise<BatchRow> {
    return this.#signatures.add(batchId, auditor, signature);
  }

  /** An auditor refuses to attest, with a reason, signed as EIP-712 `Rejection` over the attestation digest. */
  rejectBatch(batchId: string, auditor: string, reason: string, signature: string): Promise<BatchRow> {
    return this.#signatures.reject(batchId, auditor, reason, signature);
  }

  /** The batch's audit sample record as it stands (draw + latest outcome per device); undefined before the draw. */
  sampleRecord(batchId: string): Promise<AuditSampleRecord | undefined> {
    return currentSampleRecord(this.store, batchId);
  }

  /**
   * Records an auditor's evidence outcomes for sampled devices and rebinds the attestation's `sampleHash`
   * (sample-binding.ts): a changed record drops the signatures over the old digest.
   * @throws OracleError BATCH_STATE when the batch takes no signatures or its sample is not drawn yet
   */
  recordSampleOutcomes(
    batchId: string,
    auditor: string,
    outcomes: readonly { deviceId: string; outcome: EvidenceOutcome }[],
  ): Promise<AuditSampleRecord> {
    return recordSampleOutcomes(this.#ctx, batchId, this.#ctx.address(auditor, "auditor"), outcomes);
  }

  // --- the worker ---------------------------------------------------------------------------------------------

  /** One pass of the worker: renew expiring attestations, post ready batches, reconcile posted ones (step.ts). */
  tick(): Promise<void> {
    return this.#worker.tick();
  }

  /**
   * Takes or renews this database's worker lease for this instance (see JobStore.acquireLease). A process may
   * call it before starting its loop to refuse to run beside another worker; `tick()` calls it on every pass.
   */
  acquireWorkerLease(): Promise<WorkerLeaseStatus> {
    return this.#lease.acquire();
  }

  /** The address the worker posts from (its balance and nonce are in the API's /metrics); undefined without a key. */
  async signerAddress(): Promise<string | undefined> {
    let signer;
    try {
      signer = this.#ctx.signer;
    } catch {
      return undefined; // an API-only process: no oracle key
    }
    return signer.getAddress();
  }

  /** The fencing token this instance holds the worker lease at, or null (see store/leases.ts). */
  get workerLeaseEpoch(): number | null {
    return this.#lease.epoch;
  }

  async metrics(): Promise<OracleMetrics> {
    return { batchesByState: await this.store.countByState(), counters: { ...this.#ctx.counters } };
  }
}
