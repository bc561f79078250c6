/**
 * The market next to an API harness's registry (over HTTP JSON-RPC): the ITECMarket admitted as a participant, the
 * TEST settlement token admitted by the market, the seller (refurbisher), buyer (corporate) and trader admitted on
 * the token, and tokens minted to the buyer and the trader. The buyer approves the market through the API itself
 * (POST /tx/market/approve), so the tests exercise that path. Also: sign an API-built transaction and relay it.
 */
import { readFileSync } from "node:fs";

import type { HDNodeWallet } from "ethers";

import { PARTICIPANT_KINDS } from "../../sdk/src/enums.ts";
import { ITECMarket__factory, PermissionedToken__factory } from "../../types/ethers-contracts/index.ts";
import type { ApiHarness } from "./api.ts";
import { issueLot } from "./issue-lot.ts";
import type { DeployedRegistry, TestChain } from "./chain.ts";

/** Tokens minted to the buyer and the trader: a million of a 6-decimal token. */
export const FUNDS = 1_000_000n * 1_000_000n;

export interface DeployedMarket {
  market: string;
  token: string;
}

/** Deploys and wires the market and the TEST token; answers their addresses (and the API's environment). */
export async function deployMarketOverRpc(
  chain: TestChain,
  deployed: DeployedRegistry,
  into: Partial<DeployedMarket>,
): Promise<Record<string, string>> {
  const admin = deployed.admin;
  const market = await new ITECMarket__factory(admin).deploy(deployed.address);
  await market.waitForDeployment();
  const token = await new PermissionedToken__factory(admin).deploy(
    "I-TEC Test Deposit (no value)",
    "tdEUR",
    6,
    await admin.getAddress(),
  );
  await token.waitForDeployment();
  const marketAddress = await market.getAddress();
  const tokenAddress = await token.getAddress();
  const wait = async (p: Promise<{ wait(): Promise<unknown> }>) => (await p).wait();
  await wait(deployed.adminRegistry.admitParticipant(marketAddress, PARTICIPANT_KINDS.trader, "I-TEC Market"));
  await wait(market.setTokenAdmitted(tokenAddress, true));
  for (const role of ["refurbisher", "corporate", "trader"] as const) {
    await wait(token.setAdmitted(deployed.wallet(role).address, true));
  }
  await wait(token.mint(deployed.wallet("corporate").address, FUNDS));
  await wait(token.mint(deployed.wallet("trader").address, FUNDS));
  void chain;
  into.market = marketAddress;
  into.token = tokenAddress;
  return { ITEC_MARKET_ADDRESS: marketAddress };
}

/** Signs what the API built with `wallet` (its next nonce, EIP-1559, no fee) and relays it; waits until mined. */
export async function signAndRelay(
  h: ApiHarness,
  wallet: HDNodeWallet,
  token: string,
  built: Record<string, string>,
): Promise<string> {
  const raw = await wallet.signTransaction({
    to: built.to!,
    data: built.data!,
    value: 0n,
    chainId: BigInt(built.chainId!),
    nonce: await h.chain.provider.getTransactionCount(wallet.address, "pending"),
    gasLimit: BigInt(built.gasLimit!),
    type: 2,
    maxFeePerGas: 10n ** 10n,
    maxPriorityFeePerGas: 0n,
  });
  const res = await h.http
    .post("/tx/relay")
    .set({ Authorization: `Bearer ${token}` })
    .send({ signedTransaction: raw });
  if (res.status !== 202) throw new Error(`relay refused: ${res.status} ${JSON.stringify(res.body)}`);
  const hash = (res.body as { hash: string }).hash;
  const receipt = await h.chain.provider.waitForTransaction(hash);
  if (receipt?.status !== 1) throw new Error(`relayed ${hash} reverted`);
  return hash;
}

/**
 * Issues twelve laptops of one model (one batch of twelve certificates) to the refurbisher and lets the market move
 * them (setApprovalForAll through POST /tx/approval and the relay); answers the batch id.
 */
export async function seedSeller(h: ApiHarness, market: string): Promise<bigint> {
  const [header, laptop] = readFileSync("test/vectors/section9-lot.csv", "utf8").split("\n");
  const rows = Array.from({ length: 12 }, (_, i) =>
    laptop!.replace("S9-5420-001", `MKT-5420-${i}`).replaceAll("9001", `93${String(i).padStart(2, "0")}`),
  );
  const batches = await issueLot(h, [header, ...rows, ""].join("\n"), "hgv:600;van:250");
  const seller = h.deployed.wallet("refurbisher");
  let most = 0n;
  let batchId = 0n;
  for (const id of batches) {
    const held = await h.deployed.registry.balanceOf(seller.address, BigInt(id));
    if (held > most) [most, batchId] = [held, BigInt(id)];
  }
  if (most < 12n) throw new Error(`expected a batch of 12 certificates, got ${most} (batches ${batches.join(", ")})`);
  const token = await h.signIn(seller);
  const approval = await h.http
    .post("/tx/approval")
    .set({ Authorization: `Bearer ${token}` })
    .send({ operator: market, approved: true });
  await signAndRelay(h, seller, token, approval.body as Record<string, string>);
  return batchId;
}
