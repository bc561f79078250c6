/**
 * `itec market` end to end (child processes, issue 19 item 3): a seller signs and publishes an offer; a buyer
 * approves the token, lists it, fills part with DvP and part on invoice; the seller confirms the invoice; the
 * book, the reservation and a request for quote show in the CLI's lists; the seller cancels.
 */
import { expect } from "chai";

import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { runItec } from "../helpers/itec.ts";
import { deployMarketOverRpc, seedSeller, type DeployedMarket } from "../helpers/market-api.ts";

interface Offer {
  hash: string;
  remaining: string;
  status: string;
}

describe("itec market (end to end, child processes)", function () {
  this.timeout(300_000);
  let h: ApiHarness;
  const m: Partial<DeployedMarket> = {};
  let env: Record<string, string>;
  let batchId: bigint;

  async function ok(args: string[]): Promise<string> {
    const r = await runItec(args, env);
    expect(r.code, `itec ${args.join(" ")}\n${r.stderr}`).to.equal(0);
    return r.stdout;
  }
  const okJson = async <T>(args: string[]) => JSON.parse(await ok([...args, "--json"])) as T;

  before(async () => {
    h = await startApiHarness({
      env: { ITEC_RATE_LIMIT_AUTH: "10000", ITEC_RATE_LIMIT_WRITE: "10000" },
      deployMore: (chain, deployed) => deployMarketOverRpc(chain, deployed, m),
    });
    batchId = await seedSeller(h, m.market!);
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k, v]) => !k.startsWith("ITEC_") && v !== undefined),
    ) as Record<string, string>;
    env = { ...clean, ITEC_API_URL: h.api.url, ITEC_RPC_URL: h.chain.url, ITEC_REGISTRY_ADDRESS: h.deployed.address };
  });
  after(async () => h?.close());

  it("publishes, fills with DvP and on invoice, confirms, lists and cancels", async function () {
    const seller = ["--dev-account", "refurbisher"];
    const buyer = ["--dev-account", "corporate"];
    const corporate = h.deployed.wallet("corporate").address;
    await ok(["market", "token", "approve", "--token", m.token!, "--amount", "1000000000000", ...buyer]);
    const created = await okJson<Offer>([
      "market", "offer", "create", "--batch", batchId.toString(), "--quantity", "6", "--price", "2500000",
      "--token", m.token!, "--invoice-days", "7", ...seller,
    ]); // prettier-ignore
    expect(created.remaining).to.equal("6");

    const listed = await okJson<{ offers: Offer[] }>(["market", "offer", "list", "--max-price", "2500000"]);
    expect(listed.offers.map((o) => o.hash)).to.include(created.hash);
    expect((await okJson<{ offers: Offer[] }>(["market", "offer", "list", "--max-price", "2499999"])).offers).to.be
      .empty;
    expect(await ok(["market", "offer", "list"])).to.include(`${created.hash.slice(0, 10)}…`);

    await ok(["market", "offer", "fill", created.hash, "--amount", "2", ...buyer]);
    expect(await h.deployed.registry.balanceOf(corporate, batchId)).to.equal(2n);

    await ok(["market", "invoice", "fill", created.hash, "--amount", "1", ...buyer]);
    const { reservations } = await okJson<{ reservations: { reservationId: string; status: string }[] }>([
      "market", "invoice", "list", "--account", corporate,
    ]); // prettier-ignore
    expect(reservations[0]?.status).to.equal("open");
    await ok(["market", "invoice", "confirm", reservations[0]!.reservationId, ...seller]);
    expect(await h.deployed.registry.balanceOf(corporate, batchId)).to.equal(3n);
    expect(
      (await okJson<{ reservations: { status: string }[] }>(["market", "invoice", "list", "--account", corporate]))
        .reservations[0]?.status,
    ).to.equal("confirmed");
    expect((await okJson<Offer>(["market", "offer", "show", created.hash])).remaining).to.equal("3");

    await ok(["market", "request", "publish", "--quantity", "40", "--category", "1", ...buyer]);
    const { requests } = await okJson<{ requests: { buyer: string; quantity: string }[] }>([
      "market",
      "request",
      "list",
    ]);
    expect(requests.some((r) => r.buyer === corporate && r.quantity === "40")).to.be.true;

    await ok(["market", "offer", "cancel", created.hash, ...seller]);
    expect((await okJson<Offer>(["market", "offer", "show", created.hash])).status).to.equal("closed");
  });
});
