/**
 * The README's five-minute tour, run literally. Every command of the ```sh blocks under "## Five-minute tour" runs,
 * in order, through bash in the repository root, against a registry started as the README starts it —
 * `npm start -- --port P --rpc-port R --data-dir <tmp>` on free ports and a fresh data directory, so the ids the
 * README names (lot L2, batch #7, retirement #2) are the ones it gets.
 *
 * The CLI is pointed at that registry the way the README says to reach "another one": ITEC_API_URL, ITEC_RPC_URL and
 * ITEC_REGISTRY_ADDRESS. The one rewrite: `http://127.0.0.1:8080` in a command (the integrator's curl) becomes the
 * test's API URL. Each command must exit 0 and its stdout + stderr must contain every `# →` line written under it
 * ("…" separates fragments that must appear in that order). Commands that only read are retried until their output
 * appears (the oracle mints and the indexer catches up asynchronously); commands that change state run once.
 * Files the tour writes into the repository root (its `--pdf` / `--out` paths) are removed afterwards.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { freePort } from "../helpers/chain.ts";

const ROOT = process.cwd();
const DEFAULT_API = "http://127.0.0.1:8080";

interface TourCommand {
  /** The command exactly as written (continuation lines included). */
  readonly command: string;
  /** The `# →` lines under it: what its output must contain. */
  readonly expect: readonly string[];
}

