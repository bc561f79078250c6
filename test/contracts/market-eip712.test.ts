/**
 * The market's EIP-712 offer: the SDK's TypeScript definition (sdk/src/market/offer.ts) and the contract agree on
 * type hash, struct hash, domain and digest, and a signature made through the SDK fills on chain.
 */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import {
  MARKET_EIP712_NAME,
  MARKET_EIP712_VERSION,
  marketDomain,
  offerDigest,
  offerFromJson,
  offerHash,
  offerToJson,
  offerTypedData,
  offerTypeString,
} from "../../sdk/src/market/offer.ts";
import { deployMarket, fixtureOffer, type MarketFixture } from "../helpers/market.ts";

const connection = await network.create();
const { networkHelpers } = connection;

async function marketFixture(): Promise<MarketFixture> {
  return deployMarket(connection);
}

describe("EIP-712 market offer (TypeScript ↔ Solidity parity)", function () {
  it("has the same type hash in TypeScript and in the contract", async function () {
    const { market } = await networkHelpers.loadFixture(marketFixture);
    expect(keccak256(toUtf8Bytes(offerTypeString()))).to.equal(await market.OFFER_TYPEHASH());
  });

  it("builds the domain the contract reports through eip712Domain()", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const d = await f.market.eip712Domain();
    expect([d.name, d.version, d.chainId, d.verifyingContract]).to.deep.equal([
      MARKET_EIP712_NAME,
      MARKET_EIP712_VERSION,
      f.chainId,
      f.marketAddress,
    ]);
  });

  it("hashes an offer (every field set) and its digest as the contract does", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const offer = fixtureOffer(f, {
      batchId: 0n,
      category: 1,
      vintageFrom: 1_767_225_600n,
      vintageTo: 1_798_761_599n,
      minReductionGrams: 30_000n,
      maxIntensityGrams: 160_000n,
      paymentWindow: 14n * 86_400n,
      rfqId: 7n,
    });
    expect(await f.market.offerHash(offer)).to.equal(offerHash(offer));
    expect(await f.market.offerDigest(offer)).to.equal(offerDigest(marketDomain(f.chainId, f.marketAddress), offer));
  });

  it("round-trips an offer through JSON and gives a wallet payload with primary type Offer", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const offer = fixtureOffer(f, { rfqId: 3n });
    expect(offerFromJson(offerToJson(offer))).to.deep.equal(offer);
    const payload = offerTypedData(marketDomain(f.chainId, f.marketAddress), offer);
    expect(payload.primaryType).to.equal("Offer");
    expect(payload.message.price).to.equal(offer.price.toString());
  });
});
