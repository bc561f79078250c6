/**
 * `itec serve` end to end: the production entry point (oracle worker + indexer + API) as a child process against a
 * chain it did not start, configured only from ITEC_* variables — a lot goes from submission to a minted batch.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { runItec, type ItecRun } from "../helpers/itec.ts";

import {
  ACCOUNTS,
  deployOverRpc,
  freePort,
  startTestChain,
  type DeployedRegistry,
  type TestChain,
} from "../helpers/chain.ts";

type Run = ItecRun;

describe("itec serve (child process, against a chain it did not start)", function () {
  this.timeout(180_000);
  let chain: TestChain;
  let deployed: DeployedRegistry;
  let dir: string;
  let env: Record<string, string>;
  let serve: ChildProcessWithoutNullStreams | undefined;
  let api: string;

  function itec(args: string[], extra: Record<string, string> = {}): Promise<Run> {
    return runItec(args, { ...env, ...extra });
  }

  before(async () => {
    chain = await startTestChain();
    deployed = await deployOverRpc(chain);
    dir = mkdtempSync(join(tmpdir(), "itec-serve-"));
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k, v]) => !k.startsWith("ITEC_") && k !== "DATABASE_URL" && v !== undefined),
    ) as Record<string, string>;
    env = {
      ...clean,
      ITEC_RPC_URL: chain.url,
      ITEC_REGISTRY_ADDRESS: deployed.address,
      ITEC_CHAIN_ID: "1337",
      ITEC_DB_PATH: join(dir, "registry.db"),
      ITEC_API_PORT: String(port),
      ITEC_EVIDENCE_BASE_URL: api,
      ITEC_POLL_MS: "100",
      ITEC_INDEX_POLL_MS: "200",
      ITEC_LOG_LEVEL: "warn",
      ITEC_API_URL: api,
      // The test polls /ready every 100 ms until the index has caught up.
      ITEC_RATE_LIMIT_READY: "100000",
    };
  });

  after(async () => {
    serve?.kill("SIGKILL");
    await chain?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a bad configuration with one line naming the variable", async function () {
    const r = await itec(["serve"], { ITEC_REGISTRY_ADDRESS: "0x1234", DATABASE_URL: "mysql://x" });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^itec: invalid configuration — ITEC_REGISTRY_ADDRESS: expected a 0x-prefixed/);
    expect(r.stderr.trim().split("\n")).to.have.length(1);
    const noKey = await itec(["serve"]);
    expect(noKey.code).to.equal(1);
    expect(noKey.stderr.trim().split("\n")).to.have.length(1);
    expect(noKey.stderr).to.match(/^itec: no key configured/);
  });

  it("serves the API and index, and its worker takes a lot to a minted batch; stops on SIGTERM", async function () {
    // The oracle's key: Hardhat's well-known TEST account #1 (public; never for a real network).
    serve = spawn(process.execPath, ["bin/itec.js", "serve"], {
      env: { ...env, ITEC_ORACLE_DEV_ACCOUNT: String(ACCOUNTS.oracle) },
    });
    let out = "";
    serve.stdout.on("data", (d: Buffer) => (out += d.toString()));
    serve.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => serve!.once("exit", (code) => resolve(code)));
    for (let i = 0; !out.includes("itec serve: API"); i++) {
      if (i > 600) throw new Error(`itec serve did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(out).to.include(
      `itec serve: API ${api} · registry ${deployed.address} on chain 1337 · worker on · index on`,
    );

    let ready: { status: string; index: { ok: boolean; lastBlock: number } } | undefined;
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${api}/ready`);
      ready = (await res.json()) as typeof ready;
      if (res.status === 200 && ready!.index.lastBlock !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready).to.deep.include({ status: "ready" });
    const participants = (await (await fetch(`${api}/participants?kind=refurbisher`)).json()) as {
      participants: { account: string }[];
    };
    expect(participants.participants.map((p) => p.account)).to.include(deployed.wallet("refurbisher").address);

    const submit = await itec([
      "lot",
      "submit",
      "test/vectors/section9-lot.csv",
      "--transport",
      "hgv:600;van:250",
      "--dev-account",
      "refurbisher",
      "--json",
    ]);
    expect(submit.code, submit.stderr).to.equal(0);
    const lot = JSON.parse(submit.stdout) as { id: string };
    const sign = await itec(["auditor", "sign", `${lot.id}-server`, "--dev-account", "auditor1", "--yes", "--json"]);
    expect(sign.code, sign.stderr).to.equal(0);
    expect(JSON.parse(sign.stdout)).to.include({ state: "ready" });

    let state = "";
    for (let i = 0; i < 300 && state !== "confirmed"; i++) {
      const batch = (await (await fetch(`${api}/batches/${lot.id}-server`)).json()) as { state: string };
      state = batch.state;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(state, `the worker of itec serve posted the batch; its output:\n${out}`).to.equal("confirmed");
    expect(await deployed.registry.batchCount()).to.equal(1n);

    serve.kill("SIGTERM");
    expect(await exited).to.equal(0);
    serve = undefined;
    await fetch(`${api}/health`).then(
      () => expect.fail("the API still answers after SIGTERM"),
      () => undefined,
    );
  });
});
