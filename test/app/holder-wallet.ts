/**
 * Signing in the holder tests' pages: the app's own dev wallet (app/src/wallet/dev-wallet.ts), which really signs
 * with a Hardhat key in the page and sends to the chain, driven through the connect screen like a person would.
 * Where the API does not answer GET /network yet, the page is given the registry's network description.
 */
import type { Page } from "playwright-core";

import type { ApiHarness } from "../helpers/api.ts";
import { ACCOUNTS } from "../helpers/chain.ts";
import { screenReady } from "../helpers/app.ts";

const requests = new WeakMap<Page, string[]>();

/** JSON-RPC methods the page's wallet sent to the chain (eth_sendRawTransaction counted as eth_sendTransaction). */
export function walletRequests(page: Page): string[] {
  return requests.get(page) ?? [];
}

export async function connectWallet(page: Page, h: ApiHarness, role: "corporate" | "trader"): Promise<void> {
  const log: string[] = [];
  requests.set(page, log);
  await page.route(`${h.chain.url}/**`, async (route) => {
    const body = route.request().postDataJSON() as { method?: string } | { method?: string }[] | null;
    for (const call of Array.isArray(body) ? body : [body]) {
      if (call?.method) log.push(call.method === "eth_sendRawTransaction" ? "eth_sendTransaction" : call.method);
    }
    await route.continue();
  });
  const network = await h.http.get("/network");
  if (network.status === 404) {
    await page.route(`${h.api.url}/network`, (route) =>
      route.fulfill({
        contentType: "application/json",
        body: JSON.stringify({
          chainId: "1337",
          chainName: "I-TEC dev chain",
          registry: h.deployed.address,
          deployBlock: h.deployed.deployBlock,
          rpcUrl: h.chain.url,
          dev: true,
          nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        }),
      }),
    );
  }
  await page.goto(`${h.api.url}/app/#/`);
  await screenReady(page, "/");
  await page.getByLabel("Dev wallet account").selectOption(String(ACCOUNTS[role]));
  await page.getByRole("button", { name: /^Connect Dev wallet/ }).click();
  await page.getByRole("button", { name: "Sign in with Ethereum" }).click();
  await page.locator("main", { hasText: "Here you can" }).waitFor();
}
