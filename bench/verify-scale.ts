/**
 * `npm run bench:verify` — does verifying a retirement cost the same in a registry of 100 retirements as in one of
 * 10,000? In ONE run on one anvil chain (the stand-in for the Besu node, on loopback), one registry per size is
 * deployed and filled — largest first, so a smaller registry's events span fewer blocks — with retirements of one
 * certificate each from batches of 100: `--per-block` retirements mined per block with automine off, then `--pad`
 * empty blocks per retirement (default 1), so a registry's chain grows by about one block per retirement as a real
 * one would and what grows with the chain's length shows (`--pad 0` builds much faster). Then the sizes are
 * measured in turns (one lookup of each size, again and again, so the machine's load weighs on both alike):
 * `--samples` retirements chosen at random per size, each verified with the SDK's `verifyRetirement` — a fresh reader
 * each time, so every lookup is a first lookup, nothing cached — over a provider without batching or response
 * cache. Reported per size: p50, p99 and max of the whole verification, the JSON-RPC calls it made, and the node's
 * time for the two log reads it needs (the retirement's texts: one single-block eth_getLogs; its batch's BatchIssued:
 * one eth_getLogs on the batch id's topic from the registry's deployment to the head). Writes
 * bench/results/verify.json with the ratio p99(largest) / p99(smallest) (issue 13's target: at most 2).
 * Options: `--sizes 100,10000`, `--samples 500`, `--per-block 100`, `--pad 1`, `--seed 13`. The 10,000 registry
 * takes anvil about 20 minutes to build with `--pad 1` on a busy two-core machine (it keeps every block's state).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

import { JsonRpcProvider, keccak256, Network, toBeHex, toQuantity, toUtf8Bytes } from "ethers";

import { attestationDomain, ATTESTATION_TYPES, sortSignatures, type Attestation } from "../sdk/src/attestation.ts";
import { registryInterface } from "../sdk/src/registry.ts";
import { verifyRetirement } from "../sdk/src/verify.ts";
import { deployOverRpc, startTestChain, type DeployedRegistry } from "../test/helpers/chain.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const SIZES = arg("sizes", "100,10000")
  .split(",")
  .map(Number)
  .sort((a, b) => a - b);
const SAMPLES = Number(arg("samples", "500"));
const PER_BLOCK = Number(arg("per-block", "100"));
/** Empty blocks mined per retirement. */
const PAD = Number(arg("pad", "1"));
/** Certificates per batch (one retirement of one certificate each). */
const BATCH_SIZE = 100;
const DAY = 86_400n;
if (!SIZES.every((n) => Number.isSafeInteger(n) && n > 0) || !(SAMPLES > 0) || !(PER_BLOCK > 0) || !(PAD >= 0)) {
  throw new Error("--sizes, --samples and --per-block take positive integers, --pad one from 0");
}

/** A small deterministic generator (the ids sampled are the same from run to run). */
let seed = Number(arg("seed", "13"));
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const ms = (x: number) => Math.round(x * 100) / 100;

// ---------------------------------------------------------------------------------------------------------------
// Building the registries
// ---------------------------------------------------------------------------------------------------------------

const chain = await startTestChain("anvil", { blockTime: 0 });

interface Registry {
  size: number;
  deployed: DeployedRegistry;
  /** The block before its deployment: where a verifier starts looking for its events. */
  fromBlock: number;
  batches: bigint;
  /** Certificates left in the newest batch. */
  left: number;
  retirements: number;
}

async function issueBatch(reg: Registry): Promise<void> {
  const { deployed } = reg;
  const now = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
  const n = reg.batches + 1n;
  const attestation: Attestation = {
    owner: deployed.wallet("refurbisher").address,
    category: 1,
    certificates: BigInt(BATCH_SIZE),
    baselineGrams: 189_413n,
    reductionGrams: 34_000n + n,
    vintageStart: now - 30n * DAY,
    vintageEnd: now - 3600n,
    methodology: "ITEC-CALC 1.0",
    parameters: "ITEC-PARAMS-1",
    reportHash: keccak256(toUtf8Bytes(`bench-verify-report-${reg.size}-${n}`)),
    referenceDataHash: keccak256(toUtf8Bytes("reference-data")),
    deviceRoot: keccak256(toUtf8Bytes(`bench-verify-root-${reg.size}-${n}`)),
    sampleHash: `0x${"00".repeat(32)}`,
    evidenceURI: `https://registry.example/lots/${n}/report.json`,
    deadline: now + 30n * DAY,
  };
  const auditor = deployed.wallet("auditor1");
  const domain = attestationDomain(chain.chainId, deployed.address);
  const signature = await auditor.signTypedData(domain, ATTESTATION_TYPES, attestation);
  const issuer = deployed.registry.connect(deployed.wallet("oracle"));
  await (await issuer.issue(attestation, sortSignatures([{ auditor: auditor.address, signature }]))).wait();
  reg.batches = n;
  reg.left = BATCH_SIZE;
}

