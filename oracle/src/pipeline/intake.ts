/**
 * Lot intake: a submitted lot is checked (refurbisher, as-of date, reference), calculated, and stored with its
 * batches in one transaction — issuable batches reserve their device ids (registry-wide exclusivity) and get the
 * attestation their auditors sign; the others are `not_issuable` with the gate's reason.
 */
import { randomUUID } from "node:crypto";
import { setImmediate as yieldToLoop } from "node:timers/promises";

import { statusName } from "../../../sdk/src/enums.ts";
import { firstLine } from "../../../sdk/src/errors.ts";
import { CalcInputError, parseDay, type DeviceInput } from "../../../core/calc/index.ts";
import { OracleError } from "../../../core/errors.ts";
import type { LotRow } from "../store/rows.ts";
import { attestationFor, setAttestation } from "./attestations.ts";
import type { OracleContext } from "./context.ts";
import { duplicateLot, nothingEligible } from "./lot-refusals.ts";
import {
  inThreadCalculator,
  LotReadError,
  type CalculatedLot,
  type LotCsvBytes,
  type LotCalculationRequest,
  type LotCalculator,
  type LotFigures,
} from "./lot-calculation.ts";
import { lotSummary } from "./lot-summary.ts";
import { anchorLot } from "./sampling.ts";

/** Earliest as-of date of a lot; the latest is today (UTC) plus `AS_OF_SLACK_MS` for clocks ahead of ours. */
export const EARLIEST_AS_OF = "2000-01-01";
export const AS_OF_SLACK_MS = 86_400_000;

export interface SubmitLotInput {
  /**
   * The devices, or a lot CSV's bytes, read where the lot is calculated (on the API's worker pool: this thread never
   * holds 50,000 device objects to copy across); a CSV that cannot be read throws LotReadError (BAD_HEADER, BAD_CSV,
   * LOT_EMPTY), passed on as it is.
   */
  devices: readonly DeviceInput[] | LotCsvBytes;
  /** Address of the refurbisher / ITAD provider receiving the certificates (an active participant). */
  refurbisher: string;
  /** The refurbisher's own lot reference; a lot is unique per (refurbisher, lotRef). Default: the input hash. */
  lotRef?: string;
  asOf?: string;
  defaultTransport?: string;
  correlationId?: string;
  /**
   * Where the lot is calculated (e.g. the API's worker pool, so a large lot does not hold its event loop); default:
   * in this thread. It must use the oracle's reference table (checked by its sha256).
   */
  calculator?: LotCalculator | undefined;
}

type LotOptions = { asOf: string; defaultTransport?: string | undefined; lotRef: string };

/** The lot row's fields of a calculation. */
const calculatedFields = (figures: LotFigures) => ({
  report_json: figures.reportJson,
  report_hash: figures.reportHash,
  reference_sha256: figures.referenceSha256,
  summary_json: JSON.stringify(lotSummary(figures)),
});

/** Takes lots in: calculates them and stores them with their batches. */
export class LotIntake {
  readonly #ctx: OracleContext;

  constructor(ctx: OracleContext) {
    this.#ctx = ctx;
  }

