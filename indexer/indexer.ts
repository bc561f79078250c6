/**
 * The indexer: reads the registry's event logs (eth_getLogs over the registry address, in bounded block ranges)
 * and applies each range to the index store in one transaction together with the new last block.
 *
 * - Idempotent: events are keyed by (txHash, logIndex); re-applying a range changes nothing.
 * - Resumable: it continues from the stored last block.
 * - Consistent after a node restart: before every sync it checks that the stored last block's hash is still the
 *   chain's (and that chain id, registry and start block are the configured ones); if not, it empties the index
 *   and rebuilds it from the start block, and logs why. While reading a range it checks that every log's block
 *   hash is the chain's and that the range's last block did not change under it.
 *
 * The chain stays the source of truth: the index serves listings and search, and says how far it has caught up.
 */
import { getAddress } from "ethers";
import { pino, type Logger } from "pino";

import type { ChainClient } from "../core/chain/client.ts";
import { isTransientError } from "../core/chain/errors.ts";
import { isoTime } from "../sdk/src/time.ts";
import { IndexerError } from "./errors.ts";
import type { RoleNames } from "./apply.ts";
import type { BlockRange } from "./events.ts";
import type { BatchFilter, ChallengeFilter, ParticipantFilter, RetirementFilter, TransferFilter } from "./queries.ts";
import type { ClaimCandidateRecord, NamedParticipantRecord } from "./queries-claims.ts";
import { isRangeRefused, readRange } from "./read-range.ts";
import type {
  BatchRecord,
  HoldingRecord,
  IndexIdentity,
  IndexState,
  ParticipantRecord,
  PortfolioRecord,
  RetirementRecord,
  TransferRecord,
} from "./records.ts";
import type {
  AccreditationEventRecord,
  AccreditationRecord,
  AuditorBodyRecord,
  BatchActionRecord,
  ChallengeRecord,
  ParticipantEventRecord,
  ReplacementRecord,
} from "./records-register.ts";
import type { IndexStore } from "./store.ts";

export interface IndexerOptions {
  /** The registry's chain client (provider without response cache, typed contract, chain id, address). */
  chain: ChainClient;
  /** Where the index lives. */
  store: IndexStore;
  /** First block to index, and where a rebuild starts: the registry's deployment block (default 0). */
  startBlock?: number | undefined;
  /** Most blocks per eth_getLogs call and per store transaction (default 2000); halved when a node refuses. */
  maxRange?: number | undefined;
  /** Blocks to stay behind the head (default 0: QBFT, anvil and Hardhat have immediate finality). */
  confirmations?: number | undefined;
  /** Parallel block-header and view reads per range (default 8). */
  concurrency?: number | undefined;
  logger?: Logger | undefined;
  /**
   * Test hook: runs inside each range's store transaction just before COMMIT; throwing rolls the range back
   * (simulates a crash mid-range).
   */
  beforeCommit?: ((range: BlockRange) => void | Promise<void>) | undefined;
}

/** What one `syncOnce` did. */
export type SyncResult = {
  /** Why the index was emptied and rebuilt before this sync, if it was. */
  rebuilt: string | null;
  /** First block read (null when already caught up). */
  fromBlock: number | null;
  /** Last indexed block after the sync (null when nothing is indexed yet). */
  lastBlock: number | null;
  headBlock: number;
  ranges: number;
  /** Logs read, and events new to the index (the rest were already applied). */
  events: number;
  applied: number;
};

/** How far the index has caught up, for listings and readiness. */
export type IndexStatus = {
  chainId: string;
  registry: string;
  startBlock: number;
  /** Last block whose events are all in the index; null when none is. */
  lastBlock: number | null;
  lastBlockHash: string | null;
  lastBlockTime: string | null;
  /** Head seen by the last sync (minus confirmations); null before the first sync of this process. */
  headBlock: number | null;
  lagBlocks: number | null;
  updatedAt: string | null;
  syncedAt: string | null;
  rebuiltAt: string | null;
  rebuildReason: string | null;
  /** The last sync's error, cleared by the next successful sync. */
  lastError: string | null;
};

const DEFAULT_MAX_RANGE = 2000;

export class Indexer {
  readonly chain: ChainClient;
  readonly store: IndexStore;
  readonly startBlock: number;
  readonly maxRange: number;
  readonly confirmations: number;
  readonly #concurrency: number;
  readonly #logger: Logger;
  readonly #beforeCommit: IndexerOptions["beforeCommit"];
  #roles: RoleNames | undefined;
  #syncing: Promise<SyncResult> | undefined;
  #headBlock: number | null = null;
  #syncedAt: string | null = null;
  #lastError: string | null = null;
  #onClose: (() => Promise<void>) | undefined;

