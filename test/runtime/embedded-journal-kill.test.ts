/**
 * `npm start`'s default chain, the journaled EDR (ADR 0062), keeps every acknowledged transaction through a SIGKILL
 * of the chain process (issue 18 item 6): a transfer is sent, its receipt read, the chain killed at once; npm start
 * reports the chain's exit in one line and stops; the next start replays the journal — the transfer is there, the
 * registry and its demonstration retirement verify. And a data directory holding anvil's snapshots and no journal is
 * refused in one line naming `--chain anvil` and `--fresh`, nothing started.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import { freePort } from "../helpers/chain.ts";

const FROM = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"; // dev account #0 (the journaled chain signs for it)
const TO = "0x0000000000000000000000000000000000000042";

interface Run {
  out(): string;
  err(): string;
  exited: Promise<number | null>;
}

function start(argv: string[]): Run {
  const child = spawn(process.execPath, ["scripts/start.ts", ...argv], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return { out: () => out, err: () => err, exited };
}

async function until(run: Run, text: string, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!run.out().includes(text)) {
    if (Date.now() > deadline) throw new Error(`no "${text}":\n${run.out()}\n${run.err()}`);
    await sleep(50);
  }
}

/** The child processes of `pid` (Linux). */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
  return text ? text.split(/\s+/).map(Number) : [];
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => resolve(!socket.destroy()));
    socket.once("error", () => resolve(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe("npm start: the default (journaled EDR) chain after a SIGKILL", function () {
  this.timeout(240_000);
  const dirs: string[] = [];
  const pids: number[] = [];
  const tmp = () => {
    const dir = mkdtempSync(join(tmpdir(), "itec-journalkill-"));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("SIGKILL of the chain right after an acknowledged transfer: the next start has it, the registry verifies", async () => {
    const dataDir = tmp();
    const [port, rpcPort] = [await freePort(), await freePort()];
    const argv = ["--data-dir", dataDir, "--port", String(port), "--rpc-port", String(rpcPort)];
    const lockPid = () => Number(readFileSync(join(dataDir, "start.lock"), "utf8").trim());

    const first = start(argv);
    await until(first, "The registry is running");
    expect(first.out()).to.match(
      /chain: EDR \S+ on http:\/\/127\.0\.0\.1:\d+ .*every block journaled to .*blocks\.jsonl/,
    );
    const startPid = lockPid();
    pids.push(startPid);
    const chainPids = childrenOf(startPid).filter((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("edr-node.ts"),
    );
    expect(chainPids, "the chain's process").to.have.length(1);
    pids.push(chainPids[0]!);

    const provider = new JsonRpcProvider(`http://127.0.0.1:${rpcPort}`, 1337, { staticNetwork: true });
    const hash = (await provider.send("eth_sendTransaction", [{ from: FROM, to: TO, value: "0x2a" }])) as string;
    const receipt = (await provider.send("eth_getTransactionReceipt", [hash])) as { blockNumber: string } | null;
    process.kill(chainPids[0]!, "SIGKILL"); // at once: the receipt was the acknowledgement
    provider.destroy();
    expect(receipt, "a block per transaction: mined when the reply came").not.to.equal(null);

    expect(await first.exited).to.equal(1);
    expect(first.err()).to.match(/^npm start: the embedded chain exited \(SIGKILL\)/);
    expect(first.err().trimEnd().split("\n")).to.have.length(1);
    for (let i = 0; i < 100 && (await listening(rpcPort)); i++) await sleep(100);

    const second = start(argv);
    await until(second, "The registry is running");
    pids.push(lockPid());
    expect(second.out()).to.match(/chain: replayed \d+ blocks from .*blocks\.jsonl in \d+ ms/);
    expect(second.out()).to.include("(deployed earlier at block");
    const again = new JsonRpcProvider(`http://127.0.0.1:${rpcPort}`, 1337, { staticNetwork: true });
    expect(await again.getBalance(TO)).to.equal(42n);
    expect(((await again.getTransactionReceipt(hash)) ?? { blockNumber: -1 }).blockNumber).to.equal(
      Number(receipt!.blockNumber),
    );
    again.destroy();
    const res = await fetch(`http://127.0.0.1:${port}/verify/retirements/1`, {
      headers: { accept: "application/json" },
    });
    expect(res.status).to.equal(200);
    expect(await res.text()).to.include("Acme Corporation");
    process.kill(lockPid(), "SIGINT");
    expect(await second.exited).to.equal(0);
  });

  it("a data directory holding anvil's snapshots and no journal: one line naming --chain anvil and --fresh", async () => {
    const dataDir = tmp();
    mkdirSync(join(dataDir, "chain"));
    writeFileSync(join(dataDir, "chain", "state-3-26.json.gz"), "");
    const rpcPort = await freePort();
    const run = start(["--data-dir", dataDir, "--port", String(await freePort()), "--rpc-port", String(rpcPort)]);
    expect(await run.exited).to.equal(1);
    expect(run.err()).to.equal(
      `npm start: ${dataDir} holds an anvil chain (snapshots, no journal): npm start -- --chain anvil keeps it, ` +
        "npm start -- --fresh starts over on the journaled chain (this registry's data is lost)\n",
    );
    expect(await listening(rpcPort)).to.equal(false);
    expect(existsSync(join(dataDir, "chain", "blocks.jsonl"))).to.equal(false);
  });
});
