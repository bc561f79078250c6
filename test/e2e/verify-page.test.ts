/**
 * The public verification page in real headless Chromium (Debian's chromium driven by playwright-core): open a
 * retirement's shareable URL, see the claim, batch, proof and checks fetched from the API, organisations and auditing
 * bodies named; use the form; see an error for an unknown id; no axe-core (WCAG 2.1 A/AA) violation on the page, the
 * form and the HTML certificate. Then the batch is reversed: on a phone the claim reads REVERSED with who owes the
 * replacement (axe-checked, screenshot test/output/verify-page-reversed-390.png), and once replaced from another
 * batch it reads replaced. Screenshots are saved to test/output/.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { promisify } from "node:util";

import { expect } from "chai";
import type { Browser, Page } from "playwright-core";

import { axeViolations, launchChromium, requireChromium } from "../helpers/browser.ts";

import { keccak256, toUtf8Bytes } from "ethers";

import { attestationDomain, ATTESTATION_TYPES, sortSignatures, type Attestation } from "../../sdk/src/attestation.ts";
import { ApiClient, type UnsignedTx } from "../../sdk/src/api-client.ts";
import { startApiHarness, untilConfirmed, type ApiHarness } from "../helpers/api.ts";
import { AUDITOR_BODIES, PARTICIPANT_NAMES } from "../helpers/chain.ts";
import { signView } from "../helpers/sign.ts";

/**
 * The few DOM types the code run inside Chromium uses: the project compiles without the DOM library, so the
 * functions passed to page.evaluate take the page's globals from `globalThis` under these names.
 */
interface DomElement {
  readonly tagName: string;
  readonly id: string;
  readonly className: string;
  readonly clientWidth: number;
  readonly scrollWidth: number;
  readonly innerText: string;
  textContent: string | null;
  readonly style: { cssText: string };
  getBoundingClientRect(): { right: number; width: number; height: number };
  querySelectorAll(selector: string): Iterable<DomElement>;
  append(child: DomElement): void;
  remove(): void;
}
interface DomWindow {
  document: {
    documentElement: DomElement;
    querySelectorAll(selector: string): Iterable<DomElement>;
    createElement(tag: string): DomElement;
  };
  getComputedStyle(e: DomElement): { paddingLeft: string; paddingRight: string; lineHeight: string };
}

