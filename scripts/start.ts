/**
 * `npm start` — the whole registry on this machine, in one process tree:
 *   the embedded chain (Hardhat's EDR on 127.0.0.1, every block journaled — or anvil with snapshots, `--chain anvil`;
 *   chain id 1337, Cancun, zero gas price),
 *   the contracts deployed with Hardhat Ignition (first start only), the oracle worker, the event indexer,
 *   and the API with the verification page. On first start it runs the demonstration.
 * State lives under the data directory (default ./.itec/) and survives a restart; `--fresh` starts over.
 *
 * - Ctrl-C (SIGINT; also SIGTERM, SIGHUP) stops everything cleanly at any point, the first start included: the
 *   services close, then the chain stops (anvil: after its last snapshot). A second Ctrl-C stops at once
 *   (start/shutdown.ts; the journaled chain loses nothing acknowledged, anvil the blocks since its last snapshot).
 * - The demonstration is resumable: a start after one interrupted half-way completes it (start/demo.ts).
 * - One `npm start` per data directory: it holds `<data-dir>/start.lock` (start/data-dir-lock.ts).
 * - A bad flag or environment variable, and any startup failure, is one line on stderr (`npm start: …`); what was
 *   started is stopped and it exits 1.
 *
 * DEV MODE: every key here is one of Hardhat's well-known test accounts (public; never on a real network).
 */
import { pino } from "pino";

import { ConfigError, embeddedServeEnv, readStartEnv, type StartEnv } from "../core/config.ts";
import { ANVIL_CHAIN_ID } from "../core/chain/anvil.ts";
import { devAccount } from "../core/keys.ts";
import { appIsCurrent, buildApp } from "./build/app.ts";
import { startServices } from "./lib/services.ts";
import { parseStartArgs, USAGE, UsageError, type StartArgs } from "./start/args.ts";
import { EmbeddedChain } from "./start/chain.ts";
import { SNAPSHOT_SECONDS } from "./start/chain-snapshots.ts";
import { createDataDir, dataDirAt, refuseAnvilState, wipeDataDir } from "./start/data-dir.ts";
import { DataDirLock } from "./start/data-dir-lock.ts";
import { demonstrate } from "./start/demo.ts";
import { ensureDeployment } from "./start/deploy.ts";
import { ensureMarket } from "./start/market.ts";
import { START_ROLES } from "./start/dev-accounts.ts";
import { fail } from "./start/errors.ts";
import { requirePort } from "./start/ports.ts";
import { Shutdown } from "./start/shutdown.ts";
import { complain, elapsed, say } from "./start/terminal.ts";

// Arguments and environment: nothing is started before they are valid.
const { args, env } = readCommandLine(process.argv.slice(2));
const shutdown = new Shutdown();
shutdown.install();
await main(args, env).then(
  () => undefined,
  (error: unknown) => shutdown.failed(error),
);

function readCommandLine(argv: string[]): { args: StartArgs; env: StartEnv } {
  try {
    const args = parseStartArgs(argv);
    if (args === "help") {
      say(USAGE);
      process.exit(0);
    }
    return { args, env: readStartEnv() };
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
    complain(error.message);
    if (error instanceof UsageError) process.stderr.write(`${USAGE}\n`);
    process.exit(1);
  }
}

