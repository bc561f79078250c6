/**
 * `itec verify retirement <id>` and `itec verify batch <id>` — verify from the CHAIN ONLY (never the API or the
 * registry's database), with the SDK's statement of checks (sdk/src/checks.ts): for a retirement, the stored claim,
 * its texts bound to the stored hash, the burn, the batch's audited issuance and the report index; for a batch, the
 * last three, and with `--device`/`--index`/`--proof` that a device is one of its devices (its leaf `[index,
 * deviceId]`, docs/adr/0015). With `--recompute`, the batch is also recomputed from the published record alone
 * (sdk/src/recompute.ts): its report fetched from the evidence URI (or `--api`, or `--report`), the calculation run
 * again with the reference data (`--reference`, default the bundled file) and everything compared. Exit code 1 when
 * any check fails or the recomputation differs.
 */
import { readFileSync } from "node:fs";

import { InvalidArgumentError, type Command } from "commander";

import { DEFAULT_REFERENCE_PATH } from "../../core/calc/reference-file.ts";
import { calcEngine } from "../../core/calc/recompute-engine.ts";
import { readExternalSets } from "../../sdk/src/external-sets.ts";
import { recomputeBatch, type RecomputeResult } from "../../sdk/src/recompute.ts";
import { checkBatchSample, type SampleVerification } from "../../sdk/src/sample.ts";
import { firstLine } from "../../sdk/src/errors.ts";

import type { ChainBatch, Check, RetirementVerification } from "../../sdk/src/verification.ts";
import { registerVerifyDelivery } from "./delivery.ts";
import { connectReads } from "./documents.ts";
import { action, field, group, parsePositiveInt, print } from "./common.ts";

interface ChainOptions {
  rpc?: string;
  registry?: string;
  dataDir: string;
  json?: boolean;
}

interface BatchOptions extends ChainOptions {
  device?: string;
  index?: string;
  proof?: string[];
  recompute?: boolean;
  reference: string;
  api?: string;
  report?: string;
}

/** The recomputation's lines: "recomputed: identical", or each difference with where, field and both values. */
function recomputeLines(r: RecomputeResult): string[] {
  return [
    ...checkLines(r.checks),
    r.identical ? "recomputed: identical" : `recomputed: ${r.recomputed ? "DIFFERENT" : "REFUSED"}`,
    ...r.differences.map((d) => `  ${d.where} · ${d.field}: expected ${d.expected}, found ${d.actual}`),
  ];
}

const SCOPE3 = { 1: "purchased goods", 2: "capital goods" } as Record<number, string>;
const row = (k: string, val: string) => field(k, val, 22);

const chainFlags = (cmd: Command) =>
  cmd
    .option("--rpc <url>", "JSON-RPC URL of the chain (env ITEC_RPC_URL, default http://127.0.0.1:8545)")
    .option("--registry <address>", "registry contract (env ITEC_REGISTRY_ADDRESS, default from .itec/deployment.json)")
    .option("--data-dir <dir>", "npm start's data directory (for deployment.json)", ".itec")
    .option("--json", "machine-readable output (JSON on stdout)");

/** A proof given as comma-separated hashes (repeatable): every element 0x + 64 hex digits. */
function parseProof(value: string, previous: string[] = []): string[] {
  const hashes = value.split(",").map((h) => h.trim());
  if (!hashes.every((h) => /^0x[0-9a-fA-F]{64}$/.test(h))) {
    throw new InvalidArgumentError("expected 32-byte hashes (0x + 64 hex digits), separated by commas.");
  }
  return [...previous, ...hashes];
}

/** A device's index in its batch's tree: 0, 1, … (uint256). */
function parseIndex(value: string): string {
  if (!/^(0|[1-9][0-9]{0,76})$/.test(value) || BigInt(value) >= 1n << 256n) {
    throw new InvalidArgumentError("expected the device's index in the batch: an integer from 0.");
  }
  return value;
}

/**
 * Why the device flags given do not make a device proof, or undefined when they do (all three, or none). A proof
 * without `--index` is the form before leaves carried their index, so it names the new form.
 */
function deviceFlagsProblem(o: BatchOptions): string | undefined {
  const given = [o.device, o.index, o.proof].filter((x) => x !== undefined).length;
  if (given === 0 || given === 3) return undefined;
  if (o.index === undefined && o.device !== undefined && o.proof !== undefined) {
    return (
      "a device proof names the device's index in the batch: its leaf is [index, deviceId] (docs/adr/0015). Add " +
      "--index <n>, the device's 0-based position among the batch's eligible devices in its calculation report, " +
      "with a proof of that leaf (StandardMerkleTree.of(ids.map((id, k) => [k, id]), ['uint256', 'bytes32']))"
    );
  }
  return "--device, --index and --proof go together: the proof shows that device, at that index, in the batch's device tree";
}

function parseDeviceId(value: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new InvalidArgumentError("expected a device id (0x + 64 hex digits).");
  return value;
}

