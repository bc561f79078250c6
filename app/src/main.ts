/**
 * The registry web app (issue 15; docs/app.md): one page served by the API under /app/, talking to the API with
 * the SDK's client and to the chain through the user's own wallet.
 */
import { ApiClient } from "../../sdk/src/api-client.ts";

import type { AppContext } from "./context.ts";
import type { Network } from "./network.ts";
import { currentPath, match } from "./router.ts";
import { SCREENS } from "./screens/index.ts";
import { chainBanner, guard, renderAccount, renderNav } from "./shell.ts";
import { h, replace, section } from "./ui/dom.ts";
import { sentence } from "./ui/errors.ts";
import { WalletDiscovery } from "./wallet/discovery.ts";
import { WalletSession } from "./wallet/session.ts";

const main = document.getElementById("main")!;
const notice = document.getElementById("notice")!;

function notify(message: string, kind: "info" | "error" | "success" = "info"): void {
  if (!message) return;
  replace(notice, h("p", { class: `notice ${kind}` }, message));
}

async function boot(): Promise<void> {
  const api = new ApiClient(location.origin);
  let network: Network;
  try {
    network = await api.get<Network>("/network");
  } catch (error) {
    replace(main, section("The registry cannot be reached", h("p", {}, sentence(error, "Loading the registry"))));
    return;
  }
  // DEV MODE: on a development chain, the built-in dev wallet (its own chunk, never loaded elsewhere) announces itself.
  if (network.dev) (await import("./wallet/dev-wallet.ts")).announceDevWallet(network);
  const discovery = new WalletDiscovery();
  const session = new WalletSession(api, network);
  const ctx: AppContext = {
    api,
    network,
    session,
    discovery,
    notify,
    navigate: (path) => {
      location.hash = `#${path}`;
    },
  };

  let generation = 0;
  async function render(focus: boolean): Promise<void> {
    const mine = ++generation;
    const { path, query } = currentPath();
    const route = match(SCREENS, path, query);
    renderNav(ctx, SCREENS, route?.screen);
    renderAccount(ctx);
    if (!route) {
      replace(main, section("Not found", h("p", {}, `There is no screen at ${path}.`), h("a", { href: "#/" }, "Home")));
      return;
    }
    document.title = `${route.screen.title} · I-TEC Registry`;
    const banner = chainBanner(ctx);
    const blocked = guard(ctx, route.screen);
    let body: Node;
    try {
      body = blocked ?? (await route.screen.render(ctx, route.params, route.query));
    } catch (error) {
      if (session.expired(error)) return;
      body = section(
        route.screen.title,
        h("p", { class: "error" }, sentence(error, `Loading “${route.screen.title}”`)),
      );
    }
    if (mine !== generation) return; // a newer render started while this one waited
    replace(main, banner, body);
    main.dataset.screen = route.screen.path;
    main.dataset.ready = "true";
    if (focus) main.focus();
  }

  window.addEventListener("hashchange", () => {
    notice.replaceChildren();
    void render(true);
  });
  session.onChange((reason) => {
    notify(reason);
    void render(false);
  });
  discovery.onChange(() => {
    if (session.state === "disconnected") void render(false);
  });
  // EIP-6963 wallets answer the request synchronously in practice; a short wait lets a slow one announce before a
  // stored session is looked for.
  await new Promise((r) => setTimeout(r, 50));
  try {
    await session.resume(discovery.wallets);
  } catch (error) {
    notify(sentence(error, "Restoring your session"), "error");
  }
  await render(false);
}

void boot();
