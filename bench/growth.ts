/**
 * `npm run bench:growth` — does the embedded chain of `npm start` stay as fast, and its persistence as cheap, as the
 * registry grows (issue 18 item 6)? The chain is started exactly as `npm start` starts it (scripts/start/chain.ts:
 * by default the journaled EDR, ADR 0062; `--chain anvil`: anvil plus the snapshot loop, a snapshot at most every
 * 5 s), a registry is deployed, and it
 * is grown to `--retirements` (default 10,000) in steps of `--step` (default 1,000): one retirement of one
 * certificate per transaction, one transaction per block (automine), batches of 100 issued as needed. Per step:
 * its wall time, the chain's CPU and RSS, the journal's size (edr) or the last snapshot's size and duration (anvil),
 * and two reads that must stay flat — a
 * holder's balance (`balanceOf`) and a listing (the newest 100 retirements' events). Writes
 * bench/results/growth.json with the ratio of the last step's time to the first (target: at most 2). Options:
 * `--chain edr|anvil`, `--retirements`, `--step`, `--snapshot-seconds` (anvil; e.g. 1000000: no snapshots, the
 * chain's own slowdown alone). At the end the chain is restarted on its state and the time to answer reported.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

import { JsonRpcProvider, keccak256, Network, toQuantity, toUtf8Bytes } from "ethers";

import { EmbeddedChain, type EmbeddedChainOptions } from "../scripts/start/chain.ts";
import { SNAPSHOT_SECONDS } from "../scripts/start/chain-snapshots.ts";
import { attestationDomain, ATTESTATION_TYPES, sortSignatures, type Attestation } from "../sdk/src/attestation.ts";
import { registryInterface } from "../sdk/src/registry.ts";
import { deployOverRpc, freePort, type TestChain } from "../test/helpers/chain.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const CHAIN = arg("chain", "edr");
if (CHAIN !== "edr" && CHAIN !== "anvil") throw new Error("--chain takes edr or anvil");
const TOTAL = Number(arg("retirements", "10000"));
const STEP = Number(arg("step", "1000"));
/** Seconds between snapshots (npm start's is SNAPSHOT_SECONDS); a large value isolates the chain's own cost. */
const SNAPSHOT_EVERY = Number(arg("snapshot-seconds", String(SNAPSHOT_SECONDS)));
if (!(Number.isSafeInteger(TOTAL) && TOTAL > 0 && Number.isSafeInteger(STEP) && STEP > 0)) {
  throw new Error("--retirements and --step take positive integers");
}
const BATCH_SIZE = 100;
const DAY = 86_400n;
const ms = (x: number) => Math.round(x * 10) / 10;

const dataDir = mkdtempSync(join(tmpdir(), "itec-growth-"));
const chainOptions: EmbeddedChainOptions = {
  chain: CHAIN,
  rpcPort: await freePort(),
  blockTime: 0,
  stateDir: join(dataDir, "chain"),
  snapshotSeconds: SNAPSHOT_EVERY,
  guard: () => undefined,
  onFailure: (error) => {
    console.error(error.message);
    process.exit(1);
  },
};
const embedded = new EmbeddedChain(chainOptions);
(await embedded.start()).destroy();
/** No response cache: nonces and counts are read after every run of transactions. */
const provider = new JsonRpcProvider(embedded.url, Network.from(1337n), {
  staticNetwork: true,
  cacheTimeout: -1,
  pollingInterval: 100,
});
const rpc = (method: string, params: unknown[] = []) => provider.send(method, params) as Promise<unknown>;
const chain: TestChain = {
  kind: "anvil",
  url: embedded.url,
  chainId: 1337n,
  provider,
  rpc,
  mine: async () => void (await rpc("evm_mine")),
  setAutomine: async (on) => void (await rpc("evm_setAutomine", [on])),
  stop: () => embedded.stop(),
};
const deployed = await deployOverRpc(chain, { auditors: 1 });
const holder = deployed.wallet("refurbisher").address;
let batches = 0n;
let left = 0;

async function issueBatch(): Promise<void> {
  const now = BigInt((await provider.getBlock("latest"))!.timestamp);
  const n = batches + 1n;
  const attestation: Attestation = {
    owner: holder,
    category: 1,
    certificates: BigInt(BATCH_SIZE),
    baselineGrams: 189_413n,
    reductionGrams: 34_000n + n,
    vintageStart: now - 30n * DAY,
    vintageEnd: now - 3600n,
    methodology: "ITEC-CALC 1.0",
    parameters: "ITEC-PARAMS-1",
    reportHash: keccak256(toUtf8Bytes(`bench-growth-report-${n}`)),
    referenceDataHash: keccak256(toUtf8Bytes("reference-data")),
    deviceRoot: keccak256(toUtf8Bytes(`bench-growth-root-${n}`)),
    sampleHash: `0x${"00".repeat(32)}`,
    evidenceURI: `https://registry.example/lots/${n}/report.json`,
    deadline: now + 30n * DAY,
  };
  const auditor = deployed.wallet("auditor1");
  const signature = await auditor.signTypedData(
    attestationDomain(chain.chainId, deployed.address),
    ATTESTATION_TYPES,
    attestation,
  );
  const issuer = deployed.registry.connect(deployed.wallet("oracle"));
  await (await issuer.issue(attestation, sortSignatures([{ auditor: auditor.address, signature }]))).wait();
  batches = n;
  left = BATCH_SIZE;
}

