/**
 * Chain reads cached per block: a poller follows the head (eth_blockNumber), and every cached value belongs
 * to the head it was read at, so a new block invalidates everything at once. Hot public reads (verification,
 * balances) then cost a map lookup instead of several JSON-RPC calls.
 */
import type { JsonRpcProvider } from "ethers";
import type { Logger } from "pino";

export class HeadCache {
  #head = -1;
  #values = new Map<string, Promise<unknown>>();
  #timer: NodeJS.Timeout | undefined;
  #reachable = true;
  readonly #provider: JsonRpcProvider;
  readonly #maxEntries: number;
  readonly #log: Logger | undefined;

  constructor(provider: JsonRpcProvider, options: { maxEntries?: number; logger?: Logger } = {}) {
    this.#provider = provider;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#log = options.logger;
  }

  /** The last head seen (−1 before the first poll). */
  get head(): number {
    return this.#head;
  }

  get reachable(): boolean {
    return this.#reachable;
  }

  /** Reads the head now; clears the cache when it moved. */
  async refresh(): Promise<number> {
    try {
      const head = await this.#provider.getBlockNumber();
      this.#reachable = true;
      if (head !== this.#head) {
        this.#head = head;
        this.#values.clear();
      }
      return head;
    } catch (error) {
      if (this.#reachable) this.#log?.warn({ err: (error as Error).message }, "chain head unavailable");
      this.#reachable = false;
      this.#values.clear();
      throw error;
    }
  }

  start(pollMs: number): void {
    this.stop();
    const tick = () => {
      this.refresh().catch(() => undefined);
    };
    this.#timer = setInterval(tick, pollMs);
    this.#timer.unref();
    tick();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The value of `key` at the current head, loading it once per block. Failures are not cached. */
  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.#head < 0 || !this.#reachable) await this.refresh();
    const hit = this.#values.get(key);
    if (hit) return hit as Promise<T>;
    if (this.#values.size >= this.#maxEntries) this.#values.clear();
    const value = load();
    this.#values.set(key, value);
    value.catch(() => {
      if (this.#values.get(key) === value) this.#values.delete(key);
    });
    return value;
  }
}
