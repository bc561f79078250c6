/**
 * Shared fixture for the market's contract tests and the gas benchmark: the registry fixture plus an {ITECMarket}
 * admitted as a participant, the TEST settlement token admitted by the registry's admin, a batch held by the seller
 * (the refurbisher), who approved the market as operator, and a buyer (the corporate) holding tokens it approved
 * to the market.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Signer } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { PARTICIPANT_KINDS } from "../../sdk/src/enums.ts";
import { makeOffer, marketDomain, signOffer, type Offer } from "../../sdk/src/market/offer.ts";
import type { ITECMarket, PermissionedToken } from "../../types/ethers-contracts/index.ts";
import { deployRegistry, issueBatch, type RegistryFixture } from "./registry.ts";

/** One certificate's price in the fixture: 12.50 of a 6-decimal token. */
export const PRICE = 12_500_000n;
/** Tokens minted to the buyer. */
export const BUYER_FUNDS = 1_000_000n * 1_000_000n;

export interface MarketFixture extends RegistryFixture {
  market: ITECMarket;
  marketAddress: string;
  token: PermissionedToken;
  tokenAddress: string;
  seller: HardhatEthersSigner;
  buyer: HardhatEthersSigner;
  /** A batch of 100 certificates held by the seller (category 1, the registry fixture's figures). */
  batchId: bigint;
}

/** Deploys the market and the TEST token next to a fresh registry and wires everything as described above. */
export async function deployMarket(connection: NetworkConnection): Promise<MarketFixture> {
  const { ethers } = connection;
  const f = await deployRegistry(connection);
  const market = (await ethers.deployContract("ITECMarket", [f.address])) as unknown as ITECMarket;
  const marketAddress = await market.getAddress();
  const token = (await ethers.deployContract("PermissionedToken", [
    "I-TEC Test Deposit (no value)",
    "tdEUR",
    6,
    f.admin.address,
  ])) as unknown as PermissionedToken;
  const tokenAddress = await token.getAddress();
  const seller = f.refurbisher;
  const buyer = f.corporate;

  await (await f.registry.admitParticipant(marketAddress, PARTICIPANT_KINDS.trader, "I-TEC Market")).wait();
  await (await market.connect(f.admin).setTokenAdmitted(tokenAddress, true)).wait();
  for (const account of [seller, buyer, f.trader]) {
    await (await token.connect(f.admin).setAdmitted(account.address, true)).wait();
  }
  await (await token.connect(f.admin).mint(buyer.address, BUYER_FUNDS)).wait();
  await (await token.connect(f.admin).mint(f.trader.address, BUYER_FUNDS)).wait();
  await (await token.connect(buyer).approve(marketAddress, BUYER_FUNDS)).wait();
  await (await token.connect(f.trader).approve(marketAddress, BUYER_FUNDS)).wait();
  await (await f.registry.connect(seller).setApprovalForAll(marketAddress, true)).wait();
  const { batchId } = await issueBatch(f);
  return { ...f, market, marketAddress, token, tokenAddress, seller, buyer, batchId };
}

let nonce = 0n;

/** An offer of the fixture's batch by its seller: 50 certificates at {PRICE}, a day to fill, a fresh nonce. */
export function fixtureOffer(f: MarketFixture, overrides: Partial<Offer> = {}): Offer {
  nonce += 1n;
  return makeOffer({
    seller: f.seller.address,
    token: f.tokenAddress,
    batchId: f.batchId,
    quantity: 50n,
    price: PRICE,
    nonce,
    expiry: f.now + 30n * 86_400n,
    ...overrides,
  });
}

/** Signs `offer` for the fixture's market (or another domain). */
export async function sign(
  f: Pick<MarketFixture, "chainId" | "marketAddress">,
  offer: Offer,
  signer: Signer,
  domain: { chainId?: bigint; verifyingContract?: string } = {},
): Promise<string> {
  return signOffer(
    signer,
    marketDomain(domain.chainId ?? f.chainId, domain.verifyingContract ?? f.marketAddress),
    offer,
  );
}
