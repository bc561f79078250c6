/** Shared helpers of the Besu generator tests (besu*.test.ts). */
import { spawnSync } from "node:child_process";

import { expect } from "chai";

import { BesuNetworkError } from "../../network/besu/errors.ts";
import type { GeneratedNetwork } from "../../network/besu/network.ts";
import type { NetworkOptionsInput } from "../../network/besu/options.ts";
import { parseNetworkOptions } from "../../network/besu/resolve.ts";

/** Reads the TOML this generator writes (`key=value`, values JSON-compatible, arrays possibly multi-line). */
export function readToml(text: string): Record<string, unknown> {
  const entries: Record<string, unknown> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    const key = line.slice(0, eq);
    let value = line.slice(eq + 1);
    while (value.startsWith("[") && !value.endsWith("]")) value += lines[++i] ?? "";
    entries[key] = JSON.parse(value);
  }
  return entries;
}

export function fileOf(network: GeneratedNetwork, name: string): string {
  const file = network.files.find((f) => f.path === name);
  if (!file) throw new Error(`no generated file ${name}`);
  return file.content;
}

/** The parsed config.toml of node `name` (validator-<n> or rpc-1). */
export function configOf(network: GeneratedNetwork, name: string): Record<string, unknown> {
  return readToml(fileOf(network, `${name}/config.toml`));
}

export function expectInvalid(input: NetworkOptionsInput, ...fragments: string[]): BesuNetworkError {
  try {
    parseNetworkOptions(input);
  } catch (error) {
    expect(error).to.be.instanceOf(BesuNetworkError);
    const e = error as BesuNetworkError;
    expect(e.code).to.equal("INVALID_OPTIONS");
    expect(e.message).to.not.include("\n");
    for (const fragment of fragments) expect(e.message).to.include(fragment);
    return e;
  }
  expect.fail(`expected options ${JSON.stringify(input)} to be rejected`);
}

export function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", "network/besu/generate.ts", ...args], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Four validators on four hosts, the production layout (with the chain id and rpc-1 host it then needs). */
export const SPREAD: NetworkOptionsInput = {
  hosts: "10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4",
  p2pPorts: 30303,
  rpcPorts: 8545,
  metricsPorts: 9545,
  rpcNodeHost: "10.0.0.5",
  chainId: 48_151_623,
  accountsAllowlist: ["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"],
};
