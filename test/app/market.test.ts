/**
 * The market screens in headless Chromium against a real chain, API and market (issue 19 item 3): the seller
 * (refurbisher's key) signs an offer in its wallet and publishes it; the buyer (corporate's key) finds it with the
 * filters, buys with DvP (approving the exact payment, both transactions shown decoded before signing) and on
 * invoice; the seller confirms the invoice in its reservations; the buyer's reservation then reads confirmed.
 * Every market screen is axe-clean at 1280 and 390 px, nothing wider than the viewport.
 */
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";

import { devAccount } from "../../core/keys.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { DESKTOP, ensureAppBuilt, newAppPage, PHONE, screenReady, screenshot, type AppPage } from "../helpers/app.ts";
import { axeViolations, launchChromium, requireChromium } from "../helpers/browser.ts";
import { ACCOUNTS } from "../helpers/chain.ts";
import { deployMarketOverRpc, seedSeller, type DeployedMarket } from "../helpers/market-api.ts";
import { injectTestWallet } from "../helpers/wallet.ts";

interface DomLike {
  document: { documentElement: { scrollWidth: number } };
}

describe("Web app: market (offer book, sell, reservations)", function () {
  this.timeout(300_000);
  let h: ApiHarness;
  let browser: Browser;
  const m: Partial<DeployedMarket> = {};
  let batchId: bigint;
  let seller: AppPage;
  let buyer: AppPage;

  const open = async (page: Page, path: string) => {
    await page.evaluate((p) => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = `#${p}`;
    }, path);
    await screenReady(page, path);
  };

  const signedIn = async (role: "refurbisher" | "corporate", viewport: { width: number; height: number }) => {
    const app = await newAppPage(browser, viewport);
    const wallet = await injectTestWallet(app.context, {
      privateKey: devAccount(ACCOUNTS[role]).privateKey,
      rpcUrl: h.chain.url,
      chainId: h.chain.chainId,
    });
    await app.page.goto(`${h.api.url}/app/#/`);
    await screenReady(app.page, "/");
    await app.page.getByRole("button", { name: `Connect ${wallet.info.name}` }).click();
    await app.page.getByRole("button", { name: "Sign in with Ethereum" }).click();
    await app.page.locator("main", { hasText: "Here you can" }).waitFor();
    return app;
  };

  /** Clicks "Sign and send in wallet" on the shown transaction after checking its decoded call; waits for it. */
  const signShown = async (page: Page, call: string, followed = false) => {
    const panel = page.locator(".tx-confirm", { hasText: call });
    await panel.waitFor();
    await panel.getByRole("button", { name: "Sign and send in wallet" }).click();
    // A transaction followed by another gives way to the next panel as soon as it is mined.
    if (followed) return;
    await panel
      .locator(".tx-status.success", { hasText: "Done: included in block" })
      .waitFor({ timeout: 30_000 })
      .catch(async (error: unknown) => {
        throw new Error(`${call} not mined: ${await panel.innerText()}`, { cause: error });
      });
  };

  before(async function () {
    requireChromium(this);
    await ensureAppBuilt();
    h = await startApiHarness({ deployMore: (chain, deployed) => deployMarketOverRpc(chain, deployed, m) });
    batchId = await seedSeller(h, m.market!);
    browser = await launchChromium();
    seller = await signedIn("refurbisher", DESKTOP);
    buyer = await signedIn("corporate", DESKTOP);
  });
  after(async () => {
    await seller?.context.close();
    await buyer?.context.close();
    await browser?.close();
    await h?.close();
  });

  it("the seller signs and publishes an offer in the app", async () => {
    const { page } = seller;
    await open(page, "/market/sell");
    await page.getByLabel("Batch").fill(batchId.toString());
    await page.getByLabel("Quantity (I-TEC)").fill("6");
    await page.getByLabel("Price per certificate (token units)").fill("2500000");
    await page.getByLabel("Settlement token (address)").fill(m.token!);
    await page.getByLabel("Invoice reservation (days)").fill("7");
    await page.getByRole("button", { name: "Sign and publish the offer" }).click();
    await page.locator(".form-message.success", { hasText: "Published" }).waitFor();
    await screenshot(page, "market-sell-desktop");
    const { offers } = (await h.http.get("/market/offers").expect(200)).body as { offers: { remaining: string }[] };
    expect(offers.map((o) => o.remaining)).to.deep.equal(["6"]);
  });

  it("the buyer filters, buys with DvP and on invoice, each transaction decoded before signing", async () => {
    const { page } = buyer;
    await open(page, "/market");
    await page.getByLabel("Highest price per certificate (token units)").fill("2499999");
    await page.getByRole("button", { name: "Show offers" }).click();
    await page.locator("main", { hasText: "No open offer matches." }).waitFor();
    await page.getByLabel("Highest price per certificate (token units)").fill("2500000");
    // An offer without a vintage window does not match a window asked for.
    await page.getByLabel("Refurbished until").fill("2026-12-31");
    const filtered = page.waitForResponse((r) => r.url().includes("/market/offers?") && r.url().includes("vintageTo="));
    await page.getByRole("button", { name: "Show offers" }).click();
    expect(((await (await filtered).json()) as { offers: unknown[] }).offers).to.deep.equal([]);
    await page.locator("main", { hasText: "No open offer matches." }).waitFor();
    await page.getByLabel("Refurbished until").fill("");
    await page.getByRole("button", { name: "Show offers" }).click();
    const row = page.locator("table.offers tbody tr").first();
    await row.waitFor();
    expect(await row.innerText())
      .to.include(`#${batchId}`)
      .and.include("6 of 6");
    await screenshot(page, "market-offers-desktop");

    await row.getByRole("textbox").fill("2");
    await row.getByRole("button", { name: "Buy (DvP)" }).click();
    await signShown(page, "approve(", true);
    await signShown(page, "fill(");
    const corporate = h.deployed.wallet("corporate").address;
    expect(await h.deployed.registry.balanceOf(corporate, batchId)).to.equal(2n);
    await page.locator("table.offers tbody tr", { hasText: "4 of 6" }).waitFor();

    const again = page.locator("table.offers tbody tr").first();
    await again.getByRole("textbox").fill("1");
    await again.getByRole("button", { name: "On invoice" }).click();
    await signShown(page, "fillOnInvoice(");
    expect(await h.deployed.registry.balanceOf(corporate, batchId)).to.equal(2n);
  });

  it("the seller confirms the invoice; the buyer's reservation reads confirmed", async () => {
    await open(seller.page, "/market/reservations");
    const row = seller.page.locator("table.reservations tbody tr").first();
    await row.waitFor();
    expect(await row.innerText())
      .to.include("you sell")
      .and.include("open");
    await screenshot(seller.page, "market-reservations-desktop");
    await row.getByRole("button", { name: "Confirm payment" }).click();
    await signShown(seller.page, "confirmPayment(");
    expect(await h.deployed.registry.balanceOf(h.deployed.wallet("corporate").address, batchId)).to.equal(3n);
    await open(buyer.page, "/market/reservations");
    await buyer.page.locator("table.reservations tbody tr", { hasText: "confirmed" }).waitFor();
  });

  it("is axe-clean and fits at desktop and phone widths", async () => {
    for (const [label, viewport] of [
      ["desktop", DESKTOP],
      ["phone", PHONE],
    ] as const) {
      const app = label === "desktop" ? buyer : await signedIn("corporate", viewport);
      for (const path of ["/market", "/market/sell", "/market/reservations"]) {
        await open(app.page, path);
        await app.page.waitForTimeout(300);
        expect(await axeViolations(app.page), `${path} at ${label}`).to.deep.equal([]);
        const width = await app.page.evaluate(
          () => (globalThis as unknown as DomLike).document.documentElement.scrollWidth,
        );
        expect(width, `${path} fits at ${label}`).to.be.at.most(viewport.width);
        if (label === "phone") await screenshot(app.page, `market${path.replaceAll("/", "-")}-phone`);
      }
      if (label === "phone") await app.context.close();
    }
  });
});
