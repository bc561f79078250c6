/**
 * The registry on the embedded chain: deployed with Hardhat Ignition on the first start (from the committed
 * artifact sdk/src/abi.ts: nothing to compile), recorded in `<data-dir>/deployment.json`, and on a later start
 * checked against the chain state and pointed at this start's public URL.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";

import type { JsonRpcProvider } from "ethers";

import { devAccount } from "../../core/keys.ts";
import { registryAt } from "../../sdk/src/registry.ts";
import type { DataDir } from "./data-dir.ts";
import { START_ROLES } from "./dev-accounts.ts";
import { fail } from "./errors.ts";
import { elapsed, oneLine, say } from "./terminal.ts";

export interface Deployment {
  registry: string;
  chainId: number;
  deployBlock: number;
  admin: string;
  issuer: string;
  /** The base of the verify links the registry declares on-chain (token metadata `external_url`). */
  externalBaseURI?: string;
  /** The market (ITECMarket) and its TEST settlement token, once deployed (scripts/start/market.ts). */
  market?: string;
  settlementToken?: string;
}

export interface DeployContext {
  provider: JsonRpcProvider;
  rpcUrl: string;
  dir: DataDir;
  /** Where people reach this registry (as the API computes it): the base of the verify links declared on-chain. */
  publicUrl: string;
  /** Throws once a stop is under way. */
  guard(): void;
}

/** The registry this start uses: the one deployed earlier (its links updated if need be), or a new one. */
export async function ensureDeployment(ctx: DeployContext): Promise<Deployment> {
  const { provider, dir, publicUrl } = ctx;
  const externalBaseURI = `${publicUrl}/verify/batches/`;
  if (!existsSync(dir.deployment)) {
    const deployment = await deploy(ctx, externalBaseURI);
    ctx.guard();
    writeDeployment(dir, deployment);
    rmSync(dir.deploymentPending, { force: true });
    say(`registry: ${deployment.registry} deployed with Hardhat Ignition — ${elapsed()}`);
    return deployment;
  }
  const deployment = JSON.parse(readFileSync(dir.deployment, "utf8")) as Deployment;
  if ((await provider.getCode(deployment.registry)) === "0x") {
    fail(`the chain state has no registry at ${deployment.registry} (state file lost?): run npm start -- --fresh`);
  }
  // A registry v1 (before issue 13) has no extension: its ABI is not this code's, and v1 is not migrated (ADR 0006).
  const isV2 = await registryAt(deployment.registry, provider)
    .extension()
    .then(
      () => true,
      () => false,
    );
  if (!isV2) {
    fail(
      `the data directory holds a registry of the first contract version (${deployment.registry}), which this ` +
        "version does not run: run npm start -- --fresh to start over with registry v2",
    );
  }
  say(`registry: ${deployment.registry} (deployed earlier at block ${deployment.deployBlock})`);
  if (deployment.externalBaseURI === externalBaseURI) return deployment;
  // started on another --port or ITEC_PUBLIC_URL: the links the chain declares must name this API
  await setExternalBaseURI(ctx, deployment.registry, externalBaseURI);
  const updated = { ...deployment, externalBaseURI };
  writeDeployment(dir, updated);
  say(`registry: its public URL is now ${publicUrl} (setExternalBaseURI, signed by the dev admin)`);
  return updated;
}

export function writeDeployment(dir: DataDir, deployment: Deployment): void {
  writeFileSync(dir.deployment, JSON.stringify(deployment, null, 2) + "\n");
}

async function deploy(ctx: DeployContext, externalBaseURI: string): Promise<Deployment> {
  const { provider, dir, rpcUrl } = ctx;
  // Logs are read from the block after the last one before deployment (a safe lower bound). Kept across an
  // interrupted deployment, which Ignition resumes from its journal.
  let before: number;
  if (existsSync(dir.deploymentPending)) {
    before = (JSON.parse(readFileSync(dir.deploymentPending, "utf8")) as { before: number }).before;
  } else {
    before = await provider.getBlockNumber();
    writeFileSync(dir.deploymentPending, JSON.stringify({ before }) + "\n");
  }
  // hardhat.config.ts reads this: Ignition's deployment journal then lives in the data directory too.
  process.env.ITEC_IGNITION_DIR = dir.ignition;
  const { network } = await import("hardhat");
  const { default: registryModule } = await import("../../ignition/modules/ITECRegistry.ts");
  const connection = await network.create({ network: "localhost", override: { url: rpcUrl } });
  const admin = devAccount(START_ROLES.admin).address;
  const issuer = devAccount(START_ROLES.oracle).address;
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
    ctx.guard();
    fail(`deploying the registry failed: ${oneLine(error)} (npm start -- --fresh starts over)`);
  } finally {
    await connection.close();
  }
}

/** Points the registry's on-chain links at this start's public URL (dev admin, zero gas price). */
async function setExternalBaseURI(ctx: DeployContext, address: string, externalBaseURI: string): Promise<void> {
  try {
    const admin = devAccount(START_ROLES.admin, ctx.provider);
    const tx = await registryAt(address, admin).setExternalBaseURI(externalBaseURI, { gasPrice: 0n });
    await tx.wait();
  } catch (error) {
    ctx.guard();
    fail(`could not update the registry's public URL: ${oneLine(error)}`);
  }
}
