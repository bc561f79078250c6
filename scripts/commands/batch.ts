/**
 * `itec batch suspend|reinstate|reverse` — the registry admin's actions on an issued batch, as unsigned
 * transactions from the API signed in the admin's own wallet. A suspension freezes the batch until reinstated; a
 * reversal is final: its outstanding certificates are cancelled and every retirement from it reads `reversed`
 * until its holder replaces it (`itec replace`).
 */
import type { Command } from "commander";

import type { UnsignedTx } from "../../sdk/src/api-client.ts";
import { action, group, parsePositiveInt, transact, withSigner, type SignerOptions } from "./common.ts";

export function registerBatch(program: Command): void {
  const batch = group(program, "batch", "suspend, reinstate or reverse an issued batch (admin)");

  for (const verb of ["suspend", "reinstate"] as const) {
    withSigner(
      batch
        .command(verb)
        .description(
          verb === "suspend"
            ? "freeze a batch: no transfer or retirement until reinstated (registry admin)"
            : "lift the admin's suspension of a batch; open challenges may still hold it (registry admin)",
        )
        .argument("<batchId>", "batch (token) id", parsePositiveInt)
        .requiredOption("--reason <text>", "why (recorded on-chain in the event)"),
    ).action(
      action(async (batchId: string, o: SignerOptions & { reason: string }) =>
        transact(o, (s) => s.api.post<UnsignedTx>(`/admin/batches/${batchId}/${verb}`, { reason: o.reason }), {
          action: verb,
          batchId,
          reason: o.reason,
        }),
      ),
    );
  }

  withSigner(
    batch
      .command("reverse")
      .description(
        "reverse a batch found wrong: cancel what is outstanding, reverse its claims (final; registry admin)",
      )
      .argument("<batchId>", "batch (token) id", parsePositiveInt)
      .requiredOption("--reason <text>", "the finding (recorded on-chain in the event)")
      .option("--evidence <uri>", "where the finding's evidence can be read", "")
      .addHelpText(
        "after",
        "\nEvery retirement from the batch then reads `reversed` (not valid) until its holder, or anyone holding " +
          "certificates of the same device category, replaces it: itec replace <retirementId> --from-batch <id>.",
      ),
  ).action(
    action(async (batchId: string, o: SignerOptions & { reason: string; evidence: string }) =>
      transact(
        o,
        (s) =>
          s.api.post<UnsignedTx>(`/admin/batches/${batchId}/reverse`, { reason: o.reason, evidenceURI: o.evidence }),
        { action: "reverse", batchId, reason: o.reason, evidenceURI: o.evidence },
      ),
    ),
  );
}
