/**
 * `npm start` — the whole registry on this machine, in one process tree:
 *   the embedded chain (anvil on 127.0.0.1: chain id 1337, Cancun, zero gas price, state persisted),
 *   the contracts deployed with Hardhat Ignition (first start only), and the services `itec serve` runs
 *   (scripts/lib/services.ts: the oracle worker, the event indexer, the API with the verification page). On first start it runs the demonstration.
 * State lives under the data directory (default ./.itec/) and survives a restart; `--fresh` starts over.
 *
 * - Ctrl-C (SIGINT; also SIGTERM, SIGHUP) stops everything cleanly at any point, the first start included: the
 *   services close, then the chain writes its state on the way out. A second Ctrl-C stops at once.
 * - The demonstration is resumable: a start after one interrupted half-way completes it (scripts/lib/demo.ts skips
 *   the steps already done).
 * - One `npm start` per data directory: it holds `<data-dir>/start.lock` (the pid; stale once that process is gone).
 * - Any startup failure is one line on stderr (`npm start: …`), stops whatever was started and exits 1.
 *
 * TEST ONLY: `ITEC_DEMO_STOP_AFTER=<1–6>` makes the process interrupt itself (SIGINT, exactly as a Ctrl-C) right
 * after that step of the demonstration — a deterministic "Ctrl-C during the demonstration" for
 * test/e2e/start.test.ts. Never set it otherwise.
 *
 * DEV MODE: every key here is one of Hardhat's well-known test accounts (public; never on a real network).
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

import { JsonRpcProvider, Network } from "ethers";
import { pino, type Logger } from "pino";

import type { RunningApi } from "../api/src/server.ts";
import { loadReferenceTable } from "../core/calc/reference-file.ts";
import { spawnAnvil } from "../core/chain/anvil.ts";
import { ConfigError, embeddedServeEnv, readStartEnv, type StartEnv } from "../core/config.ts";
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
} from "../core/documents/index.ts";
import { devAccount } from "../core/keys.ts";
import { registryAt } from "../sdk/src/registry.ts";
import { runDemo, type DemoResult } from "./lib/demo.ts";
import { startServices, type RunningServices } from "./lib/services.ts";

const USAGE = `usage: npm start [-- --fresh] [--data-dir .itec] [--port 8080] [--rpc-port 8545] [--block-time 0] [--no-demo]
  --fresh       delete the data directory's state (chain, registry store, index, deployment) and start over
  --data-dir    where the state lives (default .itec)
  --port        the API's port on 127.0.0.1 (default 8080)
  --rpc-port    the embedded chain's JSON-RPC port on 127.0.0.1 (default 8545)
  --block-time  seconds between blocks on the embedded chain (0 = a block per transaction)
  --no-demo     do not run the first-start demonstration`;

const started = Date.now();
const say = (line: string) => process.stdout.write(`${line}\n`);
const complain = (line: string) => process.stderr.write(`npm start: ${line}\n`);
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

/** A startup failure with a message for the person at the terminal (one line). */
class StartError extends Error {}
/** Thrown by the start-up sequence once a stop is under way (nothing to report). */
class Stopping extends Error {}
function fail(message: string): never {
  throw new StartError(message);
}

// 0. Arguments: nothing is started before they are valid ----------------------------------------------------------
const args = parseArguments(process.argv.slice(2));
const config = readConfig();
const dataDir = resolve(args.dataDir);
const lockFile = join(dataDir, "start.lock");
const deploymentFile = join(dataDir, "deployment.json");
const deployStartFile = join(dataDir, "deployment.pending.json");
const demoFile = join(dataDir, "demo.json");
const demoStartedFile = join(dataDir, "demo.started");
const rpcUrl = `http://127.0.0.1:${args.rpcPort}`;
const apiHost = config.ITEC_API_HOST;
const ROLES = { admin: 0, oracle: 1, auditor1: 2, auditor2: 3, refurbisher: 5, corporate: 6 } as const;
/** Where people reach this registry (as the API computes it), and the base of the verify links declared on-chain. */
const publicUrl = (config.ITEC_PUBLIC_URL ?? `http://127.0.0.1:${args.port}`).replace(/\/+$/, "");
const externalBaseURI = `${publicUrl}/verify/batches/`;

