/**
 * The Dockerfile (issue 16 item 2), parsed — not grepped — and checked for what no Docker engine here can: its stages,
 * pinned bases on the project's own Node release, a non-root runtime without devDependencies, a HEALTHCHECK that works
 * (run against an HTTP server), COPY sources that exist and are not ignored, a build context without secrets, and a
 * command the CLI has. Then the runtime stage's steps are run without Docker: `npm pack` (the build stage's output),
 * the stage's COPY and npm RUN instructions as written, and its ENTRYPOINT + CMD.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { VARIABLES } from "../../core/config.ts";
import { PACKAGE } from "../../core/package.ts";
import { COMMANDS } from "../../scripts/itec.ts";

interface Instruction {
  keyword: string;
  /** `--name=value` flags before the arguments (FROM, COPY, RUN, HEALTHCHECK). */
  flags: Record<string, string>;
  /** The arguments after the flags, continuation lines joined. */
  args: string;
  /** The arguments in exec (JSON array) form, when written so. */
  exec?: string[];
  line: number;
}
interface Stage {
  base: string;
  name?: string;
  instructions: Instruction[];
}

/** Dockerfile syntax as BuildKit reads it: comments, `\` continuations, flags, exec (JSON) or shell form. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i]!.trim();
    if (logical === "" || logical.startsWith("#")) continue;
    while (logical.endsWith("\\")) {
      logical = logical.slice(0, -1);
      // comment lines inside a continued instruction are dropped, as Docker does
      do i++;
      while (i < lines.length && lines[i]!.trim().startsWith("#"));
      logical += ` ${lines[i]?.trim() ?? ""}`;
    }
    const [, word = "", rest = ""] = /^(\S+)\s*(.*)$/s.exec(logical) ?? [];
    const flags: Record<string, string> = {};
    let args = rest.trim();
    for (let m; (m = /^--([a-z-]+)=(\S+)\s*/.exec(args));) {
      flags[m[1]!] = m[2]!;
      args = args.slice(m[0].length);
    }
    const instruction: Instruction = { keyword: word.toUpperCase(), flags, args, line: start + 1 };
    if (args.startsWith("[")) instruction.exec = JSON.parse(args) as string[];
    if (instruction.keyword === "FROM") {
      const [base = "", as, name] = args.split(/\s+/);
      expect(as === undefined || as.toUpperCase() === "AS", `line ${start + 1}`).to.equal(true);
      stages.push({ base, ...(name ? { name } : {}), instructions: [] });
    } else {
      expect(stages.length, `line ${start + 1}: ${word} before FROM`).to.be.greaterThan(0);
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return stages;
}

