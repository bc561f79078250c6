/**
 * The worker's pass and each batch's step within it: renew expiring attestations, post ready batches, reconcile
 * posted ones — under the worker lease (lease.ts). A batch whose step keeps failing is set aside (retried with
 * backoff, `failed` after `maxAttempts`) without holding up the others; a transient chain failure is retried with
 * backoff for ever.
 */
import { firstLine } from "../../../sdk/src/errors.ts";
import { isTransientError } from "../../../core/chain/errors.ts";
import { OracleError } from "../../../core/errors.ts";
import type { JobStore } from "../store/jobs.ts";
import type { BatchRow } from "../store/rows.ts";
import { LeaseLostError } from "../store/leases.ts";
import { StaleStateError, type BatchState } from "../store/transitions.ts";
import { renewAttestation } from "./attestations.ts";
import type { OracleContext } from "./context.ts";
import type { LotIntake } from "./intake.ts";
import type { Issuance } from "./issuance.ts";
import type { WorkerLease } from "./lease.ts";
import { drawSamples } from "./sampling.ts";

const TERMINAL: readonly BatchState[] = ["confirmed", "rejected", "not_issuable", "failed"];

/** One worker pass over the database's batches, and the isolation of each batch's step. */
export class Worker {
  readonly #ctx: OracleContext;
  readonly #store: JobStore;
  readonly #lease: WorkerLease;
  readonly #intake: LotIntake;
  readonly #issuance: Issuance;

  constructor(ctx: OracleContext, lease: WorkerLease, intake: LotIntake, issuance: Issuance) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    this.#lease = lease;
    this.#intake = intake;
    this.#issuance = issuance;
  }

  /**
   * One pass of the worker: renew expiring attestations, post ready batches, reconcile posted ones. It first
   * takes this database's worker lease; while another worker holds a fresh one, the pass does nothing (and says
   * so, at most every 30 s). Each batch's step is isolated: an error is recorded on that batch and the pass goes
   * on with the others.
   */
  async tick(): Promise<void> {
    if (!(await this.#lease.hold())) return;
    await this.#intake.processPending();
    // The batches' audit samples (sampling.ts): a failure, e.g. the chain unreachable, waits for the next pass.
    await drawSamples(this.#ctx).catch((error: unknown) =>
      this.#ctx.log.warn({ err: firstLine(error) }, "audit samples not drawn this pass"),
    );
    const nowSec = this.#ctx.nowSec();
    for (const b of await this.#store.batchesInState("awaiting_signatures", "ready")) {
      if (b.deadline === null || b.deadline - this.#ctx.config.renewMarginSeconds > nowSec) continue;
      if (b.failures > 0 && b.next_attempt_at > this.#ctx.now().getTime()) continue;
      if (!(await this.#lease.keep())) return;
      await this.#step(b, () => renewAttestation(this.#ctx, this.#lease, b));
    }
    for (const b of await this.#store.batchesInState("ready")) {
      if (b.next_attempt_at > this.#ctx.now().getTime()) continue;
      if (!(await this.#lease.keep())) return;
      await this.#step(b, () => this.#issuance.post(b));
    }
    for (const b of await this.#store.batchesInState("posted")) {
      if (b.next_attempt_at > this.#ctx.now().getTime()) continue;
      if (!(await this.#lease.keep())) return;
      await this.#step(b, () => this.#issuance.reconcile(b));
    }
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
        (await this.#ctx.batchLog(b)).info(
          { reason: firstLine(error) },
          "batch changed under this worker; step abandoned",
        );
        return;
      }
      if (error instanceof LeaseLostError) {
        (await this.#ctx.batchLog(b)).warn(
          { code: error.code, reason: firstLine(error) },
          "worker lease lost; step abandoned",
        );
        return;
      }
      if (isTransientError(error) || (error instanceof OracleError && error.code === "CHAIN_UNAVAILABLE")) {
        const attempts = b.attempts + 1;
        const delay = Math.min(250 * 2 ** Math.min(attempts, 16), this.#ctx.config.maxBackoffMs);
        await this.#store.setRetry(b.id, attempts, this.#ctx.now().getTime() + delay, `transient: ${firstLine(error)}`);
        this.#ctx.counters.transientRetries += 1;
        (await this.#ctx.batchLog(b)).warn(
          { attempts, retryInMs: delay, err: firstLine(error) },
          "chain unavailable; will retry",
        );
        return;
      }
      await this.#recordFailure(b, error);
    }
  }

  /**
   * Records a non-transient error on the batch: failure count, last error and the next try (backoff). After
   * `maxAttempts` failures in one state the batch is `failed` with the error — unless it is `posted`: its
   * transaction may still be mined, so it stays and is reconciled at the longest backoff, logged as an error.
   */
  async #recordFailure(b: BatchRow, error: unknown): Promise<void> {
    const message = firstLine(error);
    this.#ctx.counters.stepFailures += 1;
    const log = await this.#ctx.batchLog(b);
    try {
      const outcome = await this.#store.tx(async () => {
        if (!(await this.#lease.stillHeld())) return { kind: "lease lost" as const };
        const current = await this.#store.batch(b.id);
        if (!current || TERMINAL.includes(current.state)) return { kind: "finished" as const };
        const failures = current.failures + 1;
        if (failures >= this.#ctx.config.maxAttempts && current.state !== "posted") {
          await this.#store.transition(
            b.id,
            "failed",
            `${current.state}: gave up after ${failures} failed attempts: ${message}`,
            { error: `${message} (${current.state}; ${failures} failed attempts)`, failures },
            current.state,
          );
          return { kind: "failed" as const, failures, state: current.state };
        }
        const delay = Math.min(1000 * 2 ** Math.min(failures - 1, 16), this.#ctx.config.maxBackoffMs);
        await this.#store.setFailure(b.id, failures, this.#ctx.now().getTime() + delay, `error: ${message}`);
        return { kind: "retry" as const, failures, delay, state: current.state };
      });
      if (outcome.kind === "failed") {
        log.error(
          { err: message, failures: outcome.failures, from: outcome.state },
          "batch failed after repeated errors",
        );
      } else if (outcome.kind === "retry") {
        log[outcome.state === "posted" && outcome.failures >= this.#ctx.config.maxAttempts ? "error" : "warn"](
          { err: message, failures: outcome.failures, retryInMs: outcome.delay, state: outcome.state },
          outcome.state === "posted"
            ? "error reconciling a posted batch; it stays posted (its transaction may be mined) and is retried"
            : "batch step failed; will retry",
        );
      } else {
        log.warn({ err: message, outcome: outcome.kind }, "batch step failed; not recorded");
      }
    } catch (recordError) {
      log.error({ err: message, recordErr: firstLine(recordError) }, "batch step failed and could not be recorded");
    }
  }
}
