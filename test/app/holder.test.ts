/**
 * The holder's screens in headless Chromium against a real chain, API and indexer, the wallet really signing with
 * the corporate's Hardhat key: the portfolio shows the minted batch with its figures; a transfer to the trader
 * (found by name) is mined and moves the balances; a transfer to a non-participant is refused before the wallet
 * is asked; a retirement made with the keyboard alone opens its verify page showing the claim; a declined
 * signature sends nothing; an operator approval is granted and revoked as the chain then says; the retirement
 * history links each retirement; a Scope 3 inventory, dropped or chosen, shows the report and downloads; every
 * screen is axe-clean at 1280 and 390 px, nothing wider than the viewport; a portfolio of 1,000 batches renders as
 * 1,000 rows. A suspended recipient is refused like a non-participant.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import type { Browser, Page } from "playwright-core";

import { devAccount } from "../../core/keys.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { DESKTOP, ensureAppBuilt, newAppPage, PHONE, screenReady, screenshot, type AppPage } from "../helpers/app.ts";
import { axeViolations, launchChromium, requireChromium } from "../helpers/browser.ts";
import { ACCOUNTS, PARTICIPANT_NAMES } from "../helpers/chain.ts";
import { mintServerBatchTo, seedHeldBatches } from "../helpers/portfolio-seed.ts";
import { injectTestWallet, type TestWallet } from "../helpers/wallet.ts";

/** A lot of ten servers (the worked example's server, ten serials): one batch of 10 I-TEC once signed. */
interface DomLike {
  document: {
    documentElement: { scrollWidth: number };
    activeElement: { matches(s: string): boolean } | null;
  };
}

/** Presses Tab until the focused element matches `selector` (keyboard only; fails after `max` presses). */
async function tabTo(page: Page, selector: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const there = await page.evaluate(
      (s) => (globalThis as unknown as DomLike).document.activeElement?.matches(s) ?? false,
      selector,
    );
    if (there) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

async function documentWidth(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as DomLike).document.documentElement.scrollWidth);
}