/** "Refurb Co (0x…)", or the address alone when the register has no name for it. */
const named = (account: string | null, name: string | null) =>
  account === null ? "?" : name ? `${name} (${account})` : account;

function batchLines(b: ChainBatch): string[] {
  return [
    `batch #${b.batchId} (${b.category}) · ${b.status.toUpperCase()}`,
    row("status", b.statusDetail),
    row("owner at issuance", named(b.owner, b.ownerName)),
    row("B̄ baseline", `${b.baselineKgPerDevice} kgCO2e per device`),
    row("V̄ reduction", `${b.reductionKgPerDevice} kgCO2e per device`),
    row("certified intensity", `${b.certifiedIntensityKgPerDevice} kgCO2e per device`),
    row(
      b.status === "reversed" ? "issued/retired/cancel." : "issued/retired/out",
      `${b.issued} / ${b.retired} / ${b.status === "reversed" ? b.cancelled : b.outstanding}`,
    ),
    row("vintage", `${b.vintageStart} … ${b.vintageEnd}`),
    row("methodology", `${b.methodology} · ${b.parameters}`),
    row("report hash", b.reportHash ?? "?"),
    row("device root", b.deviceRoot ?? "?"),
    row("auditors", b.signers.map((s) => `${s.body ?? "no current accreditation"} (${s.auditor})`).join(", ") || "?"),
    row("issued in", b.issuance ? `tx ${b.issuance.txHash} (block ${b.issuance.blockNumber})` : "?"),
  ];
}

/** "audit sample: sample of n devices, seed …, all evidence seen", and each failed check of a replay. */
function sampleLines(s: SampleVerification | { error: string }): string[] {
  if ("error" in s) return [row("audit sample", `not checked: ${s.error}`)];
  const verdict = !s.attested ? "" : s.verified ? " (replayed: identical)" : " (NOT VERIFIED)";
  return [
    row("audit sample", `${s.summary}${verdict}`),
    ...s.checks.filter((c) => s.attested && !c.passed).map((c) => row(`  ✗ ${c.check}`, c.detail)),
  ];
}

/** The claim's status lines: verified, reversed (who owes the replacement), replaced (original batch, history). */
function claimStatusLines(v: RetirementVerification): string[] {
  const s = v.claimStatus;
  if (s.status === "reversed") {
    return [
      row("claim status", `REVERSED — batch #${s.batchId} was reversed; not valid until replaced`),
      row("replacement owed by", s.owedBy ? named(s.owedBy.account, s.owedBy.name) : "the batch's owner"),
    ];
  }
  if (s.status === "replaced") {
    return [
      row("claim status", `replaced — rests on batch #${s.batchId}; originally batch #${s.originalBatchId ?? "?"}`),
      ...s.history.map((h) =>
        row(
          "replaced",
          `batch #${h.previousBatchId} → #${h.batchId} by ${named(h.holder.account, h.holder.name)} in tx ${h.event.txHash}`,
        ),
      ),
    ];
  }
  return [row("claim status", `verified — rests on batch #${s.batchId}, where it was retired`)];
}

const checkLines = (checks: readonly Check[]) => [
  "checks",
  ...checks.map((k) => `  ${k.passed ? "✓" : "✗"} ${k.check}: ${k.detail}`),
];

/** Exit 1 (one line on stderr) when a check failed; a reversed claim says so in its own words. */
function failUnlessVerified(
  what: string,
  v: { verified: boolean; checks: readonly Check[]; verdict?: string; summary?: string },
): void {
  if (v.verified) return;
  if (v.verdict === "reversed" && v.summary) throw new Error(v.summary);
  const failed = v.checks.filter((k) => !k.passed).map((k) => k.check);
  throw new Error(`${what} failed ${failed.length} check(s): ${failed.join("; ")}`);
}

