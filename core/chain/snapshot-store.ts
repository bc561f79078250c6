/**
 * The embedded chain's snapshots on disk: generations of anvil's state (`anvil_dumpState`, gzip-compressed JSON),
 * each written so that a kill at any instant leaves the last complete one readable — written to a temporary file,
 * fsynced, renamed into place, then the directory fsynced. The newest generation and the one before it are kept.
 *
 * Files in the directory: `state-<generation>-<block>.json.gz` (block: the chain head when it was taken),
 * `*.tmp` (a write under way; left behind only by a kill), `*.torn` (a generation that failed its check, kept for
 * inspection), `state.json` (anvil's own file from before generations: read once as generation 0, never written).
 * gzip's trailer (CRC-32 and length) is the completeness check: a cut-off or damaged file fails to decompress.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

import { CodedError } from "../../sdk/src/errors.ts";

/** No intact generation to start from: the message is the one-line fix. */
export class SnapshotTornError extends CodedError<"CHAIN_SNAPSHOT_TORN"> {
  constructor(message: string) {
    super("CHAIN_SNAPSHOT_TORN", message);
  }
}

export interface Generation {
  generation: number;
  /** The chain head when it was taken (undefined for anvil's own legacy file). */
  block: number | undefined;
  file: string;
}

export interface Restored {
  /** The generation to load (undefined: no snapshot yet, a new chain). */
  from: Generation | undefined;
  /** anvil's state as JSON, for `--load-state`. */
  json: Buffer | undefined;
  /** What happened on the way, one line each, for the terminal (never silent). */
  notes: string[];
}

const NAME = /^state-(\d+)-(\d+)\.json\.gz$/;
const LEGACY = "state.json";

export class SnapshotStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The generations on disk, newest first. */
  generations(): Generation[] {
    const found: Generation[] = [];
    for (const name of this.#names()) {
      const m = NAME.exec(name);
      if (m) found.push({ generation: Number(m[1]), block: Number(m[2]), file: join(this.dir, name) });
      else if (name === LEGACY) found.push({ generation: 0, block: undefined, file: join(this.dir, name) });
    }
    return found.sort((a, b) => b.generation - a.generation);
  }

  /**
   * The newest intact generation and its JSON. An unfinished write (`*.tmp`) is removed and said; a torn
   * generation is renamed `*.torn` and the previous one is used, and said; none intact: SnapshotTornError.
   */
  restore(): Restored {
    const notes: string[] = [];
    for (const name of this.#names().filter((n) => n.endsWith(".tmp"))) {
      rmSync(join(this.dir, name), { force: true });
      notes.push(`removed ${name}, a snapshot write that a kill interrupted (the generation before it is intact)`);
    }
    const all = this.generations();
    const torn: string[] = [];
    for (const g of all) {
      const json = readIntact(g.file);
      if (json) {
        for (const t of torn) {
          notes.push(
            `the chain snapshot ${t} is torn (kept as ${t}.torn); recovered from the previous generation ` +
              `${g.file}${g.block === undefined ? "" : ` (block ${g.block})`}: blocks after it are lost`,
          );
        }
        for (const t of torn) renameSync(t, `${t}.torn`);
        return { from: g, json, notes };
      }
      torn.push(g.file);
    }
    if (torn.length > 0) {
      throw new SnapshotTornError(
        `the chain snapshot ${torn[0]} is torn and no earlier generation is intact: restore ${this.dir} from a ` +
          `backup, or start over with --fresh (which discards this registry)`,
      );
    }
    return { from: undefined, json: undefined, notes };
  }

  /**
   * Writes the next generation atomically and keeps the one before it. `pauseMs` (a test hook) pauses half-way
   * through the bytes, so a test can kill the process with a torn temporary file on disk.
   */
  async write(gzip: Buffer, block: number, pauseMs = 0): Promise<Generation> {
    mkdirSync(this.dir, { recursive: true });
    const generation = (this.generations()[0]?.generation ?? 0) + 1;
    const file = join(this.dir, `state-${generation}-${block}.json.gz`);
    const tmp = `${file}.tmp`;
    const handle = await open(tmp, "w");
    try {
      const half = Math.floor(gzip.length / 2);
      await handle.write(gzip, 0, half);
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      await handle.write(gzip, half, gzip.length - half);
      await handle.sync();
    } finally {
      await handle.close();
    }
    renameSync(tmp, file);
    fsyncDir(this.dir);
    for (const old of this.generations().filter((g) => g.generation < generation - 1)) rmSync(old.file);
    return { generation, block, file };
  }

  #names(): string[] {
    try {
      return readdirSync(this.dir);
    } catch {
      return [];
    }
  }
}

/** The file's JSON if it is complete (gzip's CRC and length check out; the legacy file parses), else undefined. */
function readIntact(file: string): Buffer | undefined {
  try {
    const bytes = readFileSync(file);
    if (file.endsWith(".gz")) return gunzipSync(bytes);
    JSON.parse(bytes.toString("utf8"));
    return bytes;
  } catch {
    return undefined;
  }
}

/** A rename is durable only once its directory is (POSIX); Windows cannot open a directory and needs no fsync. */
function fsyncDir(dir: string): void {
  if (process.platform === "win32") return;
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