// Everything started so far, for stop(). The signal handlers come first: Ctrl-C works from here on.
let stopping = false;
let stopSignalAt = 0;
let ownLock = false;
let logger: Logger | undefined;
let chain: ChildProcess | undefined;
let chainError = "";
const controller = new AbortController();
const running: {
  provider?: JsonRpcProvider;
  services?: RunningServices;
} = {};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => onSignal(signal));
process.on("exit", () => {
  // Last resort (e.g. a second Ctrl-C): never leave the chain running; it still writes its state on SIGINT.
  if (chainRunning()) chain!.kill("SIGINT");
  releaseLock();
});
process.on("unhandledRejection", (error) => void failed(error));
process.on("uncaughtException", (error) => void failed(error));

interface Deployment {
  registry: string;
  chainId: number;
  deployBlock: number;
  admin: string;
  issuer: string;
  /** The base of the verify links the registry declares on-chain (token metadata `external_url`). */
  externalBaseURI?: string;
}

await main().then(
  () => undefined,
  (error: unknown) => failed(error),
);

async function main(): Promise<void> {
  say(
    "I-TEC Registry — embedded mode (DEV MODE: Hardhat's well-known test accounts; never use them on a real network)",
  );
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    fail(`cannot create the data directory ${dataDir}: ${(error as Error).message}`);
  }
  lockDataDir();
  if (args.fresh) {
    // Everything but the lock (held by this process): two starts never share the directory, not even here.
    for (const entry of readdirSync(dataDir)) {
      if (entry !== "start.lock") rmSync(join(dataDir, entry), { recursive: true, force: true });
    }
    say(`--fresh: removed the state in ${dataDir}`);
  }
  mkdirSync(join(dataDir, "chain"), { recursive: true });
  logger = pino({ level: config.ITEC_LOG_LEVEL }, pino.destination(join(dataDir, "registry.log")));
  say(`data directory: ${dataDir}`);
  // Checked before anything starts: a port in use is the commonest failure, and anvil would not say which.
  await requirePort(args.port, apiHost, "--port");
  await requirePort(args.rpcPort, "127.0.0.1", "--rpc-port");

  // 1. The embedded chain ------------------------------------------------------------------------------------------
  startChain();
  const provider = new JsonRpcProvider(rpcUrl, Network.from(1337n), { staticNetwork: true, pollingInterval: 200 });
  running.provider = provider;
  await waitForChain(provider);
  say(
    `chain: anvil on ${rpcUrl} (chain id 1337, Cancun, zero gas price${args.blockTime > 0 ? `, a block every ${args.blockTime} s` : ", a block per transaction"}) — ${elapsed()}`,
  );

  // 2. The contracts (first start) ---------------------------------------------------------------------------------
  let deployment: Deployment;
  if (existsSync(deploymentFile)) {
    deployment = JSON.parse(readFileSync(deploymentFile, "utf8")) as Deployment;
    if ((await provider.getCode(deployment.registry)) === "0x") {
      fail(`the chain state has no registry at ${deployment.registry} (state file lost?): run npm start -- --fresh`);
    }
    say(`registry: ${deployment.registry} (deployed earlier at block ${deployment.deployBlock})`);
    if (deployment.externalBaseURI !== externalBaseURI) {
      // started on another --port or ITEC_PUBLIC_URL: the links the chain declares must name this API
      await setExternalBaseURI(provider, deployment.registry);
      deployment = { ...deployment, externalBaseURI };
      writeFileSync(deploymentFile, JSON.stringify(deployment, null, 2) + "\n");
      say(`registry: its public URL is now ${publicUrl} (setExternalBaseURI, signed by the dev admin)`);
    }
  } else {
    deployment = await deploy(provider);
    guard();
    writeFileSync(deploymentFile, JSON.stringify(deployment, null, 2) + "\n");
    rmSync(deployStartFile, { force: true });
    say(`registry: ${deployment.registry} deployed with Hardhat Ignition — ${elapsed()}`);
  }
  guard();

  // 3. Oracle worker, indexer, API --------------------------------------------------------------------------------
  const env = embeddedServeEnv(config, {
    ITEC_RPC_URL: rpcUrl,
    ITEC_REGISTRY_ADDRESS: deployment.registry,
    ITEC_REGISTRY_DEPLOY_BLOCK: deployment.deployBlock,
    ITEC_CHAIN_ID: 1337n,
    ITEC_GAS_PRICE: "0",
    ITEC_ORACLE_DEV_ACCOUNT: ROLES.oracle,
    ITEC_DB_PATH: join(dataDir, "registry.db"),
    ITEC_API_PORT: args.port,
    ITEC_EVIDENCE_BASE_URL: `http://127.0.0.1:${args.port}`,
  });
  const services = await startServices(env, { logger, signal: controller.signal }).catch((error: unknown) => {
    guard();
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") fail(`port ${args.port} is in use: pass --port`);
    throw error;
  });
  running.services = services;
  guard();
  const { api } = services;
  say(`API: ${api.url}  (docs ${api.url}/docs, OpenAPI ${api.url}/openapi.json) — ${elapsed()}`);

  // 4. The demonstration (first start; completed by the next start if it was interrupted) ------------------------
  if (!args.noDemo && !existsSync(demoFile)) {
    say(
      existsSync(demoStartedFile)
        ? "\nCompleting the demonstration an earlier start began (the steps it did are skipped)\n"
        : "\nFirst start: running the demonstration with the sample lot data/samples/demo-lot.csv\n",
    );
    writeFileSync(demoStartedFile, new Date().toISOString() + "\n");
    let result: DemoResult | undefined;
    try {
      result = await runDemo({
        apiUrl: api.url,
        provider,
        registry: deployment.registry,
        wallets: {
          admin: devAccount(ROLES.admin),
          auditor1: devAccount(ROLES.auditor1),
          auditor2: devAccount(ROLES.auditor2),
          refurbisher: devAccount(ROLES.refurbisher),
          corporate: devAccount(ROLES.corporate),
        },
        lotCsv: "data/samples/demo-lot.csv",
        say,
        afterStep: demoHook,
      });
    } catch (error) {
      guard(); // interrupted (Ctrl-C): the next start completes it
      complain(
        `the demonstration failed: ${oneLine(error)} — the registry keeps running; the next npm start resumes the ` +
          `demonstration (npm start -- --fresh starts over)`,
      );
    }
    guard();
    if (result) {
      writeFileSync(demoFile, JSON.stringify({ ...result, at: new Date().toISOString() }, null, 2) + "\n");
      rmSync(demoStartedFile, { force: true });
      say(`\nverify the retirement: ${result.verifyUrl}   — ${elapsed()} after npm start`);
      await documents(api, result);
    }
  } else if (existsSync(demoFile)) {
    const demo = JSON.parse(readFileSync(demoFile, "utf8")) as DemoResult & {
      documents?: { certificatePdf: string; scope3Pdf: string; scope3Png: string };
    };
    // the API's URL now (a restart may use another --port or ITEC_PUBLIC_URL), not the one recorded then
    say(`demonstration retirement (from an earlier start): ${api.url}/verify/retirements/${demo.retirementId}`);
    if (demo.documents) say(`retirement certificate (PDF): ${demo.documents.certificatePdf}`);
    else await documents(api, demo); // an earlier start could not render them: once more
  }
  guard();
  say(
    `\nThe registry is running. API ${api.url} · verify page ${api.url}/verify · Ctrl-C to stop (state is kept in ${dataDir}).`,
  );
}

