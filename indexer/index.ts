/**
 * The registry's event indexer: reads the contract's events into a store (SQLite by default, PostgreSQL via a
 * `postgres://` URL) for listings and search. The chain stays the source of truth. See docs/adr/0020-indexer.md.
 *
 * From a server:
 *   const indexer = await openIndexer({ rpcUrl, registryAddress, startBlock: deployBlock,
 *                                       databaseUrl: process.env.DATABASE_URL, sqlitePath: ".itec/index.db", logger });
 *   const stopped = indexer.run(controller.signal, 1000);   // loop; never throws
 *   startApi(env, { index: indexer });                       // Indexer satisfies the API's IndexReader
 *   … controller.abort(); await stopped; await indexer.close();
 */
import type { Logger } from "pino";

import { ChainClient } from "../core/chain/client.ts";
import { Indexer, type IndexerOptions } from "./indexer.ts";
import { IndexStore } from "./store.ts";

export { Indexer, type IndexerOptions, type IndexStatus, type SyncResult } from "./indexer.ts";
export { IndexStore, type OpenIndexStoreOptions } from "./store.ts";
export type { BlockRange } from "./events.ts";
export {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type BatchFilter,
  type ChallengeFilter,
  type ParticipantFilter,
  type RetirementFilter,
  type TransferFilter,
} from "./queries.ts";
export type { ClaimCandidateRecord, NamedParticipantRecord } from "./queries-claims.ts";
export type {
  BatchRecord,
  HoldingRecord,
  IndexState,
  ParticipantRecord,
  PortfolioRecord,
  RetirementRecord,
  TransferRecord,
} from "./records.ts";
export type {
  AccreditationEventRecord,
  AccreditationRecord,
  AuditorBodyRecord,
  BatchActionRecord,
  ChallengeRecord,
  ParticipantEventRecord,
  ReplacementRecord,
} from "./records-register.ts";
export { IndexerError, type IndexerErrorCode } from "./errors.ts";

/** Opens the index store: PostgreSQL when `databaseUrl` is a postgres:// URL, else SQLite at `sqlitePath`. */
export function openIndexStore(options: {
  databaseUrl?: string | undefined;
  sqlitePath?: string | undefined;
  pgSchema?: string | undefined;
}): Promise<IndexStore> {
  return IndexStore.open(options);
}

export interface OpenIndexerOptions extends Omit<IndexerOptions, "chain" | "store"> {
  /** JSON-RPC endpoint of the chain node. */
  rpcUrl: string;
  registryAddress: string;
  /** Known chain id (skips one eth_chainId call). */
  chainId?: bigint | undefined;
  /** `postgres://…` selects PostgreSQL (e.g. process.env.DATABASE_URL); otherwise SQLite at `sqlitePath`. */
  databaseUrl?: string | undefined;
  sqlitePath?: string | undefined;
  pgSchema?: string | undefined;
  logger?: Logger | undefined;
}

/** Connects a chain client and opens the store; `close()` releases both. */
export async function openIndexer(options: OpenIndexerOptions): Promise<Indexer> {
  const { rpcUrl, registryAddress, chainId, databaseUrl, sqlitePath, pgSchema, ...rest } = options;
  const chain = await ChainClient.connect(
    { rpcUrl, registryAddress, ...(chainId !== undefined ? { chainId } : {}) },
    5,
  );
  let store: IndexStore;
  try {
    store = await openIndexStore({ databaseUrl, sqlitePath, pgSchema });
  } catch (error) {
    chain.provider.destroy();
    throw error;
  }
  const indexer = new Indexer({ ...rest, chain, store });
  indexer.onClose(() => {
    chain.provider.destroy();
    return Promise.resolve();
  });
  return indexer;
}
