/**
 * The role CLIs end to end: the real `itec` binary run as child processes (no terminal, as in a script) against a
 * running API over a real chain. The admin admits a refurbisher and adds an auditor whose key lives in a keystore
 * made with `itec keys new`; the refurbisher submits the §9 lot; two auditors review and sign; the oracle posts;
 * certificates are transferred and retired; the retirement is verified from the chain alone. Failures must exit
 * non-zero with one line.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Network } from "ethers";

import type { IndexReader } from "../../api/src/deps.ts";
import { HttpProblem } from "../../api/src/problem.ts";
import { devAccount } from "../../oracle/src/runtime/keys.ts";
import { ITECRegistry__factory } from "../../types/ethers-contracts/index.ts";
import { startApiHarness, untilConfirmed, type ApiHarness } from "../helpers/api.ts";

const LOT = "test/vectors/section9-lot.csv";
const PASSWORD = "correct horse battery staple";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A minimal event index over the chain (the real one is wired separately); `up = false` makes it answer 503. */
function chainIndex(chainUrl: string, address: string) {
  const provider = new JsonRpcProvider(chainUrl, Network.from(1337n), { staticNetwork: true, cacheTimeout: -1 });
  const r = ITECRegistry__factory.connect(address, provider);
  const state = { up: true };
  const guard = () => {
    if (!state.up) throw new HttpProblem(503, "INDEX_UNAVAILABLE", "Service unavailable", "the index is catching up");
  };
  const KINDS = ["none", "refurbisher", "itad", "corporate", "trader"];
  const STATUS = ["none", "active", "suspended"];
  const reader: IndexReader & { close(): Promise<void> } = {
    status: async () => {
      guard();
      return { lastBlock: await provider.getBlockNumber() };
    },
    ping: () => Promise.resolve(true),
    holdings: async () => {
      guard();
      const logs = await r.queryFilter(r.filters.BatchIssued());
      return logs.map((l) => ({ batchId: l.args.batchId.toString(), amount: "0" }));
    },
    participants: async (filter) => {
      guard();
      // First admission per account (a minimal stand-in: "updated" is the admission too).
      const admissions = new Map<string, { block: number }>();
      for (const l of await r.queryFilter(r.filters.ParticipantAdmitted())) {
        if (!admissions.has(l.args.account)) admissions.set(l.args.account, { block: l.blockNumber });
      }
      const rows = await Promise.all(
        [...admissions].map(async ([account, { block }]) => {
          const p = await r.participant(account);
          const at = new Date((await provider.getBlock(block))!.timestamp * 1000).toISOString();
          return {
            account,
            kind: KINDS[Number(p.kind)]!,
            status: STATUS[Number(p.status)]!,
            admittedBlock: block,
            admittedAt: at,
            updatedBlock: block,
            updatedAt: at,
          };
        }),
      );
      return rows.filter(
        (p) => (!filter.kind || p.kind === filter.kind) && (!filter.status || p.status === filter.status),
      );
    },
    auditors: async () => {
      guard();
      const role = await r.AUDITOR_ROLE();
      const granted = [...new Set((await r.queryFilter(r.filters.RoleGranted(role))).map((l) => l.args.account))];
      const current = await Promise.all(granted.map(async (a) => ((await r.hasRole(role, a)) ? a : null)));
      return current.filter((a): a is string => a !== null);
    },
    listRetirements: () => {
      guard();
      return Promise.resolve([]);
    },
    listBatches: () => {
      guard();
      return Promise.resolve([]);
    },
    close: () => Promise.resolve(provider.destroy()),
  };
  return { reader, state };
}

