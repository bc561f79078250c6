/**
 * CLI: write the container files of a one-machine consortium (network/besu/compose.ts) beside a generated network.
 *
 *     node network/besu/compose-cli.ts --network ./consortium --rpc-node rpc-node \
 *       --issuer 0x… --public-url http://localhost:8080 [--force]
 *
 * Reads the generator's output (network.json for the validators, `<rpc-node>/config.toml` for the RPC node), so it
 * runs after `npm run besu:generate`. See docs/containers.md.
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Command, CommanderError } from "commander";

import { PACKAGE_ROOT } from "../../core/package.ts";
import { composeFiles, FILES, type ComposeInput, type ComposeNode } from "./compose.ts";
import { parseEnodeUrl } from "./keys.ts";

/** What network.json (network/besu/network.ts `NetworkSummary`) says that the compose file needs. */
interface SummaryFacts {
  chainId: number;
  validators: { name: string; enode: string; rpcUrl: string }[];
}

/** `key=value` of a generated config.toml (strings are JSON-quoted, network/besu/toml.ts). */
function tomlValue(toml: string, key: string): string | undefined {
  const match = new RegExp(`^${key}=(.*)$`, "m").exec(toml);
  if (!match?.[1]) return undefined;
  const raw = match[1].trim();
  return raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
}

/**
 * The compose input for the network generated in `networkDir`: validators from network.json, the RPC node from its
 * config.toml (its `p2p-host` and `rpc-http-port`).
 */
export async function composeInputFromNetworkDir(
  networkDir: string,
  options: { rpcNode: string; issuer: string; publicUrl: string },
): Promise<ComposeInput> {
  const summary = JSON.parse(await readFile(path.join(networkDir, "network.json"), "utf8")) as SummaryFacts;
  const validators: ComposeNode[] = summary.validators.map((v) => ({
    name: v.name,
    p2pHost: parseEnodeUrl(v.enode).host,
    rpcPort: Number(new URL(v.rpcUrl).port),
  }));
  const rpcToml = await readFile(path.join(networkDir, options.rpcNode, "config.toml"), "utf8");
  const rpcNode: ComposeNode = {
    name: options.rpcNode,
    p2pHost: tomlValue(rpcToml, "p2p-host") ?? "",
    rpcPort: Number(tomlValue(rpcToml, "rpc-http-port") ?? "8545"),
  };
  return {
    chainId: summary.chainId,
    validators,
    rpcNode,
    issuer: options.issuer,
    publicUrl: options.publicUrl,
    buildContext: path.relative(path.resolve(networkDir), fileURLToPath(PACKAGE_ROOT)) || ".",
  };
}

/** Writes the files; refuses to replace an existing compose.yaml unless `force`. Returns the paths written. */
export async function writeComposeFiles(
  networkDir: string,
  files: Map<string, string>,
  { force = false }: { force?: boolean } = {},
): Promise<string[]> {
  if (!force && existsSync(path.join(networkDir, FILES.compose))) {
    throw new Error(`${path.join(networkDir, FILES.compose)} exists; pass --force to replace the container files`);
  }
  const written: string[] = [];
  for (const [relative, content] of files) {
    const target = path.join(networkDir, relative);
    await mkdir(path.dirname(target), { recursive: true });
    const mode = relative.endsWith(".sh") ? 0o755 : 0o644;
    await writeFile(target, content, { mode });
    await chmod(target, mode);
    written.push(target);
  }
  return written;
}

const program = new Command("besu-compose")
  .description("Write compose.yaml and the container files of a one-machine consortium beside a generated network")
  .requiredOption("--network <dir>", "the generator's output directory (network.json, genesis.json, node directories)")
  .requiredOption("--rpc-node <name>", "the directory (and service name) of the non-validator RPC node")
  .requiredOption("--issuer <address>", "the oracle's address: the deployment grants it the issuer role")
  .option("--public-url <url>", "the registry's public base URL, behind the proxy", "http://localhost:8080")
  .option("--force", "replace existing container files")
  .showHelpAfterError()
  .exitOverride();

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    program.parse(process.argv);
    const cli = program.opts<{
      network: string;
      rpcNode: string;
      issuer: string;
      publicUrl: string;
      force?: boolean;
    }>();
    const input = await composeInputFromNetworkDir(cli.network, cli);
    const written = await writeComposeFiles(cli.network, composeFiles(input), { force: cli.force ?? false });
    process.stdout.write(
      `${written.map((file) => `wrote ${file}`).join("\n")}\n` +
        "Next: create the secrets/ files (.env.example lists them), then `docker compose up -d` there " +
        "(docs/containers.md).\n",
    );
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
    } else {
      process.stderr.write(`besu-compose: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  }
}
