/**
 * Reading one block range of the registry from the chain: its logs (eth_getLogs over the registry address), the
 * times of their blocks, and the views issuance and retirement events need, decoded (events.ts) into a range ready
 * to apply. The chain must not change under the range: every log's block hash is checked against the block read,
 * and the range's last block is read again at the end; any difference throws CHAIN_CHANGED and nothing is applied.
 */
import type { Block, Log } from "ethers";

import type { ChainClient } from "../core/chain/client.ts";
import { isRangeRefused as isNodeRangeRefusal, mapLimit } from "../sdk/src/logs.ts";
import { IndexerError } from "./errors.ts";
import {
  batchFigures,
  decodeRegistryLog,
  retirementClaim,
  type BatchFigures,
  type BlockRange,
  type IndexedEvent,
  type RetirementClaim,
} from "./events.ts";

/**
 * Reads blocks `from`…`to`: logs, their blocks' times, and the views issuance and retirement events need, with
 * at most `concurrency` block-header and view reads at a time.
 */
export async function readRange(
  chain: ChainClient,
  from: number,
  to: number,
  concurrency: number,
): Promise<BlockRange> {
  const provider = chain.provider;
  const end = await provider.getBlock(to);
  if (!end?.hash) throw chainChanged(`block ${to} is gone`);
  const logs: Log[] = await provider.getLogs({ address: chain.address, fromBlock: from, toBlock: to });

  const blocks = new Map<number, Block>([[to, end]]);
  const wanted = [...new Set(logs.map((l) => l.blockNumber))].filter((b) => !blocks.has(b));
  await mapLimit(wanted, concurrency, async (number) => {
    const block = await provider.getBlock(number);
    if (!block?.hash) throw chainChanged(`block ${number} is gone`);
    blocks.set(number, block);
  });

  const decoded = logs
    .filter((log) => !log.removed)
    .sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)
    .flatMap((log) => {
      const block = blocks.get(log.blockNumber)!;
      if (log.blockHash !== block.hash) {
        throw chainChanged(`log ${log.transactionHash}#${log.index} is in block ${log.blockHash}, not ${block.hash}`);
      }
      const event = decodeRegistryLog(log);
      if (!event) return [];
      const position = {
        txHash: log.transactionHash,
        logIndex: log.index,
        blockNumber: log.blockNumber,
        blockHash: log.blockHash,
        blockTime: block.timestamp,
      };
      return [{ position, event }];
    });

  // Figures and claims never change once written, so reading them at the head is exact (and needs no
  // archive state); the check below proves the chain did not change under the range meanwhile.
  const registry = chain.registry;
  const figures = new Map<bigint, BatchFigures>();
  const claims = new Map<bigint, RetirementClaim>();
  await mapLimit(decoded, concurrency, async ({ event }) => {
    if (event.name === "BatchIssued") figures.set(event.batchId, batchFigures(await registry.batch(event.batchId)));
    if (event.name === "CertificatesRetired") {
      claims.set(event.retirementId, retirementClaim(await registry.retirement(event.retirementId)));
    }
  });
  const again = await provider.getBlock(to);
  if (again?.hash !== end.hash) throw chainChanged(`block ${to} changed while its range was read`);

  const events: IndexedEvent[] = decoded.map(({ position, event }) => {
    if (event.name === "BatchIssued") return { ...position, ...event, figures: figures.get(event.batchId)! };
    if (event.name === "CertificatesRetired") return { ...position, ...event, claim: claims.get(event.retirementId)! };
    return { ...position, ...event };
  });
  return { fromBlock: from, toBlock: to, toHash: end.hash, toTime: end.timestamp, events };
}

function chainChanged(detail: string): IndexerError {
  return new IndexerError("CHAIN_CHANGED", `the chain changed while reading a range (${detail}); not applied`);
}

/**
 * A node refusing a log range as too large (Besu, geth, providers word it differently): the node's own error, not
 * ethers' message — which echoes the request, whose hex block numbers can contain "503" and passed for transient.
 */
export function isRangeRefused(error: unknown): boolean {
  if (error instanceof IndexerError) return false;
  return isNodeRangeRefusal(error);
}
