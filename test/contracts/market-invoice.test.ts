/**
 * ITECMarket on invoice and requests for quote: an on-invoice fill escrows the certificates in the market until the
 * seller confirms payment (→ buyer) or the reservation is reclaimed (→ seller: by anyone after expiry, by the buyer
 * before); a reversed batch's reservation closes with nothing moved. Buyers publish and withdraw requests for quote.
 */
import { expect } from "chai";
import { ZeroAddress } from "ethers";
import { network } from "hardhat";

import { offerHash } from "../../sdk/src/market/offer.ts";
import { deployMarket, fixtureOffer, PRICE, sign, type MarketFixture } from "../helpers/market.ts";
import { DAY } from "../helpers/registry.ts";

const connection = await network.create();
const { networkHelpers } = connection;
const WINDOW = 14n * DAY;

async function marketFixture(): Promise<MarketFixture> {
  return deployMarket(connection);
}

async function reserve(f: MarketFixture, amount = 10, overrides = {}) {
  const offer = fixtureOffer(f, { paymentWindow: WINDOW, token: ZeroAddress, ...overrides });
  const signature = await sign(f, offer, f.seller);
  const receipt = await (await f.market.connect(f.buyer).fillOnInvoice(offer, signature, f.batchId, amount)).wait();
  const block = await receipt!.getBlock();
  return { offer, signature, id: await f.market.reservationCount(), expiresAt: BigInt(block.timestamp) + WINDOW };
}

describe("ITECMarket on invoice", function () {
  it("escrows the certificates, then the seller's confirmation delivers them to the buyer", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const offer = fixtureOffer(f, { paymentWindow: WINDOW, token: ZeroAddress });
    const tx = f.market.connect(f.buyer).fillOnInvoice(offer, await sign(f, offer, f.seller), f.batchId, 10);
    await expect(tx).to.emit(f.market, "ReservationOpened");
    const receipt = await (await tx).wait();
    const expiresAt = BigInt((await receipt!.getBlock()).timestamp) + WINDOW;
    await expect(tx)
      .to.emit(f.market, "ReservationOpened")
      .withArgs(1, offerHash(offer), f.seller.address, f.buyer.address, f.batchId, 10, PRICE, expiresAt);
    expect(await f.registry.balanceOf(f.marketAddress, f.batchId)).to.equal(10n);
    expect(await f.registry.balanceOf(f.seller.address, f.batchId)).to.equal(90n);
    expect(await f.market.reservation(1)).to.deep.equal([f.seller.address, f.batchId, 10n, f.buyer.address, expiresAt]);
    expect(await f.market.remaining(offer)).to.equal(40n);

    await expect(f.market.connect(f.buyer).confirmPayment(1))
      .to.be.revertedWithCustomError(f.market, "MarketUnauthorized")
      .withArgs(f.buyer.address, f.seller.address);
    await expect(f.market.connect(f.seller).confirmPayment(1))
      .to.emit(f.market, "PaymentConfirmed")
      .withArgs(1, f.seller.address, f.buyer.address);
    expect(await f.registry.balanceOf(f.buyer.address, f.batchId)).to.equal(10n);
    expect(await f.registry.balanceOf(f.marketAddress, f.batchId)).to.equal(0n);
    await expect(f.market.reservation(1)).to.be.revertedWithCustomError(f.market, "MarketUnknownReservation");
    await expect(f.market.connect(f.seller).confirmPayment(1))
      .to.be.revertedWithCustomError(f.market, "MarketUnknownReservation")
      .withArgs(1);
  });

  it("returns unpaid certificates to the seller once expired, on anyone's call", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const { id, expiresAt } = await reserve(f);
    await expect(f.market.connect(f.trader).reclaim(id))
      .to.be.revertedWithCustomError(f.market, "MarketReservationOpen")
      .withArgs(id, expiresAt);
    await expect(f.market.connect(f.seller).reclaim(id))
      .to.be.revertedWithCustomError(f.market, "MarketReservationOpen")
      .withArgs(id, expiresAt);
    await networkHelpers.time.increaseTo(expiresAt + 1n);
    await expect(f.market.connect(f.trader).reclaim(id))
      .to.emit(f.market, "ReservationReclaimed")
      .withArgs(id, f.seller.address, f.trader.address, true);
    expect(await f.registry.balanceOf(f.seller.address, f.batchId)).to.equal(100n);
    expect(await f.registry.balanceOf(f.marketAddress, f.batchId)).to.equal(0n);
    await expect(f.market.connect(f.seller).confirmPayment(id)).to.be.revertedWithCustomError(
      f.market,
      "MarketUnknownReservation",
    );
  });

  it("lets the buyer give a reservation up early, and the seller confirm late while nobody reclaimed", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const first = await reserve(f, 5);
    await (await f.market.connect(f.buyer).reclaim(first.id)).wait();
    expect(await f.registry.balanceOf(f.seller.address, f.batchId)).to.equal(100n);
    const second = await reserve(f, 7);
    await networkHelpers.time.increaseTo(second.expiresAt + DAY);
    await (await f.market.connect(f.seller).confirmPayment(second.id)).wait();
    expect(await f.registry.balanceOf(f.buyer.address, f.batchId)).to.equal(7n);
  });

  it("refuses an offer without a payment window, and an inactive buyer", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const dvpOnly = fixtureOffer(f);
    await expect(
      f.market.connect(f.buyer).fillOnInvoice(dvpOnly, await sign(f, dvpOnly, f.seller), f.batchId, 1),
    ).to.be.revertedWithCustomError(f.market, "MarketInvoiceNotAllowed");
    const offer = fixtureOffer(f, { paymentWindow: WINDOW });
    await expect(f.market.connect(f.outsider).fillOnInvoice(offer, await sign(f, offer, f.seller), f.batchId, 1))
      .to.be.revertedWithCustomError(f.market, "MarketAccountNotActive")
      .withArgs(f.outsider.address);
  });

  it("keeps a suspended batch's reservation frozen, and closes a reversed batch's with nothing moved", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const { id, expiresAt } = await reserve(f);
    await (await f.registry.connect(f.admin).suspendBatch(f.batchId, "audit query")).wait();
    await expect(f.market.connect(f.seller).confirmPayment(id))
      .to.be.revertedWithCustomError(f.registry, "ITECBatchSuspended")
      .withArgs(f.batchId);
    await (await f.registry.connect(f.admin).reverseBatch(f.batchId, "confirmed wrong", "")).wait();
    await networkHelpers.time.increaseTo(expiresAt + 1n);
    await expect(f.market.connect(f.trader).reclaim(id))
      .to.emit(f.market, "ReservationReclaimed")
      .withArgs(id, f.seller.address, f.trader.address, false);
    await expect(f.market.reservation(id)).to.be.revertedWithCustomError(f.market, "MarketUnknownReservation");
  });

  it("refuses a suspended seller's confirmation and a suspended buyer's delivery", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const { id } = await reserve(f);
    await (await f.registry.connect(f.admin).suspendParticipant(f.seller.address, "inquiry")).wait();
    await expect(f.market.connect(f.seller).confirmPayment(id))
      .to.be.revertedWithCustomError(f.market, "MarketAccountNotActive")
      .withArgs(f.seller.address);
    await (await f.registry.connect(f.admin).reinstateParticipant(f.seller.address, "closed")).wait();
    await (await f.registry.connect(f.admin).suspendParticipant(f.buyer.address, "inquiry")).wait();
    await expect(f.market.connect(f.seller).confirmPayment(id))
      .to.be.revertedWithCustomError(f.registry, "ITECAccountNotActive")
      .withArgs(f.buyer.address, 2);
    await (await f.registry.connect(f.admin).reinstateParticipant(f.buyer.address, "closed")).wait();
    await (await f.market.connect(f.seller).confirmPayment(id)).wait();
    expect(await f.registry.balanceOf(f.buyer.address, f.batchId)).to.equal(10n);
  });

  it("refuses certificates it did not move itself", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    await expect(
      f.registry.connect(f.seller).safeTransferFrom(f.seller.address, f.marketAddress, f.batchId, 1, "0x"),
    ).to.be.revertedWithCustomError(f.market, "MarketUnexpectedTransfer");
    await expect(
      f.registry.connect(f.seller).safeBatchTransferFrom(f.seller.address, f.marketAddress, [f.batchId], [1], "0x"),
    ).to.be.revertedWithCustomError(f.market, "MarketUnexpectedTransfer");
  });
});

