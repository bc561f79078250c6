/**
 * The run time a fresh clone uses (ADR 0004): every module the CLI, the API and `npm start` load runs under plain
 * Node — its own type stripping, no tsx, no build — and `itec` loads only the command it runs.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";

import { COMMANDS, buildProgram } from "../../scripts/itec.ts";
import { PACKAGE } from "../../core/package.ts";

/** Runs a module script under the project's Node with no loader (exactly how bin/itec.js and npm start run). */
function plainNode(script: string, args: string[] = []) {
  return spawnSync(process.execPath, ["--input-type=module", "-e", script, ...args], {
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

describe("run time: plain Node, no build step", function () {
  it("loads every run-time module under Node's type stripping (erasable syntax, resolvable imports)", function () {
    // scripts/start.ts runs on import (npm start); the e2e start test runs it. Everything else is imported here.
    const modules = [
      "scripts/commands",
      "scripts/lib",
      "scripts/start",
      "sdk/src",
      "core",
      "oracle/src",
      "indexer",
      "api/src",
    ].flatMap(sources);
    modules.push("scripts/itec.ts");
    expect(modules.length).to.be.greaterThan(80);
    const script = `for (const m of process.argv.slice(1)) await import("./" + m);`;
    const run = plainNode(script, modules);
    expect(run.stderr, run.stderr).to.not.match(/Error/);
    expect(run.status).to.equal(0);
  });

  it("`itec --help` and `--version` load no command module and no ethers", function () {
    // module.registerHooks (Node >= 22.15) sees every import the run resolves, in this thread
    const script = `
      import { registerHooks } from "node:module";
      const seen = [];
      registerHooks({ resolve(s, c, next) { seen.push(s); return next(s, c); } });
      const { buildProgram } = await import("./scripts/itec.ts");
      for (const argv of [["--help"], ["--version"]]) {
        const program = await buildProgram(["node", "itec", ...argv]);
        program.exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
        try { await program.parseAsync(["node", "itec", ...argv]); } catch {}
      }
      process.stdout.write(JSON.stringify(seen));`;
    const run = plainNode(script);
    expect(run.status, run.stderr).to.equal(0);
    const seen = JSON.parse(run.stdout) as string[];
    expect(seen).to.include("commander"); // the hook saw the run
    expect(seen.filter((s) => s === "ethers" || s.includes("/commands/"))).to.deep.equal([]);
  });

  it("lists each command with the summary its own module registers", async function () {
    for (const [name, entry] of Object.entries(COMMANDS)) {
      const program = await buildProgram(["node", "itec", name]);
      const command = program.commands.find((c) => c.name() === name);
      expect(command, name).to.not.equal(undefined);
      expect(command!.commands.length + command!.options.length, `${name} is loaded in full`).to.be.greaterThan(0);
      expect(command!.summary() || command!.description(), name).to.equal(entry.summary);
    }
  });

  it("`itec --version` prints the package version, also when started by a system Node older than 22.18", function () {
    const ours = spawnSync(process.execPath, ["bin/itec.js", "--version"], { encoding: "utf8" });
    expect(ours.status, ours.stderr).to.equal(0);
    expect(ours.stdout.trim()).to.equal(PACKAGE.version);
    // CI's and many machines' system Node is 20: bin/itec.js hands over to the project's own Node 22
    const system = spawnSync("/usr/bin/node", ["--version"], { encoding: "utf8" });
    if (system.status !== 0) this.skip();
    const old = spawnSync("/usr/bin/node", ["bin/itec.js", "--version"], { encoding: "utf8" });
    expect(old.status, old.stderr).to.equal(0);
    expect(old.stdout.trim()).to.equal(PACKAGE.version);
  });

  it("an unknown command is three lines: the error, the nearest command, where the list is", function () {
    const run = spawnSync(process.execPath, ["bin/itec.js", "lott"], { encoding: "utf8" });
    expect(run.status).to.equal(1);
    expect(run.stderr.trim().split("\n")).to.deep.equal([
      "error: unknown command 'lott'",
      "(Did you mean lot?)",
      "(npx itec --help lists the commands)",
    ]);
  });
});
