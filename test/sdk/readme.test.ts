/**
 * The SDK's README example (sdk/README.md), run as an integrator would against a running registry (`npm start`
 * with its demonstration retirement, on free ports): from the sources, and from the packed SDK (`npm pack` in sdk/)
 * installed into an empty directory with only its declared dependencies, on the project's Node 22. The installed
 * package also type-checks a TypeScript consumer of its typed registry contract. With the registry running, the
 * typed API client's answer and `itec verify batch` (with a device proof rebuilt from the batch's evidence) are
 * checked against the SDK's.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import { startRegistry, type BenchRegistry } from "../../bench/registry.ts";
import { devAccount } from "../../core/keys.ts";
import { START_ROLES } from "../../scripts/start/dev-accounts.ts";
import { ApiClient } from "../../sdk/src/api-client.ts";
import { reportDeviceIds, type ReportDevices } from "../../sdk/src/device-proof.ts";
import { registryAt } from "../../sdk/src/registry.ts";
import type { RetirementVerification } from "../../sdk/src/verification.ts";
import { verifyDeviceInBatch, verifyRetirement } from "../../sdk/src/verify.ts";

const ROOT = resolve(".");
/** The project's own Node 22 (a devDependency), whatever the machine's Node is. */
const NODE = join(ROOT, "node_modules", "node", "bin", "node");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

/** The README's JavaScript example, verbatim. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, "sdk", "README.md"), "utf8");
  const match = /## Verify a retirement[\s\S]*?```js\n([\s\S]*?)```/.exec(readme);
  expect(match, "sdk/README.md has a js example under 'Verify a retirement'").to.not.equal(null);
  return match![1]!;
}

function run(command: string, args: string[], cwd: string, check = true): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 300_000 });
  if (check && result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} → ${result.status}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** What the example prints for a verified retirement: each of its checks, then the verdict's sentence. */
function expectVerifiedOutput(out: SpawnSyncReturns<string>, truth: RetirementVerification): void {
  expect(out.status, out.stderr).to.equal(0);
  const lines = out.stdout.trimEnd().split("\n");
  expect(lines.slice(0, -1)).to.deep.equal(truth.checks.map((c) => `✓ ${c.check}: ${c.detail}`));
  expect(lines.at(-1)).to.equal(
    `Retirement #1 is verified: ${truth.claim.amount} I-TEC (${truth.batch.category}) retired for ` +
      `${truth.claim.beneficiaryName} from batch #${truth.batch.batchId}.`,
  );
}

/** The answer without the block it was read at (the API's head cache and a direct read may differ by a block). */
const atAnyBlock = (v: RetirementVerification) => ({
  ...v,
  chain: { ...v.chain, checkedAtBlock: 0 },
  statement: v.statement.replace(/at block \d+/, "at block N"),
});

