/**
 * `npm run bench:app` — the web app's weight and its heaviest screen (issue 15 §7). Writes bench/results/app.json.
 *
 * 1. Bundle: builds the app (scripts/build/app.ts, timed) and reads app/dist/.vite/manifest.json. The initial
 *    JavaScript is the entry chunk plus its static imports, recursively — what every visit downloads before the
 *    first screen; raw and gzip -9 bytes against the target ≤ 200 KB gzipped (204,800 bytes). Reported apart: each
 *    dynamically imported chunk (the development wallet's, which a development registry loads at start, hence
 *    "initial on a development chain"), the calculation worker (loaded on the lot upload screen) and the CSS.
 * 2. A portfolio of 1,000 batches in Chromium: a real chain, registry, oracle, indexer and API
 *    (test/helpers/api.ts); one batch minted through the API and transferred to the corporate, 999 more seeded into
 *    the real index (test/helpers/portfolio-seed.ts); the app opened with the test wallet holding the corporate's
 *    key and signed in through its screens. N times, interleaved with going to another screen, the time inside the
 *    page from `location.hash = "#/portfolio"` to the table having 1,000 rows, and separately the
 *    GET /accounts/:a/portfolio request alone; target ≤ 1 s (median). The machine is shared: load average reported.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";

import { devAccount } from "../core/keys.ts";
import { APP_DIST, buildApp } from "../scripts/build/app.ts";
import { startApiHarness } from "../test/helpers/api.ts";
import { newAppPage, screenReady, DESKTOP } from "../test/helpers/app.ts";
import { launchChromium } from "../test/helpers/browser.ts";
import { ACCOUNTS } from "../test/helpers/chain.ts";
import { mintServerBatchTo, seedHeldBatches } from "../test/helpers/portfolio-seed.ts";
import { injectTestWallet } from "../test/helpers/wallet.ts";

const RUNS = Number(process.argv[process.argv.indexOf("--runs") + 1] ?? 7) || 7;
const BUNDLE_TARGET_GZIP = 204_800;
const RENDER_TARGET_MS = 1000;
const BATCHES = 1000;

// ---- 1. Bundle -------------------------------------------------------------------------------------------------

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  isWorker?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
  src?: string;
}

const sizeOf = (file: string) => {
  const bytes = readFileSync(join(APP_DIST, file));
  return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};
const sum = (xs: { raw: number; gzip: number }[]) => ({
  raw: xs.reduce((a, x) => a + x.raw, 0),
  gzip: xs.reduce((a, x) => a + x.gzip, 0),
});

const loadAtStart = loadavg().map((x) => +x.toFixed(2));
const b0 = performance.now();
await buildApp();
const buildMs = performance.now() - b0;
const manifest = JSON.parse(readFileSync(join(APP_DIST, ".vite", "manifest.json"), "utf8")) as Record<
  string,
  ManifestChunk
>;
const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry);
if (!entryKey) throw new Error("the manifest has no entry chunk");
/** The entry and its static imports, recursively (manifest keys). */
const initialKeys = new Set<string>();
const visit = (key: string) => {
  if (initialKeys.has(key)) return;
  initialKeys.add(key);
  for (const k of manifest[key]!.imports ?? []) visit(k);
};
visit(entryKey);
const initialFiles = [...initialKeys].map((k) => sizeOf(manifest[k]!.file));
const initial = { ...sum(initialFiles), files: initialFiles };
/** Dynamically imported chunks, each with the static imports it adds beyond the initial set. */
const dynamicKeys = new Set([...initialKeys].flatMap((k) => manifest[k]!.dynamicImports ?? []));
const dynamic = Object.fromEntries(
  [...dynamicKeys].map((key) => {
    const own = new Set<string>();
    const walk = (k: string) => {
      if (own.has(k) || initialKeys.has(k)) return;
      own.add(k);
      for (const i of manifest[k]!.imports ?? []) walk(i);
    };
    walk(key);
    const files = [...own].map((k) => sizeOf(manifest[k]!.file));
    return [key, { ...sum(files), files }];
  }),
);
const devWalletKey = [...dynamicKeys].find((k) => k.includes("dev-wallet"));
const devWallet = devWalletKey ? dynamic[devWalletKey]! : { raw: 0, gzip: 0, files: [] };
// Vite builds a `new Worker(new URL(…))` as its own entry, marked isWorker in the manifest (an asset of the entry,
// fetched only when the lot upload screen starts a calculation).
const workerFiles = Object.values(manifest)
  .filter((c) => c.isWorker)
  .map((c) => sizeOf(c.file));
const cssFiles = [...new Set(Object.values(manifest).flatMap((c) => c.css ?? []))].map(sizeOf);
const bundle = {
  build_ms: Math.round(buildMs),
  initial_js: initial,
  initial_js_on_development_chain: sum([initial, devWallet]),
  dev_wallet_chunk: devWallet,
  dynamic_chunks: dynamic,
  calculation_worker: { ...sum(workerFiles), files: workerFiles },
  css: { ...sum(cssFiles), files: cssFiles },
  target_initial_gzip_bytes: BUNDLE_TARGET_GZIP,
  met: initial.gzip <= BUNDLE_TARGET_GZIP,
};

// ---- 2. Portfolio of 1,000 batches ---------------------------------------------------------------------------

