/**
 * Replays a block journal into a fresh EDR and checks every block's hash (ADR 0062). A fresh EDR with the header's
 * genesis date reproduces the genesis, and then, per block, the same timestamp (`evm_setNextBlockTimestamp`) and the
 * same raw transactions sent in block order with automine off, mined with `evm_mine`, give the same block: EDR's
 * prevrandao (mixHash) and parent beacon block root come from a generator with a fixed seed per provider, the
 * coinbase, gas limit and zero base fee are config — nothing else in a header depends on the process or the clock.
 * The replay stops at the first block whose hash differs (a different EDR, a changed config, an edited journal):
 * the state after it would be a different chain.
 */
import { JournalError, type JournalBlock, type JournalHeader } from "./block-journal.ts";

/** The EIP-1193 surface replay needs (EDR's provider has it). */
export interface Requester {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

interface RpcBlock {
  number: string;
  hash: string;
  timestamp: string;
}

export async function latestBlock(chain: Requester): Promise<RpcBlock> {
  return (await chain.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as RpcBlock;
}

/** The fix for a journal the installed EDR does not reproduce, for every mismatch message. */
function mismatchFix(header: JournalHeader, installedEdr: string): string {
  const versions =
    header.edr && header.edr !== installedEdr ? ` (it was written by EDR ${header.edr}, this is ${installedEdr})` : "";
  return `start with the Hardhat/EDR version and chain settings that wrote it${versions} (npm ci), or move the journal aside to start a new chain`;
}

/** Refuses a genesis that differs from the journal's (the first thing a replay checks). */
export async function checkGenesis(
  chain: Requester,
  header: JournalHeader,
  path: string,
  installedEdr: string,
): Promise<void> {
  const genesis = (await chain.request({ method: "eth_getBlockByNumber", params: ["0x0", false] })) as RpcBlock;
  if (genesis.hash !== header.genesisHash) {
    throw new JournalError(
      "CHAIN_JOURNAL_MISMATCH",
      `${path}: the genesis is ${genesis.hash}, the journal's is ${header.genesisHash} — ${mismatchFix(header, installedEdr)}`,
    );
  }
}

export interface ReplayResult {
  blocks: number;
  transactions: number;
  ms: number;
}

/**
 * Mines the journal's blocks into `chain` (a fresh EDR at the journal's genesis), checking each hash; leaves
 * automine off (the caller sets its mining mode). Throws CHAIN_JOURNAL_MISMATCH at the first differing block.
 */
export async function replayJournal(
  chain: Requester,
  header: JournalHeader,
  blocks: readonly JournalBlock[],
  path: string,
  installedEdr: string,
): Promise<ReplayResult> {
  const started = performance.now();
  await checkGenesis(chain, header, path, installedEdr);
  const call = (method: string, params: unknown[] = []) => chain.request({ method, params });
  await call("evm_setAutomine", [false]);
  let transactions = 0;
  for (const block of blocks) {
    await call("evm_setNextBlockTimestamp", [block.timestamp]);
    for (const [index, raw] of block.txs.entries()) {
      try {
        await call("eth_sendRawTransaction", [raw]);
      } catch (error) {
        throw new JournalError(
          "CHAIN_JOURNAL_MISMATCH",
          `${path}: block ${block.number}'s transaction ${index + 1} was refused on replay (${oneLine(error)}) — ${mismatchFix(header, installedEdr)}`,
        );
      }
      transactions++;
    }
    await call("evm_mine");
    const mined = await latestBlock(chain);
    if (Number(mined.number) !== block.number || mined.hash !== block.hash) {
      throw new JournalError(
        "CHAIN_JOURNAL_MISMATCH",
        `${path}: block ${block.number} replays to ${mined.hash}, the journal says ${block.hash} — ${mismatchFix(header, installedEdr)}`,
      );
    }
  }
  return { blocks: blocks.length, transactions, ms: Math.round(performance.now() - started) };
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!.slice(0, 200);
}
