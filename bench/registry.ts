/**
 * The registry the benchmarks measure: `node scripts/start.ts` (what `npm start` runs, demonstration included) on
 * free loopback ports and a temporary data directory, resolved once it prints that it is running.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { freePort } from "../test/helpers/chain.ts";

export interface BenchRegistry {
  api: string;
  rpc: string;
  dataDir: string;
  /** Ctrl-C, then removes the data directory. */
  stop(): Promise<void>;
}

export async function startRegistry(env: Record<string, string> = {}): Promise<BenchRegistry> {
  const dataDir = mkdtempSync(join(tmpdir(), "itec-bench-"));
  const [port, rpcPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    ["scripts/start.ts", "--data-dir", dataDir, "--port", String(port), "--rpc-port", String(rpcPort)],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("The registry is running")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`npm start exited ${code}:\n${out}`)));
  });
  return {
    api: `http://127.0.0.1:${port}`,
    rpc: `http://127.0.0.1:${rpcPort}`,
    dataDir,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGINT");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
