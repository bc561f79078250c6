/**
 * ITECMarket delivery versus payment: a fill moves price × amount of the settlement token buyer → seller and the
 * certificates seller → buyer in one transaction; partial fills count against the offer; criteria offers (batch 0)
 * check the batch's on-chain record; cancellation by offer and by nonce floor; ERC-1271 sellers; token admission.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { offerHash } from "../../sdk/src/market/offer.ts";
import { batchMeetsOffer } from "../../sdk/src/market/contract.ts";
import { PARTICIPANT_KINDS } from "../../sdk/src/enums.ts";
import type { MarketTestWallet } from "../../types/ethers-contracts/index.ts";
import { BUYER_FUNDS, deployMarket, fixtureOffer, PRICE, sign, type MarketFixture } from "../helpers/market.ts";
import { issueBatch } from "../helpers/registry.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

async function marketFixture(): Promise<MarketFixture> {
  return deployMarket(connection);
}

describe("ITECMarket fill (DvP)", function () {
  it("moves the price to the seller and the certificates to the buyer, atomically", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const offer = fixtureOffer(f);
    const tx = f.market.connect(f.buyer).fill(offer, await sign(f, offer, f.seller), f.batchId, 20);
    await expect(tx)
      .to.emit(f.market, "OfferFilled")
      .withArgs(offerHash(offer), f.seller.address, f.buyer.address, f.batchId, 20, f.tokenAddress, 20n * PRICE);
    await expect(tx)
      .to.emit(f.registry, "TransferSingle")
      .withArgs(f.marketAddress, f.seller.address, f.buyer.address, f.batchId, 20);
    expect(await f.registry.balanceOf(f.buyer.address, f.batchId)).to.equal(20n);
    expect(await f.registry.balanceOf(f.seller.address, f.batchId)).to.equal(80n);
    expect(await f.token.balanceOf(f.seller.address)).to.equal(20n * PRICE);
    expect(await f.token.balanceOf(f.buyer.address)).to.equal(BUYER_FUNDS - 20n * PRICE);
    // The market holds nothing between transactions.
    expect(await f.registry.balanceOf(f.marketAddress, f.batchId)).to.equal(0n);
    expect(await f.token.balanceOf(f.marketAddress)).to.equal(0n);
  });

  it("fills partially until the quantity is used up, then refuses the rest", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const offer = fixtureOffer(f, { quantity: 30n });
    const signature = await sign(f, offer, f.seller);
    await (await f.market.connect(f.buyer).fill(offer, signature, f.batchId, 10)).wait();
    expect(await f.market.remaining(offer)).to.equal(20n);
    await (await f.market.connect(f.trader).fill(offer, signature, f.batchId, 15)).wait();
    expect(await f.market.filled(f.seller.address, offer.nonce)).to.deep.equal([25n, false]);
    await expect(f.market.connect(f.buyer).fill(offer, signature, f.batchId, 6))
      .to.be.revertedWithCustomError(f.market, "MarketOverfill")
      .withArgs(5, 6);
    await (await f.market.connect(f.buyer).fill(offer, signature, f.batchId, 5)).wait();
    expect(await f.market.remaining(offer)).to.equal(0n);
    expect(await f.registry.balanceOf(f.buyer.address, f.batchId)).to.equal(15n);
    expect(await f.registry.balanceOf(f.trader.address, f.batchId)).to.equal(15n);
    await expect(f.market.connect(f.buyer).fill(offer, signature, f.batchId, 1))
      .to.be.revertedWithCustomError(f.market, "MarketOverfill")
      .withArgs(0, 1);
  });

  it("keeps neighbouring nonces' fills apart (eight per storage word)", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const offers = Array.from({ length: 9 }, (_, i) => fixtureOffer(f, { nonce: 1000n + BigInt(i), quantity: 9n }));
    for (const [i, o] of offers.entries()) {
      await (await f.market.connect(f.buyer).fill(o, await sign(f, o, f.seller), f.batchId, i + 1)).wait();
    }
    for (const [i, o] of offers.entries()) {
      expect(await f.market.filled(f.seller.address, o.nonce)).to.deep.equal([BigInt(i + 1), false]);
      expect(await f.market.remaining(o)).to.equal(9n - BigInt(i + 1));
    }
  });

  it("sells any batch meeting a criteria offer, and refuses one that misses each criterion", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const b = await f.registry.batch(f.batchId);
    const criteria = {
      batchId: 0n,
      category: 1,
      vintageFrom: b.vintageStart,
      vintageTo: b.vintageEnd,
      minReductionGrams: b.reductionGrams,
      maxIntensityGrams: b.baselineGrams - b.reductionGrams,
    };
    const good = fixtureOffer(f, criteria);
    expect(batchMeetsOffer(good, f.batchId, b)).to.equal(true);
    await (await f.market.connect(f.buyer).fill(good, await sign(f, good, f.seller), f.batchId, 3)).wait();
    expect(await f.registry.balanceOf(f.buyer.address, f.batchId)).to.equal(3n);

    const misses: [string, Partial<typeof criteria>][] = [
      ["category", { category: 2 }],
      ["vintageFrom", { vintageFrom: b.vintageStart + 1n }],
      ["vintageTo", { vintageTo: b.vintageEnd - 1n }],
      ["minReductionGrams", { minReductionGrams: b.reductionGrams + 1n }],
      ["maxIntensityGrams", { maxIntensityGrams: b.baselineGrams - b.reductionGrams - 1n }],
    ];
    for (const [field, change] of misses) {
      const o = fixtureOffer(f, { ...criteria, ...change });
      expect(batchMeetsOffer(o, f.batchId, b), field).to.equal(false);
      await expect(f.market.connect(f.buyer).fill(o, await sign(f, o, f.seller), f.batchId, 1), field)
        .to.be.revertedWithCustomError(f.market, "MarketCriteriaNotMet")
        .withArgs(f.batchId, field);
    }
    // An offer of one batch cannot be filled from another.
    const { batchId: other } = await issueBatch(f);
    const fixed = fixtureOffer(f);
    await expect(f.market.connect(f.buyer).fill(fixed, await sign(f, fixed, f.seller), other, 1))
      .to.be.revertedWithCustomError(f.market, "MarketCriteriaNotMet")
      .withArgs(other, "batchId");
  });

  it("lets only the seller cancel an offer, and a cancelled offer never fills again", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const offer = fixtureOffer(f);
    const signature = await sign(f, offer, f.seller);
    await (await f.market.connect(f.buyer).fill(offer, signature, f.batchId, 5)).wait();
    await expect(f.market.connect(f.buyer).cancelOffer(offer))
      .to.be.revertedWithCustomError(f.market, "MarketUnauthorized")
      .withArgs(f.buyer.address, f.seller.address);
    await expect(f.market.connect(f.seller).cancelOffer(offer))
      .to.emit(f.market, "OfferCancelled")
      .withArgs(f.seller.address, offer.nonce, offerHash(offer));
    expect(await f.market.filled(f.seller.address, offer.nonce)).to.deep.equal([0n, true]);
    expect(await f.market.remaining(offer)).to.equal(0n);
    await expect(f.market.connect(f.buyer).fill(offer, signature, f.batchId, 1))
      .to.be.revertedWithCustomError(f.market, "MarketOfferCancelled")
      .withArgs(f.seller.address, offer.nonce);
  });

  it("voids every offer below a raised nonce floor, and the floor only rises", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const old = fixtureOffer(f, { nonce: 5n });
    const kept = fixtureOffer(f, { nonce: 9n });
    await expect(f.market.connect(f.seller).cancelUpTo(9))
      .to.emit(f.market, "NoncesCancelled")
      .withArgs(f.seller.address, 9);
    expect(await f.market.minNonce(f.seller.address)).to.equal(9n);
    await expect(f.market.connect(f.buyer).fill(old, await sign(f, old, f.seller), f.batchId, 1))
      .to.be.revertedWithCustomError(f.market, "MarketNonceCancelled")
      .withArgs(f.seller.address, 5, 9);
    await (await f.market.connect(f.buyer).fill(kept, await sign(f, kept, f.seller), f.batchId, 1)).wait();
    await expect(f.market.connect(f.seller).cancelUpTo(9))
      .to.be.revertedWithCustomError(f.market, "MarketNonceNotIncreasing")
      .withArgs(9, 9);
  });

  it("accepts an ERC-1271 seller's signature made by its owner key, and no other", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const wallet = (await ethers.deployContract("MarketTestWallet", [
      f.outsider.address,
    ])) as unknown as MarketTestWallet;
    const walletAddress = await wallet.getAddress();
    await (await f.registry.admitParticipant(walletAddress, PARTICIPANT_KINDS.trader, "Wallet Seller")).wait();
    await (await f.token.connect(f.admin).setAdmitted(walletAddress, true)).wait();
    const { batchId } = await issueBatch(f, { owner: walletAddress });
    const approve = f.registry.interface.encodeFunctionData("setApprovalForAll", [f.marketAddress, true]);
    await (await wallet.execute(f.address, approve)).wait();
    const offer = fixtureOffer(f, { seller: walletAddress, batchId });
    await expect(f.market.connect(f.buyer).fill(offer, await sign(f, offer, f.trader), batchId, 1))
      .to.be.revertedWithCustomError(f.market, "MarketInvalidSignature")
      .withArgs(walletAddress);
    await (await f.market.connect(f.buyer).fill(offer, await sign(f, offer, f.outsider), batchId, 4)).wait();
    expect(await f.registry.balanceOf(f.buyer.address, batchId)).to.equal(4n);
    expect(await f.token.balanceOf(walletAddress)).to.equal(4n * PRICE);
  });

  it("lets only the registry's admin admit a settlement token, which must be a contract", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    await expect(f.market.connect(f.seller).setTokenAdmitted(f.tokenAddress, false))
      .to.be.revertedWithCustomError(f.market, "MarketUnauthorized")
      .withArgs(f.seller.address, f.admin.address);
    await expect(f.market.connect(f.admin).setTokenAdmitted(f.outsider.address, true))
      .to.be.revertedWithCustomError(f.market, "MarketInvalidToken")
      .withArgs(f.outsider.address);
    await expect(f.market.connect(f.admin).setTokenAdmitted(f.tokenAddress, false))
      .to.emit(f.market, "TokenAdmissionChanged")
      .withArgs(f.tokenAddress, false);
    expect(await f.market.tokenAdmitted(f.tokenAddress)).to.equal(false);
    expect(await f.market.registry()).to.equal(f.address);
  });

  it("refuses a zero amount and a free offer moves no token", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const offer = fixtureOffer(f, { price: 0n });
    const signature = await sign(f, offer, f.seller);
    await expect(f.market.connect(f.buyer).fill(offer, signature, f.batchId, 0))
      .to.be.revertedWithCustomError(f.market, "MarketInvalidOffer")
      .withArgs("amount");
    await (await f.market.connect(f.buyer).fill(offer, signature, f.batchId, 2)).wait();
    expect(await f.token.balanceOf(f.buyer.address)).to.equal(BUYER_FUNDS);
    expect(await f.registry.balanceOf(f.buyer.address, f.batchId)).to.equal(2n);
  });
});
