/**
 * The registry admin's screens in headless Chromium, with the test wallet (test/helpers/wallet.ts) really signing
 * with the admin's key (Hardhat account #0, the harness's deployer): admit a fresh account → mined → listed; an
 * invalid address refused before the wallet is asked; declining in the wallet (4001) leaves the list and the chain
 * unchanged; suspend the corporate with a reason → the corporate, in its own browser with its own key, is told it
 * is suspended → reinstate; a corporate opening the admin screens is told they are for the registry admin; the
 * auditor threshold; an auditing body registered, an auditor accredited and revoked; a batch suspended and
 * reinstated, another reversed once its number is typed, a challenge settled; every admin screen axe-clean and no
 * wider than 1280 and 390 px; and the verify page's link into the app.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { keccak256, toUtf8Bytes, Wallet } from "ethers";
import type { Browser, Page } from "playwright-core";

import { devAccount } from "../../core/keys.ts";
import { attestationDomain, ATTESTATION_TYPES, sortSignatures, type Attestation } from "../../sdk/src/attestation.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { DESKTOP, ensureAppBuilt, newAppPage, openScreen, PHONE, screenReady, screenshot } from "../helpers/app.ts";
import { axeViolations, launchChromium, requireChromium } from "../helpers/browser.ts";
import { ACCOUNTS, PARTICIPANT_NAMES } from "../helpers/chain.ts";
import { injectTestWallet, type TestWallet } from "../helpers/wallet.ts";

interface Signed {
  page: Page;
  errors: string[];
  wallet: TestWallet;
  close(): Promise<void>;
  /** JSON-RPC methods the page asked its wallet for, in order (reads included). */
  requests(): string[];
}

/** The document's width (nothing may be wider than the viewport). */
function documentWidth(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement
        .scrollWidth,
  );
}

/** A device tree of six leaves, for a batch of five certificates: leaf 5 is a fraud proof (challengeTreeSize). */
const overfull = StandardMerkleTree.of(
  Array.from({ length: 6 }, (_, i) => [i, keccak256(toUtf8Bytes(`admin-test-device-${i}`))]),
  ["uint256", "bytes32"],
);

