/**
 * `npm start` end to end: scripts/start.ts run as a child process exactly as `npm start` runs it (`node
 * scripts/start.ts`: Node's own type stripping), each time on a temporary data directory and free ports (never
 * ./.itec, 8080 or 8545). First start: the demonstration, the
 * printed API URL, verify URL and certificate PDF; the verify URL answers; Ctrl-C (SIGINT) stops it with exit code 0
 * and leaves nothing on the RPC port; a restart keeps the state; a second start on a directory in use, a busy
 * port and an unknown flag are each one line and exit 1; a demonstration interrupted half-way (test hook
 * ITEC_DEMO_STOP_AFTER) is completed by the next start; --fresh starts over.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { getCreateAddress } from "ethers";

import { freePort } from "../helpers/chain.ts";

interface Run {
  /** stdout and stderr so far */
  out(): string;
  err(): string;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

function start(argv: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, ["scripts/start.ts", ...argv], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return { out: () => out, err: () => err, exited, kill: (signal) => child.kill(signal) };
}

/** Resolves once stdout contains `text`; rejects if the process exits first or after `ms`. */
async function until(run: Run, text: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (run.out().includes(text)) return;
    const exited = await Promise.race([run.exited.then(() => true), sleep(50).then(() => false)]);
    if (exited && !run.out().includes(text)) {
      throw new Error(`exited before printing "${text}":\n${run.out()}\n${run.err()}`);
    }
    if (Date.now() > deadline) throw new Error(`no "${text}" after ${ms} ms:\n${run.out()}\n${run.err()}`);
  }
}

/**
 * Ctrl-C: SIGINT to the start.ts process, found by its pid in the data directory's lock (the lock names the process
 * that holds the data directory, which is what a Ctrl-C must stop).
 */
async function stop(run: Run, dataDir: string): Promise<number | null> {
  const pid = Number(readFileSync(join(dataDir, "start.lock"), "utf8").trim());
  process.kill(pid, "SIGINT");
  return run.exited;
}

/** Is anything listening on 127.0.0.1:port? */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const CORPORATE = "0x976EA74026E726554dB657fA54763abd0C3a0aa9"; // dev account #6, the demonstration's corporate

/** What does not change while nothing happens on the chain (everything but the block it was checked at). */
/** The answer without the block it was read at (the chain head moves between two reads; the content must not). */
function settled(v: Record<string, unknown>) {
  const { checkedAtBlock: _, ...chain } = v.chain as Record<string, unknown>;
  const statement =
    typeof v.statement === "string" ? v.statement.replace(/ at block \d+,/, " at block N,") : v.statement;
  return { ...v, chain, statement };
}

async function verify(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, { headers: { accept: "application/json" } });
  expect(res.status, await res.clone().text()).to.equal(200);
  return (await res.json()) as Record<string, unknown>;
}

/** The failure line: exactly one line on stderr for a refusal (the usage may follow for a bad flag). */
function firstLine(run: Run): string {
  return run.err().split("\n")[0]!;
}

