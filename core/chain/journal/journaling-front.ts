/**
 * The journaling front of the embedded EDR chain (ADR 0062): every JSON-RPC call goes through `request`, one at a
 * time; after each call the blocks it mined (head before and after) are appended to the journal and fsynced before
 * the call returns — so no reply, and no later read, reveals a block the journal does not hold. Interval mining is
 * the front's own timer calling `evm_mine` through the same path.
 *
 * Every journaled transaction is raw: `eth_sendTransaction` from one of the dev accounts is signed here and sent as
 * `eth_sendRawTransaction`; other senders are refused (the chain holds no other keys). Methods that change the chain
 * other than by a mined block — snapshots and reverts, resets, setting balances, code, storage, nonces, prevrandao,
 * coinbase, the next base fee, impersonation — are refused: a replay could not reproduce them.
 */
import { HDNodeWallet, keccak256, Mnemonic, Transaction, type AccessListish, type TransactionLike } from "ethers";

import { HARDHAT_TEST_MNEMONIC } from "../../keys.ts";
import type { BlockJournal, JournalBlock } from "./block-journal.ts";
import { EDR_CHAIN_ID } from "./edr-chain.ts";
import type { Requester } from "./replay.ts";

/** A JSON-RPC error to reply with (code, message, data), as EDR's own errors carry them. */
export class RpcError extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

const REFUSED =
  /^(evm_snapshot|evm_revert|evm_setBlockGasLimit|hardhat_reset|hardhat_set(Balance|Code|Nonce|StorageAt|PrevRandao|Coinbase|NextBlockBaseFeePerGas|MinGasPrice)|hardhat_(stopI|i)mpersonateAccount|anvil_.*)$/;

/**
 * Calls that cannot mine (EDR mines only when a call asks it to: its own interval mining is off, the front's timer
 * goes through `request`): no head check after them.
 */
const READS =
  /^(eth_(get\w+|call|chainId|blockNumber|estimateGas|feeHistory|gasPrice|maxPriorityFeePerGas|accounts|syncing|protocolVersion|coinbase|mining|hashrate|blobBaseFee)|net_\w+|web3_\w+)$/;

/** The dev accounts' keys (Hardhat's test mnemonic, accounts 0…19), by lower-case address. */
function devWallets(): Map<string, HDNodeWallet> {
  const root = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_TEST_MNEMONIC), "m/44'/60'/0'/0");
  const wallets = new Map<string, HDNodeWallet>();
  for (let i = 0; i < 20; i++) {
    const w = root.deriveChild(i);
    wallets.set(w.address.toLowerCase(), w);
  }
  return wallets;
}

interface RpcTx {
  hash: string;
  type: string;
  chainId?: string;
  nonce: string;
  to: string | null;
  input: string;
  value: string;
  gas: string;
  gasPrice?: string;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
  accessList?: { address: string; storageKeys: string[] }[];
  r: string;
  s: string;
  v: string;
  yParity?: string;
}

interface RpcBlock {
  number: string;
  hash: string;
  timestamp: string;
  baseFeePerGas?: string;
  transactions: string[];
}

export interface FrontOptions {
  chain: Requester;
  journal: BlockJournal;
  /** The last block the journal holds (after a replay: the head). */
  journaled: number;
  /** Called when a mined block could not be journaled: the chain is ahead of its journal and must stop. */
  onJournalFailure: (error: unknown) => void;
}

export class JournalingFront {
  #chain: Requester;
  #journal: BlockJournal;
  #journaled: number;
  #onFailure: (error: unknown) => void;
  #wallets = devWallets();
  /** Raw transactions sent through the front and not yet journaled, by hash. */
  #raw = new Map<string, string>();
  #queue: Promise<unknown> = Promise.resolve();
  #interval: NodeJS.Timeout | undefined;
  #failed = false;

  constructor(options: FrontOptions) {
    this.#chain = options.chain;
    this.#journal = options.journal;
    this.#journaled = options.journaled;
    this.#onFailure = options.onJournalFailure;
  }

  /** The last journaled block. */
  get journaled(): number {
    return this.#journaled;
  }

