/**
 * The public verification page in real headless Chromium (Debian's chromium driven by playwright-core): open a
 * retirement's shareable URL, see the claim, batch, proof and checks fetched from the API; use the form; see an
 * error for an unknown id. A screenshot is saved to test/output/verify-page.png.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";

import { expect } from "chai";
import { chromium, type Browser } from "playwright-core";

import { ApiClient, type UnsignedTx } from "../../scripts/lib/api-client.ts";
import { startApiHarness, untilConfirmed, type ApiHarness } from "../helpers/api.ts";
import { signView } from "../helpers/sign.ts";

const CHROMIUM = process.env.ITEC_CHROMIUM ?? "/usr/bin/chromium";

describe("Verification page (headless Chromium)", function () {
  this.timeout(180_000);
  let h: ApiHarness;
  let browser: Browser;
  let txHash: string;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI === "true") throw new Error(`${CHROMIUM} is missing: .ci/run must install Debian's chromium`);
      this.skip();
    }
    mkdirSync("test/output", { recursive: true });
    h = await startApiHarness();
    const w = (role: Parameters<typeof h.deployed.wallet>[0]) => h.deployed.wallet(role).connect(h.chain.provider);
    const refurbisher = new ApiClient(h.api.url);
    await refurbisher.signIn(w("refurbisher"));
    const lot = await refurbisher.post<{ id: string }>(
      "/lots?defaultTransport=hgv:600;van:250",
      readFileSync("test/vectors/section9-lot.csv", "utf8"),
      {
        "content-type": "text/csv",
      },
    );
    const id = `${lot.id}-server`;
    const view = await refurbisher.get<Parameters<typeof signView>[1]>(`/batches/${id}/attestation`);
    await refurbisher.post(`/batches/${id}/signatures`, {
      auditor: w("auditor1").address,
      signature: await signView(w("auditor1"), view),
    });
    await untilConfirmed(h, [id]);
    txHash = await refurbisher.signAndRelay(
      w("refurbisher"),
      await refurbisher.post<UnsignedTx>("/tx/retire", {
        batchId: "1",
        amount: "1",
        beneficiaryName: "Acme Corporation",
        periodStart: "2026-01-01",
        periodEnd: "2026-12-31",
        scope3Category: 2,
        purpose: "FY2026 server procurement",
      }),
    );
    await h.api.deps.reads.cache.refresh();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it("shows a retirement from its shareable URL, with claim, batch, on-chain proof and checks", async function () {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1600 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${h.api.url}/verify/retirements/1`);
    await page.waitForSelector("#verdict");
    expect(await page.textContent("#verdict h2")).to.equal("Retirement #1 verified on-chain");
    const claim = (await page.textContent("#claim"))!;
    expect(claim)
      .to.include("Acme Corporation")
      .and.include("1 I-TEC")
      .and.include("261.023 kgCO2e")
      .and.include("2026-01-01 … 2026-12-31");
    const batch = (await page.textContent("#batch"))!;
    expect(batch)
      .to.include("Batch #1 — server")
      .and.include("984.960 kgCO2e per device")
      .and.include("ITEC-CALC 1.0 / ITEC-PARAMS-1");
    expect(await page.getAttribute("#batch a", "href")).to.match(/\/lots\/L1\/report$/);
    const proof = (await page.textContent("#proof"))!;
    expect(proof).to.include(txHash).and.include(h.deployed.address).and.include("1337");
    expect(await page.locator(".checks li.pass").count()).to.equal(6);
    await page.screenshot({ path: "test/output/verify-page.png", fullPage: true });
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it("looks up an id through the form, gives it a shareable URL, and reports an unknown id", async function () {
    const page = await browser.newPage();
    await page.goto(`${h.api.url}/verify`);
    await page.fill("#id", "1");
    await page.click("button[type=submit]");
    await page.waitForSelector("#verdict");
    expect(new URL(page.url()).pathname).to.equal("/verify/retirements/1");
    await page.selectOption("#kind", "batches");
    await page.fill("#id", "1");
    await page.click("button[type=submit]");
    await page.waitForSelector("#batch h2");
    expect(await page.textContent("#batch h2")).to.equal("Batch #1 — server");
    await page.goto(`${h.api.url}/verify/retirements/99`);
    // A locator, not a string predicate: the page's CSP (script-src 'self') forbids the eval a string would need.
    await page.locator("#status", { hasText: "no retirement #99" }).waitFor();
    expect(await page.getAttribute("#status", "class")).to.equal("error");
    await page.close();
  });
});
