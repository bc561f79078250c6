/**
 * The embedded chain's block journal (ADR 0062): `blocks.jsonl`, JSON lines. The first line is the chain's
 * header — what a fresh EDR needs to rebuild the same genesis (chain id, hardfork, the genesis date) and the genesis
 * hash to check it against; every further line is one mined block: its number, timestamp, hash and raw signed
 * transactions in block order. Lines are appended and fsynced before the reply that follows the block leaves the
 * front (core/chain/edr-node.ts), so a kill at any instant leaves every acknowledged block on disk.
 *
 * A kill during an append can leave a last line cut off (no newline, or not JSON): that block's reply never left,
 * so the line is dropped and the file truncated to the last complete line on open — never anything before it. A
 * damaged line that is not the last one is not a torn append: the journal refuses to open.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, ftruncateSync, writeSync } from "node:fs";
import { dirname } from "node:path";

import { CodedError } from "../../../sdk/src/errors.ts";

/** The journal's format version (the header's `v`). */
export const JOURNAL_VERSION = 1;

/** The journal cannot be used: the message is one line saying what to do. */
export class JournalError extends CodedError<"CHAIN_JOURNAL_INVALID" | "CHAIN_JOURNAL_MISMATCH"> {
  constructor(code: "CHAIN_JOURNAL_INVALID" | "CHAIN_JOURNAL_MISMATCH", message: string) {
    super(code, message);
  }
}

/** The first line: the genesis a replay must reproduce. */
export interface JournalHeader {
  v: number;
  chainId: number;
  hardfork: string;
  /** EDR's `initialDate` (ISO-8601): the genesis timestamp, and the only genesis field that is not fixed config. */
  initialDate: string;
  genesisHash: string;
  /** The EDR version that wrote the journal (for the message when another one does not replay it). */
  edr?: string;
}

/** One mined block. */
export interface JournalBlock {
  number: number;
  timestamp: number;
  hash: string;
  /** Raw signed transactions (0x-hex), in block order. */
  txs: string[];
}

export interface OpenedJournal {
  header: JournalHeader | undefined;
  blocks: JournalBlock[];
  /** What happened on open, one line each (a dropped torn line), for the terminal. */
  notes: string[];
}

const HEX = /^0x[0-9a-f]*$/i;

function isHeader(value: unknown): value is JournalHeader {
  const h = value as JournalHeader;
  return (
    typeof h === "object" &&
    h !== null &&
    h.v === JOURNAL_VERSION &&
    Number.isSafeInteger(h.chainId) &&
    typeof h.hardfork === "string" &&
    typeof h.initialDate === "string" &&
    !Number.isNaN(Date.parse(h.initialDate)) &&
    typeof h.genesisHash === "string" &&
    HEX.test(h.genesisHash) &&
    (h.edr === undefined || typeof h.edr === "string")
  );
}

function isBlock(value: unknown): value is JournalBlock {
  const b = value as JournalBlock;
  return (
    typeof b === "object" &&
    b !== null &&
    Number.isSafeInteger(b.number) &&
    Number.isSafeInteger(b.timestamp) &&
    typeof b.hash === "string" &&
    HEX.test(b.hash) &&
    Array.isArray(b.txs) &&
    b.txs.every((t) => typeof t === "string" && HEX.test(t))
  );
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * An append-only journal file. `open` reads what is there (dropping and truncating a torn last line); `appendHeader`
 * and `append` write whole lines and fsync before returning.
 */
export class BlockJournal {
  readonly path: string;
  #fd: number | undefined;

  constructor(path: string) {
    this.path = path;
  }

  /** Reads the journal (an absent file is an empty journal) and opens it for appending. */
  open(): OpenedJournal {
    mkdirSync(dirname(this.path), { recursive: true });
    const notes: string[] = [];
    const text = existsSync(this.path) ? readFileSync(this.path, "utf8") : "";
    const lines = text.split("\n");
    // Everything before the last "\n" is complete lines; what follows it (usually "") is an unfinished append.
    const tail = lines.pop()!;
    let keepBytes = Buffer.byteLength(text) - Buffer.byteLength(tail);
    const parsed = lines.map(parseLine);
    if (tail !== "")
      notes.push(`chain journal: dropped a torn last line (${Buffer.byteLength(tail)} bytes, no newline)`);
    else if (lines.length > 0 && parsed.at(-1) === undefined) {
      // A complete-looking last line that is not JSON: an append the kill cut inside a multi-byte write.
      const last = lines.pop()!;
      parsed.pop();
      keepBytes -= Buffer.byteLength(last) + 1;
      notes.push(`chain journal: dropped a torn last line (${Buffer.byteLength(last)} bytes, not JSON)`);
    }
    let header: JournalHeader | undefined;
    const blocks: JournalBlock[] = [];
    parsed.forEach((value, i) => {
      const where = `${this.path} line ${i + 1}`;
      if (i === 0) {
        if (!isHeader(value)) throw invalid(`${where} is not a chain journal header`);
        header = value;
        return;
      }
      if (!isBlock(value)) throw invalid(`${where} is not a journaled block`);
      const expected = (blocks.at(-1)?.number ?? 0) + 1;
      if (value.number !== expected) throw invalid(`${where} is block ${value.number}, expected ${expected}`);
      blocks.push(value);
    });
    this.#fd = openSync(this.path, existsSync(this.path) ? "r+" : "w+");
    if (keepBytes < Buffer.byteLength(text)) {
      ftruncateSync(this.#fd, keepBytes);
      fsyncSync(this.#fd);
    }
    this.#fd = reopenForAppend(this.#fd, this.path);
    return { header, blocks, notes };
  }

  /** Writes the header of a new journal (the file must be empty). */
  appendHeader(header: JournalHeader): void {
    this.#write(JSON.stringify(header) + "\n");
  }

  /** Appends blocks (in order) and fsyncs: when this returns, they survive a kill or a power cut. */
  append(blocks: readonly JournalBlock[]): void {
    if (blocks.length === 0) return;
    this.#write(blocks.map((b) => JSON.stringify(b) + "\n").join(""));
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #write(text: string): void {
    if (this.#fd === undefined) throw new Error("the chain journal is not open");
    const bytes = Buffer.from(text);
    for (let off = 0; off < bytes.length;) off += writeSync(this.#fd, bytes, off);
    fsyncSync(this.#fd);
  }
}

function reopenForAppend(fd: number, path: string): number {
  closeSync(fd);
  const appendFd = openSync(path, "a");
  // A new file's directory entry must be durable too, or a power cut could lose the whole file.
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
  return appendFd;
}

function invalid(what: string): JournalError {
  return new JournalError(
    "CHAIN_JOURNAL_INVALID",
    `${what}: the chain journal is damaged — move it aside to start a new chain (its registry data is lost) or restore it from a backup`,
  );
}
