/**
 * Auditor signatures in the job store: those verified against an auditor (`signatures`, accepted or later dropped
 * with a reason) and those whose signer could not be attributed to any auditor (`unattributed_signatures`, kept so
 * a refusal is never recorded in someone else's name).
 */
import type { Rows, SignatureRow, UnattributedSignatureRow } from "./rows.ts";

export class Signatures {
  readonly #rows: Rows;

  constructor(rows: Rows) {
    this.#rows = rows;
  }

  async add(s: Omit<SignatureRow, "id" | "created_at">): Promise<void> {
    await this.#rows.run(
      "INSERT INTO signatures (batch_id, digest, auditor, signature, status, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      s.batch_id,
      s.digest,
      s.auditor,
      s.signature,
      s.status,
      s.reason,
      this.#rows.iso(),
    );
  }

  of(batchId: string): Promise<SignatureRow[]> {
    return this.#rows.all<SignatureRow>("SELECT * FROM signatures WHERE batch_id = ? ORDER BY id", batchId);
  }

  accepted(batchId: string, digest: string): Promise<SignatureRow[]> {
    return this.#rows.all<SignatureRow>(
      "SELECT * FROM signatures WHERE batch_id = ? AND digest = ? AND status = 'accepted' ORDER BY id",
      batchId,
      digest,
    );
  }

  async drop(id: number, reason: string): Promise<void> {
    await this.#rows.run("UPDATE signatures SET status = 'dropped', reason = ? WHERE id = ?", reason, id);
  }

  async addUnattributed(s: Omit<UnattributedSignatureRow, "id" | "created_at">): Promise<void> {
    await this.#rows.run(
      `INSERT INTO unattributed_signatures (batch_id, digest, claimed_auditor, signature, reason, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      s.batch_id,
      s.digest,
      s.claimed_auditor,
      s.signature,
      s.reason,
      this.#rows.iso(),
    );
  }

  unattributed(batchId: string): Promise<UnattributedSignatureRow[]> {
    return this.#rows.all<UnattributedSignatureRow>(
      "SELECT * FROM unattributed_signatures WHERE batch_id = ? ORDER BY id",
      batchId,
    );
  }
}
