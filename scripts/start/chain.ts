/**
 * The embedded chain of `npm start`: anvil (core/chain/anvil.ts) on 127.0.0.1 with its state in the data directory.
 * It stays in the terminal's process group, so a Ctrl-C reaches it too. Its state is snapshotted by this process
 * (chain-snapshots.ts), never by anvil itself: anvil rewrites its whole file in place, and a kill during that write
 * left a torn file (issue 18). Each start loads the newest intact generation (core/chain/snapshot-store.ts).
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { JsonRpcProvider, Network } from "ethers";

import { ANVIL_CHAIN_ID, spawnAnvil } from "../../core/chain/anvil.ts";
import { SnapshotStore, SnapshotTornError, type Restored } from "../../core/chain/snapshot-store.ts";
import { ChainSnapshots } from "./chain-snapshots.ts";
import { fail, StartError } from "./errors.ts";
import { oneLine, say } from "./terminal.ts";

export interface EmbeddedChainOptions {
  rpcPort: number;
  blockTime: number;
  /** Where its snapshots live (`<data-dir>/chain`). */
  stateDir: string;
  /** A snapshot at most this often, when the chain changed. */
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

  constructor(options: EmbeddedChainOptions) {
    this.#options = options;
    this.url = `http://127.0.0.1:${options.rpcPort}`;
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
    return `anvil on ${this.url} (chain id ${ANVIL_CHAIN_ID}, Cancun, zero gas price${blocks})`;
  }

  /** Starts anvil from the newest intact snapshot and waits until it answers; a provider for it. */
  async start(): Promise<JsonRpcProvider> {
    const { rpcPort, blockTime, stateDir, onFailure } = this.#options;
    mkdirSync(stateDir, { recursive: true });
    const store = new SnapshotStore(stateDir);
    const restored = restore(store);
    // anvil's --load-state reads plain JSON from a file: the generation, decompressed, for the time it starts.
    const loadState = restored.json ? join(stateDir, "loading.json") : undefined;
    if (loadState) writeFileSync(loadState, restored.json!);
    const child = spawnAnvil({ port: rpcPort, blockTime, loadState }, ["ignore", "ignore", "pipe"]);
    this.#child = child;
    child.stderr!.on("data", (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-4000)));
    child.once("error", (error) => {
      if (!this.#stopping) onFailure(new StartError(`cannot start the embedded chain (anvil): ${oneLine(error)}`));
    });
    child.once("exit", (code, signal) => {
      if (this.#stopping) return;
      // A Ctrl-C at the terminal reaches the chain and this process at the same time: let ours arrive first.
      setTimeout(() => {
        if (!this.#stopping)
          onFailure(new StartError(`the embedded chain exited (${signal ?? code}): ${this.#failure()}`));
      }, 500);
    });
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

  /** Takes a last snapshot, then stops it with SIGINT, SIGKILL after 10 s. */
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

  /** Last resort on exit (e.g. a second Ctrl-C): never leave it running (what a crash loses: since the last snapshot). */
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
    return this.#stderr.trim().split("\n").at(-1) ?? "no message";
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
