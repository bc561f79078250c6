/**
 * The offer book through the API (issue 19 item 3): a seller publishes signed offers (verified against the market's
 * domain; a tampered signature or another chain is refused with a stable code), buyers list them filtered with
 * what is left of each, fill one with DvP and another on invoice (confirmed by the seller), every transaction
 * built by the API and relayed by POST /tx/relay; requests for quote and reservations are listed from events.
 */
import { expect } from "chai";
import { Contract, type HDNodeWallet } from "ethers";

import { makeOffer, marketDomain, offerToJson, signOffer, type Offer } from "../../sdk/src/market/offer.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { deployMarketOverRpc, seedSeller, signAndRelay, type DeployedMarket } from "../helpers/market-api.ts";

const PRICE = 12_500_000n;
const ERC20 = ["function balanceOf(address) view returns (uint256)"];

describe("market offer book (API)", function () {
  this.timeout(300_000);
  let h: ApiHarness;
  const m: Partial<DeployedMarket> = {};
  const tokens: Record<string, string> = {};
  const as = (role: string) => ({ Authorization: `Bearer ${tokens[role]}` });
  const w = (role: "refurbisher" | "corporate" | "trader" | "admin") => h.deployed.wallet(role);
  let batchId: bigint;
  let now: bigint;
  let nonce = 0n;

  before(async () => {
    h = await startApiHarness({ deployMore: (chain, deployed) => deployMarketOverRpc(chain, deployed, m) });
    for (const role of ["admin", "refurbisher", "corporate", "trader"] as const) {
      tokens[role] = await h.signIn(w(role));
    }
    batchId = await seedSeller(h, m.market!);
    now = BigInt((await h.chain.provider.getBlock("latest"))!.timestamp);
    // The buyer lets the market take its payments, through the API.
    const allow = await h.http
      .post("/tx/market/approve")
      .set(as("corporate"))
      .send({ token: m.token, amount: (10n ** 15n).toString() })
      .expect(200);
    await signAndRelay(h, w("corporate"), tokens.corporate!, allow.body as Record<string, string>);
  });
  after(async () => h?.close());

  function offer(overrides: Partial<Offer> = {}): Offer {
    nonce += 1n;
    return makeOffer({
      seller: w("refurbisher").address,
      token: m.token!,
      batchId,
      quantity: 10n,
      price: PRICE,
      nonce,
      expiry: now + 30n * 86_400n,
      ...overrides,
    });
  }

  const sign = (o: Offer, chainId = 1337n, market: string | undefined = m.market) =>
    signOffer(w("refurbisher"), marketDomain(chainId, market!), o);

  async function publish(o: Offer, signature?: string, status = 201, extra: Record<string, unknown> = {}) {
    const res = await h.http
      .post("/market/offers")
      .set(as("refurbisher"))
      .send({ offer: offerToJson(o), signature: signature ?? (await sign(o)), ...extra })
      .expect(status);
    return res.body as { hash: string; remaining: string; code: string; status: string };
  }

  async function build(role: "refurbisher" | "corporate", path: string, body: Record<string, unknown>) {
    const res = await h.http.post(path).set(as(role)).send(body);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return signAndRelay(h, w(role), tokens[role]!, res.body as Record<string, string>);
  }

  const list = async (query: Record<string, string> = {}) =>
    (
      (await h.http.get("/market/offers").query(query).expect(200)).body as {
        offers: { hash: string; remaining: string }[];
      }
    ).offers;

  it("answers the market's EIP-712 domain", async function () {
    const body = (await h.http.get("/market").expect(200)).body as { address: string; domain: { chainId: string } };
    expect(body.address).to.equal(m.market);
    expect(body.domain.chainId).to.equal("1337");
  });

  it("refuses a tampered signature, another chain or market, an expired offer and a signature not the seller's", async function () {
    const o = offer();
    const good = await sign(o);
    const tampered = good.slice(0, 10) + (good[10] === "0" ? "1" : "0") + good.slice(11);
    expect((await publish(o, tampered, 422)).code).to.equal("OFFER_BAD_SIGNATURE");
    expect((await publish({ ...o, price: PRICE - 1n }, good, 422)).code).to.equal("OFFER_BAD_SIGNATURE");
    const otherChain = await sign(o, 1n);
    expect((await publish(o, otherChain, 422)).code).to.equal("OFFER_BAD_SIGNATURE");
    expect((await publish(o, otherChain, 422, { signedFor: { chainId: "1" } })).code).to.equal("OFFER_WRONG_DOMAIN");
    const otherMarket = await sign(o, 1337n, m.token);
    expect((await publish(o, otherMarket, 422)).code).to.equal("OFFER_BAD_SIGNATURE");
    const byBuyer = await signOffer(w("corporate"), marketDomain(1337n, m.market!), o);
    expect((await publish(o, byBuyer, 422)).code).to.equal("OFFER_BAD_SIGNATURE");
    const expired = offer({ expiry: now - 1n });
    expect((await publish(expired, await sign(expired), 422)).code).to.equal("OFFER_EXPIRED");
    expect(await list({ seller: w("refurbisher").address })).to.deep.equal([]);
  });

  it("fills an offer with DvP: payment and certificates move at once, the book shows what is left", async function () {
    const o = offer();
    const { hash, remaining } = await publish(o);
    expect(remaining).to.equal("10");
    expect((await list()).map((x) => x.hash)).to.include(hash);
    const token = new Contract(m.token!, ERC20, h.chain.provider);
    const before = (await token.getFunction("balanceOf")(w("refurbisher").address)) as bigint;
    await build("corporate", "/tx/market/fill", { offerHash: hash, amount: "4" });
    expect((await token.getFunction("balanceOf")(w("refurbisher").address)) as bigint).to.equal(before + 4n * PRICE);
    expect(await h.deployed.registry.balanceOf(w("corporate").address, batchId)).to.be.greaterThanOrEqual(4n);
    expect((await list()).find((x) => x.hash === hash)?.remaining).to.equal("6");
    // Over-filling is refused when the API builds it (the contract's own error, decoded).
    const over = await h.http.post("/tx/market/fill").set(as("corporate")).send({ offerHash: hash, amount: "7" });
    expect(over.status).to.equal(422);
    expect((over.body as { revert: { name: string } }).revert.name).to.equal("MarketOverfill");
    // The seller cancels: the offer drops out of the book.
    await build("refurbisher", "/tx/market/cancel", { offerHash: hash });
    expect((await list()).map((x) => x.hash)).not.to.include(hash);
    const shown = (await h.http.get(`/market/offers/${hash}`).expect(200)).body as {
      remaining: string;
      status: string;
    };
    expect(shown).to.include({ remaining: "0", status: "closed" });
  });

  it("fills an offer on invoice: reserved, listed for buyer and seller, confirmed by the seller", async function () {
    const o = offer({ paymentWindow: 7n * 86_400n });
    const { hash } = await publish(o);
    const held = await h.deployed.registry.balanceOf(w("corporate").address, batchId);
    await build("corporate", "/tx/market/fill", { offerHash: hash, amount: "3", onInvoice: true });
    const mine = async (account: string) =>
      (
        (await h.http.get("/market/reservations").query({ account }).expect(200)).body as {
          reservations: { reservationId: string; status: string; amount: string; offerHash: string }[];
        }
      ).reservations.filter((r) => r.offerHash === hash);
    const [open] = await mine(w("corporate").address);
    expect(open).to.include({ status: "open", amount: "3" });
    expect((await mine(w("refurbisher").address))[0]?.reservationId).to.equal(open!.reservationId);
    expect(await h.deployed.registry.balanceOf(w("corporate").address, batchId)).to.equal(held);
    // Only the seller may confirm: the buyer's build is refused with the contract's error.
    const wrong = await h.http
      .post("/tx/market/confirm")
      .set(as("corporate"))
      .send({ reservationId: open!.reservationId });
    expect(wrong.status).to.equal(422);
    await build("refurbisher", "/tx/market/confirm", { reservationId: open!.reservationId });
    expect((await mine(w("corporate").address))[0]?.status).to.equal("confirmed");
    expect(await h.deployed.registry.balanceOf(w("corporate").address, batchId)).to.equal(held + 3n);
    expect((await list()).find((x) => x.hash === hash)?.remaining).to.equal("7");
  });

  it("filters the book by category, vintage, V̄, price, seller and batch", async function () {
    const server = offer({
      batchId: 0n,
      category: 6,
      vintageFrom: 1_700_000_000n,
      vintageTo: 1_800_000_000n,
      minReductionGrams: 5_000n,
      price: 99n,
    });
    const { hash } = await publish(server);
    const hashes = async (q: Record<string, string>) => (await list(q)).map((x) => x.hash);
    expect(await hashes({ category: "6" })).to.deep.equal([hash]);
    expect(await hashes({ category: "5" })).to.deep.equal([]);
    expect(await hashes({ vintageFrom: "1690000000", vintageTo: "1800000000" })).to.include(hash);
    expect(await hashes({ vintageTo: "1790000000" })).not.to.include(hash);
    expect(await hashes({ minReductionGrams: "5000" })).to.deep.equal([hash]);
    expect(await hashes({ maxPrice: "99" })).to.deep.equal([hash]);
    expect(await hashes({ maxPrice: "98" })).to.deep.equal([]);
    expect(await hashes({ seller: w("trader").address })).to.deep.equal([]);
    expect(await hashes({ batchId: batchId.toString() })).not.to.include(hash);
  });

  it("publishes a request for quote through the relay and lists it", async function () {
    await build("corporate", "/tx/market/request", {
      category: 1,
      quantity: "100",
      expiry: String(now + 86_400n * 10n),
    });
    const { requests } = (await h.http.get("/market/requests").expect(200)).body as {
      requests: { buyer: string; quantity: string; status: string }[];
    };
    expect(requests.some((r) => r.buyer === w("corporate").address && r.quantity === "100" && r.status === "open")).to
      .be.true;
  });

  it("relays only the market's relayed functions and admitted tokens", async function () {
    const admin = w("admin");
    const iface = new Contract(m.market!, ["function setTokenAdmitted(address,bool)"]).interface;
    const raw = await admin.signTransaction({
      to: m.market!,
      data: iface.encodeFunctionData("setTokenAdmitted", [m.token!, false]),
      chainId: 1337n,
      nonce: await h.chain.provider.getTransactionCount(admin.address, "pending"),
      gasLimit: 100_000n,
      type: 2,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 0n,
    });
    const res = await h.http.post("/tx/relay").set(as("admin")).send({ signedTransaction: raw }).expect(422);
    expect((res.body as { code: string }).code).to.equal("TX_FUNCTION_NOT_ALLOWED");
    const notAdmitted = await h.http
      .post("/tx/market/approve")
      .set(as("corporate"))
      .send({ token: h.deployed.address, amount: "1" })
      .expect(422);
    expect((notAdmitted.body as { code: string }).code).to.equal("OFFER_TOKEN_NOT_ADMITTED");
  });
  it("refuses a closed nonce, a token the market does not admit and a suspended seller; republishing changes nothing", async function () {
    const o = offer();
    const first = await publish(o);
    expect((await publish(o)).hash, "the same offer again: the same entry").to.equal(first.hash);
    await build("refurbisher", "/tx/market/cancel", { offerHash: first.hash });
    expect((await publish(o, undefined, 422)).code).to.equal("OFFER_CLOSED");
    const foreignToken = offer({ token: h.deployed.address });
    expect((await publish(foreignToken, undefined, 422)).code).to.equal("OFFER_TOKEN_NOT_ADMITTED");
    // The trader signs its own offer, then the admin suspends it: its offer is refused.
    const trader = w("trader");
    const byTrader = offer({ seller: trader.address });
    const signature = await signOffer(trader, marketDomain(1337n, m.market!), byTrader);
    await (await h.deployed.adminRegistry.suspendParticipant(trader.address, "market test")).wait();
    const res = await h.http
      .post("/market/offers")
      .set(as("trader"))
      .send({ offer: offerToJson(byTrader), signature })
      .expect(422);
    expect((res.body as { code: string }).code).to.equal("OFFER_SELLER_NOT_ACTIVE");
  });
});
