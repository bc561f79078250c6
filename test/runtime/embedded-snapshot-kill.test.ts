/**
 * `npm start -- --chain anvil`'s embedded chain (snapshot generations, ADR 0054; the default chain is journaled and
 * tested by embedded-journal-kill.test.ts) survives a SIGKILL during a snapshot write (issue 18 item 6): the test hook
 * ITEC_CHAIN_SNAPSHOT_PAUSE_MS holds a write half-way (a torn temporary file on disk), the process is killed there,
 * and the next start loads the last complete generation — its balances and head exactly as snapshotted — and says
 * what it removed.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import { freePort } from "../helpers/chain.ts";

const FROM = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"; // dev account #0 (anvil unlocks it)
const TO = "0x0000000000000000000000000000000000000042";

interface Run {
  out(): string;
  exited: Promise<number | null>;
}

function start(argv: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, ["scripts/start.ts", "--no-demo", "--chain", "anvil", ...argv], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return { out: () => out, exited };
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
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

describe("npm start --chain anvil: the embedded chain after a SIGKILL during a snapshot write", function () {
  this.timeout(180_000);
  let dataDir: string;
  const pids: number[] = [];
  const lockPid = () => Number(readFileSync(join(dataDir, "start.lock"), "utf8").trim());
  after(() => {
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("loads the last complete generation: the head and balances it held, and says what it removed", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "itec-snapkill-"));
    const [port, rpcPort] = [await freePort(), await freePort()];
    const argv = ["--data-dir", dataDir, "--port", String(port), "--rpc-port", String(rpcPort)];
    const rpc = () => new JsonRpcProvider(`http://127.0.0.1:${rpcPort}`, 1337, { staticNetwork: true });
    const send = async (provider: JsonRpcProvider, value: bigint) => {
      const hash = (await provider.send("eth_sendTransaction", [
        { from: FROM, to: TO, value: `0x${value.toString(16)}` },
      ])) as string;
      await provider.waitForTransaction(hash);
    };

    // 1. A first start, a transfer, a clean stop: its last snapshot holds the transfer.
    const first = start(argv, {});
    await until("the first start", () => first.out().includes("The registry is running"));
    pids.push(lockPid());
    let provider = rpc();
    await send(provider, 1000n);
    const snapshotted = { block: await provider.getBlockNumber(), balance: await provider.getBalance(TO) };
    provider.destroy();
    process.kill(lockPid(), "SIGINT");
    expect(await first.exited, first.out()).to.equal(0);
    const newest = new RegExp(`^state-\\d+-${snapshotted.block}\\.json\\.gz$`);
    const files = readdirSync(join(dataDir, "chain"));
    expect(
      files.some((n) => newest.test(n)),
      `${files.join(", ")} at block ${snapshotted.block}`,
    ).to.equal(true);

    // 2. A second start whose snapshot writes pause half-way; a later transfer; SIGKILL during its write.
    const second = start(argv, { ITEC_CHAIN_SNAPSHOT_PAUSE_MS: "600000" });
    await until("the second start", () => second.out().includes("The registry is running"));
    pids.push(lockPid());
    provider = rpc();
    await send(provider, 7n);
    expect(await provider.getBalance(TO)).to.equal(snapshotted.balance + 7n);
    provider.destroy();
    const chainDir = join(dataDir, "chain");
    await until("a snapshot write under way", () => readdirSync(chainDir).some((n) => n.endsWith(".tmp")));
    process.kill(lockPid(), "SIGKILL");
    await second.exited;
    for (let i = 0; i < 100 && (await listening(rpcPort)); i++) await sleep(100);
    const tmp = readdirSync(chainDir).find((n) => n.endsWith(".tmp"))!;
    expect(tmp, readdirSync(chainDir).join(", ")).to.match(/^state-\d+-\d+\.json\.gz\.tmp$/);

    // 3. The next start: the last complete generation, said on the terminal; balances as snapshotted.
    const third = start(argv, {});
    await until("the third start", () => third.out().includes("The registry is running"));
    pids.push(lockPid());
    expect(third.out()).to.include(`chain: removed ${tmp}, a snapshot write that a kill interrupted`);
    expect(third.out()).to.match(new RegExp(`chain: loaded snapshot .*state-\\d+-${snapshotted.block}\\.json\\.gz`));
    provider = rpc();
    expect(await provider.getBlockNumber()).to.equal(snapshotted.block);
    expect(await provider.getBalance(TO)).to.equal(snapshotted.balance);
    provider.destroy();
    process.kill(lockPid(), "SIGINT");
    expect(await third.exited).to.equal(0);
  });
});
