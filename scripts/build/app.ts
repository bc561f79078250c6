/**
 * Builds the web app (app/ → app/dist/, docs/adr/0050-web-app.md) with Vite, and says whether a build is current.
 *
 * A clone builds it in `npm ci`'s prepare step and again in `npm start` when its sources changed since (the
 * stamp below), so the app a newcomer opens is never older than the code beside it; the package ships the built
 * files (prepack). The stamp is a sha256 over every file the bundle is made from — app/ (but dist/), sdk/src/,
 * core/calc/ and the lock file — written to app/dist/.source-sha256 after a successful build.
 *
 * `node scripts/build/app.ts` builds; `--if-stale` builds only when the stamp differs.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const APP_DIST = join(ROOT, "app", "dist");
const STAMP = join(APP_DIST, ".source-sha256");
const SOURCES = ["app", "sdk/src", "core/calc", "package-lock.json"];

function* files(path: string): Generator<string> {
  if (!existsSync(path)) return;
  if (statSync(path).isFile()) {
    yield path;
    return;
  }
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name === "dist" || entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    yield* files(join(path, entry.name));
  }
}

/** The sha256 of the app's sources (paths and bytes). */
export function appSourceHash(): string {
  const hash = createHash("sha256");
  for (const source of SOURCES) {
    for (const file of files(join(ROOT, source))) {
      hash.update(relative(ROOT, file)).update("\0").update(readFileSync(file)).update("\0");
    }
  }
  return hash.digest("hex");
}

/** Whether app/dist holds a build of the current sources. */
export function appIsCurrent(): boolean {
  return existsSync(STAMP) && readFileSync(STAMP, "utf8").trim() === appSourceHash();
}

/** Builds app/dist with Vite (a devDependency: only a clone builds) and stamps it. */
export async function buildApp(): Promise<void> {
  const hash = appSourceHash();
  const { build } = await import("vite");
  await build({ configFile: join(ROOT, "app", "vite.config.ts"), logLevel: "warn" });
  // The public verify page's recomputation (app/src/verify/recompute.ts), at a fixed name the page imports.
  await build({
    configFile: false,
    logLevel: "warn",
    build: {
      outDir: join(APP_DIST, "verify"),
      emptyOutDir: true,
      target: "es2022",
      minify: true,
      lib: {
        entry: join(ROOT, "app", "src", "verify", "recompute.ts"),
        formats: ["es"],
        fileName: () => "recompute.js",
      },
    },
  });
  writeFileSync(STAMP, `${hash}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--if-stale") && appIsCurrent()) {
    process.stdout.write("web app: app/dist is current\n");
  } else {
    const started = Date.now();
    await buildApp();
    process.stdout.write(`web app: built app/dist in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}
