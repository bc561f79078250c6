/**
 * The delivery screens in headless Chromium against a real chain, API and oracle, the wallets really signing with
 * the Hardhat keys: the refurbisher (as ITAD) sends a delivery of sample-lot serials (data/samples/demo-lot.csv) to
 * the corporate — the plan names the device without a certificate, the transfer is shown, signed, mined and
 * recorded; the corporate sees "received with delivery …" and checks its own devices, one of which the delivery does
 * not carry. Both screens are axe-clean and fit at 1280 and 390 px.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import type { Browser, Page } from "playwright-core";

import { devAccount } from "../../core/keys.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { DESKTOP, ensureAppBuilt, newAppPage, PHONE, screenReady, screenshot, type AppPage } from "../helpers/app.ts";
import { axeViolations, launchChromium, requireChromium } from "../helpers/browser.ts";
import { ACCOUNTS } from "../helpers/chain.ts";
import { issueLot } from "../helpers/issue-lot.ts";
import { injectTestWallet } from "../helpers/wallet.ts";

const DEMO_LOT = readFileSync("data/samples/demo-lot.csv", "utf8");

async function documentWidth(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
        .scrollWidth,
  );
}

describe("Web app: deliveries (send a delivery, deliveries received)", function () {
  this.timeout(300_000);
  let h: ApiHarness;
  let browser: Browser;
  const pages: AppPage[] = [];

  const open = async (page: Page, path: string) => {
    await page.evaluate((p) => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = `#${p}`;
    }, path);
    await screenReady(page, path);
  };

  const signedIn = async (role: "refurbisher" | "corporate", viewport: { width: number; height: number }) => {
    const app = await newAppPage(browser, viewport);
    pages.push(app);
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

  before(async function () {
    requireChromium(this);
    await ensureAppBuilt();
    h = await startApiHarness();
    await issueLot(h, DEMO_LOT, "hgv:600;van:250");
    browser = await launchChromium();
  });
  after(async () => {
    for (const p of pages) await p.context.close();
    await browser?.close();
    await h?.close();
  });

  it("the ITAD sends a delivery: the plan with its refusal, the transfer signed, mined and recorded", async () => {
    const { page, errors } = await signedIn("refurbisher", DESKTOP);
    await open(page, "/deliveries/new");
    await page
      .getByLabel("Customer (organisation name or account address)")
      .fill(h.deployed.wallet("corporate").address);
    await page.getByLabel("Delivery reference").fill("ORD-APP-1");
    await page
      .getByLabel("…or the devices as text")
      .fill("manufacturer,serial\nDell,CN0LAT54000\nDell,CN0LAT54001\nDell,CN0LAT54002\nAcme,NOPE-1\n");
    await page.getByRole("button", { name: "Check the devices and prepare the transfer" }).click();
    const plan = page.locator(".delivery-plan[data-delivery]");
    await plan.waitFor();
    const planText = await plan.innerText();
    expect(planText).to.include("Delivery ORD-APP-1: 4 devices, 3 certified");
    expect(planText).to.include("NOPE-1").and.include("not certified by this registry");
    const confirm = page.locator(".tx-confirm");
    await confirm.waitFor();
    expect(await confirm.innerText()).to.include("safeTransferFrom");
    expect(await axeViolations(page), "the plan and the transfer as shown").to.deep.equal([]);
    await screenshot(page, "deliveries-send-plan-desktop");
    await page.getByRole("button", { name: "Sign and send in wallet" }).click();
    const done = page.locator(".delivery-summary");
    await done.waitFor({ timeout: 30_000 });
    expect(await done.innerText()).to.equal(
      "Sent with delivery ORD-APP-1: 4 devices, 3 certified (1 not certified: 1 NOT_CERTIFIED)",
    );
    await screenshot(page, "deliveries-sent-desktop");
    expect(errors).to.deep.equal([]);
  });

  it("the customer sees what it received and checks its own devices against the chain", async () => {
    const { page, errors } = await signedIn("corporate", DESKTOP);
    await open(page, "/deliveries");
    const card = page.locator("article.delivery").first();
    expect(await card.locator("h3").innerText()).to.equal(
      "received with delivery ORD-APP-1: 4 devices, 3 certified (1 not certified: 1 NOT_CERTIFIED)",
    );
    await card.getByLabel(/Your own list of devices/).fill("Dell,CN0LAT54000\nDell,CN0LAT54002\nDell,CN0LAT54007");
    await card.getByRole("button", { name: "Check my devices" }).click();
    const result = card.locator(".device-checks", { hasText: "devices verified" });
    await result.waitFor();
    const text = await result.innerText();
    expect(text).to.include("2 of 3 devices verified");
    expect(text).to.match(/CN0LAT54000\s+#\d+\s+✓ one of the batch's certified devices/);
    expect(text).to.match(/CN0LAT54007\s+—\s+✗ not in this delivery/);
    expect(await axeViolations(page), "the checked delivery").to.deep.equal([]);
    await screenshot(page, "deliveries-received-desktop");
    expect(errors).to.deep.equal([]);
  });

  it("both screens are axe-clean and fit at 390 px (phone)", async () => {
    for (const [role, path] of [
      ["refurbisher", "/deliveries/new"],
      ["corporate", "/deliveries"],
    ] as const) {
      const { page, errors } = await signedIn(role, PHONE);
      await open(page, path);
      expect(await page.locator("main .error").count(), `${path} shows no error`).to.equal(0);
      expect(await axeViolations(page), `${path} at 390 px`).to.deep.equal([]);
      expect(await documentWidth(page), `${path} fits at 390 px`).to.be.at.most(PHONE.width);
      await screenshot(page, `deliveries${path.replaceAll("/", "-")}-phone`);
      expect(errors).to.deep.equal([]);
    }
  });
});
