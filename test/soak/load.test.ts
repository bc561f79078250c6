/**
 * Hardening campaign, scenario 4 — load (issue 18 item 7): SCALE.load.transfers transfers and SCALE.load.retirements
 * retirements (1,000 + 1,000 under `npm run soak`, 100 + 100 in `npm test`) submitted concurrently through the API
 * as a wallet does it — build (`POST /tx/transfer`, `/tx/retire`), sign locally, relay (`POST /tx/relay`) — on anvil
 * mining a block a second. The holders are SCALE.load.accounts admitted participants, each submitting its own
 * operations back to back (the relay takes only an account's next nonce), all accounts at once.
 *
 * Asserted: every transaction mined once and succeeded, each account's nonces used once each with none left
 * pending, the API reporting each one mined; the chain's totals (retirement count, certificates outstanding) moved by
 * exactly the load; and the event index's holdings and retirements equal the chain's. Reported: p50/p99 from the
 * build request to the first sight of the block that holds the transaction (submit → confirmed).
 */
import { expect } from "chai";
import { NonceManager, type HDNodeWallet } from "ethers";

import { ApiClient, type UnsignedTx } from "../../sdk/src/api-client.ts";
import { PARTICIPANT_KINDS } from "../../sdk/src/enums.ts";
import { registryAt } from "../../sdk/src/registry.ts";
import { devAccount } from "../../core/keys.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { ACCOUNTS } from "../helpers/chain.ts";
import { inParallel } from "../helpers/fuzz/mutations.ts";
import { issueLot } from "../helpers/issue-lot.ts";
import { latency, reportFigures } from "./figures.ts";
import { SCALE } from "./scale.ts";

const { transfers: TRANSFERS, retirements: RETIREMENTS, accounts: ACCOUNT_COUNT } = SCALE.load;

/** A lot of identical, issuable servers: one certificate each (bench/dos.ts's seed lot, longer). */
function serverLot(devices: number): string {
  const header =
    "serial,manufacturer,model,category,manufacture_date,refurbished_date,second_life_months,parts,ship_mass_kg," +
    "transport,test_report_id,erasure_certificate_id";
  const rows = Array.from(
    { length: devices },
    (_, i) =>
      `LOAD-R740-${i},Dell,PowerEdge R740,server,2020-01-15,2025-03-20,36,hdd:2,35.0,hgv:900,TR-L-${i},EC-L-${i}`,
  );
  return [header, ...rows].join("\n") + "\n";
}

interface Submitted {
  kind: "transfer" | "retirement";
  account: string;
  nonce: number;
  hash: string;
  /** performance.now() at the build request. */
  startedAt: number;
}

