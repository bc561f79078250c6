/**
 * The journaled EDR chain (core/chain/edr-node.ts, ADR 0062) as a child process: the one definition of how
 * `npm start` launches it — this Node (process.execPath), from the project root (Hardhat's config lives there), on
 * 127.0.0.1, its journal at `<dir>/blocks.jsonl`. On Linux under `setpriv --pdeathsig SIGINT`, as anvil: should the
 * parent die without stopping it, the kernel still sends it SIGINT, so nothing is left holding the RPC port.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface EdrNodeProcessOptions {
  /** Where its journal lives (`blocks.jsonl` in it). */
  dir: string;
  /** JSON-RPC port on 127.0.0.1. */
  port: number;
  /** Seconds between blocks; 0 mines a block per transaction. */
  blockTime: number;
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NODE_SCRIPT = fileURLToPath(new URL("./edr-node.ts", import.meta.url));

/** The `ready` line the node prints on stdout once it serves. */
export const READY_LINE = /^ready (\S+) blocks=(\d+) replay_ms=(\d+)(?: edr=(\S+))?$/m;

export function spawnEdrNode(options: EdrNodeProcessOptions, stdio: StdioOptions): ChildProcess {
  const args = [
    NODE_SCRIPT,
    "--dir",
    options.dir,
    "--port",
    String(options.port),
    "--block-time",
    String(options.blockTime),
  ];
  const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => existsSync(p));
  const [command, ...prefix] =
    process.platform === "linux" && setpriv
      ? [setpriv, "--pdeathsig", "SIGINT", "--", process.execPath]
      : [process.execPath];
  return spawn(command, [...prefix, ...args], { cwd: ROOT, stdio });
}
