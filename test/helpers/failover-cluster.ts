/**
 * Two `itec serve` instances as an operator runs them for failover, with real processes: a separate anvil mining a
 * block every second, one deployed registry, ONE oracle store (today the same ITEC_DB_PATH SQLite file; the oracle
 * on PostgreSQL once DATABASE_URL carries it), ONE index (PostgreSQL in a fresh schema when ITEC_TEST_DATABASE_URL
 * is set, else one shared SQLite file), one session secret, one oracle key, a short worker lease, and a round-robin
 * proxy in front (round-robin.ts) whose URL is both instances' public URL. Each instance can be SIGKILLed and
 * restarted as a supervisor would; their JSON logs are read for the worker-lease events.
 *
 * Distinct hosts: where `unshare --uts` works (root on Linux), each instance runs under its own host name, so
 * the worker lease can only pass by EXPIRY — the path two machines take. Otherwise both share this host and a
 * standby takes over at once when it sees the holder's pid gone (leases.ts), and the figures say which it was.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

import pg from "pg";

import { ACCOUNTS, deployOverRpc, freePort, startTestChain, type DeployedRegistry, type TestChain } from "./chain.ts";
import { startRoundRobin, type RoundRobinProxy } from "./round-robin.ts";

export interface ClusterOptions {
  /** The worker lease, ms (ITEC_WORKER_LEASE_MS). */
  leaseMs: number;
  /** Each instance under its own host name when the machine allows it (see the file comment). Default true. */
  distinctHosts?: boolean;
  /** The oracle worker's pass interval, ms. */
  pollMs?: number;
}

/** A worker-lease event read from an instance's log. */
export interface LeaseEvent {
  instance: string;
  generation: number;
  pid: number;
  /** Unix ms, the instance's own log time. */
  time: number;
  kind: "acquired" | "took over" | "lost";
  /** For a takeover: why the previous holder's lease could be taken ("expired", "holder process gone"). */
  why?: string;
}

/** A batch advanced by a worker (read from an instance's log). */
export interface AdvanceEvent {
  instance: string;
  generation: number;
  pid: number;
  time: number;
  msg: string;
  batch: string | undefined;
}

export interface Instance {
  name: string;
  /** The host name it runs under (this host's when hosts are shared). */
  host: string;
  url: string;
  /** Starts counting at 1; a restart after a kill is the next generation. */
  generation: number;
  pid: number | undefined;
  alive(): boolean;
  /** Everything it printed (all generations), for a failure message. */
  output(): string;
}

