/** Which deliveries a retirement names (core/deliveries/attribution.ts, docs/deliveries.md). */
import { expect } from "chai";

import { covered, deliveryNotes, deliveryText } from "../../core/deliveries/attribution.ts";

const ITAD = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const rec = (reference: string, block: number | null, items: { batchId: string; amount: number }[]) => ({
  reference,
  reference_hash: "0x01",
  itad: ITAD,
  items_json: JSON.stringify(items),
  tx_hash: block === null ? null : `0x${block.toString(16).padStart(64, "0")}`,
  block_number: block,
});

describe("Deliveries: attribution", function () {
  it("names each sent delivery that carried the batch, oldest first, with its count", function () {
    const notes = deliveryNotes(
      [
        rec("ORD-2", 20, [
          { batchId: "1", amount: 3 },
          { batchId: "2", amount: 9 },
        ]),
        rec("ORD-1", 10, [{ batchId: "1", amount: 2 }]),
        rec("ORD-3", 15, [{ batchId: "2", amount: 4 }]),
        rec("ORD-4", null, [{ batchId: "1", amount: 7 }]),
      ],
      "1",
    );
    expect(notes.map((n) => [n.reference, n.certificates, n.block])).to.deep.equal([
      ["ORD-1", 2, 10],
      ["ORD-2", 3, 20],
    ]);
    expect(covered(notes, 5)).to.equal(true);
    expect(deliveryText(notes, 5)).to.equal(
      `ORD-1 — 2 of this batch from ${ITAD} (tx ${notes[0]!.txHash})\nORD-2 — 3 of this batch from ${ITAD} (tx ${notes[1]!.txHash})`,
    );
  });

  it("says so when the holder retired more than the deliveries carried (it had the batch from elsewhere too)", function () {
    const notes = deliveryNotes([rec("ORD-1", 10, [{ batchId: "1", amount: 2 }])], "1");
    expect(covered(notes, 3)).to.equal(false);
    expect(deliveryText(notes, 3)).to.match(/also held certificates of this batch from other sources/);
  });
});
