/**
 * The frame around every screen: the navigation for the account's roles, the account and chain indicator, the
 * wrong-chain banner with its switch button, and the guard that tells a visitor what a screen needs before
 * showing it.
 */
import type { AppContext, Screen } from "./context.ts";
import { connectPanel } from "./screens/home.ts";
import { h, replace, section } from "./ui/dom.ts";
import { sentence } from "./ui/errors.ts";
import { shortAddress } from "./ui/format.ts";
import type { Role } from "./wallet/session.ts";

const ROLE_NAMES: Record<Role, string> = {
  holder: "an active participant (holder)",
  refurbisher: "an active refurbisher or ITAD",
  auditor: "an accredited auditor",
  admin: "the registry admin",
};

export function allowed(ctx: AppContext, screen: Screen): boolean {
  if (screen.roles === "public") return true;
  if (screen.roles === "signed-in") return ctx.session.state === "signed-in";
  const roles = ctx.session.roles;
  return screen.roles.some((r) => roles.has(r));
}

export function renderNav(ctx: AppContext, screens: readonly Screen[], current: Screen | undefined): void {
  const nav = document.getElementById("nav")!;
  const items = screens
    .filter((s) => s.nav && allowed(ctx, s))
    .map((s) =>
      h("li", {}, h("a", { href: `#${s.path}`, "aria-current": s === current ? "page" : null }, s.nav ?? s.title)),
    );
  replace(nav, h("ul", {}, ...items));
}

export function renderAccount(ctx: AppContext): void {
  const el = document.getElementById("account")!;
  const { session, network } = ctx;
  if (session.state === "disconnected") {
    replace(el, h("a", { href: "#/" }, "Connect wallet"));
    return;
  }
  const who = session.me?.name ?? shortAddress(session.address ?? "");
  replace(
    el,
    h("span", { class: "who", title: session.address ?? "" }, who),
    h(
      "span",
      { class: session.onRegistryChain ? "chain ok" : "chain bad" },
      session.onRegistryChain ? network.chainName : `wrong chain (${session.chainId})`,
    ),
  );
}

/** The banner shown on every screen while the wallet is on another chain than the registry's. */
export function chainBanner(ctx: AppContext): HTMLElement | null {
  const { session, network } = ctx;
  if (session.state === "disconnected" || session.onRegistryChain) return null;
  const status = h("span", { role: "status" });
  const button = h(
    "button",
    {
      type: "button",
      class: "primary",
      onclick: async () => {
        button.disabled = true;
        try {
          await session.switchChain();
        } catch (error) {
          status.textContent = ` ${sentence(error, "Switching chains")}`;
          button.disabled = false;
        }
      },
    },
    `Switch to ${network.chainName}`,
  );
  return h(
    "div",
    { class: "banner warning", role: "alert" },
    h(
      "p",
      {},
      `Your wallet is on chain ${session.chainId}; this registry runs on chain ${network.chainId} ` +
        `(${network.chainName}). Transactions can only be sent there. `,
      button,
      status,
    ),
  );
}

/** What a visitor sees instead of a screen its account may not use. */
export function guard(ctx: AppContext, screen: Screen): HTMLElement | null {
  if (allowed(ctx, screen)) return null;
  const { session } = ctx;
  if (session.state === "disconnected") return connectPanel(ctx, `“${screen.title}” needs a signed-in wallet.`);
  if (session.state === "connected") {
    return section(screen.title, h("p", {}, "Sign in with your wallet first."), h("a", { href: "#/" }, "Sign in"));
  }
  const needs = screen.roles === "public" || screen.roles === "signed-in" ? [] : screen.roles.map((r) => ROLE_NAMES[r]);
  const me = session.me!;
  const why =
    me.status === "suspended"
      ? "This account is suspended by the registry operator, so it cannot use this screen until it is reinstated."
      : me.status === "none"
        ? "This account is not an admitted participant yet: ask the registry operator to admit it."
        : `This screen is for ${needs.join(" or ")}; this account is a ${me.kind}.`;
  return section(screen.title, h("p", { class: "warning" }, why), h("a", { href: "#/" }, "Back to your account"));
}