  constructor(options: IndexerOptions) {
    this.chain = options.chain;
    this.store = options.store;
    this.startBlock = options.startBlock ?? 0;
    this.maxRange = options.maxRange ?? DEFAULT_MAX_RANGE;
    this.confirmations = options.confirmations ?? 0;
    this.#concurrency = options.concurrency ?? 8;
    this.#logger = options.logger ?? pino({ level: "silent" });
    this.#beforeCommit = options.beforeCommit;
    for (const [name, value] of [
      ["startBlock", this.startBlock],
      ["confirmations", this.confirmations],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 0) throw new IndexerError("CONFIG", `${name} must be an integer ≥ 0`);
    }
    if (!Number.isSafeInteger(this.maxRange) || this.maxRange < 1) {
      throw new IndexerError("CONFIG", "maxRange must be an integer ≥ 1");
    }
  }

  /** Registers what `close()` must release besides the store (used by `openIndexer` for the chain client). */
  onClose(fn: () => Promise<void>): void {
    this.#onClose = fn;
  }

  get identity(): IndexIdentity {
    return {
      chainId: this.chain.chainId.toString(),
      registry: getAddress(this.chain.address),
      startBlock: this.startBlock,
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Syncing
  // -------------------------------------------------------------------------------------------------------------

  /**
   * Indexes from the last indexed block + 1 to the head, range by range, each range in one store transaction.
   * Rebuilds from the start block first when the stored last block is no longer on the chain. Concurrent calls
   * share one sync.
   */
  syncOnce(): Promise<SyncResult> {
    this.#syncing ??= this.#sync().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  /**
   * Syncs every `pollMs` until `signal` aborts; errors are logged and retried with backoff (up to 30 s), never
   * thrown. Resolves when aborted (after the sync in flight, if any, finishes).
   */
  async run(signal: AbortSignal, pollMs = 1000): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const result = await this.syncOnce();
        failures = 0;
        if (result.applied > 0 || result.rebuilt) {
          this.#logger.debug({ ...result }, "index synced");
        }
      } catch (error) {
        failures += 1;
        const code = error instanceof IndexerError ? error.code : undefined;
        const level =
          code === "CONCURRENT_WRITER"
            ? "info"
            : isTransientError(error) || code === "CHAIN_CHANGED"
              ? "warn"
              : "error";
        this.#logger[level]({ err: error, failures }, "index sync failed; retrying");
      }
      const wait = failures === 0 ? pollMs : Math.min(30_000, pollMs * 2 ** Math.min(failures, 8));
      await sleep(wait, signal);
    }
  }

