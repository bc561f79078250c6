/**
 * The embedded chain of `npm start`, on 127.0.0.1 with its state in the data directory (`<data-dir>/chain`). It stays
 * in the terminal's process group, so a Ctrl-C reaches it too. Two kinds (ADR 0062):
 *
 * - "edr" (the default): Hardhat's EDR behind the block journal (core/chain/edr-node.ts) — every mined block is
 *   appended to `chain/blocks.jsonl` and fsynced before its reply leaves, so a crash loses no acknowledged
 *   transaction; each start replays the journal. Its cost per block stays flat as the registry grows.
 * - "anvil" (`--chain anvil`): anvil (core/chain/anvil.ts), snapshotted by this process (chain-snapshots.ts), never
 *   by anvil itself: anvil rewrites its whole file in place, and a kill during that write left a torn file (issue
 *   18). Each start loads the newest intact generation (core/chain/snapshot-store.ts, ADR 0054).
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { JsonRpcProvider, Network } from "ethers";

import { ANVIL_CHAIN_ID, spawnAnvil } from "../../core/chain/anvil.ts";
import { READY_LINE, spawnEdrNode } from "../../core/chain/edr-process.ts";
import { SnapshotStore, SnapshotTornError, type Restored } from "../../core/chain/snapshot-store.ts";
import { ChainSnapshots } from "./chain-snapshots.ts";
import { fail, StartError } from "./errors.ts";
import { oneLine, say } from "./terminal.ts";

/** Which chain runs: the journaled EDR (default) or anvil with snapshot generations. */
export type ChainKind = "edr" | "anvil";

/** The journal of the "edr" chain, in the state directory. */
export const JOURNAL_FILE = "blocks.jsonl";

/** How long the "edr" chain may take to replay its journal and answer. */
const EDR_READY_MS = 600_000;

export interface EmbeddedChainOptions {
  /** Default "edr". */
  chain?: ChainKind | undefined;
  rpcPort: number;
  blockTime: number;
  /** Where its journal or snapshots live (`<data-dir>/chain`). */
  stateDir: string;
  /** "anvil": a snapshot at most this often, when the chain changed. */
  snapshotSeconds: number;
  /** TEST ONLY: a pause half-way through each snapshot write. */
  snapshotPauseMs?: number | undefined;
  /** Throws once a stop is under way (then nothing is reported). */
  guard: () => void;
  /** The chain failed after it started (or could not start): report it and stop everything. */
  onFailure: (error: StartError) => void;
}

export class EmbeddedChain {
  readonly url: string;
  readonly #options: EmbeddedChainOptions;
  #child: ChildProcess | undefined;
  #stderr = "";
  #stopping = false;
  #snapshots: ChainSnapshots | undefined;
  #edrVersion = "";
  #stdout = "";

  constructor(options: EmbeddedChainOptions) {
    this.#options = options;
    this.url = `http://127.0.0.1:${options.rpcPort}`;
  }

  get kind(): ChainKind {
    return this.#options.chain ?? "edr";
  }

