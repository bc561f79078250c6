/**
 * `npm start` — the whole registry on this machine, in one process tree:
 *   the embedded chain (anvil on 127.0.0.1: chain id 1337, Cancun, zero gas price, state persisted),
 *   the contracts deployed with Hardhat Ignition (first start only), the oracle worker, the event indexer,
 *   and the API with the verification page. On first start it runs the demonstration.
 * State lives under the data directory (default ./.itec/) and survives a restart; `--fresh` starts over.
 * Ctrl-C stops everything cleanly (the chain writes its state on the way out).
 *
 * DEV MODE: every key here is one of Hardhat's well-known test accounts (public; never on a real network).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

import { JsonRpcProvider, Network } from "ethers";
import { pino } from "pino";

import { readApiEnv, startApi } from "../api/src/server.ts";
import { loadReferenceTable } from "../oracle/src/reference/index.ts";
import {
  certificateHtml,
  certificatePdf as renderCertificatePdf,
  parseInventoryCsv,
  retirementCertificate,
  scope3ChartSvg,
  scope3Csv,
  scope3ForAccount,
  scope3Pdf as renderScope3Pdf,
  svgToPng,
} from "../oracle/src/reports/index.ts";
import { createOracle, runWorker } from "../oracle/src/runtime/oracle.ts";
import { devAccount } from "../oracle/src/runtime/keys.ts";
import { openIndexer } from "../api/src/indexer/index.ts";
import { runDemo } from "./lib/demo.ts";

const started = Date.now();
const { values: args } = parseArgs({
  options: {
    fresh: { type: "boolean", default: false },
    "data-dir": { type: "string", default: ".itec" },
    port: { type: "string", default: "8080" },
    "rpc-port": { type: "string", default: "8545" },
    "no-demo": { type: "boolean", default: false },
    "block-time": { type: "string", default: "0" },
    help: { type: "boolean", default: false },
  },
});
if (args.help) {
  console.log(`npm start [-- --fresh] [--data-dir .itec] [--port 8080] [--rpc-port 8545] [--block-time 0] [--no-demo]
  --fresh       delete the data directory (chain, registry store, index, deployment) and start over
  --block-time  seconds between blocks on the embedded chain (0 = a block per transaction)`);
  process.exit(0);
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const dataDir = resolve(args["data-dir"]);
const ROLES = { admin: 0, oracle: 1, auditor1: 2, auditor2: 3, refurbisher: 5, corporate: 6 } as const;

if (args.fresh && existsSync(dataDir)) {
  rmSync(dataDir, { recursive: true, force: true });
  say(`--fresh: removed ${dataDir}`);
}
mkdirSync(join(dataDir, "chain"), { recursive: true });
const deploymentFile = join(dataDir, "deployment.json");
const demoFile = join(dataDir, "demo.json");
const logger = pino({ level: process.env.ITEC_LOG_LEVEL ?? "warn" }, pino.destination(join(dataDir, "registry.log")));

say("I-TEC Registry — embedded mode (DEV MODE: Hardhat's well-known test accounts; never use them on a real network)");
say(`data directory: ${dataDir}`);

// 1. The embedded chain --------------------------------------------------------------------------------------------
const rpcPort = Number(args["rpc-port"]);
const rpcUrl = `http://127.0.0.1:${rpcPort}`;
const blockTime = Number(args["block-time"]);
const chain: ChildProcess = spawn(
  join("node_modules", ".bin", "anvil"),
  [
    "--host",
    "127.0.0.1",
    "--port",
    String(rpcPort),
    "--chain-id",
    "1337",
    "--hardfork",
    "cancun",
    "--base-fee",
    "0",
    "--gas-price",
    "0",
    "--code-size-limit",
    "24576",
    "--state",
    join(dataDir, "chain", "state.json"),
    "--state-interval",
    "1",
    ...(blockTime > 0 ? ["--block-time", String(blockTime)] : []),
    "--silent",
  ],
  { stdio: ["ignore", "ignore", "pipe"] },
);
let chainError = "";
chain.stderr!.on("data", (d: Buffer) => (chainError += d.toString()));
chain.once("exit", (code) => {
  if (!stopping) {
    say(`the embedded chain exited (${code}): ${chainError.trim().split("\n").at(-1) ?? ""}`);
    process.exit(1);
  }
});
let stopping = false;
const provider = new JsonRpcProvider(rpcUrl, Network.from(1337n), { staticNetwork: true, pollingInterval: 200 });
await waitForChain(provider);
say(
  `chain: anvil on ${rpcUrl} (chain id 1337, Cancun, zero gas price${blockTime > 0 ? `, a block every ${blockTime} s` : ", a block per transaction"}) — ${elapsed()}`,
);

// 2. The contracts (first start) -----------------------------------------------------------------------------------
interface Deployment {
  registry: string;
  chainId: number;
  deployBlock: number;
  admin: string;
  issuer: string;
}
let deployment: Deployment;
if (existsSync(deploymentFile)) {
  deployment = JSON.parse(readFileSync(deploymentFile, "utf8")) as Deployment;
  if ((await provider.getCode(deployment.registry)) === "0x") {
    fail(`the chain state has no registry at ${deployment.registry} (state file lost?): run npm start -- --fresh`);
  }
  say(`registry: ${deployment.registry} (deployed earlier at block ${deployment.deployBlock})`);
} else {
  deployment = await deploy();
  writeFileSync(deploymentFile, JSON.stringify(deployment, null, 2) + "\n");
  say(`registry: ${deployment.registry} deployed with Hardhat Ignition — ${elapsed()}`);
}

// 3. Oracle worker, indexer, API ----------------------------------------------------------------------------------
const env = readApiEnv({
  ...process.env,
  ITEC_RPC_URL: rpcUrl,
  ITEC_REGISTRY_ADDRESS: deployment.registry,
  ITEC_CHAIN_ID: "1337",
  ITEC_DB_PATH: join(dataDir, "registry.db"),
  ITEC_ORACLE_DEV_ACCOUNT: String(ROLES.oracle),
  ITEC_GAS_PRICE: "0",
  ITEC_API_PORT: args.port,
  ITEC_REGISTRY_DEPLOY_BLOCK: String(deployment.deployBlock),
  // Background loops share the API's process: poll no more often than needed (the oracle 4×/s, the head and
  // the index 1×/s; measured: tighter loops cost the API a third of its p99 headroom under load).
  ITEC_POLL_MS: process.env.ITEC_POLL_MS ?? "250",
  ITEC_HEAD_POLL_MS: process.env.ITEC_HEAD_POLL_MS ?? "1000",
  ITEC_EVIDENCE_BASE_URL: `http://127.0.0.1:${args.port}`,
  ITEC_LOG_LEVEL: process.env.ITEC_LOG_LEVEL ?? "warn",
});
const oracle = await createOracle(env, logger);
const controller = new AbortController();
const worker = runWorker(oracle, env.ITEC_POLL_MS, controller.signal);
const indexer = await openIndexer({
  rpcUrl,
  registryAddress: deployment.registry,
  chainId: 1337n,
  startBlock: deployment.deployBlock,
  sqlitePath: join(dataDir, "index.db"),
  databaseUrl: process.env.DATABASE_URL,
  logger,
});
const indexing = indexer.run(controller.signal, Number(process.env.ITEC_INDEX_POLL_MS ?? 1000));
const api = await startApi(env, { logger, oracle, index: indexer });
say(`API: ${api.url}  (docs ${api.url}/docs, OpenAPI ${api.url}/openapi.json) — ${elapsed()}`);

// 4. The demonstration (first start) -------------------------------------------------------------------------------
if (!args["no-demo"] && !existsSync(demoFile)) {
  say("\nFirst start: running the demonstration with the sample lot data/samples/demo-lot.csv\n");
  try {
    const result = await runDemo({
      apiUrl: api.url,
      provider,
      wallets: {
        admin: devAccount(ROLES.admin),
        auditor1: devAccount(ROLES.auditor1),
        auditor2: devAccount(ROLES.auditor2),
        refurbisher: devAccount(ROLES.refurbisher),
        corporate: devAccount(ROLES.corporate),
      },
      lotCsv: "data/samples/demo-lot.csv",
      say,
    });
    const documents = await writeDocuments(result.retirementId);
    writeFileSync(demoFile, JSON.stringify({ ...result, documents, at: new Date().toISOString() }, null, 2) + "\n");
    say(`\nverify the retirement: ${result.verifyUrl}   — ${elapsed()} after npm start`);
    say(`retirement certificate (PDF): ${documents.certificatePdf}`);
    say(`Scope 3 report for the corporate, 2026: ${documents.scope3Pdf} (chart ${documents.scope3Png})`);
  } catch (error) {
    say(`the demonstration failed: ${(error as Error).message}`);
  }
} else if (existsSync(demoFile)) {
  const demo = JSON.parse(readFileSync(demoFile, "utf8")) as {
    verifyUrl: string;
    documents?: { certificatePdf: string };
  };
  say(`demonstration retirement (from an earlier start): ${demo.verifyUrl}`);
  if (demo.documents) say(`retirement certificate (PDF): ${demo.documents.certificatePdf}`);
}
say(
  `\nThe registry is running. API ${api.url} · verify page ${api.url}/verify · Ctrl-C to stop (state is kept in ${dataDir}).`,
);

const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  say(`\n${signal}: stopping…`);
  controller.abort();
  await Promise.allSettled([worker, indexing]);
  await api.close();
  oracle.close();
  await indexer.close();
  provider.destroy();
  await new Promise<void>((resolveExit) => {
    if (chain.exitCode !== null) return resolveExit();
    chain.once("exit", () => resolveExit());
    chain.kill("SIGINT"); // anvil writes its state file on the way out
  });
  say("stopped; state saved.");
  process.exit(0);
};
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));

// ------------------------------------------------------------------------------------------------------------------

/** The demonstration's documents, rendered from the chain: the retirement certificate and a Scope 3 report. */
async function writeDocuments(retirementId: string) {
  const dir = join(dataDir, "documents");
  mkdirSync(dir, { recursive: true });
  const model = await retirementCertificate(api.deps.reads, BigInt(retirementId), { verifyBaseUrl: api.url, rpcUrl });
  const certificatePdf = join(dir, `retirement-${retirementId}.pdf`);
  writeFileSync(certificatePdf, await renderCertificatePdf(model));
  writeFileSync(join(dir, `retirement-${retirementId}.html`), certificateHtml(model));
  const report = await scope3ForAccount(api.deps.reads, {
    account: devAccount(ROLES.corporate).address,
    reportingYear: 2026,
    inventory: parseInventoryCsv(readFileSync("data/samples/inventory-acme.csv", "utf8"), 2026),
    reference: loadReferenceTable(),
  });
  const svg = scope3ChartSvg(report);
  const scope3Pdf = join(dir, "scope3-2026.pdf");
  const scope3Png = join(dir, "scope3-2026.png");
  writeFileSync(scope3Pdf, await renderScope3Pdf(report));
  writeFileSync(scope3Png, await svgToPng(svg));
  writeFileSync(join(dir, "scope3-2026.csv"), scope3Csv(report));
  writeFileSync(join(dir, "scope3-2026.json"), JSON.stringify(report, null, 2) + "\n");
  return { certificatePdf, scope3Pdf, scope3Png };
}

