/**
 * Finding the user's wallets: every EIP-6963 announcement (each installed wallet answers
 * `eip6963:requestProvider`), and `window.ethereum` (EIP-1193) as the fallback for a wallet that only injects
 * that. The list updates as late announcements arrive.
 */
import type { DiscoveredWallet, Eip1193Provider } from "./eip1193.ts";

const LEGACY_ICON =
  "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#555"/>' +
      '<path d="M8 11h16v12H8z" fill="none" stroke="#fff" stroke-width="2"/><path d="M20 17h4" stroke="#fff" stroke-width="2"/></svg>',
  );

export class WalletDiscovery {
  readonly #found = new Map<string, DiscoveredWallet>();
  readonly #listeners = new Set<() => void>();

  constructor() {
    window.addEventListener("eip6963:announceProvider", (event: Event) => {
      const detail = (event as CustomEvent<DiscoveredWallet>).detail;
      if (!detail?.info?.uuid || typeof detail.provider?.request !== "function") return;
      this.#found.set(detail.info.uuid, detail);
      this.#changed();
    });
    this.refresh();
  }

  /** Asks every EIP-6963 wallet to announce itself (again). */
  refresh(): void {
    window.dispatchEvent(new Event("eip6963:requestProvider"));
  }

  /**
   * The wallets found: EIP-6963 announcements, and the legacy `window.ethereum` unless it is one of them (a wallet
   * that announces itself usually sets `window.ethereum` too).
   */
  get wallets(): DiscoveredWallet[] {
    const announced = [...this.#found.values()];
    const legacy = (window as unknown as { ethereum?: Eip1193Provider }).ethereum;
    if (legacy && typeof legacy.request === "function" && !announced.some((w) => w.provider === legacy)) {
      announced.push({
        info: { uuid: "window.ethereum", name: "Browser wallet", icon: LEGACY_ICON, rdns: "window.ethereum" },
        provider: legacy,
      });
    }
    return announced;
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }
}