export function registerVerify(program: Command): void {
  const verify = group(program, "verify", "verify from the chain alone");
  registerVerifyDelivery(verify);
  chainFlags(
    verify
      .command("retirement")
      .description(
        "verify a retirement from the chain only: its claim status (verified, reversed, replaced) and what was " +
          "checked (exit 1 if a check fails or the claim is reversed)",
      )
      .argument("<id>", "retirement id", parsePositiveInt),
  ).action(
    action(async (id: string, o: ChainOptions) => {
      const chain = await connectReads(o);
      const v = await chain.reads.verifyRetirement(BigInt(id)).finally(() => chain.close());
      const c = v.claim;
      const verdict = {
        verified: "VERIFIED",
        replaced: "VERIFIED (replaced)",
        reversed: "REVERSED",
        failed: "NOT VERIFIED",
      };
      print(o, v, () => [
        `Retirement #${v.retirementId}: ${verdict[v.verdict]} from the chain`,
        v.summary,
        "claim",
        ...claimStatusLines(v),
        row(
          "beneficiary",
          `${c.beneficiaryName ?? "?"}${c.beneficiary ? ` (account ${named(c.beneficiary, c.beneficiaryAccountName)})` : ""}`,
        ),
        row(
          "retired from",
          `${named(c.account, c.accountName)}${c.operator && c.operator !== c.account ? ` by operator ${named(c.operator, c.operatorName)}` : ""}`,
        ),
        row("amount", `${c.amount} I-TEC · ${v.totals.reductionKgClaimed} kgCO2e verified reduction claimed`),
        row("period", `${c.periodStart.slice(0, 10)} … ${c.periodEnd.slice(0, 10)}`),
        row("Scope 3 category", `${c.scope3Category} (${SCOPE3[c.scope3Category] ?? "?"})`),
        row("purpose", c.purpose || "—"),
        row("claim hash", c.claimHash),
        ...batchLines(v.batch),
        "proof",
        row(
          "retired in",
          v.proof ? `tx ${v.proof.txHash} · block ${v.proof.blockNumber} (${v.proof.timestamp ?? "?"})` : "no event",
        ),
        row("contract", v.chain.registry),
        row("chain", `${v.chain.chainId} · read at block ${v.chain.checkedAtBlock}`),
        ...checkLines(v.checks),
        "",
        v.statement,
      ]);
      failUnlessVerified(`retirement #${v.retirementId}`, v);
    }),
  );

  chainFlags(
    verify
      .command("batch")
      .description("verify a batch (and, with --device, --index and --proof, one of its devices) from the chain only")
      .argument("<id>", "batch (token) id", parsePositiveInt)
      .option("--device <id>", "a device id (0x + 64 hex digits) to show as one of the batch's devices", parseDeviceId)
      .option(
        "--index <n>",
        "the device's index in the batch: its 0-based position among the batch's eligible devices in the report",
        parseIndex,
      )
      .option(
        "--proof <hashes>",
        "the Merkle proof of leaf [index, device]: hashes from the leaf up, comma-separated",
        parseProof,
      )
      .option("--recompute", "also recompute the batch from its published report and compare everything")
      .option("--reference <file>", "with --recompute: the reference CSV to calculate with", DEFAULT_REFERENCE_PATH)
      .option("--api <url>", "with --recompute: fetch the report from this registry API, not the evidence URI")
      .option("--report <file>", "with --recompute: the published report file, instead of fetching it"),
  ).action(
    action(async (id: string, o: BatchOptions) => {
      const problem = deviceFlagsProblem(o);
      if (problem !== undefined) throw new Error(problem);
      const chain = await connectReads(o);
      let v: Awaited<ReturnType<typeof chain.reads.verifyBatch>>;
      let sample: SampleVerification | { error: string };
      let r: RecomputeResult | undefined;
      try {
        v = await (o.device !== undefined && o.index !== undefined
          ? chain.reads.verifyDeviceInBatch(BigInt(id), BigInt(o.index), o.device, o.proof ?? [])
          : chain.reads.verifyBatch(BigInt(id)));
        // The audit sample: the public record replayed against this chain and the report (sdk/src/sample.ts).
        sample = await checkBatchSample(v.batch, {
          provider: chain.reads.chain.provider,
          apiUrl: o.api,
          report: o.report === undefined ? undefined : readFileSync(o.report),
        }).catch((error: unknown) => ({ error: firstLine(error) }));
        r = o.recompute
          ? await recomputeBatch(id, {
              reader: chain.reads,
              engine: calcEngine,
              reference: readFileSync(o.reference),
              report: o.report === undefined ? undefined : readFileSync(o.report),
              apiUrl: o.api,
              externalSets: () => readExternalSets(chain.reads.chain.address, chain.reads.chain.provider),
            })
          : undefined;
      } finally {
        chain.close();
      }
      print(o, { ...v, sample, ...(r === undefined ? {} : { recompute: r }) }, () => [
        `Batch #${v.batchId}${o.device !== undefined ? `, device ${o.device} (index ${o.index})` : ""}: ` +
          `${v.verified ? "VERIFIED" : "NOT VERIFIED"} from the chain`,
        ...batchLines(v.batch),
        "proof",
        row("contract", v.chain.registry),
        row("chain", `${v.chain.chainId} · read at block ${v.chain.checkedAtBlock}`),
        ...checkLines(v.checks),
        "",
        v.statement,
        "",
        ...sampleLines(sample),
        ...(r === undefined ? [] : ["", "recomputation", ...recomputeLines(r)]),
      ]);
      failUnlessVerified(`batch #${v.batchId}`, v);
      if ("checks" in sample && sample.attested && !sample.verified) {
        throw new Error(`batch #${v.batchId}: its audit sample record does not match the chain`);
      }
      if (r !== undefined && !r.identical) {
        throw new Error(`batch #${v.batchId} recomputed with ${r.differences.length} difference(s)`);
      }
    }),
  );
}
