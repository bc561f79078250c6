/**
 * Connecting to the web app with a wallet, in headless Chromium against a real API and chain, with the test wallet
 * (test/helpers/wallet.ts) really signing: EIP-6963 discovery, connect, Sign-In with Ethereum and the roles read
 * from the chain; the user declining the connection or the sign-in (nothing half-done, said so); the wallet on
 * another chain (banner; switch, or add then switch when the wallet does not know the chain); the wallet switching
 * account (the previous account's session is dropped); an expired session (the API's 401 TOKEN_EXPIRED signs the
 * page out and says so); a wallet that only sets window.ethereum; and the built-in dev wallet of a development
 * registry (no extension needed), each screen axe-clean.
 */
import { createHmac } from "node:crypto";

import { expect } from "chai";
import type { Browser, Page } from "playwright-core";

import { devAccount } from "../../core/keys.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { ensureAppBuilt, newAppPage, openScreen, PHONE, screenshot, type AppPage } from "../helpers/app.ts";
import { axeViolations, launchChromium, requireChromium } from "../helpers/browser.ts";
import { ACCOUNTS, PARTICIPANT_NAMES } from "../helpers/chain.ts";
import { injectTestWallet, type TestWallet, type TestWalletOptions } from "../helpers/wallet.ts";

const SECRET = "0f".repeat(32);

const main = (page: Page) => page.locator("main").innerText();
const notice = (page: Page) => page.locator("#notice").innerText();

