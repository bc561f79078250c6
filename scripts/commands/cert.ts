/**
 * `itec cert balance|show|transfer` — certificates held and moved. Balances are read from the chain by the API
 * (which batches to read comes from its event index); a transfer is an unsigned ERC-1155 transfer from the API,
 * signed with the holder's (or its approved operator's) own key.
 */
import type { Command } from "commander";

import { KeyError } from "../../core/keys.ts";
import { ApiClient, type UnsignedTx } from "../../sdk/src/api-client.ts";
import type { ChainBatch } from "../../sdk/src/verification.ts";
import {
  action,
  field,
  group,
  indexNote,
  loadKey,
  parseAddress,
  parsePositiveInt,
  print,
  table,
  transact,
  withApi,
  withSigner,
  type SignerOptions,
} from "./common.ts";

export function registerCert(program: Command): void {
  const cert = group(program, "cert", "certificates: balances, batch details, transfers");

  withSigner(
    cert
      .command("balance")
      .description("I-TECs held per batch (default: your own account, from your key)")
      .argument("[address]", "the account (default: yours)", parseAddress),
  ).action(
    action(async (address: string | undefined, o: SignerOptions) => {
      let account = address;
      if (account === undefined) {
        try {
          account = await (await loadKey(o)).getAddress();
        } catch (error) {
          if (!(error instanceof KeyError)) throw error;
          throw new KeyError(`give an address, or a key for your own balance (${error.message})`, { cause: error });
        }
      }
      const api = new ApiClient(o.api);
      const res = await api.get<{
        account: string;
        balances: { batchId: string; amount: string }[];
        index: { lastBlock: number | null; head: number; lagBlocks: number | null };
      }>(`/accounts/${account}/balances`);
      const details = await Promise.all(
        res.balances.map((b) => api.get<ChainBatch>(`/certificates/${b.batchId}`).catch(() => undefined)),
      );
      const rows = res.balances.map((b, i) => ({ ...b, category: details[i]?.category ?? null, detail: details[i] }));
      const total = res.balances.reduce((sum, b) => sum + BigInt(b.amount), 0n);
      print(o, { ...res, balances: rows.map(({ detail: _d, ...r }) => r), total: total.toString() }, () => [
        `${res.account}: ${total} I-TEC in ${res.balances.length} batch(es)`,
        ...(rows.length
          ? table(
              ["batch", "category", "amount", "V̄ kg/device", "vintage"],
              rows.map((r) => [
                `#${r.batchId}`,
                r.category ?? "?",
                r.amount,
                r.detail?.reductionKgPerDevice ?? "?",
                r.detail ? `${r.detail.vintageStart} … ${r.detail.vintageEnd}` : "?",
              ]),
              new Set([2, 3]),
            )
          : []),
        indexNote(res.index),
      ]);
    }),
  );

  withApi(
    cert
      .command("show")
      .description("a batch as the chain holds it: figures, issued/retired/outstanding, issuance")
      .argument("<batchId>", "batch (token) id", parsePositiveInt),
  ).action(
    action(async (id: string, o: { api: string; json?: boolean }) => {
      const b = await new ApiClient(o.api).get<ChainBatch>(`/certificates/${id}`);
      const row = (k: string, v: string) => field(k, v, 22);
      print(o, b, () => [
        `batch #${b.batchId} (${b.category}) · ${b.status.toUpperCase()}`,
        row("status", b.statusDetail),
        row(
          b.status === "reversed" ? "issued/retired/cancel." : "issued/retired/out",
          `${b.issued} / ${b.retired} / ${b.status === "reversed" ? b.cancelled : b.outstanding}`,
        ),
        row("B̄ / V̄ per device", `${b.baselineKgPerDevice} / ${b.reductionKgPerDevice} kgCO2e`),
        row("certified intensity", `${b.certifiedIntensityKgPerDevice} kgCO2e per device`),
        row("vintage", `${b.vintageStart} … ${b.vintageEnd}`),
        row("methodology", `${b.methodology} · ${b.parameters}`),
        row("owner at issuance", b.owner ? (b.ownerName ? `${b.ownerName} (${b.owner})` : b.owner) : "?"),
        row("report hash", b.reportHash ?? "?"),
        row(
          "auditors",
          b.signers.map((s) => `${s.body ?? "no current accreditation"} (${s.auditor})`).join(", ") || "?",
        ),
        row("issued in", b.issuance ? `tx ${b.issuance.txHash} (block ${b.issuance.blockNumber})` : "?"),
      ]);
    }),
  );

  withSigner(
    cert
      .command("transfer")
      .description("transfer I-TECs of one batch to another admitted participant")
      .requiredOption("--to <address>", "recipient (an active participant)", parseAddress)
      .requiredOption("--batch <id>", "batch (token) id", parsePositiveInt)
      .requiredOption("--amount <n>", "number of I-TECs", parsePositiveInt)
      .option("--from <holder>", "holder (default: you; else you must be its approved operator)", parseAddress),
  ).action(
    action(async (o: SignerOptions & { to: string; batch: string; amount: string; from?: string }) =>
      transact(
        o,
        (s) =>
          s.api.post<UnsignedTx>("/tx/transfer", {
            ...(o.from ? { from: o.from } : {}),
            to: o.to,
            items: [{ batchId: o.batch, amount: o.amount }],
          }),
        { action: "transfer", to: o.to, batchId: o.batch, amount: o.amount, ...(o.from ? { holder: o.from } : {}) },
      ),
    ),
  );
}
