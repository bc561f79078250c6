/**
 * The test wallet the app's browser tests use (test/helpers/wallet.ts), in real headless Chromium against the
 * in-process Hardhat chain: discovered by EIP-6963, it connects, really signs (personal_sign and
 * eth_signTypedData_v4 recover to its address in Node; eth_sendTransaction is mined), rejects on the test's word
 * with 4001 arriving in the page as an Error with `.code`, refuses an unknown chain with 4902, adds then switches
 * to a second chain (whose node then gets the reads and the transactions), and delivers accountsChanged,
 * chainChanged and disconnect to the page's listeners. ethers' BrowserProvider, which the app uses, works over it.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";
import { TypedDataEncoder, verifyMessage, verifyTypedData, type BrowserProvider, type Eip1193Provider } from "ethers";
import { network } from "hardhat";
import type { Browser, BrowserContext, Page } from "playwright-core";

import { devAccount } from "../../core/keys.ts";
import { launchChromium, requireChromium } from "../helpers/browser.ts";
import { startTestChain, type TestChain } from "../helpers/chain.ts";
import { injectTestWallet, RPC_ERRORS, type TestWallet, type TestWalletOptions } from "../helpers/wallet.ts";

const PAGE = readFileSync(new URL("./test-wallet.page.html", import.meta.url), "utf8");
const ETHERS_UMD = readFileSync("node_modules/ethers/dist/ethers.umd.min.js", "utf8");
const RDNS = "org.itec.testwallet";

type Answer = { result?: unknown; error?: { isError: boolean; code: unknown; message: string; data?: unknown } };
type Discovered = {
  count: number;
  info: TestWallet["info"];
  infoFrozen: boolean;
  hasRequest: boolean;
};

/**
 * The globals test-wallet.page.html defines (the project compiles without the DOM library, so functions run by
 * page.evaluate read them from `globalThis` under these types).
 */
interface PageGlobals {
  ask(method: string, params: unknown): Promise<Answer>;
  discover(rdns: string): Discovered | null;
  events: { event: string; payload: unknown }[];
  provider: Eip1193Provider;
  ethereum?: Eip1193Provider;
  ethers: { BrowserProvider: typeof BrowserProvider };
}

/** The page's `ask(method, params)`: the provider's answer, or the error it threw (its class, code and message). */
function ask(page: Page, method: string, params?: unknown): Promise<Answer> {
  return page.evaluate(([m, p]) => (globalThis as unknown as PageGlobals).ask(m, p), [method, params] as const);
}

