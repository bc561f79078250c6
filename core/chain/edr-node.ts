/**
 * The journaled embedded chain (ADR 0062; `npm start`'s default, spawned by scripts/start/chain.ts): Hardhat's EDR in this
 * process behind a JSON-RPC front on 127.0.0.1 that appends every mined block to `<dir>/blocks.jsonl`, fsynced,
 * before the reply that follows it leaves (core/chain/journal/journaling-front.ts). At start the journal is replayed
 * into a fresh EDR and every block's hash checked; a journal the installed EDR does not reproduce, or a damaged one,
 * refuses to start with one line saying what to do (exit code 2).
 *
 *   node core/chain/edr-node.ts --dir <dir> [--port 8545] [--block-time <seconds>]   (run from the project root)
 *
 * `--block-time 0` (default) mines a block per transaction (automine); N > 0 mines every N seconds instead. Prints
 * `ready http://127.0.0.1:<port> blocks=<n> replay_ms=<ms> edr=<version>` on stdout once it serves.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { BlockJournal, JOURNAL_VERSION, JournalError } from "./journal/block-journal.ts";
import { createEdrChain, EDR_CHAIN_ID, EDR_HARDFORK, edrVersion, genesisDateNow } from "./journal/edr-chain.ts";
import { JournalingFront, RpcError } from "./journal/journaling-front.ts";
import { latestBlock, replayJournal } from "./journal/replay.ts";

export interface EdrNodeOptions {
  dir: string;
  port: number;
  /** Seconds between blocks; 0 = automine. */
  blockTime: number;
}

export interface EdrNode {
  url: string;
  /** Blocks replayed from the journal at start, and how long that took. */
  replayed: { blocks: number; ms: number };
  notes: string[];
  close(): Promise<void>;
}

/** Max request body: a deployment of a 24 KB contract is ~50 KB of hex; a batch of them fits. */
const MAX_BODY = 8 * 1024 * 1024;

export async function startEdrNode(options: EdrNodeOptions, onFatal: (error: unknown) => void): Promise<EdrNode> {
  const path = join(options.dir, "blocks.jsonl");
  const journal = new BlockJournal(path);
  const opened = journal.open();
  const header = opened.header ?? {
    v: JOURNAL_VERSION,
    chainId: EDR_CHAIN_ID,
    hardfork: EDR_HARDFORK,
    initialDate: genesisDateNow(),
    genesisHash: "",
    edr: edrVersion(),
  };
  if (header.chainId !== EDR_CHAIN_ID || header.hardfork !== EDR_HARDFORK) {
    throw new JournalError(
      "CHAIN_JOURNAL_MISMATCH",
      `${path}: a chain ${header.chainId}/${header.hardfork} journal, this node runs ${EDR_CHAIN_ID}/${EDR_HARDFORK} — move the journal aside to start a new chain`,
    );
  }
  const edr = await createEdrChain(header.initialDate);
  let replayed = { blocks: 0, ms: 0 };
  try {
    if (opened.header) {
      replayed = await replayJournal(edr.provider, header, opened.blocks, path, edrVersion());
      // The chain's clock resumes at the wall clock (never behind the last block): signatures' deadlines and the
      // registry's vintages compare with block time.
      const last = opened.blocks.at(-1)?.timestamp ?? Date.parse(header.initialDate) / 1000;
      const behind = Math.floor(Date.now() / 1000) - last;
      if (behind > 0) await edr.provider.request({ method: "evm_increaseTime", params: [behind] });
    } else {
      header.genesisHash = (
        (await edr.provider.request({ method: "eth_getBlockByNumber", params: ["0x0", false] })) as {
          hash: string;
        }
      ).hash;
      journal.appendHeader(header);
    }
    await edr.provider.request({ method: "evm_setAutomine", params: [options.blockTime === 0] });
  } catch (error) {
    journal.close();
    await edr.close();
    throw error;
  }
  const front = new JournalingFront({
    chain: edr.provider,
    journal,
    journaled: Number((await latestBlock(edr.provider)).number),
    onJournalFailure: onFatal,
  });
  if (options.blockTime > 0) front.setIntervalMining(options.blockTime * 1000);
  const server = createServer((req, res) => void serve(front, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    replayed: { blocks: replayed.blocks, ms: replayed.ms },
    notes: opened.notes,
    close: async () => {
      front.stop();
      await closeServer(server);
      journal.close();
      await edr.close();
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

type JsonRpcReply = { jsonrpc: "2.0"; id: unknown } & ({ result: unknown } | { error: unknown });

async function serve(front: JournalingFront, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "POST") {
    res.writeHead(405, { allow: "POST" }).end();
    return;
  }
  let body: unknown;
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) throw new RpcError(-32600, "request too large");
      chunks.push(chunk);
    }
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    const reply = errorReply(null, error instanceof RpcError ? error : new RpcError(-32700, "Parse error"));
    send(res, reply);
    return;
  }
  // A batch runs in order through the front (each call journaled before the next), replied as one.
  const replies: JsonRpcReply[] = [];
  for (const call of Array.isArray(body) ? body : [body]) replies.push(await one(front, call));
  send(res, Array.isArray(body) ? replies : replies[0]);
}