/**
 * Retirement `i` of one certificate from the newest batch, sent from the refurbisher (an anvil dev account: anvil
 * signs it) with nonce `nonce`.
 */
function retirementTx(reg: Registry, i: number, nonce: number) {
  const holder = reg.deployed.wallet("refurbisher").address;
  reg.left -= 1;
  return {
    from: holder,
    nonce: toQuantity(nonce),
    to: reg.deployed.address,
    gas: toQuantity(250_000),
    gasPrice: "0x0",
    data: registryInterface.encodeFunctionData("retire", [
      holder,
      {
        batchId: reg.batches,
        amount: 1n,
        beneficiaryName: `Beneficiary ${i % 97} Ltd`,
        beneficiary: "0x0000000000000000000000000000000000000000",
        periodStart: 1_767_225_600n,
        periodEnd: 1_798_761_599n,
        scope3Category: 1 + (i % 2),
        purpose: `FY2026 laptop procurement, claim ${i}`,
      },
    ]),
  };
}

/** Deploys a registry and fills it with `size` retirements: PER_BLOCK per block, then PAD empty blocks each. */
async function build(size: number): Promise<Registry> {
  const fromBlock = await chain.provider.getBlockNumber();
  const reg: Registry = {
    size,
    deployed: await deployOverRpc(chain, { auditors: 1 }),
    fromBlock,
    batches: 0n,
    left: 0,
    retirements: 0,
  };
  while (reg.retirements < size) {
    if (reg.left === 0) await issueBatch(reg);
    const count = Math.min(PER_BLOCK, size - reg.retirements, reg.left);
    const nonce = await chain.provider.getTransactionCount(reg.deployed.wallet("refurbisher").address, "pending");
    const txs = Array.from({ length: count }, (_, k) => retirementTx(reg, reg.retirements + k + 1, nonce + k));
    await chain.setAutomine(false);
    try {
      await Promise.all(txs.map((tx) => chain.rpc("eth_sendTransaction", [tx])));
      await chain.mine();
    } finally {
      await chain.setAutomine(true);
    }
    reg.retirements += count;
    const onChain = await reg.deployed.registry.retirementCount();
    if (onChain !== BigInt(reg.retirements)) {
      throw new Error(`expected ${reg.retirements} retirements, the chain has ${onChain}`);
    }
    const empty = Math.round(count * PAD) - 1;
    if (empty > 0) await chain.rpc("anvil_mine", [toQuantity(empty)]);
  }
  return reg;
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------------------------------

/** A provider as the registry's own chain client configures one: no batching, no response cache. */
const provider = new JsonRpcProvider(chain.url, Network.from(chain.chainId), {
  staticNetwork: true,
  batchMaxCount: 1,
  cacheTimeout: -1,
});
/** JSON-RPC calls sent, per method, while `counting` names a size. */
let counting: number | undefined;
const calls = new Map<number, Map<string, number>>();
void provider.on("debug", (info: { action: string; payload?: { method: string } }) => {
  if (counting === undefined || info.action !== "sendRpcPayload" || !info.payload) return;
  const m = calls.get(counting) ?? new Map<string, number>();
  m.set(info.payload.method, (m.get(info.payload.method) ?? 0) + 1);
  calls.set(counting, m);
});

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, performance.now() - t0];
}

function summary(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50_ms: ms(percentile(sorted, 50)), p99_ms: ms(percentile(sorted, 99)), max_ms: ms(sorted.at(-1)!) };
}

/** One first-lookup verification of a random retirement of `reg` (must verify). */
async function verifyOne(reg: Registry): Promise<number> {
  const id = BigInt(1 + Math.floor(random() * reg.size));
  const [v, t] = await timed(() => verifyRetirement(provider, reg.deployed.address, id, { fromBlock: reg.fromBlock }));
  if (!v.verified) throw new Error(`retirement #${id} of the ${reg.size} registry did not verify: ${v.summary}`);
  return t;
}

