/**
 * What every part of the oracle shares: its dependencies and configuration, the counters it reports, and the small
 * helpers each part needs (rows that must exist, addresses, chain reads on a caller's behalf, per-lot and
 * per-batch loggers). One context per Oracle instance; the parts (intake, signatures, lease, step, issuance)
 * each hold it.
 */
import { getAddress, isAddress, type Signer } from "ethers";
import type { Logger } from "pino";

import type { ReferenceTable } from "../../../core/calc/index.ts";
import type { ChainClient } from "../../../core/chain/client.ts";
import { isTransientError } from "../../../core/chain/errors.ts";
import { OracleError } from "../../../core/errors.ts";
import type { JobStore } from "../store/jobs.ts";
import type { BatchRow, LotHead, LotRow } from "../store/rows.ts";
import { LeaseConfigError } from "../store/leases.ts";
import { DEFAULT_ORACLE_CONFIG, type OracleConfig, type OracleDeps } from "./config.ts";
import { ExternalSets } from "./external-sets.ts";

export class OracleContext {
  readonly store: JobStore;
  readonly chain: ChainClient;
  readonly config: OracleConfig;
  readonly reference: ReferenceTable;
  readonly log: Logger;
  readonly now: () => Date;
  readonly faults: NonNullable<OracleDeps["faults"]>;
  /** The registered external device sets (CLAIMED_ELSEWHERE), their lists cached. */
  readonly externalSets: ExternalSets;
  readonly #signerOrUndefined: Signer | undefined;
  /** Lot id → correlation id, for batch loggers (a lot's correlation id never changes). */
  readonly #correlationIds = new Map<string, string>();
  /** Counters since start (`Oracle.metrics()`), next to the per-state counts read from the store. */
  readonly counters = {
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
    /** Worker writes refused by the lease fence (the lease was lost or expired meanwhile). */
    fencedWritesRefused: 0,
    /** Sends not made because the lease had less than `broadcastMarginMs` left. */
    broadcastsWithheld: 0,
    reverts: 0,
    batchesConfirmed: 0,
  };

  constructor(deps: OracleDeps) {
    this.store = deps.store;
    this.chain = deps.chain;
    this.#signerOrUndefined = deps.signer;
    this.reference = deps.reference;
    this.log = deps.logger;
    this.now = deps.now ?? (() => new Date());
    this.faults = deps.faults ?? (() => Promise.resolve());
    this.config = { ...DEFAULT_ORACLE_CONFIG, ...deps.config };
    this.externalSets = new ExternalSets(this, deps.fetchExternalSet);
    // The lease is renewed once a third of it has passed, so a holder has at most two thirds left: a margin that
    // large would withhold every send.
    if (this.config.broadcastMarginMs >= (this.config.workerLeaseMs * 2) / 3) {
      throw new LeaseConfigError(
        `the broadcast margin (${this.config.broadcastMarginMs} ms) must be under two thirds of the worker lease ` +
          `(${this.config.workerLeaseMs} ms)`,
      );
    }
  }

  /** The key that posts transactions; only the worker has one. */
  get signer(): Signer {
    if (!this.#signerOrUndefined)
      throw new Error("this oracle instance has no key: only the worker posts transactions");
    return this.#signerOrUndefined;
  }

  /** A lot without its input and report JSON. @throws OracleError NOT_FOUND */
  async lotHead(id: string): Promise<LotHead> {
    const lot = await this.store.lotHead(id);
    if (!lot) throw new OracleError("NOT_FOUND", `no lot ${id}`);
    return lot;
  }

  /** @throws OracleError NOT_FOUND */
  async lot(id: string): Promise<LotRow> {
    const lot = await this.store.lot(id);
    if (!lot) throw new OracleError("NOT_FOUND", `no lot ${id}`);
    return lot;
  }

  /** @throws OracleError NOT_FOUND */
  async batch(id: string): Promise<BatchRow> {
    const row = await this.store.batch(id);
    if (!row) throw new OracleError("NOT_FOUND", `no batch ${id}`);
    return row;
  }

  /** `value` checksummed. @throws OracleError INVALID_ADDRESS */
  address(value: string, field: string): string {
    if (!isAddress(value))
      throw new OracleError("INVALID_ADDRESS", `${field} is not an Ethereum address: ${String(value)}`);
    return getAddress(value);
  }

  /** A chain read on behalf of a caller: an unreachable node becomes CHAIN_UNAVAILABLE (HTTP 503). */
  async chainCall<T>(fn: () => Promise<T>): Promise<T> {
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

  nowSec(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  lotLog(lot: LotHead): Logger {
    return this.log.child({ lot: lot.id, correlationId: lot.correlation_id });
  }

  /** A logger for batch `b`, with its lot's correlation id (read once per batch and kept: it never changes). */
  async batchLog(b: BatchRow): Promise<Logger> {
    let correlationId = this.#correlationIds.get(b.lot_id);
    if (correlationId === undefined) {
      correlationId = (await this.store.lotHead(b.lot_id))?.correlation_id;
      if (correlationId !== undefined) {
        if (this.#correlationIds.size >= 10_000) this.#correlationIds.clear();
        this.#correlationIds.set(b.lot_id, correlationId);
      }
    }
    return this.log.child({ lot: b.lot_id, batch: b.id, correlationId });
  }
}