  /** The "edr" chain's journal. */
  get journal(): string {
    return join(this.#options.stateDir, JOURNAL_FILE);
  }

  /** Whether it was ever started (its state is then saved on the way out). */
  get started(): boolean {
    return this.#child !== undefined;
  }

  /** The chain's process id (for measuring it), once started. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** The snapshots' last write (generation and duration), once one was written. */
  get lastSnapshot(): ChainSnapshots["last"] {
    return this.#snapshots?.last;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** One line on how it runs, for the terminal. */
  describe(): string {
    const { blockTime } = this.#options;
    const blocks = blockTime > 0 ? `, a block every ${blockTime} s` : ", a block per transaction";
    if (this.kind === "edr") {
      return (
        `EDR ${this.#edrVersion} on ${this.url} (chain id ${ANVIL_CHAIN_ID}, Cancun, zero gas price${blocks}; ` +
        `every block journaled to ${this.journal})`
      );
    }
    return `anvil on ${this.url} (chain id ${ANVIL_CHAIN_ID}, Cancun, zero gas price${blocks})`;
  }

  /** Starts the chain and waits until it answers; a provider for it. */
  async start(): Promise<JsonRpcProvider> {
    mkdirSync(this.#options.stateDir, { recursive: true });
    return this.kind === "edr" ? this.#startEdr() : this.#startAnvil();
  }

  /** The journaled EDR: replays its journal, then serves; no snapshot loop (the journal is the persistence). */
  async #startEdr(): Promise<JsonRpcProvider> {
    const { rpcPort, blockTime, stateDir } = this.#options;
    const child = spawnEdrNode({ dir: stateDir, port: rpcPort, blockTime }, ["ignore", "pipe", "pipe"]);
    this.#watch(child, "EDR");
    child.stdout!.on("data", (d: Buffer) => (this.#stdout = (this.#stdout + d.toString()).slice(-4000)));
    const ready = await this.#waitForLine();
    this.#edrVersion = ready[4] ?? "";
    for (const note of this.#stderr.trim().split("\n").filter(Boolean)) say(`chain: ${note.replace(/^chain: /, "")}`);
    if (Number(ready[2]) > 0) say(`chain: replayed ${ready[2]} blocks from ${this.journal} in ${ready[3]} ms`);
    return new JsonRpcProvider(this.url, Network.from(ANVIL_CHAIN_ID), { staticNetwork: true, pollingInterval: 200 });
  }

  /** anvil from the newest intact snapshot, then the snapshot loop. */
  async #startAnvil(): Promise<JsonRpcProvider> {
    const { rpcPort, blockTime, stateDir } = this.#options;
    const store = new SnapshotStore(stateDir);
    const restored = restore(store);
    // anvil's --load-state reads plain JSON from a file: the generation, decompressed, for the time it starts.
    const loadState = restored.json ? join(stateDir, "loading.json") : undefined;
    if (loadState) writeFileSync(loadState, restored.json!);
    const child = spawnAnvil({ port: rpcPort, blockTime, loadState }, ["ignore", "ignore", "pipe"]);
    this.#watch(child, "anvil");
    const provider = new JsonRpcProvider(this.url, Network.from(ANVIL_CHAIN_ID), {
      staticNetwork: true,
      pollingInterval: 200,
    });
    try {
      await this.#waitUntilReady(provider);
    } catch (error) {
      provider.destroy();
      throw error;
    } finally {
      if (loadState) rmSync(loadState, { force: true });
    }
    const { from } = restored;
    if (from) say(`chain: loaded snapshot ${from.file}${from.block === undefined ? "" : ` (block ${from.block})`}`);
    // Its own provider: the services' one is closed before the chain's last snapshot is taken.
    const own = new JsonRpcProvider(this.url, Network.from(ANVIL_CHAIN_ID), { staticNetwork: true });
    this.#snapshots = new ChainSnapshots({
      store,
      provider: own,
      intervalMs: this.#options.snapshotSeconds * 1000,
      restoredBlock: from?.block,
      pauseMs: this.#options.snapshotPauseMs,
      onError: (error) => say(`chain: a snapshot failed (the next one retries): ${oneLine(error)}`),
    });
    this.#snapshots.start();
    return provider;
  }

  /** The child's stderr kept (its last line is the failure), and an unexpected exit reported. */
  #watch(child: ChildProcess, name: string): void {
    const { onFailure } = this.#options;
    this.#child = child;
    child.stderr!.on("data", (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-4000)));
    child.once("error", (error) => {
      if (!this.#stopping) onFailure(new StartError(`cannot start the embedded chain (${name}): ${oneLine(error)}`));
    });
    child.once("exit", (code, signal) => {
      if (this.#stopping) return;
      // A Ctrl-C at the terminal reaches the chain and this process at the same time: let ours arrive first.
      setTimeout(() => {
        if (!this.#stopping)
          onFailure(new StartError(`the embedded chain exited (${signal ?? code}): ${this.#failure()}`));
      }, 500);
    });
  }

  /** "edr": waits for its `ready` line; an exit before it is the one-line failure (exit 2: its journal's fix). */
  async #waitForLine(): Promise<RegExpExecArray> {
    const { guard } = this.#options;
    const deadline = Date.now() + EDR_READY_MS;
    for (;;) {
      guard();
      const ready = READY_LINE.exec(this.#stdout);
      if (ready) return ready;
      if (!this.running) {
        await sleep(500); // a Ctrl-C that reached the chain too: let our own handler run first
        guard();
        fail(this.#portInUse() ? this.#portMessage() : `the embedded chain did not start: ${this.#failure()}`);
      }
      if (Date.now() > deadline) fail(`the embedded chain did not answer within ${EDR_READY_MS / 1000} s`);
      await sleep(50);
    }
  }

  /** Takes a last snapshot ("anvil"), then stops it with SIGINT, SIGKILL after 10 s. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const child = this.#child;
    if (!child || !this.running) return;
    try {
      await this.#snapshots?.stop();
    } catch (error) {
      say(`chain: the last snapshot failed (${oneLine(error)}); the previous one is intact`);
    } finally {
      this.#snapshots?.close();
    }
    await new Promise<void>((resolveExit) => {
      child.once("exit", () => resolveExit());
      child.kill("SIGINT");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    });
  }

  /** Last resort on exit (e.g. a second Ctrl-C): never leave it running ("anvil" loses what came since its last snapshot). */
  stopNow(): void {
    this.#stopping = true;
    if (this.running) this.#child!.kill("SIGINT");
  }

  async #waitUntilReady(provider: JsonRpcProvider): Promise<void> {
    const { guard } = this.#options;
    for (let i = 0; i < 150; i++) {
      guard();
      try {
        await provider.getBlockNumber();
        return;
      } catch {
        if (!this.running) {
          await sleep(500); // a Ctrl-C that reached the chain too: let our own handler run first
          guard();
          fail(
            this.#portInUse()
              ? this.#portMessage()
              : `the embedded chain did not start: ${this.#stderr.trim().split("\n").at(-1) ?? ""}`,
          );
        }
        await sleep(100);
      }
    }
    fail("the embedded chain did not answer within 15 s");
  }

  #failure(): string {
    if (this.#portInUse()) return this.#portMessage();
    const last =
      this.#stderr
        .trim()
        .split("\n")
        .at(-1)
        ?.replace(/^chain: /, "") || "no message";
    // The journaled chain refuses a journal it cannot replay (exit 2): npm start's own way to start a new chain.
    return this.kind === "edr" && this.#child?.exitCode === 2
      ? `${last} (npm start -- --fresh starts a new chain)`
      : last;
  }

  #portInUse(): boolean {
    return /address already in use/i.test(this.#stderr);
  }

  #portMessage(): string {
    return `port ${this.#options.rpcPort} is in use: pass --rpc-port`;
  }
}

/** The newest intact generation, what happened on the way said on the terminal; none intact: the one-line fix. */
function restore(store: SnapshotStore): Restored {
  try {
    const restored = store.restore();
    for (const note of restored.notes) say(`chain: ${note}`);
    return restored;
  } catch (error) {
    if (error instanceof SnapshotTornError) fail(error.message);
    throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