describe("itec role CLIs (end to end, child processes)", function () {
  this.timeout(150_000);
  let h: ApiHarness;
  let index: ReturnType<typeof chainIndex>;
  let dir: string;
  let env: Record<string, string>;

  /** Runs `itec …` as a child process with the test's environment (plus `extra`). */
  function itec(args: string[], extra: Record<string, string | undefined> = {}): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ["bin/itec.js", ...args], {
        env: Object.fromEntries(Object.entries({ ...env, ...extra }).filter(([, v]) => v !== undefined)),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** Expects success; returns stdout (parsed when `--json` was given). */
  async function ok(args: string[], extra?: Record<string, string | undefined>): Promise<string> {
    const r = await itec(args, extra);
    expect(r.code, `itec ${args.join(" ")}\n${r.stderr}`).to.equal(0);
    return r.stdout;
  }
  async function okJson<T = Record<string, unknown>>(args: string[], extra?: Record<string, string | undefined>) {
    return JSON.parse(await ok([...args, "--json"], extra)) as T;
  }

  /** Expects failure with exactly one line of reason (besides a DEV MODE notice); returns that line. */
  async function fails(args: string[], extra?: Record<string, string | undefined>): Promise<string> {
    const r = await itec(args, extra);
    expect(r.code, `itec ${args.join(" ")} should fail\n${r.stdout}`).to.equal(1);
    const lines = r.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("itec: DEV MODE"));
    expect(lines, r.stderr).to.have.length(1);
    return lines[0]!;
  }

  const address = (role: Parameters<ApiHarness["deployed"]["wallet"]>[0]) => h.deployed.wallet(role).address;
  const newRefurbisher = devAccount(8).address;
  let keystore: string;
  let keystoreAuditor: string;
  let lotId: string;
  let tokenId: string;
  let retirementId: string;

  before(async () => {
    index = undefined as unknown as ReturnType<typeof chainIndex>;
    h = await startApiHarness({
      index: (url, registry) => {
        index = chainIndex(url, registry);
        return Promise.resolve(index.reader);
      },
    });
    dir = mkdtempSync(join(tmpdir(), "itec-cli-"));
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k, v]) => !k.startsWith("ITEC_") && v !== undefined),
    ) as Record<string, string>;
    env = {
      ...clean,
      ITEC_API_URL: h.api.url,
      ITEC_RPC_URL: h.chain.url,
      ITEC_REGISTRY_ADDRESS: h.deployed.address,
    };
  });
  after(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("prints --help for every command", async function () {
    const commands = [
      [],
      ["participant", "admit"],
      ["participant", "suspend"],
      ["participant", "reinstate"],
      ["participant", "show"],
      ["participant", "list"],
      ["auditor", "add"],
      ["auditor", "remove"],
      ["auditor", "threshold"],
      ["auditor", "list"],
      ["auditor", "review"],
      ["auditor", "sign"],
      ["auditor", "reject"],
      ["lot", "submit"],
      ["lot", "status"],
      ["lot", "list"],
      ["cert", "balance"],
      ["cert", "show"],
      ["cert", "transfer"],
      ["retire"],
      ["verify", "retirement"],
      ["keys", "new"],
      ["keys", "show"],
    ];
    const queue = [...commands];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const out = await ok([...c, "--help"]);
        expect(out).to.include(`Usage: itec ${c.join(" ")}`.trimEnd());
      }
    };
    await Promise.all([worker(), worker()]);
  });

  it("creates an encrypted keystore with `keys new`, never overwrites it, and reads it back", async function () {
    keystore = join(dir, "auditor3.json");
    const made = await okJson<{ address: string }>(["keys", "new", "--out", keystore], {
      ITEC_KEYSTORE_PASSWORD: PASSWORD,
    });
    keystoreAuditor = made.address;
    expect(statSync(keystore).mode & 0o777).to.equal(0o600);
    expect(await fails(["keys", "new", "--out", keystore], { ITEC_KEYSTORE_PASSWORD: PASSWORD })).to.match(
      /^itec: KEY_UNAVAILABLE: .* exists: not overwriting a key$/,
    );
    expect(await fails(["keys", "new", "--out", join(dir, "x.json")])).to.match(/ITEC_KEYSTORE_PASSWORD/);
    expect(
      await fails(["keys", "show", "--keystore", keystore], { ITEC_KEYSTORE_PASSWORD: "wrong password" }),
    ).to.match(/cannot decrypt keystore/);
  });

  it("lets the admin admit, suspend and reinstate a participant, add an auditor and set the threshold", async function () {
    const admin = ["--dev-account", "admin"];
    const run = await itec(["participant", "admit", newRefurbisher, "--kind", "refurbisher", ...admin]);
    expect(run.code).to.equal(0);
    expect(run.stderr).to.match(/DEV MODE: .*test account #0 \(admin\).*never use it on a real network/);
    expect(run.stdout).to.match(new RegExp(`✓ admit ${newRefurbisher} as refurbisher\\n  tx 0x[0-9a-f]{64}`));

    const suspended = await okJson<{ txHash: string }>([
      "participant",
      "suspend",
      newRefurbisher,
      "--reason",
      "documents pending",
      ...admin,
    ]);
    expect(suspended.txHash).to.match(/^0x[0-9a-f]{64}$/);
    expect((await h.deployed.registry.participant(newRefurbisher)).status).to.equal(2n);
    expect(await ok(["participant", "show", newRefurbisher])).to.include("suspended refurbisher");
    await ok(["participant", "reinstate", newRefurbisher, "--reason", "documents received", ...admin]);
    expect((await h.deployed.registry.participant(newRefurbisher)).status).to.equal(1n);

    await ok(["auditor", "add", keystoreAuditor, ...admin]);
    await ok(["auditor", "threshold", "2", ...admin]);
    expect(await h.deployed.registry.hasRole(await h.deployed.registry.AUDITOR_ROLE(), keystoreAuditor)).to.equal(true);
    expect(await h.deployed.registry.auditorThreshold()).to.equal(2n);

    const list = await okJson<{ participants: { account: string; status: string }[] }>([
      "participant",
      "list",
      "--kind",
      "refurbisher",
    ]);
    expect(list.participants.map((p) => p.account)).to.include.members([address("refurbisher"), newRefurbisher]);
    const auditors = await ok(["auditor", "list"]);
    expect(auditors).to.include("threshold: 2").and.include(keystoreAuditor).and.include(address("auditor1"));
  });

  it("submits the §9 lot and prints the calculation per batch", async function () {
    const args = ["lot", "submit", LOT, "--transport", "hgv:600;van:250", "--lot-ref", "S9-cli", "--dev-account", "8"];
    const lot = await okJson<{
      id: string;
      refurbisher: string;
      batches: { id: string; category: string; state: string }[];
    }>(args);
    lotId = lot.id;
    expect(lot.refurbisher).to.equal(newRefurbisher);
    const states = Object.fromEntries(lot.batches.map((b) => [b.category, b.state]));
    expect(states).to.include({ server: "awaiting_signatures", desktop: "awaiting_signatures" });
    const status = await ok(["lot", "status", lotId]);
    expect(status).to.match(/server\s+1\s+1\s+984\.960\s+261\.023\s+\S+\s+L\d+-server\s+awaiting_signatures/);
    expect(status).to.include(`reportHash 0x`).and.include("ITEC-CALC 1.0 · ITEC-PARAMS-1");
    expect(await fails(args)).to.match(/^itec: LOT_DUPLICATE: /);
  });

  it("shows the auditor everything to check, and checks the typed data and report locally", async function () {
    const id = `${lotId}-server`;
    const out = await ok(["auditor", "review", id]);
    for (const text of [
      "category                server",
      "984.960 kgCO2e per device",
      "261.023 kgCO2e per device",
      "723.937 kgCO2e per device (B̄ − V̄)",
      "total reduction         261.023 kgCO2e",
      "ITEC-CALC 1.0 · parameters ITEC-PARAMS-1",
      `${h.api.url}/lots/${lotId}/report`,
      `chain 1337 · ${h.deployed.address}`,
      "threshold               2 signature(s)",
      "signatures so far       none",
      "✓ typed data hashes to the digest",
      "✓ signing domain is the registry shown",
      "✓ typed data states the figures shown",
      "✓ report hashes to the report hash",
      "✓ report states the same batch",
    ]) {
      expect(out).to.include(text);
    }
    const json = await okJson<{
      verified: boolean;
      digest: string;
      review: { baselineKgPerDevice: string; reductionKgPerDevice: string; owner: string };
    }>(["auditor", "review", id]);
    expect(json.verified).to.equal(true);
    expect(json.review).to.include({ baselineKgPerDevice: "984.960", reductionKgPerDevice: "261.023" });
    expect(json.review.owner).to.equal(newRefurbisher);
  });

  it("signs with a dev account and a keystore key, after --yes, and refuses non-auditors", async function () {
    const id = `${lotId}-server`;
    expect(await fails(["auditor", "sign", id, "--dev-account", "auditor1"])).to.equal(
      "itec: not a terminal: pass --yes to confirm",
    );
    expect(await fails(["auditor", "sign", id, "--dev-account", "corporate", "--yes"])).to.match(
      /^itec: SIGNER_NOT_AUDITOR: 0x976EA74026E726554dB657fA54763abd0C3a0aa9 does not hold the auditor role/,
    );
    const first = await ok(["auditor", "sign", id, "--dev-account", "auditor1", "--yes"]);
    expect(first).to.include("984.960").and.include("✓ report hashes to the report hash");
    expect(first).to.include(
      `✓ ${address("auditor1")} signed ${id}: 1 of 2 signature(s); batch is awaiting_signatures`,
    );
    const second = await okJson<{ auditor: string; state: string; accepted: number }>(
      ["auditor", "sign", id, "--keystore", keystore, "--yes"],
      { ITEC_KEYSTORE_PASSWORD: PASSWORD },
    );
    expect(second).to.include({ auditor: keystoreAuditor, state: "ready", accepted: 2 });
  });

  it("lets an auditor reject a batch with a signed reason", async function () {
    const out = await okJson<{ state: string; reason: string }>([
      "auditor",
      "reject",
      `${lotId}-desktop`,
      "--reason",
      "test reports missing",
      "--dev-account",
      "auditor2",
      "--yes",
    ]);
    expect(out).to.include({ state: "rejected", reason: "test reports missing" });
  });

  it("shows the minted certificates once the oracle has posted the batch", async function () {
    const store = h.api.oracle.oracle.store;
    await untilConfirmed(h, [`${lotId}-server`]);
    expect(store.batch(`${lotId}-server`)!.state).to.equal("confirmed");
    tokenId = store.batch(`${lotId}-server`)!.token_id!;
    expect(await ok(["lot", "status", lotId])).to.include(`confirmed → batch #${tokenId}`);
    const balance = await ok(["cert", "balance", "--dev-account", "8"]);
    expect(balance)
      .to.include(`${newRefurbisher}: 1 I-TEC in 1 batch(es)`)
      .and.match(/#\d+\s+server\s+1\s+261\.023/);
    const show = await okJson<{ issued: string; auditors: string[] }>(["cert", "show", tokenId]);
    expect(show.issued).to.equal("1");
    expect(show.auditors).to.have.members([address("auditor1"), keystoreAuditor]);
  });

  it("transfers certificates, refusing an amount the holder does not have", async function () {
    const transfer = ["cert", "transfer", "--to", address("corporate"), "--batch", tokenId, "--dev-account", "8"];
    expect(await fails([...transfer, "--amount", "2"])).to.match(/^itec: WOULD_REVERT: ERC1155InsufficientBalance\(/);
    const sent = await okJson<{ txHash: string; description: string }>([...transfer, "--amount", "1"]);
    expect(sent.description).to.equal(
      `transfer 1 I-TEC of batch #${tokenId} from ${newRefurbisher} to ${address("corporate")}`,
    );
    const held = await okJson<{ balances: { batchId: string; amount: string }[] }>([
      "cert",
      "balance",
      address("corporate"),
    ]);
    expect(held.balances).to.deep.equal([{ batchId: tokenId, amount: "1", category: "server" }]);
  });

  it("retires against a claim and prints the retirement id and verify URL", async function () {
    const out = await okJson<{ retirementId: string; verifyUrl: string; txHash: string }>([
      "retire",
      "--batch",
      tokenId,
      "--amount",
      "1",
      "--beneficiary-name",
      "Acme Corporation",
      "--period",
      "2026-01-01..2026-12-31",
      "--scope3",
      "2",
      "--purpose",
      "FY2026 server procurement",
      "--dev-account",
      "corporate",
    ]);
    retirementId = out.retirementId;
    expect(retirementId).to.equal("1");
    expect(out.verifyUrl).to.equal(`${h.api.url}/verify/retirements/1`);
    expect((await h.deployed.registry.retirement(1n)).amount).to.equal(1n);
  });

  it("verifies the retirement from the chain alone, and exits 1 when a check fails", async function () {
    // No API: verification reads the chain only.
    const offline = { ITEC_API_URL: "http://127.0.0.1:1" };
    const out = await ok(["verify", "retirement", retirementId], offline);
    expect(out).to.match(/^Retirement #1: VERIFIED from the chain/);
    for (const text of [
      "Acme Corporation",
      "1 I-TEC · 261.023 kgCO2e verified reduction claimed",
      "2026-01-01 … 2026-12-31",
      "2 (capital goods)",
      `contract              ${h.deployed.address}`,
      "✓ claim texts bound to the stored hash",
      "✓ certificates burned",
      "✓ batch issued against an audited attestation",
      "Nothing in this answer comes from the registry's own database.",
    ]) {
      expect(out).to.include(text);
    }
    const json = await okJson<{ verified: boolean; claim: { beneficiaryName: string } }>(
      ["verify", "retirement", retirementId],
      offline,
    );
    expect(json.verified).to.equal(true);
    expect(json.claim.beneficiaryName).to.equal("Acme Corporation");

    const admin = ITECRegistry__factory.connect(h.deployed.address, devAccount(0, h.chain.provider));
    await (await admin.suspendBatch(BigInt(tokenId), "audit finding")).wait();
    try {
      const failed = await itec(["verify", "retirement", retirementId]);
      expect(failed.code).to.equal(1);
      expect(failed.stdout).to.include("NOT VERIFIED").and.include("✗ batch not suspended");
      expect(failed.stderr).to.equal("itec: retirement #1 failed 1 check(s): batch not suspended\n");
    } finally {
      await (await admin.reinstateBatch(BigInt(tokenId), "cleared")).wait();
    }
    expect(await fails(["verify", "retirement", "99"])).to.equal("itec: NOT_FOUND: no retirement #99 on the registry");
  });

  it("fails with one line: wrong role, bad address, unknown batch, unreachable API, missing key, index down", async function () {
    const cases: [string[], Record<string, string> | undefined, RegExp][] = [
      [
        ["participant", "admit", address("trader"), "--kind", "trader", "--dev-account", "corporate"],
        undefined,
        /^itec: FORBIDDEN: 0x976EA74026E726554dB657fA54763abd0C3a0aa9 is an active corporate; this needs: admin$/,
      ],
      [
        ["participant", "admit", "0x1234", "--kind", "trader", "--dev-account", "admin"],
        undefined,
        /^error: command-argument value '0x1234' is invalid for argument 'address'\. not an Ethereum address/,
      ],
      [
        ["participant", "admit", address("trader"), "--dev-account", "admin"],
        undefined,
        /^error: required option '--kind <kind>' not specified$/,
      ],
      [["auditor", "review", "L99-server"], undefined, /^itec: NOT_FOUND: no batch L99-server$/],
      [
        ["lot", "status", "L1", "--api", "http://127.0.0.1:1"],
        undefined,
        /^itec: API_UNREACHABLE: the registry API at http:\/\/127\.0\.0\.1:1 is unreachable/,
      ],
      [
        ["cert", "transfer", "--to", address("trader"), "--batch", "1", "--amount", "1"],
        undefined,
        /^itec: KEY_UNAVAILABLE: no key: pass --keystore <file>/,
      ],
      [
        ["cert", "transfer", "--to", address("trader"), "--batch", "1", "--amount", "1"],
        { ITEC_KEYSTORE: keystore },
        /^itec: KEY_UNAVAILABLE: keystore .* needs a password: set ITEC_KEYSTORE_PASSWORD/,
      ],
      [
        [
          "retire",
          "--batch",
          "1",
          "--amount",
          "1",
          "--beneficiary-name",
          "x",
          "--scope3",
          "2",
          "--period",
          "2026-12-31..2026-01-01",
        ],
        undefined,
        /^error: option '--period <start\.\.end>' argument '2026-12-31\.\.2026-01-01' is invalid\. the period ends before it starts\.$/,
      ],
    ];
    const queue = [...cases];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) expect(await fails(c[0], c[1])).to.match(c[2]);
    };
    await Promise.all([worker(), worker()]);
    index.state.up = false;
    try {
      expect(await fails(["participant", "list"])).to.equal("itec: INDEX_UNAVAILABLE: the index is catching up");
    } finally {
      index.state.up = true;
    }
  });
});