const h = await startApiHarness();
const browser = await launchChromium();
let portfolio;
try {
  const corporate = h.deployed.wallet("corporate").address;
  // Batch #1 minted for real and 8 of it held by the corporate; then the other 999 written into the index.
  await mintServerBatchTo(h, corporate, 8, "HB");
  await seedHeldBatches(h, corporate, BATCHES - 1);

  const { context, page, errors } = await newAppPage(browser, DESKTOP);
  const wallet = await injectTestWallet(context, {
    privateKey: devAccount(ACCOUNTS.corporate).privateKey,
    rpcUrl: h.chain.url,
    chainId: h.chain.chainId,
  });
  await page.goto(`${h.api.url}/app/#/`);
  await screenReady(page, "/");
  await page.getByRole("button", { name: `Connect ${wallet.info.name}` }).click();
  await page.getByRole("button", { name: "Sign in with Ethereum" }).click();
  await page.locator("main", { hasText: "Here you can" }).waitFor();

  interface G {
    location: { hash: string };
    document: { querySelectorAll(s: string): { length: number } };
    performance: { now(): number };
    fetch(u: string): Promise<{ ok: boolean; json(): Promise<unknown> }>;
  }
  const renderMs: number[] = [];
  const requestMs: number[] = [];
  for (let run = 0; run < RUNS + 1; run++) {
    // Another screen first, so each measurement starts from a portfolio that is not on the page.
    await page.evaluate(() => {
      (globalThis as unknown as G).location.hash = "#/retirements";
    });
    await screenReady(page, "/retirements");
    const request = await page.evaluate(async (url) => {
      const g = globalThis as unknown as G;
      const start = g.performance.now();
      const res = await g.fetch(url);
      const body = (await res.json()) as { batches: unknown[] };
      if (!res.ok || body.batches.length !== 1000) throw new Error(`portfolio answered ${body.batches.length} rows`);
      return g.performance.now() - start;
    }, `/accounts/${corporate}/portfolio`);
    const render = await page.evaluate(async (rows) => {
      const g = globalThis as unknown as G;
      const start = g.performance.now();
      g.location.hash = "#/portfolio";
      while (g.document.querySelectorAll("table.portfolio tbody tr").length < rows) {
        await new Promise((r) => setTimeout(r, 2));
      }
      return g.performance.now() - start;
    }, BATCHES);
    if (run > 0) {
      // run 0 warms the caches (the page's first load of the screen's code paths, SQLite's pages)
      requestMs.push(request);
      renderMs.push(render);
    }
  }
  if (errors.length > 0) throw new Error(`the page logged errors: ${errors.join("; ")}`);
  const stats = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return {
      median_ms: Math.round(sorted[Math.floor(sorted.length / 2)]!),
      min_ms: Math.round(sorted[0]!),
      max_ms: Math.round(sorted[sorted.length - 1]!),
      runs_ms: xs.map((x) => Math.round(x)),
    };
  };
  const render = stats(renderMs);
  portfolio = {
    batches: BATCHES,
    runs: RUNS,
    hash_change_to_1000_rows: { ...render, target_ms: RENDER_TARGET_MS, met: render.median_ms <= RENDER_TARGET_MS },
    get_portfolio_request_alone: stats(requestMs),
  };
  await context.close();
} finally {
  await browser.close();
  await h.close();
}

// ---- Report ----------------------------------------------------------------------------------------------------

const report = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    loadavg_1m_5m_15m_at_start: loadAtStart,
    loadavg_1m_5m_15m: loadavg().map((x) => +x.toFixed(2)),
    node: process.version,
    note: "a shared machine: other work ran at the same time",
  },
  bundle,
  portfolio,
};
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/app.json", JSON.stringify(report, null, 2) + "\n");

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const line = (name: string, s: { raw: number; gzip: number }, note = "") =>
  console.log(`${name.padEnd(40)} ${kb(s.raw).padStart(10)} ${kb(s.gzip).padStart(10)}  ${note}`);
console.log(`web app build: ${bundle.build_ms} ms`);
console.log(`${"bundle".padEnd(40)} ${"raw".padStart(10)} ${"gzip -9".padStart(10)}  target`);
line("initial JavaScript", initial, `≤ 200 KB gzip ${bundle.met ? "met" : "MISSED"}`);
line("initial on a development chain", bundle.initial_js_on_development_chain);
line("  dev wallet chunk", devWallet);
line("  calculation worker (lot upload)", bundle.calculation_worker);
line("CSS", bundle.css);
const p = portfolio;
console.log(`portfolio of ${BATCHES} batches, ${RUNS} runs       median      min      max  target`);
for (const [name, s, target] of [
  [
    "hash change → 1,000 rows",
    p.hash_change_to_1000_rows,
    `≤ 1 s ${p.hash_change_to_1000_rows.met ? "met" : "MISSED"}`,
  ],
  ["GET /accounts/:a/portfolio alone", p.get_portfolio_request_alone, ""],
] as const) {
  console.log(
    `${name.padEnd(34)} ${`${s.median_ms} ms`.padStart(9)} ${`${s.min_ms} ms`.padStart(8)} ${`${s.max_ms} ms`.padStart(8)}  ${target}`,
  );
}
console.log(
  `(load average ${loadAtStart.join(" / ")} at start, ${report.machine.loadavg_1m_5m_15m.join(" / ")} at end, on ${report.machine.cpus} cores) → bench/results/app.json`,
);