async function waitForChain(p: JsonRpcProvider): Promise<void> {
  for (let i = 0; i < 150; i++) {
    try {
      await p.getBlockNumber();
      return;
    } catch {
      if (chain.exitCode !== null) fail(`the embedded chain did not start: ${chainError.trim()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  fail("the embedded chain did not answer within 15 s");
}

async function deploy(): Promise<Deployment> {
  if (!existsSync("artifacts/contracts/ITECRegistry.sol/ITECRegistry.json")) {
    say("compiling the contracts (first start)…");
    await run(process.execPath, ["node_modules/hardhat/dist/src/cli.js", "build", "--quiet"]);
  }
  // hardhat.config.ts reads this: Ignition's deployment journal then lives in the data directory too.
  process.env.ITEC_IGNITION_DIR = join(dataDir, "ignition");
  const { network } = await import("hardhat");
  const { default: registryModule } = await import("../ignition/modules/ITECRegistry.ts");
  const connection = await network.create({ network: "localhost", override: { url: rpcUrl } });
  const before = await provider.getBlockNumber();
  const admin = devAccount(ROLES.admin).address;
  const issuer = devAccount(ROLES.oracle).address;
  const { registry } = await connection.ignition.deploy(registryModule, {
    parameters: { ITECRegistry: { admin, issuer, externalBaseURI: `http://127.0.0.1:${args.port}/verify/batches/` } },
    deploymentId: "itec-embedded",
  });
  const address = await registry.getAddress();
  await connection.close();
  // Logs are read from the block after the last one before deployment (a safe lower bound).
  return { registry: address, chainId: 1337, deployBlock: before + 1, admin, issuer };
}

function run(cmd: string, argv: string[]): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, argv, { stdio: "inherit" });
    child.once("exit", (code) =>
      code === 0 ? resolveRun() : reject(new Error(`${cmd} ${argv.join(" ")} exited ${code}`)),
    );
  });
}

function fail(message: string): never {
  say(`npm start: ${message}`);
  chain.kill("SIGINT");
  process.exit(1);
}
