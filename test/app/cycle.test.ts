/**
 * The registry's main flow end to end through the app's own screens (issue 15 §8), in headless Chromium against a
 * real chain, oracle, indexer and API, one browser context per role, each with the test wallet really signing with
 * that role's Hardhat key: the refurbisher uploads the demonstration lot on "Submit a lot", sees the browser's
 * figures and submits; auditor 1 and auditor 2 each find the batch in their queue, see every check pass and sign;
 * the oracle mints and the refurbisher's "My lots" shows it minted without a reload; the refurbisher transfers
 * certificates of the batch to the corporate found by organisation name; the corporate sees them in its portfolio,
 * retires some with a claim, and the public verify page opened from the app's link says the retirement is verified.
 * Nothing of the app is mocked; the test only waits on the API where a screen reads the index (as a person would
 * wait for the next block to be indexed).
 */
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";

import { startApiHarness, untilConfirmed, type ApiHarness } from "../helpers/api.ts";
import {
  DESKTOP,
  ensureAppBuilt,
  newAppPage,
  openScreen,
  screenReady,
  screenshot,
  type AppPage,
} from "../helpers/app.ts";
import { launchChromium, requireChromium } from "../helpers/browser.ts";
import { PARTICIPANT_NAMES } from "../helpers/chain.ts";
import { injectTestWallet } from "../helpers/wallet.ts";

type Role = "refurbisher" | "auditor1" | "auditor2" | "corporate";

interface LotAnswer {
  id: string;
  batches: { id: string; category: string; state: string }[];
}

