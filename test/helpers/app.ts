/**
 * The web app in headless Chromium against a running API (test/helpers/api.ts): builds app/dist when its sources
 * changed (scripts/build/app.ts, ~1 s), opens a page at a given width with the page's CSP bypassed (so axe-core
 * can be added), and collects the page's console errors — a screen that logs an error fails its test.
 */
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";

import { appIsCurrent, buildApp } from "../../scripts/build/app.ts";

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

let built: Promise<void> | undefined;

/** app/dist built from the current sources (once per test process). */
export function ensureAppBuilt(): Promise<void> {
  built ??= appIsCurrent() ? Promise.resolve() : buildApp();
  return built;
}

export interface AppPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
}

/** A fresh browser context (its own storage) at `viewport`, with the page's errors collected. */
export async function newAppPage(
  browser: Browser,
  viewport: { width: number; height: number } = DESKTOP,
): Promise<AppPage> {
  const context = await browser.newContext({ viewport, bypassCSP: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page, errors };
}

/** Opens the app at `hashPath` (e.g. "/portfolio") and waits until the screen has rendered. */
export async function openScreen(page: Page, apiUrl: string, hashPath = "/"): Promise<void> {
  await page.goto(`${apiUrl}/app/#${hashPath}`);
  await screenReady(page, hashPath);
}

/** Waits until the app rendered the screen at `hashPath` (main[data-screen] is set after each render). */
export async function screenReady(page: Page, hashPath?: string): Promise<void> {
  await page.waitForSelector('main[data-ready="true"]');
  if (hashPath) {
    await page.waitForFunction((p) => {
      const main = (
        globalThis as unknown as { document: { querySelector(s: string): { dataset: Record<string, string> } | null } }
      ).document.querySelector("main");
      return (
        main?.dataset.screen !== undefined &&
        new RegExp(`^${main.dataset.screen.replace(/:[a-z]+/gi, "[^/]+")}$`).test(p.split("?")[0]!)
      );
    }, hashPath);
  }
}

/** Saves a screenshot under test/output/app/ (the README's pictures are copied from there into docs/img/). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync("test/output/app", { recursive: true });
  await page.screenshot({ path: `test/output/app/${name}.png`, fullPage: true });
}