export interface Cluster {
  chain: TestChain;
  deployed: DeployedRegistry;
  proxy: RoundRobinProxy;
  instances: readonly Instance[];
  leaseMs: number;
  distinctHosts: boolean;
  /** Where the index lives: "postgres" (fresh schema) or "sqlite". The oracle store: ITEC_DB_PATH (SQLite). */
  index: "postgres" | "sqlite";
  /**
   * Where the oracle's jobs went: "sqlite" when the ITEC_DB_PATH file holds them, "postgres" when it holds none and
   * DATABASE_URL is set (the oracle on PostgreSQL, wt-oracle) — read, not assumed, so the figures stay right.
   */
  oracleStore(): "sqlite" | "postgres" | "none";
  leaseEvents: readonly LeaseEvent[];
  advances: readonly AdvanceEvent[];
  /** The instance that holds the worker lease now (latest acquisition by a live process), if any. */
  holder(): Instance | undefined;
  /** SIGKILL; resolves once the process is gone. Returns the kill time (ms). */
  kill(instance: Instance): Promise<number>;
  /** Starts the instance again (next generation) and waits until it answers /ready. */
  start(instance: Instance): Promise<void>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

export function canUseDistinctHosts(): boolean {
  if (process.platform !== "linux") return false;
  const probe = spawnSync("unshare", ["--uts", "sh", "-c", "hostname itec-probe"], { stdio: "ignore" });
  return probe.status === 0;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const distinctHosts = (options.distinctHosts ?? true) && canUseDistinctHosts();
  const chain = await startTestChain("anvil", { blockTime: 1 });
  const cleanups: (() => Promise<void> | void)[] = [() => chain.stop()];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
  };
  try {
    const deployed = await deployOverRpc(chain, { auditors: 2 });
    const dir = mkdtempSync(join(tmpdir(), "itec-failover-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

    // The index: a fresh PostgreSQL schema per run (named in the URL's `options`, which `pg` passes to the
    // server as `-c search_path=…`), dropped at the end; else one SQLite file both instances index into.
    let databaseUrl: string | undefined;
    const pgUrl = process.env.ITEC_TEST_DATABASE_URL;
    if (pgUrl) {
      const schema = `itec_failover_${process.pid}_${randomBytes(3).toString("hex")}`;
      await pgQuery(pgUrl, `CREATE SCHEMA ${schema}`);
      cleanups.push(() => pgQuery(pgUrl, `DROP SCHEMA ${schema} CASCADE`));
      const url = new URL(pgUrl);
      url.searchParams.set("options", `-c search_path=${schema}`);
      databaseUrl = url.toString();
    }

    const ports = [await freePort(), await freePort()];
    const proxy = await startRoundRobin(ports.map((p) => `http://127.0.0.1:${p}`));
    cleanups.push(() => proxy.close());

    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k, v]) => !k.startsWith("ITEC_") && k !== "DATABASE_URL" && v !== undefined),
    ) as Record<string, string>;
    const shared: Record<string, string> = {
      ...clean,
      ITEC_RPC_URL: chain.url,
      ITEC_REGISTRY_ADDRESS: deployed.address,
      ITEC_REGISTRY_DEPLOY_BLOCK: String(deployed.deployBlock),
      ITEC_CHAIN_ID: "1337",
      ITEC_GAS_PRICE: "0",
      // The harness polls /ready every 100 ms across restarts, from one address, into one shared rate bucket.
      ITEC_RATE_LIMIT_READY: "100000",
      // One oracle store and one key for both: the worker lease decides which of them posts.
      ITEC_DB_PATH: join(dir, "registry.db"),
      ITEC_ORACLE_DEV_ACCOUNT: String(ACCOUNTS.oracle),
      ITEC_WORKER_LEASE_MS: String(options.leaseMs),
      // A worker sends only while a third of its lease is left (the default 10 s margin needs a longer lease).
      ITEC_BROADCAST_MARGIN_MS: String(Math.floor(options.leaseMs / 3)),
      ITEC_POLL_MS: String(options.pollMs ?? 100),
      ITEC_INDEX_POLL_MS: "250",
      ITEC_HEAD_POLL_MS: "250",
      // One secret: a token either instance issued is accepted by the other.
      ITEC_SESSION_SECRET: randomBytes(32).toString("hex"),
      // Behind the proxy on loopback: each client's own X-Forwarded-For address is its rate-limit bucket.
      ITEC_TRUST_PROXY: "loopback",
      // Both answer under the proxy's URL: the sign-in domain, every link, and the evidence URI auditors sign
      // (it is part of the attestation, so both instances must build the same one).
      ITEC_PUBLIC_URL: proxy.url,
      ITEC_EVIDENCE_BASE_URL: proxy.url,
      // info: the worker-lease and batch events are read from the log.
      ITEC_LOG_LEVEL: "info",
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    };

    const leaseEvents: LeaseEvent[] = [];
    const advances: AdvanceEvent[] = [];
    const instances = ports.map((port, i) =>
      makeInstance(String.fromCharCode(65 + i), port, shared, distinctHosts, leaseEvents, advances),
    );
    cleanups.push(async () => {
      for (const inst of instances) await inst.terminate();
    });
    await Promise.all(instances.map((inst) => inst.start()));

    return {
      chain,
      deployed,
      proxy,
      instances,
      leaseMs: options.leaseMs,
      distinctHosts,
      index: databaseUrl ? "postgres" : "sqlite",
      oracleStore() {
        const file = shared.ITEC_DB_PATH!;
        let lots = 0;
        if (existsSync(file)) {
          const db = new DatabaseSync(file, { readOnly: true });
          try {
            const hasLots = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'lots'").get();
            lots = hasLots ? Number((db.prepare("SELECT count(*) AS n FROM lots").get() as { n: number }).n) : 0;
          } finally {
            db.close();
          }
        }
        return lots > 0 ? "sqlite" : databaseUrl ? "postgres" : "none";
      },
      leaseEvents,
      advances,
      holder() {
        for (let i = leaseEvents.length - 1; i >= 0; i--) {
          const e = leaseEvents[i]!;
          if (e.kind === "lost") continue;
          const inst = instances.find((x) => x.name === e.instance)!;
          return inst.alive() && inst.generation === e.generation ? inst : undefined;
        }
        return undefined;
      },
      kill: (inst) => (inst as ManagedInstance).kill(),
      start: (inst) => (inst as ManagedInstance).start(),
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

interface ManagedInstance extends Instance {
  start(): Promise<void>;
  kill(): Promise<number>;
  terminate(): Promise<void>;
}

function makeInstance(
  name: string,
  port: number,
  shared: Record<string, string>,
  distinctHosts: boolean,
  leaseEvents: LeaseEvent[],
  advances: AdvanceEvent[],
): ManagedInstance {
  const host = distinctHosts ? `itec-${name.toLowerCase()}` : "(this host)";
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let out = "";
  const inst: ManagedInstance = {
    name,
    host,
    url,
    generation: 0,
    pid: undefined,
    alive: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    output: () => out,
    async start() {
      const generation = ++inst.generation;
      const env = { ...shared, ITEC_API_PORT: String(port) };
      const argv = [process.execPath, "bin/itec.js", "serve"];
      // `unshare --uts` runs the command in its own host-name namespace (same pid, network and files): to the
      // lease it is another machine. `exec` keeps the pid the test kills the node process's own.
      child = distinctHosts
        ? spawn("unshare", ["--uts", "sh", "-c", `hostname ${host} && exec "$@"`, "sh", ...argv], { env })
        : spawn(argv[0]!, argv.slice(1), { env });
      const proc = child;
      inst.pid = proc.pid;
      exited = new Promise((resolve) => proc.once("exit", () => resolve()));
      // "close": the process is gone AND its output is read (an early exit's message arrives after "exit").
      const closed = new Promise<string>((resolve) =>
        proc.once("close", (code, signal) => resolve(`code ${code ?? "-"}, signal ${signal ?? "-"}`)),
      );
      let partial = "";
      const onData = (d: Buffer) => {
        const text = d.toString();
        out += text.replace(/^/gm, `[${name}${generation}] `).replace(/\[\w+\] $/, "");
        partial += text;
        const lines = partial.split("\n");
        partial = lines.pop()!;
        for (const line of lines) readLogLine(line, name, generation, proc.pid!, leaseEvents, advances);
      };
      proc.stdout!.on("data", onData);
      proc.stderr!.on("data", (d: Buffer) => (out += d.toString().replace(/^/gm, `[${name}${generation}!] `)));
      const deadline = Date.now() + START_TIMEOUT_MS;
      for (;;) {
        if (proc.exitCode !== null) {
          const how = await closed;
          throw new Error(`instance ${name} exited at start (${how}):\n${out.slice(-4000)}`);
        }
        if (Date.now() > deadline) throw new Error(`instance ${name} did not become ready:\n${out.slice(-4000)}`);
        const ready = await fetch(`${url}/ready`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ready) return;
        await sleep(100);
      }
    },
    async kill() {
      const at = Date.now();
      child?.kill("SIGKILL");
      await exited;
      return at;
    },
    async terminate() {
      if (!inst.alive()) return;
      child!.kill("SIGTERM");
      await Promise.race([exited, sleep(5_000)]);
      if (inst.alive()) {
        child!.kill("SIGKILL");
        await exited;
      }
    },
  };
  return inst;
}

function readLogLine(
  line: string,
  instance: string,
  generation: number,
  pid: number,
  leaseEvents: LeaseEvent[],
  advances: AdvanceEvent[],
): void {
  if (!line.startsWith("{")) return;
  let entry: { time?: number; msg?: string; why?: string; batch?: string };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return;
  }
  const { msg = "", time = Date.now() } = entry;
  // The messages of oracle/src/pipeline/lease.ts and issuance.ts.
  const kind = msg.startsWith("took over the worker lease")
    ? "took over"
    : msg === "worker lease acquired"
      ? "acquired"
      : msg.startsWith("worker lease lost")
        ? "lost"
        : undefined;
  if (kind) leaseEvents.push({ instance, generation, pid, time, kind, ...(entry.why ? { why: entry.why } : {}) });
  if (/^(issue transaction sent|transaction re-broadcast|batch confirmed)/.test(msg)) {
    advances.push({ instance, generation, pid, time, msg, batch: entry.batch });
  }
}

async function pgQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
