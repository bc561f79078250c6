/**
 * A large portfolio without minting it: copies batch #1's row in the real index (the API harness's indexer) into
 * `n` more batches (ids 1001, 1002, …) held by `account`, amounts 1…n, categories cycling. The API's portfolio
 * query and the screen that renders it are the real ones; only the rows are written directly, because minting
 * 1,000 batches through attestations would take minutes. Used by test/app/holder.test.ts and bench/app.ts, which
 * mint batch #1 first with `mintServerBatchTo`.
 */
import type { Indexer } from "../../indexer/index.ts";
import { ApiClient, type UnsignedTx } from "../../sdk/src/api-client.ts";
import { untilConfirmed, type ApiHarness } from "./api.ts";
import { signView } from "./sign.ts";

/** A lot of ten servers (one batch), serials `<prefix>-R740-000…009`. */
function serverLot(prefix: string): string {
  const header =
    "serial,manufacturer,model,category,manufacture_date,refurbished_date,second_life_months,parts,ship_mass_kg," +
    "transport,test_report_id,erasure_certificate_id";
  const rows = Array.from(
    { length: 10 },
    (_, i) =>
      `${prefix}-R740-${String(i).padStart(3, "0")},Dell,PowerEdge R740,server,2020-01-15,2025-03-20,36,hdd:2,35.0,hgv:900,TR-${prefix}${i},EC-${prefix}${i}`,
  );
  return [header, ...rows].join("\n") + "\n";
}

/**
 * Batch #1 through the real path — the refurbisher submits a ten-server lot, auditor1 signs, the oracle mints —
 * then `amount` of it transferred to `account`, returning once the index lists `account` holding batch #1 (the
 * screens read the index).
 */
export async function mintServerBatchTo(h: ApiHarness, account: string, amount: number, prefix: string): Promise<void> {
  const w = (role: Parameters<typeof h.deployed.wallet>[0]) => h.deployed.wallet(role).connect(h.chain.provider);
  const refurbisher = new ApiClient(h.api.url);
  await refurbisher.signIn(w("refurbisher"));
  const lot = await refurbisher.post<{ id: string }>("/lots", serverLot(prefix), { "content-type": "text/csv" });
  const id = `${lot.id}-server`;
  const view = await refurbisher.get<Parameters<typeof signView>[1]>(`/batches/${id}/attestation`);
  await refurbisher.post(`/batches/${id}/signatures`, {
    auditor: w("auditor1").address,
    signature: await signView(w("auditor1"), view),
  });
  await untilConfirmed(h, [id]);
  await refurbisher.signAndRelay(
    w("refurbisher"),
    await refurbisher.post<UnsignedTx>("/tx/transfer", {
      to: account,
      items: [{ batchId: "1", amount: String(amount) }],
    }),
  );
  for (const deadline = Date.now() + 30_000; ;) {
    const res = await h.http.get(`/accounts/${account}/portfolio`).expect(200);
    const row = (res.body as { batches: { batchId: string; held: string }[] }).batches.find((b) => b.batchId === "1");
    if (row?.held === String(amount)) return;
    if (Date.now() > deadline) throw new Error(`the index never showed ${account} holding ${amount} of batch #1`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

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
