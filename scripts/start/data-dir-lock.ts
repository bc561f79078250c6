/**
 * One `npm start` per data directory: it holds `<data-dir>/start.lock` (its pid); a lock whose process is gone is
 * stale and taken over.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";

import { fail } from "./errors.ts";

export class DataDirLock {
  readonly #file: string;
  readonly #dir: string;
  #held = false;

  constructor(file: string, dir: string) {
    this.#file = file;
    this.#dir = dir;
  }

  /** Takes the lock, or fails (one line) when another npm start holds it. */
  acquire(): void {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        writeFileSync(this.#file, `${process.pid}\n`, { flag: "wx" });
        this.#held = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
          fail(`cannot lock the data directory ${this.#dir}: ${(error as Error).message}`);
        }
      }
      let holder: number;
      try {
        holder = Number(readFileSync(this.#file, "utf8").trim());
      } catch {
        continue; // released meanwhile
      }
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isNpmStart(holder)) {
        fail(
          `the data directory ${this.#dir} is in use by another npm start (pid ${holder}): stop that one, or pass ` +
            `--data-dir (a lock left by a crash: delete ${this.#file})`,
        );
      }
      rmSync(this.#file, { force: true }); // stale: its process is gone
    }
    fail(`cannot lock the data directory ${this.#dir} (${this.#file} keeps coming back)`);
  }

  /** Releases the lock if this process holds it (synchronous: also called on exit). */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    try {
      if (readFileSync(this.#file, "utf8").trim() === String(process.pid)) rmSync(this.#file, { force: true });
    } catch {
      // already gone (e.g. the data directory was removed)
    }
  }
}

/** Is `pid` alive, and (where /proc tells) an npm start? A pid reused by another program does not hold the lock. */
function isNpmStart(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("start.ts");
  } catch {
    return true; // no /proc: alive is all we know
  }
}
