/**
 * The API reference at /docs in real headless Chromium (Debian's chromium driven by playwright-core): Swagger UI
 * renders every operation of /openapi.json from this origin only (no request leaves loopback, no CSP violation),
 * "Try it out" runs a GET against the running registry, signed in through "Authorize" with a SIWE session token,
 * and axe-core finds no WCAG 2.1 A/AA violation. A screenshot is saved to test/output/docs-page.png.
 */
import { mkdirSync, readFileSync } from "node:fs";

import { expect } from "chai";
import type { Browser, Page } from "playwright-core";

import { launchChromium, requireChromium } from "../helpers/browser.ts";

import { startApiHarness, type ApiHarness } from "../helpers/api.ts";

describe("API reference page (headless Chromium)", function () {
  this.timeout(180_000);
  let h: ApiHarness;
  let browser: Browser;
  let operations: number;

  before(async function () {
    requireChromium(this);
    mkdirSync("test/output", { recursive: true });
    h = await startApiHarness();
    const doc = (await h.http.get("/openapi.json").expect(200)).body as { paths: Record<string, object> };
    operations = Object.values(doc.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  /** A page on /docs that records every request leaving loopback, every page error and every CSP report. */
  async function openDocs(): Promise<{ page: Page; outside: string[]; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    const outside: string[] = [];
    const errors: string[] = [];
    page.on("request", (r) => {
      const url = new URL(r.url());
      if (url.protocol !== "data:" && url.hostname !== "127.0.0.1") outside.push(r.url());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto(`${h.api.url}/docs`);
    await page.waitForSelector(".opblock");
    return { page, outside, errors };
  }

  it("renders every operation of the document, with its examples and problem codes, from this origin only", async function () {
    const { page, outside, errors } = await openDocs();
    expect(await page.textContent(".info .title")).to.include("I-TEC Registry API");
    expect(await page.locator(".opblock").count()).to.be.greaterThanOrEqual(operations);
    await page.click("#operations-verify-verifyRetirement .opblock-summary");
    const op = page.locator("#operations-verify-verifyRetirement");
    await op.locator(".responses-table").first().waitFor();
    const text = await op.innerText();
    expect(text).to.include("Nothing in this answer comes from the registry's own database"); // example answer
    expect(text).to.include("NOT_FOUND").and.include("RATE_LIMITED").and.include("CHAIN_UNAVAILABLE");
    await page.screenshot({ path: "test/output/docs-page.png" });
    expect(outside).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it("tries a GET against the registry, signed in with a session token from POST /auth/siwe", async function () {
    const { page, outside, errors } = await openDocs();
    const token = await h.signIn(h.deployed.wallet("corporate"));
    await page.click(".auth-wrapper .authorize");
    await page.fill(".auth-container input[type=text]", token);
    await page.click(".auth-btn-wrapper .modal-btn.authorize");
    await page.click(".auth-btn-wrapper .btn-done");
    const op = page.locator("#operations-auth-whoAmI");
    await op.locator(".opblock-summary").click();
    await op.locator(".try-out__btn").click();
    await op.locator(".execute").click();
    const status = op.locator(".live-responses-table .response .response-col_status").first();
    await status.waitFor();
    expect((await status.innerText()).trim()).to.equal("200");
    const body = await op.locator(".live-responses-table .response-col_description pre").first().innerText();
    expect(JSON.parse(body)).to.deep.include({ account: h.deployed.wallet("corporate").address, kind: "corporate" });
    expect(outside).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it("has no accessibility violations (axe-core, WCAG 2.1 A/AA): the operations, and one opened", async function () {
    // axe runs inside the page; the page's own CSP forbids injected scripts, so this context bypasses CSP
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 1600 } });
    const page = await context.newPage();
    await page.goto(`${h.api.url}/docs`);
    await page.waitForSelector(".opblock");
    await page.addScriptTag({ content: readFileSync("node_modules/axe-core/axe.min.js", "utf8") });
    const audit = (disabled: string[]) =>
      page.evaluate(async (disabled) => {
        const { axe } = globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: unknown[] }> } };
        const result = await axe.run({
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
          rules: Object.fromEntries(disabled.map((id) => [id, { enabled: false }])),
        });
        return (result.violations as { id: string; impact: string; nodes: { target: string[] }[] }[]).map(
          (v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
        );
      }, disabled);
    expect(await audit([]), "the operations").to.deep.equal([]);
    await page.click("#operations-verify-verifyRetirement .opblock-summary");
    await page.locator("#operations-verify-verifyRetirement .responses-table").first().waitFor();
    // Swagger UI's own markup, not fixable by styles: its example pickers have no label (select-name) and its code
    // samples scroll without being focusable (scrollable-region-focusable).
    expect(await audit(["select-name", "scrollable-region-focusable"]), "an opened operation").to.deep.equal([]);
    await context.close();
  });
});
