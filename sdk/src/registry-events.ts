/**
 * The registry's events a verification reads (reader.ts), each found without scanning the chain where the contract
 * says where it is: a retirement's CertificatesRetired in the one block `retirement(id).blockNumber` names; a claim's
 * RetirementReplaced and a batch's BatchReversed by their id's topic (read only for a claim or batch that has one); a
 * batch's BatchIssued at a remembered or hinted block, else by its id's topic over the whole chain in one call, else
 * — through a node that refuses so wide a range (Besu's `--rpc-max-logs-range`) — by `LogRanges.locateSequential` in
 * bounded ranges.
 */
import type { Provider } from "ethers";

import type { LogRanges } from "./logs.ts";
import type { ITECRegistry } from "./registry.ts";

/** Batch event locations remembered across blocks (they never move on a final chain). */
const MAX_LOCATIONS = 10_000;

/** A block's number and time. */
export interface BlockPoint {
  number: number;
  timestamp: number;
}

export interface RegistryEventsOptions {
  provider: Provider;
  registry: ITECRegistry;
  logs: LogRanges;
  /** No event is searched for before this block. */
  fromBlock: number;
  /** Where batch `batchId`'s BatchIssued probably is (only narrows the search). */
  hint?: ((batchId: bigint) => Promise<number | null | undefined>) | undefined;
  /** The latest block (throws when the node has none). */
  latestBlock: () => Promise<BlockPoint>;
}

export class RegistryEvents {
  readonly #o: RegistryEventsOptions;
  /** Batch id → block of its BatchIssued, as last found; checked with a one-block query before it is trusted. */
  readonly #located = new Map<bigint, number>();

  constructor(options: RegistryEventsOptions) {
    this.#o = options;
  }

  /** CertificatesRetired of retirement `id`, from block `block` (the one `retirement(id).blockNumber` names). */
  async certificatesRetired(id: bigint, block: number) {
    const r = this.#o.registry;
    if (block < 1) return undefined;
    const [event] = await r.queryFilter(r.filters.CertificatesRetired(id), block, block);
    return event;
  }

  /** The RetirementReplaced events of retirement `id` (not before its block `retiredAt`), oldest first. */
  async retirementReplaced(id: bigint, retiredAt: number) {
    const r = this.#o.registry;
    const head = await this.#o.provider.getBlockNumber();
    return this.#o.logs.wide(retiredAt, head, (from, to) => r.queryFilter(r.filters.RetirementReplaced(id), from, to));
  }

