/**
 * `npm ci`'s prepare step in a clone: npm runs `prepare` for the project itself, never for an installed package,
 * and runs it under the project's Node 22 (node_modules/.bin is first on PATH). Heals Hardhat's native simulator
 * binding: npm running under the system Node 20 silently skips `@nomicfoundation/edr`'s platform package (its
 * engines say Node >= 22), so install again under Node 22, which adds it (ADR 0001). Nothing to do for a
 * production install (`--omit=dev`: no Hardhat) or when the binding loads.
 *
 * Then builds the web app (app/ → app/dist/, ~1 s), so `npm start` and `itec serve` in a fresh clone serve it
 * without a step a newcomer would not know to run (docs/adr/0050-web-app.md).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

import { appIsCurrent, buildApp } from "./app.ts";

if (existsSync("node_modules/hardhat")) {
  try {
    await import("@nomicfoundation/edr");
  } catch {
    process.stdout.write(
      "prepare: npm skipped Hardhat's native simulator binding under a Node older than 22; installing it under the " +
        "project's Node 22 (docs/adr/0001-toolchain.md)\n",
    );
    const npm = spawnSync("npm", ["install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund"], {
      stdio: "inherit",
    });
    process.exitCode = npm.status ?? 1;
  }
}

if (existsSync("node_modules/vite") && process.exitCode === undefined && !appIsCurrent()) {
  await buildApp();
  process.stdout.write("prepare: built the web app (app/dist)\n");
}
