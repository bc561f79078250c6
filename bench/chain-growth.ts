/**
 * `npm run bench:chain-growth` — why bench:growth's bound is not met (issue 18 item 6): the embedded chain's own
 * cost per block, with nothing of the registry around it. Each candidate chain gets the same load over loopback
 * JSON-RPC: `--blocks` transactions (default 6,000), one per block (automine), each to a 6-byte contract that
 * stores its calldata word in a fresh slot (`sstore(number(), calldataload(0))`) — so the state grows by one slot
 * per block, as the registry's does by three per retirement. Per 1,000 blocks: the chain process's CPU seconds
 * (user + system, from /proc; wall time moves with whatever else the machine runs) and wall seconds.
 *
 * Candidates: anvil as `npm start` runs it, and with each of its history flags (`--prune-history`,
 * `--prune-history 1`, `--max-persisted-states 0`, `--transaction-block-keeper 64`); and Hardhat's EDR simulator
 * (`hardhat node`), the chain the in-process tests use. Writes bench/results/chain-growth.json with, per candidate,
 * the last thousand's CPU over the first's. Options: `--blocks`, `--only anvil|edr`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";

import { anvilArgs, anvilCommand } from "../core/chain/anvil.ts";
import { freePort } from "../test/helpers/chain.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const BLOCKS = Number(arg("blocks", "6000"));
const STEP = 1000;
const ONLY = arg("only", "");

interface Candidate {
  name: string;
  start(port: number): ChildProcess;
  /** The process whose CPU is the chain's (the node process that hosts EDR, or anvil itself). */
  pid(child: ChildProcess): number;
}

const anvil = (flags: string[]): Candidate => ({
  name: ["anvil", ...flags].join(" "),
  start: (port) => {
    const [command, ...prefix] = anvilCommand();
    return spawn(command!, [...prefix, ...anvilArgs({ port, blockTime: 0 }), ...flags], { stdio: "ignore" });
  },
  pid: (child) => child.pid!, // setpriv execs anvil in place: same pid
});

const CANDIDATES: Candidate[] = [
  anvil([]),
  anvil(["--prune-history"]),
  anvil(["--prune-history", "1"]),
  anvil(["--max-persisted-states", "0"]),
  anvil(["--transaction-block-keeper", "64"]),
  {
    name: "hardhat node (EDR)",
    start: (port: number) =>
      spawn(process.execPath, ["node_modules/hardhat/dist/src/cli.js", "node", "--port", String(port)], {
        stdio: "ignore",
      }),
    pid: (child: ChildProcess) => child.pid!,
  },
].filter((c) => ONLY === "" || c.name.startsWith(ONLY) || (ONLY === "edr" && c.name.includes("EDR")));

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function run(candidate: Candidate): Promise<Record<string, unknown>> {
  const port = await freePort();
  const child = candidate.start(port);
  const url = `http://127.0.0.1:${port}`;
  let id = 0;
  const rpc = async (method: string, params: unknown[] = []): Promise<unknown> => {
    const reply = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
    });
    const body = (await reply.json()) as { result?: unknown; error?: unknown };
    if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
    return body.result;
  };
  try {
    for (let tries = 0; ; tries++) {
      try {
        await rpc("eth_chainId");
        break;
      } catch (error) {
        if (tries > 600) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const [from] = (await rpc("eth_accounts")) as string[];
    const receipt = async (hash: string) => {
      for (;;) {
        const r = await rpc("eth_getTransactionReceipt", [hash]);
        if (r) return r as { status: string; contractAddress: string };
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    };
    // init code: copy the 6-byte runtime PUSH1 0 CALLDATALOAD NUMBER SSTORE STOP and return it
    const init = "0x6006600c60003960066000f3600035435500";
    const send = async (tx: Record<string, string>) => (await rpc("eth_sendTransaction", [tx])) as string;
    const to = (await receipt(await send({ from: from!, data: init, gas: "0x100000" }))).contractAddress;
    const pid = candidate.pid(child);
    const steps: { blocks: number; cpu_s: number; wall_s: number }[] = [];
    let cpu0 = cpuSeconds(pid);
    let t0 = performance.now();
    for (let i = 1; i <= BLOCKS; i++) {
      const data = `0x${i.toString(16).padStart(64, "0")}`;
      const r = await receipt(await send({ from: from!, to, data, gas: "0x30000" }));
      if (r.status !== "0x1") throw new Error(`transaction ${i} failed`);
      if (i % STEP === 0) {
        const cpu = cpuSeconds(pid);
        const now = performance.now();
        steps.push({ blocks: i, cpu_s: Math.round((cpu - cpu0) * 100) / 100, wall_s: Math.round(now - t0) / 1000 });
        console.log(`${candidate.name}: ${JSON.stringify(steps.at(-1))}`);
        cpu0 = cpu;
        t0 = now;
      }
    }
    const cpuLastOverFirst = Math.round((steps.at(-1)!.cpu_s / steps[0]!.cpu_s) * 100) / 100;
    return { chain: candidate.name, steps, cpuLastOverFirst };
  } finally {
    child.kill("SIGKILL");
  }
}

const results = [];
for (const candidate of CANDIDATES) results.push(await run(candidate));
const out = {
  generatedAt: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, loadAverage: loadavg()[0]!.toFixed(1) },
  load: `${BLOCKS} blocks, one transaction each (automine), each storing one new slot`,
  results,
};
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/chain-growth.json", JSON.stringify(out, null, 2) + "\n");
console.log("wrote bench/results/chain-growth.json");
