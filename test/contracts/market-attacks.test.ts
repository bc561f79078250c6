/**
 * Attacks on ITECMarket, one per security claim (issue 19 item 4): signed offers are bound to chain, market, seller
 * nonce and expiry; replay and over-fill are impossible; suspended parties, frozen or reversed batches, tokens the
 * admin did not admit and a market the seller did not approve cannot trade; re-entry through the buyer's ERC-1155
 * hook or a hostile token gains nothing. Every refused fill leaves both the token and the certificates where they were.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { PARTICIPANT_KINDS } from "../../sdk/src/enums.ts";
import type { ITECMarket, MarketTestWallet, ReentrantSettlementToken } from "../../types/ethers-contracts/index.ts";
import { BUYER_FUNDS, deployMarket, fixtureOffer, PRICE, sign, type MarketFixture } from "../helpers/market.ts";

const connection = await network.create();
const { ethers, networkHelpers, provider } = connection;
const SUSPENDED = 2;

async function marketFixture(): Promise<MarketFixture> {
  return deployMarket(connection);
}

/** Token and certificate balances of seller and buyer: a refused fill must leave them unchanged. */
async function holdings(f: MarketFixture) {
  return Promise.all([
    f.token.balanceOf(f.seller.address),
    f.token.balanceOf(f.buyer.address),
    f.registry.balanceOf(f.seller.address, f.batchId),
    f.registry.balanceOf(f.buyer.address, f.batchId),
  ]);
}

