/**
 * Which deliveries a retirement's certificates came with (docs/deliveries.md, "On the certificate and in the Scope 3
 * report"). The rule: a retirement of `amount` certificates of batch B by holder A names every delivery D that
 * (1) was sent to A, (2) carried certificates of B, and (3) was mined at or before the retirement's block — each
 * with the number of B's certificates it carried. Certificates of one batch are interchangeable (ERC-1155 amounts,
 * no serial numbers on the chain), so when A also held B from elsewhere (its own lot, a plain transfer, a market
 * fill) the certificate cannot say which units were retired: it then says "received with" those deliveries and how
 * many each carried, and `covered` tells whether they carried at least the amount retired.
 */

/** A sent delivery as the store gives it (oracle/src/store/deliveries.ts `DeliveryRow`, the fields used here). */
export interface DeliveryRecord {
  reference: string;
  reference_hash: string;
  itad: string;
  items_json: string;
  tx_hash: string | null;
  block_number: number | null;
}

/** One delivery a retirement's batch was received with. */
export interface DeliveryNote {
  reference: string;
  referenceHash: string;
  itad: string;
  /** Certificates of the retirement's batch the delivery carried. */
  certificates: number;
  txHash: string;
  block: number;
}

/** Looks up the sent deliveries to `holder` carrying `batchId`, mined at or before `block` (oldest first). */
export type DeliveriesOf = (holder: string, batchId: string, block: number) => Promise<DeliveryNote[]>;

/** The notes of `rows` (deliveries to the holder carrying the batch) for batch `batchId`, oldest first. */
export function deliveryNotes(rows: readonly DeliveryRecord[], batchId: string): DeliveryNote[] {
  return rows
    .filter((r) => r.tx_hash !== null && r.block_number !== null)
    .map((r) => {
      const items = JSON.parse(r.items_json) as { batchId: string; amount: number }[];
      return {
        reference: r.reference,
        referenceHash: r.reference_hash,
        itad: r.itad,
        certificates: items.filter((i) => i.batchId === batchId).reduce((n, i) => n + Number(i.amount), 0),
        txHash: r.tx_hash!,
        block: r.block_number!,
      };
    })
    .filter((n) => n.certificates > 0)
    .sort((a, b) => a.block - b.block || a.reference.localeCompare(b.reference));
}

/** Whether the deliveries carried at least `amount` certificates (else the holder also had the batch otherwise). */
export function covered(notes: readonly DeliveryNote[], amount: number): boolean {
  return notes.reduce((n, d) => n + d.certificates, 0) >= amount;
}

/** "ORD-123 (6 certificates, tx 0x…)"; several are joined one a line. */
export function deliveryText(notes: readonly DeliveryNote[], amount: number): string {
  const lines = notes.map((d) => `${d.reference} — ${d.certificates} of this batch from ${d.itad} (tx ${d.txHash})`);
  if (!covered(notes, amount)) lines.push("(the holder also held certificates of this batch from other sources)");
  return lines.join("\n");
}
