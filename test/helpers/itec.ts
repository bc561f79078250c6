/**
 * Runs the `itec` CLI as a child process, exactly as `npx itec` does (bin/itec.js under this Node), and collects
 * its output. `env` is the child's whole environment; entries set to undefined are left out.
 */
import { spawn } from "node:child_process";

export interface ItecRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runItec(args: string[], env: Record<string, string | undefined>): Promise<ItecRun> {
  const childEnv = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/itec.js", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: childEnv,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}
