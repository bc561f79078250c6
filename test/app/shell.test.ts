/**
 * The web app's frame in headless Chromium: served by the API under /app/ (page uncached, assets immutable, a
 * missing asset a problem+json 404, an unbuilt app a 503 APP_NOT_BUILT saying how to build it); without any wallet
 * it says so and how to get one, on desktop and at phone width, with no axe-core violation and no console error;
 * an unknown screen says so.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import type { Browser } from "playwright-core";

import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { DESKTOP, ensureAppBuilt, newAppPage, openScreen, PHONE, screenshot } from "../helpers/app.ts";
import { axeViolations, launchChromium, requireChromium } from "../helpers/browser.ts";

describe("Web app: the frame (served by the API, in Chromium)", function () {
  this.timeout(180_000);
  let h: ApiHarness;
  let browser: Browser | undefined;

  before(async function () {
    await ensureAppBuilt();
    h = await startApiHarness();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it("serves the page uncached and its assets immutable under /app/", async () => {
    await h.http.get("/app").expect(301).expect("location", "/app/");
    const page = await h.http
      .get("/app/")
      .expect(200)
      .expect("content-type", /text\/html/);
    expect(page.headers["cache-control"]).to.equal("no-cache");
    expect(page.headers["content-security-policy"]).to.match(/script-src 'self'/);
    const script = /src="(\/app\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(script, "the page names its bundle").to.be.a("string");
    const asset = await h.http
      .get(script!)
      .expect(200)
      .expect("content-type", /javascript/);
    expect(asset.headers["cache-control"]).to.match(/max-age=31536000, immutable/);
    const missing = await h.http
      .get("/app/assets/none.js")
      .expect(404)
      .expect("content-type", /problem\+json/);
    expect(missing.body.code).to.equal("NOT_FOUND");
  });

  it("says how to build the app where it is not built (503 APP_NOT_BUILT)", async () => {
    const empty = await startApiHarness({ appDir: mkdtempSync(join(tmpdir(), "itec-noapp-")) });
    try {
      const res = await empty.http
        .get("/app/")
        .expect(503)
        .expect("content-type", /problem\+json/);
      expect(res.body.code).to.equal("APP_NOT_BUILT");
      expect(res.body.detail).to.match(/npm run build/);
    } finally {
      await empty.close();
    }
  });

  for (const [label, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    it(`without a wallet, says so and how to get one (${label}, axe-clean)`, async function () {
      requireChromium(this);
      browser ??= await launchChromium();
      const { page, context, errors } = await newAppPage(browser, viewport);
      try {
        await openScreen(page, h.api.url, "/");
        const text = await page.locator("main").innerText();
        expect(text).to.match(/No browser wallet was found/);
        expect(text).to.match(/Hardhat's well-known test keys/, "a dev registry says how to get a test account");
        expect(await page.title()).to.match(/I-TEC Registry/);
        expect(await axeViolations(page)).to.deep.equal([]);
        const width = await page.evaluate(
          () =>
            (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
              .documentElement.scrollWidth,
        );
        expect(width, "nothing wider than the viewport").to.be.at.most(viewport.width);
        await screenshot(page, `connect-${label}`);
        expect(errors).to.deep.equal([]);
      } finally {
        await context.close();
      }
    });
  }

  it("an unknown screen says there is none", async function () {
    requireChromium(this);
    browser ??= await launchChromium();
    const { page, context } = await newAppPage(browser);
    try {
      await page.goto(`${h.api.url}/app/#/no-such-screen`);
      await page.waitForSelector('main[data-ready="true"], main h2');
      expect(await page.locator("main").innerText()).to.match(/There is no screen at \/no-such-screen/);
    } finally {
      await context.close();
    }
  });
});
