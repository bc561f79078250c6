/**
 * Audit samples in the job store (docs/methodology.md, "Audit sampling"): per batch the block recorded at its
 * lot's submission, then — once the next block exists — the seed block, the seed and the drawn sample; and per
 * auditor and sampled device the evidence outcome the auditor recorded. The draw is written once (`seed IS NULL`
 * guards it): a retry recomputes the same sample and changes nothing.
 */
import type { Rows } from "./rows.ts";

export interface SampleRow {
  batch_id: string;
  submitted_block: number;
  seed_block: number | null;
  seed_block_hash: string | null;
  seed: string | null;
  /** core/audit/sampling.ts SampleRecord as JSON, once drawn. */
  sample_json: string | null;
  created_at: string;
  drawn_at: string | null;
}

export type EvidenceOutcome = "seen" | "missing";

export interface SampleOutcomeRow {
  batch_id: string;
  auditor: string;
  device_id: string;
  outcome: EvidenceOutcome;
  at: string;
}

export class Samples {
  readonly #rows: Rows;

  constructor(rows: Rows) {
    this.#rows = rows;
  }

  /** Records the block at the lot's submission for `batchId`, unless already recorded (the first one stands). */
  async anchor(batchId: string, submittedBlock: number): Promise<void> {
    await this.#rows.run(
      `INSERT INTO batch_samples (batch_id, submitted_block, created_at) VALUES (?, ?, ?)
         ON CONFLICT (batch_id) DO NOTHING`,
      batchId,
      submittedBlock,
      this.#rows.iso(),
    );
  }

  async of(batchId: string): Promise<SampleRow | undefined> {
    const row = await this.#rows.get<SampleRow>("SELECT * FROM batch_samples WHERE batch_id = ?", batchId);
    return row && { ...row, submitted_block: Number(row.submitted_block), seed_block: numberOrNull(row.seed_block) };
  }

  /** Stores the draw once; false when it was already stored (a retry or another worker drew it first). */
  async setDrawn(batchId: string, d: { seedBlock: number; seedBlockHash: string; seed: string; sampleJson: string }) {
    const changed = await this.#rows.run(
      `UPDATE batch_samples SET seed_block = ?, seed_block_hash = ?, seed = ?, sample_json = ?, drawn_at = ?
         WHERE batch_id = ? AND seed IS NULL`,
      d.seedBlock,
      d.seedBlockHash,
      d.seed,
      d.sampleJson,
      this.#rows.iso(),
      batchId,
    );
    return changed > 0;
  }

  /** Records (or replaces) `auditor`'s outcome for one sampled device. */
  async setOutcome(batchId: string, auditor: string, deviceId: string, outcome: EvidenceOutcome): Promise<void> {
    await this.#rows.run(
      `INSERT INTO sample_outcomes (batch_id, auditor, device_id, outcome, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (batch_id, auditor, device_id) DO UPDATE SET outcome = excluded.outcome, at = excluded.at`,
      batchId,
      auditor,
      deviceId,
      outcome,
      this.#rows.iso(),
    );
  }

  outcomes(batchId: string): Promise<SampleOutcomeRow[]> {
    return this.#rows.all<SampleOutcomeRow>(
      "SELECT * FROM sample_outcomes WHERE batch_id = ? ORDER BY auditor, device_id",
      batchId,
    );
  }
}

function numberOrNull(v: number | null): number | null {
  return v === null ? null : Number(v);
}
