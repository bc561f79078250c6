/**
 * A bounded pool of `node:worker_threads` for the CPU-heavy work on the request path — lot calculation and Scope 3
 * report rendering — so one large request cannot hold the event loop every other request needs. At most `size`
 * tasks run at once, at most `queue` wait; one more is refused at once ({@link PoolFullError}: the API answers 503
 * SERVER_BUSY with Retry-After) rather than queued without bound.
 *
 * Workers start on first use and are unref'd (an idle pool keeps no process alive). A worker that dies fails the task
 * it held; the next task starts a new one.
 */
import { availableParallelism } from "node:os";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

import { CodedError } from "../../../sdk/src/errors.ts";
import type { TaskError, WorkerTask } from "./tasks.ts";

/** The pool is at capacity: every worker busy and `queue` tasks waiting. */
export class PoolFullError extends CodedError<"POOL_FULL"> {
  constructor(message: string) {
    super("POOL_FULL", message);
  }
}

/** A task that failed in the worker, with the error's class name and code as the worker saw them. */
export class WorkerTaskError extends CodedError<string> {
  readonly errorName: string;
  constructor(error: TaskError) {
    super(error.code ?? "WORKER_FAILED", error.message);
    this.errorName = error.name;
  }
}

export interface PoolOptions {
  /** Worker threads (default: cores − 1, at least 1). */
  size?: number | undefined;
  /** Tasks that may wait for a worker (default 8). */
  queue?: number | undefined;
  /** Given to every worker (e.g. the reference data's bytes). */
  workerData?: unknown;
}

interface Job {
  task: WorkerTask;
  transfer: ArrayBuffer[];
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

// The worker's file beside this one, .ts when run from source (Node's type stripping), .js when built.
const SCRIPT = new URL(`./worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

export class WorkerPool {
  readonly size: number;
  readonly queueLength: number;
  readonly #workerData: unknown;
  readonly #slots: Slot[] = [];
  readonly #waiting: Job[] = [];
  #closed = false;

  constructor(options: PoolOptions = {}) {
    this.size = Math.max(1, options.size ?? availableParallelism() - 1);
    this.queueLength = Math.max(0, options.queue ?? 8);
    this.#workerData = options.workerData;
  }

  /** Tasks running now, and waiting. */
  get load(): { running: number; waiting: number } {
    return { running: this.#slots.filter((s) => s.job).length, waiting: this.#waiting.length };
  }

  /**
   * Runs `task` on a worker: its result (structured-cloned), or the worker's error as a WorkerTaskError.
   * @throws PoolFullError (synchronously counted: the caller is refused before anything is queued)
   */
  run<T>(task: WorkerTask, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.#closed) return Promise.reject(new PoolFullError("the worker pool is closed"));
    const { running, waiting } = this.load;
    if (running >= this.size && waiting >= this.queueLength) {
      return Promise.reject(
        new PoolFullError(`${running} tasks running and ${waiting} waiting: the pool and its queue are full`),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ task, transfer, resolve: resolve as (v: unknown) => void, reject });
      this.#dispatch();
    });
  }

  /** Stops every worker; running and waiting tasks fail. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#waiting.splice(0)) job.reject(new PoolFullError("the worker pool is closed"));
    await Promise.all(this.#slots.splice(0).map((s) => s.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#waiting.length > 0) {
      let slot = this.#slots.find((s) => !s.job);
      if (!slot && this.#slots.length < this.size) slot = this.#spawn();
      if (!slot) return;
      const job = this.#waiting.shift()!;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage(job.task, job.transfer);
    }
  }

  #spawn(): Slot {
    const worker = new Worker(SCRIPT, { workerData: this.#workerData });
    worker.unref();
    const slot: Slot = { worker, job: undefined };
    worker.on("message", (reply: { ok: true; value: unknown } | { ok: false; error: TaskError }) => {
      const job = slot.job;
      slot.job = undefined;
      worker.unref();
      if (reply.ok) job?.resolve(reply.value);
      else job?.reject(new WorkerTaskError(reply.error));
      this.#dispatch();
    });
    const lost = (error: Error) => {
      const i = this.#slots.indexOf(slot);
      if (i >= 0) this.#slots.splice(i, 1);
      slot.job?.reject(error);
      slot.job = undefined;
      if (!this.#closed) this.#dispatch();
    };
    worker.on("error", lost);
    worker.on("exit", (code) => lost(new Error(`a worker thread exited (code ${code})`)));
    this.#slots.push(slot);
    return slot;
  }
}
