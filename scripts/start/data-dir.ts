/**
 * The data directory of `npm start` (default ./.itec/): where each piece of state lives, and `--fresh`. It survives
 * a restart; one `npm start` holds it at a time (data-dir-lock.ts).
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

import { fail } from "./errors.ts";

export interface DataDir {
  root: string;
  /** `start.lock`: the pid of the npm start that holds the directory. */
  lock: string;
  /** The embedded chain's journal (`blocks.jsonl`, the default) or anvil's snapshots (core/chain/snapshot-store.ts). */
  chainDir: string;
  /** `deployment.json`: the registry's address and deploy block, once deployed. */
  deployment: string;
  /** The block before an interrupted deployment (Ignition resumes it from its journal). */
  deploymentPending: string;
  /** Ignition's deployment journal. */
  ignition: string;
  /** `demo.json`: the demonstration's result, once done. */
  demo: string;
  /** Present while a demonstration is under way (the next start completes it). */
  demoStarted: string;
  documents: string;
  log: string;
  registryDb: string;
}

export function dataDirAt(dir: string): DataDir {
  const root = resolve(dir);
  return {
    root,
    lock: join(root, "start.lock"),
    chainDir: join(root, "chain"),
    deployment: join(root, "deployment.json"),
    deploymentPending: join(root, "deployment.pending.json"),
    ignition: join(root, "ignition"),
    demo: join(root, "demo.json"),
    demoStarted: join(root, "demo.started"),
    documents: join(root, "documents"),
    log: join(root, "registry.log"),
    registryDb: join(root, "registry.db"),
  };
}

/** Creates the directory (a failure is one line). */
export function createDataDir(dir: DataDir): void {
  try {
    mkdirSync(dir.root, { recursive: true });
  } catch (error) {
    fail(`cannot create the data directory ${dir.root}: ${(error as Error).message}`);
  }
}

/**
 * `--fresh`: deletes everything but the lock (held by this process: two starts never share the directory, not
 * even here).
 */
export function wipeDataDir(dir: DataDir): void {
  for (const entry of readdirSync(dir.root)) {
    if (join(dir.root, entry) !== dir.lock) rmSync(join(dir.root, entry), { recursive: true, force: true });
  }
}

/**
 * The default (journaled) chain on a data directory that holds anvil's snapshot generations and no journal: refused
 * in one line naming both ways on — a silent new chain would orphan the registry in the snapshots.
 */
export function refuseAnvilState(dir: DataDir): void {
  let names: string[];
  try {
    names = readdirSync(dir.chainDir);
  } catch {
    return; // no chain yet
  }
  if (names.includes("blocks.jsonl") || !names.some((n) => /^state(-\d+-\d+\.json\.gz|\.json)$/.test(n))) return;
  fail(
    `${dir.root} holds an anvil chain (snapshots, no journal): npm start -- --chain anvil keeps it, ` +
      "npm start -- --fresh starts over on the journaled chain (this registry's data is lost)",
  );
}