// ------------------------------------------------------------------------------------------------------------------

function parseArguments(argv: string[]) {
  const usageError = (line: string): never => {
    complain(line);
    process.stderr.write(`${USAGE}\n`);
    process.exit(1);
  };
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        fresh: { type: "boolean", default: false },
        "data-dir": { type: "string", default: ".itec" },
        port: { type: "string", default: "8080" },
        "rpc-port": { type: "string", default: "8545" },
        "no-demo": { type: "boolean", default: false },
        "block-time": { type: "string", default: "0" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    const { code, message } = error as Error & { code?: string };
    const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
    usageError(
      code === "ERR_PARSE_ARGS_UNKNOWN_OPTION"
        ? `unknown option ${quoted}`
        : code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL"
          ? `unexpected argument ${quoted}`
          : message.split(/\.\s/)[0]!.replace(/^Option '(\S+)[^']*'/, "option $1"),
    );
    throw error; // not reached
  }
  if (values.help) {
    say(USAGE);
    process.exit(0);
  }
  const port = (flag: string, text: string) =>
    /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65_535
      ? Number(text)
      : usageError(`${flag} takes a port number from 1 to 65535, not "${text}"`);
  const apiPort = port("--port", values.port);
  const rpcPort = port("--rpc-port", values["rpc-port"]);
  if (apiPort === rpcPort) usageError(`--port and --rpc-port are both ${apiPort}: they need two different ports`);
  if (!/^\d{1,6}$/.test(values["block-time"])) {
    usageError(`--block-time takes a whole number of seconds, not "${values["block-time"]}"`);
  }
  if (values["data-dir"].trim() === "") usageError("--data-dir takes a directory");
  return {
    fresh: values.fresh,
    dataDir: values["data-dir"],
    port: apiPort,
    rpcPort,
    noDemo: values["no-demo"],
    blockTime: Number(values["block-time"]),
  };
}