describe("npm start (scripts/start.ts as a child process)", function () {
  this.timeout(90_000);
  const dirs: string[] = [];
  const tmp = () => {
    const dir = mkdtempSync(join(tmpdir(), "itec-start-"));
    dirs.push(dir);
    return dir;
  };
  const live: Run[] = [];
  const launch = (argv: string[], env?: Record<string, string>) => {
    const run = start(argv, env);
    live.push(run);
    return run;
  };
  after(async () => {
    for (const run of live) {
      run.kill("SIGINT");
      await Promise.race([run.exited, sleep(15_000)]);
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  let dataDir: string;
  let port: number;
  let rpcPort: number;
  let first: Run;
  let retirement: Record<string, unknown>;
  let verifyUrl: string;

  it("first start: runs the demonstration, prints the API URL, the verify URL and the certificate PDF", async () => {
    dataDir = tmp();
    [port, rpcPort] = [await freePort(), await freePort()];
    first = launch(["--data-dir", dataDir, "--port", String(port), "--rpc-port", String(rpcPort)]);
    await until(first, "The registry is running");
    const out = first.out();
    expect(out).to.include(`API: http://127.0.0.1:${port}`);
    expect(out).to.include("First start: running the demonstration");
    verifyUrl = `http://127.0.0.1:${port}/verify/retirements/1`;
    expect(out).to.include(`verify the retirement: ${verifyUrl}`);
    const pdf = join(dataDir, "documents", "retirement-1.pdf");
    expect(out).to.include(`retirement certificate (PDF): ${pdf}`);
    expect(readFileSync(pdf).subarray(0, 5).toString()).to.equal("%PDF-");
    // The corporate retired for its registered name: its claim (ADR 0051), applied in its Scope 3 report.
    expect(out).to.match(
      /applied: retirement #1 \(5 I-TEC\), retired for 'Acme Corporation' — the corporate's registered name, so its claim \(read at block \d+, found through the event index\)/,
    );
    const scope3 = JSON.parse(readFileSync(join(dataDir, "documents", "scope3-2026.json"), "utf8")) as {
      current: { applied: { retirementId: string }[] };
      readAt: { indexedToBlock: number | null };
    };
    expect(scope3.current.applied.map((a) => a.retirementId)).to.deep.equal(["1"]);
    expect(scope3.readAt.indexedToBlock).to.be.a("number");
    expect(first.err()).to.equal("");
    expect(readFileSync(join(dataDir, "start.lock"), "utf8").trim()).to.match(/^\d+$/);
  });

  it("the printed verify URL answers with the retirement, verified from the chain", async () => {
    retirement = await verify(verifyUrl);
    const deployment = JSON.parse(readFileSync(join(dataDir, "deployment.json"), "utf8")) as { registry: string };
    expect(retirement).to.deep.include({ retirementId: "1", verified: true });
    expect(retirement.chain).to.deep.include({ chainId: "1337", registry: deployment.registry });
    expect(retirement.claim).to.deep.include({
      account: CORPORATE,
      beneficiaryName: "Acme Corporation",
      amount: "5",
      scope3Category: 2,
    });
  });

  it("a second start (with or without --fresh) on the data directory in use is refused in one line", async () => {
    const second = launch([
      "--data-dir",
      dataDir,
      "--port",
      String(await freePort()),
      "--rpc-port",
      String(await freePort()),
    ]);
    expect(await second.exited).to.equal(1);
    expect(second.err().trim().split("\n")).to.have.length(1);
    expect(firstLine(second)).to.match(/^npm start: the data directory .* is in use by another npm start \(pid \d+\)/);
    // Not even --fresh may take it (it would delete the running registry's state).
    const fresh = launch([
      "--fresh",
      "--data-dir",
      dataDir,
      "--port",
      String(await freePort()),
      "--rpc-port",
      String(await freePort()),
    ]);
    expect(await fresh.exited).to.equal(1);
    expect(fresh.err()).to.match(
      /^npm start: the data directory .* is in use by another npm start \(pid \d+\)[^\n]*\n$/,
    );
    expect(existsSync(join(dataDir, "demo.json"))).to.equal(true);
    // The first one is untouched.
    await verify(verifyUrl);
  });

  it("a busy API port or RPC port: one line, exit 1, nothing left running", async () => {
    for (const [flag, busy] of [
      ["--port", port],
      ["--rpc-port", rpcPort],
    ] as const) {
      const otherRpc = await freePort();
      const argv = ["--data-dir", tmp(), "--port", String(await freePort()), "--rpc-port", String(otherRpc)];
      argv[argv.indexOf(flag) + 1] = String(busy);
      const run = launch(argv);
      expect(await run.exited, run.err()).to.equal(1);
      expect(run.err()).to.equal(`npm start: port ${busy} is in use: pass ${flag}\n`);
      if (flag === "--port") expect(await listening(otherRpc)).to.equal(false);
    }
  });

  it("Ctrl-C (SIGINT) stops everything: exit code 0, nothing left on the RPC port, lock released", async () => {
    expect(await stop(first, dataDir)).to.equal(0);
    expect(first.out()).to.include("stopped; state saved.");
    expect(await listening(rpcPort)).to.equal(false);
    expect(await listening(port)).to.equal(false);
    expect(existsSync(join(dataDir, "start.lock"))).to.equal(false);
  });

  it("a restart (over a stale lock) keeps the state: no demonstration again, the same retirement verifies", async () => {
    // A lock left behind by a process that is gone (a crash) is stale: it does not stop the restart.
    writeFileSync(join(dataDir, "start.lock"), `${spawnSync(process.execPath, ["-e", ""]).pid}\n`);
    const again = launch(["--data-dir", dataDir, "--port", String(port), "--rpc-port", String(rpcPort)]);
    await until(again, "The registry is running");
    expect(again.out()).to.include("(deployed earlier at block");
    expect(again.out()).not.to.include("running the demonstration");
    expect(again.out()).to.include(`demonstration retirement (from an earlier start): ${verifyUrl}`);
    expect(settled(await verify(verifyUrl))).to.deep.equal(settled(retirement));
    expect(await stop(again, dataDir)).to.equal(0);
    expect(await listening(rpcPort)).to.equal(false);
  });

  it("a restart on another --port: the chain's links and the printed URLs name the new port", async () => {
    const newPort = await freePort();
    const moved = launch(["--data-dir", dataDir, "--port", String(newPort), "--rpc-port", String(rpcPort)]);
    await until(moved, "The registry is running");
    const url = `http://127.0.0.1:${newPort}`;
    expect(moved.out()).to.include(`its public URL is now ${url} (setExternalBaseURI`);
    expect(moved.out()).to.include(`demonstration retirement (from an earlier start): ${url}/verify/retirements/1`);
    // a CLI that reads the chain alone takes the verify link from the base the registry declares on-chain
    const { ITEC_PUBLIC_URL: _unset, ...env } = process.env;
    const cli = spawnSync(
      process.execPath,
      ["bin/itec.js", "retirement", "certificate", "1", "--rpc", `http://127.0.0.1:${rpcPort}`, "--data-dir", dataDir],
      { encoding: "utf8", env },
    );
    expect(cli.status, cli.stderr).to.equal(0);
    expect(cli.stdout).to.include(`verify: ${url}/verify/retirements/1`);
    expect(await stop(moved, dataDir)).to.equal(0);
  });

  let dir: string;
  let p: number;
  let argv: string[];
  it("a data directory holding a registry of the first contract version: one line, --fresh to start over", async () => {
    // Registry v2 has an extension(); v1 had not (ADR 0006). Point the deployment record at a contract that answers
    // no extension() — the extension itself, Ignition's first deployment (the deployer's nonce 0) — and restore it.
    const record = join(dataDir, "deployment.json");
    const saved = readFileSync(record, "utf8");
    const deployment = JSON.parse(saved) as { admin: string };
    const notV2 = getCreateAddress({ from: deployment.admin, nonce: 0 });
    writeFileSync(record, JSON.stringify({ ...JSON.parse(saved), registry: notV2 }));
    try {
      const old = launch(["--data-dir", dataDir, "--port", String(port), "--rpc-port", String(rpcPort)]);
      expect(await old.exited).to.equal(1);
      expect(old.out() + old.err())
        .to.include("first contract version")
        .and.to.include("npm start -- --fresh");
      expect(await listening(rpcPort)).to.equal(false);
    } finally {
      writeFileSync(record, saved);
    }
  });

  it("a demonstration interrupted half-way (Ctrl-C after step 5) is completed by the next start", async () => {
    dir = tmp();
    p = await freePort();
    const r = await freePort();
    argv = ["--data-dir", dir, "--port", String(p), "--rpc-port", String(r)];
    const interrupted = launch(argv, { ITEC_DEMO_STOP_AFTER: "5" });
    expect(await interrupted.exited, interrupted.out() + interrupted.err()).to.equal(0);
    expect(interrupted.out()).to.include("5. The refurbisher transfers");
    expect(interrupted.out()).not.to.include("6. The corporate retires");
    expect(interrupted.out()).to.include("stopped; state saved.");
    expect(existsSync(join(dir, "demo.json"))).to.equal(false);
    expect(await listening(r)).to.equal(false);

    const resumed = launch(argv);
    await until(resumed, "The registry is running");
    const out = resumed.out();
    expect(out).to.include("Completing the demonstration an earlier start began");
    for (const done of [
      'admit 0x[0-9a-fA-F]{40} as refurbisher "Refurb Co"',
      'register auditing body "Audit Body A"',
      "accredit 0x[0-9a-fA-F]{40} for auditing body #2",
      "require signatures of 2 auditing bodies",
      "submit lot demo-lot-1 as L1",
      "transfer 10 I-TEC",
    ]) {
      expect(out).to.match(new RegExp(`✓ ${done}.*\\(done by an earlier start\\)`));
    }
    expect(out).to.match(/✓ retire 5 I-TEC of batch #1 .*\(tx 0x/); // the step it had not done
    expect(out).to.include(`verify the retirement: http://127.0.0.1:${p}/verify/retirements/1`);
    expect(resumed.err()).to.equal("");
    expect(JSON.stringify(await verify(`http://127.0.0.1:${p}/verify/retirements/1`))).to.include("Acme Corporation");
    expect(await stop(resumed, dir)).to.equal(0);
  });

  it("--fresh starts over: a new chain, a new deployment, the demonstration again", async () => {
    const fresh = launch(["--fresh", ...argv]);
    await until(fresh, "The registry is running");
    expect(fresh.out()).to.include(`--fresh: removed the state in ${dir}`);
    expect(fresh.out()).to.include("deployed with Hardhat Ignition");
    expect(fresh.out()).to.include("First start: running the demonstration");
    expect(fresh.out()).not.to.include("done by an earlier start");
    expect(fresh.out()).to.include(`verify the retirement: http://127.0.0.1:${p}/verify/retirements/1`);
    expect(await stop(fresh, dir)).to.equal(0);
  });

  it("an unknown flag: one line and the usage, exit 1", async () => {
    const run = launch(["--data-dir", tmp(), "--bogus"]);
    expect(await run.exited).to.equal(1);
    expect(firstLine(run)).to.equal("npm start: unknown option --bogus");
    expect(run.err()).to.include("usage: npm start");
    expect(run.err()).not.to.include("ERR_PARSE_ARGS");
    expect(run.out()).to.equal("");
  });
});
