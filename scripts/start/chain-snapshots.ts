/**
 * When the embedded chain's state is snapshotted (core/chain/snapshot-store.ts writes it): only when the head moved
 * since the last snapshot, at most every `intervalMs`, and never more than a tenth of the time (a snapshot of a
 * large registry takes longer: the gap grows to ten times the last snapshot's duration, so write cost stays bounded
 * as the registry grows). A clean stop takes a last snapshot, so a Ctrl-C loses nothing; a crash loses the blocks
 * after the last snapshot (docs/operations.md, "What a crash can lose").
 */
import type { JsonRpcProvider } from "ethers";

import type { Generation, SnapshotStore } from "../../core/chain/snapshot-store.ts";

/** `npm start`'s snapshot interval: what a crash can lose (docs/operations.md). */
export const SNAPSHOT_SECONDS = 5;

export interface ChainSnapshotsOptions {
  store: SnapshotStore;
  provider: JsonRpcProvider;
  intervalMs: number;
  /** The head block the restored generation holds (nothing to write until it moves). */
  restoredBlock: number | undefined;
  /** TEST ONLY: a pause half-way through each write. */
  pauseMs?: number | undefined;
  /** A snapshot failed (the chain keeps running; the next one retries). */
  onError: (error: unknown) => void;
}

export class ChainSnapshots {
  readonly #options: ChainSnapshotsOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #lastBlock: number | undefined;
  #nextAt = 0;
  #stopped = false;
  /** The last generation written, and how long it took (ms). */
  last: { generation: Generation; ms: number } | undefined;

  constructor(options: ChainSnapshotsOptions) {
    this.#options = options;
    this.#lastBlock = options.restoredBlock;
  }

  start(): void {
    const tick = () => {
      if (this.#stopped) return;
      this.#running = this.#maybeSnapshot().finally(() => {
        this.#running = undefined;
        if (!this.#stopped) this.#timer = setTimeout(tick, 500);
      });
    };
    this.#timer = setTimeout(tick, 500);
  }

  /** Stops the loop and takes a last snapshot if the head moved (a clean stop loses nothing). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    await this.snapshot();
  }

  /** Releases its provider. */
  close(): void {
    this.#options.provider.destroy();
  }

  /** A snapshot now if the head moved since the last one. */
  async snapshot(): Promise<void> {
    const { provider, store, pauseMs } = this.#options;
    // Straight from the chain: ethers' getBlockNumber may answer from a cache, and a stop must see the last block.
    const block = Number(await provider.send("eth_blockNumber", []));
    if (block === this.#lastBlock) return;
    const began = Date.now();
    const hex = (await provider.send("anvil_dumpState", [])) as string;
    const generation = await store.write(Buffer.from(hex.slice(2), "hex"), block, pauseMs);
    this.#lastBlock = block;
    this.last = { generation, ms: Date.now() - began };
  }

  async #maybeSnapshot(): Promise<void> {
    if (Date.now() < this.#nextAt) return;
    try {
      await this.snapshot();
    } catch (error) {
      if (!this.#stopped) this.#options.onError(error);
    }
    const took = this.last?.ms ?? 0;
    this.#nextAt = Date.now() + Math.max(this.#options.intervalMs, 10 * took);
  }
}