/** The environment, validated before anything starts: a bad value is one line (core/config.ts), exit 1. */
function readConfig(): StartEnv {
  try {
    return readStartEnv();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    complain(error.message);
    process.exit(1);
  }
}

/** One `npm start` per data directory: `start.lock` holds the pid; a lock whose process is gone is stale. */
function lockDataDir(): void {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: "wx" });
      ownLock = true;
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        fail(`cannot lock the data directory ${dataDir}: ${(error as Error).message}`);
      }
    }
    let holder: number;
    try {
      holder = Number(readFileSync(lockFile, "utf8").trim());
    } catch {
      continue; // released meanwhile
    }
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isNpmStart(holder)) {
      fail(
        `the data directory ${dataDir} is in use by another npm start (pid ${holder}): stop that one, or pass ` +
          `--data-dir (a lock left by a crash: delete ${lockFile})`,
      );
    }
    rmSync(lockFile, { force: true }); // stale: its process is gone
  }
  fail(`cannot lock the data directory ${dataDir} (${lockFile} keeps coming back)`);
}

/** Is `pid` alive, and (where /proc tells) an npm start? A pid reused by another program does not hold the lock. */
function isNpmStart(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("start.ts");
  } catch {
    return true; // no /proc: alive is all we know
  }
}

function releaseLock(): void {
  if (!ownLock) return;
  ownLock = false;
  try {
    if (readFileSync(lockFile, "utf8").trim() === String(process.pid)) rmSync(lockFile, { force: true });
  } catch {
    // already gone (e.g. the data directory was removed)
  }
}

async function requirePort(port: number, host: string, flag: string): Promise<void> {
  const code = await new Promise<string | undefined>((resolvePort) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => resolvePort(error.code ?? "error"));
    probe.listen(port, host, () => probe.close(() => resolvePort(undefined)));
  });
  if (code === "EADDRINUSE") fail(`port ${port} is in use: pass ${flag}`);
  if (code === "EACCES") fail(`port ${port} needs privileges this process lacks: pass ${flag} with a port above 1023`);
  if (code) fail(`cannot listen on ${host}:${port} (${code}): pass ${flag}`);
}

