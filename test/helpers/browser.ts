/**
 * Debian's Chromium driven by playwright-core, for the tests of pages a person sees. Missing Chromium skips the
 * test on a developer's machine and fails it in CI (.ci/run installs it).
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

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
