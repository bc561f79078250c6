/**
 * A chain reachable over HTTP JSON-RPC on loopback, for tests that exercise the services exactly as production
 * does (oracle, API, child processes). Two backends:
 * - `hardhat` (default): Hardhat's in-process simulator behind its JSON-RPC server;
 * - `anvil` (`ITEC_TEST_CHAIN=anvil`): a separate anvil process with interval mining (a block every second,
 *   not automine) — the stand-in for a Besu node that proves only standard JSON-RPC is used.
 * Plus deployment of a configured registry with Hardhat's well-known TEST accounts.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

import { JsonRpcProvider, keccak256, Network, NonceManager, toUtf8Bytes, type Signer } from "ethers";
import { network } from "hardhat";

import { spawnAnvil } from "../../core/chain/anvil.ts";
import { PARTICIPANT_KINDS } from "../../sdk/src/enums.ts";
import { registryAt, type ITECRegistry } from "../../sdk/src/registry.ts";
import { devAccount } from "../../core/keys.ts";
import {
  ITECRegistry__factory,
  ITECRegistryExtension__factory,
  MockERC1271Wallet__factory,
} from "../../types/ethers-contracts/index.ts";
import { ALL_CATEGORIES } from "./registry.ts";

export type ChainKind = "hardhat" | "anvil";

export interface TestChain {
  kind: ChainKind;
  url: string;
  chainId: bigint;
  provider: JsonRpcProvider;
  rpc(method: string, params?: unknown[]): Promise<unknown>;
  /** Mines one block now (both backends). */
  mine(): Promise<void>;
  setAutomine(on: boolean): Promise<void>;
  /**
   * anvil only: restarts the node on the same port from its own state, as an operator's restart would — the chain
   * (blocks, balances, contracts) survives, what sat in the transaction pool is lost.
   */
  restart?(): Promise<void>;
  stop(): Promise<void>;
}

export function testChainKind(): ChainKind {
  return process.env.ITEC_TEST_CHAIN === "anvil" ? "anvil" : "hardhat";
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts a chain of the configured kind (chain id 1337, Cancun). anvil mines a block every `blockTime` seconds
 * (default 1; 0 = automine).
 */
export async function startTestChain(
  kind: ChainKind = testChainKind(),
  options: { blockTime?: number } = {},
): Promise<TestChain> {
  let stopBackend: () => Promise<void>;
  let restartBackend: (() => Promise<void>) | undefined;
  let url: string;
  if (kind === "anvil") {
    const port = await freePort();
    const blockTime = options.blockTime ?? 1;
    let child = spawnAnvil({ port, blockTime }, "ignore");
    let stateDir: string | undefined;
    url = `http://127.0.0.1:${port}`;
    const stopChild = () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      });
    stopBackend = async () => {
      await stopChild();
      if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    };
    restartBackend = async () => {
      const hex = (await rpc("anvil_dumpState")) as string;
      stateDir ??= mkdtempSync(join(tmpdir(), "itec-anvil-"));
      const state = join(stateDir, "state.json");
      writeFileSync(state, gunzipSync(Buffer.from(hex.slice(2), "hex")));
      await stopChild();
      child = spawnAnvil({ port, blockTime, loadState: state }, "ignore");
      await waitForRpc(url);
    };
    await waitForRpc(url);
  } else {
    const server = await network.createServer("hardhat", "127.0.0.1", 0);
    const { address, port } = await server.listen();
    url = `http://${address}:${port}`;
    stopBackend = () => server.close();
  }
  const provider = new JsonRpcProvider(url, Network.from(1337n), {
    staticNetwork: true,
    pollingInterval: 100,
    cacheTimeout: -1,
  });
  const rpc = (method: string, params: unknown[] = []) => provider.send(method, params) as Promise<unknown>;
  return {
    kind,
    url,
    chainId: 1337n,
    provider,
    rpc,
    mine: async () => {
      await rpc("evm_mine");
    },
    setAutomine: async (on) => {
      await rpc("evm_setAutomine", [on]);
      if (on && kind === "anvil") await rpc("evm_setIntervalMining", [1]);
    },
    restart: async () => {
      if (!restartBackend) throw new Error("only an anvil test chain restarts");
      await restartBackend();
    },
    stop: async () => {
      provider.destroy();
      await stopBackend();
    },
  };
}