/** Retirement `i`: one certificate of the newest batch, signed by anvil for the (unlocked) holder. */
function retirement(i: number, nonce: number) {
  left -= 1;
  const data = registryInterface.encodeFunctionData("retire", [
    holder,
    {
      batchId: batches,
      amount: 1n,
      beneficiaryName: `Beneficiary ${i % 97} Ltd`,
      beneficiary: "0x0000000000000000000000000000000000000000",
      periodStart: 1_767_225_600n,
      periodEnd: 1_798_761_599n,
      scope3Category: 1 + (i % 2),
      purpose: `FY2026 laptop procurement, claim ${i}`,
    },
  ]);
  const tx = { from: holder, nonce: toQuantity(nonce), to: deployed.address, gas: toQuantity(250_000), data };
  return { ...tx, gasPrice: "0x0" };
}

/** Adds `count` retirements, one transaction per block: each sent once the one before it is mined. */
async function grow(count: number, done: number): Promise<void> {
  let nonce = await provider.getTransactionCount(holder, "pending");
  for (let k = 0; k < count; k++) {
    if (left === 0) {
      await issueBatch();
      nonce = await provider.getTransactionCount(holder, "pending");
    }
    const hash = (await rpc("eth_sendTransaction", [retirement(done + k + 1, nonce++)])) as string;
    if ((await receiptOf(hash)).status !== "0x1") throw new Error(`retirement ${done + k + 1} failed`);
  }
}

/** Polls for a receipt (ethers' waitForTransaction can miss a block mined between two of its polls). */
async function receiptOf(hash: string): Promise<{ status: string }> {
  for (;;) {
    const receipt = (await rpc("eth_getTransactionReceipt", [hash])) as { status: string } | null;
    if (receipt) return receipt;
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** CPU seconds (user + system) the chain process has used: snapshots included, as anvil itself compresses them. */
function cpuSeconds(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const retiredTopic = registryInterface.getEvent("CertificatesRetired")!.topicHash;
const steps: Record<string, number>[] = [];
for (let done = 0; done < TOTAL;) {
  const count = Math.min(STEP, TOTAL - done);
  const cpuBefore = cpuSeconds(embedded.pid);
  const stepMs = await timed(() => grow(count, done));
  const chainCpu = cpuSeconds(embedded.pid) - cpuBefore;
  done += count;
  const onChain = await deployed.registry.retirementCount();
  if (onChain !== BigInt(done)) throw new Error(`expected ${done} retirements, the chain has ${onChain}`);
  const head = await provider.getBlockNumber();
  const balanceMs = await timed(() => deployed.registry.balanceOf(holder, batches));
  const listingMs = await timed(async () => {
    const logs = await provider.getLogs({
      address: deployed.address,
      topics: [retiredTopic],
      fromBlock: Math.max(0, head - 120),
    });
    if (logs.length < Math.min(100, done)) throw new Error(`listing found ${logs.length} retirements`);
  });
  const snap = embedded.lastSnapshot;
  const row = {
    retirements: done,
    block: head,
    step_s: ms(stepMs / 1000),
    // Wall time moves with whatever else the machine runs; the chain's own CPU time much less.
    chain_cpu_s: ms(chainCpu),
    chain_rss_mb: rssMb(embedded.pid),
    ...(CHAIN === "edr"
      ? { journal_mb: Math.round(statSync(embedded.journal).size / 1e5) / 10 }
      : {
          snapshot_mb: snap ? Math.round(statSync(snap.generation.file).size / 1e5) / 10 : 0,
          snapshot_ms: snap?.ms ?? 0,
        }),
    balance_ms: ms(balanceMs),
    listing_ms: ms(listingMs),
  };
  steps.push(row);
  console.log(JSON.stringify(row));
}

const ratio = Math.round((steps.at(-1)!.step_s! / steps[0]!.step_s!) * 100) / 100;
const cpuRatio = Math.round((steps.at(-1)!.chain_cpu_s! / steps[0]!.chain_cpu_s!) * 100) / 100;
provider.destroy();
await embedded.stop();
// A restart on the state it left: the journal's replay (edr) or the last snapshot's load (anvil), to answering.
const restarted = new EmbeddedChain(chainOptions);
const restartMs = await timed(async () => (await restarted.start()).destroy());
await restarted.stop();
console.log(`restart on ${steps.at(-1)!.block} blocks: ${ms(restartMs / 1000)} s to answer`);
rmSync(dataDir, { recursive: true, force: true });
const result = {
  generatedAt: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 2 ** 30) },
  chain: CHAIN,
  retirements: TOTAL,
  step: STEP,
  ...(CHAIN === "anvil" ? { snapshotSeconds: SNAPSHOT_EVERY } : {}),
  steps,
  lastStepOverFirst: ratio,
  chainCpuLastStepOverFirst: cpuRatio,
  target: "last step within 2x of the first",
  met: ratio <= 2,
  restart_s: ms(restartMs / 1000),
};
mkdirSync("bench/results", { recursive: true });
const official = TOTAL >= 10_000 && CHAIN === "edr";
if (official) writeFileSync("bench/results/growth.json", `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `last step / first step: ${ratio} (target <= 2); the chain's CPU: ${cpuRatio}${official ? "" : " — not written (not the full run)"}`,
);
