/**
 * The offer book's storage (api/src/services/market/offer-book.ts) on SQLite and, with ITEC_TEST_DATABASE_URL, on
 * PostgreSQL: two API instances on one database see each other's offers, republishing is a no-op, each filter
 * narrows the list, expired offers drop out and another market's offers are never listed.
 */
import { expect } from "chai";

import { OfferBook } from "../../api/src/services/market/offer-book.ts";
import { ApiStore } from "../../api/src/store/store.ts";
import { makeOffer, offerHash, type Offer } from "../../sdk/src/market/offer.ts";
import { storeBackends, type StoreBackend } from "./store-backends.ts";

const MARKET = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const OTHER_MARKET = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const SELLER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const TRADER = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955";
const TOKEN = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
const NOW = 1_800_000_000;

let nonce = 0n;
const offer = (fields: Partial<Offer> = {}): Offer =>
  makeOffer({
    seller: SELLER,
    token: TOKEN,
    batchId: 1n,
    quantity: 10n,
    price: 100n,
    nonce: (nonce += 1n),
    expiry: BigInt(NOW + 86_400),
    ...fields,
  });

for (const makeBackend of storeBackends()) {
  describe(`market offer book store (${makeBackend.label})`, function () {
    this.timeout(30_000);
    let backend: StoreBackend;
    let a: ApiStore;
    let b: ApiStore;

    beforeEach(async () => {
      backend = makeBackend();
      a = await ApiStore.open(backend.location);
      b = await ApiStore.open(backend.location);
    });
    afterEach(async () => {
      await a.close();
      await b.close();
      await backend.dispose();
    });

    it("shares offers between instances, stores each once and lists them filtered", async () => {
      const bookA = new OfferBook(a.db, MARKET);
      const bookB = new OfferBook(b.db, MARKET);
      const laptop = offer({
        category: 1,
        minReductionGrams: 40_000n,
        vintageFrom: 1_700_000_000n,
        vintageTo: 1_750_000_000n,
      });
      const server = offer({ category: 6, batchId: 0n, seller: TRADER });
      const expired = offer({ expiry: BigInt(NOW - 1) });
      const at = new Date(NOW * 1000);
      expect(await bookA.put(laptop, "0x01", at)).to.equal(offerHash(laptop));
      await bookA.put(laptop, "0x02", at); // republished: unchanged
      await bookA.put(server, "0x03", at);
      await bookA.put(expired, "0x04", at);
      await new OfferBook(a.db, OTHER_MARKET).put(offer(), "0x05", at);

      const stored = await bookB.get(offerHash(laptop));
      expect(stored?.signature).to.equal("0x01");
      expect(stored?.offer).to.deep.equal(laptop);
      const list = async (f: Partial<Parameters<OfferBook["list"]>[0]>) =>
        (await bookB.list({ now: NOW, limit: 100, ...f })).map((o) => o.hash).sort();
      expect(await list({})).to.deep.equal([offerHash(laptop), offerHash(server)].sort());
      expect(await list({ category: 6 })).to.deep.equal([offerHash(server)]);
      expect(await list({ seller: TRADER })).to.deep.equal([offerHash(server)]);
      expect(await list({ batchId: "1" })).to.deep.equal([offerHash(laptop)]);
      expect(await list({ minReductionGrams: 40_000 })).to.deep.equal([offerHash(laptop)]);
      expect(await list({ vintageFrom: 1_700_000_000, vintageTo: 1_750_000_000 })).to.deep.equal([offerHash(laptop)]);
      expect(await list({ vintageTo: 1_749_999_999 })).to.deep.equal([]);
      expect(await list({ token: OTHER_MARKET })).to.deep.equal([]);
      expect(await list({ limit: 1 })).to.have.length(1);
      expect(await bookB.get(offerHash(expired)), "stored, only not listed").to.not.equal(undefined);
      expect(await new OfferBook(b.db, OTHER_MARKET).get(offerHash(laptop))).to.equal(undefined);
    });
  });
}