describe("Web app: the whole cycle in the browser (lot → signatures → mint → transfer → retire → verify)", function () {
  this.timeout(300_000);
  let h: ApiHarness;
  let browser: Browser;
  const open: AppPage[] = [];

  /** A fresh browser context whose wallet holds `role`'s key, connected and signed in through the app's screens. */
  async function signedIn(role: Role): Promise<AppPage> {
    const app = await newAppPage(browser, DESKTOP);
    open.push(app);
    await injectTestWallet(app.context, {
      privateKey: h.deployed.wallet(role).privateKey,
      rpcUrl: h.chain.url,
      chainId: h.chain.chainId,
    });
    await openScreen(app.page, h.api.url, "/");
    await app.page.getByRole("button", { name: "Connect I-TEC Test Wallet" }).click();
    await app.page.getByRole("button", { name: "Sign in with Ethereum" }).click();
    await app.page.getByRole("button", { name: /^Sign out/ }).waitFor();
    return app;
  }

  async function go(page: Page, path: string): Promise<void> {
    await page.evaluate((p) => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = `#${p}`;
    }, path);
    await screenReady(page, path);
  }

  /** Waits until the index lists `account` holding `held` of batch `batchId` (the holder screens read the index). */
  async function indexed(account: string, batchId: string, held: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await h.http.get(`/accounts/${account}/portfolio`).expect(200);
      const row = (res.body as { batches: { batchId: string; held: string }[] }).batches.find(
        (b) => b.batchId === batchId,
      );
      if ((row?.held ?? "0") === held) return;
      if (Date.now() > deadline) throw new Error(`the index never showed ${account} holding ${held} of #${batchId}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  before(async function () {
    requireChromium(this);
    await ensureAppBuilt();
    h = await startApiHarness();
    // Two auditing bodies must sign, so both auditors' screens take part in the cycle.
    await (await h.deployed.adminRegistry.setAuditorThreshold(2)).wait();
    browser = await launchChromium();
  });
  after(async () => {
    for (const app of open) await app.context.close().catch(() => {});
    await browser?.close();
    await h?.close();
  });

  it("lot → two auditors sign → minted → transfer by name → portfolio → retire → verified", async () => {
    // 1. The refurbisher uploads the demonstration lot, sees the browser's figures and submits.
    const refurbisher = await signedIn("refurbisher");
    const rp = refurbisher.page;
    await rp.getByRole("link", { name: "Submit a lot" }).click();
    await screenReady(rp, "/lots/new");
    await rp.setInputFiles('input[type="file"]', "data/samples/demo-lot.csv");
    await rp.locator(".calc-results tr[data-category]").first().waitFor();
    expect(await rp.locator(".calc-results").innerText())
      .to.match(/kgCO2e/)
      .and.match(/43 in the file, 35 eligible/);
    await rp.getByRole("button", { name: "Submit the lot" }).click();
    await rp.locator("[data-verdict]").waitFor();
    expect(await rp.locator("[data-verdict]").getAttribute("data-verdict")).to.equal("identical");
    const lotId = /submitted as (L\d+)/.exec(await rp.locator("#submit-why").innerText())![1]!;
    const lot = (await h.http.get(`/lots/${lotId}`).expect(200)).body as LotAnswer;
    const job = lot.batches.find((b) => b.state === "awaiting_signatures")!;
    expect(job, "an issuable batch").to.not.equal(undefined);

    // The refurbisher follows the lot on My lots while the auditors sign.
    await rp.getByRole("link", { name: "My lots", exact: true }).click();
    await screenReady(rp, "/lots");
    await rp.evaluate(() => {
      (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument = true;
    });
    const row = rp.locator(`tr[data-batch="${job.id}"]`);
    expect(await row.locator("[data-state]").getAttribute("data-state")).to.equal("awaiting_signatures");

    // 2. Each auditor, in its own context: the queue lists the batch, the review passes every check, Sign.
    for (const [role, expected] of [
      ["auditor1", /^Your signature was accepted: 1 signature of 2 needed/],
      ["auditor2", /^Your signature was accepted: 2 signatures of 2 needed; the batch is ready/],
    ] as const) {
      const auditor = await signedIn(role);
      const ap = auditor.page;
      await ap.click('a[href="#/reviews"]');
      await ap.waitForSelector(`tr[data-batch="${job.id}"]`);
      await ap.click(`a[href="#/reviews/${job.id}"]`);
      await ap.waitForSelector("#checks-verdict");
      expect(await ap.textContent("#checks-verdict"), role).to.match(/^All 6 checks passed/);
      expect(await ap.locator("ul.checks li.fail").count(), role).to.equal(0);
      await ap.click("#sign-attestation:not([disabled])");
      await ap.waitForSelector("#sign-status.success");
      expect(await ap.textContent("#sign-status"), role).to.match(expected);
      expect(auditor.errors, role).to.deep.equal([]);
    }

    // 3. The oracle mints; My lots shows the batch minted without a reload.
    await untilConfirmed(h, [job.id]);
    await row.locator('[data-state="confirmed"]').waitFor({ timeout: 30_000 });
    const batchId = /Minted as batch #(\d+)/.exec(await row.innerText())![1]!;
    expect(await rp.evaluate(() => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument)).to.equal(
      true,
    );
    const minted = (await h.http.get(`/batches/${job.id}`).expect(200)).body as { tokenId: string };
    expect(minted.tokenId).to.equal(batchId);

    // 4. The refurbisher transfers 3 certificates of the minted batch to the corporate, found by organisation name.
    const corporateAccount = h.deployed.wallet("corporate").address;
    const refurbisherAccount = h.deployed.wallet("refurbisher").address;
    const issued = await h.deployed.registry.balanceOf(refurbisherAccount, BigInt(batchId));
    expect(issued >= 3n, `the refurbisher holds ${issued} of #${batchId}`).to.equal(true);
    await indexed(refurbisherAccount, batchId, issued.toString());
    await go(rp, `/transfer?batch=${batchId}`);
    await rp.getByLabel("Amount (I-TEC)").fill("3");
    await rp.getByLabel("Recipient (organisation name or account address)").fill(PARTICIPANT_NAMES.corporate);
    await rp.getByRole("button", { name: "Check and prepare the transfer" }).click();
    await rp.locator(".tx-confirm").waitFor();
    expect(await rp.locator(".tx-confirm").innerText()).to.include(
      `Transfer 3 I-TEC of batch #${batchId} to ${PARTICIPANT_NAMES.corporate}`,
    );
    await rp.getByRole("button", { name: "Sign and send in wallet" }).click();
    await rp.locator(".tx-status.success", { hasText: "Done: included in block" }).waitFor({ timeout: 30_000 });
    expect(await h.deployed.registry.balanceOf(corporateAccount, BigInt(batchId))).to.equal(3n);
    expect(refurbisher.errors).to.deep.equal([]);

    // 5. The corporate's portfolio shows them; it retires 2 with a claim.
    await indexed(corporateAccount, batchId, "3");
    const corporate = await signedIn("corporate");
    const cp = corporate.page;
    await go(cp, "/portfolio");
    const holding = cp.locator(`table.portfolio tbody tr[data-batch='${batchId}']`);
    expect(await holding.innerText())
      .to.include(`${job.category}`)
      .and.include("3 I-TEC")
      .and.include("active");
    await holding.locator(`a[href='#/retire?batch=${batchId}']`).click();
    await screenReady(cp, "/retire");
    await cp.getByLabel("Amount (I-TEC)").fill("2");
    await cp.getByLabel("Purpose (optional)").fill("FY2026 refurbished IT procurement");
    await cp.getByRole("button", { name: "Prepare the retirement" }).click();
    await cp.locator(".tx-confirm").waitFor();
    await cp.getByRole("button", { name: "Sign and send in wallet" }).click();
    const heading = cp.locator(".confirm-area h3", { hasText: /^Retirement #\d+$/ });
    await heading.waitFor({ timeout: 30_000 });
    const retirementId = (await heading.innerText()).replace("Retirement #", "");
    expect(await h.deployed.registry.balanceOf(corporateAccount, BigInt(batchId))).to.equal(1n);

    // 6. The verify page, opened from the app's link, shows the retirement verified.
    await cp.locator("a.verify-link").click();
    await cp.waitForURL(`**/verify/retirements/${retirementId}`);
    await cp.waitForSelector("#verdict");
    expect(await cp.textContent("#verdict h2")).to.equal(`Retirement #${retirementId} verified on-chain`);
    const claim = (await cp.textContent("#claim"))!;
    expect(claim)
      .to.include(PARTICIPANT_NAMES.corporate)
      .and.include("2 I-TEC")
      .and.include("FY2026 refurbished IT procurement");
    await screenshot(cp, "cycle-verify");
    expect(corporate.errors).to.deep.equal([]);
  });
});