/** .dockerignore as Docker applies it: Go-style globs, `**`, a matched directory excludes its contents, `!` last wins. */
export function dockerIgnored(patterns: string, path: string): boolean {
  let ignored = false;
  for (const raw of patterns.split("\n").map((l) => l.trim())) {
    if (raw === "" || raw.startsWith("#")) continue;
    const negate = raw.startsWith("!");
    const glob = (negate ? raw.slice(1) : raw).replace(/^\/+/, "").replace(/\/+$/, "");
    let source = "";
    for (let k = 0; k < glob.length; k++) {
      const c = glob[k]!;
      if (glob.startsWith("**/", k)) {
        source += "(?:.*/)?";
        k += 2;
      } else if (glob.startsWith("**", k)) {
        source += ".*";
        k += 1;
      } else if (c === "*") source += "[^/]*";
      else if (c === "?") source += "[^/]";
      else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
    if (new RegExp(`^${source}(?:/.*)?$`).test(path)) ignored = !negate;
  }
  return ignored;
}

const dockerfile = readFileSync("Dockerfile", "utf8");
const dockerignore = readFileSync(".dockerignore", "utf8");
const stages = parseDockerfile(dockerfile);
const runtime = stages.at(-1)!;
const of = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
  packages: Record<string, { version: string }>;
};
const tracked = spawnSync("git", ["ls-files"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);

describe("Dockerfile", function () {
  it("has a build stage, a deploy stage on it, and a runtime stage last, on pinned bases", function () {
    expect(stages.map((s) => s.name)).to.deep.equal(["build", "deploy", "runtime"]);
    expect(stages[1]!.base).to.equal("build");
    // The image runs the Node release the project's tests run on (its devDependency `node`, ADR 0001).
    const node = `node:${lock.packages["node_modules/node"]!.version}-bookworm-slim`;
    for (const stage of stages.filter((s) => !stages.some((t) => t.name === s.base))) {
      expect(stage.base, stage.name).to.equal(node);
    }
  });

  it("runs the runtime stage as a non-root user, after everything that needs root", function () {
    const users = of(runtime, "USER");
    expect(users.length).to.be.greaterThan(0);
    const last = users.at(-1)!;
    expect(["root", "0", "0:0"]).to.not.include(last.args);
    for (const keyword of ["RUN", "COPY"]) {
      for (const i of of(runtime, keyword)) expect(i.line, `${keyword} at ${i.line}`).to.be.lessThan(last.line);
    }
    // The build stage (and so the deploy stage, which the compose file runs) is not root either.
    expect(of(stages[0]!, "USER").map((u) => u.args)).to.deep.equal(["node"]);
    expect(of(stages[1]!, "USER")).to.deep.equal([]);
  });

  it("installs production dependencies only, from the lockfile, and copies no sources into the runtime", function () {
    const installs = of(runtime, "RUN").filter((r) => /\bnpm (ci|install|i)\b/.test(r.args));
    expect(installs.length).to.equal(1);
    expect(installs[0]!.args)
      .to.match(/\bnpm ci\b/)
      .and.match(/--omit=dev\b/);
    const fromContext = of(runtime, "COPY").filter((c) => !c.flags.from);
    expect(fromContext.flatMap((c) => c.args.split(/\s+/).slice(0, -1))).to.deep.equal([
      "package.json",
      "package-lock.json",
      ".npmrc",
    ]);
    // From the build stage: only the packed package (what package.json "files" ships), where the build unpacked it.
    const fromBuild = of(runtime, "COPY").filter((c) => c.flags.from);
    expect(fromBuild.map((c) => [c.flags.from, c.args])).to.deep.equal([["build", "/tmp/pack/package/ ./"]]);
    expect(
      of(stages[0]!, "RUN").some((r) => /npm pack --pack-destination \/tmp\/pack\b.*-C \/tmp\/pack$/.test(r.args)),
    ).to.equal(true);
  });

  it("copies only files that exist and that .dockerignore lets into the context", function () {
    for (const stage of stages) {
      for (const copy of of(stage, "COPY").filter((c) => !c.flags.from)) {
        for (const source of copy.args.split(/\s+/).slice(0, -1)) {
          if (source === ".") continue;
          expect(existsSync(source), `${source} (line ${copy.line})`).to.equal(true);
          expect(dockerIgnored(dockerignore, source), `${source} is ignored`).to.equal(false);
        }
      }
    }
  });

  it("sends no secret, local state or build output in the build context", function () {
    for (const path of [
      ".env",
      "consortium/.env",
      "consortium/validator-1/key",
      "consortium/secrets/itec_session_secret",
      "secrets/besu_deployer_key",
      "oracle.keystore.json",
      "tls/server.key",
      ".itec/registry.db",
      "node_modules/ethers/package.json",
      "dist/scripts/itec.js",
      ".git/config",
    ]) {
      expect(dockerIgnored(dockerignore, path), path).to.equal(true);
    }
    const context = tracked.filter((path) => !dockerIgnored(dockerignore, path));
    expect(context).to.include.members(["package.json", "scripts/itec.ts", "contracts/ITECRegistry.sol"]);
    expect(context.filter((p) => /(^|\/)(\.env(\..*)?|key|secrets?)$|\.(key|pem)$|keystore/i.test(p))).to.deep.equal(
      [],
    );
    expect(
      of(runtime, "ENV")
        .map((e) => e.args)
        .join(" "),
    ).to.not.match(/KEY|SECRET|PASSWORD/);
  });

  it("sets only variables core/config.ts declares, and exposes the API's port", function () {
    const env = Object.fromEntries(
      of(runtime, "ENV").flatMap((e) => [...e.args.matchAll(/([A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])),
    );
    expect(Object.keys(env).filter((k) => k !== "NODE_ENV" && !(k in VARIABLES))).to.deep.equal([]);
    expect(env.ITEC_API_HOST).to.equal("0.0.0.0");
    expect(of(runtime, "EXPOSE").map((e) => e.args)).to.deep.equal([env.ITEC_API_PORT]);
  });

  it("starts `node bin/itec.js serve`: a command the CLI has", function () {
    expect(of(runtime, "ENTRYPOINT").map((e) => e.exec)).to.deep.equal([["node", "bin/itec.js"]]);
    const cmd = of(runtime, "CMD").map((e) => e.exec);
    expect(cmd).to.deep.equal([["serve"]]);
    expect(COMMANDS).to.have.property("serve");
    expect((JSON.parse(readFileSync("package.json", "utf8")) as { files: string[] }).files).to.include("bin/");
  });

  it("has a HEALTHCHECK that passes when /health answers 200 and fails otherwise", async function () {
    const [check] = of(runtime, "HEALTHCHECK");
    expect(check?.flags).to.include.keys("interval", "timeout", "retries");
    const [word, ...command] = check!.args.split(/\s+/);
    expect(word).to.equal("CMD");
    const exec = JSON.parse(command.join(" ")) as string[];
    expect(exec[0]).to.equal("node");
    let status = 200;
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? "");
      res.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = String((server.address() as AddressInfo).port);
    // Asynchronously: the server answers from this process.
    const run = (env: Record<string, string>) =>
      new Promise<number | null>((resolve) => {
        spawn(process.execPath, exec.slice(1), { env, stdio: "ignore" }).on("exit", resolve);
      });
    try {
      expect(await run({ ITEC_API_PORT: port })).to.equal(0);
      status = 503;
      expect(await run({ ITEC_API_PORT: port })).to.equal(1);
      expect(paths).to.deep.equal(["/health", "/health"]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await run({ ITEC_API_PORT: port })).to.equal(1); // nothing listening
  });
});

describe("Dockerfile: the runtime stage's steps, run without Docker", function () {
  this.timeout(600_000);
  let dir: string;
  let app: string;
  const skipped: string[] = [];

  before(function () {
    dir = mkdtempSync(join(tmpdir(), "itec-dockerfile-"));
    // The build stage's output: the clone (all dependencies) packed, and unpacked where the runtime copies it from.
    const pack = join(dir, "pack");
    mkdirSync(pack);
    const packed = spawnSync("npm", ["pack", "--pack-destination", pack, "--silent"], { encoding: "utf8" });
    expect(packed.status, packed.stderr).to.equal(0);
    const tarball = readdirSync(pack).find((f) => f.endsWith(".tgz"))!;
    expect(spawnSync("tar", ["-xzf", join(pack, tarball), "-C", pack]).status).to.equal(0);

    app = join(dir, "app");
    mkdirSync(app);
    for (const step of runtime.instructions) {
      if (step.keyword === "COPY" && step.flags.from === "build") {
        cpSync(join(pack, "package"), app, { recursive: true });
      } else if (step.keyword === "COPY") {
        for (const source of step.args.split(/\s+/).slice(0, -1)) cpSync(source, join(app, source));
      } else if (step.keyword === "RUN" && /^npm /.test(step.args)) {
        // As written, except that here the packages come from this machine's npm cache (tests use loopback only,
        // and `npm ci` has filled that cache), which the image's trailing `npm cache clean` must not empty.
        const command = step.args.replace(/\s*&&\s*npm cache clean --force\s*$/, "");
        const run = spawnSync("sh", ["-c", command], {
          cwd: app,
          encoding: "utf8",
          env: { ...process.env, npm_config_prefer_offline: "true" },
        });
        expect(run.status, run.stderr).to.equal(0);
      } else if (step.keyword === "RUN") {
        skipped.push(step.args);
      }
    }
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("leaves out only the steps that set up system paths (the data directory)", function () {
    const words = skipped.map((args) => args.replace(/\s+/g, " "));
    expect(words).to.deep.equal(["mkdir -p /var/lib/itec && chown node:node /var/lib/itec"]);
  });

  it("installs no devDependency and no TypeScript source", function () {
    for (const dev of ["hardhat", "tsx", "typescript", "node", "@foundry-rs/anvil", "ajv"]) {
      expect(existsSync(join(app, "node_modules", dev)), dev).to.equal(false);
    }
    expect(existsSync(join(app, "scripts", "itec.ts"))).to.equal(false);
    expect(existsSync(join(app, "dist", "scripts", "itec.js"))).to.equal(true);
  });

  it("runs ENTRYPOINT + CMD: `itec --version` and `itec serve --help` on the compiled package", function () {
    const entry = of(runtime, "ENTRYPOINT")[0]!.exec!;
    const cmd = of(runtime, "CMD")[0]!.exec!;
    // `node` is the image's Node 22; here, this test's own (the project's Node 22)
    const itec = (...args: string[]) =>
      spawnSync(process.execPath, [...entry.slice(1), ...args], { cwd: app, encoding: "utf8" });
    expect(itec("--version").stdout.trim()).to.equal(PACKAGE.version);
    const help = itec(...cmd, "--help");
    expect(help.status, help.stderr).to.equal(0);
    expect(help.stdout).to.match(/^Usage: itec serve/);
  });
});