function events(page: Page): Promise<PageGlobals["events"]> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).events);
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("Test wallet for the app's browser tests (headless Chromium)", function () {
  this.timeout(120_000);
  let chain: TestChain;
  let second: { url: string; chainId: bigint; close(): Promise<void> };
  let server: Server;
  let origin: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let wallet: TestWallet;
  const account = devAccount(7);
  const other = devAccount(8);

  before(async function () {
    requireChromium(this);
    chain = await startTestChain("hardhat");
    // A second chain with another id, for wallet_addEthereumChain (the wallet checks the node's eth_chainId).
    const srv = await network.createServer({ network: "hardhat", override: { chainId: 31337 } }, "127.0.0.1", 0);
    const { address, port } = await srv.listen();
    second = { url: `http://${address}:${port}`, chainId: 31337n, close: () => srv.close() };
    server = createServer((req, res) => {
      if (req.url === "/ethers.umd.min.js") {
        res.writeHead(200, { "content-type": "text/javascript" }).end(ETHERS_UMD);
      } else {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await second?.close();
    await chain?.stop();
  });

  /** A new context and page with the wallet injected into the context, or into the page alone when `onPage`. */
  async function open(extra: Partial<TestWalletOptions> = {}, onPage = false): Promise<void> {
    context = await browser.newContext();
    const options = { privateKey: account.privateKey, rpcUrl: chain.url, chainId: chain.chainId, ...extra };
    if (onPage) {
      page = await context.newPage();
      wallet = await injectTestWallet(page, options);
    } else {
      wallet = await injectTestWallet(context, options);
      page = await context.newPage();
    }
    await page.goto(`${origin}/`);
  }
  afterEach(async () => {
    await context?.close();
  });

  async function connect(): Promise<void> {
    expect(await page.evaluate((rdns) => (globalThis as unknown as PageGlobals).discover(rdns), RDNS)).to.not.equal(
      null,
    );
    expect((await ask(page, "eth_requestAccounts")).result).to.deep.equal([account.address.toLowerCase()]);
  }

  it("announces itself by EIP-6963 (frozen info, data: URI icon) and is not window.ethereum unless asked", async () => {
    await open();
    const found = (await page.evaluate((rdns) => (globalThis as unknown as PageGlobals).discover(rdns), RDNS))!;
    expect(found.count).to.equal(1);
    expect(found.info).to.deep.equal(wallet.info);
    expect(found.info.name).to.equal("I-TEC Test Wallet");
    expect(found.info.uuid).to.match(/^[0-9a-f-]{36}$/);
    expect(found.info.icon).to.match(/^data:image\/svg\+xml;base64,/);
    expect(found.infoFrozen).to.equal(true);
    expect(found.hasRequest).to.equal(true);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).ethereum)).to.equal(undefined);
    expect((await ask(page, "eth_chainId")).result).to.equal("0x539");
    expect((await ask(page, "net_version")).result).to.equal("1337");
    await context.close();

    await open({ exposeWindowEthereum: true, announce: false }, true);
    expect(await page.evaluate((rdns) => (globalThis as unknown as PageGlobals).discover(rdns), RDNS)).to.equal(null);
    const chainId = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).ethereum!.request({ method: "eth_chainId" }),
    );
    expect(chainId).to.equal("0x539");
  });

  it("has no account until the user approves the connection; a refusal is a 4001 Error, signing unconnected 4100", async () => {
    await open();
    await page.evaluate((rdns) => (globalThis as unknown as PageGlobals).discover(rdns), RDNS);
    expect((await ask(page, "eth_accounts")).result).to.deep.equal([]);
    const unconnected = await ask(page, "personal_sign", ["0x68690a", account.address]);
    expect(unconnected.error).to.include({ isError: true, code: RPC_ERRORS.unauthorized });

    wallet.rejectNext("eth_requestAccounts");
    const refused = await ask(page, "eth_requestAccounts");
    expect(refused.error).to.include({ isError: true, code: 4001 });
    expect((await ask(page, "eth_accounts")).result).to.deep.equal([]);

    expect((await ask(page, "eth_requestAccounts")).result).to.deep.equal([account.address.toLowerCase()]);
    expect((await ask(page, "eth_accounts")).result).to.deep.equal([account.address.toLowerCase()]);
    expect([...wallet.connectedOrigins]).to.deep.equal([origin]);
    const delivered = await until(
      () => events(page),
      (e) => e.some((x) => x.event === "accountsChanged"),
      "accountsChanged",
    );
    expect(delivered.find((x) => x.event === "accountsChanged")!.payload).to.deep.equal([
      account.address.toLowerCase(),
    ]);
    expect(wallet.signingRequests()).to.have.length(1); // the refused, unconnected personal_sign

    // The site disconnects itself (EIP-2255's revoke): no account any more, and the page is told.
    expect(await ask(page, "wallet_revokePermissions", [{ eth_accounts: {} }])).to.deep.equal({ result: null });
    expect((await ask(page, "eth_accounts")).result).to.deep.equal([]);
    expect(wallet.connectedOrigins.size).to.equal(0);
    await until(
      () => events(page),
      (e) => JSON.stringify(e.at(-1)) === JSON.stringify({ event: "accountsChanged", payload: [] }),
      "accountsChanged []",
    );
  });

  it("personal_sign signs EIP-191 over UTF-8 text and over hex bytes, as MetaMask does", async () => {
    await open();
    await connect();
    const text = "Sign in to the I-TEC Registry\nNonce: 42";
    const signed = await ask(page, "personal_sign", [text, account.address]);
    expect(verifyMessage(text, signed.result as string)).to.equal(account.address);
    const bytes = "0xdeadbeef";
    const signedHex = await ask(page, "personal_sign", [bytes, account.address.toLowerCase()]);
    expect(verifyMessage(new Uint8Array([0xde, 0xad, 0xbe, 0xef]), signedHex.result as string)).to.equal(
      account.address,
    );
    const wrong = await ask(page, "personal_sign", [text, other.address]);
    expect(wrong.error).to.include({ code: RPC_ERRORS.unauthorized });
  });

  it("eth_signTypedData_v4 signs the JSON payload (EIP712Domain listed) for the active chain only", async () => {
    await open();
    await connect();
    const domain = { name: "I-TEC", version: "1", chainId: 1337, verifyingContract: other.address };
    const types = {
      Mail: [
        { name: "to", type: "address" },
        { name: "amount", type: "uint256" },
      ],
    };
    const message = { to: other.address, amount: "1000000000000000000000" };
    const payload = {
      domain,
      types: { EIP712Domain: TypedDataEncoder.getPayload(domain, types, message).types.EIP712Domain, ...types },
      primaryType: "Mail",
      message,
    };
    const signed = await ask(page, "eth_signTypedData_v4", [account.address, JSON.stringify(payload)]);
    expect(verifyTypedData(domain, types, message, signed.result as string)).to.equal(account.address);

    const otherChain = JSON.stringify({ ...payload, domain: { ...domain, chainId: 31337 } });
    const refused = await ask(page, "eth_signTypedData_v4", [account.address, otherChain]);
    expect(refused.error).to.include({ code: RPC_ERRORS.invalidParams });
    expect(refused.error!.message).to.include("must match the active chainId");
  });

  it("eth_sendTransaction fills nonce and gas from the node, honours gasPrice, and the transfer is mined", async () => {
    await open();
    await connect();
    const before = await chain.provider.getTransactionCount(account.address);
    const sent = await ask(page, "eth_sendTransaction", [{ from: account.address, to: other.address, value: "0x0" }]);
    const hash = sent.result as string;
    expect(hash).to.match(/^0x[0-9a-f]{64}$/);
    const receipt = await until(
      () => ask(page, "eth_getTransactionReceipt", [hash]),
      (a) => a.result !== null,
      "the receipt",
    );
    expect((receipt.result as { status: string }).status).to.equal("0x1");
    const tx = (await chain.provider.getTransaction(hash))!;
    expect([tx.from, tx.to, tx.value, tx.nonce, tx.type]).to.deep.equal([
      account.address,
      other.address,
      0n,
      before,
      2,
    ]);

    const gasPrice = 7_000_000_000n;
    const legacy = await ask(page, "eth_sendTransaction", [
      { from: account.address, to: other.address, gasPrice: `0x${gasPrice.toString(16)}`, gas: "0x5208" },
    ]);
    const tx2 = (await chain.provider.getTransaction(legacy.result as string))!;
    expect([tx2.type, tx2.gasPrice, tx2.gasLimit, tx2.nonce]).to.deep.equal([0, gasPrice, 21_000n, before + 1]);
    expect((await chain.provider.getTransactionReceipt(legacy.result as string))!.status).to.equal(1);
  });

  it("a rejected prompt answers 4001 in the page and nothing is signed or sent; a held prompt waits for the test", async () => {
    await open();
    await connect();
    const nonce = await chain.provider.getTransactionCount(account.address);
    wallet.rejectNext("eth_sendTransaction");
    const refused = await ask(page, "eth_sendTransaction", [{ from: account.address, to: other.address }]);
    expect(refused.error).to.include({ isError: true, code: 4001 });
    expect(await chain.provider.getTransactionCount(account.address)).to.equal(nonce);

    wallet.rejectNext("*");
    expect((await ask(page, "eth_blockNumber")).result).to.match(/^0x/); // a read is no prompt
    expect((await ask(page, "personal_sign", ["0x01", account.address])).error).to.include({ code: 4001 });

    const held = wallet.holdNext("personal_sign");
    const pending = ask(page, "personal_sign", ["0x02", account.address]);
    expect((await held.asked).params).to.deep.equal(["0x02", account.address]);
    held.reject();
    expect((await pending).error).to.include({ code: 4001 });
    const approved = wallet.holdNext("*");
    const pending2 = ask(page, "personal_sign", ["0x03", account.address]);
    await approved.asked;
    approved.approve();
    expect(verifyMessage(new Uint8Array([3]), (await pending2).result as string)).to.equal(account.address);

    expect(wallet.requests.map((r) => r.method)).to.include.members(["eth_sendTransaction", "personal_sign"]);
    expect((await ask(page, "eth_sign", [account.address, "0x00"])).error).to.include({ code: 4200 });
    expect((await ask(page, "evm_mine")).error).to.include({ code: 4200 });
  });

  it("refuses an unknown chain with 4902, adds it (checking its node), switches, and then uses that chain's node", async () => {
    await open();
    await connect();
    const hex = "0x7a69";
    const unknown = await ask(page, "wallet_switchEthereumChain", [{ chainId: hex }]);
    expect(unknown.error).to.include({ isError: true, code: RPC_ERRORS.unrecognizedChain });

    const lying = await ask(page, "wallet_addEthereumChain", [
      { chainId: "0x2a", chainName: "x", rpcUrls: [second.url] },
    ]);
    expect(lying.error).to.include({ code: RPC_ERRORS.invalidParams });
    const added = await ask(page, "wallet_addEthereumChain", [
      {
        chainId: hex,
        chainName: "Second",
        rpcUrls: [second.url],
        nativeCurrency: { name: "ETH", symbol: "ETH", decimals: 18 },
      },
    ]);
    expect(added).to.deep.equal({ result: null });
    expect((await ask(page, "eth_chainId")).result).to.equal("0x539"); // adding does not switch

    expect(await ask(page, "wallet_switchEthereumChain", [{ chainId: hex }])).to.deep.equal({ result: null });
    expect((await ask(page, "eth_chainId")).result).to.equal(hex);
    expect(wallet.chainId).to.equal(31337n);
    await until(
      () => events(page),
      (e) => e.some((x) => x.event === "chainChanged" && x.payload === hex),
      "chainChanged",
    );

    const sent = await ask(page, "eth_sendTransaction", [{ from: account.address, to: other.address }]);
    const hash = sent.result as string;
    const onSecond = await ask(page, "eth_getTransactionByHash", [hash]);
    expect((onSecond.result as { chainId: string }).chainId).to.equal(hex);
    expect(await chain.provider.getTransaction(hash)).to.equal(null);
  });

  it("delivers accountsChanged, chainChanged and disconnect when the user acts in the wallet", async () => {
    await open({ knownChains: [{ chainId: second.chainId, rpcUrl: second.url }] });
    await connect();
    await wallet.setAccount(other.privateKey);
    expect(wallet.address).to.equal(other.address);
    expect((await ask(page, "eth_accounts")).result).to.deep.equal([other.address.toLowerCase()]);
    await wallet.setChain(second.chainId);
    await wallet.disconnect();
    const seen = await until(
      () => events(page),
      (e) => e.some((x) => x.event === "disconnect"),
      "disconnect",
    );
    const after = seen.filter((x) => x.event !== "connect");
    expect(after.map((x) => [x.event, x.payload])).to.deep.equal([
      ["accountsChanged", [account.address.toLowerCase()]],
      ["accountsChanged", [other.address.toLowerCase()]],
      ["chainChanged", "0x7a69"],
      ["accountsChanged", []],
      ["disconnect", { isError: true, code: 4900, message: "The test wallet was disconnected by the user." }],
    ]);
    expect((await ask(page, "eth_accounts")).result).to.deep.equal([]);
    // Connecting again after a disconnect: EIP-1193 `connect` with the active chain, then the account.
    expect((await ask(page, "eth_requestAccounts")).result).to.deep.equal([other.address.toLowerCase()]);
    const again = await until(
      () => events(page),
      (e) => e.length > seen.length + 1,
      "connect and accountsChanged",
    );
    expect(again.slice(seen.length).map((x) => [x.event, x.payload])).to.deep.equal([
      ["connect", { chainId: "0x7a69" }],
      ["accountsChanged", [other.address.toLowerCase()]],
    ]);
  });

  it("works under ethers' BrowserProvider, which the app uses: signer, signature, ACTION_REJECTED", async () => {
    await open();
    await page.evaluate((rdns) => (globalThis as unknown as PageGlobals).discover(rdns), RDNS);
    const out = await page.evaluate(async () => {
      const g = globalThis as unknown as PageGlobals;
      const provider = new g.ethers.BrowserProvider(g.provider);
      const signer = await provider.getSigner();
      const signature = await signer.signMessage("hello");
      const network = await provider.getNetwork();
      return { address: await signer.getAddress(), signature, chainId: network.chainId.toString() };
    });
    expect(out.address).to.equal(account.address);
    expect(out.chainId).to.equal("1337");
    expect(verifyMessage("hello", out.signature)).to.equal(account.address);
    wallet.rejectNext("personal_sign");
    const code = await page.evaluate(async () => {
      const g = globalThis as unknown as PageGlobals;
      const signer = await new g.ethers.BrowserProvider(g.provider).getSigner();
      return signer.signMessage("no").then(
        () => "signed",
        (e: { code: string }) => e.code,
      );
    });
    expect(code).to.equal("ACTION_REJECTED");
  });
});