/** The node's time for the two log reads of a verification, timed alone. */
async function logReads(reg: Registry) {
  const r = reg.deployed.registry;
  const id = BigInt(1 + Math.floor(random() * reg.size));
  const claim = await r.retirement(id);
  const block = toQuantity(claim.blockNumber);
  const [logs, texts] = await timed(
    () =>
      provider.send("eth_getLogs", [
        {
          address: reg.deployed.address,
          fromBlock: block,
          toBlock: block,
          topics: [r.filters.CertificatesRetired.fragment.topicHash, toBeHex(id, 32)],
        },
      ]) as Promise<unknown[]>,
  );
  if (logs.length !== 1) throw new Error(`retirement #${id}: ${logs.length} events in block ${block}`);
  const [issued, issuance] = await timed(
    () =>
      provider.send("eth_getLogs", [
        {
          address: reg.deployed.address,
          fromBlock: toQuantity(reg.fromBlock),
          toBlock: "latest",
          topics: [r.filters.BatchIssued.fragment.topicHash, toBeHex(claim.batchId, 32)],
        },
      ]) as Promise<unknown[]>,
  );
  if (issued.length !== 1) throw new Error(`batch #${claim.batchId}: ${issued.length} BatchIssued events`);
  return { texts, issuance };
}

const registries: Registry[] = [];
const results: Record<string, unknown> = {};
let ratio: number;
try {
  for (const size of [...SIZES].reverse()) {
    const t0 = performance.now();
    registries.unshift(await build(size));
    console.log(`registry of ${size} retirements built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const head = await chain.provider.getBlockNumber();
  // Warm-up (JIT, connections): not counted.
  for (let i = 0; i < 20; i++) for (const reg of registries) await verifyOne(reg);
  const verify = new Map<number, number[]>(registries.map((reg) => [reg.size, []]));
  for (let i = 0; i < SAMPLES; i++) {
    for (const reg of registries) {
      counting = reg.size;
      verify.get(reg.size)!.push(await verifyOne(reg));
      counting = undefined;
    }
  }
  const node = new Map<number, { texts: number[]; issuance: number[] }>(
    registries.map((reg) => [reg.size, { texts: [], issuance: [] }]),
  );
  for (let i = 0; i < Math.min(SAMPLES, 200); i++) {
    for (const reg of registries) {
      const t = await logReads(reg);
      node.get(reg.size)!.texts.push(t.texts);
      node.get(reg.size)!.issuance.push(t.issuance);
    }
  }
  for (const reg of registries) {
    const perMethod = [...(calls.get(reg.size) ?? new Map<string, number>())].sort(([a], [b]) => a.localeCompare(b));
    results[reg.size] = {
      retirements: reg.size,
      batches: Number(reg.batches),
      blocksFromDeploymentToHead: head - reg.fromBlock,
      samples: SAMPLES,
      verify: summary(verify.get(reg.size)!),
      rpcCallsPerVerification: Object.fromEntries(perMethod.map(([method, n]) => [method, ms(n / SAMPLES)])),
      node: {
        retirementTextsSingleBlockGetLogs: summary(node.get(reg.size)!.texts),
        batchIssuedTopicGetLogsDeploymentToHead: summary(node.get(reg.size)!.issuance),
      },
    };
    const v = summary(verify.get(reg.size)!);
    console.log(`${reg.size} retirements: verify p50 ${v.p50_ms} ms, p99 ${v.p99_ms} ms, max ${v.max_ms} ms`);
  }
  const [small, large] = [SIZES[0]!, SIZES.at(-1)!].map((n) => summary(verify.get(n)!).p99_ms);
  ratio = Math.round((large! / small!) * 100) / 100;
} finally {
  provider.destroy();
  await chain.stop();
}

const out = {
  what:
    "first-lookup verifyRetirement (SDK, fresh reader, no cache) of random retirements; one registry per size on " +
    "one anvil chain, in one run, the sizes measured in turns",
  chain: "anvil on loopback; retirements mined --per-block per block, then --pad empty blocks per retirement",
  perBlock: PER_BLOCK,
  pad: PAD,
  sizes: results,
  p99Ratio: { of: `${SIZES.at(-1)} / ${SIZES[0]}`, value: ratio, target: 2, met: ratio <= 2 },
  measuredAt: new Date().toISOString(),
};
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/verify.json", `${JSON.stringify(out, null, 2)}\n`);
console.log(`p99 ratio ${out.p99Ratio.of}: ${ratio} (target ≤ 2) → bench/results/verify.json`);