describe("ITECMarket attacks", function () {
  describe("replay", function () {
    it("refuses a signature made for another chain id", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const offer = fixtureOffer(f);
      const foreign = await sign(f, offer, f.seller, { chainId: f.chainId + 1n });
      await expect(f.market.connect(f.buyer).fill(offer, foreign, f.batchId, 1))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidSignature")
        .withArgs(f.seller.address);
    });

    it("refuses on a second market deployment an offer signed (and filled) on the first", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const other = (await ethers.deployContract("ITECMarket", [f.address])) as unknown as ITECMarket;
      const otherAddress = await other.getAddress();
      await (await f.registry.admitParticipant(otherAddress, PARTICIPANT_KINDS.trader, "Other Market")).wait();
      await (await other.connect(f.admin).setTokenAdmitted(f.tokenAddress, true)).wait();
      await (await f.registry.connect(f.seller).setApprovalForAll(otherAddress, true)).wait();
      await (await f.token.connect(f.buyer).approve(otherAddress, BUYER_FUNDS)).wait();
      const offer = fixtureOffer(f);
      const signature = await sign(f, offer, f.seller);
      await (await f.market.connect(f.buyer).fill(offer, signature, f.batchId, 50)).wait();
      await expect(other.connect(f.buyer).fill(offer, signature, f.batchId, 50))
        .to.be.revertedWithCustomError(other, "MarketInvalidSignature")
        .withArgs(f.seller.address);
    });

    it("refuses a fully filled offer, on DvP and on invoice", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const offer = fixtureOffer(f, { quantity: 10n, paymentWindow: 86_400n });
      const signature = await sign(f, offer, f.seller);
      await (await f.market.connect(f.buyer).fill(offer, signature, f.batchId, 10)).wait();
      const before = await holdings(f);
      await expect(f.market.connect(f.buyer).fill(offer, signature, f.batchId, 10))
        .to.be.revertedWithCustomError(f.market, "MarketOverfill")
        .withArgs(0, 10);
      await expect(f.market.connect(f.buyer).fillOnInvoice(offer, signature, f.batchId, 1))
        .to.be.revertedWithCustomError(f.market, "MarketOverfill")
        .withArgs(0, 1);
      expect(await holdings(f)).to.deep.equal(before);
    });

    it("never over-fills when concurrent partial fills land in one block", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const offer = fixtureOffer(f, { quantity: 50n });
      const signature = await sign(f, offer, f.seller);
      await provider.send("evm_setAutomine", [false]);
      try {
        const a = await f.market.connect(f.buyer).fill(offer, signature, f.batchId, 30, { gasLimit: 400_000 });
        const b = await f.market.connect(f.trader).fill(offer, signature, f.batchId, 30, { gasLimit: 400_000 });
        await provider.send("evm_mine", []);
        const statuses = await Promise.all(
          [a, b].map(async (tx) => (await ethers.provider.getTransactionReceipt(tx.hash))!.status),
        );
        expect(statuses).to.deep.equal([1, 0]);
      } finally {
        await provider.send("evm_setAutomine", [true]);
      }
      expect(await f.market.filled(f.seller.address, offer.nonce)).to.deep.equal([30n, false]);
      expect(await f.registry.balanceOf(f.trader.address, f.batchId)).to.equal(0n);
      expect(await f.token.balanceOf(f.trader.address)).to.equal(BUYER_FUNDS);
    });
  });

  describe("offer validity", function () {
    it("refuses an expired offer", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const offer = fixtureOffer(f);
      const signature = await sign(f, offer, f.seller);
      await networkHelpers.time.setNextBlockTimestamp(offer.expiry + 1n);
      await expect(f.market.connect(f.buyer).fill(offer, signature, f.batchId, 1))
        .to.be.revertedWithCustomError(f.market, "MarketOfferExpired")
        .withArgs(offer.expiry, offer.expiry + 1n);
    });

    it("refuses a cancelled offer on invoice too", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const offer = fixtureOffer(f, { paymentWindow: 86_400n });
      const signature = await sign(f, offer, f.seller);
      await (await f.market.connect(f.seller).cancelOffer(offer)).wait();
      await expect(f.market.connect(f.buyer).fillOnInvoice(offer, signature, f.batchId, 1))
        .to.be.revertedWithCustomError(f.market, "MarketOfferCancelled")
        .withArgs(f.seller.address, offer.nonce);
    });

    it("refuses a signature by anyone but the seller, and an offer altered after signing", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const offer = fixtureOffer(f);
      await expect(f.market.connect(f.buyer).fill(offer, await sign(f, offer, f.buyer), f.batchId, 1))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidSignature")
        .withArgs(f.seller.address);
      const signature = await sign(f, offer, f.seller);
      await expect(f.market.connect(f.buyer).fill({ ...offer, price: 1n }, signature, f.batchId, 1))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidSignature")
        .withArgs(f.seller.address);
      await expect(f.market.connect(f.buyer).fill(offer, "0x1234", f.batchId, 1))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidSignature")
        .withArgs(f.seller.address);
    });

    it("refuses an offer sent with a non-canonical encoding (dirty high bits in a field)", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const offer = fixtureOffer(f, { paymentWindow: 86_400n });
      const signature = await sign(f, offer, f.seller);
      const data = f.market.interface.encodeFunctionData("fill", [offer, signature, f.batchId, 1]);
      // Word 12 of the offer is `paymentWindow` (uint32), which fill never reads: set a bit above its 32.
      const at = 2 + 2 * (4 + 12 * 32 + 26);
      const dirty = data.slice(0, at) + "01" + data.slice(at + 2);
      await expect(f.buyer.sendTransaction({ to: f.marketAddress, data: dirty, gasLimit: 400_000 }))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidSignature")
        .withArgs(f.seller.address);
      // The same bit in a field fill reads (`quantity`, word 8) fails the compiler's range check.
      const at8 = 2 + 2 * (4 + 8 * 32 + 26);
      await expect(
        f.buyer.sendTransaction({
          to: f.marketAddress,
          data: data.slice(0, at8) + "01" + data.slice(at8 + 2),
          gasLimit: 400_000,
        }),
      ).to.be.revert(ethers);
      expect(await f.market.filled(f.seller.address, offer.nonce)).to.deep.equal([0n, false]);
      await (await f.market.connect(f.buyer).fill(offer, signature, f.batchId, 1)).wait();
    });
  });

  describe("registry rules", function () {
    const cases: [string, (f: MarketFixture) => Promise<unknown>, (f: MarketFixture) => [string, unknown[]]][] = [
      [
        "a suspended seller",
        (f) => f.registry.connect(f.admin).suspendParticipant(f.seller.address, "inquiry"),
        (f) => ["ITECAccountNotActive", [f.seller.address, SUSPENDED]],
      ],
      [
        "a suspended buyer",
        (f) => f.registry.connect(f.admin).suspendParticipant(f.buyer.address, "inquiry"),
        (f) => ["ITECAccountNotActive", [f.buyer.address, SUSPENDED]],
      ],
      [
        "a suspended market",
        (f) => f.registry.connect(f.admin).suspendParticipant(f.marketAddress, "inquiry"),
        (f) => ["ITECAccountNotActive", [f.marketAddress, SUSPENDED]],
      ],
      [
        "a suspended batch",
        (f) => f.registry.connect(f.admin).suspendBatch(f.batchId, "audit query"),
        (f) => ["ITECBatchSuspended", [f.batchId]],
      ],
      [
        "a reversed batch",
        (f) => f.registry.connect(f.admin).reverseBatch(f.batchId, "confirmed wrong", ""),
        (f) => ["ITECBatchReversed", [f.batchId]],
      ],
      [
        "a market the seller did not approve",
        (f) => f.registry.connect(f.seller).setApprovalForAll(f.marketAddress, false),
        (f) => ["ERC1155MissingApprovalForAll", [f.marketAddress, f.seller.address]],
      ],
    ];
    for (const [name, setup, expected] of cases) {
      it(`refuses to trade with ${name}, moving no payment`, async function () {
        const f = await networkHelpers.loadFixture(marketFixture);
        const offer = fixtureOffer(f);
        const signature = await sign(f, offer, f.seller);
        await (await (setup(f) as Promise<{ wait(): Promise<unknown> }>)).wait();
        const before = await holdings(f);
        const [error, args] = expected(f);
        await expect(f.market.connect(f.buyer).fill(offer, signature, f.batchId, 5))
          .to.be.revertedWithCustomError(f.registry, error)
          .withArgs(...args);
        expect(await holdings(f)).to.deep.equal(before);
        expect(await f.market.filled(f.seller.address, offer.nonce)).to.deep.equal([0n, false]);
      });
    }

    it("refuses a token the admin did not admit, or withdrew", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const stray = await ethers.deployContract("PermissionedToken", ["Stray", "STRAY", 6, f.admin.address]);
      const strayAddress = await stray.getAddress();
      const offer = fixtureOffer(f, { token: strayAddress });
      await expect(f.market.connect(f.buyer).fill(offer, await sign(f, offer, f.seller), f.batchId, 1))
        .to.be.revertedWithCustomError(f.market, "MarketTokenNotAdmitted")
        .withArgs(strayAddress);
      await (await f.market.connect(f.admin).setTokenAdmitted(f.tokenAddress, false)).wait();
      const withdrawn = fixtureOffer(f);
      await expect(f.market.connect(f.buyer).fill(withdrawn, await sign(f, withdrawn, f.seller), f.batchId, 1))
        .to.be.revertedWithCustomError(f.market, "MarketTokenNotAdmitted")
        .withArgs(f.tokenAddress);
    });

    it("refuses a buyer that did not approve the payment, moving no certificate", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      await (await f.token.connect(f.buyer).approve(f.marketAddress, PRICE - 1n)).wait();
      const offer = fixtureOffer(f);
      const before = await holdings(f);
      await expect(
        f.market.connect(f.buyer).fill(offer, await sign(f, offer, f.seller), f.batchId, 1),
      ).to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance");
      expect(await holdings(f)).to.deep.equal(before);
    });
  });

  describe("re-entry", function () {
    it("a buyer re-entering from its ERC-1155 hook cannot fill beyond the offer", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const wallet = (await ethers.deployContract("MarketTestWallet", [
        f.outsider.address,
      ])) as unknown as MarketTestWallet;
      const walletAddress = await wallet.getAddress();
      await (await f.registry.admitParticipant(walletAddress, PARTICIPANT_KINDS.corporate, "Hook Buyer")).wait();
      await (await f.token.connect(f.admin).setAdmitted(walletAddress, true)).wait();
      await (await f.token.connect(f.admin).mint(walletAddress, 100n * PRICE)).wait();
      const approve = f.token.interface.encodeFunctionData("approve", [f.marketAddress, 100n * PRICE]);
      await (await wallet.execute(f.tokenAddress, approve)).wait();

      const offer = fixtureOffer(f, { quantity: 50n });
      const signature = await sign(f, offer, f.seller);
      const again = f.market.interface.encodeFunctionData("fill", [offer, signature, f.batchId, 30]);
      await (await wallet.arm(f.marketAddress, again)).wait();
      await (await wallet.execute(f.marketAddress, again)).wait();

      expect(await wallet.reentered()).to.equal(true);
      expect(await wallet.reentrySucceeded()).to.equal(false);
      const error = f.market.interface.parseError(await wallet.reentryResult());
      expect([error?.name, ...(error?.args ?? [])]).to.deep.equal(["MarketOverfill", 20n, 30n]);
      expect(await f.market.filled(f.seller.address, offer.nonce)).to.deep.equal([30n, false]);
      expect(await f.registry.balanceOf(walletAddress, f.batchId)).to.equal(30n);
      expect(await f.token.balanceOf(walletAddress)).to.equal(70n * PRICE);
    });

    it("a hostile settlement token re-entering from transferFrom cannot fill beyond the offer", async function () {
      const f = await networkHelpers.loadFixture(marketFixture);
      const hostile = (await ethers.deployContract("ReentrantSettlementToken")) as unknown as ReentrantSettlementToken;
      const hostileAddress = await hostile.getAddress();
      await (await f.market.connect(f.admin).setTokenAdmitted(hostileAddress, true)).wait();
      await (await hostile.mint(f.buyer.address, 100n * PRICE)).wait();
      await (await hostile.connect(f.buyer).approve(f.marketAddress, 100n * PRICE)).wait();

      const offer = fixtureOffer(f, { token: hostileAddress, quantity: 50n });
      const signature = await sign(f, offer, f.seller);
      const again = f.market.interface.encodeFunctionData("fill", [offer, signature, f.batchId, 30]);
      await (await hostile.arm(f.marketAddress, again)).wait();
      await (await f.market.connect(f.buyer).fill(offer, signature, f.batchId, 30)).wait();

      expect(await hostile.reentered()).to.equal(true);
      expect(await hostile.reentrySucceeded()).to.equal(false);
      const error = f.market.interface.parseError(await hostile.reentryResult());
      expect([error?.name, ...(error?.args ?? [])]).to.deep.equal(["MarketOverfill", 20n, 30n]);
      expect(await f.market.filled(f.seller.address, offer.nonce)).to.deep.equal([30n, false]);
      expect(await f.registry.balanceOf(f.buyer.address, f.batchId)).to.equal(30n);
      expect(await hostile.balanceOf(f.seller.address)).to.equal(30n * PRICE);
    });
  });
});