async function one(front: JournalingFront, call: unknown): Promise<JsonRpcReply> {
  const c = call as { id?: unknown; method?: unknown; params?: unknown };
  const id = c?.id ?? null;
  if (typeof c !== "object" || c === null || typeof c.method !== "string") {
    return errorReply(id, new RpcError(-32600, "Invalid request"));
  }
  const params = c.params === undefined ? [] : c.params;
  if (!Array.isArray(params)) return errorReply(id, new RpcError(-32602, "params must be an array"));
  try {
    return { jsonrpc: "2.0", id, result: (await front.request(c.method, params)) ?? null };
  } catch (error) {
    return errorReply(id, error);
  }
}

/** EDR's errors as Hardhat's own JSON-RPC server replies them (a revert: code 3, data = the revert data). */
function errorReply(id: unknown, error: unknown): JsonRpcReply {
  const e = error as { code?: unknown; message?: unknown; data?: unknown };
  const code = typeof e?.code === "number" ? e.code : -32603;
  const message = typeof e?.message === "string" ? e.message : "Internal error";
  const inner = e?.data as { data?: unknown; transactionHash?: unknown; reason?: unknown } | string | undefined;
  const returnData = typeof inner === "string" ? inner : typeof inner?.data === "string" ? inner.data : undefined;
  const data =
    code === 3 || error instanceof RpcError
      ? error instanceof RpcError
        ? e.data
        : returnData
      : { message, txHash: typeof inner === "object" ? inner?.transactionHash : undefined, data: returnData };
  return { jsonrpc: "2.0", id, error: { code, message, ...(data === undefined ? {} : { data }) } };
}

function send(res: ServerResponse, reply: unknown): void {
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply));
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<void> {
  const dir = arg(argv, "dir");
  if (!dir) {
    console.error("usage: node core/chain/edr-node.ts --dir <dir> [--port 8545] [--block-time <seconds>]");
    process.exit(64);
  }
  const fatal = (error: unknown) => {
    console.error(`chain: stopping, a mined block could not be journaled: ${String(error)}`);
    process.exit(1);
  };
  try {
    const node = await startEdrNode(
      { dir, port: Number(arg(argv, "port") ?? 8545), blockTime: Number(arg(argv, "block-time") ?? 0) },
      fatal,
    );
    for (const note of node.notes) console.error(note);
    console.log(`ready ${node.url} blocks=${node.replayed.blocks} replay_ms=${node.replayed.ms} edr=${edrVersion()}`);
    const stop = () => void node.close().then(() => process.exit(0));
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  } catch (error) {
    if (error instanceof JournalError) {
      console.error(`chain: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
