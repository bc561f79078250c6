/**
 * The auditor's screens in headless Chromium (issue 15 §4), against a real chain, oracle and API, with a wallet in
 * the page that really signs with the auditors' Hardhat keys. A refurbisher submits the section-9 lot through the
 * API (two issuable batches, desktop and server) and two auditing bodies must sign. Auditor 1's queue lists both;
 * the review shows every check passed, the figures next to the report and the report's exact bytes to download;
 * declining in the wallet signs and posts nothing; Sign makes the wallet sign the typed data (eth_signTypedData_v4)
 * and the API counts it; auditor 2 signs in another browser context, the oracle mints, and the batch leaves the
 * queue. A report changed by one byte (intercepted on its way to the page) fails the hash check, which disables
 * Sign and is named; a rejection with a reason is signed and recorded. Every screen at 1280 and 390 px is axe-clean,
 * nothing is wider than the viewport, and no screen logs an error.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { keccak256 } from "ethers";
import type { Browser, Page } from "playwright-core";

import { devAccount } from "../../core/keys.ts";
import { ApiClient } from "../../sdk/src/api-client.ts";
import { startApiHarness, untilConfirmed, type ApiHarness } from "../helpers/api.ts";
import { DESKTOP, ensureAppBuilt, newAppPage, openScreen, PHONE, screenshot, type AppPage } from "../helpers/app.ts";
import { axeViolations, launchChromium, requireChromium } from "../helpers/browser.ts";
import { ACCOUNTS } from "../helpers/chain.ts";
import { injectTestWallet, type TestWallet } from "../helpers/wallet.ts";

type Role = "auditor1" | "auditor2";

interface BatchJob {
  state: string;
  reason: string | null;
  tokenId: string | null;
  signatures: { auditor: string; status: string }[];
}

/** The document's width (nothing may be wider than the viewport). */
function documentWidth(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
        .scrollWidth,
  );
}

