/**
 * Hash routes (`/app/#/portfolio`): the API serves one page for the app, and links to a screen survive a reload
 * without any server-side routing.
 */
import type { Screen } from "./context.ts";

export interface Route {
  screen: Screen;
  params: Record<string, string>;
  query: URLSearchParams;
}

export function currentPath(): { path: string; query: URLSearchParams } {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, search] = raw.split("?", 2);
  return { path: path || "/", query: new URLSearchParams(search ?? "") };
}

export function match(screens: readonly Screen[], path: string, query: URLSearchParams): Route | undefined {
  const parts = path.split("/").filter(Boolean);
  for (const screen of screens) {
    const pattern = screen.path.split("/").filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const p = pattern[i]!;
      const v = parts[i]!;
      if (p.startsWith(":")) {
        try {
          params[p.slice(1)] = decodeURIComponent(v);
        } catch {
          ok = false;
        }
      } else ok = p === v;
    }
    if (ok) return { screen, params, query };
  }
  return undefined;
}
