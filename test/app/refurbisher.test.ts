/**
 * The refurbisher's screens in headless Chromium, against the embedded chain and the real API, with the test
 * wallet holding the refurbisher's key and really signing (test/helpers/wallet.ts): the demonstration lot dropped
 * on "Submit a lot" is calculated in the browser (a Web Worker running core/calc) and shows its figures per
 * category; submitted, the registry's oracle records the same report hash and B̄, V̄ and certificates per batch to
 * the gram; on "My lots" the batch is followed live to minting while two auditors sign through the API. A lot whose
 * rows are all unusable shows each row's problems and cannot be submitted; a 10,000-device lot never holds the
 * page's thread; the calculation works under the app's own CSP; a session expired before Submit stores nothing; a
 * corporate account is told the screen is for refurbishers. Desktop and phone width, axe-clean, no console error.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import type { Browser, Page } from "playwright-core";

import { ApiClient } from "../../sdk/src/api-client.ts";
import { kgToGrams } from "../../core/calc/decimal.ts";
import { generateLot } from "../../bench/generate-lot.ts";
import { startApiHarness, untilConfirmed, type ApiHarness } from "../helpers/api.ts";
import {
  DESKTOP,
  ensureAppBuilt,
  newAppPage,
  openScreen,
  PHONE,
  screenReady,
  screenshot,
  type AppPage,
} from "../helpers/app.ts";
import { axeViolations, launchChromium, requireChromium } from "../helpers/browser.ts";
import { signView } from "../helpers/sign.ts";
import { injectTestWallet } from "../helpers/wallet.ts";

/** The API's token secret in this test, so it can make a token of this registry that has expired. */
const SESSION_SECRET = "0e".repeat(32);

const DEMO_LOT = readFileSync("data/samples/demo-lot.csv", "utf8");
const HEADER = DEMO_LOT.split("\n")[0]!;

/** The page's globals the functions run inside Chromium use (the project compiles without the DOM library). */
interface PageGlobals {
  document: {
    documentElement: { scrollWidth: number };
    querySelector(s: string): { dispatchEvent(e: unknown): boolean } | null;
  };
  DataTransfer: new () => { items: { add(f: unknown): void } };
  File: new (parts: string[], name: string, options: { type: string }) => unknown;
  DragEvent: new (type: string, init: { dataTransfer: unknown; bubbles: boolean; cancelable: boolean }) => unknown;
  __sameDocument?: boolean;
}

interface LotAnswer {
  id: string;
  reportHash: string;
  summary: {
    batches: { category: string; certificates: number; baselineKg: string; reductionKg: string; issued: boolean }[];
  };
  batches: { id: string; category: string; state: string; baselineGrams: string; reductionGrams: string }[];
}

/** Drops `csv` as a file named `name` on the upload screen's drop zone, as a person dragging it from their desktop. */
async function dropFile(page: Page, csv: string, name: string): Promise<void> {
  await page.evaluate(
    ({ csv, name }) => {
      const g = globalThis as unknown as PageGlobals;
      const transfer = new g.DataTransfer();
      transfer.items.add(new g.File([csv], name, { type: "text/csv" }));
      const zone = g.document.querySelector("[data-dropzone]")!;
      for (const type of ["dragenter", "dragover", "drop"]) {
        zone.dispatchEvent(new g.DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }
    },
    { csv, name },
  );
}

async function documentWidth(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth);
}

/** The figures the browser shows for `category` (data-value holds the exact decimal shown with its unit). */
async function shownBatch(page: Page, category: string): Promise<string[]> {
  return page
    .locator(`.calc-results tr[data-category="${category}"] td`)
    .evaluateAll((cells) => cells.map((c) => (c as unknown as { dataset: { value?: string } }).dataset.value ?? ""));
}

