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
 * (`hardhat node`), the chain the in-process tests use; and EDR behind the block journal (core/chain/edr-node.ts,
 * ADR 0062), whose CPU includes the journal's appends and fsyncs, and which is then SIGKILLed and restarted to time
 * the replay of the whole journal. Writes bench/results/chain-growth.json with, per candidate, the last thousand's
 * CPU over the first's (with `--only`, the other candidates' last results are kept). Options: `--blocks`,
 * `--only anvil|edr|journal`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

import { anvilArgs, anvilCommand } from "../core/chain/anvil.ts";
import { freePort } from "../test/helpers/chain.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const BLOCKS = Number(arg("blocks", "6000"));
const STEP = Math.min(1000, BLOCKS);
const ONLY = arg("only", "");

interface Candidate {
  name: string;
  start(port: number): ChildProcess;
  /** The process whose CPU is the chain's (the node process that hosts EDR, or anvil itself). */
  pid(child: ChildProcess): number;
  /** After the load: kill the chain and time its restart (the journaled chain's replay). */
  restart?(child: ChildProcess, port: number): Promise<Record<string, unknown>>;
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
  journaledEdr(),
].filter(
  (c) =>
    ONLY === "" ||
    c.name.startsWith(ONLY) ||
    (ONLY === "edr" && c.name === "hardhat node (EDR)") ||
    (ONLY === "journal" && c.name.includes("journal")),
);

/** EDR behind the block journal: a node process on a fresh journal directory; restart = SIGKILL, then replay. */
function journaledEdr(): Candidate {
  let dir = "";
  const spawnNode = (port: number) =>
    spawn(process.execPath, ["core/chain/edr-node.ts", "--dir", dir, "--port", String(port)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
  return {
    name: "EDR behind the block journal (core/chain/edr-node.ts)",
    start: (port) => {
      dir = mkdtempSync(join(tmpdir(), "itec-chain-growth-"));
      return spawnNode(port);
    },
    pid: (child) => child.pid!,
    restart: async (child, port) => {
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      });
      const journalBytes = readFileSync(join(dir, "blocks.jsonl")).length;
      const t0 = performance.now();
      const next = spawnNode(port);
      try {
        const ready = await new Promise<string>((resolve, reject) => {
          let out = "";
          next.stdout.on("data", (d: Buffer) => {
            out += d.toString();
            const line = /^ready .*$/m.exec(out);
            if (line) resolve(line[0]);
          });
          next.once("exit", (code) => reject(new Error(`the journaled chain exited ${code} on restart`)));
        });
        const replayMs = Number(/replay_ms=(\d+)/.exec(ready)![1]);
        const blocks = Number(/blocks=(\d+)/.exec(ready)![1]);
        const startS = Math.round(performance.now() - t0) / 1000;
        const replay = { blocks, replay_s: replayMs / 1000, restart_to_ready_s: startS, journal_bytes: journalBytes };
        console.log(`journal replay: ${JSON.stringify(replay)}`);
        return replay;
      } finally {
        next.kill("SIGKILL");
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

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
    const restart = candidate.restart ? { restart: await candidate.restart(child, port) } : {};
    return { chain: candidate.name, steps, cpuLastOverFirst, loadAverage: loadavg()[0]!.toFixed(1), ...restart };
  } finally {
    child.kill("SIGKILL");
  }
}

const results: Record<string, unknown>[] = [];
for (const candidate of CANDIDATES) results.push(await run(candidate));
if (ONLY !== "" && existsSync("bench/results/chain-growth.json")) {
  // A partial run keeps the other candidates' last results.
  const previous = JSON.parse(readFileSync("bench/results/chain-growth.json", "utf8")) as {
    results: Record<string, unknown>[];
  };
  const ran = new Set(results.map((r) => r.chain));
  results.unshift(...previous.results.filter((r) => !ran.has(r.chain)));
}
const out = {
  generatedAt: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, loadAverage: loadavg()[0]!.toFixed(1) },
  load: `${BLOCKS} blocks, one transaction each (automine), each storing one new slot`,
  results,
};
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/chain-growth.json", JSON.stringify(out, null, 2) + "\n");
console.log("wrote bench/results/chain-growth.json");
