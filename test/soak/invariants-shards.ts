/**
 * The soak's contract invariants over several processes (issue 18 item 7): 10,000 fast-check runs in one process
 * take ~25 min on this two-core machine, most of it JavaScript on one thread waiting for EDR or decoding its answers.
 * `runShards` starts `processes` Hardhat mocha processes of test/contracts/invariants.test.ts, shard i with seed
 * `seed + i` (disjoint random streams) and ceil(runs / processes) runs, and adds up what they report. Each shard is
 * the whole property with every check: a failure in any of them fails the soak, with that shard's seed and
 * fast-check's counterexample and replay path. Test code: ITEC_FC_* variables are for test runs only, like
 * ITEC_SOAK (test/soak/scale.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";

/** The line a shard prints when its property held: the JSON of a ShardResult follows. */
export const SHARD_LINE = "invariants shard: ";

export interface ShardResult {
  seed: number;
  runs: number;
  /** How often each kind of operation succeeded over the shard's runs. */
  succeeded: Record<string, number>;
  seconds: number;
}

export interface ShardedResult {
  runs: number;
  processes: number;
  seeds: number[];
  succeeded: Record<string, number>;
  /** Wall time of the slowest shard (they run side by side). */
  seconds: number;
  shards: ShardResult[];
}

/** A test-only count from the environment (a positive integer: ITEC_FC_RUNS …), or `fallback` when unset. */
export function count(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined) return fallback;
  if (!/^[1-9]\d*$/.test(raw)) throw new Error(`${name}: expected a positive integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

const HARDHAT_CLI = "node_modules/hardhat/dist/src/cli.js";
/** How much of a failed shard's output the error keeps: mocha's failure report with fast-check's counterexample. */
const KEEP_OUTPUT = 20_000;

function runShard(file: string, seed: number, runs: number, children: Set<ChildProcess>): Promise<ShardResult> {
  const started = performance.now();
  const env = { ...process.env, ITEC_FC_SHARD: "1", ITEC_FC_SEED: String(seed), ITEC_FC_RUNS: String(runs) };
  // The parent compiled already; the shards must not race each other's build.
  const child = spawn(process.execPath, [HARDHAT_CLI, "test", "mocha", "--no-compile", file], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4 * KEEP_OUTPUT);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      children.delete(child);
      const line = output.split("\n").find((l) => l.includes(SHARD_LINE));
      if (code === 0 && line) {
        const reported = JSON.parse(line.slice(line.indexOf(SHARD_LINE) + SHARD_LINE.length)) as Omit<
          ShardResult,
          "seconds"
        >;
        resolve({ ...reported, seconds: Math.round((performance.now() - started) / 1000) });
        return;
      }
      const replay = `ITEC_FC_SEED=${seed} ITEC_FC_RUNS=${runs} npx hardhat test mocha ${file}`;
      reject(
        new Error(
          `invariants shard with seed ${seed} (${runs} runs) failed: exit ${code ?? signal}; replay: ${replay}\n` +
            output.slice(-KEEP_OUTPUT),
        ),
      );
    });
  });
}

/** Runs the property `runs` times in all over `processes` processes; throws with every failed shard's report. */
export async function runShards(file: string, runs: number, seed: number, processes: number): Promise<ShardedResult> {
  const each = Math.ceil(runs / processes);
  const seeds = Array.from({ length: processes }, (_, i) => seed + i);
  const children = new Set<ChildProcess>();
  // A parent that stops (Ctrl-C, mocha's timeout) takes its shards with it.
  const stop = () => {
    for (const child of children) child.kill("SIGTERM");
  };
  process.once("exit", stop);
  try {
    const settled = await Promise.allSettled(seeds.map((s) => runShard(file, s, each, children)));
    const failures = settled.flatMap((s) => (s.status === "rejected" ? [String((s.reason as Error).message)] : []));
    if (failures.length > 0)
      throw new Error(`${failures.length} of ${processes} shards failed:\n\n${failures.join("\n\n")}`);
    const shards = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const succeeded: Record<string, number> = {};
    for (const shard of shards) {
      for (const [kind, n] of Object.entries(shard.succeeded)) succeeded[kind] = (succeeded[kind] ?? 0) + n;
    }
    return {
      runs: shards.reduce((sum, s) => sum + s.runs, 0),
      processes,
      seeds,
      succeeded,
      seconds: Math.max(...shards.map((s) => s.seconds)),
      shards,
    };
  } finally {
    process.removeListener("exit", stop);
    stop();
  }
}
