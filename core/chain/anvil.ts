/**
 * anvil, the embedded chain of `npm start` and the tests' stand-in for a Besu node: the one definition of how it is
 * launched (chain id 1337, Cancun, zero base fee and gas price, mainnet's contract size limit, loopback only).
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

/** The chain id of every anvil launched here (and of Hardhat's simulator in the tests). */
export const ANVIL_CHAIN_ID = 1337n;

export interface AnvilOptions {
  /** JSON-RPC port on 127.0.0.1. */
  port: number;
  /** Seconds between blocks; 0 mines a block per transaction (automine). */
  blockTime: number;
  /** A state to start from (anvil's JSON, as `anvil_dumpState` gives it decompressed); an empty chain when absent. */
  loadState?: string | undefined;
}

/** anvil's own arguments for these options. */
export function anvilArgs(options: AnvilOptions): string[] {
  return [
    "--host",
    "127.0.0.1",
    "--port",
    String(options.port),
    "--chain-id",
    String(ANVIL_CHAIN_ID),
    "--hardfork",
    "cancun",
    "--base-fee",
    "0",
    "--gas-price",
    "0",
    "--code-size-limit",
    "24576",
    ...(options.loadState ? ["--load-state", options.loadState] : []),
    ...(options.blockTime > 0 ? ["--block-time", String(options.blockTime)] : []),
    "--silent",
  ];
}

/**
 * The command line that runs anvil, before anvil's own arguments: the native binary of @foundry-rs/anvil, spawned
 * directly (its node_modules/.bin launcher is one more process that could be left behind). On Linux under
 * `setpriv --pdeathsig SIGINT`: should the parent die without stopping it (SIGKILL, a crash), the kernel still sends
 * anvil SIGINT, so it exits and nothing is left holding the RPC port.
 */
export function anvilCommand(): string[] {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const exe = process.platform === "win32" ? "anvil.exe" : "anvil";
  let binary: string;
  try {
    binary = createRequire(import.meta.url).resolve(`@foundry-rs/anvil-${process.platform}-${arch}/bin/${exe}`);
  } catch {
    return [join("node_modules", ".bin", "anvil")]; // the package's launcher finds it
  }
  const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => existsSync(p));
  return process.platform === "linux" && setpriv ? [setpriv, "--pdeathsig", "SIGINT", "--", binary] : [binary];
}

/** Starts anvil with these options; the caller watches the process, persists its state and stops it. */
export function spawnAnvil(options: AnvilOptions, stdio: StdioOptions): ChildProcess {
  const [command, ...prefix] = anvilCommand();
  return spawn(command!, [...prefix, ...anvilArgs(options)], { stdio });
}