async function main(args: StartArgs, env: StartEnv): Promise<void> {
  const guard = () => shutdown.guard();
  say(
    "I-TEC Registry — embedded mode (DEV MODE: Hardhat's well-known test accounts; never use them on a real network)",
  );
  const dir = dataDirAt(args.dataDir);
  createDataDir(dir);
  const lock = new DataDirLock(dir.lock, dir.root);
  shutdown.atExit(() => lock.release());
  shutdown.onStop(() => lock.release());
  lock.acquire();
  if (args.fresh) {
    wipeDataDir(dir);
    say(`--fresh: removed the state in ${dir.root}`);
  }
  if (args.chain === "edr") refuseAnvilState(dir);
  const logger = pino({ level: env.ITEC_LOG_LEVEL }, pino.destination(dir.log));
  shutdown.log = { logger, file: dir.log };
  say(`data directory: ${dir.root}`);
  await requirePort(args.port, env.ITEC_API_HOST, "--port");
  await requirePort(args.rpcPort, "127.0.0.1", "--rpc-port");

  // 1. The embedded chain
  const chain = new EmbeddedChain({
    chain: args.chain,
    rpcPort: args.rpcPort,
    blockTime: args.blockTime,
    stateDir: dir.chainDir,
    snapshotSeconds: SNAPSHOT_SECONDS,
    snapshotPauseMs: env.ITEC_CHAIN_SNAPSHOT_PAUSE_MS,
    guard,
    onFailure: (error) => void shutdown.failed(error),
  });
  shutdown.atExit(() => chain.stopNow());
  shutdown.onStop(() => chain.stop());
  shutdown.farewell = "stopped; state saved.";
  const provider = await chain.start();
  shutdown.onStop(() => provider.destroy());
  say(`chain: ${chain.describe()} — ${elapsed()}`);

  // 2. The contracts (first start)
  /** Where people reach this registry (as the API computes it), and the base of the verify links declared on-chain. */
  const publicUrl = (env.ITEC_PUBLIC_URL ?? `http://127.0.0.1:${args.port}`).replace(/\/+$/, "");
  const deployContext = { provider, rpcUrl: chain.url, dir, publicUrl, guard };
  const deployment = await ensureMarket(deployContext, await ensureDeployment(deployContext));
  guard();

  // 3. The web app: built by `npm ci` (prepare); rebuilt here when its sources changed since (~1 s).
  if (!appIsCurrent()) {
    await buildApp();
    say(`web app: built from app/ — ${elapsed()}`);
  }
  guard();

  // 4. Oracle worker, indexer, API
  const servicesEnv = embeddedServeEnv(env, {
    ITEC_RPC_URL: chain.url,
    ITEC_REGISTRY_ADDRESS: deployment.registry,
    ITEC_REGISTRY_DEPLOY_BLOCK: deployment.deployBlock,
    ...(deployment.market ? { ITEC_MARKET_ADDRESS: deployment.market } : {}),
    ITEC_CHAIN_ID: ANVIL_CHAIN_ID,
    ITEC_GAS_PRICE: "0",
    ITEC_ORACLE_DEV_ACCOUNT: START_ROLES.oracle,
    ITEC_DB_PATH: dir.registryDb,
    ITEC_API_PORT: args.port,
    ITEC_EVIDENCE_BASE_URL: `http://127.0.0.1:${args.port}`,
  });
  const services = await startServices(servicesEnv, { logger, signal: shutdown.signal }).catch((error: unknown) => {
    guard();
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") fail(`port ${args.port} is in use: pass --port`);
    throw error;
  });
  shutdown.onStop(() => services.stop());
  guard();
  const { api } = services;
  say(`API: ${api.url}  (docs ${api.url}/docs, OpenAPI ${api.url}/openapi.json) — ${elapsed()}`);

  // 5. The demonstration (first start; completed by the next start if it was interrupted)
  await demonstrate({
    api,
    provider,
    rpcUrl: chain.url,
    registry: deployment.registry,
    dir,
    guard,
    noDemo: args.noDemo,
    stopAfter: env.ITEC_DEMO_STOP_AFTER,
  });
  guard();
  say(webAppHelp(api.url));
  say(
    `\nThe registry is running. Web app ${api.url}/app/ · API ${api.url} · verify page ${api.url}/verify · ` +
      `Ctrl-C to stop (state is kept in ${dir.root}).`,
  );
}

/**
 * How to use the web app on this dev registry: its URL, and the roles' keys to import into a browser wallet —
 * Hardhat's published test keys, printed because they are public (never use them on a real network) — or the app's
 * built-in dev wallet, which holds the same keys and exists only on a development chain.
 */
function webAppHelp(apiUrl: string): string {
  const roles = Object.entries(START_ROLES).filter(([role]) => role !== "oracle");
  const rows = roles.map(([role, i]) => {
    const w = devAccount(i);
    return `  ${role.padEnd(12)} ${w.address}  ${w.privateKey}`;
  });
  return [
    `\nWeb app: ${apiUrl}/app/ — pick "Dev wallet" there, or import one of these keys into your browser wallet`,
    "(Hardhat's public test keys: DEV MODE only, never on a real network):",
    ...rows,
  ].join("\n");
}
