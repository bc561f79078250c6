/**
 * The journaled EDR chain as a process (core/chain/edr-node.ts, ADR 0062) killed with SIGKILL: a reply means the
 * block is in the journal, so after a kill at any instant and a restart every acknowledged transaction is on chain.
 * Clients keep sending while the node is killed right after a reply; a torn last journal line (a kill inside an
 * append) is dropped on restart; a journal whose replay differs refuses to start with one line on stderr, exit 2.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { devAccount } from "../../core/keys.ts";
import { freePort } from "../helpers/chain.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

interface Running {
  child: ChildProcess;
  url: string;
  ready: string;
  stderr: () => string;
}

/** Spawns the node on `dir`; resolves once it printed `ready`, or with its exit code and stderr if it exited. */
function spawnNode(dir: string, port: number): Promise<Running | { code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["core/chain/edr-node.ts", "--dir", dir, "--port", String(port)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => {
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^ready (\S+).*$/m.exec(out);
      if (m) resolve({ child, url: m[1]!, ready: m[0], stderr: () => err });
    });
    child.once("exit", (code) => resolve({ code, stderr: err }));
  });
}

async function started(dir: string, port: number): Promise<Running> {
  const r = await spawnNode(dir, port);
  if (!("child" in r)) throw new Error(`the node exited ${r.code}: ${r.stderr}`);
  return r;
}

function kill(r: Running): Promise<void> {
  return new Promise((resolve) => {
    if (r.child.exitCode !== null || r.child.signalCode !== null) return resolve();
    r.child.once("exit", () => resolve());
    r.child.kill("SIGKILL");
  });
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const reply = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await reply.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

describe("journaled EDR chain process under SIGKILL", function () {
  this.timeout(300_000);
  let dir: string;
  let port: number;
  let node: Running | undefined;
  /** Every transaction hash a reply acknowledged. */
  const acknowledged: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "itec-edr-kill-"));
    port = await freePort();
  });
  after(async () => {
    if (node) await kill(node);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Four clients send transfers as fast as replies come; the node is SIGKILLed right after the `killAfter`th reply. */
  async function sendUntilKilled(killAfter: number): Promise<void> {
    const running = node!;
    let replies = 0;
    const client = async (index: number) => {
      const from = devAccount(index).address;
      const to = devAccount(10 + index).address;
      for (;;) {
        let hash: string;
        try {
          hash = (await rpc(running.url, "eth_sendTransaction", [{ from, to, value: "0x1" }])) as string;
        } catch {
          return; // the node is gone: a request without a reply acknowledged nothing
        }
        acknowledged.push(hash);
        if (++replies === killAfter) running.child.kill("SIGKILL");
      }
    };
    await Promise.all([0, 1, 2, 3].map(client));
    await kill(running);
  }

  async function expectAllAcknowledgedMined(): Promise<void> {
    for (const hash of acknowledged) {
      const receipt = (await rpc(node!.url, "eth_getTransactionReceipt", [hash])) as { status: string } | null;
      expect(receipt, `acknowledged ${hash}`).to.not.equal(null);
      expect(receipt!.status).to.equal("0x1");
    }
  }

  it("keeps every acknowledged transaction across three SIGKILLs right after a reply", async function () {
    node = await started(dir, port);
    for (const killAfter of [25, 60, 40]) {
      await sendUntilKilled(killAfter);
      node = await started(dir, port);
      expect(node.ready).to.match(/blocks=\d+/);
      await expectAllAcknowledgedMined();
    }
    expect(acknowledged.length).to.be.at.least(125);
    // One transfer per block (automine): the chain holds exactly what the journal holds, nothing lost in between.
    const head = Number(await rpc(node.url, "eth_blockNumber"));
    const lines = readFileSync(join(dir, "blocks.jsonl"), "utf8").trimEnd().split("\n");
    expect(lines).to.have.length(1 + head);
  });

  it("drops a torn last journal line on restart, says so, and keeps every block before it", async function () {
    const head = Number(await rpc(node!.url, "eth_blockNumber"));
    await kill(node!);
    const path = join(dir, "blocks.jsonl");
    const whole = readFileSync(path, "utf8");
    appendFileSync(path, `{"number":${head + 1},"timestamp":17`);
    node = await started(dir, port);
    expect(node.ready).to.include(`blocks=${head}`);
    expect(node.stderr()).to.match(/chain journal: dropped a torn last line \(\d+ bytes, no newline\)/);
    expect(readFileSync(path, "utf8")).to.equal(whole);
    await expectAllAcknowledgedMined();
  });

  it("refuses to start on a journal whose replayed hash differs: one line on stderr, exit code 2", async function () {
    await kill(node!);
    node = undefined;
    const path = join(dir, "blocks.jsonl");
    const lines = readFileSync(path, "utf8").split("\n");
    const block = JSON.parse(lines[10]!) as { txs: string[] };
    // A different (validly signed) transaction in block 10: the replay mines a different block.
    block.txs = [
      await devAccount(0).signTransaction({
        chainId: 1337,
        nonce: 0,
        to: devAccount(5).address,
        value: 2n,
        gasLimit: 21_000,
      }),
    ];
    lines[10] = JSON.stringify(block);
    writeFileSync(path, lines.join("\n"));
    const r = await spawnNode(dir, port);
    expect("code" in r).to.equal(true);
    const exited = r as { code: number | null; stderr: string };
    expect(exited.code).to.equal(2);
    expect(exited.stderr.trimEnd().split("\n")).to.have.length(1);
    expect(exited.stderr).to.match(
      /^chain: .*blocks\.jsonl: block 10( replays to 0x[0-9a-f]{64}|'s transaction 1 was refused on replay)/,
    );
    expect(exited.stderr).to.match(/move the journal aside to start a new chain/);
  });
});
