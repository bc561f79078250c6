/**
 * How an oracle is configured (its tunables, with defaults) and what it is given to run: the job store, the chain,
 * the signer that posts, the reference data, a logger, a clock and — in tests only — a fault-injection hook.
 */
import type { Signer } from "ethers";
import type { Logger } from "pino";

import type { ReferenceTable } from "../../../core/calc/index.ts";
import type { ChainClient } from "../../../core/chain/client.ts";
import type { FaultPoint } from "../../../core/config.ts";
import type { JobStore } from "../store/jobs.ts";

export interface OracleConfig {
  /** Blocks on top of (and including) the mined block before a mint counts as confirmed (QBFT: 1). */
  confirmations: number;
  /** How long an attestation stays signable, seconds. */
  attestationTtlSeconds: number;
  /** Renew an attestation this many seconds before its deadline (auditors then re-sign). */
  renewMarginSeconds: number;
  /**
   * Auditors' signatures are taken only once the batch's audit sample is drawn and every sampled device has an
   * outcome (sample-binding.ts, ADR 0055). Off: a batch may also be attested without a sample record
   * (`sampleHash` zero), which every verifier shows as "no audit sample".
   */
  requireAuditSample: boolean;
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
  /**
   * A worker puts a transaction on the wire only while its lease has at least this long left by its own clock
   * (lease.ts): it covers the clock skew between hosts and a stalled send. Below it the signed transaction stays
   * stored and is sent by the next holder's reconciliation. Must stay well under two thirds of `workerLeaseMs`
   * (the lease is renewed once a third of it has passed).
   */
  broadcastMarginMs: number;
}

export const DEFAULT_ORACLE_CONFIG: OracleConfig = {
  confirmations: 1,
  attestationTtlSeconds: 14 * 86_400,
  renewMarginSeconds: 3_600,
  requireAuditSample: false,
  evidenceBaseUrl: "http://127.0.0.1:8080",
  maxBackoffMs: 60_000,
  maxAttempts: 5,
  workerLeaseMs: 30_000,
  broadcastMarginMs: 10_000,
};

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
  /** Fetches an external device set's published list (default: the global `fetch`; docs/adr/0056). */
  fetchExternalSet?: ((url: string) => Promise<Uint8Array>) | undefined;
}