describe("Web app: wallets and sign-in (Chromium, test wallet)", function () {
  this.timeout(240_000);
  let h: ApiHarness;
  let browser: Browser;
  const open: AppPage[] = [];

  before(async function () {
    requireChromium(this);
    await ensureAppBuilt();
    h = await startApiHarness({ env: { ITEC_SESSION_SECRET: SECRET } });
    browser = await launchChromium();
  });
  after(async () => {
    for (const p of open) await p.context.close();
    await browser?.close();
    await h?.close();
  });

  async function withWallet(
    key: number,
    options: Partial<TestWalletOptions> = {},
    viewport?: { width: number; height: number },
  ): Promise<AppPage & { wallet: TestWallet }> {
    const app = await newAppPage(browser, viewport);
    open.push(app);
    const wallet = await injectTestWallet(app.context, {
      privateKey: devAccount(key).privateKey,
      rpcUrl: h.chain.url,
      chainId: 1337n,
      ...options,
    });
    return { ...app, wallet };
  }

  async function connectAndSignIn(page: Page, walletName = "I-TEC Test Wallet"): Promise<void> {
    await page.getByRole("button", { name: `Connect ${walletName}` }).click();
    await page.getByRole("button", { name: "Sign in with Ethereum" }).click();
    await page.getByRole("button", { name: /^Sign out/ }).waitFor();
  }

  it("connects by EIP-6963, signs in with SIWE and shows the account's roles from the chain (axe-clean)", async () => {
    const { page, wallet, errors } = await withWallet(ACCOUNTS.corporate);
    await openScreen(page, h.api.url, "/");
    expect(await main(page)).to.match(/Connect I-TEC Test Wallet/);
    await connectAndSignIn(page);
    const text = await main(page);
    expect(text).to.contain(PARTICIPANT_NAMES.corporate);
    expect(text).to.match(/corporate/);
    expect(text).to.match(/hold, transfer and retire certificates/);
    expect(wallet.signingRequests().map((r) => r.method)).to.deep.equal(["personal_sign"]);
    const message = String((wallet.signingRequests()[0]!.params as string[])[0]);
    expect(Buffer.from(message.slice(2), "hex").toString("utf8")).to.match(
      /wants you to sign in with your Ethereum account/,
    );
    expect(await axeViolations(page)).to.deep.equal([]);
    await screenshot(page, "account-desktop");
    // A reload resumes the session without asking the wallet again.
    const asked = wallet.requests.length;
    await page.reload();
    await page.getByRole("button", { name: /^Sign out/ }).waitFor();
    expect(wallet.requests.slice(asked).map((r) => r.method)).to.not.include("personal_sign");
    expect(errors).to.deep.equal([]);
  });

  it("declining the connection or the sign-in in the wallet leaves nothing half-done and says so", async () => {
    const { page, wallet } = await withWallet(ACCOUNTS.corporate);
    await openScreen(page, h.api.url, "/");
    wallet.rejectNext("eth_requestAccounts");
    await page.getByRole("button", { name: "Connect I-TEC Test Wallet" }).click();
    await page.getByText("You declined it in your wallet").waitFor();
    expect(await page.getByRole("button", { name: "Connect I-TEC Test Wallet" }).isEnabled()).to.equal(true);
    expect([...wallet.connectedOrigins]).to.deep.equal([]);

    await page.getByRole("button", { name: "Connect I-TEC Test Wallet" }).click();
    wallet.rejectNext("personal_sign");
    await page.getByRole("button", { name: "Sign in with Ethereum" }).click();
    await page.getByText("You declined it in your wallet: nothing was signed or sent.").waitFor();
    expect(
      await page.evaluate(
        () => (globalThis as unknown as { sessionStorage: { length: number } }).sessionStorage.length,
      ),
    ).to.equal(0);
    // Still connected, not signed in: signing in again works.
    await page.getByRole("button", { name: "Sign in with Ethereum" }).click();
    await page.getByRole("button", { name: /^Sign out/ }).waitFor();
  });

  it("on another chain: a banner, and Switch moves the wallet (adding the chain first when it does not know it)", async () => {
    // The wallet starts on chain 31337 and does not know the registry's chain 1337: switch → 4902 → add → switch.
    const { page, wallet } = await withWallet(ACCOUNTS.corporate, { chainId: 31337n }, PHONE);
    await openScreen(page, h.api.url, "/");
    await connectAndSignIn(page);
    const banner = page.getByRole("alert");
    await banner.waitFor();
    expect(await banner.innerText()).to.match(/Your wallet is on chain 31337; this registry runs on chain 1337/);
    expect(await axeViolations(page)).to.deep.equal([]);
    await screenshot(page, "wrong-chain-phone");
    await page.getByRole("button", { name: /^Switch to / }).click();
    await banner.waitFor({ state: "detached" });
    expect(wallet.chainId).to.equal(1337n);
    const methods = wallet.requests.map((r) => r.method);
    expect(methods).to.include.members(["wallet_switchEthereumChain", "wallet_addEthereumChain"]);
    // The user switching away in the wallet brings the banner back.
    await wallet.setChain(31337n);
    await page.getByRole("alert").waitFor();
  });

  it("the wallet switching account signs the previous account out", async () => {
    const { page, wallet } = await withWallet(ACCOUNTS.corporate);
    await openScreen(page, h.api.url, "/");
    await connectAndSignIn(page);
    await wallet.setAccount(devAccount(ACCOUNTS.refurbisher).privateKey);
    await page.getByRole("button", { name: "Sign in with Ethereum" }).waitFor();
    expect(await notice(page)).to.match(/The wallet switched to 0x[0-9a-fA-F]{40}: sign in with this account/);
    await page.getByRole("button", { name: "Sign in with Ethereum" }).click();
    await page.getByRole("button", { name: /^Sign out/ }).waitFor();
    expect(await main(page)).to.contain(PARTICIPANT_NAMES.refurbisher);
  });

  it("an expired session: the API's 401 signs the page out and asks to sign in again", async () => {
    const { page } = await withWallet(ACCOUNTS.corporate);
    await openScreen(page, h.api.url, "/");
    await connectAndSignIn(page);
    // A token of this registry (same secret) whose expiry has passed, as the API would have issued 16 minutes ago.
    const address = devAccount(ACCOUNTS.corporate).address;
    const payload = Buffer.from(JSON.stringify({ sub: address, exp: Math.floor(Date.now() / 1000) - 60 })).toString(
      "base64url",
    );
    const expired = `${payload}.${createHmac("sha256", SECRET).update(payload).digest("base64url")}`;
    await page.evaluate((token) => {
      const s = (
        globalThis as unknown as {
          sessionStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void };
        }
      ).sessionStorage;
      s.setItem("itec.session", JSON.stringify({ ...JSON.parse(s.getItem("itec.session")!), token }));
    }, expired);
    await page.reload();
    await page.getByRole("button", { name: "Sign in with Ethereum" }).waitFor();
    expect(await notice(page)).to.match(/Your session has expired: sign in again/);
  });

  it("finds a wallet that only sets window.ethereum (EIP-1193 fallback)", async () => {
    const { page } = await withWallet(ACCOUNTS.trader, { announce: false, exposeWindowEthereum: true });
    await openScreen(page, h.api.url, "/");
    await connectAndSignIn(page, "Browser wallet");
    expect(await main(page)).to.contain(PARTICIPANT_NAMES.trader);
  });

  it("a development registry offers its own dev wallet: pick a role, connect, sign in (no extension)", async () => {
    const app = await newAppPage(browser);
    open.push(app);
    const { page, errors } = app;
    await openScreen(page, h.api.url, "/");
    await page
      .getByRole("combobox", { name: "Dev wallet account" })
      .selectOption({ label: "refurbisher (Hardhat #5)" });
    expect(await main(page)).to.match(/DEV MODE: Hardhat's public test keys/);
    await connectAndSignIn(page, "Dev wallet (Hardhat test accounts)");
    expect(await main(page)).to.contain(PARTICIPANT_NAMES.refurbisher);
    expect(await main(page)).to.match(/submit lots of refurbished devices/);
    expect(errors).to.deep.equal([]);
  });
});