/** The document's width, and every element whose content is wider than its box (none, when nothing overflows). */
function overflows(page: Page): Promise<{ documentWidth: number; overflowing: string[] }> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as DomWindow;
    return {
      documentWidth: document.documentElement.scrollWidth,
      overflowing: [...document.querySelectorAll("body *")]
        .filter((e) => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
        .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}: ${e.scrollWidth} > ${e.clientWidth}`),
    };
  });
}

describe("Verification page (headless Chromium)", function () {
  this.timeout(180_000);
  let h: ApiHarness;
  let browser: Browser;
  let txHash: string;

  before(async function () {
    requireChromium(this);
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
    // The audit sample (ADR 0055): drawn once the block after the submission exists, its one device's evidence
    // recorded as seen by the auditor, whose signature then covers the record's hash.
    await h.chain.provider.send("evm_mine", []);
    await h.api.oracle.oracle.tick();
    const auditor = new ApiClient(h.api.url);
    await auditor.signIn(w("auditor1"));
    const sample = await auditor.get<{ devices: { deviceId: string }[] }>(`/reviews/${id}/sample`);
    await auditor.post(`/reviews/${id}/sample`, {
      outcomes: sample.devices.map((d) => ({ deviceId: d.deviceId, outcome: "seen" })),
    });
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
    browser = await launchChromium();
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
    expect(await page.textContent("#summary")).to.equal(
      "Retirement #1 is verified: 1 I-TEC (server) retired for Acme Corporation from batch #1.",
    );
    const claim = (await page.textContent("#claim"))!;
    const refurbisher = h.deployed.wallet("refurbisher").address;
    expect(claim)
      .to.include("Acme Corporation")
      .and.include(`${PARTICIPANT_NAMES.refurbisher} ${refurbisher}`)
      .and.include("1 I-TEC")
      .and.include("261.023 kgCO2e")
      .and.include("2026-01-01 … 2026-12-31");
    expect(await page.textContent("#claim-status")).to.equal("VERIFIED rests on batch #1, where it was retired.");
    const batch = (await page.textContent("#batch"))!;
    expect(batch)
      .to.include("Batch #1 — server")
      .and.include("ACTIVE the batch is active")
      .and.include(`${AUDITOR_BODIES[0]} ${h.deployed.wallet("auditor1").address}`)
      .and.include(`${PARTICIPANT_NAMES.refurbisher} ${refurbisher}`)
      .and.include("984.960 kgCO2e per device")
      .and.include("ITEC-CALC 1.0 / ITEC-PARAMS-1");
    expect(await page.getAttribute("#batch a[href*='/lots/']", "href")).to.match(/\/lots\/L1\/report$/);
    await page.waitForFunction('document.getElementById("audit-sample")?.textContent !== "checking…"');
    expect(await page.textContent("#audit-sample")).to.match(
      /^sample of 1 device, seed 0x[0-9a-f]{64}, all evidence seen \(replayed here: identical\)$/,
    );
    const proof = (await page.textContent("#proof"))!;
    expect(proof).to.include(txHash).and.include(h.deployed.address).and.include("1337");
    expect(await page.locator(".checks li.pass").count()).to.equal(7);
    await page.screenshot({ path: "test/output/verify-page.png", fullPage: true });
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it("fits a 390-px-wide phone screen: nothing overflows, long hex wraps inside its card", async function () {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${h.api.url}/verify/retirements/1`);
    await page.waitForSelector("#verdict");
    expect(await overflows(page)).to.deep.equal({ documentWidth: 390, overflowing: [] });
    // The registry address (the one that ran off the status card) stays inside its card, wherever it appears.
    for (const card of ["#verdict", "#proof"]) {
      const box = (await page.locator(card).boundingBox())!;
      const inside = await page.evaluate(
        ({ card, right }) =>
          [
            ...(globalThis as unknown as DomWindow).document.querySelectorAll(`${card} code, ${card} p, ${card} li`),
          ].every((e) => e.getBoundingClientRect().right <= right + 0.5),
        { card, right: box.x + box.width },
      );
      expect(inside, card).to.equal(true);
    }
    expect(await page.textContent("#verdict")).to.include(h.deployed.address.slice(0, 20));
    await page.screenshot({ path: "test/output/verify-page-390.png", fullPage: true });
    await page.close();
  });

  it("has no accessibility violations (axe-core, WCAG 2.1 A/AA): verify page, lookup form and HTML certificate", async function () {
    // axe runs inside the page; the page's own CSP forbids injected scripts, so this context bypasses CSP
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
    for (const [path, ready] of [
      ["/verify/retirements/1", "#verdict"],
      ["/verify/batches/1", "#batch"],
      ["/verify", "form"],
      ["/retirements/1/certificate.html", "body"],
    ] as const) {
      const page = await context.newPage();
      await page.goto(`${h.api.url}${path}`);
      await page.waitForSelector(ready);
      expect(await axeViolations(page), path).to.deep.equal([]);
      await page.close();
    }
    await context.close();
  });

  it("links the retirement's certificate, PDF and HTML, which answer with their content types", async function () {
    const page = await browser.newPage();
    await page.goto(`${h.api.url}/verify/retirements/1`);
    await page.waitForSelector("#verdict");
    const pdfHref = await page.getAttribute("#verdict a#certificate-pdf", "href");
    const htmlHref = await page.getAttribute("#verdict a#certificate-html", "href");
    expect([pdfHref, htmlHref]).to.deep.equal(["/retirements/1/certificate.pdf", "/retirements/1/certificate.html"]);
    const pdf = await page.request.get(new URL(pdfHref!, page.url()).href);
    expect(pdf.status()).to.equal(200);
    expect(pdf.headers()["content-type"]).to.equal("application/pdf");
    expect((await pdf.body()).subarray(0, 5).toString("latin1")).to.equal("%PDF-");
    await page.click("#certificate-html");
    await page.waitForSelector("h1");
    expect(new URL(page.url()).pathname).to.equal("/retirements/1/certificate.html");
    expect(await page.textContent("h1")).to.equal("I-TEC Retirement Certificate #1");
    const html = await page.request.get(page.url());
    expect(html.status()).to.equal(200);
    expect(html.headers()["content-type"]).to.equal("text/html; charset=utf-8");
    await page.close();
  });

  it("has a favicon: /favicon.ico and the page's icon link answer 200 with an icon", async function () {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on("response", (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${h.api.url}/verify/retirements/1`);
    await page.waitForSelector("#verdict");
    const ico = await page.request.get(`${h.api.url}/favicon.ico`);
    expect(ico.status()).to.equal(200);
    expect(ico.headers()["content-type"]).to.match(/^image\/(x-icon|vnd\.microsoft\.icon)$/);
    expect((await ico.body()).subarray(0, 4).toString("hex")).to.equal("00000100"); // ICO header: type 1, icon
    const links = await page.evaluate(() =>
      [...(globalThis as unknown as DomWindow).document.querySelectorAll("link[rel=icon]")].map(
        (e) => (e as DomElement & { href: string }).href,
      ),
    );
    expect(links).to.include(`${h.api.url}/favicon.ico`);
    for (const href of links) {
      const r = await page.request.get(href);
      expect(r.status(), href).to.equal(200);
      expect(r.headers()["content-type"], href).to.match(/^image\//);
    }
    expect(failed).to.deep.equal([]);
    await page.close();
  });

  it("shows the HTML certificate without overflow on a phone and on A4, no command wrapped inside a token", async function () {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${h.api.url}/retirements/1/certificate.html`);
    const cast = `cast call ${h.deployed.address} "retirement(uint256)(address,uint40,uint8,uint32,uint16,address,uint32,uint32,uint32,bytes32)" 1 --rpc-url ${h.chain.url}`;
    // 390 px on screen; then the width of an A4 page's text (210 mm less 2 × 10 mm margins, 718 px) in print.
    for (const [name, width, media] of [
      ["390", 390, "screen"],
      ["a4", 718, "print"],
    ] as const) {
      await page.setViewportSize({ width, height: 1000 });
      await page.emulateMedia({ media });
      expect(await overflows(page), name).to.deep.equal({ documentWidth: width, overflowing: [] });
      const commands = await page.evaluate(() => {
        const w = globalThis as unknown as DomWindow;
        return [...w.document.querySelectorAll("code.cmd")].map((cmd) => {
          const style = w.getComputedStyle(cmd);
          // No token ever spans lines: one wider than a whole line is printed smaller until it fits.
          const broken = [...cmd.querySelectorAll(".t")].filter(
            (t) => t.getBoundingClientRect().height > parseFloat(style.lineHeight) * 1.5,
          );
          return { text: cmd.innerText.replace(/\s+/g, " ").trim(), broken: broken.map((t) => t.textContent) };
        });
      });
      expect(
        commands.map((c) => c.broken),
        name,
      ).to.deep.equal([[], [], []]);
      expect(commands[0]!.text, name).to.equal(cast);
      expect(commands[1]!.text, name).to.match(
        /^cast call 0x[0-9a-fA-F]{40} "claimStatus\(uint256\)\(uint8,uint256\)" 1 /,
      );
      expect(commands[2]!.text, name).to.match(/^curl -s /);
      await page.screenshot({ path: `test/output/certificate-${name}.png`, fullPage: true });
    }
    // The curl command as the page shows it runs, and answers what the chain answers.
    const curl = (await page.locator("code.cmd").nth(2).innerText()).replace(/\s+/g, " ").trim();
    if (existsSync("/usr/bin/curl")) {
      const { stdout } = await promisify(execFile)("sh", ["-c", curl]);
      const answer = JSON.parse(stdout) as { result: string };
      const data = h.deployed.registry.interface.encodeFunctionData("retirement", [1n]);
      expect(answer.result).to.equal(await h.chain.provider.call({ to: h.deployed.address, data }));
    }
    await page.emulateMedia({ media: "print" });
    await page.pdf({
      path: "test/output/certificate-print.pdf",
      format: "A4",
      margin: { top: "10mm", bottom: "10mm", left: "10mm", right: "10mm" },
    });
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

  describe("a reversed claim, then its replacement", function () {
    before(async function () {
      await (
        await h.deployed.adminRegistry.reverseBatch(1n, "devices counted twice", "https://registry.example/f/7")
      ).wait();
      await h.api.deps.reads.cache.refresh();
    });

    it("on a phone: reads REVERSED, names who owes the replacement and why, without overflow or axe violations", async function () {
      const context = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${h.api.url}/verify/retirements/1`);
      await page.waitForSelector("#verdict");
      expect(await page.textContent("#verdict h2")).to.equal("Retirement #1 REVERSED — not valid until replaced");
      expect(await page.getAttribute("#verdict", "class")).to.equal("card verdict bad reversed");
      const refurbisher = h.deployed.wallet("refurbisher").address;
      expect(await page.textContent("#summary")).to.equal(
        "Retirement #1 is REVERSED: 1 I-TEC (server) retired for Acme Corporation, but batch #1 was found wrong and " +
          "reversed, so the claim is not valid until it is replaced — the replacement is owed by " +
          `${PARTICIPANT_NAMES.refurbisher} (${refurbisher}).`,
      );
      expect(await page.textContent("#claim-status")).to.equal(
        "REVERSED not valid until replaced: batch #1 was found wrong and reversed. Replacement owed by " +
          `${PARTICIPANT_NAMES.refurbisher} ${refurbisher}.`,
      );
      expect(await page.textContent("#batch-status")).to.match(
        /^REVERSED the batch was found wrong and reversed by the registry admin: \d+ outstanding certificate\(s\) cancelled, the claims on 1 retired certificate\(s\) reversed until replaced/,
      );
      expect(await page.textContent("#batch"))
        .to.include("Reversal reason")
        .and.include("devices counted twice");
      expect(await page.locator(".checks li.fail").count()).to.equal(2);
      expect(await page.textContent("#verdict")).not.to.include("verified on-chain");
      expect(await overflows(page)).to.deep.equal({ documentWidth: 390, overflowing: [] });
      await page.screenshot({ path: "test/output/verify-page-reversed-390.png", fullPage: true });
      expect(await axeViolations(page), "reversed claim").to.deep.equal([]);
      await page.goto(`${h.api.url}/verify/batches/1`);
      await page.waitForSelector("#batch");
      expect(await axeViolations(page), "reversed batch").to.deep.equal([]);
      expect(errors).to.deep.equal([]);
      await context.close();
    });

    it("once replaced from another batch: reads verified (replaced), resting on it, originally on the reversed one", async function () {
      // A second server batch for the refurbisher, issued directly (the oracle's key is the issuer).
      const now = BigInt((await h.chain.provider.getBlock("latest"))!.timestamp);
      const attestation: Attestation = {
        owner: h.deployed.wallet("refurbisher").address,
        category: 6,
        certificates: 5n,
        baselineGrams: 1_246_000n,
        reductionGrams: 261_023n,
        vintageStart: now - 30n * 86_400n,
        vintageEnd: now - 3600n,
        methodology: "ITEC-CALC 1.0",
        parameters: "ITEC-PARAMS-1",
        reportHash: keccak256(toUtf8Bytes("verify-page-replacement-report")),
        referenceDataHash: keccak256(toUtf8Bytes("reference-data")),
        deviceRoot: keccak256(toUtf8Bytes("verify-page-replacement-root")),
        sampleHash: `0x${"00".repeat(32)}`,
        evidenceURI: "https://registry.example/lots/replacement/report",
        deadline: now + 86_400n,
      };
      const auditor = h.deployed.wallet("auditor1");
      const signature = await auditor.signTypedData(
        attestationDomain(h.chain.chainId, h.deployed.address),
        ATTESTATION_TYPES,
        attestation,
      );
      const registry = h.deployed.registry;
      const issuer = registry.connect(h.deployed.wallet("oracle").connect(h.chain.provider));
      await (await issuer.issue(attestation, sortSignatures([{ auditor: auditor.address, signature }]))).wait();
      const holder = h.deployed.wallet("refurbisher").connect(h.chain.provider);
      await (await registry.connect(holder).replaceRetirement(1n, holder.address, 2n)).wait();
      await h.api.deps.reads.cache.refresh();

      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      await page.goto(`${h.api.url}/verify/retirements/1`);
      await page.waitForSelector("#verdict");
      expect(await page.textContent("#verdict h2")).to.equal("Retirement #1 verified on-chain (replaced)");
      const status = (await page.textContent("#claim-status"))!;
      expect(status).to.match(/^REPLACED now rests on batch #2; originally batch #1, which was reversed\./);
      expect(status).to.include(`Replaced from batch #2 by ${PARTICIPANT_NAMES.refurbisher}`);
      expect(await page.getAttribute("#claim-status a", "href")).to.equal("/verify/batches/2");
      expect(await page.textContent("#batch h2")).to.equal("Batch #2 — server");
      expect(await overflows(page)).to.deep.equal({ documentWidth: 390, overflowing: [] });
      await page.screenshot({ path: "test/output/verify-page-replaced-390.png", fullPage: true });
      await page.close();
    });
  });
});
