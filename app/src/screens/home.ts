/** The start screen: find and connect a wallet, sign in, and see what this account can do here. */
import type { AppContext, Screen } from "../context.ts";
import { h, section } from "../ui/dom.ts";
import { sentence } from "../ui/errors.ts";
import { shortAddress } from "../ui/format.ts";
import { DEV_ROLES, DEV_WALLET_RDNS, type DevAccountPicker } from "../wallet/dev-accounts.ts";

export const homeScreen: Screen = {
  path: "/",
  title: "Your account",
  nav: "Account",
  roles: "public",
  render(ctx) {
    const { session } = ctx;
    if (session.state === "disconnected") return connectPanel(ctx);
    if (session.state === "connected") return signInPanel(ctx);
    return accountPanel(ctx);
  },
};

export function connectPanel(ctx: AppContext, intro?: string): HTMLElement {
  const wallets = ctx.discovery.wallets;
  const status = h("p", { class: "status", role: "status" });
  const list = wallets.map((w) => {
    const dev = w.info.rdns === DEV_WALLET_RDNS ? (w.provider as unknown as DevAccountPicker) : undefined;
    const picker = dev
      ? h(
          "select",
          { "aria-label": "Dev wallet account" },
          ...DEV_ROLES.map((r) =>
            h("option", { value: r.index, selected: r.index === dev.accountIndex }, `${r.role} (Hardhat #${r.index})`),
          ),
        )
      : null;
    return h(
      "li",
      { class: "wallet-row" },
      picker,
      h(
        "button",
        {
          type: "button",
          class: "wallet",
          onclick: async (event: Event) => {
            const button = event.currentTarget as HTMLButtonElement;
            button.disabled = true;
            status.textContent = `Waiting for ${w.info.name}: approve the connection there.`;
            if (dev && picker) dev.selectAccount(Number(picker.value));
            try {
              await ctx.session.connect(w);
            } catch (error) {
              status.textContent = sentence(error, "Connecting");
              status.className = "status error";
              button.disabled = false;
            }
          },
        },
        h("img", { src: w.info.icon, alt: "", width: 24, height: 24 }),
        `Connect ${w.info.name}`,
      ),
      dev
        ? h(
            "small",
            { class: "hint" },
            "DEV MODE: Hardhat's public test keys, offered only because this registry runs on a development chain. " +
              "Never use them on a real network.",
          )
        : null,
    );
  });
  return section(
    "Connect a wallet",
    intro ? h("p", {}, intro) : null,
    h(
      "p",
      {},
      "The registry's participants act from their own wallet: you sign in with it and sign your transactions in it. " +
        "Nobody else holds your keys.",
    ),
    wallets.length > 0 ? h("ul", { class: "wallets" }, ...list) : null,
    wallets.some((w) => w.info.rdns !== DEV_WALLET_RDNS)
      ? null
      : h(
          "div",
          { class: "empty" },
          h("p", {}, "No browser wallet was found in this browser."),
          h(
            "p",
            {},
            "Install a wallet extension (one that supports EIP-6963, such as MetaMask or Rabby), then reload this page.",
          ),
          ctx.network.dev
            ? h(
                "p",
                {},
                "This is a development registry: use the dev wallet above, or import one of the keys `npm start` " +
                  "printed (Hardhat's well-known test keys) into your wallet to act as that account (never use these " +
                  "keys on a real network).",
              )
            : null,
        ),
    status,
    h(
      "p",
      { class: "muted" },
      "Only verifying a certificate? ",
      h("a", { href: "/verify" }, "The verify page"),
      " needs no wallet.",
    ),
  );
}

function signInPanel(ctx: AppContext): HTMLElement {
  const status = h("p", { class: "status", role: "status" });
  const button = h(
    "button",
    {
      type: "button",
      class: "primary",
      onclick: async () => {
        button.disabled = true;
        status.className = "status";
        status.textContent = "Waiting for your wallet: sign the sign-in message there (it costs nothing).";
        try {
          await ctx.session.signIn();
        } catch (error) {
          status.textContent = sentence(error, "Signing in");
          status.className = "status error";
          button.disabled = false;
        }
      },
    },
    "Sign in with Ethereum",
  );
  return section(
    "Sign in",
    h("p", {}, `Connected: `, h("span", { class: "mono" }, ctx.session.address ?? "")),
    h(
      "p",
      {},
      "Sign a sign-in message (EIP-4361) in your wallet. It proves you hold this account; it sends no transaction.",
    ),
    h(
      "div",
      { class: "actions" },
      button,
      h("button", { type: "button", onclick: () => ctx.session.disconnect() }, "Disconnect"),
    ),
    status,
  );
}

function accountPanel(ctx: AppContext): HTMLElement {
  const me = ctx.session.me!;
  const roles = ctx.session.roles;
  const can: string[] = [];
  if (roles.has("holder")) can.push("hold, transfer and retire certificates");
  if (roles.has("refurbisher")) can.push("submit lots of refurbished devices");
  if (roles.has("auditor")) can.push("review and sign attestations");
  if (roles.has("admin")) can.push("administer participants, auditors and batches");
  const standing =
    me.status === "active"
      ? null
      : me.status === "suspended"
        ? h(
            "p",
            { class: "warning" },
            "This account is suspended by the registry operator: it cannot transfer, retire or submit until it is " +
              "reinstated. Contact the registry operator.",
          )
        : h(
            "p",
            { class: "warning" },
            "This account is not an admitted participant: the registry operator must admit it before it can hold " +
              "or receive certificates. Send the operator this address.",
          );
  return section(
    me.name ?? "Your account",
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Account"),
      h("dd", { class: "mono", title: me.account }, me.account),
      h("dt", {}, "Kind"),
      h("dd", {}, me.kind === "none" ? "not admitted" : me.kind),
      h("dt", {}, "Status"),
      h("dd", {}, me.status === "none" ? "not admitted" : me.status),
      me.accreditation
        ? [
            h("dt", {}, "Auditor for"),
            h("dd", {}, `${me.accreditation.body} (${me.accreditation.categories.join(", ")})`),
          ]
        : null,
    ),
    standing,
    can.length > 0 ? h("p", {}, `Here you can ${can.join("; ")}.`) : null,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", onclick: () => ctx.session.disconnect() }, `Sign out ${shortAddress(me.account)}`),
    ),
  );
}