describe("Web app: the auditor's review queue and review screen (Chromium, real signing)", function () {
  this.timeout(240_000);
  let h: ApiHarness;
  let browser: Browser;
  let lot: string;
  let desktop: string;
  let server: string;
  const open: AppPage[] = [];

  before(async function () {
    requireChromium(this);
    await ensureAppBuilt();
    h = await startApiHarness();
    // Two auditing bodies must sign, so the first signature leaves the batch awaiting the second.
    await (await h.deployed.adminRegistry.setAuditorThreshold(2)).wait();
    const refurbisher = new ApiClient(h.api.url);
    await refurbisher.signIn(h.deployed.wallet("refurbisher").connect(h.chain.provider));
    const submitted = await refurbisher.post<{ id: string }>(
      "/lots?defaultTransport=hgv:600;van:250",
      readFileSync("test/vectors/section9-lot.csv", "utf8"),
      { "content-type": "text/csv" },
    );
    lot = submitted.id;
    desktop = `${lot}-desktop`;
    server = `${lot}-server`;
    browser = await launchChromium();
  });
  afterEach(async () => {
    for (const p of open.splice(0)) await p.context.close();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  const batch = async (id: string) => (await h.http.get(`/batches/${id}`).expect(200)).body as BatchJob;

  /** A fresh browser context whose wallet holds `role`'s key, connected and signed in with SIWE. */
  async function signedIn(role: Role, viewport = DESKTOP): Promise<AppPage & { wallet: TestWallet }> {
    const app = await newAppPage(browser, viewport);
    open.push(app);
    const wallet = await injectTestWallet(app.context, {
      privateKey: devAccount(ACCOUNTS[role]).privateKey,
      rpcUrl: h.chain.url,
      chainId: 1337n,
    });
    await openScreen(app.page, h.api.url, "/");
    await app.page.getByRole("button", { name: "Connect I-TEC Test Wallet" }).click();
    await app.page.getByRole("button", { name: "Sign in with Ethereum" }).click();
    await app.page.getByRole("button", { name: /^Sign out/ }).waitFor();
    return { ...app, wallet };
  }

  /** The methods the wallet was asked to sign with, from request `from` on. */
  const signed = (wallet: TestWallet, from = 0) =>
    wallet
      .signingRequests()
      .slice(from)
      .map((r) => r.method);

  async function checkLayout(app: AppPage, viewport: { width: number }, name: string): Promise<void> {
    expect(await axeViolations(app.page), name).to.deep.equal([]);
    expect(await documentWidth(app.page), `${name}: nothing wider than the viewport`).to.be.at.most(viewport.width);
    await screenshot(app.page, name);
  }

  for (const [label, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    it(`the review shows every check passed and the figures next to the report (${label}, axe-clean)`, async function () {
      const app = await signedIn("auditor1", viewport);
      const { page } = app;
      await page.goto(`${h.api.url}/app/#/reviews/${desktop}`);
      await page.waitForSelector("#checks-verdict");
      expect(await page.locator("ul.checks li.pass").count()).to.equal(6);
      expect(await page.locator("ul.checks li.fail").count()).to.equal(0);
      expect(await page.textContent("#checks-verdict")).to.match(/^All 6 checks passed/);
      const figures = await page.locator("table.stack").innerText();
      expect(figures)
        .to.include("desktop (code 2)")
        .and.include("500.640\u00a0kgCO2e")
        .and.include("71.325\u00a0kgCO2e")
        .and.include("429.315\u00a0kgCO2e")
        .and.include("2026-03-31 … 2026-03-31")
        .and.include("ITEC-CALC 1.0 / ITEC-PARAMS-1");
      expect(await page.isEnabled("#sign-attestation")).to.equal(true);
      await checkLayout(app, viewport, `auditor-review-${label}`);
      expect(app.errors).to.deep.equal([]);
    });

    it(`the queue lists the batches awaiting my signature and links to their reviews (${label}, axe-clean)`, async function () {
      const app = await signedIn("auditor1", viewport);
      const { page } = app;
      await page.click('a[href="#/reviews"]');
      await page.waitForSelector(`tr[data-batch="${desktop}"]`);
      const rows = await page
        .locator("tr[data-batch]")
        .evaluateAll((trs) => trs.map((tr) => (tr as unknown as { dataset: { batch: string } }).dataset.batch));
      expect(rows).to.have.members([desktop, server]);
      const row = await page.locator(`tr[data-batch="${desktop}"]`).innerText();
      expect(row).to.include("desktop").and.include("1 I-TEC").and.include("500.640").and.include("kgCO2e");
      expect(row).to.include("0 of 2");
      await checkLayout(app, viewport, `auditor-queue-${label}`);
      await page.click(`a[href="#/reviews/${desktop}"]`);
      await page.waitForSelector("#checks-verdict");
      expect(app.errors).to.deep.equal([]);
    });
  }

  it("offers the report's exact bytes for download: they hash to the attested report hash", async () => {
    const { page, errors } = await signedIn("auditor1");
    await page.goto(`${h.api.url}/app/#/reviews/${desktop}`);
    await page.waitForSelector("#report-download");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#report-download")]);
    expect(download.suggestedFilename()).to.equal(`${lot}-report.json`);
    const path = await download.path();
    const view = (await h.http.get(`/batches/${desktop}/attestation`).expect(200)).body as {
      review: { reportHash: string };
    };
    expect(keccak256(readFileSync(path))).to.equal(view.review.reportHash);
    expect(errors).to.deep.equal([]);
  });

  it("declining in the wallet signs nothing and posts nothing", async () => {
    const { page, wallet } = await signedIn("auditor1");
    await page.goto(`${h.api.url}/app/#/reviews/${desktop}`);
    await page.waitForSelector("#sign-attestation");
    const posts: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST") posts.push(r.url());
    });
    wallet.rejectNext("eth_signTypedData_v4");
    await page.click("#sign-attestation");
    await page.waitForFunction(() =>
      /declined/.test(
        (
          globalThis as unknown as { document: { getElementById(id: string): { textContent: string } | null } }
        ).document.getElementById("sign-status")?.textContent ?? "",
      ),
    );
    expect(await page.textContent("#sign-status")).to.equal(
      "You declined it in your wallet: nothing was signed or sent. You can sign again when ready.",
    );
    expect(posts).to.deep.equal([]);
    expect(signed(wallet).at(-1), "the wallet was asked, and the user declined").to.equal("eth_signTypedData_v4");
    expect((await batch(desktop)).signatures).to.deep.equal([]);
    expect(await page.isEnabled("#sign-attestation"), "Sign can be tried again").to.equal(true);
  });

  it("Sign: the wallet signs the typed data, the API counts it; auditor 2 signs, the oracle mints, the queue empties", async () => {
    const a1 = await signedIn("auditor1");
    await a1.page.goto(`${h.api.url}/app/#/reviews/${desktop}`);
    await a1.page.waitForSelector("#sign-attestation:not([disabled])");
    await a1.page.focus("#sign-attestation");
    await a1.page.keyboard.press("Enter"); // keyboard only
    await a1.page.waitForSelector("#sign-status.success");
    expect(await a1.page.textContent("#sign-status")).to.equal(
      "Your signature was accepted: 1 signature of 2 needed; the batch is awaiting auditors' signatures.",
    );
    expect(signed(a1.wallet)).to.deep.equal(["personal_sign", "eth_signTypedData_v4"]); // SIWE, then the attestation
    // The wallet was asked for exactly the published payload.
    const view = (await h.http.get(`/batches/${desktop}/attestation`).expect(200)).body as {
      typedData: { domain: unknown; message: unknown };
    };
    const asked = JSON.parse(String(a1.wallet.signingRequests().at(-1)!.params[1])) as typeof view.typedData;
    expect([asked.domain, asked.message]).to.deep.equal([view.typedData.domain, view.typedData.message]);
    const after1 = await batch(desktop);
    expect(after1.signatures.map((s) => [s.auditor, s.status])).to.deep.equal([
      [h.deployed.wallet("auditor1").address, "accepted"],
    ]);
    await a1.page.goto(`${h.api.url}/app/#/reviews`);
    await a1.page.waitForSelector(`tr[data-batch="${desktop}"]`);
    expect(await a1.page.locator(`tr[data-batch="${desktop}"]`).innerText()).to.include("signed");

    const a2 = await signedIn("auditor2");
    await a2.page.goto(`${h.api.url}/app/#/reviews/${desktop}`);
    await a2.page.waitForSelector("#sign-attestation:not([disabled])");
    expect(await a2.page.textContent("#review-signatures")).to.equal("1 signature of 2 needed");
    await a2.page.click("#sign-attestation");
    await a2.page.waitForSelector("#sign-status.success");
    expect(await a2.page.textContent("#sign-status")).to.match(
      /^Your signature was accepted: 2 signatures of 2 needed; the batch is ready/,
    );
    expect(signed(a2.wallet)).to.deep.equal(["personal_sign", "eth_signTypedData_v4"]);
    await untilConfirmed(h, [desktop]);
    expect((await batch(desktop)).tokenId).to.equal("1");

    await a2.page.goto(`${h.api.url}/app/#/reviews`);
    await a2.page.waitForSelector(`tr[data-batch="${server}"]`);
    expect(await a2.page.locator(`tr[data-batch="${desktop}"]`).count(), "the minted batch left the queue").to.equal(0);
    expect(a1.errors.concat(a2.errors)).to.deep.equal([]);
  });

  it("a report changed by one byte fails the hash check: Sign is disabled and the failed check is named", async () => {
    const { page } = await signedIn("auditor1");
    await page.route(`**/lots/${lot}/report`, async (route) => {
      const res = await route.fetch();
      const body = Buffer.from(await res.body());
      const at = body.indexOf('"centralReductionPct":"11.3"') + '"centralReductionPct":"11.'.length;
      body[at] = "4".charCodeAt(0);
      await route.fulfill({ response: res, body });
    });
    await page.goto(`${h.api.url}/app/#/reviews/${server}`);
    await page.waitForSelector("#checks-verdict");
    expect(await page.locator("ul.checks li.fail").count()).to.equal(1);
    expect(await page.getAttribute("ul.checks li.fail", "data-check")).to.equal("report hashes to the report hash");
    expect(await page.textContent("#checks-verdict")).to.equal("1 of 6 checks failed: do not sign this attestation.");
    expect(await page.isDisabled("#sign-attestation")).to.equal(true);
    expect(await page.textContent("#sign-disabled-why")).to.include("“report hashes to the report hash”");
    await screenshot(page, "auditor-review-tampered-desktop");
    expect(await axeViolations(page)).to.deep.equal([]);
  });

  it("Reject: a reason is required, then the rejection is signed in the wallet and recorded", async () => {
    const { page, wallet } = await signedIn("auditor1", PHONE);
    await page.goto(`${h.api.url}/app/#/reviews/${server}`);
    await page.waitForSelector("#reject-reason");
    const before = wallet.signingRequests().length;
    await page.click("#reject-attestation");
    expect(await page.textContent("#reject-status")).to.match(/^Write the reason for rejecting/);
    expect(wallet.signingRequests().length, "the wallet was not asked").to.equal(before);

    const reason = "The server's transport legs are not evidenced.";
    await page.fill("#reject-reason", reason);
    await page.click("#reject-attestation");
    await page.waitForSelector("#reject-status.success");
    expect(await page.textContent("#reject-status")).to.include("The rejection was recorded");
    expect(signed(wallet, before)).to.deep.equal(["eth_signTypedData_v4"]);
    const typed = JSON.parse(String(wallet.signingRequests().at(-1)!.params[1])) as {
      primaryType: string;
      message: { reason: string };
    };
    expect([typed.primaryType, typed.message.reason]).to.deep.equal(["Rejection", reason]);
    const rejected = await batch(server);
    expect([rejected.state, rejected.reason]).to.deep.equal(["rejected", reason]);
    await checkLayout({ ...(open.at(-1) as AppPage) }, PHONE, "auditor-rejected-phone");

    await page.goto(`${h.api.url}/app/#/reviews`);
    await page.waitForSelector("main[data-ready='true'] p");
    expect(await page.locator(`tr[data-batch="${server}"]`).count(), "the rejected batch left the queue").to.equal(0);
  });
});
