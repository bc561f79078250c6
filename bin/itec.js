#!/usr/bin/env node
// Entry of the `itec` command (ADR 0004). In a clone it runs the TypeScript sources as they are, with Node's
// built-in type stripping (Node >= 22.18: no build step, no transpiler); an installed package runs the JavaScript
// compiled into dist/ when the package was packed (`npm pack` runs `npm run build:dist`).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { fileURLToPath, URL } from "node:url";

const source = new URL("../scripts/itec.ts", import.meta.url);
const fromSource = existsSync(source);
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
const needed = fromSource ? [22, 18] : [22, 13]; // type stripping by default / node:sqlite without a flag

if (major < needed[0] || (major === needed[0] && minor < needed[1])) {
  // e.g. `node_modules/.bin/itec` run directly where the system Node is 20: use the project's own Node 22
  const own = fileURLToPath(new URL("../node_modules/node/bin/node", import.meta.url));
  if (fromSource && existsSync(own)) {
    const run = spawnSync(own, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
    process.exit(run.status ?? 1);
  }
  process.stderr.write(`itec: needs Node.js >= ${needed.join(".")} (this is ${process.version})\n`);
  process.exit(1);
}
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- a computed specifier: scripts/itec.ts `main`
const { main } = await import(fromSource ? source.href : "../dist/scripts/itec.js");
// eslint-disable-next-line @typescript-eslint/no-unsafe-call
await main(process.argv);