  /**
   * Calculates a lot and stores it with its batches in one transaction: issuable batches reserve their device
   * ids (registry-wide exclusivity) and wait for signatures; the others are `not_issuable` with the gate's reason.
   * The as-of date must be a calendar day from EARLIEST_AS_OF to today (UTC) plus one day of clock slack: a lot
   * dated in the future would take its devices' ids for a calculation that cannot have happened yet.
   * @throws OracleError LOT_INVALID (bad lot or as-of date), LOT_DUPLICATE, NOT_A_PARTICIPANT, CHAIN_UNAVAILABLE
   */
  async submit(input: SubmitLotInput): Promise<LotRow> {
    const refurbisher = this.#ctx.address(input.refurbisher, "refurbisher");
    const asOf = input.asOf ?? this.#ctx.now().toISOString().slice(0, 10);
    this.#checkAsOf(asOf);
    await this.#requireParticipant(refurbisher);
    // Devices other schemes credited (CLAIMED_ELSEWHERE): an unusable set stops the intake, never silently ignored.
    const claimedElsewhere = await this.#ctx.externalSets.claims();
    const calculate = this.#calculator(input.calculator);
    const request = {
      devices: input.devices,
      asOf,
      defaultTransport: input.defaultTransport,
      lotRef: input.lotRef,
      refurbisher,
      claimedElsewhere,
    };
    // Calculated before the transaction (off the caller's thread when the calculator is a worker): first as if no
    // device were taken, which validates the whole lot and gives its identity (the input hash, the default lotRef).
    let calculated = await calculate({ ...request, certified: [] });
    const { lotRef, inputSha256, inputJson } = calculated;
    const existing = await this.#ctx.store.lotByRef(refurbisher, lotRef);
    if (existing) throw await duplicateLot(this.#ctx.store, existing, input, inputSha256);
    // A lot that cannot be calculated is refused outright, and so is one without a single eligible device (nothing
    // to certify; storing it would only take its reference).
    if (calculated.figures.eligibleCount === 0) throw nothingEligible(calculated.figures, new Map());
    const options: LotOptions = { asOf, defaultTransport: input.defaultTransport, lotRef };
    // Exclusivity, first pass (outside the transaction): devices already in a batch are recalculated out.
    let certified = new Set<string>();
    for (let conflicts = await this.#conflicts(calculated.figures); conflicts.size > 0;) {
      certified = new Set([...certified, ...conflicts]);
      calculated = await calculate({ ...request, lotRef, certified: [...certified] });
      conflicts = await this.#conflicts(calculated.figures);
    }
    const correlationId = input.correlationId ?? randomUUID();

    const lot = await this.#ctx.store.tx(
      async () => {
        // Intakes take turns (the lock row; SQLite: the file's write lock): the reference and the devices are
        // checked again here, where no other intake can take them between the check and the insert.
        await this.#ctx.store.lock("lots");
        const taken = await this.#ctx.store.lotByRef(refurbisher, lotRef);
        if (taken) throw await duplicateLot(this.#ctx.store, taken, input, inputSha256);
        const settled = await this.#settle(request, options, calculate, calculated.figures, certified);
        // Every eligible device is already in another batch: refused, and the transaction stores nothing.
        if (settled.figures.eligibleCount === 0) {
          throw nothingEligible(settled.figures, await this.#ctx.store.holdersOf([...settled.certified]));
        }
        await yieldToLoop();
        // Inserted calculated (the row, input and report, written once) and returned as inserted: at the device cap
        // they are tens of MB, which neither a second write nor a read-back should hold this thread for.
        const row = await this.#ctx.store.insertLot(
          {
            refurbisher,
            lot_ref: lotRef,
            as_of: asOf,
            options_json: JSON.stringify(options),
            input_sha256: inputSha256,
            input_json: inputJson,
            correlation_id: correlationId,
          },
          calculatedFields(settled.figures),
        );
        await this.#storeBatches(row, settled.figures);
        return row;
        // SQLite: on a connection of its own thread, so neither the tens of MB nor the COMMIT's fsync hold this loop.
      },
      { offThread: true },
    );
    this.#ctx.counters.lotsSubmitted += 1;
    await anchorLot(this.#ctx, lot.id);
    const batches = await this.#ctx.store.batchesOfLot(lot.id);
    this.#ctx.lotLog(lot).info({ batches: batches.map((b) => [b.id, b.state]) }, "lot calculated");
    await this.#ctx.faults("after_lot_stored", { lot: lot.id });
    return lot;
  }

  #checkAsOf(asOf: string): void {
    if (parseDay(asOf) === undefined) {
      throw new OracleError("LOT_INVALID", `as-of date "${asOf}" is not a YYYY-MM-DD calendar date`, {
        calcCode: "BAD_OPTIONS",
        field: "asOf",
      });
    }
    const latest = new Date(this.#ctx.now().getTime() + AS_OF_SLACK_MS).toISOString().slice(0, 10);
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
  async processPending(): Promise<void> {
    for (const lot of await this.#ctx.store.lotsByStatus("submitted")) {
      const devices = JSON.parse(lot.input_json) as DeviceInput[];
      try {
        await this.#ctx.store.tx(
          async () => {
            await this.#ctx.store.lock("lots");
            // Another worker may have calculated it meanwhile (the lock orders us after it).
            if ((await this.#ctx.store.lot(lot.id))?.status !== "submitted") return;
            const options = JSON.parse(lot.options_json) as LotOptions;
            const calculate = this.#calculator(undefined);
            const claimedElsewhere = await this.#ctx.externalSets.claims();
            const request = { devices, ...options, refurbisher: lot.refurbisher, claimedElsewhere };
            const first = (await calculate({ ...request, certified: [] })).figures;
            const { figures } = await this.#settle(request, options, calculate, first, new Set());
            await this.#ctx.store.setLotCalculated(lot.id, calculatedFields(figures));
            await this.#storeBatches(lot, figures);
          },
          { offThread: true },
        );
      } catch (error) {
        await this.#ctx.store.setLotFailed(lot.id, firstLine(error));
        this.#ctx.lotLog(lot).error({ err: firstLine(error) }, "lot calculation failed");
      }
    }
  }

  /** The calculator to use, wrapped: a lot that cannot be calculated is LOT_INVALID; the reference must be ours. */
  #calculator(given: LotCalculator | undefined): LotCalculator {
    const calculate = given ?? inThreadCalculator(this.#ctx.reference);
    return async (request) => {
      let calculated: CalculatedLot;
      try {
        calculated = await calculate(request);
      } catch (error) {
        if (error instanceof LotReadError) throw error; // the request's body, not the lot's figures
        if (error instanceof CalcInputError) {
          throw new OracleError("LOT_INVALID", error.message, { calcCode: error.code }, { cause: error });
        }
        throw error;
      }
      if (calculated.figures.referenceSha256 !== this.#ctx.reference.sha256) {
        throw new Error(
          `the lot was calculated with reference data ${calculated.figures.referenceSha256}, not the oracle's ` +
            `${this.#ctx.reference.sha256}`,
        );
      }
      return calculated;
    };
  }

  /** Device ids of `figures`' issuable batches already reserved by another batch. */
  #conflicts(figures: LotFigures): Promise<Set<string>> {
    return this.#ctx.store.reservedDevices(figures.batches.filter((b) => b.issued).flatMap((b) => b.deviceIds));
  }

  /**
   * The lot's final figures, inside the intake's transaction: exclusivity is checked again under the lock, and
   * devices taken since the calculation are recalculated out — rarely needed, since the calculation already left out
   * the devices taken before it; each round only removes devices, so it ends.
   */
  async #settle(
    base: Omit<LotCalculationRequest, "certified" | "lotRef" | "asOf" | "defaultTransport">,
    options: LotOptions,
    calculate: LotCalculator,
    calculated: LotFigures,
    certifiedBefore: ReadonlySet<string>,
  ): Promise<{ figures: LotFigures; certified: ReadonlySet<string> }> {
    let certified = certifiedBefore;
    let result = calculated;
    for (let conflicts = await this.#conflicts(result); conflicts.size > 0; conflicts = await this.#conflicts(result)) {
      certified = new Set([...certified, ...conflicts]);
      result = (await calculate({ ...base, ...options, certified: [...certified] })).figures;
    }
    return { figures: result, certified };
  }

  /**
   * Stores a calculated lot's batches (inside the intake's transaction): issuable batches reserve their device ids
   * and get their attestation; the others are `not_issuable` with the gate's reason. The event loop gets a turn
   * between batches and between the reservation's statements (the store's gate keeps every other statement on an
   * SQLite file out of an open transaction, so a turn is safe there; PostgreSQL's statements do not hold the loop).
   */
  async #storeBatches(lot: LotRow, result: LotFigures): Promise<void> {
    const nowSec = this.#ctx.nowSec();
    for (const b of result.batches) {
      await yieldToLoop();
      const id = `${lot.id}-${b.category}`;
      await this.#ctx.store.insertBatch(
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
      await this.#ctx.store.transition(id, "calculated", `${b.eligible} eligible of ${b.devices} devices`);
      if (!b.issued) {
        await this.#ctx.store.transition(id, "not_issuable", b.reason, { reason: b.reason });
        continue;
      }
      await this.#ctx.store.reserveDevices(id, b.deviceIds);
      const attestation = attestationFor(this.#ctx, lot, result, b, nowSec);
      await setAttestation(
        this.#ctx,
        id,
        attestation,
        "awaiting_signatures",
        "attestation built; waiting for auditors",
      );
    }
  }

  async #requireParticipant(account: string): Promise<void> {
    const p = await this.#ctx.chainCall(() => this.#ctx.chain.registry.participant(account));
    if (Number(p.status) !== 1) {
      throw new OracleError(
        "NOT_A_PARTICIPANT",
        `${account} is not an active participant of the registry (status ${statusName(p.status)})`,
      );
    }
  }
}
