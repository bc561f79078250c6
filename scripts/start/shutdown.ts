/**
 * How `npm start` stops: Ctrl-C (SIGINT; also SIGTERM, SIGHUP) stops everything cleanly at any point, the first
 * start included — what was started closes in reverse order (the services, then the chain; `--chain anvil` writes
 * its last snapshot on the way out) and the process exits 0. A second Ctrl-C stops at once. A failure while starting (or a crash later)
 * is one line on stderr, then the same stop, exit 1.
 */
import type { Logger } from "pino";

import { Stopping, StartError } from "./errors.ts";
import { complain, oneLine, say } from "./terminal.ts";

/** A stop that takes longer than this exits anyway. */
const STOP_LIMIT_MS = 20_000;

export class Shutdown {
  readonly #controller = new AbortController();
  readonly #closers: (() => Promise<void> | void)[] = [];
  readonly #atExit: (() => void)[] = [];
  #stopping = false;
  #signalAt = 0;
  /** Where failures are logged in full, once there is a log (the one-line report points at it). */
  log: { logger: Logger; file: string } | undefined;
  /** The last line after a stop by signal. */
  farewell = "stopped.";

  /** Aborted when the stop begins. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Handles the stop signals, and failures nothing else caught. Ctrl-C works from here on. */
  install(): void {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => this.#onSignal(signal));
    process.on("exit", () => {
      for (const last of this.#atExit) last();
    });
    process.on("unhandledRejection", (error) => void this.failed(error));
    process.on("uncaughtException", (error) => void this.failed(error));
  }

  /** Throws Stopping once a stop is under way: the start-up sequence ends there. */
  guard(): void {
    if (this.#stopping) throw new Stopping();
  }

  /** What to close on the stop (the last registered closes first). */
  onStop(close: () => Promise<void> | void): void {
    this.#closers.push(close);
  }

  /** What must happen even on an abrupt exit (synchronous: a second Ctrl-C). */
  atExit(last: () => void): void {
    this.#atExit.push(last);
  }

  /** A failure while starting (or a crash later): one line, then everything started is stopped; exit 1. */
  async failed(error: unknown): Promise<void> {
    if (this.#stopping) return; // a failure caused by the stop itself
    if (error instanceof Stopping) return;
    if (error instanceof StartError) complain(error.message);
    else {
      this.log?.logger.error({ err: error }, "npm start failed");
      complain(`${oneLine(error)}${this.log ? ` (details in ${this.log.file})` : ""}`);
    }
    await this.stop(1);
  }

  /** Stops what was started (last first), then exits with `code`. */
  async stop(code: number, signal?: string): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (signal) say(`\n${signal}: stopping…`);
    setTimeout(() => {
      complain(`stopping took more than ${STOP_LIMIT_MS / 1000} s: exiting now`);
      process.exit(code === 0 ? 1 : code);
    }, STOP_LIMIT_MS).unref();
    this.#controller.abort(new Stopping());
    for (const close of this.#closers.reverse()) {
      try {
        await close();
      } catch {
        // closing the rest anyway
      }
    }
    if (signal) say(this.farewell);
    process.exit(code);
  }

  #onSignal(signal: string): void {
    if (this.#stopping) {
      // Under `npm start` one Ctrl-C can arrive twice: from the terminal (the whole process group) and relayed by
      // npm itself. Only a later one means "stop now".
      if (Date.now() - this.#signalAt < 2_000) return;
      say(`${signal} again: stopping now`);
      process.exit(130); // the exit handlers still stop the chain (journaled: nothing acknowledged is lost)
    }
    this.#signalAt = Date.now();
    void this.stop(0, signal);
  }
}
