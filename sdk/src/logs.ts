/**
 * eth_getLogs in bounded block ranges. Besu refuses a range wider than `--rpc-max-logs-range` (5000 blocks by
 * default in current releases, 1000 in older ones) with JSON-RPC error -32005 "Requested range exceeds maximum RPC
 * range limit", and hosted nodes have similar caps; a query from the deployment block to "latest" therefore stops
 * working once a 2 s chain is a few hours old. Everything here asks for at most `span` blocks per call and halves
 * the span (for good: the node's cap does not change) when a node still refuses, as the indexer does.
 *
 * `wide` reads a selective filter (an indexed id topic) over a whole range in one call when the node takes it — one
 * call whatever the chain's length on nodes without a cap — and pages only once a node refused. `locateSequential`
 * finds the BatchIssued of a batch id through a capping node without reading the whole chain: ids grow with block
 * order, so any event of the same kind seen in a probed window tells on which side the wanted one lies. (A
 * retirement needs neither: its stored `blockNumber` names the one block its event is in.)
 */
import { isError } from "ethers";

/** Most blocks per eth_getLogs call unless configured: Besu's default `--rpc-max-logs-range`. */
export const DEFAULT_MAX_LOG_RANGE = 5000;
/** eth_getLogs calls in flight at once while searching, unless configured. */
export const DEFAULT_LOG_CONCURRENCY = 4;

/** How nodes word "this range is too large / returns too much" (Besu, geth, Erigon, hosted providers). */
const RANGE_REFUSED =
  /block range|range (is )?too (large|wide)|too many (results|logs|blocks)|more than \d+ results|limit exceeded|exceeds? (the )?(max|limit)|response size exceeded/i;

/** Whether a node refused an eth_getLogs range as too large (or as returning too much): worth halving. */
export function isRangeRefused(error: unknown): boolean {
  if (isError(error, "NETWORK_ERROR") || isError(error, "TIMEOUT")) return false;
  return RANGE_REFUSED.test(errorTexts(error).join(" "));
}

/** The messages of an ethers error and of the JSON-RPC error (or HTTP body) it wraps. */
function errorTexts(error: unknown): string[] {
  const texts: string[] = [];
  const seen = new Set<unknown>();
  const stack: unknown[] = [error];
  while (stack.length > 0 && seen.size < 20) {
    const e = stack.pop();
    if (typeof e === "string") texts.push(e);
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    if (typeof o.message === "string") texts.push(o.message);
    if (typeof o.responseBody === "string") texts.push(o.responseBody.slice(0, 2000));
    for (const key of ["error", "info", "cause"]) if (o[key]) stack.push(o[key]);
  }
  return texts;
}

export interface LogRangeOptions {
  /** Most blocks per eth_getLogs call (default 5000); must be an integer ≥ 1. */
  maxRange?: number | undefined;
  /** eth_getLogs calls in flight at once while searching (default 4). */
  concurrency?: number | undefined;
}

/** Fetches the logs of one closed block range `[from, to]` (e.g. `registry.queryFilter(filter, from, to)`). */
export type FetchLogs<T> = (from: number, to: number) => Promise<T[]>;

/**
 * Pages eth_getLogs over block ranges of at most `span` blocks. `span` starts at `maxRange` and is halved whenever
 * a node refuses a range; it stays there for the life of this object.
 */
export class LogRanges {
  readonly maxRange: number;
  readonly concurrency: number;
  #span: number;
  /** A node refused a range wider than `span`: `wide` pages from then on. */
  #wideRefused = false;

  constructor(options: LogRangeOptions = {}) {
    this.maxRange = options.maxRange ?? DEFAULT_MAX_LOG_RANGE;
    this.concurrency = options.concurrency ?? DEFAULT_LOG_CONCURRENCY;
    if (!Number.isSafeInteger(this.maxRange) || this.maxRange < 1) {
      throw new RangeError(`maxRange must be an integer ≥ 1, got ${this.maxRange}`);
    }
    if (!Number.isSafeInteger(this.concurrency) || this.concurrency < 1) {
      throw new RangeError(`concurrency must be an integer ≥ 1, got ${this.concurrency}`);
    }
    this.#span = this.maxRange;
  }

