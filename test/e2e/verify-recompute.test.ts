/**
 * The public verify page recomputes a batch in the visitor's browser (headless Chromium): "Recompute here" loads
 * /app/verify/recompute.js (the SDK's recomputeBatch with the registry's engine, built by scripts/build/app.ts),
 * fetches the report and the reference data from the registry's origin under the page's CSP, and shows "recomputed
 * here: identical" for an issued batch; a batch whose report the registry serves changed shows the difference.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import type { Browser, Page } from "playwright-core";

import { launchChromium, requireChromium } from "../helpers/browser.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { issueLot } from "../helpers/issue-lot.ts";

describe("Verification page: recompute here (headless Chromium)", function () {
  this.timeout(240_000);
  let h: ApiHarness;
  let browser: Browser;
  let batches: string[];

  before(async function () {
    requireChromium(this);
    h = await startApiHarness();
    batches = await issueLot(h, readFileSync("test/vectors/section9-lot.csv", "utf8"), "hgv:600;van:250");
    await h.api.deps.reads.cache.refresh();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  async function recompute(page: Page, id: string): Promise<string> {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto(`${h.api.url}/verify/batches/${id}`);
    await page.click("#recompute");
    await page.waitForSelector("#recomputed-verdict, #recomputed .error", { timeout: 60_000 });
    expect(errors).to.deep.equal([]);
    return (await page.textContent("#recomputed"))!;
  }

  it('shows "recomputed here: identical" for every batch of the §9 lot, computed in the browser', async function () {
    expect(batches.length).to.be.greaterThan(0);
    for (const id of batches) {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on("request", (r) => requests.push(new URL(r.url()).pathname));
      const text = await recompute(page, id);
      expect(await page.textContent("#recomputed-verdict")).to.equal("recomputed here: identical");
      expect(text).to.include("✓ recomputed report is byte-identical").and.include("✓ device root is the chain's");
      // The calculation ran here: the engine module, the report and the reference data were fetched by the page.
      expect(requests).to.include.members(["/app/verify/recompute.js", "/lots/L1/report", "/reference-data"]);
      await page.close();
    }
  });

  it("shows the difference when the report served is not the one the chain hashed", async function () {
    const page = await browser.newPage();
    await page.route("**/lots/L1/report", async (route) => {
      const res = await route.fetch();
      const text = await res.text();
      await route.fulfill({ response: res, body: text.replace('"reductionKg":"261.023"', '"reductionKg":"261.024"') });
    });
    const server = batches[batches.length - 1]!;
    const text = await recompute(page, server);
    expect(await page.textContent("#recomputed-verdict")).to.match(/^recomputed here: DIFFERENT \(\d+ difference/);
    expect(text).to.include("✗ report hash is the chain's").and.include("batch server · reductionKg: expected 261.023");
    await page.close();
  });
});