  /** One JSON-RPC call: serialised with every other, journaled before it resolves. */
  request(method: string, params: unknown[] = []): Promise<unknown> {
    const run = this.#queue.then(() => this.#call(method, params));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Mines a block every `ms` milliseconds through the front (0 stops it), as `evm_setIntervalMining` does. */
  setIntervalMining(ms: number): void {
    if (this.#interval) clearInterval(this.#interval);
    this.#interval = undefined;
    if (ms > 0) {
      this.#interval = setInterval(() => {
        this.request("evm_mine").catch((error: unknown) => this.#fail(error));
      }, ms);
    }
  }

  stop(): void {
    this.setIntervalMining(0);
  }

  async #call(method: string, params: unknown[]): Promise<unknown> {
    if (this.#failed) throw new RpcError(-32603, "the chain stopped: a mined block could not be journaled");
    if (REFUSED.test(method)) {
      throw new RpcError(
        -32601,
        `${method} is not available on the journaled embedded chain (a replay cannot repeat it)`,
      );
    }
    if (method === "evm_setIntervalMining") {
      this.setIntervalMining(Number(params[0] ?? 0));
      return true;
    }
    if (READS.test(method)) return this.#chain.request({ method, params });
    try {
      if (method === "eth_sendTransaction") return await this.#sendTransaction(params[0]);
      if (method === "eth_sendRawTransaction" && typeof params[0] === "string") {
        this.#raw.set(keccak256(params[0]), params[0]);
      }
      return await this.#chain.request({ method, params });
    } finally {
      await this.#journalNewBlocks();
    }
  }

  async #journalNewBlocks(): Promise<void> {
    try {
      const head = Number(await this.#chain.request({ method: "eth_blockNumber", params: [] }));
      if (head <= this.#journaled) return;
      const blocks: JournalBlock[] = [];
      for (let n = this.#journaled + 1; n <= head; n++) {
        const block = (await this.#chain.request({
          method: "eth_getBlockByNumber",
          params: [`0x${n.toString(16)}`, false],
        })) as RpcBlock;
        const txs: string[] = [];
        for (const hash of block.transactions) txs.push(this.#raw.get(hash) ?? (await this.#rebuildRaw(hash)));
        blocks.push({ number: n, timestamp: Number(block.timestamp), hash: block.hash, txs });
      }
      this.#journal.append(blocks);
      for (const b of blocks) for (const raw of b.txs) this.#raw.delete(keccak256(raw));
      this.#journaled = head;
    } catch (error) {
      this.#fail(error);
      throw new RpcError(-32603, "the chain stopped: a mined block could not be journaled");
    }
  }

  /** A transaction that did not come through the front (none should): rebuilt from its fields, checked by hash. */
  async #rebuildRaw(hash: string): Promise<string> {
    const tx = (await this.#chain.request({ method: "eth_getTransactionByHash", params: [hash] })) as RpcTx;
    const raw = Transaction.from({
      type: Number(tx.type),
      chainId: BigInt(tx.chainId ?? EDR_CHAIN_ID),
      nonce: Number(tx.nonce),
      to: tx.to,
      data: tx.input,
      value: BigInt(tx.value),
      gasLimit: BigInt(tx.gas),
      ...(Number(tx.type) >= 2
        ? { maxFeePerGas: BigInt(tx.maxFeePerGas!), maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas!) }
        : { gasPrice: BigInt(tx.gasPrice!) }),
      ...(Number(tx.type) >= 1 ? { accessList: tx.accessList ?? [] } : {}),
      signature: { r: tx.r, s: tx.s, v: Number(tx.yParity ?? tx.v) },
    }).serialized;
    if (keccak256(raw) !== hash) throw new Error(`transaction ${hash} cannot be rebuilt as raw`);
    return raw;
  }

  /** `eth_sendTransaction` for a dev account: filled in as a node would, signed here, sent raw. */
  async #sendTransaction(param: unknown): Promise<unknown> {
    const req = (param ?? {}) as Record<string, string | undefined>;
    const wallet = typeof req.from === "string" ? this.#wallets.get(req.from.toLowerCase()) : undefined;
    if (!wallet) throw new RpcError(-32000, `unknown account ${String(req.from)}: only the dev accounts send unsigned`);
    const call = (method: string, params: unknown[]) => this.#chain.request({ method, params });
    const data = req.input ?? req.data ?? "0x";
    const base = { from: wallet.address, to: req.to ?? undefined, data, value: req.value ?? "0x0" };
    const nonce = req.nonce ?? ((await call("eth_getTransactionCount", [wallet.address, "pending"])) as string);
    const gasLimit = req.gas ?? ((await call("eth_estimateGas", [base, "pending"])) as string);
    const tx: TransactionLike = {
      chainId: BigInt(EDR_CHAIN_ID),
      nonce: Number(nonce),
      to: req.to ?? null,
      data,
      value: BigInt(base.value),
      gasLimit: BigInt(gasLimit),
    };
    if (req.gasPrice !== undefined && req.maxFeePerGas === undefined) {
      tx.type = req.accessList ? 1 : 0;
      tx.gasPrice = BigInt(req.gasPrice);
    } else {
      const latest = (await call("eth_getBlockByNumber", ["latest", false])) as RpcBlock;
      const priority = BigInt(req.maxPriorityFeePerGas ?? 0);
      tx.type = 2;
      tx.maxPriorityFeePerGas = priority;
      tx.maxFeePerGas = BigInt(req.maxFeePerGas ?? 2n * BigInt(latest.baseFeePerGas ?? 0) + priority);
    }
    if (req.accessList) tx.accessList = req.accessList as unknown as AccessListish;
    const raw = await wallet.signTransaction(tx);
    this.#raw.set(keccak256(raw), raw);
    return call("eth_sendRawTransaction", [raw]);
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.stop();
    this.#onFailure(error);
  }
}
