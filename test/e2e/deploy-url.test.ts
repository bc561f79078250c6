/**
 * Deploy by URL, as network/besu/README.md §6 documents it: the guide's own command line, read from the guide and
 * run verbatim as a child process, with the environment the guide sets (node URL, ONE deployer key, the
 * non-interactive switch), against a separate anvil that mines a block every second with zero fees — the stand-in
 * for a Besu node — under a chain id that is not a development chain's. Then on chain: registry and extension carry
 * the code `npm run build` compiled, the methodology is registered, the issuer role is held by the configured issuer
 * (not the deployer), the deployer is the admin, and the SDK's chain client reads the registry.
 *
 * The guide's parameters file is `ignition/parameters/besu.json` (git-ignored: each operator's own): the test writes
 * its own there for the run, putting an existing one aside and back. Ignition's journal for the test's random chain
 * id is removed afterwards.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";

import { expect } from "chai";
import { JsonRpcProvider, Network, Wallet } from "ethers";

import { anvilCommand } from "../../core/chain/anvil.ts";
import { ChainClient } from "../../core/chain/client.ts";
import { devAccount, isDevChain } from "../../core/keys.ts";
import { DEFAULT_ADMIN_DELAY, ISSUER_ROLE, METHODOLOGY, PARAMETERS } from "../../ignition/modules/ITECRegistry.ts";
import { itecRegistryArtifact, itecRegistryExtensionArtifact } from "../../sdk/src/abi.ts";
import { registryAt } from "../../sdk/src/registry.ts";
import { freePort } from "../helpers/chain.ts";

const GUIDE = "network/besu/README.md";
const PARAMETERS_FILE = "ignition/parameters/besu.json";

/** The guide's §6: its deployment command and the variables it exports for it. */
function documentedDeployment(): { command: string; exports: string[] } {
  const text = readFileSync(GUIDE, "utf8");
  const section = text.slice(text.indexOf("## 6. Deploy the registry"), text.indexOf("## 7."));
  const lines = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split("\n"));
  const commands = lines.filter((l) => l.startsWith("npx hardhat ignition deploy ignition/modules/ITECRegistry.ts "));
  expect(commands, "one deployment command in §6").to.have.length(1);
  const exports = lines.flatMap((l) => /^export (\w+)=/.exec(l)?.[1] ?? []);
  return { command: commands[0]!.replace(/\s+#.*$/, "").trim(), exports };
}

interface HardhatArtifact {
  bytecode: string;
  deployedBytecode: string;
  immutableReferences?: Record<string, { start: number; length: number }[]>;
}

function artifact(path: string): HardhatArtifact {
  return JSON.parse(readFileSync(`artifacts/contracts/${path}`, "utf8")) as HardhatArtifact;
}

/** Runtime code with the immutables' bytes (set by the constructor: addresses, …) zeroed. */
function maskImmutables(code: string, refs: HardhatArtifact["immutableReferences"]): string {
  const bytes = Buffer.from(code.slice(2), "hex");
  for (const ranges of Object.values(refs ?? {})) for (const r of ranges) bytes.fill(0, r.start, r.start + r.length);
  return `0x${bytes.toString("hex")}`;
}

function run(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // stdin closed: a y/N prompt would get no answer and the deployment would be cancelled.
    const child = spawn("sh", ["-c", command], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe("Deploy by URL (network/besu/README.md §6, the documented command)", function () {
  this.timeout(300_000);
  // A chain id no operator uses and no development chain has, fresh per run (so is Ignition's journal).
  const chainId = 900_000 + Math.floor(Math.random() * 90_000);
  const journal = `ignition/deployments/chain-${chainId}`;
  const aside = `${PARAMETERS_FILE}.aside-${process.pid}`;
  const deployer = Wallet.createRandom();
  const issuer = Wallet.createRandom().address;
  const adminDelay = 3600;
  const externalBaseURI = "https://registry.example.org/verify/batches/";
  let anvil: ChildProcess;
  let url: string;
  let provider: JsonRpcProvider;
  let env: NodeJS.ProcessEnv;
  let createdDeploymentsDir = false;
  let createdParametersDir = false;

  before(async () => {
    expect(isDevChain(chainId)).to.equal(false);
    expect(existsSync(journal), `${journal} exists already`).to.equal(false);
    const port = await freePort();
    const [command, ...prefix] = anvilCommand();
    // The guide's node: zero base fee and gas price, a block every second (not automine); nothing funded.
    anvil = spawn(
      command!,
      [
        ...prefix,
        ...["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(chainId), "--hardfork", "cancun"],
        ...["--base-fee", "0", "--gas-price", "0", "--block-time", "1", "--code-size-limit", "24576", "--silent"],
      ],
      { stdio: "ignore" },
    );
    url = `http://127.0.0.1:${port}`;
    provider = new JsonRpcProvider(url, Network.from(BigInt(chainId)), { staticNetwork: true });
    for (let i = 0; ; i++) {
      const up = await provider.getBlockNumber().then(
        () => true,
        () => false,
      );
      if (up) break;
      if (i > 150) throw new Error("anvil did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
    createdDeploymentsDir = !existsSync("ignition/deployments");
    createdParametersDir = !existsSync("ignition/parameters");
    mkdirSync("ignition/parameters", { recursive: true });
    if (existsSync(PARAMETERS_FILE)) renameSync(PARAMETERS_FILE, aside);
    // The guide's parameters file, with this run's addresses.
    writeFileSync(
      PARAMETERS_FILE,
      JSON.stringify({ ITECRegistry: { issuer, externalBaseURI, adminDelay } }, null, 2) + "\n",
    );
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("ITEC_") && !k.startsWith("HARDHAT_")),
    );
    env = { ...clean, ITEC_BESU_RPC_URL: url, ITEC_BESU_DEPLOYER_KEY: deployer.privateKey };
  });

  after(() => {
    provider?.destroy();
    anvil?.kill("SIGINT");
    rmSync(PARAMETERS_FILE, { force: true });
    if (existsSync(aside)) renameSync(aside, PARAMETERS_FILE);
    rmSync(journal, { recursive: true, force: true });
    if (createdDeploymentsDir) rmSync("ignition/deployments", { recursive: true, force: true });
    if (createdParametersDir) rmSync("ignition/parameters", { recursive: true, force: true });
  });

  it("the guide names the command, the node, one deployer key and the non-interactive switch", function () {
    const { command, exports } = documentedDeployment();
    expect(command).to.equal(
      `npx hardhat ignition deploy ignition/modules/ITECRegistry.ts --network besu --parameters ${PARAMETERS_FILE}`,
    );
    expect(exports).to.include.members([
      "ITEC_BESU_RPC_URL",
      "ITEC_BESU_DEPLOYER_KEY",
      "HARDHAT_IGNITION_CONFIRM_DEPLOYMENT",
    ]);
  });

  it("refuses a Hardhat test key as the deployer on this chain, before sending anything", async function () {
    const { command } = documentedDeployment();
    const dev = devAccount(0);
    const result = await run(command, {
      ...env,
      ITEC_BESU_DEPLOYER_KEY: dev.privateKey,
      HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "1",
    });
    expect(result.code, result.output).to.not.equal(0);
    expect(result.output).to.contain("DEV_KEY_REFUSED");
    expect(result.output).to.contain(`Hardhat's public test account #0 (${dev.address})`);
    expect(await provider.getTransactionCount(dev.address)).to.equal(0);
  });

  it("deploys, registers the methodology and grants the issuer role to the configured issuer, without a prompt", async function () {
    const { command } = documentedDeployment();
    const built = "artifacts/contracts/ITECRegistry.sol/ITECRegistry.json";
    const builtAt = statSync(built).mtimeMs;
    const result = await run(command, { ...env, HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "1" });
    // Ignition builds with the production profile first: with the default profile's settings it is a cache hit
    // and rewrites no artifact (with other settings it would recompile — or fail, "Stack too deep").
    expect(statSync(built).mtimeMs, "the deployment recompiled the contracts").to.equal(builtAt);
    expect(result.code, result.output).to.equal(0);
    expect(result.output).to.not.contain("Confirm deploy");
    expect(result.output).to.contain("successfully deployed");

    const addresses = JSON.parse(readFileSync(`${journal}/deployed_addresses.json`, "utf8")) as Record<string, string>;
    const registryAddress = addresses["ITECRegistry#ITECRegistry"]!;
    const extensionAddress = addresses["ITECRegistry#ITECRegistryExtension"]!;

    // The code on chain is what `npm run build` compiled (immutables aside), and the committed artifact Ignition
    // deployed is that build's.
    const artifacts = {
      registry: artifact("ITECRegistry.sol/ITECRegistry.json"),
      extension: artifact("ITECRegistryExtension.sol/ITECRegistryExtension.json"),
      renderer: artifact("BatchMetadataRenderer.sol/BatchMetadataRenderer.json"),
    };
    expect(itecRegistryArtifact.bytecode).to.equal(artifacts.registry.bytecode);
    expect(itecRegistryExtensionArtifact.bytecode).to.equal(artifacts.extension.bytecode);
    const registry = registryAt(registryAddress, provider);
    const renderer = await registry.RENDERER();
    for (const [address, a] of [
      [registryAddress, artifacts.registry],
      [extensionAddress, artifacts.extension],
      [renderer, artifacts.renderer],
    ] as const) {
      const code = await provider.getCode(address);
      expect(code.length, address).to.be.greaterThan(2);
      expect(maskImmutables(code, a.immutableReferences)).to.equal(
        maskImmutables(a.deployedBytecode, a.immutableReferences),
      );
    }
    expect(await registry.extension()).to.equal(extensionAddress);

    expect(await registry.methodologyIdOf(METHODOLOGY, PARAMETERS)).to.equal(1n);
    expect(await registry.hasRole(ISSUER_ROLE, issuer)).to.equal(true);
    expect(await registry.hasRole(ISSUER_ROLE, deployer.address)).to.equal(false);
    expect(await registry.defaultAdmin()).to.equal(deployer.address);
    expect(await registry.defaultAdminDelay()).to.equal(BigInt(adminDelay));
    expect(BigInt(adminDelay)).to.not.equal(DEFAULT_ADMIN_DELAY); // the parameter, not the default, was used

    // The services' chain client reads it as `itec serve` would.
    const client = await ChainClient.connect({ rpcUrl: url, registryAddress, chainId: BigInt(chainId) });
    try {
      expect(await client.auditorThreshold()).to.equal(1);
      expect(await client.registry.methodology(1n).then((m) => [m.name, m.parameters, m.active])).to.deep.equal([
        METHODOLOGY,
        PARAMETERS,
        true,
      ]);
    } finally {
      client.provider.destroy();
    }
  });
});