  /** The BatchReversed of batch `id` (not before its issuance block `notBefore`), or undefined when not found. */
  async batchReversed(id: bigint, notBefore: number) {
    const r = this.#o.registry;
    const head = await this.#o.provider.getBlockNumber();
    const [event] = await this.#o.logs.wide(Math.max(this.#o.fromBlock, notBefore), head, (from, to) =>
      r.queryFilter(r.filters.BatchReversed(id), from, to),
    );
    return event;
  }

  /**
   * BatchIssued of batch `id` (no later than block `notAfter` when known), or undefined when the searched blocks do
   * not hold it: at a remembered or hinted block; else with one eth_getLogs on the id's topic over the whole chain;
   * through a node that refuses so wide a range, by `LogRanges.locateSequential` in bounded ranges.
   */
  async batchIssued(id: bigint, stored: { vintageEnd: bigint }, notAfter?: number) {
    const r = this.#o.registry;
    const head = await this.#o.latestBlock();
    const hi = notAfter === undefined ? head.number : Math.min(head.number, notAfter);
    const one = (from: number, to: number) => r.queryFilter(r.filters.BatchIssued(id), from, to);
    const hit = await this.#atKnownBlock(id, hi, one);
    if (hit) return hit;
    const all = await this.#o.logs.whole(this.#o.fromBlock, hi, one);
    if (all) {
      const [event] = all;
      if (event) this.#remember(id, event.blockNumber);
      return event;
    }
    // A capping node. Issuance requires vintageEnd ≤ block.timestamp: no earlier block can hold it.
    const [lo, count] = await Promise.all([this.#firstBlockAt(Number(stored.vintageEnd), head), r.batchCount()]);
    return this.#locate(id, lo, hi, count, {
      probe: (from, to) => r.queryFilter(r.filters.BatchIssued(), from, to),
      idOf: (e) => e.args.batchId,
    });
  }

  /** The batch's event at the block remembered for it (or hinted), checked with one one-block query. */
  async #atKnownBlock<T>(
    id: bigint,
    head: number,
    one: (from: number, to: number) => Promise<T[]>,
  ): Promise<T | undefined> {
    let block = this.#located.get(id);
    if (block === undefined && this.#o.hint) {
      block = (await this.#o.hint(id).catch(() => undefined)) ?? undefined;
    }
    if (block === undefined || !Number.isSafeInteger(block) || block < this.#o.fromBlock || block > head) {
      return undefined;
    }
    const [event] = await one(block, block);
    if (event) this.#remember(id, block);
    else this.#located.delete(id);
    return event;
  }

  /** Searches `[lo, head]` for the BatchIssued of batch `id` (see `LogRanges.locateSequential`). */
  async #locate<T extends { blockNumber: number }>(
    id: bigint,
    lo: number,
    head: number,
    count: bigint,
    of: { probe: (from: number, to: number) => Promise<T[]>; idOf: (event: T) => bigint },
  ): Promise<T | undefined> {
    // Interpolation anchors: the deployment (ids start after 0) and the head (ids end at count), or the nearest
    // events already located. They only choose where to look first.
    let below = { block: this.#o.fromBlock - 1, id: 0n };
    let above = { block: head + 1, id: count + 1n };
    for (const [known, block] of this.#located) {
      if (known < id && known > below.id && block < head) below = { block, id: known };
      if (known > id && known < above.id && block <= head) above = { block, id: known };
    }
    return this.#o.logs.locateSequential({
      target: id,
      lo,
      hi: head,
      below,
      above,
      probe: of.probe,
      idOf: of.idOf,
      seen: (e) => this.#remember(of.idOf(e), e.blockNumber),
    });
  }

  #remember(id: bigint, block: number): void {
    if (this.#located.size >= MAX_LOCATIONS && !this.#located.has(id)) this.#located.clear();
    this.#located.set(id, block);
  }

  /**
   * A block from which on an event needing `block.timestamp ≥ time` can be: every block before it is older than
   * `time` (block times never decrease). Interpolates on block times (QBFT's fixed period makes the first guess
   * good), aiming half a log range early, and stops once the bound is within about one log range of `time`, after at
   * most 4 header reads.
   */
  async #firstBlockAt(time: number, head: BlockPoint): Promise<number> {
    const span = this.#o.logs.span;
    if (head.number - this.#o.fromBlock <= span || head.timestamp < time) return this.#o.fromBlock;
    const first = await this.#o.provider.getBlock(this.#o.fromBlock);
    if (!first || first.timestamp >= time) return this.#o.fromBlock;
    let a = { number: first.number, timestamp: first.timestamp };
    let z = { number: head.number, timestamp: head.timestamp };
    for (let i = 0; i < 4 && z.number - a.number > span; i++) {
      const perBlock = Math.max(1e-3, (z.timestamp - a.timestamp) / (z.number - a.number));
      const blocksToGo = (time - a.timestamp) / perBlock;
      if (blocksToGo <= span) break;
      const guess = Math.min(z.number - 1, a.number + Math.max(1, Math.floor(blocksToGo - span / 2)));
      const block = await this.#o.provider.getBlock(guess);
      if (!block) break;
      if (block.timestamp < time) a = { number: block.number, timestamp: block.timestamp };
      else z = { number: block.number, timestamp: block.timestamp };
    }
    return a.number + 1;
  }
}