describe(`soak: load — ${TRANSFERS} transfers and ${RETIREMENTS} retirements through the API at once (${SCALE.name} scale)`, function () {
  this.timeout(SCALE.name === "full" ? 1_800_000 : 240_000);
  let h: ApiHarness;
  before(async () => {
    h = await startApiHarness({
      chain: { kind: "anvil", blockTime: 1 },
      env: {
        ITEC_RATE_LIMIT_WRITE: "100000000",
        ITEC_RATE_LIMIT_AUTH: "100000000",
        ITEC_RATE_LIMIT_READ: "100000000",
      },
    });
  });
  after(async () => h?.close());

  it("confirms each operation once; the index's totals equal the chain's", async function () {
    const { provider } = h.chain;
    const registry = h.deployed.registry;
    // The holders: the three dev participants and further dev accounts admitted as traders.
    const wallets: HDNodeWallet[] = [
      devAccount(ACCOUNTS.refurbisher, provider),
      devAccount(ACCOUNTS.corporate, provider),
      devAccount(ACCOUNTS.trader, provider),
    ];
    for (let i = 0; wallets.length < ACCOUNT_COUNT; i++) wallets.push(devAccount(8 + i, provider));
    const admitted = await Promise.all(
      wallets
        .slice(3)
        .map((w, i) => h.deployed.adminRegistry.admitParticipant(w.address, PARTICIPANT_KINDS.trader, `Load ${i}`)),
    );
    await Promise.all(admitted.map((tx) => tx.wait()));

    // Certificates for all of it, through the real pipeline, then spread over the holders (setup, not measured).
    const [batchId] = await issueLot(h, serverLot(TRANSFERS + RETIREMENTS + 10), "hgv:600;van:250");
    expect(batchId, "the servers' batch is issued").to.be.a("string");
    const share = (total: number, i: number) =>
      Math.floor(total / wallets.length) + (i < total % wallets.length ? 1 : 0);
    const refurbisher = new NonceManager(wallets[0]!);
    const asRefurbisher = registryAt(h.deployed.address, refurbisher);
    const spread = await Promise.all(
      wallets.slice(1).map((w, j) => {
        const units = share(TRANSFERS, j + 1) + share(RETIREMENTS, j + 1);
        return asRefurbisher.safeTransferFrom(wallets[0]!.address, w.address, batchId!, units, "0x");
      }),
    );
    await Promise.all(spread.map((tx) => tx.wait()));
    const holders = wallets.map((w) => w.address);
    const balances = () => Promise.all(holders.map((a) => registry.balanceOf(a, batchId!)));
    const before = await balances();
    const retirementsBefore = await registry.retirementCount();
    const outstandingBefore = before.reduce((s, b) => s + b, 0n);

    // Every new block, with when this process first saw it (the confirmation time of what it holds).
    const seen: { block: number; at: number }[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const n = Number(await provider.send("eth_blockNumber", []));
        if (seen.length === 0 || n > seen.at(-1)!.block) seen.push({ block: n, at: performance.now() });
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    // --- the load: every holder submits its transfers and retirements back to back, all holders at once --------
    const submitted: Submitted[] = [];
    const started = performance.now();
    await Promise.all(
      wallets.map(async (wallet, i) => {
        const client = new ApiClient(h.api.url);
        await client.signIn(wallet);
        const to = holders[(i + 1) % holders.length]!;
        const ops = [
          ...Array.from({ length: share(TRANSFERS, i) }, () => "transfer" as const),
          ...Array.from({ length: share(RETIREMENTS, i) }, () => "retirement" as const),
        ].sort((a, b) => (a === b ? 0 : a === "transfer" ? -1 : 1)); // interleaved below
        const order = ops.map((_, k) => ops[k % 2 === 0 ? k / 2 : ops.length - 1 - (k - 1) / 2]!);
        let nonce = Number(await provider.send("eth_getTransactionCount", [wallet.address, "pending"]));
        for (const kind of order) {
          const startedAt = performance.now();
          const tx: UnsignedTx =
            kind === "transfer"
              ? await client.buildTransfer({ to, items: [{ batchId: batchId!, amount: "1" }] })
              : await client.buildRetirement({
                  batchId: batchId!,
                  amount: "1",
                  beneficiaryName: `Load ${i}`,
                  periodStart: "2026-01-01",
                  periodEnd: "2026-12-31",
                  scope3Category: 2,
                  purpose: "soak load",
                });
          const raw = await wallet.signTransaction({
            type: 0,
            to: tx.to,
            data: tx.data,
            value: 0n,
            chainId: BigInt(tx.chainId),
            nonce,
            gasLimit: BigInt(tx.gasLimit),
            gasPrice: BigInt(tx.gasPrice ?? "0"),
          });
          const { hash } = await client.post<{ hash: string }>("/tx/relay", { signedTransaction: raw });
          submitted.push({ kind, account: wallet.address, nonce, hash, startedAt });
          nonce += 1;
        }
      }),
    );
    const submitSeconds = (performance.now() - started) / 1000;

    // --- every transaction mined -------------------------------------------------------------------------------
    const receipts = new Map<string, { block: number; status: number | null }>();
    const deadline = Date.now() + 120_000 + submitted.length * 100;
    while (receipts.size < submitted.length && Date.now() < deadline) {
      await inParallel(
        submitted.filter((s) => !receipts.has(s.hash)),
        16,
        async (s) => {
          const r = await provider.getTransactionReceipt(s.hash);
          if (r) receipts.set(s.hash, { block: r.blockNumber, status: r.status });
        },
      );
      if (receipts.size < submitted.length) await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 200)); // the watcher sees the last block
    watching = false;
    await watcher;
    const confirmMs = submitted
      .filter((s) => receipts.has(s.hash))
      .map((s) => {
        const block = receipts.get(s.hash)!.block;
        return (seen.find((b) => b.block >= block)?.at ?? performance.now()) - s.startedAt;
      });

    // What the API says of each (the client's view of "confirmed").
    const apiStatus = new Map<string, string>();
    await inParallel(submitted, 16, async (s) => {
      const res = await h.http.get(`/tx/${s.hash}`);
      apiStatus.set(s.hash, String(res.body?.status));
    });

    // The index catches up with the chain, then its totals are compared with the chain's.
    const head = await provider.getBlockNumber();
    for (let i = 0; i < 200 && ((await h.api.deps.index!.status()).lastBlock ?? -1) < head; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const after = await balances();
    const indexed = await Promise.all(
      holders.map(async (a) => {
        const held = await h.api.deps.index!.holdings(a);
        return BigInt(held.find((x) => x.batchId === batchId)?.amount ?? "0");
      }),
    );
    // Paged as any client must (the index answers at most 1,000 a page): the full scale retires 1,000.
    const indexedRetirements: unknown[] = [];
    for (let offset = 0; ; offset += 1_000) {
      const page = await h.api.deps.index!.listRetirements({ batchId: batchId!, limit: 1_000, offset });
      indexedRetirements.push(...page);
      if (page.length < 1_000) break;
    }
    const retirementsAfter = await registry.retirementCount();
    const outstandingAfter = after.reduce((s, b) => s + b, 0n);
    const nonceCheck = await Promise.all(
      wallets.map(async (w) => {
        const mine = submitted.filter((s) => s.account === w.address).map((s) => s.nonce);
        const latest = await provider.getTransactionCount(w.address, "latest");
        const pending = await provider.getTransactionCount(w.address, "pending");
        const unique = new Set(mine).size === mine.length;
        return { unique, allUsed: mine.every((n) => n < latest), pending: pending - latest };
      }),
    );

    const figures = {
      transfers: submitted.filter((s) => s.kind === "transfer").length,
      retirements: submitted.filter((s) => s.kind === "retirement").length,
      accounts: wallets.length,
      submitSeconds: Math.round(submitSeconds * 10) / 10,
      mined: receipts.size,
      reverted: [...receipts.values()].filter((r) => r.status !== 1).length,
      blocks: new Set([...receipts.values()].map((r) => r.block)).size,
      submitToConfirmed: latency(confirmMs),
      chainRetirements: Number(retirementsAfter - retirementsBefore),
      indexRetirements: indexedRetirements.length,
      outstanding: { before: String(outstandingBefore), after: String(outstandingAfter) },
      indexEqualsChain: indexed.every((b, i) => b === after[i]),
    };
    reportFigures("load", figures);

    expect(figures.transfers).to.equal(TRANSFERS);
    expect(figures.retirements).to.equal(RETIREMENTS);
    expect(new Set(submitted.map((s) => s.hash)).size, "distinct transactions").to.equal(submitted.length);
    expect(receipts.size, "mined").to.equal(submitted.length);
    expect(figures.reverted, "reverted").to.equal(0);
    expect(
      [...apiStatus.values()].filter((s) => s !== "mined"),
      "statuses the API gives that are not mined",
    ).to.deep.equal([]);
    for (const n of nonceCheck) expect(n).to.deep.equal({ unique: true, allUsed: true, pending: 0 });
    // Exactly the load, on the chain: one retirement each, and transfers move certificates without making any.
    expect(retirementsAfter - retirementsBefore).to.equal(BigInt(RETIREMENTS));
    expect(outstandingBefore - outstandingAfter).to.equal(BigInt(RETIREMENTS));
    // The index agrees with the chain: every holder's balance, and the batch's retirements.
    expect(indexed.map(String), "holdings in the index").to.deep.equal(after.map(String));
    expect(indexedRetirements.length, "retirements in the index").to.equal(RETIREMENTS);
  });
});