describe("ITECMarket requests for quote", function () {
  const request = (f: MarketFixture, overrides = {}) => ({
    category: 1,
    quantity: 200n,
    maxIntensityGrams: 160_000n,
    vintageFrom: 1_767_225_600n,
    vintageTo: 1_798_761_599n,
    expiry: f.now + 30n * DAY,
    ...overrides,
  });

  it("publishes a buyer's need as an event an offer can answer, and lets only the buyer withdraw it", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    const r = request(f);
    await expect(f.market.connect(f.buyer).publishRequest(r))
      .to.emit(f.market, "RequestPublished")
      .withArgs(1, f.buyer.address, 1, 200, 160_000, r.vintageFrom, r.vintageTo, r.expiry);
    expect(await f.market.requestCount()).to.equal(1n);
    expect(await f.market.requestBuyer(1)).to.deep.equal([f.buyer.address, r.expiry]);
    // A seller answers with an offer naming the request; the buyer fills it.
    const answer = fixtureOffer(f, { rfqId: 1n });
    await (await f.market.connect(f.buyer).fill(answer, await sign(f, answer, f.seller), f.batchId, 3)).wait();
    await expect(f.market.connect(f.seller).withdrawRequest(1))
      .to.be.revertedWithCustomError(f.market, "MarketUnauthorized")
      .withArgs(f.seller.address, f.buyer.address);
    await expect(f.market.connect(f.buyer).withdrawRequest(1))
      .to.emit(f.market, "RequestWithdrawn")
      .withArgs(1, f.buyer.address);
    expect(await f.market.requestBuyer(1)).to.deep.equal([ZeroAddress, 0n]);
  });

  it("refuses an inactive account and invalid fields", async function () {
    const f = await networkHelpers.loadFixture(marketFixture);
    await expect(f.market.connect(f.outsider).publishRequest(request(f)))
      .to.be.revertedWithCustomError(f.market, "MarketAccountNotActive")
      .withArgs(f.outsider.address);
    const bad: [string, object][] = [
      ["category", { category: 7 }],
      ["quantity", { quantity: 0n }],
      ["expiry", { expiry: f.now - 1n }],
      ["vintage", { vintageFrom: 1_798_761_599n, vintageTo: 1_767_225_600n }],
    ];
    for (const [field, change] of bad) {
      await expect(f.market.connect(f.buyer).publishRequest(request(f, change)), field)
        .to.be.revertedWithCustomError(f.market, "MarketInvalidRequest")
        .withArgs(field);
    }
  });
});
