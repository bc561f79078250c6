/**
 * `npm run test:anvil`: the services' end-to-end tests against a separate anvil node mining a block a second.
 * Those tests spend their time waiting for blocks, not computing, so their files run as concurrent groups: each
 * group is its own `hardhat test mocha` process with ITEC_TEST_CHAIN=anvil, which starts its own anvil on a free
 * port and its own servers on free ports and temporary directories (test/helpers/chain.ts). Output is streamed
 * with a `[group]` prefix; at the end one mocha-style summary (`N passing`, `M failing`, always both) counts every
 * group, which .ci/run reads. Red when any group exits non-zero, fails a test, or reports no passing test.
 *
 * Usage: node scripts/test/anvil.ts [--jobs N] [--only LABEL,...] [--no-build]   (default 4 groups at a time)
 */
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";

import { countsOf, GROUPS, type Group } from "./anvil-groups.ts";

/** Hardhat's CLI under this very Node (22), whatever `node` comes first on PATH. */
const HARDHAT = "node_modules/hardhat/dist/src/cli.js";

interface Outcome {
  label: string;
  order: number;
  status: number | null;
  passing: number;
  failing: number;
  pending: number;
  seconds: number;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

const children = new Set<ReturnType<typeof spawn>>();

function runGroup(group: Group, order: number): Promise<Outcome> {
  const started = Date.now();
  const args = [
    "test",
    "mocha",
    "--no-compile",
    ...(group.grep ? ["--grep", group.grep] : []),
    ...(group.grepExclude ? ["--grep-exclude", group.grepExclude] : []),
    ...group.files,
  ];
  // Every group runs against its own anvil, uncoloured; the children inherit this process's environment.
  process.env.ITEC_TEST_CHAIN = "anvil";
  process.env.FORCE_COLOR = "0";
  // Its own process group, so that a stop reaches the anvil and servers it started.
  const child = spawn(process.execPath, [HARDHAT, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  children.add(child);
  let output = "";
  const prefix = `[${group.label}] `;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      output += `${line}\n`;
      process.stdout.write(`${prefix}${line}\n`);
    });
  }
  return new Promise((resolve) => {
    child.once("error", (error) => {
      output += `${error.message}\n`;
      process.stdout.write(`${prefix}${error.message}\n`);
    });
    child.once("close", (code, signal) => {
      children.delete(child);
      const seconds = Math.round((Date.now() - started) / 1000);
      resolve({ label: group.label, order, status: signal ? 128 : code, ...countsOf(output), seconds });
    });
  });
}

function stopAll(signal: NodeJS.Signals): void {
  for (const child of children) {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  }
  process.exit(130);
}

async function main(): Promise<number> {
  const jobs = Number(option("--jobs") ?? 4);
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error("--jobs takes a positive integer");
  const only = option("--only")?.split(",");
  const groups = only ? GROUPS.filter((g) => only.includes(g.label)) : [...GROUPS];
  if (groups.length === 0) throw new Error(`--only names none of ${GROUPS.map((g) => g.label).join(", ")}`);
  process.once("SIGINT", () => stopAll("SIGINT"));
  process.once("SIGTERM", () => stopAll("SIGTERM"));

  // Compile once, before the groups start (each runs with --no-compile: no two builds race on artifacts). Even
  // with nothing to compile the build rewrites types/ (typechain), so a caller that built already and runs other
  // tests meanwhile (.ci/run runs this beside `npm test`) passes --no-build.
  if (!process.argv.includes("--no-build")) {
    const build = spawnSync(process.execPath, [HARDHAT, "build", "--quiet"], { stdio: "inherit" });
    if (build.status !== 0) return build.status ?? 1;
  }

  const started = Date.now();
  const queue = groups.map((group, order) => ({ group, order }));
  const outcomes: Outcome[] = [];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) outcomes.push(await runGroup(next.group, next.order));
  };
  await Promise.all(Array.from({ length: Math.min(jobs, groups.length) }, worker));

  const total = { passing: 0, failing: 0, pending: 0 };
  let red = false;
  process.stdout.write(`\ntest:anvil groups (${jobs} at a time):\n`);
  for (const o of outcomes.sort((a, b) => a.order - b.order)) {
    const bad = o.status !== 0 || o.failing > 0 || o.passing === 0;
    red ||= bad;
    total.passing += o.passing;
    total.failing += o.failing;
    total.pending += o.pending;
    process.stdout.write(
      `  ${bad ? "✖" : "✔"} ${o.label}: ${o.passing} passed, ${o.failing} failed, ${o.pending} pending, ` +
        `exit ${o.status}, ${o.seconds}s\n`,
    );
  }
  const wall = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`\n  ${total.passing} passing (${wall}s)\n`);
  if (total.pending > 0) process.stdout.write(`  ${total.pending} pending\n`);
  process.stdout.write(`  ${total.failing} failing\n\n`);
  return red ? 1 : 0;
}

process.exitCode = await main();
