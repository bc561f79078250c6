/**
 * A production install (ADR 0004), both ways: the project packed with `npm pack` (which compiles dist/) and
 * installed with `--omit=dev` into an empty directory, and a clone installed with `npm ci --omit=dev` (sources run
 * with Node's type stripping) — each runs `itec` on Node 22 with no devDependency present: `--version`, the
 * calculation on the sample lot, and `serve --help`.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { PACKAGE } from "../../core/package.ts";

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 300_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} → ${result.status}\n${result.stderr}`);
  return result;
}

describe("production install: npm pack, then npm install --omit=dev", function () {
  this.timeout(600_000);
  let dir: string;
  let itec: (...args: string[]) => SpawnSyncReturns<string>;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), "itec-pack-"));
    run("npm", ["pack", "--pack-destination", dir, "--silent"], process.cwd());
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
    expect(tarball, "npm pack wrote a tarball").to.not.equal(undefined);
    const app = join(dir, "app");
    run("mkdir", [app], dir);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "operator", private: true }));
    run("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", join("..", tarball!)], app);
    const bin = join(app, "node_modules", ".bin", "itec");
    // the project's Node 22 (this test's own): the machine's system Node may be older
    itec = (...args) => run(process.execPath, [bin, ...args], app);
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("installs the compiled package without sources or devDependencies", function () {
    const pkg = join(dir, "app", "node_modules", "itec-registry");
    expect(existsSync(join(pkg, "dist", "scripts", "itec.js"))).to.equal(true);
    expect(existsSync(join(pkg, "scripts", "itec.ts")), "no TypeScript sources").to.equal(false);
    for (const dev of ["hardhat", "tsx", "typescript", "@foundry-rs/anvil", "@openzeppelin/contracts"]) {
      expect(existsSync(join(dir, "app", "node_modules", dev)), dev).to.equal(false);
    }
  });

  it("runs `itec --version`", function () {
    expect(itec("--version").stdout.trim()).to.equal(PACKAGE.version);
  });

  it("runs `itec calc` on the shipped sample lot, with the same figures as from the clone", function () {
    const lot = join(dir, "app", "node_modules", "itec-registry", "data", "samples", "demo-lot.csv");
    const installed = JSON.parse(itec("calc", lot, "--json").stdout) as { reportHash: string };
    const clone = spawnSync(process.execPath, ["bin/itec.js", "calc", "data/samples/demo-lot.csv", "--json"], {
      encoding: "utf8",
    });
    expect(installed.reportHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(installed.reportHash).to.equal((JSON.parse(clone.stdout) as { reportHash: string }).reportHash);
  });

  it("runs `itec serve --help`", function () {
    expect(itec("serve", "--help").stdout).to.match(/^Usage: itec serve/);
  });
});

describe("production install: a clone with npm ci --omit=dev", function () {
  this.timeout(600_000);
  let dir: string;

  before(function () {
    // the tracked files as they are in this working tree (a clone of it, uncommitted changes included)
    dir = mkdtempSync(join(tmpdir(), "itec-omit-dev-"));
    const files = run("git", ["ls-files", "-z"], process.cwd()).stdout.split("\0").filter(Boolean);
    for (const file of files) {
      if (!existsSync(file)) continue;
      mkdirSync(join(dir, file, ".."), { recursive: true });
      cpSync(file, join(dir, file));
    }
    // npm runs `prepare` here too, under the system Node (no project Node without devDependencies): it must pass
    run("npm", ["ci", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline"], dir);
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("installs no devDependency and runs itec --version, calc and serve --help", function () {
    for (const dev of ["hardhat", "tsx", "typescript", "node", "@foundry-rs/anvil"]) {
      expect(existsSync(join(dir, "node_modules", dev)), dev).to.equal(false);
    }
    const itec = (...args: string[]) => run(process.execPath, ["bin/itec.js", ...args], dir);
    expect(itec("--version").stdout.trim()).to.equal(PACKAGE.version);
    expect(itec("calc", "data/samples/demo-lot.csv").stdout).to.match(/43 devices: 35 eligible/);
    expect(itec("serve", "--help").stdout).to.match(/^Usage: itec serve/);
  });
});