function chainRunning(): boolean {
  return chain !== undefined && chain.exitCode === null && chain.signalCode === null;
}

function startChain(): void {
  // anvil as core/chain/anvil.ts launches it (under `setpriv --pdeathsig SIGINT` on Linux: nothing is left holding
  // the RPC port should this process die). It stays in the terminal's process group: a Ctrl-C reaches it too.
  chain = spawnAnvil(
    { port: args.rpcPort, blockTime: args.blockTime, stateFile: join(dataDir, "chain", "state.json") },
    ["ignore", "ignore", "pipe"],
  );
  chain.stderr!.on("data", (d: Buffer) => (chainError = (chainError + d.toString()).slice(-4000)));
  chain.once("error", (error) => {
    if (!stopping) void failed(new StartError(`cannot start the embedded chain (anvil): ${oneLine(error)}`));
  });
  chain.once("exit", (code, signal) => {
    if (stopping) return;
    // A Ctrl-C at the terminal reaches the chain and this process at the same time: let ours arrive first.
    setTimeout(() => {
      if (!stopping) void failed(new StartError(`the embedded chain exited (${signal ?? code}): ${chainFailure()}`));
    }, 500);
  });
}

function chainFailure(): string {
  if (/address already in use/i.test(chainError)) return `port ${args.rpcPort} is in use: pass --rpc-port`;
  return chainError.trim().split("\n").at(-1) ?? "no message";
}

async function waitForChain(p: JsonRpcProvider): Promise<void> {
  for (let i = 0; i < 150; i++) {
    guard();
    try {
      await p.getBlockNumber();
      return;
    } catch {
      if (!chainRunning()) {
        await sleep(500); // a Ctrl-C that reached the chain too: let our own handler run first
        guard();
        fail(
          /address already in use/i.test(chainError)
            ? `port ${args.rpcPort} is in use: pass --rpc-port`
            : `the embedded chain did not start: ${chainError.trim().split("\n").at(-1) ?? ""}`,
        );
      }
      await sleep(100);
    }
  }
  fail("the embedded chain did not answer within 15 s");
}

async function deploy(provider: JsonRpcProvider): Promise<Deployment> {
  // Ignition deploys the committed artifact (sdk/src/abi.ts): nothing to compile, on the first start either.
  // Logs are read from the block after the last one before deployment (a safe lower bound). Kept across an
  // interrupted deployment, which Ignition resumes from its journal.
  let before: number;
  if (existsSync(deployStartFile)) {
    before = (JSON.parse(readFileSync(deployStartFile, "utf8")) as { before: number }).before;
  } else {
    before = await provider.getBlockNumber();
    writeFileSync(deployStartFile, JSON.stringify({ before }) + "\n");
  }
  // hardhat.config.ts reads this: Ignition's deployment journal then lives in the data directory too.
  process.env.ITEC_IGNITION_DIR = join(dataDir, "ignition");
  const { network } = await import("hardhat");
  const { default: registryModule } = await import("../ignition/modules/ITECRegistry.ts");
  const connection = await network.create({ network: "localhost", override: { url: rpcUrl } });
  const admin = devAccount(ROLES.admin).address;
  const issuer = devAccount(ROLES.oracle).address;
  try {
    const { registry } = await connection.ignition.deploy(registryModule, {
      parameters: {
        ITECRegistry: { admin, issuer, externalBaseURI },
      },
      deploymentId: "itec-embedded",
    });
    const address = await registry.getAddress();
    return { registry: address, chainId: 1337, deployBlock: before + 1, admin, issuer, externalBaseURI };
  } catch (error) {
    guard();
    fail(`deploying the registry failed: ${oneLine(error)} (npm start -- --fresh starts over)`);
  } finally {
    await connection.close();
  }
}

