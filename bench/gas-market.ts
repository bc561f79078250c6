/**
 * Gas per market operation (ITECMarket, issue 19), measured exactly (receipt.gasUsed) on a fresh market next to a
 * fresh registry; part of {measureGas}, so `npm run bench:gas` and the gas snapshot test share one definition. Fixed
 * offer fields (not the clock), so the signatures — and the calldata's zero bytes — are the same on every run.
 */
import { ZeroAddress, type ContractTransactionResponse } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { deployMarket, fixtureOffer, sign } from "../test/helpers/market.ts";

/** Absolute targets: `fill` (one offer, one batch, ERC-20 settlement) ≤ 130,000 gas (issue 19, item 3). */
export const MARKET_GAS_TARGETS: Record<string, number> = {
  market_fill: 130_000,
};

export async function measureMarketGas(connection: NetworkConnection): Promise<Record<string, number>> {
  const f = await deployMarket(connection);
  const { market, seller, buyer, batchId } = f;
  const gas: Record<string, number> = {};
  async function measure(key: string, tx: Promise<ContractTransactionResponse>): Promise<void> {
    const receipt = await (await tx).wait();
    if (!receipt) throw new Error(`${key}: no receipt`);
    gas[key] = Number(receipt.gasUsed);
  }
  const fixed = { expiry: 4_102_444_800n, price: 12_500_000n }; // 2100-01-01, 12.50 of a 6-decimal token
  const b = await f.registry.batch(batchId);

  // The worst case of a DvP fill: the offer's first fill (a fresh storage word), the buyer's first certificates of
  // the batch and the seller's first tokens — three writes of a zero slot.
  const offer = fixtureOffer(f, { ...fixed, nonce: 8n, quantity: 50n });
  const signature = await sign(f, offer, seller);
  await measure("market_fill", market.connect(buyer).fill(offer, signature, batchId, 10));
  await measure("market_fill_again", market.connect(buyer).fill(offer, signature, batchId, 10));
  const criteria = fixtureOffer(f, {
    ...fixed,
    nonce: 9n,
    batchId: 0n,
    category: 1,
    vintageFrom: b.vintageStart,
    vintageTo: b.vintageEnd,
    minReductionGrams: b.reductionGrams,
    maxIntensityGrams: b.baselineGrams - b.reductionGrams,
  });
  await measure(
    "market_fill_criteria",
    market.connect(buyer).fill(criteria, await sign(f, criteria, seller), batchId, 10),
  );

  const invoice = fixtureOffer(f, { ...fixed, nonce: 10n, token: ZeroAddress, paymentWindow: 14n * 86_400n });
  const invoiceSignature = await sign(f, invoice, seller);
  await measure("market_fill_on_invoice", market.connect(buyer).fillOnInvoice(invoice, invoiceSignature, batchId, 5));
  await measure("market_confirm_payment", market.connect(seller).confirmPayment(await market.reservationCount()));
  await (await market.connect(buyer).fillOnInvoice(invoice, invoiceSignature, batchId, 5)).wait();
  await measure("market_reclaim_by_buyer", market.connect(buyer).reclaim(await market.reservationCount()));
  await measure("market_cancel_offer", market.connect(seller).cancelOffer(invoice));
  await measure("market_cancel_up_to", market.connect(seller).cancelUpTo(100));
  await measure(
    "market_publish_request",
    market.connect(buyer).publishRequest({
      category: 1,
      quantity: 500,
      maxIntensityGrams: 160_000,
      vintageFrom: 1_767_225_600,
      vintageTo: 1_798_761_599,
      expiry: fixed.expiry,
    }),
  );
  return gas;
}