async function waitForRpc(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`chain at ${url} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** RegistryState.ISSUER_ROLE, granted before the registry is mined (checked against it afterwards). */
const ISSUER_ROLE = keccak256(toUtf8Bytes("ITEC_ISSUER_ROLE"));

/** Dev account roles used across the e2e tests (Hardhat TEST mnemonic; public keys, never for real use). */
export const ACCOUNTS = {
  admin: 0,
  oracle: 1,
  auditor1: 2,
  auditor2: 3,
  auditor3: 4,
  refurbisher: 5,
  corporate: 6,
  trader: 7,
} as const;

/** The auditing bodies `deployOverRpc` registers, one per auditor (the threshold counts bodies). */
export const AUDITOR_BODIES = ["Audit Body A", "Audit Body B", "Audit Body C"] as const;
/** The organisation names `deployOverRpc` admits the dev participants under. */
export const PARTICIPANT_NAMES = {
  refurbisher: "Refurb Co",
  corporate: "Corporate plc",
  trader: "Trader GmbH",
} as const;

export interface DeployedRegistry {
  address: string;
  /** Block of the registry's deployment (where an index of its events starts). */
  deployBlock: number;
  /** The registry under its whole ABI (registry + extension), read-only. */
  registry: ITECRegistry;
  admin: Signer;
  /** The registry connected to the admin's nonce-managed signer. */
  adminRegistry: ITECRegistry;
  wallet(role: keyof typeof ACCOUNTS): ReturnType<typeof devAccount>;
}

/**
 * Deploys the registry over HTTP (the extension first, then the registry that delegates to it), registers the
 * methodology, grants the issuer role, registers one auditing body per auditor and accredits each for every
 * category for ten years, and admits the participants under their names.
 *
 * The setup transactions are all sent first (consecutive nonces, explicit gas limits: no estimate can run against
 * a contract not mined yet) and then waited for, each receipt checked: on anvil's interval mining they land in one
 * or two blocks instead of one block (a second) each, and on automine the result is the same chain state.
 */
export async function deployOverRpc(chain: TestChain, options: { auditors?: number } = {}): Promise<DeployedRegistry> {
  const admin = new NonceManager(devAccount(ACCOUNTS.admin, chain.provider));
  const deployGas = { gasLimit: 12_000_000n };
  const callGas = { gasLimit: 1_000_000n };
  const extension = await new ITECRegistryExtension__factory(admin).deploy(deployGas);
  const deployed = await new ITECRegistry__factory(admin).deploy(
    await admin.getAddress(),
    2n * 86_400n,
    "http://127.0.0.1:8080/batches/",
    await extension.getAddress(),
    deployGas,
  );
  const address = await deployed.getAddress();
  const registry = registryAt(address, admin);
  const wallet = (role: keyof typeof ACCOUNTS) => devAccount(ACCOUNTS[role], chain.provider);
  const now = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
  const sent = [
    extension.deploymentTransaction()!,
    deployed.deploymentTransaction()!,
    await registry.registerMethodology("ITEC-CALC 1.0", "ITEC-PARAMS-1", callGas),
    await registry.grantRole(ISSUER_ROLE, wallet("oracle").address, callGas),
  ];
  const auditors = (["auditor1", "auditor2", "auditor3"] as const).slice(0, options.auditors ?? 2);
  for (const [i, a] of auditors.entries()) {
    sent.push(await registry.registerAuditorBody(AUDITOR_BODIES[i]!, callGas));
    sent.push(
      await registry.setAccreditation(wallet(a).address, i + 1, ALL_CATEGORIES, 0, now + 3650n * 86_400n, callGas),
    );
  }
  for (const role of ["refurbisher", "corporate", "trader"] as const) {
    sent.push(
      await registry.admitParticipant(wallet(role).address, PARTICIPANT_KINDS[role], PARTICIPANT_NAMES[role], callGas),
    );
  }
  const receipts = [];
  for (const tx of sent) {
    const receipt = await tx.wait(); // throws on a reverted transaction
    if (receipt?.status !== 1) throw new Error(`deployOverRpc: transaction ${tx.hash} failed`);
    receipts.push(receipt);
  }
  if ((await registry.ISSUER_ROLE()) !== ISSUER_ROLE)
    throw new Error("deployOverRpc: ISSUER_ROLE is not the one granted");
  return {
    address,
    deployBlock: receipts[1]!.blockNumber,
    registry: registryAt(address, chain.provider),
    admin,
    adminRegistry: registry,
    wallet,
  };
}

/** Deploys a test-only ERC-1271 wallet owned by `owner`'s key (sent by the admin's nonce-managed signer). */
export async function deployContractWallet(deployed: DeployedRegistry, owner: string): Promise<string> {
  const wallet = await new MockERC1271Wallet__factory(deployed.admin).deploy(owner);
  await wallet.waitForDeployment();
  return wallet.getAddress();
}