  /** Blocks per eth_getLogs call now (≤ maxRange; smaller once a node refused a range). */
  get span(): number {
    return this.#span;
  }

  /** Whether a node refused a range wider than `span` (so `wide` pages, and a capped search is worth its calls). */
  get capped(): boolean {
    return this.#wideRefused;
  }

  /**
   * Every log of `[from, to]` for a selective filter (e.g. one id's topic) in ONE call, whatever the range's length;
   * undefined when the node refuses so wide a range (remembered: later calls answer undefined at once). Within `span`
   * blocks it is `all`.
   */
  async whole<T>(from: number, to: number, fetch: FetchLogs<T>): Promise<T[] | undefined> {
    if (to - from + 1 <= this.#span) return this.all(from, to, fetch);
    if (this.#wideRefused) return undefined;
    try {
      return await fetch(from, to);
    } catch (error) {
      if (!isRangeRefused(error)) throw error;
      this.#wideRefused = true;
      return undefined;
    }
  }

  /** Every log of `[from, to]` for a selective filter: `whole` when the node takes the range, else `all`'s pages. */
  async wide<T>(from: number, to: number, fetch: FetchLogs<T>): Promise<T[]> {
    return (await this.whole(from, to, fetch)) ?? this.all(from, to, fetch);
  }

  /** Every log of `[from, to]`, oldest range first, in calls of at most `span` blocks. */
  async all<T>(from: number, to: number, fetch: FetchLogs<T>): Promise<T[]> {
    const out: T[] = [];
    let start = from;
    while (start <= to) {
      const end = Math.min(to, start + this.#span - 1);
      try {
        out.push(...(await fetch(start, end)));
        start = end + 1;
      } catch (error) {
        const size = end - start + 1;
        if (size > 1 && isRangeRefused(error)) {
          // min(): calls in flight at once may all be refused; halve once per refused size, not once per call.
          this.#span = Math.max(1, Math.min(this.#span, Math.floor(size / 2)));
          continue;
        }
        throw error;
      }
    }
    return out;
  }

  /**
   * The event with sequential id `target` in blocks `[lo, hi]`, or undefined when it is not there.
   *
   * `probe(from, to)` returns every event of the kind in a range (not only the wanted one); ids grow with
   * (block, log index), so an event seen with a smaller id means the wanted one is later, a larger id that it is
   * earlier. The search first reads one window (`span` blocks) where `below`/`above` (known neighbours, refined by
   * every event seen) put the wanted id by linear interpolation: when the kind's events are spread evenly, that is
   * one call. Then, per round, it widens that middle region by a window on each side and also reads the next window
   * inward from each end of `[lo, hi]` (4 calls; when the middle region starts at an end, that end's scan takes
   * `concurrency − 1` windows and the other end one). The middle finds what interpolation placed roughly right; the
   * ends bound the worst case (sparse or bunched events) to about 4 × min(distance from `lo`, distance from `hi`) /
   * span calls. No block is read twice; at most `concurrency` calls are in flight.
   */
  async locateSequential<T extends { blockNumber: number }>(search: {
    target: bigint;
    lo: number;
    hi: number;
    /** A block at or before which only smaller ids are, and the largest such id known (e.g. {deploy − 1, 0}). */
    below?: { block: number; id: bigint } | undefined;
    /** A block at or after which only larger ids are, and the smallest such id known (e.g. {head + 1, count + 1}). */
    above?: { block: number; id: bigint } | undefined;
    probe: FetchLogs<T>;
    idOf: (event: T) => bigint;
    /** Called with every event read (e.g. to remember where it is). */
    seen?: ((event: T) => void) | undefined;
  }): Promise<T | undefined> {
    const { target, probe, idOf } = search;
    let { lo, hi, below, above } = search;
    /** A read region strictly inside the unread `[lo, hi]`, holding nothing that tells a side. */
    let mid: [number, number] | undefined;
    let first = true;
    while (lo <= hi) {
      const w = this.#span;
      const reads: [number, number][] = [];
      if (!mid) {
        const guess = interpolate(target, lo, hi, below, above);
        let start = Math.max(lo, Math.min(guess - Math.floor(w / 2), hi - w + 1));
        let end = Math.min(hi, start + w - 1);
        if (!first) {
          // At an end, the region is that end's scan: give it the round's other windows but one (for the far end).
          const windows = Math.max(1, this.concurrency - 1);
          if (start === lo) end = Math.min(hi, lo + windows * w - 1);
          else if (end === hi) start = Math.max(lo, hi - windows * w + 1);
        }
        mid = [start, end];
        for (let from = start; from <= end; from += w) reads.push([from, Math.min(end, from + w - 1)]);
      } else {
        const [ms, me] = mid;
        if (ms > lo) reads.push([Math.max(lo, ms - w), ms - 1]);
        if (me < hi) reads.push([me + 1, Math.min(hi, me + w)]);
        mid = [Math.max(lo, ms - w), Math.min(hi, me + w)];
      }
      let readLo = lo; // first block not read from the lower end
      let readHi = hi; // last block not read from the upper end
      if (!first) {
        if (lo < mid[0]) {
          readLo = Math.min(lo + w - 1, mid[0] - 1) + 1;
          reads.push([lo, readLo - 1]);
        }
        if (hi > mid[1]) {
          readHi = Math.max(hi - w + 1, mid[1] + 1) - 1;
          reads.push([readHi + 1, hi]);
        }
      }
      first = false;

      const events = (await mapLimit(reads, this.concurrency, ([from, to]) => this.all(from, to, probe))).flat();
      if (search.seen) for (const event of events) search.seen(event);
      const hit = events.find((e) => idOf(e) === target);
      if (hit) return hit;

      // A middle region that now touches a read end becomes part of it.
      if (mid[0] <= readLo) {
        readLo = Math.max(readLo, mid[1] + 1);
        mid = undefined;
      }
      if (mid && mid[1] >= readHi) {
        readHi = Math.min(readHi, mid[0] - 1);
        mid = undefined;
      }
      let smallerEnd: bigint | undefined; // largest smaller id read from the lower end
      let largerEnd: bigint | undefined; // smallest larger id read from the upper end
      let smallerMid: bigint | undefined;
      let largerMid: bigint | undefined;
      for (const event of events) {
        const id = idOf(event);
        const b = event.blockNumber;
        if (b < readLo) {
          if (id > target) return undefined; // a larger id before every unread block: no such event
          if (smallerEnd === undefined || id > smallerEnd) smallerEnd = id;
        } else if (b > readHi) {
          if (id < target) return undefined;
          if (largerEnd === undefined || id < largerEnd) largerEnd = id;
        } else if (id < target) {
          if (smallerMid === undefined || id > smallerMid) smallerMid = id;
        } else if (largerMid === undefined || id < largerMid) {
          largerMid = id;
        }
      }
      if (smallerEnd !== undefined) below = { block: readLo - 1, id: smallerEnd };
      if (largerEnd !== undefined) above = { block: readHi + 1, id: largerEnd };
      if (mid && smallerMid !== undefined && largerMid !== undefined) return undefined; // neighbours, not it
      if (mid && smallerMid !== undefined) {
        readLo = mid[1] + 1;
        below = { block: mid[1], id: smallerMid };
        mid = undefined;
      } else if (mid && largerMid !== undefined) {
        readHi = mid[0] - 1;
        above = { block: mid[0], id: largerMid };
        mid = undefined;
      }
      lo = readLo;
      hi = readHi;
    }
    return undefined;
  }
}

/** `fn` over `items` with at most `limit` calls in flight; results in the order of `items`. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Where id `target` should be in `[lo, hi]` if the ids between the known neighbours are spread evenly. */
function interpolate(
  target: bigint,
  lo: number,
  hi: number,
  below: { block: number; id: bigint } | undefined,
  above: { block: number; id: bigint } | undefined,
): number {
  if (!below || !above || above.id <= below.id) return lo;
  const fraction = Number(target - below.id) / Number(above.id - below.id);
  const block = Math.round(below.block + fraction * (above.block - below.block));
  return Math.max(lo, Math.min(hi, block));
}
