/**
 * Debian's Chromium driven by playwright-core, for the tests of pages a person sees. Missing Chromium skips the
 * test on a developer's machine and fails it in CI (.ci/run installs it).
 */
import { existsSync, readFileSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = process.env.ITEC_CHROMIUM ?? "/usr/bin/chromium";

/** Skips the calling suite when Chromium is missing, except in CI where that is an error. */
export function requireChromium(suite: Mocha.Context): void {
  if (existsSync(CHROMIUM)) return;
  if (process.env.CI === "true") throw new Error(`${CHROMIUM} is missing: .ci/run must install Debian's chromium`);
  suite.skip();
}

/** Headless Chromium with nothing of its own on the network (no updates, sync or QUIC). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** axe-core's WCAG 2.1 A/AA violations on the page (run inside it; the context must bypass the page's CSP). */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: readFileSync("node_modules/axe-core/axe.min.js", "utf8") });
  return page.evaluate(async () => {
    const { axe } = globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: unknown[] }> } };
    const result = await axe.run({
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return (result.violations as { id: string; impact: string; nodes: { target: string[] }[] }[]).map(
      (v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
  });
}