/** The commands of the ```sh blocks of the README's tour section, with what each is said to show. */
function tourCommands(readme: string): TourCommand[] {
  const start = readme.search(/^## Five-minute tour$/m);
  if (start < 0) throw new Error('README.md has no "## Five-minute tour" section');
  const rest = readme.slice(start + 1);
  const end = rest.search(/^## /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  const commands: { command: string; expect: string[] }[] = [];
  for (const block of section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    let pending = "";
    for (const line of block[1]!.split("\n")) {
      if (pending !== "") {
        pending += `\n${line}`;
        if (!line.endsWith("\\")) {
          commands.push({ command: pending, expect: [] });
          pending = "";
        }
        continue;
      }
      const expected = /^# → (.+)$/.exec(line);
      if (expected !== null) {
        const last = commands.at(-1);
        if (last === undefined) throw new Error(`"${line}" comes before any command`);
        last.expect.push(expected[1]!);
      } else if (line.trim() === "" || line.startsWith("#")) {
        continue;
      } else if (line.endsWith("\\")) {
        pending = line;
      } else {
        commands.push({ command: line, expect: [] });
      }
    }
    if (pending !== "") throw new Error(`a command ends in a continuation: ${pending}`);
  }
  return commands;
}

/** A command that changes nothing: safe to run again until the state it reads has caught up. */
function readOnly(command: string): boolean {
  return (
    /^npx itec (lot (status|list)|participant (list|show)|auditor (list|review)|cert (balance|show)|verify retirement)\b/.test(
      command,
    ) ||
    (/^curl /.test(command) && !/ -X /.test(command))
  );
}

/** Does `output` contain the fragments of `expected` ("…"-separated) in that order? */
function shows(output: string, expected: string): boolean {
  let at = 0;
  for (const fragment of expected.split("…").map((f) => f.trim())) {
    const found = output.indexOf(fragment, at);
    if (found < 0) return false;
    at = found + fragment.length;
  }
  return true;
}

interface Result {
  code: number | null;
  output: string;
}

function sh(command: string, env: NodeJS.ProcessEnv): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", command], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe("README five-minute tour", function () {
  this.timeout(300_000);

  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const tour = tourCommands(readme);

  describe("tourCommands", () => {
    it("finds the tour's commands, each with what it shows", () => {
      expect(tour.length).to.be.at.least(10);
      for (const c of tour) expect(c.expect, c.command).to.not.be.empty;
      expect(tour.map((c) => c.command.split(" ").slice(0, 3).join(" "))).to.include.members([
        "npx itec participant",
        "npx itec lot",
        "npx itec auditor",
        "npx itec retire",
        "npx itec verify",
      ]);
    });

    it("joins continuation lines and attaches each # → line to the command above it", () => {
      const parsed = tourCommands(
        "## Five-minute tour\n\n```sh\na 1 \\\n  2\n# → x\n# not shown\nb\n# → y … z\n```\n\n## Next\n\n```sh\nc\n```\n",
      );
      expect(parsed).to.deep.equal([
        { command: "a 1 \\\n  2", expect: ["x"] },
        { command: "b", expect: ["y … z"] },
      ]);
    });
  });

  describe("shows", () => {
    it("finds the …-separated fragments in order, and only in order", () => {
      expect(shows("#7     server         1", "#7 … server")).to.equal(true);
      expect(shows("#7     server         1", "server … #7")).to.equal(false);
      expect(shows("lot L2 submitted", "lot L3")).to.equal(false);
    });
  });

  describe("run against npm start", () => {
    let dataDir: string;
    let api: string;
    let env: NodeJS.ProcessEnv;
    let server: ReturnType<typeof spawn> | undefined;
    let serverOut = "";
    let serverExit: Promise<number | null> = Promise.resolve(null);
    const rootBefore = new Set(readdirSync(ROOT));

    before(async () => {
      const check = await sh("command -v curl", process.env);
      if (check.code !== 0)
        throw new Error("the README's integrator example needs curl on PATH (apt-get install curl)");
      dataDir = mkdtempSync(join(tmpdir(), "itec-readme-"));
      const [port, rpcPort] = [await freePort(), await freePort()];
      api = `http://127.0.0.1:${port}`;
      const child = spawn(
        "npm",
        ["start", "--", "--port", String(port), "--rpc-port", String(rpcPort), "--data-dir", dataDir],
        { cwd: ROOT, env: process.env, stdio: ["ignore", "pipe", "pipe"] },
      );
      server = child;
      child.stdout.on("data", (d: Buffer) => (serverOut += d.toString()));
      child.stderr.on("data", (d: Buffer) => (serverOut += d.toString()));
      serverExit = new Promise((resolve) => child.once("close", (code) => resolve(code)));
      const deadline = Date.now() + 150_000;
      while (!serverOut.includes("The registry is running")) {
        const exited = await Promise.race([serverExit.then(() => true), sleep(100).then(() => false)]);
        if (exited) throw new Error(`npm start exited:\n${serverOut}`);
        if (Date.now() > deadline) throw new Error(`npm start did not finish its first start:\n${serverOut}`);
      }
      const { registry } = JSON.parse(readFileSync(join(dataDir, "deployment.json"), "utf8")) as { registry: string };
      env = { ...process.env, ITEC_API_URL: api, ITEC_RPC_URL: `http://127.0.0.1:${rpcPort}` };
      env.ITEC_REGISTRY_ADDRESS = registry;
      // The tour signs with --dev-account only: no key may leak in from the caller's environment.
      for (const name of ["ITEC_PRIVATE_KEY", "ITEC_KEYSTORE", "ITEC_KEYSTORE_PASSWORD"]) delete env[name];
    });

    after(async () => {
      if (server !== undefined && server.exitCode === null) {
        // Ctrl-C to npm start's own process (its pid is in the data directory's lock), as a user's terminal would.
        const lock = join(dataDir, "start.lock");
        if (existsSync(lock)) process.kill(Number(readFileSync(lock, "utf8").trim()), "SIGINT");
        else server.kill("SIGINT");
        const stopped = await Promise.race([serverExit.then(() => true), sleep(20_000).then(() => false)]);
        if (!stopped) server.kill("SIGKILL");
      }
      // What the tour wrote into the repository root: its --pdf/--html/--out paths (and the prefix's files).
      const written = tour.flatMap((c) => [...c.command.matchAll(/--(?:pdf|html|out) (\S+)/g)].map((m) => m[1]!));
      for (const name of readdirSync(ROOT)) {
        if (!rootBefore.has(name) && written.some((w) => name === w || name.startsWith(`${w}.`))) {
          rmSync(join(ROOT, name), { force: true });
        }
      }
      if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    });

    it("every command exits 0 and shows what the README says, in order", async () => {
      for (const { command, expect: shown } of tour) {
        const literal = command.replaceAll(DEFAULT_API, api);
        const deadline = Date.now() + (readOnly(command) ? 30_000 : 0);
        let result: Result;
        for (;;) {
          result = await sh(literal, env);
          const missing = shown.filter((s) => !shows(result.output, s));
          if (result.code === 0 && missing.length === 0) break;
          if (Date.now() >= deadline) {
            expect.fail(
              `README command failed: ${command}\nexit ${result.code}; missing: ${missing.map((m) => `"${m}"`).join(", ")}\n` +
                `--- output ---\n${result.output}`,
            );
          }
          await sleep(500);
        }
      }
    });
  });
});
