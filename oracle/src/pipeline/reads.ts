/**
 * Reads for callers (the API, the CLI): a lot's canonical report, a batch with its history, signatures and
 * transactions, and the attestation view an auditor reviews before signing.
 */
import { attestationFromJson, attestationTypedData } from "../../../sdk/src/attestation.ts";
import type { AttestationView as SdkAttestationView } from "../../../sdk/src/attestation-review.ts";
import { isoTime } from "../../../sdk/src/time.ts";
import { gramsToKg } from "../../../sdk/src/units.ts";
import { OracleError } from "../../../core/errors.ts";
import type { SignatureRow } from "../store/rows.ts";
import type { BatchState } from "../store/transitions.ts";
import type { OracleContext } from "./context.ts";

/**
 * What an auditor reviews and signs, next to the human-readable figures: the view the SDK publishes to clients
 * (sdk/src/attestation-review.ts), with the batch state and the typed data typed as the oracle produces them.
 */
export interface AttestationView extends Omit<SdkAttestationView, "state" | "typedData"> {
  state: BatchState;
  /** The exact `eth_signTypedData_v4` payload. */
  typedData: ReturnType<typeof attestationTypedData>;
}

/** What callers read of lots and batches. */
export class OracleReads {
  readonly #ctx: OracleContext;

  constructor(ctx: OracleContext) {
    this.#ctx = ctx;
  }

  /** The canonical report (the bytes `reportHash` is taken over). */
  async report(lotId: string): Promise<string> {
    const lot = await this.#ctx.lot(lotId);
    if (!lot.report_json) throw new OracleError("NOT_FOUND", `lot ${lotId} has no report (status ${lot.status})`);
    return lot.report_json;
  }

  async batch(id: string) {
    const row = await this.#ctx.batch(id);
    const [transitions, signatures, transactions] = await Promise.all([
      this.#ctx.store.transitions(id),
      this.#ctx.store.signatures(id),
      this.#ctx.store.txsOfBatch(id),
    ]);
    return {
      ...row,
      transitions,
      signatures: signatures.map(publicSignature),
      transactions: transactions.map(({ raw: _raw, ...t }) => t),
    };
  }

  /** Exactly what the auditor signs, and the figures to review before signing. */
  async attestation(batchId: string): Promise<AttestationView> {
    const row = await this.#ctx.batch(batchId);
    if (!row.attestation_json || !row.digest) {
      throw new OracleError("BATCH_STATE", `batch ${batchId} has no attestation (state ${row.state})`, {
        state: row.state,
      });
    }
    const a = attestationFromJson(JSON.parse(row.attestation_json) as Record<string, unknown>);
    const lot = await this.#ctx.lotHead(row.lot_id);
    let threshold: number | null;
    try {
      threshold = await this.#ctx.chain.auditorThreshold();
    } catch {
      threshold = null;
    }
    const kg = gramsToKg;
    return {
      batchId,
      lotId: row.lot_id,
      state: row.state,
      digest: row.digest,
      deadline: isoTime(a.deadline),
      typedData: attestationTypedData(this.#ctx.chain.domain(), a),
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
        registry: { chainId: this.#ctx.chain.chainId.toString(), address: this.#ctx.chain.address },
      },
      signatures: (await this.#ctx.store.signatures(batchId)).map(publicSignature),
      threshold,
    };
  }
}

function publicSignature(s: SignatureRow) {
  return { auditor: s.auditor, status: s.status, reason: s.reason, at: s.created_at, digest: s.digest };
}