describe("Web app: refurbisher screens (lot upload with the calculation in the browser, lots followed live)", function () {
  this.timeout(240_000);
  let h: ApiHarness;
  let browser: Browser;
  const open: AppPage[] = [];

  /** A page at `viewport` with the test wallet holding `role`'s key, signed in to the app. */
  async function signedIn(
    role: "refurbisher" | "corporate",
    viewport = DESKTOP,
    { ownCsp = false } = {},
  ): Promise<AppPage> {
    const app = ownCsp ? await pageUnderItsCsp(viewport) : await newAppPage(browser, viewport);
    open.push(app);
    await injectTestWallet(app.context, {
      privateKey: h.deployed.wallet(role).privateKey,
      rpcUrl: h.chain.url,
      chainId: 1337n,
    });
    await openScreen(app.page, h.api.url, "/");
    await app.page.getByRole("button", { name: /Connect I-TEC Test Wallet/ }).click();
    await app.page.getByRole("button", { name: "Sign in with Ethereum" }).click();
    await app.page.getByRole("button", { name: /^Sign out/ }).waitFor();
    return app;
  }

  /** A page that keeps the app's Content-Security-Policy (newAppPage bypasses it so axe-core can be added). */
  async function pageUnderItsCsp(viewport: { width: number; height: number }): Promise<AppPage> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    return { context, page, errors };
  }

  async function go(page: Page, path: string): Promise<void> {
    await page.evaluate((p) => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = `#${p}`;
    }, path);
    await screenReady(page, path);
  }

  before(async function () {
    requireChromium(this);
    await ensureAppBuilt();
    h = await startApiHarness({ env: { ITEC_SESSION_SECRET: SESSION_SECRET } });
    browser = await launchChromium();
  });
  after(async () => {
    for (const app of open) await app.context.close().catch(() => {});
    await browser?.close();
    await h?.close();
  });

  let desktop: AppPage;
  let lot: LotAnswer;

  it("calculates the dropped demonstration lot in the browser: figures per category, excluded rows (desktop, axe-clean)", async () => {
    desktop = await signedIn("refurbisher");
    const { page, errors } = desktop;
    const scripts: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/app/assets/") && r.url().endsWith(".js")) scripts.push(new URL(r.url()).pathname);
    });
    expect(await page.locator("#nav").innerText())
      .to.include("Submit a lot")
      .and.include("My lots");
    await page.getByRole("link", { name: "Submit a lot" }).click();
    await screenReady(page, "/lots/new");
    expect(await page.getByRole("button", { name: "Submit the lot" }).isDisabled()).to.equal(true);
    // The calculation engine is the worker's chunk: not part of the page's initial JavaScript, fetched only here.
    const manifest = JSON.parse(readFileSync("app/dist/.vite/manifest.json", "utf8")) as Record<
      string,
      { file: string; imports?: string[]; isWorker?: boolean }
    >;
    const worker = Object.values(manifest).find((m) => m.isWorker)!.file;
    const entry = manifest["index.html"]!;
    expect([entry.file, ...(entry.imports ?? []).map((i) => manifest[i]!.file)]).to.not.include(worker);
    expect(scripts.filter((s) => s.endsWith(worker))).to.deep.equal([]);
    await dropFile(page, DEMO_LOT, "demo-lot.csv");
    await page.locator(".calc-results tr[data-category]").first().waitFor();
    const categories = await page
      .locator(".calc-results tr[data-category]")
      .evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { category: string } }).dataset.category));
    expect(categories).to.deep.equal(["laptop", "desktop", "monitor", "smartphone", "tablet", "server"]);
    const results = await page.locator(".calc-results").innerText();
    expect(results)
      .to.match(/kgCO2e/)
      .and.match(/43 in the file, 35 eligible/);
    // Every excluded row of the sample (docs/methodology.md §9.3) with its reason, the bad date with its problem.
    const reasons = await page
      .locator(".exclusions tr[data-reason]")
      .evaluateAll((rows) =>
        rows
          .map((r) => (r as unknown as { dataset: { row: string; reason: string } }).dataset)
          .map((d) => `${d.row} ${d.reason}`),
      );
    expect(reasons).to.deep.equal([
      "36 NO_ERASURE_CERTIFICATE",
      "37 SERIAL_DUPLICATE",
      "38 SERIAL_DUPLICATE",
      "39 TOO_OLD",
      "40 MAINBOARD_REPLACED",
      "41 CATEGORY_UNKNOWN",
      "42 BAD_INPUT",
      "43 SECOND_LIFE_TOO_SHORT",
    ]);
    expect(await page.locator('.exclusions tr[data-reason="BAD_INPUT"]').innerText()).to.include("2025-13-01");
    expect(await page.getByRole("button", { name: "Submit the lot" }).isEnabled()).to.equal(true);
    expect(scripts.filter((s) => s.endsWith(worker))).to.have.length(1);
    expect(await axeViolations(page)).to.deep.equal([]);
    expect(await documentWidth(page)).to.be.at.most(DESKTOP.width);
    await screenshot(page, "refurbisher-upload-desktop");
    expect(errors).to.deep.equal([]);
  });

  it("submits the lot by keyboard: the registry's oracle has the browser's report hash, B̄, V̄ and certificates to the gram", async () => {
    const { page, errors } = desktop;
    const shownHash = await page.locator("[data-report-hash]").getAttribute("data-report-hash");
    const shown = new Map<string, string[]>();
    for (const c of ["laptop", "desktop", "monitor", "smartphone", "tablet", "server"])
      shown.set(c, await shownBatch(page, c));
    // By keyboard: the button is a real button.
    await page.getByRole("button", { name: "Submit the lot" }).focus();
    await page.keyboard.press("Enter");
    await page.locator("[data-verdict]").waitFor();

    const lots = (await h.http.get("/lots/L1").expect(200)).body as LotAnswer;
    lot = lots;
    expect(shownHash).to.equal(lot.reportHash);
    for (const b of lot.summary.batches) {
      // columns: category, devices, eligible, excluded, B̄ kg, V̄ kg, certificates, issued
      const [, , , , baselineKg, reductionKg, certificates, issued] = shown.get(b.category)!;
      expect([baselineKg, reductionKg, Number(certificates), issued === "yes"], b.category).to.deep.equal([
        b.baselineKg,
        b.reductionKg,
        b.certificates,
        b.issued,
      ]);
      const job = lot.batches.find((j) => j.category === b.category)!;
      expect(
        [kgToGrams(baselineKg!).toString(), kgToGrams(reductionKg!).toString()],
        `${b.category} grams`,
      ).to.deep.equal([job.baselineGrams, job.reductionGrams]);
    }
    expect(await page.locator("[data-verdict]").getAttribute("data-verdict")).to.equal("identical");
    expect(await page.getByRole("button", { name: "Submit the lot" }).isDisabled(), "submitted once").to.equal(true);
    expect(await page.locator("#submit-why").innerText()).to.include(`submitted as ${lot.id}`);
    expect(await page.locator(".comparison tr[data-same='false']").count()).to.equal(0);
    expect(await page.locator(".comparison").innerText()).to.include(`Lot ${lot.id} submitted`);
    expect(await axeViolations(page)).to.deep.equal([]);
    await screenshot(page, "refurbisher-submitted-desktop");
    expect(errors).to.deep.equal([]);
  });

  it("follows the batches on My lots to minting without a reload while two auditors sign", async () => {
    const { page, errors } = desktop;
    await page.getByRole("link", { name: "My lots", exact: true }).click();
    await screenReady(page, "/lots");
    await page.evaluate(() => {
      (globalThis as unknown as PageGlobals).__sameDocument = true;
    });
    const issued = lot.batches.filter((b) => b.state === "awaiting_signatures").map((b) => b.id);
    expect(issued.length).to.be.greaterThan(0);
    const first = page.locator(`tr[data-batch="${issued[0]}"]`);
    expect(await first.locator("[data-state]").getAttribute("data-state")).to.equal("awaiting_signatures");
    expect(await first.innerText()).to.match(/0 signed · \d required/);
    expect(await axeViolations(page)).to.deep.equal([]);
    await screenshot(page, "refurbisher-lots-awaiting-desktop");
    // Leaving the screen stops the following: no request for the lots while another screen is shown.
    const polls: string[] = [];
    const onRequest = (r: { url(): string }) => {
      if (/\/(lots|batches)\b/.test(new URL(r.url()).pathname)) polls.push(r.url());
    };
    page.on("request", onRequest);
    await go(page, "/");
    await page.waitForTimeout(2_500);
    page.off("request", onRequest);
    expect(polls).to.deep.equal([]);
    await go(page, "/lots");

    const client = new ApiClient(h.api.url);
    for (const auditor of ["auditor1", "auditor2"] as const) {
      const signer = h.deployed.wallet(auditor).connect(h.chain.provider);
      for (const id of issued) {
        const view = await client.get<Parameters<typeof signView>[1]>(`/batches/${id}/attestation`);
        await client.post(`/batches/${id}/signatures`, {
          auditor: signer.address,
          signature: await signView(signer, view),
        });
      }
    }
    await untilConfirmed(h, issued);
    for (const id of issued) {
      await page.locator(`tr[data-batch="${id}"] [data-state="confirmed"]`).waitFor({ timeout: 30_000 });
    }
    const minted = await page.locator(`tr[data-batch="${issued[0]}"]`).innerText();
    expect(minted).to.match(/Minted as batch #\d+/);
    const href = await page.locator(`tr[data-batch="${issued[0]}"] a[href^="/verify/batches/"]`).getAttribute("href");
    expect(href).to.match(/^\/verify\/batches\/\d+$/);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__sameDocument)).to.equal(true);
    // Not-issued batches say why, and nothing is followed any more.
    expect(await page.locator("main").innerText()).to.not.include("following live");
    expect(await axeViolations(page)).to.deep.equal([]);
    await screenshot(page, "refurbisher-lots-minted-desktop");
    expect(errors).to.deep.equal([]);
  });

  it("phone width: a lot with row problems chosen with the file input shows them per row; nothing eligible cannot be submitted", async () => {
    const { page, errors } = await signedIn("refurbisher", PHONE);
    await go(page, "/lots/new");
    const bad = [
      HEADER,
      "SN-A,Dell,Latitude 5410,laptop,2022-03,2025-13-01,36,,1.8,hgv:600;van:250,TR-1,EC-1",
      "SN-B,Dell,Latitude 5410,laptop,2022-03,2025-11-15,36,,abc,,TR-2,EC-2",
      ",Dell,Latitude 5410,laptop,2022-03,2025-11-15,36,,1.8,hgv:600;van:250,TR-3,EC-3",
      "SN-D,Dell,Latitude 5410,laptop,2022-03,2025-11-15,36,mainboard,1.8,hgv:600;van:250,TR-4,",
    ].join("\n");
    expect((await h.http.get("/lots/L2")).status, "no second lot yet").to.equal(404);
    await page.setInputFiles('input[type="file"]', {
      name: "bad-lot.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(bad),
    });
    await page.locator(".exclusions tr[data-reason]").first().waitFor();
    const rows = await page.locator(".exclusions tr[data-reason]").allInnerTexts();
    expect(rows).to.have.length(4);
    expect(rows[0]).to.include("BAD_INPUT").and.include("refurbished_date (column 6)").and.include("2025-13-01");
    expect(rows[1]).to.include("BAD_INPUT").and.include("ship_mass_kg (column 9)").and.include("transport (column 10)");
    expect(rows[2]).to.include("SERIAL_MISSING");
    expect(rows[3]).to.include("NO_ERASURE_CERTIFICATE");
    const submit = page.getByRole("button", { name: "Submit the lot" });
    expect(await submit.isDisabled()).to.equal(true);
    expect(await page.locator("#submit-why").innerText()).to.match(/Nothing in this lot is eligible/);
    expect(await axeViolations(page)).to.deep.equal([]);
    expect(await documentWidth(page)).to.be.at.most(PHONE.width);
    await screenshot(page, "refurbisher-upload-problems-phone");

    // A file that is not a lot at all: said as a sentence, nothing to submit.
    await page.setInputFiles('input[type="file"]', {
      name: "notes.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("a,b\n1,2\n"),
    });
    await page.locator(".status.error").waitFor();
    expect(await page.locator(".status.error").innerText())
      .to.match(/BAD_HEADER/)
      .and.match(/choose it again/);
    expect(await submit.isDisabled()).to.equal(true);
    expect((await h.http.get("/lots/L2")).status).to.equal(404, "nothing was submitted");

    await go(page, "/lots");
    await page.locator(`tr[data-batch]`).first().waitFor();
    expect(await axeViolations(page)).to.deep.equal([]);
    expect(await documentWidth(page)).to.be.at.most(PHONE.width);
    await screenshot(page, "refurbisher-lots-phone");
    expect(errors).to.deep.equal([]);
  });

  it("calculates a 10,000-device lot without freezing the page; 500 excluded rows are listed and the rest counted", async () => {
    const { page, errors } = desktop;
    const dir = mkdtempSync(join(tmpdir(), "itec-app-lot-"));
    const path = join(dir, "big-lot.csv");
    await generateLot(10_000, path);
    // The first 600 rows lose their erasure certificate id: more excluded rows than the table shows.
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    for (let i = 1; i <= 600; i++) lines[i] = lines[i]!.replace(/,[^,]*$/, ",");
    writeFileSync(path, `${lines.join("\n")}\n`);
    await go(page, "/");
    await go(page, "/lots/new");
    // The generated lot's rows mostly take the lot's default transport, as bench:calc gives it.
    await page.getByLabel("Default transport").fill("hgv:600;van:250");
    // A timer in the page records the longest pause of the page's thread while the worker calculates.
    await page.evaluate(() => {
      const g = globalThis as unknown as { __longestPause: number; __ticker: unknown };
      let last = performance.now();
      g.__longestPause = 0;
      g.__ticker = setInterval(() => {
        const now = performance.now();
        g.__longestPause = Math.max(g.__longestPause, now - last);
        last = now;
      }, 20);
    });
    await page.setInputFiles('input[type="file"]', path);
    await page.locator(".status").filter({ hasText: "Calculating big-lot.csv" }).waitFor();
    await page.locator(".status").filter({ hasText: "devices calculated" }).waitFor({ timeout: 120_000 });
    const longestWhileCalculating = await page.evaluate(() => {
      const g = globalThis as unknown as { __longestPause: number; __ticker: ReturnType<typeof setInterval> };
      clearInterval(g.__ticker);
      return g.__longestPause;
    });
    expect(await page.locator(".status").innerText()).to.match(/10,000 devices calculated in your browser/);
    expect(await page.locator(".exclusions tr[data-reason]").count()).to.equal(500);
    const more = Number(await page.locator("[data-more-rows]").getAttribute("data-more-rows"));
    expect(more).to.be.greaterThan(100);
    // Rendering the results takes the page's thread for a moment; the calculation itself never does.
    const calculatedMs = Number(
      /calculated in ([\d,]+) ms/.exec(await page.locator("dl.facts").innerText())![1]!.replace(/,/g, ""),
    );
    expect(longestWhileCalculating, "longest pause of the page's thread (ms)").to.be.below(
      Math.min(2_000, calculatedMs),
    );
    expect(errors).to.deep.equal([]);
  });

  it("a session that expired before Submit: nothing is stored, the page signs out and says to sign in again", async () => {
    const { page, errors } = desktop;
    await go(page, "/");
    await go(page, "/lots/new");
    await page.getByLabel("Your lot reference").fill("expiry-check");
    await page.setInputFiles('input[type="file"]', "data/samples/demo-lot.csv");
    await page.locator(".status").filter({ hasText: "devices calculated" }).waitFor();
    // The page's token, as the API sees it on this request, expired a minute ago (the API answers 401 TOKEN_EXPIRED).
    const address = h.deployed.wallet("refurbisher").address;
    const payload = Buffer.from(JSON.stringify({ sub: address, exp: Math.floor(Date.now() / 1000) - 60 })).toString(
      "base64url",
    );
    const expired = `${payload}.${createHmac("sha256", SESSION_SECRET).update(payload).digest("base64url")}`;
    await page.route(/\/lots\?/, (route) =>
      route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${expired}` } }),
    );
    await page.getByRole("button", { name: "Submit the lot" }).click();
    await page.getByText("Sign in with your wallet first.").waitFor();
    expect(await page.locator("#notice").innerText()).to.match(/Your session has expired: sign in again/);
    const { lots } = (
      await h.http
        .get("/lots")
        .set("authorization", `Bearer ${await h.signIn(h.deployed.wallet("refurbisher"))}`)
        .expect(200)
    ).body as { lots: { lotRef: string }[] };
    expect(lots.map((l) => l.lotRef)).to.not.include("expiry-check");
    await page.unroute(/\/lots\?/);
    // The 401 of the request is the browser's own console line; the app logged nothing.
    expect(errors.filter((e) => !/401/.test(e))).to.deep.equal([]);
  });

  it("calculates under the app's own Content-Security-Policy (the worker may compile the calculation's WebAssembly)", async () => {
    const { page, errors } = await signedIn("refurbisher", DESKTOP, { ownCsp: true });
    await go(page, "/lots/new");
    await page.setInputFiles('input[type="file"]', "data/samples/demo-lot.csv");
    await page.locator(".calc-results tr[data-category], .status.error").first().waitFor();
    expect(await page.locator(".status").innerText()).to.match(/43 devices calculated in your browser, 35 eligible/);
    expect(await page.locator("[data-report-hash]").getAttribute("data-report-hash")).to.equal(lot.reportHash);
    expect(errors).to.deep.equal([]);
  });

  it("a corporate account opening Submit a lot is told it is for refurbishers (and has no such link)", async () => {
    const { page, errors } = await signedIn("corporate");
    expect(await page.locator("#nav").innerText()).to.not.include("Submit a lot");
    await go(page, "/lots/new");
    const text = await page.locator("main").innerText();
    expect(text).to.include("This screen is for an active refurbisher or ITAD; this account is a corporate");
    expect(await page.locator('input[type="file"]').count()).to.equal(0);
    expect(await axeViolations(page)).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
  });
});
