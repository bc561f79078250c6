/**
 * Lot intake: a submitted lot is checked (refurbisher, as-of date, reference), calculated, and stored with its
 * batches in one transaction — issuable batches reserve their device ids (registry-wide exclusivity) and get the
 * attestation their auditors sign; the others are `not_issuable` with the gate's reason.
 */
import { createHash, randomUUID } from "node:crypto";

import { statusName } from "../../../sdk/src/enums.ts";
import { firstLine } from "../../../sdk/src/errors.ts";
import {
  calculateLot,
  CalcInputError,
  canonicalJson,
  parseDay,
  type DeviceInput,
  type LotResult,
} from "../../../core/calc/index.ts";
import { OracleError } from "../../../core/errors.ts";
import type { LotRow } from "../store/rows.ts";
import { attestationFor, setAttestation } from "./attestations.ts";
import type { OracleContext } from "./context.ts";
import { duplicateLot, nothingEligible } from "./lot-refusals.ts";
import { lotSummary } from "./lot-summary.ts";
import { anchorLot } from "./sampling.ts";

/** Earliest as-of date of a lot; the latest is today (UTC) plus `AS_OF_SLACK_MS` for clocks ahead of ours. */
export const EARLIEST_AS_OF = "2000-01-01";
export const AS_OF_SLACK_MS = 86_400_000;

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
    const inputJson = canonicalJson(input.devices.map(stripReaderFields));
    const inputSha256 = createHash("sha256").update(inputJson).digest("hex");
    const lotRef = input.lotRef ?? `sha256:${inputSha256}`;
    const existing = await this.#ctx.store.lotByRef(refurbisher, lotRef);
    if (existing) throw await duplicateLot(this.#ctx.store, existing, input, inputSha256);
    const correlationId = input.correlationId ?? randomUUID();
    const options = { asOf, defaultTransport: input.defaultTransport, lotRef };
    // Validate the whole lot before storing anything: a lot that cannot be calculated is refused outright, and so
    // is one without a single eligible device (nothing to certify; storing it would only take its reference).
    const preview = this.#calculate(input.devices, options, refurbisher, new Set());
    if (preview.eligibleCount === 0) throw nothingEligible(preview, new Map());

    const lot = await this.#ctx.store.tx(async () => {
      // Intakes take turns (the lock row; SQLite: the file's write lock): the reference and the devices are
      // checked again here, where no other intake can take them between the check and the insert.
      await this.#ctx.store.lock("lots");
      const taken = await this.#ctx.store.lotByRef(refurbisher, lotRef);
      if (taken) throw await duplicateLot(this.#ctx.store, taken, input, inputSha256);
      const row = await this.#ctx.store.insertLot({
        refurbisher,
        lot_ref: lotRef,
        as_of: asOf,
        options_json: JSON.stringify(options),
        input_sha256: inputSha256,
        input_json: inputJson,
        correlation_id: correlationId,
      });
      const { result, reserved } = await this.#processLotInTx(row, input.devices);
      // Every eligible device is already in another batch: refused, and the transaction stores nothing.
      if (result.eligibleCount === 0) throw nothingEligible(result, await this.#ctx.store.holdersOf([...reserved]));
      return (await this.#ctx.store.lot(row.id))!;
    });
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
        await this.#ctx.store.tx(async () => {
          await this.#ctx.store.lock("lots");
          // Another worker may have calculated it meanwhile (the lock orders us after it).
          if ((await this.#ctx.store.lot(lot.id))?.status !== "submitted") return;
          await this.#processLotInTx(lot, devices);
        });
      } catch (error) {
        await this.#ctx.store.setLotFailed(lot.id, firstLine(error));
        this.#ctx.lotLog(lot).error({ err: firstLine(error) }, "lot calculation failed");
      }
    }
  }

  async #processLotInTx(
    lot: LotRow,
    devices: readonly DeviceInput[],
  ): Promise<{ result: LotResult; reserved: ReadonlySet<string> }> {
    const options = JSON.parse(lot.options_json) as { asOf: string; defaultTransport?: string; lotRef: string };
    // Exclusivity: devices already in a pending or issued batch are SERIAL_DUPLICATE; recalculate until stable
    // (each round only removes devices, so it ends).
    let certified = new Set<string>();
    let result = this.#calculate(devices, options, lot.refurbisher, certified);
    for (;;) {
      const ids = result.batches.filter((b) => b.issued).flatMap((b) => b.deviceIds);
      const conflicts = await this.#ctx.store.reservedDevices(ids);
      if (conflicts.size === 0) break;
      certified = new Set([...certified, ...conflicts]);
      result = this.#calculate(devices, options, lot.refurbisher, certified);
    }

    const reportJson = result.reportJson;
    await this.#ctx.store.setLotCalculated(lot.id, {
      report_json: reportJson,
      report_hash: result.reportHash,
      reference_sha256: result.referenceSha256,
      summary_json: JSON.stringify(lotSummary(result)),
    });
    const nowSec = this.#ctx.nowSec();
    for (const b of result.batches) {
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
        this.#ctx.reference,
      );
    } catch (error) {
      if (error instanceof CalcInputError) {
        throw new OracleError("LOT_INVALID", error.message, { calcCode: error.code }, { cause: error });
      }
      throw error;
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

function stripReaderFields(d: DeviceInput): Omit<DeviceInput, "readerProblems"> {
  const { readerProblems: _r, ...rest } = d;
  return rest;
}
