/**
 * `itec retire` — burn I-TECs against a Scope 3 claim stored on-chain, signed with the holder's (or its approved
 * operator's) own key. Prints the retirement id, read from the receipt's `CertificatesRetired` log, and the URL
 * where anyone can verify it. `itec replace` restores a claim whose batch was reversed with certificates of another
 * batch of the same device category.
 */
import { InvalidArgumentError, Option, type Command } from "commander";

import { registryInterface } from "../../sdk/src/registry.ts";
import type { UnsignedTx } from "../../sdk/src/api-client.ts";
import {
  action,
  transact,
  parseAddress,
  parseDay,
  parsePositiveInt,
  print,
  signAndSend,
  signIn,
  withSigner,
  type SignerOptions,
} from "./common.ts";

interface RetireOptions extends SignerOptions {
  batch: string;
  amount: string;
  beneficiaryName: string;
  period: { start: string; end: string };
  scope3: string;
  purpose?: string;
  beneficiary?: string;
  holder?: string;
}

function parsePeriod(value: string): { start: string; end: string } {
  const [start, end, ...rest] = value.split("..");
  if (start === undefined || end === undefined || rest.length) {
    throw new InvalidArgumentError("expected START..END, e.g. 2026-01-01..2026-12-31.");
  }
  parseDay(start);
  parseDay(end);
  if (end < start) throw new InvalidArgumentError("the period ends before it starts.");
  return { start, end };
}

export function registerRetire(program: Command): void {
  withSigner(
    program
      .command("retire")
      .showHelpAfterError(false)
      .description("retire (burn) I-TECs against a claim stored on-chain; prints the retirement id and verify URL")
      .requiredOption("--batch <id>", "batch (token) id", parsePositiveInt)
      .requiredOption("--amount <n>", "number of I-TECs", parsePositiveInt)
      .requiredOption("--beneficiary-name <name>", "organisation the claim is for (stored as text in the event)")
      .requiredOption("--period <start..end>", "reporting period, e.g. 2026-01-01..2026-12-31", parsePeriod)
      .addOption(
        new Option("--scope3 <category>", "Scope 3 category: 1 purchased goods, 2 capital goods")
          .choices(["1", "2"])
          .makeOptionMandatory(),
      )
      .option("--purpose <text>", "purpose of the claim, e.g. the disclosure it supports", "")
      .option(
        "--beneficiary <address>",
        "beneficiary account, when retiring on behalf of another participant",
        parseAddress,
      )
      .option("--holder <address>", "whose certificates (default: yours; else you must be its operator)", parseAddress),
  ).action(
    action(async (o: RetireOptions) => {
      if (o.beneficiaryName.trim() === "") throw new Error("--beneficiary-name must not be empty");
      const s = await signIn(o);
      const tx = await s.api.post<UnsignedTx>("/tx/retire", {
        ...(o.holder ? { holder: o.holder } : {}),
        batchId: o.batch,
        amount: o.amount,
        beneficiaryName: o.beneficiaryName,
        ...(o.beneficiary ? { beneficiary: o.beneficiary } : {}),
        periodStart: o.period.start,
        periodEnd: o.period.end,
        scope3Category: Number(o.scope3),
        purpose: o.purpose ?? "",
      });
      const sent = await signAndSend(s, o, tx);
      let retirementId: string | undefined;
      let blockNumber: number | undefined;
      try {
        const receipt = await sent.provider.getTransactionReceipt(sent.hash);
        blockNumber = receipt?.blockNumber;
        for (const log of receipt?.logs ?? []) {
          const parsed = log.address.toLowerCase() === tx.to.toLowerCase() ? registryInterface.parseLog(log) : null;
          if (parsed?.name === "CertificatesRetired") retirementId = String(parsed.args.getValue("retirementId"));
        }
      } finally {
        sent.provider.destroy();
      }
      if (retirementId === undefined) {
        throw new Error(`transaction ${sent.hash} was mined but its receipt has no CertificatesRetired log`);
      }
      const verifyUrl = `${s.api.baseUrl}/verify/retirements/${retirementId}`;
      print(o, { retirementId, txHash: sent.hash, blockNumber, description: sent.description, verifyUrl }, () => [
        `✓ ${sent.description}`,
        `  retirement #${retirementId} · tx ${sent.hash}${blockNumber !== undefined ? ` (block ${blockNumber})` : ""}`,
        `  verify: ${verifyUrl}`,
        `  or from the chain alone: itec verify retirement ${retirementId}`,
      ]);
    }),
  );
}

export function registerReplace(program: Command): void {
  withSigner(
    program
      .command("replace")
      .showHelpAfterError(false)
      .description("restore a reversed retirement with I-TECs of another batch of its device category (burned)")
      .argument("<retirementId>", "the retirement whose batch was reversed", parsePositiveInt)
      .requiredOption(
        "--from-batch <id>",
        "batch whose certificates replace it (same device category)",
        parsePositiveInt,
      )
      .option("--holder <address>", "whose certificates (default: yours; else you must be its operator)", parseAddress)
      .addHelpText(
        "after",
        "\nThe claim keeps its beneficiary, period, Scope 3 category and purpose, and rests on the new batch: its " +
          "verification reads `replaced`. The reversed batch's owner owes the replacement; anyone holding " +
          "certificates of the same category may make it.",
      ),
  ).action(
    action(async (retirementId: string, o: SignerOptions & { fromBatch: string; holder?: string }) =>
      transact(
        o,
        (s) =>
          s.api.post<UnsignedTx>("/tx/replace", {
            retirementId,
            fromBatchId: o.fromBatch,
            ...(o.holder ? { holder: o.holder } : {}),
          }),
        { action: "replace", retirementId, fromBatchId: o.fromBatch },
      ),
    ),
  );
}
