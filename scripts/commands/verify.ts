/**
 * `itec verify retirement <id>` — verifies a retirement from the CHAIN ONLY (never the API or the registry's
 * database): the stored claim, its texts bound to the stored hash, the burn, the batch's audited issuance and the
 * report index. Exit code 1 when any check fails.
 */
import type { Command } from "commander";

import type { ChainReads } from "../../core/chain/reads.ts";
import { connectReads } from "./documents.ts";
import { action, field, group, parsePositiveInt, print } from "./common.ts";

interface VerifyOptions {
  rpc?: string;
  registry?: string;
  dataDir: string;
  json?: boolean;
}

const SCOPE3 = { 1: "purchased goods", 2: "capital goods" } as Record<number, string>;

export function registerVerify(program: Command): void {
  const verify = group(program, "verify", "verify from the chain alone");
  verify
    .command("retirement")
    .description("verify a retirement from the chain only, and state what was checked (exit 1 if a check fails)")
    .argument("<id>", "retirement id", parsePositiveInt)
    .option("--rpc <url>", "JSON-RPC URL of the chain (env ITEC_RPC_URL, default http://127.0.0.1:8545)")
    .option("--registry <address>", "registry contract (env ITEC_REGISTRY_ADDRESS, default from .itec/deployment.json)")
    .option("--data-dir <dir>", "npm start's data directory (for deployment.json)", ".itec")
    .option("--json", "machine-readable output (JSON on stdout)")
    .action(
      action(async (id: string, o: VerifyOptions) => {
        const chain = await connectReads(o);
        let v: Awaited<ReturnType<ChainReads["verifyRetirement"]>>;
        try {
          v = await chain.reads.verifyRetirement(BigInt(id));
        } finally {
          chain.close();
        }
        const c = v.claim;
        const b = v.batch;
        const row = (k: string, val: string) => field(k, val, 22);
        print(o, v, () => [
          `Retirement #${v.retirementId}: ${v.verified ? "VERIFIED" : "NOT VERIFIED"} from the chain`,
          "claim",
          row("beneficiary", `${c.beneficiaryName ?? "?"}${c.beneficiary ? ` (account ${c.beneficiary})` : ""}`),
          row(
            "retired from",
            `${c.account}${c.operator && c.operator !== c.account ? ` by operator ${c.operator}` : ""}`,
          ),
          row("amount", `${c.amount} I-TEC · ${v.totals.reductionKgClaimed} kgCO2e verified reduction claimed`),
          row("period", `${c.periodStart.slice(0, 10)} … ${c.periodEnd.slice(0, 10)}`),
          row("Scope 3 category", `${c.scope3Category} (${SCOPE3[c.scope3Category] ?? "?"})`),
          row("purpose", c.purpose || "—"),
          row("claim hash", c.claimHash),
          `batch #${b.batchId} (${b.category})${b.suspended ? " · SUSPENDED" : ""}`,
          row("B̄ baseline", `${b.baselineKgPerDevice} kgCO2e per device`),
          row("V̄ reduction", `${b.reductionKgPerDevice} kgCO2e per device`),
          row("certified intensity", `${b.certifiedIntensityKgPerDevice} kgCO2e per device`),
          row("issued/retired/out", `${b.issued} / ${b.retired} / ${b.outstanding}`),
          row("vintage", `${b.vintageStart} … ${b.vintageEnd}`),
          row("methodology", `${b.methodology} · ${b.parameters}`),
          row("report hash", b.reportHash ?? "?"),
          row("device root", b.deviceRoot ?? "?"),
          row("auditors", b.auditors.join(", ") || "?"),
          row("issued in", b.issuance ? `tx ${b.issuance.txHash} (block ${b.issuance.blockNumber})` : "?"),
          "proof",
          row(
            "retired in",
            v.proof ? `tx ${v.proof.txHash} · block ${v.proof.blockNumber} (${v.proof.timestamp ?? "?"})` : "no event",
          ),
          row("contract", v.chain.registry),
          row("chain", `${v.chain.chainId} · read at block ${v.chain.checkedAtBlock}`),
          "checks",
          ...v.checks.map((k) => `  ${k.passed ? "✓" : "✗"} ${k.check}: ${k.detail}`),
          "",
          v.statement,
        ]);
        if (!v.verified) {
          const failed = v.checks.filter((k) => !k.passed).map((k) => k.check);
          throw new Error(`retirement #${v.retirementId} failed ${failed.length} check(s): ${failed.join("; ")}`);
        }
      }),
    );
}
