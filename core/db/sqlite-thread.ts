/**
 * A second `node:sqlite` connection to an SQLite file, run on a worker thread of its own, for transactions too large
 * to hold the event loop: `node:sqlite` runs each statement synchronously, so a transaction writing tens of MB (a
 * 50,000-device lot's input and report, one reservation row per device) and its COMMIT (the fsync of all of it)
 * would stop every other request of the process for hundreds of milliseconds. On the worker thread the statements
 * and the COMMIT run there; this thread only posts them and awaits the answers.
 *
 * The transaction is an ordinary SQLite transaction on the file (BEGIN IMMEDIATE … COMMIT, rolled back when `fn`
 * rejects, the thread dies or the process does): it appears whole or not at all. The caller keeps this process's
 * other statements on the file out of it while it runs (the job store's gate, oracle/src/store/rows.ts): a write on
 * the main connection would otherwise wait for the file lock synchronously.
 */
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

import { isUtf8Text, type SqlExecutor, type SqlRow, type SqlValue } from "./sql.ts";

export interface SqliteThreadRequest {
  id: number;
  op: "exec" | "run" | "get" | "all";
  sql: string;
  params: readonly SqlValue[];
}

export type SqliteThreadReply =
  | { id: number; ok: true; value: unknown }
  | {
      id: number;
      ok: false;
      error: { message: string; code?: string | undefined; errcode?: number | undefined; errstr?: string | undefined };
    };

// The worker's file beside this one, .ts when run from source (Node's type stripping), .js when built.
const SCRIPT = new URL(`./sqlite-thread-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class SqliteThread {
  readonly path: string;
  #worker: Worker | undefined;
  #next = 1;
  readonly #pending = new Map<number, Pending>();
  #inTransaction = false;

  constructor(path: string) {
    this.path = path;
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction on the thread's connection: committed when it resolves, rolled back when
   * it rejects. Every statement of `fn` must go through the executor it is given.
   */
  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.#inTransaction) throw new Error("nested transaction on one SQLite thread");
    this.#inTransaction = true;
    try {
      await this.#call("exec", "BEGIN IMMEDIATE");
      let result: T;
      try {
        result = await fn(this.#executor);
      } catch (error) {
        await this.#call("exec", "ROLLBACK").catch(() => undefined);
        throw error;
      }
      await this.#call("exec", "COMMIT");
      return result;
    } finally {
      this.#inTransaction = false;
    }
  }

  /** Stops the thread (its connection closes; an open transaction rolls back). */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }

  readonly #executor: SqlExecutor = {
    all: <T extends SqlRow>(sql: string, params: readonly SqlValue[] = []) =>
      this.#call("all", sql, params) as Promise<T[]>,
    get: <T extends SqlRow>(sql: string, params: readonly SqlValue[] = []) =>
      this.#call("get", sql, params) as Promise<T | undefined>,
    run: (sql, params = []) => this.#call("run", sql, params) as Promise<number>,
    exec: async (sql) => void (await this.#call("exec", sql)),
  };

  #call(op: SqliteThreadRequest["op"], sql: string, params: readonly SqlValue[] = []): Promise<unknown> {
    const worker = this.#start();
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, op, sql, params } satisfies SqliteThreadRequest, transferable(params));
    });
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(SCRIPT, { workerData: { path: this.path } });
    worker.unref();
    worker.on("message", (reply: SqliteThreadReply) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) worker.unref();
      if (!pending) return;
      if (reply.ok) pending.resolve(reply.value);
      else pending.reject(Object.assign(new Error(reply.error.message), reply.error));
    });
    const lost = (error: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    };
    worker.on("error", lost);
    worker.on("exit", (code) => lost(new Error(`the SQLite thread exited (code ${code})`)));
    this.#worker = worker;
    return worker;
  }
}

/**
 * The buffers of `params`' Utf8Text values that can move to the thread instead of being copied: those a view spans
 * whole (a view into a shared pool is copied). Moved, they are detached here: the caller must not read them again.
 */
function transferable(params: readonly SqlValue[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const p of params) {
    if (!isUtf8Text(p)) continue;
    const { buffer, byteOffset, byteLength } = p.utf8;
    if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength) buffers.add(buffer);
  }
  return [...buffers];
}
