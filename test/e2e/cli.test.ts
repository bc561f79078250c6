/**
 * The role CLIs end to end: the real `itec` binary run as child processes (no terminal, as in a script) against a
 * running API over a real chain. The admin admits a refurbisher under its name, registers an auditing body and
 * accredits an auditor whose key lives in a keystore made with `itec keys new`; the refurbisher submits the §9
 * lot; two auditors of two bodies review and sign; the oracle posts; certificates are transferred and retired; the
 * retirement is verified from the chain alone; a batch is reversed and the claim replaced; fraud proofs are made
 * and settled. Failures must exit non-zero with one line.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";

import { runItec, type ItecRun } from "../helpers/itec.ts";
import { id as hashText, JsonRpcProvider, keccak256, Network, toUtf8Bytes } from "ethers";

import type { IndexReader } from "../../api/src/deps.ts";
import { HttpProblem } from "../../api/src/problem.ts";
import { devAccount } from "../../core/keys.ts";
import type { Attestation } from "../../sdk/src/attestation.ts";
import { ApiClient } from "../../sdk/src/api-client.ts";
import { registryAt } from "../../sdk/src/registry.ts";
import { submitDemoLot } from "../../scripts/lib/demo.ts";
import { startApiHarness, untilConfirmed, type ApiHarness } from "../helpers/api.ts";
import { startDroppingProxy } from "../helpers/proxy.ts";
import { DAY, METHOD, PARAMS, signAttestation } from "../helpers/registry.ts";

const LOT = "test/vectors/section9-lot.csv";
const PASSWORD = "correct horse battery staple";

type Run = ItecRun;

/** A minimal event index over the chain (the real one is wired separately); `up = false` makes it answer 503. */
function chainIndex(chainUrl: string, address: string) {
  const provider = new JsonRpcProvider(chainUrl, Network.from(1337n), { staticNetwork: true, cacheTimeout: -1 });
  const r = registryAt(address, provider);
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
            name: p.name,
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
      const accredited = [...new Set((await r.queryFilter(r.filters.AuditorAccredited())).map((l) => l.args.auditor))];
      const current = await Promise.all(
        accredited.map(async (a) => ((await r.accreditation(a)).bodyId !== 0n ? a : null)),
      );
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
    return runItec(args, { ...env, ...extra });
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
      // One client here runs every role's commands at machine speed (each signing command signs in): far above a
      // person's rate. The limits themselves are tested in test/api/rate-limit.test.ts.
      env: { ITEC_RATE_LIMIT_AUTH: "10000", ITEC_RATE_LIMIT_WRITE: "10000" },
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
      ["participant", "rename"],
      ["participant", "suspend"],
      ["participant", "reinstate"],
      ["participant", "show"],
      ["participant", "list"],
      ["auditor", "register-body"],
      ["auditor", "rename-body"],
      ["auditor", "accredit"],
      ["auditor", "revoke"],
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
      ["replace"],
      ["batch", "suspend"],
      ["batch", "reinstate"],
      ["batch", "reverse"],
      ["challenge", "duplicate-device"],
      ["challenge", "tree-size"],
      ["challenge", "index-reuse"],
      ["challenge", "settle"],
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

  it("lets the admin admit, rename, suspend and reinstate a participant, accredit an auditor and set the threshold", async function () {
    const admin = ["--dev-account", "admin"];
    const run = await itec([
      "participant",
      "admit",
      newRefurbisher,
      "--kind",
      "refurbisher",
      "--name",
      "Second Life IT",
      ...admin,
    ]);
    expect(run.code).to.equal(0);
    expect(run.stderr).to.match(/DEV MODE: .*test account #0 \(admin\).*never use it on a real network/);
    expect(run.stdout).to.match(
      new RegExp(`✓ admit ${newRefurbisher} as refurbisher "Second Life IT"\\n  tx 0x[0-9a-f]{64}`),
    );
    await ok(["participant", "rename", newRefurbisher, "--name", "Second Life IT Ltd", ...admin]);
    expect((await h.deployed.registry.participant(newRefurbisher)).name).to.equal("Second Life IT Ltd");

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
    expect(await ok(["participant", "show", newRefurbisher])).to.include('suspended refurbisher "Second Life IT Ltd"');
    await ok(["participant", "reinstate", newRefurbisher, "--reason", "documents received", ...admin]);
    expect((await h.deployed.registry.participant(newRefurbisher)).status).to.equal(1n);

    // A third auditing body, whose auditor signs with a keystore key.
    const registered = await okJson<{ description: string }>(["auditor", "register-body", "Audit Body K", ...admin]);
    expect(registered.description).to.equal('register auditing body "Audit Body K"');
    await ok(["auditor", "rename-body", "3", "--name", "Keystore Audit Body", ...admin]);
    await ok([
      "auditor",
      "accredit",
      keystoreAuditor,
      "--body",
      "3",
      "--categories",
      "all",
      "--from",
      "2026-01-01",
      "--until",
      "2036-12-31",
      ...admin,
    ]);
    await ok(["auditor", "threshold", "2", ...admin]);
    const accreditation = await h.deployed.registry.accreditation(keystoreAuditor);
    expect([accreditation.bodyId, accreditation.categories]).to.deep.equal([3n, 0x7en]);
    expect((await h.deployed.registry.auditorBody(3)).name).to.equal("Keystore Audit Body");
    expect(await h.deployed.registry.auditorThreshold()).to.equal(2n);

    const list = await okJson<{ participants: { account: string; name: string; status: string }[] }>([
      "participant",
      "list",
      "--kind",
      "refurbisher",
    ]);
    expect(list.participants.map((p) => [p.account, p.name])).to.deep.include.members([
      [address("refurbisher"), "Refurb Co"],
      [newRefurbisher, "Second Life IT Ltd"],
    ]);
    const auditors = await ok(["auditor", "list"]);
    expect(auditors)
      .to.include("threshold: signatures of 2 auditing bodies per issuance")
      .and.match(new RegExp(`${keystoreAuditor}\\s+#3 Keystore Audit Body\\s+all\\s+2026-01-01 to 2036-12-31`))
      .and.include(address("auditor1"));
    // An accreditation the admin cannot give: to itself (admin, issuer and auditors are separate keys).
    expect(
      await fails([
        "auditor",
        "accredit",
        address("admin"),
        "--body",
        "1",
        "--categories",
        "laptop",
        "--from",
        "2026-01-01",
        "--until",
        "2026-12-31",
        ...admin,
      ]),
    ).to.match(/^itec: /);
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
    // The identical lot again (a retry): the stored lot, exit 0, the same answer as the first time.
    expect(await okJson(args)).to.deep.equal(lot);
    const again = await ok(args);
    expect(again, again).to.match(
      new RegExp(
        `^already submitted as ${lotId}: nothing new was stored\\nlot ${lotId} \\(ref S9-cli\\) submitted by ${newRefurbisher}`,
      ),
    );
    expect(again).to.match(/server\s+1\s+1\s+984\.960\s+261\.023/);
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
      "✓ device root is the report's devices",
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
      /^itec: SIGNER_NOT_AUDITOR: 0x976EA74026E726554dB657fA54763abd0C3a0aa9 is not an accredited auditor of the registry/,
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
    expect((await store.batch(`${lotId}-server`))!.state).to.equal("confirmed");
    tokenId = (await store.batch(`${lotId}-server`))!.token_id!;
    expect(await ok(["lot", "status", lotId])).to.include(`confirmed → batch #${tokenId}`);
    const balance = await ok(["cert", "balance", "--dev-account", "8"]);
    expect(balance)
      .to.include(`${newRefurbisher}: 1 I-TEC in 1 batch(es)`)
      .and.match(/#\d+\s+server\s+1\s+261\.023/);
    const show = await okJson<{ issued: string; auditors: string[] }>(["cert", "show", tokenId]);
    expect(show.issued).to.equal("1");
    expect(show.auditors).to.have.members([address("auditor1"), keystoreAuditor]);
  });

  it("tells an auditor who signs again whether their signature was counted", async function () {
    const id = `${lotId}-server`;
    const counted = await ok(["auditor", "sign", id, "--dev-account", "auditor1", "--yes"]);
    expect(counted).to.equal(
      `✓ your signature (${address("auditor1")}) was already counted for ${id}: 2 signature(s) counted; batch is ` +
        `confirmed → batch #${tokenId}. Nothing new was signed.\n`,
    );
    const json = await okJson<{ alreadyCounted: boolean; counted: string[] }>([
      "auditor",
      "sign",
      id,
      "--dev-account",
      "auditor1",
      "--yes",
    ]);
    expect(json.alreadyCounted).to.equal(true);
    expect(json.counted).to.have.members([address("auditor1"), keystoreAuditor]);
    expect(await fails(["auditor", "sign", id, "--dev-account", "auditor2", "--yes"])).to.equal(
      `itec: BATCH_STATE: batch ${id} is confirmed: it takes no signatures; yours (${address("auditor2")}) is ` +
        `not among the 2 counted (${json.counted.join(", ")}), and there is nothing to sign`,
    );
  });

  it("transfers certificates, refusing an amount the holder does not have", async function () {
    const transfer = ["cert", "transfer", "--to", address("corporate"), "--batch", tokenId, "--dev-account", "8"];
    // A contract revert reads as one sentence with the next step; --json keeps the raw error.
    expect(await fails([...transfer, "--amount", "2"])).to.equal(
      `itec: ${newRefurbisher} holds 1 I-TEC(s) of batch #${tokenId}, fewer than the 2 asked: see its holdings ` +
        `with \`itec cert balance ${newRefurbisher}\``,
    );
    const raw = await itec([...transfer, "--amount", "2", "--json"]);
    expect(raw.code).to.equal(1);
    const { error } = JSON.parse(raw.stdout) as {
      error: { code: string; revert: { name: string; args: Record<string, string>; message: string } };
    };
    expect(error.code).to.equal("WOULD_REVERT");
    expect(error.revert).to.deep.equal({
      name: "ERC1155InsufficientBalance",
      args: { sender: newRefurbisher, balance: "1", needed: "2", tokenId },
      message: `ERC1155InsufficientBalance(sender=${newRefurbisher}, balance=1, needed=2, tokenId=${tokenId})`,
    });
    const outsider = devAccount(9).address;
    expect(
      await fails(["cert", "transfer", "--to", outsider, "--batch", tokenId, "--amount", "1", "--dev-account", "8"]),
    ).to.equal(
      `itec: ${outsider} is not an admitted participant: the registry admin can admit it with ` +
        `\`itec participant admit ${outsider} --kind <refurbisher|itad|corporate|trader> --name "…"\``,
    );
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

    await ok(["batch", "suspend", tokenId, "--reason", "audit finding", "--dev-account", "admin"]);
    try {
      const failed = await itec(["verify", "retirement", retirementId]);
      expect(failed.code).to.equal(1);
      expect(failed.stdout).to.include("NOT VERIFIED").and.include("✗ batch not suspended or reversed");
      expect(failed.stderr).to.equal("itec: retirement #1 failed 1 check(s): batch not suspended or reversed\n");
    } finally {
      await ok(["batch", "reinstate", tokenId, "--reason", "cleared", "--dev-account", "admin"]);
    }
    expect(await fails(["verify", "retirement", "99"])).to.equal("itec: NOT_FOUND: no retirement #99 on the registry");
  });

  it("fails with one line: wrong role, bad address, unknown batch, unreachable API, missing key, index down", async function () {
    const cases: [string[], Record<string, string> | undefined, RegExp][] = [
      [
        ["participant", "admit", address("trader"), "--kind", "trader", "--name", "T", "--dev-account", "corporate"],
        undefined,
        /^itec: FORBIDDEN: 0x976EA74026E726554dB657fA54763abd0C3a0aa9 is an active corporate; this needs: admin$/,
      ],
      [
        ["participant", "admit", "0x1234", "--kind", "trader", "--name", "T", "--dev-account", "admin"],
        undefined,
        /^error: command-argument value '0x1234' is invalid for argument 'address'\. not an Ethereum address/,
      ],
      [
        ["participant", "admit", address("trader"), "--name", "T", "--dev-account", "admin"],
        undefined,
        /^error: required option '--kind <kind>' not specified$/,
      ],
      [
        ["participant", "admit", address("trader"), "--kind", "trader", "--dev-account", "admin"],
        undefined,
        /^error: required option '--name <name>' not specified$/,
      ],
      [
        ["auditor", "accredit", address("trader"), "--body", "1", "--categories", "toasters", "--from", "2026-01-01"],
        undefined,
        /^error: option '--categories <list>' argument 'toasters' is invalid\. expected "all" or a comma-separated list/,
      ],
      [
        ["challenge", "tree-size", "/nonexistent/proof.json"],
        undefined,
        /^error: command-argument value '\/nonexistent\/proof\.json' is invalid for argument 'proof'\. .*cannot read it \(ENOENT\)/,
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

  /** A lot file in the test's directory: rows of the §9 lot picked by serial, serials prefixed, transport as given. */
  function lotFile(name: string, prefix: string, serials: string[], transport?: (row: string[]) => string): string {
    const [header, ...rows] = readFileSync(LOT, "utf8").trim().split("\n");
    const picked = rows
      .map((r) => r.split(","))
      .filter((r) => serials.includes(r[0]!))
      .map((r) => {
        r[0] = `${prefix}${r[0]}`;
        if (transport) r[9] = transport(r);
        return r.join(",");
      });
    const file = join(dir, name);
    writeFileSync(file, `${header}\n${picked.join("\n")}\n`);
    return file;
  }
  const LAPTOPS = ["S9-5420-001", "S9-T490-004", "S9-U7410-005", "S9-7420-006"];

  it("prints the missing-transport hint first and once, and each kind of problem once (calc, lot submit, lot status)", async function () {
    // The §9 rows: desktop and server carry their own transport, the four laptops none.
    const mixed = lotFile("mixed.csv", "MX-", ["S9-HP880-002", "S9-R740-003", ...LAPTOPS]);
    const hint =
      '→ 4 rows have no transport of their own and the lot has no default: pass the lot\'s legs, e.g. --transport "hgv:600;van:250", or fill the transport column';
    const grouped = /^ {2}lines 2, 5–7 \(4 rows\), column 10 \(transport\): "" — expected transport legs like/m;
    const calc = (await ok(["calc", mixed])).split("\n");
    expect(calc[1]).to.match(/· 6 devices: 2 eligible, 4 excluded \(BAD_INPUT 4\)$/);
    expect(calc[2]).to.equal(hint); // before the device table and every per-row line
    expect(calc.filter((l) => l.includes("no transport"))).to.have.length(1);
    expect(calc.filter((l) => l.includes("column 10 (transport)"))).to.have.length(1);
    expect(calc.join("\n")).to.match(grouped);

    const submitted = (await ok(["lot", "submit", mixed, "--dev-account", "refurbisher"])).split("\n");
    const lot = /^lot (L\d+) /.exec(submitted[0]!)![1]!;
    for (const out of [submitted, (await ok(["lot", "status", lot])).split("\n")]) {
      expect(out[1]).to.match(/· as of \d{4}-\d{2}-\d{2} · 6 devices: 2 eligible, 4 excluded \(BAD_INPUT 4\)$/);
      expect(out[2]).to.equal(hint);
      expect(out.filter((l) => l.includes("no transport"))).to.have.length(1);
      expect(out.filter((l) => l.includes("column 10 (transport)"))).to.have.length(1);
      expect(out.join("\n")).to.match(grouped).and.include("BAD_INPUT (4 problems):");
    }
  });

  it("refuses a lot with no eligible device, stores nothing, and takes the corrected lot", async function () {
    const laptops = lotFile("laptops.csv", "NT-", LAPTOPS);
    const args = ["lot", "submit", laptops, "--dev-account", "refurbisher"];
    const refused = await itec(args);
    expect(refused.code).to.equal(1);
    expect(refused.stderr.split("\n").filter((l) => l && !l.startsWith("itec: DEV MODE"))).to.deep.equal([
      "itec: LOT_NOTHING_ELIGIBLE: none of the lot's 4 devices is eligible, so nothing was stored: fix the problems listed above and submit again",
    ]);
    expect(refused.stdout.split("\n")).to.deep.equal([
      `lot ${laptops} not stored: 4 devices: 0 eligible, 4 excluded (BAD_INPUT 4)`,
      '→ 4 rows have no transport of their own and the lot has no default: pass the lot\'s legs, e.g. --transport "hgv:600;van:250", or fill the transport column',
      "",
      "BAD_INPUT (4 problems):",
      '  lines 2–5 (4 rows), column 10 (transport): "" — expected transport legs like hgv:600;van:250 (modes van, hgv, rail, sea, air; or none); the lot has no default transport',
      "",
    ]);
    // Nothing was stored, so the same devices with the transport are a new lot, not a LOT_DUPLICATE.
    const lot = await okJson<{ id: string; summary: { eligible: number } }>([
      ...args,
      "--transport",
      "hgv:600;van:250",
    ]);
    expect(lot.summary.eligible).to.equal(4);
  });

  it("answers a retry after a dropped connection: the identical lot and signature were taken once", async function () {
    const proxy = await startDroppingProxy(h.api.url);
    try {
      const file = lotFile("retry.csv", "RT-", ["S9-HP880-002", "S9-R740-003"]);
      const args = ["lot", "submit", file, "--transport", "hgv:600;van:250", "--dev-account", "refurbisher"];
      const viaProxy = [...args, "--api", proxy.url];
      proxy.dropNext((method, path) => method === "POST" && path.startsWith("/lots"));
      const lost = await fails(viaProxy);
      expect(proxy.dropped).to.have.length(1);
      const command = `itec lot submit ${file} --transport 'hgv:600;van:250' --dev-account refurbisher --api ${proxy.url}`;
      expect(lost).to.match(
        new RegExp(
          `^itec: API_CONNECTION_LOST: the connection to the registry API at ${proxy.url} dropped before it ` +
            "answered POST /lots\\?defaultTransport=.*: the request may or may not have been carried out — to find " +
            "out, run the same command again; that is safe, as an identical lot is answered with the one stored " +
            "\\(exit 0\\): ",
        ),
      );
      expect(lost.endsWith(`: ${command}`), lost).to.equal(true);

      // The command it names: the lot had landed, and the retry says so (exit 0).
      const again = await ok(viaProxy);
      const lotId = /^already submitted as (L\d+): nothing new was stored\n/.exec(again)![1]!;
      expect(again).to.include(`lot ${lotId} (ref sha256:`);

      // Other options for the same devices: refused, saying why and how to resubmit.
      const other = await fails([...args.slice(0, 3), "--transport", "hgv:100", "--dev-account", "refurbisher"]);
      expect(other).to.match(
        new RegExp(
          `^itec: LOT_DUPLICATE: these devices were already submitted as lot ${lotId} \\(ref sha256:[0-9a-f]{64}\\) ` +
            "with other options \\(defaultTransport hgv:600;van:250 → hgv:100\\); the options are not part of a " +
            "lot's identity, so the same devices are never certified twice: " +
            `${lotId}-desktop \\(awaiting_signatures\\), ${lotId}-server \\(awaiting_signatures\\) still hold its ` +
            "devices until an auditor rejects them \\(`itec auditor reject <batch job> --reason …`\\); then submit " +
            "it under a new lot reference \\(lotRef; `itec lot submit --lot-ref <new-ref>`\\)$",
        ),
      );
      // A new reference while those batches hold the devices: nothing eligible, nothing stored.
      const held = await itec([
        ...args.slice(0, 3),
        "--transport",
        "hgv:100",
        "--lot-ref",
        "retry-2",
        "--dev-account",
        "refurbisher",
      ]);
      expect(held.code).to.equal(1);
      expect(held.stderr).to.include(
        `itec: LOT_NOTHING_ELIGIBLE: none of the lot's 2 devices is eligible (excluded: SERIAL_DUPLICATE 2), so ` +
          `nothing was stored: its eligible devices are already in ${lotId}-desktop, ${lotId}-server`,
      );

      // An auditor's signature whose answer is lost: the retry says it was counted.
      const batch = `${lotId}-server`;
      const sign = ["auditor", "sign", batch, "--dev-account", "auditor1", "--yes", "--api", proxy.url];
      proxy.dropNext((method, path) => method === "POST" && path === `/batches/${batch}/signatures`);
      const unsure = await fails(sign);
      expect(unsure).to.match(/^itec: API_CONNECTION_LOST: .*may or may not have been carried out — /);
      expect(unsure).to.include(`\`itec auditor review ${batch}\` lists the signatures counted so far`);
      expect(unsure.endsWith(`: itec ${sign.join(" ")}`), unsure).to.equal(true);
      expect(await ok(sign)).to.match(
        new RegExp(`^✓ your signature \\(${address("auditor1")}\\) was already counted for ${batch}: 1 signature`),
      );
    } finally {
      await proxy.close();
    }
  });

  it("reverses a batch, replaces the reversed claim, and makes and settles a fraud proof", async function () {
    const registry = h.deployed.registry;
    const admin = ["--dev-account", "admin"];
    let issued = 0;
    /** A batch of `category` to the refurbisher, signed by two bodies (threshold 2), under `tree`'s root. */
    const issue = async (category: number, certificates: bigint, tree?: StandardMerkleTree<[bigint, string]>) => {
      issued += 1;
      const now = BigInt((await h.chain.provider.getBlock("latest"))!.timestamp);
      const attestation: Attestation = {
        owner: address("refurbisher"),
        category,
        certificates,
        baselineGrams: 900_000n,
        reductionGrams: 300_000n,
        vintageStart: now - 30n * DAY,
        vintageEnd: now - DAY,
        methodology: METHOD,
        parameters: PARAMS,
        reportHash: keccak256(toUtf8Bytes(`cli-test-report-${issued}`)),
        referenceDataHash: keccak256(toUtf8Bytes("reference-data")),
        deviceRoot: tree?.root ?? keccak256(toUtf8Bytes(`cli-test-root-${issued}`)),
        sampleHash: `0x${"00".repeat(32)}`,
        evidenceURI: `https://registry.example/lots/cli-${issued}/report.json`,
        deadline: now + 30n * DAY,
      };
      const signers = [h.deployed.wallet("auditor1"), h.deployed.wallet("auditor2")];
      const signatures = await signAttestation(
        { chainId: h.chain.chainId, address: h.deployed.address },
        attestation,
        signers,
      );
      await (await registry.connect(h.deployed.wallet("oracle")).issue(attestation, signatures)).wait();
      return String(await registry.batchCount());
    };

    // The server batch retirement #1 rests on is found wrong; the corporate restores its claim with another one.
    const spare = await issue(6, 5n);
    await ok([
      "cert",
      "transfer",
      "--to",
      address("corporate"),
      "--batch",
      spare,
      "--amount",
      "2",
      "--dev-account",
      "refurbisher",
    ]);
    const reversed = await okJson<{ description: string }>([
      "batch",
      "reverse",
      tokenId,
      "--reason",
      "devices double counted",
      "--evidence",
      "https://registry.example/findings/1",
      ...admin,
    ]);
    expect(reversed.description).to.equal(`reverse batch #${tokenId}: devices double counted`);
    expect((await registry.claimStatus(BigInt(retirementId)))[0]).to.equal(1n); // Reversed
    expect(await fails(["batch", "reinstate", tokenId, "--reason", "x", ...admin])).to.match(/^itec: /);
    const replaced = await ok(["replace", retirementId, "--from-batch", spare, "--dev-account", "corporate"]);
    expect(replaced).to.include(
      `✓ replace reversed retirement #${retirementId} with certificates of batch #${spare} held by ${address("corporate")}`,
    );
    const [status, batchId] = await registry.claimStatus(BigInt(retirementId));
    expect([status, String(batchId)]).to.deep.equal([2n, spare]); // Replaced
    expect(await registry.balanceOf(address("corporate"), BigInt(spare))).to.equal(1n);

    // A device in two batches' trees: anyone proves it from two proof files, the admin finds the later at fault.
    const tree = (leaves: [number, string][]) =>
      StandardMerkleTree.of(
        leaves.map(([i, d]) => [BigInt(i), hashText(d)] as [bigint, string]),
        ["uint256", "bytes32"],
      );
    const t1 = tree([
      [0, "cli-device-a"],
      [1, "cli-device-b"],
    ]);
    const t2 = tree([
      [0, "cli-device-b"],
      [1, "cli-device-c"],
    ]);
    const b1 = await issue(2, 2n, t1);
    const b2 = await issue(2, 2n, t2);
    const proofFile = (name: string, t: typeof t1, position: number) => {
      const [index, deviceId] = t.at(position)!;
      const file = join(dir, name);
      writeFileSync(
        file,
        JSON.stringify({ root: t.root, index: index.toString(), deviceId, proof: t.getProof(position) }),
      );
      return file;
    };
    const a = proofFile("a.json", t1, 1);
    const b = proofFile("b.json", t2, 0);
    const opened = await okJson<{ description: string }>([
      "challenge",
      "duplicate-device",
      a,
      b,
      "--dev-account",
      "trader",
    ]);
    expect(opened.description).to.equal(
      `challenge: device ${hashText("cli-device-b")} is in the trees ${t1.root} and ${t2.root}`,
    );
    const challengeId = String(await registry.challengeCount());
    expect([(await registry.batch(BigInt(b1))).status, (await registry.batch(BigInt(b2))).status]).to.deep.equal([
      1n,
      1n,
    ]);
    expect(await fails(["challenge", "duplicate-device", a, b, "--dev-account", "trader"])).to.match(/^itec: /);
    await ok([
      "challenge",
      "settle",
      challengeId,
      "--faulty",
      b2,
      "--reason",
      "the later batch lists an earlier device",
      "--evidence",
      "ipfs://finding",
      ...admin,
    ]);
    expect((await registry.batch(BigInt(b1))).status).to.equal(0n); // released
    expect((await registry.batchHold(BigInt(b2))).adminSuspended).to.equal(true); // at fault
    expect((await registry.challenge(BigInt(challengeId))).faultyBatchId).to.equal(BigInt(b2));
  });

  it("gives the sample lot the same figures in `itec calc` as in npm start's demonstration", async function () {
    const api = new ApiClient(h.api.url);
    await api.signIn(h.deployed.wallet("refurbisher"));
    const said: string[] = [];
    const { lot, calcCommand } = await submitDemoLot(api, "data/samples/demo-lot.csv", address("refurbisher"), (l) =>
      said.push(l),
    );
    const excluded = /^ {2}lot L\d+: 43 devices, 35 eligible; excluded (.+)$/.exec(said[0]!)![1]!;
    expect(said.at(-1)).to.equal(`  the same calculation on your machine, device by device: ${calcCommand}`);
    expect(calcCommand).to.equal(
      `npx itec calc data/samples/demo-lot.csv --as-of ${lot.summary.asOf} --lot-id demo-lot-1 --refurbisher ${address("refurbisher")}`,
    );

    // The printed command, run as printed (with --json): the same devices, exclusions and batch figures.
    const local = await okJson<{ lot: { eligible: number; excluded: unknown }; batches: unknown[] }>(
      calcCommand.split(" ").slice(2),
    );
    const published = JSON.parse((await h.http.get(`/lots/${lot.id}/report`).expect(200)).text) as typeof local;
    expect(local.lot.eligible).to.equal(lot.summary.eligible).and.to.equal(35);
    expect(local.lot.excluded).to.deep.equal(published.lot.excluded);
    expect(local.batches).to.deep.equal(published.batches);
    // …and its summary line says what the demonstration said.
    expect((await ok(calcCommand.split(" ").slice(2))).split("\n")[1]).to.equal(
      `lot data/samples/demo-lot.csv · as of ${lot.summary.asOf} · 43 devices: 35 eligible, 8 excluded (${excluded})`,
    );
    // The printed command records the same lot id and refurbisher: even the report hash is the registry's.
    const same = await okJson<{ reportHash: string }>(calcCommand.split(" ").slice(2));
    expect(same.reportHash).to.equal(lot.reportHash);
  });
});