describe("Web app: holder screens (portfolio, transfer, retire, approvals, history, Scope 3 report)", function () {
  this.timeout(300_000);
  let h: ApiHarness;
  let browser: Browser;
  let desk: AppPage & { wallet: TestWallet };
  let corporate: string;
  let trader: string;

  /** The corporate's balance of batch `id`, from the chain. */
  const balance = async (account: string, id = 1n) => h.deployed.registry.balanceOf(account, id);
  /** Waits until the index lists `account` holding `held` of batch #1 (the screens read the index). */
  const indexed = async (account: string, held: string) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await h.http.get(`/accounts/${account}/portfolio`).expect(200);
      const row = (res.body as { batches: { batchId: string; held: string }[] }).batches.find((b) => b.batchId === "1");
      if ((row?.held ?? "0") === held) return;
      if (Date.now() > deadline) throw new Error(`the index never showed ${account} holding ${held} of #1`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const open = async (page: Page, path: string) => {
    await page.evaluate((p) => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = `#${p}`;
    }, path);
    await screenReady(page, path);
  };

  /** A page whose test wallet holds the corporate's key, connected and signed in through the app's own screens. */
  const signedIn = async (viewport: { width: number; height: number }): Promise<AppPage & { wallet: TestWallet }> => {
    const app = await newAppPage(browser, viewport);
    const wallet = await injectTestWallet(app.context, {
      privateKey: devAccount(ACCOUNTS.corporate).privateKey,
      rpcUrl: h.chain.url,
      chainId: h.chain.chainId,
    });
    await app.page.goto(`${h.api.url}/app/#/`);
    await screenReady(app.page, "/");
    await app.page.getByRole("button", { name: `Connect ${wallet.info.name}` }).click();
    await app.page.getByRole("button", { name: "Sign in with Ethereum" }).click();
    await app.page.locator("main", { hasText: "Here you can" }).waitFor();
    return { ...app, wallet };
  };

  before(async function () {
    requireChromium(this);
    await ensureAppBuilt();
    h = await startApiHarness();
    const w = (role: Parameters<typeof h.deployed.wallet>[0]) => h.deployed.wallet(role).connect(h.chain.provider);
    corporate = w("corporate").address;
    trader = w("trader").address;
    await mintServerBatchTo(h, corporate, 8, "HT");
    browser = await launchChromium();
    desk = await signedIn(DESKTOP);
  });
  after(async () => {
    await desk?.context.close();
    await browser?.close();
    await h?.close();
  });

  it("portfolio: the minted batch with its figures, category, vintage, status and public link", async () => {
    const { page } = desk;
    await open(page, "/portfolio");
    const batch = (await h.http.get("/certificates/1").expect(200)).body as {
      baselineKgPerDevice: string;
      reductionKgPerDevice: string;
      certifiedIntensityKgPerDevice: string;
    };
    const row = page.locator("table.portfolio tbody tr[data-batch='1']");
    const text = await row.innerText();
    expect(text).to.include("server").and.include("8 I-TEC").and.include("active");
    expect(text).to.include(`${batch.baselineKgPerDevice} kgCO2e`);
    expect(text).to.include(`${batch.reductionKgPerDevice} kgCO2e`);
    expect(text).to.include(`${batch.certifiedIntensityKgPerDevice} kgCO2e`);
    expect(await row.locator("a[href='/verify/batches/1']").count()).to.equal(1);
    expect(await page.locator("table.portfolio tfoot").innerText()).to.match(/8 I-TEC/);
    await screenshot(page, "holder-portfolio-desktop");
  });

  it("transfer to a non-participant is refused before the wallet is asked, with the reason", async () => {
    const { page } = desk;
    await open(page, "/transfer?batch=1");
    const before = desk.wallet.requests.length;
    const stranger = h.deployed.wallet("auditor3").address; // never admitted as a participant
    await page.getByLabel("Amount (I-TEC)").fill("1");
    await page.getByLabel("Recipient (organisation name or account address)").fill(stranger);
    await page.getByRole("button", { name: "Check and prepare the transfer" }).click();
    const alert = page.locator(".form-message.error");
    await alert.waitFor();
    expect(await alert.innerText())
      .to.match(/is not an admitted participant/)
      .and.match(/Nothing was sent/);
    expect(await page.locator(".tx-confirm").count(), "no transaction offered").to.equal(0);
    const asked = desk.wallet.requests.slice(before).map((r) => r.method);
    expect(asked, "the wallet was not asked to sign or send anything").to.not.include.members([
      "eth_sendTransaction",
      "personal_sign",
      "eth_signTypedData_v4",
    ]);
    expect(desk.wallet.requests.length, "nor asked anything at all").to.equal(before);
    expect(await balance(corporate)).to.equal(8n);

    await page.getByLabel("Amount (I-TEC)").fill("9");
    await page.getByLabel("Recipient (organisation name or account address)").fill(PARTICIPANT_NAMES.trader);
    await page.getByRole("button", { name: "Check and prepare the transfer" }).click();
    await page.locator(".form-message.error", { hasText: "You hold 8 I-TEC" }).waitFor();
  });

  it("transfer to the trader found by name: shown, signed, mined; the balances change", async () => {
    const { page } = desk;
    await open(page, "/transfer?batch=1");
    await page.getByLabel("Amount (I-TEC)").fill("2");
    await page.getByLabel("Recipient (organisation name or account address)").fill("trader gmbh");
    await page.getByRole("button", { name: "Check and prepare the transfer" }).click();
    const confirm = page.locator(".tx-confirm");
    await confirm.waitFor();
    expect(await confirm.innerText())
      .to.include(`Transfer 2 I-TEC of batch #1 to ${PARTICIPANT_NAMES.trader}`)
      .and.include("safeTransferFrom");
    await page.getByRole("button", { name: "Sign and send in wallet" }).click();
    await page.locator(".tx-status.success", { hasText: "Done: included in block" }).waitFor({ timeout: 30_000 });
    expect(await balance(corporate)).to.equal(6n);
    expect(await balance(trader)).to.equal(2n);
    await indexed(corporate, "6");
    await open(page, "/portfolio");
    expect(await page.locator("tr[data-batch='1']").innerText()).to.include("6 I-TEC");
  });

  it("retire with the keyboard only: claim form → wallet → retirement → its verify page shows the claim", async () => {
    const { page } = desk;
    await open(page, "/portfolio");
    await page.locator("main").focus();
    await tabTo(page, "a[href='#/retire?batch=1']");
    await page.keyboard.press("Enter");
    await screenReady(page, "/retire");
    await tabTo(page, "input[name=amount]");
    await page.keyboard.type("1");
    await tabTo(page, "input[name=onBehalf]");
    await page.keyboard.press("Space");
    await tabTo(page, "input[name=beneficiaryName]");
    await page.keyboard.type("Acme Corporation");
    await tabTo(page, "input[name=year]");
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.type("2026");
    await tabTo(page, "select[name=scope3Category]");
    await page.keyboard.press("ArrowDown"); // category 1, purchased goods and services
    await tabTo(page, "textarea[name=purpose]");
    await page.keyboard.type("FY2026 refurbished servers");
    await tabTo(page, "button[type=submit]");
    await page.keyboard.press("Enter");
    await page.locator(".tx-confirm").waitFor();
    // confirmAndSend focuses its send button: Enter signs and sends
    await page.keyboard.press("Enter");
    const heading = page.locator(".confirm-area h3", { hasText: /^Retirement #\d+$/ });
    await heading.waitFor({ timeout: 30_000 });
    const id = (await heading.innerText()).replace("Retirement #", "");
    expect(await balance(corporate)).to.equal(5n);
    const pdf = await page.locator("a.certificate-link").getAttribute("href");
    expect(pdf).to.equal(`/retirements/${id}/certificate.pdf`);
    const certificate = await h.http.get(pdf!).expect(200);
    expect(certificate.headers["content-type"]).to.match(/application\/pdf/);
    await screenshot(page, "holder-retired-desktop");
    await tabTo(page, "a.verify-link");
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/verify/retirements/${id}`);
    await page.waitForSelector("#verdict");
    const claim = (await page.textContent("#claim"))!;
    expect(claim).to.include("Acme Corporation").and.include("1 I-TEC").and.include("FY2026 refurbished servers");
    expect(claim).to.include("2026-01-01 … 2026-12-31");
    await page.goto(`${h.api.url}/app/#/portfolio`);
    await screenReady(page, "/portfolio");
  });

  it("declining in the wallet (4001) sends nothing, says so, and leaves the balance as it was", async () => {
    const { page, wallet } = desk;
    await open(page, "/retire?batch=1");
    await page.getByLabel("Amount (I-TEC)").fill("2");
    await page.getByRole("button", { name: "Prepare the retirement" }).click();
    await page.locator(".tx-confirm").waitFor();
    const sent = wallet.signingRequests().length;
    wallet.rejectNext("eth_sendTransaction");
    await page.getByRole("button", { name: "Sign and send in wallet" }).click();
    await page.locator(".tx-status.error", { hasText: "You declined it in your wallet: nothing was sent." }).waitFor();
    expect(
      wallet
        .signingRequests()
        .slice(sent)
        .map((r) => r.method),
    ).to.deep.equal(["eth_sendTransaction"]);
    expect(await balance(corporate)).to.equal(5n);
    expect(
      await page.getByRole("button", { name: "Sign and send in wallet" }).isEnabled(),
      "it can be sent again",
    ).to.equal(true);
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.locator(".confirm-area", { hasText: "Cancelled: nothing was sent." }).waitFor();
    expect(await balance(corporate)).to.equal(5n);
  });

  it("retirement history lists the retirement with its claim, status and links", async () => {
    const { page } = desk;
    await open(page, "/retirements");
    const row = page.locator("tr[data-retirement='1']");
    const text = await row.innerText();
    expect(text).to.include("Acme Corporation").and.include("1 I-TEC").and.include("1 purchased goods");
    expect(text).to.include("verified");
    expect(await row.locator("a[href='/verify/retirements/1']").count()).to.equal(1);
    expect(await row.locator("a[href='/retirements/1/certificate.pdf']").count()).to.equal(1);
  });

  it("operator approval: grant then revoke the trader, each as the chain then says", async () => {
    const { page } = desk;
    await open(page, "/approvals");
    const row = page.locator(`tr[data-operator='${trader}']`);
    expect(await row.innerText()).to.match(/\bno\b/);
    await row.getByRole("button", { name: `Grant ${PARTICIPANT_NAMES.trader}` }).click();
    await page.locator(".tx-confirm").waitFor();
    expect(await page.locator(".tx-confirm").innerText()).to.include("setApprovalForAll");
    await page.getByRole("button", { name: "Sign and send in wallet" }).click();
    await page.locator(".chain-says", { hasText: "MAY move" }).waitFor({ timeout: 30_000 });
    expect(await h.deployed.registry.isApprovedForAll(corporate, trader)).to.equal(true);
    await row.getByRole("button", { name: `Revoke ${PARTICIPANT_NAMES.trader}` }).click();
    await page.getByRole("button", { name: "Sign and send in wallet" }).click();
    await page.locator(".chain-says", { hasText: "may NOT move" }).waitFor({ timeout: 30_000 });
    expect(await h.deployed.registry.isApprovedForAll(corporate, trader)).to.equal(false);
    expect(await row.innerText()).to.match(/\bno\b/);
  });

  it("transfer to a suspended participant is refused before the wallet is asked, with the reason", async () => {
    await (await h.deployed.adminRegistry.suspendParticipant(trader, "KYC review")).wait();
    try {
      for (let tries = 0; ; tries++) {
        const p = (await h.http.get(`/participants/${trader}`).expect(200)).body as { status: string };
        if (p.status === "suspended") break;
        if (tries > 100) throw new Error("the API never read the suspension");
        await new Promise((r) => setTimeout(r, 100));
      }
      const { page, wallet } = desk;
      await open(page, "/transfer?batch=1");
      const before = wallet.requests.length;
      await page.getByLabel("Amount (I-TEC)").fill("1");
      await page.getByLabel("Recipient (organisation name or account address)").fill(trader);
      await page.getByRole("button", { name: "Check and prepare the transfer" }).click();
      const alert = page.locator(".form-message.error");
      await alert.waitFor();
      expect(await alert.innerText()).to.include(`${PARTICIPANT_NAMES.trader} (${trader}) is suspended`);
      expect(await page.locator(".tx-confirm").count()).to.equal(0);
      expect(wallet.requests.length, "the wallet was not asked anything").to.equal(before);
    } finally {
      await (await h.deployed.adminRegistry.reinstateParticipant(trader, "cleared")).wait();
    }
  });

  it("Scope 3 report: upload the inventory CSV, see the report, download it", async () => {
    const { page } = desk;
    await open(page, "/report");
    const csv = readFileSync("data/samples/inventory-acme.csv", "utf8");
    // Dropped on the drop zone (a DataTransfer carrying the file, as a drag from the desktop delivers it) …
    await page.evaluate((text) => {
      const g = globalThis as unknown as {
        DataTransfer: new () => { items: { add(f: unknown): void } };
        File: new (parts: string[], name: string, o: { type: string }) => unknown;
        DragEvent: new (type: string, init: Record<string, unknown>) => unknown;
        document: { querySelector(s: string): { dispatchEvent(e: unknown): boolean } };
      };
      const data = new g.DataTransfer();
      data.items.add(new g.File([text], "dropped.csv", { type: "text/csv" }));
      g.document
        .querySelector(".dropzone")
        .dispatchEvent(new g.DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    }, csv);
    await page.locator("main p[role=status]", { hasText: "Chosen: dropped.csv" }).waitFor();
    // … or chosen with the file input.
    await page.getByLabel("Inventory CSV").setInputFiles("data/samples/inventory-acme.csv");
    await page.locator("main p[role=status]", { hasText: "Chosen: inventory-acme.csv" }).waitFor();
    await page.getByLabel("Reporting year").fill("2026");
    await page.getByRole("button", { name: "Make the report" }).click();
    const report = page.locator(".report");
    await report.waitFor({ timeout: 30_000 });
    const text = await report.innerText();
    expect(text)
      .to.match(/Scope 3 IT procurement, 2026/)
      .and.match(/kgCO2e/)
      .and.match(/Total/);
    expect(await axeViolations(page), "the report as shown").to.deep.equal([]);
    const expected = (
      await h.http
        .post(`/reports/scope3?format=json&account=${corporate}&year=2026`)
        .set("content-type", "text/csv")
        .send(csv)
        .expect(200)
    ).body as { current: { totals: { devices: number } } };
    expect(text).to.include(`${expected.current.totals.devices} devices`);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download PDF" }).click(),
    ]);
    expect(download.suggestedFilename()).to.equal("scope3-2026.pdf");
    await screenshot(page, "holder-report-result-desktop");
  });

  for (const [label, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    it(`every holder screen is axe-clean and fits at ${viewport.width} px (${label})`, async () => {
      const app = label === "desktop" ? desk : await signedIn(viewport);
      try {
        for (const path of ["/portfolio", "/transfer", "/retire", "/retirements", "/approvals", "/report"]) {
          await open(app.page, path);
          expect(await app.page.locator("main .error").count(), `${path} shows no error`).to.equal(0);
          expect(await axeViolations(app.page), `${path} at ${label}`).to.deep.equal([]);
          expect(await documentWidth(app.page), `${path} fits at ${label}`).to.be.at.most(viewport.width);
          await screenshot(app.page, `holder${path.replace("/", "-")}-${label}`);
        }
        expect(app.errors).to.deep.equal([]);
      } finally {
        if (app !== desk) await app.context.close();
      }
    });
  }

  it("a portfolio of 1,000 batches renders as 1,000 rows (one request)", async () => {
    // 999 more batches in the real index (ids 1001…1999) held by the corporate (test/helpers/portfolio-seed.ts).
    await seedHeldBatches(h, corporate, 999);
    const { page } = desk;
    await open(page, "/retirements");
    const fetchMs = await page.evaluate(async (url) => {
      const g = globalThis as unknown as {
        performance: { now(): number };
        fetch(u: string): Promise<{ json(): Promise<unknown> }>;
      };
      const start = g.performance.now();
      await (await g.fetch(url)).json();
      return g.performance.now() - start;
    }, `/accounts/${corporate}/portfolio`);
    console.log(`      GET portfolio (1,000 batches): ${fetchMs.toFixed(0)} ms`);
    const ms = await page.evaluate(async () => {
      const g = globalThis as unknown as {
        location: { hash: string };
        document: { querySelectorAll(s: string): { length: number } };
        performance: { now(): number };
      };
      const start = g.performance.now();
      g.location.hash = "#/portfolio";
      while (g.document.querySelectorAll("table.portfolio tbody tr").length < 1000) {
        await new Promise((r) => setTimeout(r, 5));
      }
      return g.performance.now() - start;
    });
    expect(await page.locator("table.portfolio tbody tr").count()).to.equal(1000);
    console.log(`      portfolio of 1,000 batches: request + render ${ms.toFixed(0)} ms`);
  });
});