  async #sync(): Promise<SyncResult> {
    try {
      const result = await this.#syncUnguarded();
      this.#lastError = null;
      this.#syncedAt = new Date().toISOString();
      return result;
    } catch (error) {
      this.#lastError = (error as Error).message.split("\n")[0] ?? "sync failed";
      throw error;
    }
  }

  async #syncUnguarded(): Promise<SyncResult> {
    const identity = this.identity;
    let state = (await this.store.state()) ?? (await this.store.initialize(identity));
    const reason = await this.#staleReason(state, identity);
    if (reason) {
      this.#logger.warn(
        { reason, lastBlock: state.lastBlock, startBlock: identity.startBlock },
        "rebuilding the index from scratch",
      );
      state = await this.store.reset(identity, reason, state.version);
    }
    const roles = await this.#roleNames();
    const head = (await this.chain.provider.getBlockNumber()) - this.confirmations;
    this.#headBlock = Math.max(head, -1);

    let version = state.version;
    let from = state.lastBlock === null ? identity.startBlock : state.lastBlock + 1;
    const firstFrom = from <= head ? from : null;
    let span = this.maxRange;
    let ranges = 0;
    let events = 0;
    let applied = 0;
    let lastBlock = state.lastBlock;
    while (from <= head) {
      const to = Math.min(head, from + span - 1);
      let range: BlockRange;
      try {
        range = await readRange(this.chain, from, to, this.#concurrency);
      } catch (error) {
        if (span > 1 && isRangeRefused(error)) {
          span = Math.max(1, Math.floor(span / 2));
          this.#logger.debug({ from, span }, "the node refused the log range; halving it");
          continue;
        }
        throw error;
      }
      const result = await this.store.applyRange(range, version, roles, this.#beforeCommit);
      version = result.version;
      ranges += 1;
      events += range.events.length;
      applied += result.applied;
      lastBlock = to;
      this.#logger.debug({ from, to, events: range.events.length, applied: result.applied }, "range indexed");
      from = to + 1;
    }
    return { rebuilt: reason ?? null, fromBlock: firstFrom, lastBlock, headBlock: head, ranges, events, applied };
  }

  /** Why the stored index cannot continue on this chain, or undefined when it can. */
  async #staleReason(state: IndexState, identity: IndexIdentity): Promise<string | undefined> {
    if (state.chainId !== identity.chainId) {
      return `the index was built for chain ${state.chainId}; the node is chain ${identity.chainId}`;
    }
    if (state.registry !== identity.registry) {
      return `the index was built for registry ${state.registry}; the configured registry is ${identity.registry}`;
    }
    if (state.startBlock !== identity.startBlock) {
      return `the start block changed from ${state.startBlock} to ${identity.startBlock}`;
    }
    if (state.lastBlock === null) return undefined;
    const block = await this.chain.provider.getBlock(state.lastBlock);
    if (!block) {
      const head = await this.chain.provider.getBlockNumber();
      return (
        `indexed block ${state.lastBlock} is not on the chain (head ${head}): ` +
        "the node restarted from an earlier or different state"
      );
    }
    if (block.hash !== state.lastBlockHash) {
      return (
        `block ${state.lastBlock} has hash ${block.hash} on the chain but ${state.lastBlockHash} in the index: ` +
        "the node restarted with a different history"
      );
    }
    return undefined;
  }

  /**
   * Role hash → name for the roles the index tracks, read once from the contract. Auditors hold no role: they are
   * accredited addresses (AuditorAccredited / AccreditationRevoked).
   */
  async #roleNames(): Promise<RoleNames> {
    if (!this.#roles) {
      const [admin, issuer] = await Promise.all([
        this.chain.role("DEFAULT_ADMIN_ROLE"),
        this.chain.role("ISSUER_ROLE"),
      ]);
      this.#roles = { [admin]: "admin", [issuer]: "issuer" };
    }
    return this.#roles;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Queries (the HTTP layer's listings; see records.ts for the record shapes)
  // -------------------------------------------------------------------------------------------------------------

  /** How far the index has caught up: last indexed block (+ hash, time), the head the last sync saw, the lag. */
  async status(): Promise<IndexStatus> {
    const state = await this.store.state();
    const identity = this.identity;
    const lastBlock = state?.lastBlock ?? null;
    const head = this.#headBlock;
    return {
      chainId: state?.chainId ?? identity.chainId,
      registry: state?.registry ?? identity.registry,
      startBlock: state?.startBlock ?? identity.startBlock,
      lastBlock,
      lastBlockHash: state?.lastBlockHash ?? null,
      lastBlockTime: state?.lastBlockTime != null ? isoTime(state.lastBlockTime) : null,
      headBlock: head,
      lagBlocks: head === null ? null : Math.max(0, head - (lastBlock ?? identity.startBlock - 1)),
      updatedAt: state?.updatedAt ?? null,
      syncedAt: this.#syncedAt,
      rebuiltAt: state?.rebuiltAt ?? null,
      rebuildReason: state?.rebuildReason ?? null,
      lastError: this.#lastError,
    };
  }

  /** Whether the store answers. */
  ping(): Promise<boolean> {
    return this.store.ping();
  }

  retirement(id: string | number | bigint): Promise<RetirementRecord | undefined> {
    return this.store.retirement(id);
  }

  listRetirements(filter: RetirementFilter = {}): Promise<RetirementRecord[]> {
    return this.store.listRetirements(filter);
  }

  batch(id: string | number | bigint): Promise<BatchRecord | undefined> {
    return this.store.batch(id);
  }

  claimCandidates(account: string, nameKey: string | null): Promise<ClaimCandidateRecord[]> {
    return this.store.claimCandidates(account, nameKey);
  }

  participantsNamed(keys: readonly string[]): Promise<NamedParticipantRecord[]> {
    return this.store.participantsNamed(keys);
  }

  listBatches(filter: BatchFilter = {}): Promise<BatchRecord[]> {
    return this.store.listBatches(filter);
  }

  holdings(account: string): Promise<HoldingRecord[]> {
    return this.store.holdings(account);
  }

  /** Every batch `account` holds, with its figures (one query). */
  portfolio(account: string): Promise<PortfolioRecord[]> {
    return this.store.portfolio(account);
  }

  /** Holders of batch `id` with their balances. */
  holders(id: string | number | bigint): Promise<{ account: string; amount: string }[]> {
    return this.store.holders(id);
  }

  participants(filter: ParticipantFilter = {}): Promise<ParticipantRecord[]> {
    return this.store.participants(filter);
  }

  participantEvents(account?: string): Promise<ParticipantEventRecord[]> {
    return this.store.participantEvents(account);
  }

  /** Accredited auditor signing addresses (not revoked), in the order of their latest accreditation. */
  auditors(): Promise<string[]> {
    return this.store.auditors();
  }

  accreditations(): Promise<AccreditationRecord[]> {
    return this.store.accreditations();
  }

  accreditationEvents(auditor?: string): Promise<AccreditationEventRecord[]> {
    return this.store.accreditationEvents(auditor);
  }

  auditorBodies(): Promise<AuditorBodyRecord[]> {
    return this.store.auditorBodies();
  }

  transfers(filter: TransferFilter = {}): Promise<TransferRecord[]> {
    return this.store.transfers(filter);
  }

  batchActions(batchId?: string | number | bigint): Promise<BatchActionRecord[]> {
    return this.store.batchActions(batchId);
  }

  challenge(id: string | number | bigint): Promise<ChallengeRecord | undefined> {
    return this.store.challenge(id);
  }

  challenges(filter: ChallengeFilter = {}): Promise<ChallengeRecord[]> {
    return this.store.challenges(filter);
  }

  replacements(retirementId?: string | number | bigint): Promise<ReplacementRecord[]> {
    return this.store.replacements(retirementId);
  }

  /** Waits for a sync in flight, then closes the store (and what `onClose` registered). */
  async close(): Promise<void> {
    await this.#syncing?.catch(() => undefined);
    await this.store.close();
    await this.#onClose?.();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
