/**
 * The embedded chain of `npm start`: anvil (core/chain/anvil.ts) on 127.0.0.1 with its state in the data directory.
 * It stays in the terminal's process group, so a Ctrl-C reaches it too; it writes its state on the way out.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

import { JsonRpcProvider, Network } from "ethers";

import { ANVIL_CHAIN_ID, spawnAnvil } from "../../core/chain/anvil.ts";
import { fail, StartError } from "./errors.ts";
import { oneLine } from "./terminal.ts";

export interface EmbeddedChainOptions {
  rpcPort: number;
  blockTime: number;
  stateFile: string;
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

  constructor(options: EmbeddedChainOptions) {
    this.#options = options;
    this.url = `http://127.0.0.1:${options.rpcPort}`;
  }

  /** Whether it was ever started (its state is then saved on the way out). */
  get started(): boolean {
    return this.#child !== undefined;
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

  /** Starts anvil and waits until it answers; a provider for it. */
  async start(): Promise<JsonRpcProvider> {
    const { rpcPort, blockTime, stateFile, onFailure } = this.#options;
    mkdirSync(dirname(stateFile), { recursive: true });
    const child = spawnAnvil({ port: rpcPort, blockTime, stateFile }, ["ignore", "ignore", "pipe"]);
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
    }
    return provider;
  }

  /** Stops it with SIGINT (it writes its state), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const child = this.#child;
    if (!child || !this.running) return;
    await new Promise<void>((resolveExit) => {
      child.once("exit", () => resolveExit());
      child.kill("SIGINT");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    });
  }

  /** Last resort on exit (e.g. a second Ctrl-C): never leave it running; it still writes its state on SIGINT. */
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

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