describe("SDK README example against a running registry", function () {
  this.timeout(600_000);
  let registry: BenchRegistry;
  let address: string;
  let provider: JsonRpcProvider;
  /** The demonstration retirement, verified by the SDK from the sources. */
  let truth: RetirementVerification;

  before(async function () {
    registry = await startRegistry();
    address = (JSON.parse(readFileSync(join(registry.dataDir, "deployment.json"), "utf8")) as { registry: string })
      .registry;
    provider = new JsonRpcProvider(registry.rpc);
    truth = await verifyRetirement(provider, address, 1);
    expect(truth.verified, JSON.stringify(truth.checks)).to.equal(true);
  });

  after(async function () {
    provider?.destroy();
    await registry?.stop();
  });

  it("runs from the sources and prints that the retirement verifies", function () {
    // Not under test/: Hardhat's mocha loads every script there as a test file, and a leftover example crashed the
    // next `npm test`. Under node_modules/.cache the example still resolves `ethers` from the project.
    const dir = join(ROOT, "node_modules", ".cache", "itec-sdk-readme");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "sdk-readme-example.mjs");
    const sdk = pathToFileURL(join(ROOT, "sdk", "src", "index.ts")).href;
    writeFileSync(file, readmeExample().replace('"@itec-registry/sdk"', JSON.stringify(sdk)));
    expectVerifiedOutput(run(NODE, [file, registry.rpc, address, "1"], ROOT, false), truth);
  });

  it("the API's typed client answers what the SDK read from the chain", async function () {
    const api = new ApiClient(registry.api);
    expect(atAnyBlock(await api.verifyRetirement(1n))).to.deep.equal(atAnyBlock(truth));
    expect(await api.verifyBatch(truth.batch.batchId)).to.deep.equal(truth.batch);
  });

  it("the typed client's reads and unsigned transactions, signed in as a holder of the batch", async function () {
    const api = new ApiClient(registry.api);
    const { batchId } = truth.batch;
    const certificate = await api.certificate(batchId);
    expect({ ...certificate, metadataURI: undefined }).to.deep.equal({ ...truth.batch, metadataURI: undefined });
    expect(certificate.metadataURI).to.match(/^https?:\/\//);

    // The demonstration's refurbisher sold part of the batch to its corporate, which retired part of that.
    const contract = registryAt(address, provider);
    const wallets = [devAccount(START_ROLES.corporate), devAccount(START_ROLES.refurbisher)];
    const amounts = await Promise.all(wallets.map((w) => contract.balanceOf(w.address, batchId)));
    const i = amounts.findIndex((a) => a > 0n);
    expect(i, "someone in the demonstration holds the batch").to.be.at.least(0);
    const holder = wallets[i]!;
    const other = wallets[1 - i]!;
    const held = await api.balances(holder.address);
    expect(held.account.toLowerCase()).to.equal(holder.address.toLowerCase());
    expect(held.balances).to.deep.include({ batchId, amount: amounts[i]!.toString() });
    expect(await api.participant(holder.address)).to.deep.include({
      kind: i === 0 ? "corporate" : "refurbisher",
      status: "active",
    });

    await api.signIn(holder);
    expect((await api.me()).account.toLowerCase()).to.equal(holder.address.toLowerCase());
    const transfer = await api.buildTransfer({ to: other.address, items: [{ batchId, amount: "1" }] });
    expect(transfer.to.toLowerCase()).to.equal(address.toLowerCase());
    expect(transfer.from.toLowerCase()).to.equal(holder.address.toLowerCase());
    expect(contract.interface.parseTransaction({ data: transfer.data })!.name).to.equal("safeTransferFrom");
    const retire = await api.buildRetirement({
      batchId,
      amount: "1",
      beneficiaryName: "Acme Corporation",
      periodStart: "2026-01-01",
      periodEnd: "2026-12-31",
      scope3Category: 2,
      purpose: "SDK test",
    });
    expect(contract.interface.parseTransaction({ data: retire.data })!.name).to.equal("retire");
  });

  it("proves a device of the batch from its evidence, with the SDK and with `itec verify batch`", async function () {
    // The batch's evidence is its calculation report: its eligible devices of the batch's category, in report order,
    // are the tree's leaves [index, deviceId].
    const report = (await (await fetch(truth.batch.evidenceURI!)).json()) as ReportDevices;
    const ids = reportDeviceIds(report, truth.batch.category);
    expect(ids.length).to.be.greaterThan(1);
    expect(BigInt(ids.length)).to.equal(BigInt(truth.batch.issued));
    const tree = StandardMerkleTree.of(
      ids.map((id, index) => [index, id]),
      ["uint256", "bytes32"],
    );
    expect(tree.root).to.equal(truth.batch.deviceRoot);
    const device = ids[0]!;
    const proof = tree.getProof(0);
    const v = await verifyDeviceInBatch(provider, address, truth.batch.batchId, 0, device, proof);
    expect(v.verified, JSON.stringify(v.checks)).to.equal(true);

    const itec = (...args: string[]) =>
      run(NODE, ["bin/itec.js", "verify", "batch", ...args, "--rpc", registry.rpc, "--registry", address], ROOT, false);
    const ok = itec(truth.batch.batchId, "--device", device, "--index", "0", "--proof", proof.join(","));
    expect(ok.status, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(
      new RegExp(`^Batch #${truth.batch.batchId}, device ${device} \\(index 0\\): VERIFIED from the chain`),
    );
    expect(ok.stdout).to.include("✓ device in the batch's device tree").and.include("✓ report hash indexes this batch");
    for (const args of [
      ["--device", ids[1]!, "--index", "0"],
      ["--device", device, "--index", "1"],
    ]) {
      const wrong = itec(truth.batch.batchId, ...args, "--proof", proof.join(","));
      expect(wrong.status).to.equal(1);
      expect(wrong.stderr).to.equal(
        `itec: batch #${truth.batch.batchId} failed 1 check(s): device in the batch's device tree\n`,
      );
    }
    // The form before leaves carried their index is refused with the new form named.
    const old = itec(truth.batch.batchId, "--device", device, "--proof", proof.join(","));
    expect(old.status).to.equal(1);
    expect(old.stderr).to.include("a device proof names the device's index in the batch").and.include("--index <n>");
  });

  describe("the packed SDK, installed into an empty directory", function () {
    let dir: string;
    let app: string;

    before(function () {
      dir = mkdtempSync(join(tmpdir(), "itec-sdk-pack-"));
      run("npm", ["pack", "--pack-destination", dir, "--silent"], join(ROOT, "sdk"));
      const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
      expect(tarball, "npm pack wrote a tarball").to.not.equal(undefined);
      app = join(dir, "app");
      mkdirSync(app);
      writeFileSync(join(app, "package.json"), JSON.stringify({ name: "integrator", private: true, type: "module" }));
      run("npm", ["install", join("..", tarball!), "--no-audit", "--no-fund", "--prefer-offline"], app);
    });

    after(function () {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("holds compiled JavaScript and declarations, no sources, and depends on ethers only", function () {
      const pkg = join(app, "node_modules", "@itec-registry", "sdk");
      const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as {
        dependencies: Record<string, string>;
      };
      expect(Object.keys(manifest.dependencies)).to.deep.equal(["ethers"]);
      for (const file of ["index.js", "index.d.ts", "verify.js", "typechain/ITECRegistry.d.ts"]) {
        expect(existsSync(join(pkg, "dist", file)), file).to.equal(true);
      }
      expect(existsSync(join(pkg, "src")), "no TypeScript sources").to.equal(false);
      expect(existsSync(join(pkg, "LICENSE"))).to.equal(true);
      for (const dev of ["hardhat", "typescript", "zod", "express", "@openzeppelin/merkle-tree", "decimal.js"]) {
        expect(existsSync(join(app, "node_modules", dev)), dev).to.equal(false);
      }
      expect(existsSync(join(ROOT, "sdk", "dist")), "npm pack cleaned up after itself").to.equal(false);
    });

    it("runs the README example on Node 22 and prints that the retirement verifies", function () {
      writeFileSync(join(app, "verify-retirement.mjs"), readmeExample());
      expectVerifiedOutput(run(NODE, ["verify-retirement.mjs", registry.rpc, address, "1"], app, false), truth);
    });

    it("gives a TypeScript consumer the typed registry contract and verification types", function () {
      writeFileSync(
        join(app, "consumer.ts"),
        [
          'import { JsonRpcProvider } from "ethers";',
          'import { registryAt, verifyRetirement, type ITECRegistry, type RetirementVerification } from "@itec-registry/sdk";',
          'const provider = new JsonRpcProvider("http://127.0.0.1:8545");',
          'const registry: ITECRegistry = registryAt("0x5FbDB2315678afecb367f032d93F642f64180aa3", provider);',
          "export const count: Promise<bigint> = registry.retirementCount();",
          "export const issued: Promise<bigint> = registry.batch(1n).then((b) => b.issued);",
          "export const v: Promise<RetirementVerification> = verifyRetirement(provider, await registry.getAddress(), 1n);",
          "// @ts-expect-error: the contract is typed, not `any`",
          "export const wrong: Promise<string> = registry.retirementCount();",
          "",
        ].join("\n"),
      );
      const out = run(
        NODE,
        [TSC, "--noEmit", "--strict", "--module", "nodenext", "--target", "es2022", "consumer.ts"],
        app,
        false,
      );
      expect(out.status, out.stdout + out.stderr).to.equal(0);
    });
  });
});
