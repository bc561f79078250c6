/**
 * The market on the embedded chain (issue 19, docs/market.md): ITECMarket and the permissioned TEST settlement token,
 * deployed with Hardhat Ignition (module ITECMarketTestToken, from the committed artifacts sdk/src/market/abi.ts)
 * once the registry stands — on the first start, and on the first start of a data directory from before the market —
 * and recorded in `<data-dir>/deployment.json` (`market`, `settlementToken`). The dev admin deploys (it is the
 * registry's admin: the market's admission as a participant needs it), admits the dev refurbisher and corporate on
 * the TEST token and mints the corporate TEST tokens to buy with. The token represents no money.
 */
import { Contract, type ContractTransactionResponse } from "ethers";

import { devAccount } from "../../core/keys.ts";
import { permissionedTokenArtifact } from "../../sdk/src/market/abi.ts";
import { writeDeployment, type DeployContext, type Deployment } from "./deploy.ts";
import { START_ROLES } from "./dev-accounts.ts";
import { fail } from "./errors.ts";
import { elapsed, oneLine, say } from "./terminal.ts";

/** TEST tokens minted to the dev corporate on deployment: 1,000,000.00 of a 6-decimal token. */
export const DEV_CORPORATE_TEST_FUNDS = 1_000_000n * 1_000_000n;

/** The deployment with its market: the one recorded, or a new one deployed now. */
export async function ensureMarket(ctx: DeployContext, deployment: Deployment): Promise<Deployment> {
  if (deployment.market && (await ctx.provider.getCode(deployment.market)) !== "0x") {
    say(`market: ${deployment.market} (TEST settlement token ${deployment.settlementToken ?? "none"})`);
    return deployment;
  }
  const { market, settlementToken } = await deployMarket(ctx, deployment.registry);
  ctx.guard();
  const updated = { ...deployment, market, settlementToken };
  writeDeployment(ctx.dir, updated);
  say(`market: ${market} deployed with Hardhat Ignition, TEST settlement token ${settlementToken} — ${elapsed()}`);
  return updated;
}

async function deployMarket(
  ctx: DeployContext,
  registry: string,
): Promise<{ market: string; settlementToken: string }> {
  // hardhat.config.ts reads this when first imported: Ignition's journal lives in the data directory.
  process.env.ITEC_IGNITION_DIR = ctx.dir.ignition;
  const { network } = await import("hardhat");
  const { default: marketModule } = await import("../../ignition/modules/ITECMarketTestToken.ts");
  const connection = await network.create({ network: "localhost", override: { url: ctx.rpcUrl } });
  try {
    const { market, token } = await connection.ignition.deploy(marketModule, {
      parameters: { ITECMarket: { registry } },
      deploymentId: "itec-embedded-market",
    });
    const settlementToken = await token.getAddress();
    const admin = devAccount(START_ROLES.admin, ctx.provider);
    const erc20 = new Contract(settlementToken, permissionedTokenArtifact.abi, admin);
    // Ignition just sent from the same account over its own connection: ask the chain for the nonce, uncached.
    let nonce = Number(await ctx.provider.send("eth_getTransactionCount", [admin.address, "pending"]));
    const overrides = () => ({ gasPrice: 0n, nonce: nonce++ });
    const send = async (method: string, ...args: unknown[]) => {
      const tx = (await erc20.getFunction(method)(...args, overrides())) as ContractTransactionResponse;
      await tx.wait();
    };
    for (const role of [START_ROLES.refurbisher, START_ROLES.corporate]) {
      await send("setAdmitted", devAccount(role).address, true);
    }
    await send("mint", devAccount(START_ROLES.corporate).address, DEV_CORPORATE_TEST_FUNDS);
    return { market: await market.getAddress(), settlementToken };
  } catch (error) {
    ctx.guard();
    fail(`deploying the market failed: ${oneLine(error)} (npm start -- --fresh starts over)`);
  } finally {
    await connection.close();
  }
}