describe("Web app: the registry admin's screens (Chromium, a wallet that really signs)", function () {
  this.timeout(240_000);
  let h: ApiHarness;
  let browser: Browser;
  let admin: Signed;

  /** A browser context at `viewport` signed in as `role` with the test wallet, through the app's own screens. */
  async function signedIn(role: "admin" | "corporate", viewport = DESKTOP): Promise<Signed> {
    const { page, context, errors } = await newAppPage(browser, viewport);
    const wallet = await injectTestWallet(context, {
      privateKey: devAccount(ACCOUNTS[role]).privateKey,
      rpcUrl: h.chain.url,
      chainId: 1337n,
    });
    await openScreen(page, h.api.url, "/");
    await page.getByRole("button", { name: "Connect I-TEC Test Wallet" }).click();
    await page.getByRole("button", { name: "Sign in with Ethereum" }).click();
    await page.getByRole("button", { name: /^Sign out/ }).waitFor();
    return { page, errors, wallet, close: () => context.close(), requests: () => wallet.requests.map((r) => r.method) };
  }

  /** The rows of the table captioned `caption`, each as its cells' text. */
  async function rows(page: Page, caption: string): Promise<string[][]> {
    const table = page.locator("table", { has: page.locator("caption", { hasText: caption }) });
    return table
      .locator("tbody tr")
      .evaluateAll((trs) =>
        trs.map((tr) =>
          [
            ...(tr as unknown as { querySelectorAll(s: string): Iterable<{ textContent: string }> }).querySelectorAll(
              "td",
            ),
          ].map((td) => td.textContent.trim()),
        ),
      );
  }

  /** Opens the screen at `path`, reloading it when it is already open (so it reads the registry afresh). */
  async function go(page: Page, path: string): Promise<void> {
    if (new URL(page.url()).hash === `#${path}`) {
      await page.reload();
    } else {
      await page.evaluate((p) => {
        (globalThis as unknown as { location: { hash: string } }).location.hash = `#${p}`;
      }, path);
    }
    await screenReady(page, path);
  }

  /** Clicks the transaction panel's send button and waits for the success notice. */
  async function signAndWait(page: Page, notice: RegExp): Promise<void> {
    const panel = page.locator(".tx-confirm");
    await panel.waitFor();
    await panel.getByRole("button", { name: "Sign and send in wallet" }).click();
    await page.locator("#notice .notice.success", { hasText: notice }).waitFor({ timeout: 30_000 });
  }

  /** Issues a server batch to the refurbisher directly (the oracle's key is the issuer; auditor1 signs). */
  async function issueBatch(tag: string, deviceRoot = keccak256(toUtf8Bytes(`admin-test-root-${tag}`))): Promise<void> {
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
      reportHash: keccak256(toUtf8Bytes(`admin-test-report-${tag}`)),
      referenceDataHash: keccak256(toUtf8Bytes("reference-data")),
      deviceRoot,
      sampleHash: `0x${"00".repeat(32)}`,
      evidenceURI: `https://registry.example/lots/${tag}/report`,
      deadline: now + 86_400n,
    };
    const auditor = h.deployed.wallet("auditor1");
    const signature = await auditor.signTypedData(
      attestationDomain(h.chain.chainId, h.deployed.address),
      ATTESTATION_TYPES,
      attestation,
    );
    const issuer = h.deployed.registry.connect(h.deployed.wallet("oracle").connect(h.chain.provider));
    await (await issuer.issue(attestation, sortSignatures([{ auditor: auditor.address, signature }]))).wait();
  }

  before(async function () {
    requireChromium(this);
    await ensureAppBuilt();
    h = await startApiHarness();
    await issueBatch("a"); // batch #1
    await issueBatch("b"); // batch #2
    await issueBatch("c", overfull.root); // batch #3: its tree holds a sixth device for five certificates
    browser = await launchChromium();
    admin = await signedIn("admin");
  });
  after(async () => {
    await admin?.close();
    await browser?.close();
    await h?.close();
  });

  it("admits a fresh account: the transaction is shown, signed, mined, and the account is listed", async () => {
    const { page } = admin;
    await go(page, "/admin/participants");
    const fresh = Wallet.createRandom().address;
    const form = page.getByRole("form", { name: "Admit a participant" });
    await form.getByLabel("Account").fill(fresh);
    await form.getByLabel("Kind").selectOption("trader");
    await form.getByLabel("Organisation name").fill("Fresh Trading BV");
    await form.getByRole("button", { name: "Review the admission" }).click();
    const panel = page.locator(".tx-confirm");
    await panel.waitFor();
    const shown = await panel.innerText();
    expect(shown).to.match(/admitParticipant\(/);
    expect(shown).to.include(fresh);
    expect(shown).to.include("Fresh Trading BV");
    await screenshot(page, "admin-admit-transaction-desktop");
    await signAndWait(page, /Fresh Trading BV/);
    const listed = await rows(page, "Admitted participants");
    const row = listed.find((r) => r[0] === "Fresh Trading BV");
    expect(row, "the admitted account is listed").to.not.equal(undefined);
    expect(row![1]).to.equal("trader");
    expect(row![2]).to.equal("active");
    const chain = await h.deployed.registry.participant(fresh);
    expect(chain.status).to.equal(1n, "active on the chain");
    expect(admin.requests()).to.include("eth_sendTransaction");
  });

  it("refuses an invalid address before the wallet is asked", async () => {
    const { page } = admin;
    await go(page, "/admin/participants");
    const before = admin.requests().length;
    const form = page.getByRole("form", { name: "Admit a participant" });
    for (const [bad, why] of [
      ["0x1234", /not an account address/],
      ["0x976ea74026e726554db657fa54763abd0c3a0aA9", /checksum/],
    ] as const) {
      await form.getByLabel("Account").fill(bad);
      await form.getByLabel("Organisation name").fill("Typo Ltd");
      await form.getByRole("button", { name: "Review the admission" }).click();
      expect(await form.locator(".status.error").innerText()).to.match(why);
      expect(await page.locator(".tx-confirm").count(), "no transaction shown").to.equal(0);
    }
    expect(
      await page.evaluate(
        () => (globalThis as unknown as { document: { activeElement: { name?: string } } }).document.activeElement.name,
      ),
    ).to.equal("account", "the focus is on the field to correct");
    expect(admin.requests().slice(before)).to.not.include("eth_sendTransaction");
  });

  it("declining in the wallet (4001) sends nothing, says so, and leaves the list unchanged", async () => {
    const { page, wallet } = admin;
    await go(page, "/admin/participants");
    const listed = await rows(page, "Admitted participants");
    const fresh = Wallet.createRandom().address;
    const form = page.getByRole("form", { name: "Admit a participant" });
    await form.getByLabel("Account").fill(fresh);
    await form.getByLabel("Organisation name").fill("Declined Ltd");
    await form.getByRole("button", { name: "Review the admission" }).click();
    const panel = page.locator(".tx-confirm");
    await panel.waitFor();
    wallet.rejectNext("eth_sendTransaction");
    await panel.getByRole("button", { name: "Sign and send in wallet" }).click();
    await panel.locator(".tx-status.error").waitFor();
    expect(await panel.locator(".tx-status").innerText()).to.match(/You declined it in your wallet: nothing was sent/);
    expect(await panel.getByRole("button", { name: "Sign and send in wallet" }).isEnabled()).to.equal(true);
    await panel.getByRole("button", { name: "Cancel" }).click();
    expect(await page.locator("main").innerText()).to.match(/Cancelled: nothing was sent/);
    expect(await rows(page, "Admitted participants")).to.deep.equal(listed);
    expect((await h.deployed.registry.participant(fresh)).status).to.equal(0n, "not admitted on the chain");
    expect(admin.errors).to.deep.equal([]);
  });

  it("suspends the corporate with a reason; the corporate is told it is suspended; then reinstates it", async () => {
    const { page } = admin;
    await go(page, "/admin/participants");
    const name = PARTICIPANT_NAMES.corporate;
    await page.getByRole("button", { name: `Suspend ${name}` }).click();
    await page.getByLabel("Reason").fill("erasure certificates under review");
    await page.getByRole("button", { name: "Review the suspension" }).click();
    expect(await page.locator(".tx-confirm").innerText()).to.match(/suspendParticipant\(.*erasure certificates/s);
    await signAndWait(page, new RegExp(`${name} is suspended`));
    const row = (await rows(page, "Admitted participants")).find((r) => r[0] === name);
    expect(row![2]).to.equal("suspended");
    await screenshot(page, "admin-participants-desktop");

    const corporate = await signedIn("corporate");
    try {
      const text = await corporate.page.locator("main").innerText();
      expect(text).to.match(/suspended by the registry operator/);
      await go(corporate.page, "/admin/participants");
      expect(await corporate.page.locator("main").innerText()).to.match(/suspended by the registry operator/);
      expect(corporate.errors).to.deep.equal([]);
    } finally {
      await corporate.close();
    }

    await page.getByRole("button", { name: `Reinstate ${name}` }).click();
    await page.getByLabel("Reason").fill("review closed");
    await page.getByRole("button", { name: "Review the reinstatement" }).click();
    await signAndWait(page, new RegExp(`${name} is reinstated`));
    const again = (await rows(page, "Admitted participants")).find((r) => r[0] === name);
    expect(again![2]).to.equal("active");
  });

  it("tells a corporate that the admin screens are for the registry admin", async () => {
    const corporate = await signedIn("corporate");
    try {
      for (const path of ["/admin/participants", "/admin/auditors", "/admin/batches"]) {
        await go(corporate.page, path);
        expect(await corporate.page.locator("main").innerText()).to.match(/This screen is for the registry admin/);
      }
      const nav = await corporate.page.locator("#nav").innerText();
      expect(nav).to.not.match(/Participants|Auditors|Batches/);
      expect(corporate.errors).to.deep.equal([]);
    } finally {
      await corporate.close();
    }
  });

  it("sets the auditor threshold, refusing one no issuance could meet before the wallet is asked", async () => {
    const { page } = admin;
    await go(page, "/admin/auditors");
    expect(await page.locator("main").innerText()).to.match(/signatures of 1 distinct auditing body/);
    const before = admin.requests().length;
    const form = page.getByRole("form", { name: "Set the signature threshold" });
    await form.getByLabel("Auditing bodies that must sign").fill("3");
    await form.getByRole("button", { name: "Review the threshold" }).click();
    expect(await form.locator(".status.error").innerText()).to.match(/Only 2 auditing bodies have an accredited/);
    expect(admin.requests().slice(before)).to.not.include("eth_sendTransaction");
    await form.getByLabel("Auditing bodies that must sign").fill("2");
    await form.getByRole("button", { name: "Review the threshold" }).click();
    expect(await page.locator(".tx-confirm").innerText()).to.match(/setAuditorThreshold\(threshold: 2\)/);
    await signAndWait(page, /signatures of 2 auditing bodies/);
    expect(await h.deployed.registry.auditorThreshold()).to.equal(2n);
    // The screen reloads right after the block: GET /auditors must answer the new threshold then, not the value its
    // per-block cache held before the head poller moved (CI saw "1" here before the API read the head first).
    expect(await page.locator("main").innerText()).to.match(/signatures of 2 distinct auditing bodies/);
  });

  it("registers an auditing body, accredits an auditor for it, then revokes the accreditation", async () => {
    const { page } = admin;
    await go(page, "/admin/auditors");
    const register = page.getByRole("form", { name: "Register an auditing body" });
    await register.getByLabel("Name of the auditing body").fill("Audit Body C");
    await register.getByRole("button", { name: "Review the registration" }).click();
    expect(await page.locator(".tx-confirm").innerText()).to.match(/registerAuditorBody\(name: Audit Body C\)/);
    await signAndWait(page, /“Audit Body C” is registered/);
    expect((await rows(page, "Auditing bodies")).find((r) => r[0] === "#3")!.slice(1, 3)).to.deep.equal([
      "Audit Body C",
      "0 auditors",
    ]);

    const auditor3 = h.deployed.wallet("auditor3").address;
    const accredit = page.getByRole("form", { name: "Accredit an auditor" });
    await accredit.getByLabel("Auditor's signing address").fill(h.deployed.wallet("admin").address);
    await accredit.getByLabel("Auditing body").selectOption("3");
    await accredit.getByLabel("laptop").check();
    await accredit.getByLabel("server").check();
    await accredit.getByRole("button", { name: "Review the accreditation" }).click();
    expect(await accredit.locator(".status.error").innerText()).to.match(/the admin's own address/);
    await accredit.getByLabel("Auditor's signing address").fill(auditor3);
    await accredit.getByRole("button", { name: "Review the accreditation" }).click();
    expect(await page.locator(".tx-confirm").innerText()).to.match(/setAccreditation\(auditor: 0x15d34AAf/);
    await signAndWait(page, /is accredited from/);
    const listed = (await rows(page, "Accredited auditors")).find((r) => r[1] === "#3 Audit Body C");
    expect(listed, "the new auditor is listed with its body").to.not.equal(undefined);
    expect(listed![2]).to.equal("laptop, server");
    expect(listed![4]).to.equal("accredited");

    await page.getByRole("button", { name: /^Revoke the accreditation of 0x15d3/ }).click();
    await page.getByLabel("Reason").fill("left the auditing body");
    await page.getByRole("button", { name: "Review the revocation" }).click();
    expect(await page.locator(".tx-confirm").innerText()).to.match(/revokeAccreditation\(auditor: 0x15d34AAf/);
    await signAndWait(page, /is revoked/);
    expect((await rows(page, "Accredited auditors")).some((r) => r[1] === "#3 Audit Body C")).to.equal(false);
    expect((await h.deployed.registry.accreditation(auditor3)).bodyId).to.equal(0n);
  });

  it("suspends and reinstates a batch with a reason", async () => {
    const { page } = admin;
    await go(page, "/admin/batches");
    expect(await page.getAttribute("table a[href='/verify/batches/1']", "href")).to.equal("/verify/batches/1");
    await page.getByRole("button", { name: "Suspend batch 1", exact: true }).click();
    await page.getByLabel("Reason").fill("report under investigation");
    await page.getByRole("button", { name: "Review the suspension" }).click();
    expect(await page.locator(".tx-confirm").innerText()).to.match(/suspendBatch\(batchId: 1, reason: report under/);
    await signAndWait(page, /Batch #1 is suspended/);
    const row = (await rows(page, "Issued batches")).find((r) => r[0] === "#1");
    expect(row![6]).to.equal("suspended (by the admin)");
    await page.getByRole("button", { name: "Reinstate batch 1", exact: true }).click();
    await page.getByLabel("Reason").fill("investigation closed");
    await page.getByRole("button", { name: "Review the reinstatement" }).click();
    await signAndWait(page, /Batch #1 is reinstated/);
    expect((await rows(page, "Issued batches")).find((r) => r[0] === "#1")![6]).to.equal("active");
  });

  it("reverses a batch only once its number is typed to confirm", async () => {
    const { page } = admin;
    await go(page, "/admin/batches");
    await page.getByRole("button", { name: "Reverse batch 2", exact: true }).click();
    const form = page.getByRole("form", { name: "Reverse batch #2" });
    expect(await page.locator(".danger-zone").innerText()).to.match(/A reversal is final/);
    await form.getByLabel("Reason").fill("devices counted twice");
    const before = admin.requests().length;
    for (const typed of ["", "1"]) {
      await form.getByLabel(/Type the batch number, 2, to confirm/).fill(typed);
      await form.getByRole("button", { name: "Review the reversal" }).click();
      expect(await form.locator(".status.error").innerText()).to.match(/Type 2 in the confirmation field/);
      expect(await page.locator(".tx-confirm").count()).to.equal(0);
    }
    expect(admin.requests().slice(before)).to.not.include("eth_sendTransaction");
    await form.getByLabel(/Type the batch number/).fill("2");
    await form.getByRole("button", { name: "Review the reversal" }).click();
    expect(await page.locator(".tx-confirm").innerText()).to.match(/reverseBatch\(batchId: 2, reason: devices counted/);
    await signAndWait(page, /Batch #2 is reversed/);
    const row = (await rows(page, "Issued batches")).find((r) => r[0] === "#2");
    expect(row![6]).to.equal("reversed (final)");
    expect(row![7], "no action on a reversed batch").to.equal("—");
    expect((await h.deployed.registry.batch(2n)).status).to.equal(2n);
  });

  it("settles a challenge: the batch found at fault stays suspended by the admin", async () => {
    const trader = h.deployed.wallet("trader").connect(h.chain.provider);
    const [index, deviceId] = overfull.at(5)! as [number, string];
    const proof = { root: overfull.root, index, deviceId, proof: overfull.getProof(5) };
    await (await h.deployed.registry.connect(trader).challengeTreeSize(proof)).wait();
    // The listing comes from the event index: wait until it has read the challenge.
    for (let i = 0; ; i++) {
      const { batches } = (await h.http.get("/batches?limit=10").expect(200)).body as {
        batches: { batchId: string; hold: { openChallenges: number } }[];
      };
      if (batches.find((b) => b.batchId === "3")?.hold.openChallenges === 1) break;
      if (i > 100) throw new Error("the index did not read the challenge");
      await new Promise((r) => setTimeout(r, 100));
    }
    const { page } = admin;
    await go(page, "/admin/batches");
    expect((await rows(page, "Issued batches")).find((r) => r[0] === "#3")![6]).to.equal(
      "suspended (1 open challenge)",
    );
    const challenge = (await rows(page, "Fraud-proof challenges")).find((r) => r[0] === "#1");
    expect(challenge!.slice(1, 3)).to.deep.equal(["a device beyond the batch's certificates", "#3"]);
    await page.getByRole("button", { name: "Settle challenge 1" }).click();
    const form = page.getByRole("form", { name: "Settle challenge #1" });
    await form.getByLabel("Reason").fill("the tree holds six devices for five certificates");
    await form.getByRole("button", { name: "Review the settlement" }).click();
    expect(await form.locator(".status.error").innerText()).to.match(/Choose which batch is at fault/);
    await form.getByLabel("Decision").selectOption("3");
    await form.getByRole("button", { name: "Review the settlement" }).click();
    expect(await page.locator(".tx-confirm").innerText()).to.match(
      /settleChallenge\(challengeId: 1, faultyBatchId: 3,/,
    );
    await signAndWait(page, /Challenge #1 is settled/);
    expect((await rows(page, "Fraud-proof challenges")).find((r) => r[0] === "#1")!.slice(4)).to.deep.equal([
      "settled",
      "batch #3 at fault",
    ]);
    expect((await rows(page, "Issued batches")).find((r) => r[0] === "#3")![6]).to.equal("suspended (by the admin)");
  });

  for (const [label, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    it(`every admin screen is axe-clean and fits at ${label} width`, async () => {
      const s = label === "desktop" ? admin : await signedIn("admin", viewport);
      try {
        for (const path of ["/admin/participants", "/admin/auditors", "/admin/batches"]) {
          await go(s.page, path);
          // A row's form open too: its fields are part of the screen.
          const first = s.page.locator("tbody .row-actions button").first();
          if ((await first.count()) > 0) await first.click();
          expect(await axeViolations(s.page), `${path} at ${label}`).to.deep.equal([]);
          expect(await documentWidth(s.page), `${path} fits`).to.be.at.most(viewport.width);
          await screenshot(s.page, `admin-${path.split("/")[2]}-${label}`);
        }
        expect(s.errors).to.deep.equal([]);
      } finally {
        if (s !== admin) await s.close();
      }
    });
  }

  it("the verify page links to the registry app", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${h.api.url}/verify`);
      const link = page.getByRole("link", { name: "Open the registry app" });
      expect(await link.getAttribute("href")).to.equal("/app/");
      await link.click();
      await page.waitForURL(/\/app\/$/);
    } finally {
      await page.close();
    }
  });
});
