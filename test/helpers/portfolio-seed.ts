/**
 * A large portfolio without minting it: copies batch #1's row in the real index (the API harness's indexer) into
 * `n` more batches (ids 1001, 1002, …) held by `account`, amounts 1…n, categories cycling. The API's portfolio
 * query and the screen that renders it are the real ones; only the rows are written directly, because minting
 * 1,000 batches through attestations would take minutes. Used by test/app/holder.test.ts and bench/app.ts.
 */
import type { Indexer } from "../../indexer/index.ts";
import type { ApiHarness } from "./api.ts";

/** Seeds `n` held batches (ids 1001…1000+n) for `account`; batch #1 must already be in the index. */
export async function seedHeldBatches(h: ApiHarness, account: string, n: number): Promise<void> {
  const db = (h.api.deps.index as unknown as Indexer).store.db;
  const batch = await db.get("SELECT * FROM ix_batches WHERE batch_id = 1");
  if (!batch) throw new Error("seedHeldBatches: batch #1 is not in the index yet (mint it first)");
  for (let i = 1; i <= n; i++) {
    const id = 1000 + i;
    const row = { ...batch, batch_id: id, tx_hash: `0x${id.toString(16).padStart(64, "0")}`, category: 1 + (i % 6) };
    const cols = Object.keys(row);
    await db.run(
      `INSERT INTO ix_batches (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
      Object.values(row),
    );
    await db.run("INSERT INTO ix_holdings (account, batch_id, amount) VALUES (?, ?, ?)", [account, id, String(i)]);
  }
}