/** Points the registry's on-chain links at this start's public URL (dev admin, zero gas price). */
async function setExternalBaseURI(provider: JsonRpcProvider, address: string): Promise<void> {
  try {
    const tx = await registryAt(address, devAccount(ROLES.admin, provider)).setExternalBaseURI(externalBaseURI, {
      gasPrice: 0n,
    });
    await tx.wait();
  } catch (error) {
    guard();
    fail(`could not update the registry's public URL: ${oneLine(error)}`);
  }
}

/** TEST ONLY (ITEC_DEMO_STOP_AFTER): a Ctrl-C right after a given step of the demonstration. */
async function demoHook(step: number): Promise<void> {
  guard(); // a real Ctrl-C during the demonstration: stop it between steps
  if (config.ITEC_DEMO_STOP_AFTER !== step) return;
  say(`ITEC_DEMO_STOP_AFTER=${step} (test hook): interrupting the demonstration after step ${step}`);
  process.kill(process.pid, "SIGINT");
  await new Promise<never>(() => undefined); // stop() exits the process
}

/** Renders the demonstration's documents and records them in demo.json; a failure is reported, not fatal. */
async function documents(api: RunningApi, result: DemoResult): Promise<void> {
  try {
    const docs = await writeDocuments(api, result.retirementId);
    guard();
    const demo = JSON.parse(readFileSync(demoFile, "utf8")) as Record<string, unknown>;
    writeFileSync(demoFile, JSON.stringify({ ...demo, documents: docs }, null, 2) + "\n");
    say(`retirement certificate (PDF): ${docs.certificatePdf}`);
    say(`Scope 3 report for the corporate, 2026: ${docs.scope3Pdf} (chart ${docs.scope3Png})`);
  } catch (error) {
    guard();
    complain(`the demonstration's documents could not be rendered: ${oneLine(error)} — the next npm start tries again`);
  }
}

/** The demonstration's documents, rendered from the chain: the retirement certificate and a Scope 3 report. */
async function writeDocuments(api: RunningApi, retirementId: string) {
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

// Stopping ---------------------------------------------------------------------------------------------------------

function guard(): void {
  if (stopping) throw new Stopping("stopping");
}

function onSignal(signal: string): void {
  if (stopping) {
    // Under `npm start` one Ctrl-C can arrive twice: from the terminal (the whole process group) and relayed by
    // npm itself. Only a later one means "stop now".
    if (Date.now() - stopSignalAt < 2_000) return;
    say(`${signal} again: stopping now`);
    process.exit(130); // the exit handler still asks the chain to write its state and stop
  }
  stopSignalAt = Date.now();
  void stop(0, signal);
}

/** A failure while starting (or a crash later): one line, then everything started is stopped; exit 1. */
async function failed(error: unknown): Promise<void> {
  if (stopping) return; // a failure caused by the stop itself
  if (error instanceof Stopping) return;
  if (error instanceof StartError) complain(error.message);
  else {
    logger?.error({ err: error }, "npm start failed");
    complain(`${oneLine(error)}${logger ? ` (details in ${join(dataDir, "registry.log")})` : ""}`);
  }
  await stop(1);
}

/** Stops the services, then the chain (it writes its state on SIGINT), releases the lock and exits. */
async function stop(code: number, signal?: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (signal) say(`\n${signal}: stopping…`);
  setTimeout(() => {
    complain("stopping took more than 20 s: exiting now");
    process.exit(code === 0 ? 1 : code);
  }, 20_000).unref();
  controller.abort();
  await running.services?.stop();
  running.provider?.destroy();
  const chainWasRunning = chain !== undefined;
  await stopChain();
  releaseLock();
  if (signal) say(chainWasRunning ? "stopped; state saved." : "stopped.");
  process.exit(code);
}

async function stopChain(): Promise<void> {
  const child = chain;
  if (!child || !chainRunning()) return;
  await new Promise<void>((resolveExit) => {
    child.once("exit", () => resolveExit());
    child.kill("SIGINT"); // anvil writes its state file on the way out
    setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
  });
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.trim() || (error instanceof Error ? error.name : "unknown error");
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
