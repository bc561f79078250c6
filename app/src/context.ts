/** What every screen is given: the API client, the registry's chain, the wallet session, and the page's notices. */
import type { ApiClient } from "../../sdk/src/api-client.ts";

import type { Network } from "./network.ts";
import type { WalletDiscovery } from "./wallet/discovery.ts";
import type { Role, WalletSession } from "./wallet/session.ts";

export interface AppContext {
  api: ApiClient;
  network: Network;
  session: WalletSession;
  discovery: WalletDiscovery;
  /** A message in the page's live region (announced to screen readers). */
  notify(message: string, kind?: "info" | "error" | "success"): void;
  /** Goes to a screen, e.g. `navigate("/portfolio")`. */
  navigate(path: string): void;
}

/**
 * A screen of the app. `roles` says who sees it in the navigation and may open it: "public" needs no wallet,
 * "signed-in" any signed-in account, otherwise one of the roles the chain gives the account.
 */
export interface Screen {
  /** Route pattern after `#`, with `:name` parameters: "/batches/:id". */
  path: string;
  title: string;
  /** The navigation label; screens without one are reached by links only. */
  nav?: string;
  roles: "public" | "signed-in" | Role[];
  render(ctx: AppContext, params: Record<string, string>, query: URLSearchParams): Promise<Node> | Node;
}
