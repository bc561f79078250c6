/**
 * CLI: generate a Hyperledger Besu QBFT network for the I-TEC Registry.
 *
 *     npx tsx network/besu/generate.ts --validators 4 --out ./besu-net [--chain-id 1337] [--block-period 2] …
 *
 * Thin: parses arguments, calls generateNetwork/writeNetwork, prints a summary. Exits non-zero with a one-line
 * reason on any failure. See network/besu/README.md.
 */
import path from "node:path";

import { Command, CommanderError } from "commander";

import { BesuNetworkError } from "./errors.ts";
import { generateNetwork, writeNetwork } from "./network.ts";
import { ALLOWED_RPC_APIS, OPTION_FLAGS, type NetworkOptionsInput } from "./options.ts";

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const program = new Command("besu-generate")
  .description("Generate genesis, node keys, node configs and the node allowlist of a Besu QBFT network")
  .requiredOption("--out <dir>", "output directory (created; must be empty unless --force)")
  .option(`${OPTION_FLAGS.validators} <n>`, "number of validators (default 4, the minimum that tolerates a fault)")
  .option(`${OPTION_FLAGS.chainId} <id>`, "chain id (default 1337)")
  .option(`${OPTION_FLAGS.blockPeriodSeconds} <seconds>`, "QBFT blockperiodseconds (default 2)")
  .option(`${OPTION_FLAGS.epochLength} <blocks>`, "QBFT epochlength: votes reset every N blocks (default 30000)")
  .option(`${OPTION_FLAGS.requestTimeoutSeconds} <seconds>`, "QBFT requesttimeoutseconds (default 2 × block period)")
  .option(`${OPTION_FLAGS.gasLimit} <gas>`, "block gas limit (default 30000000)")
  .option(`${OPTION_FLAGS.contractSizeLimit} <bytes>`, "genesis contractSizeLimit (default: none, EIP-170's 24576)")
  .option(
    `${OPTION_FLAGS.hosts} <list>`,
    "advertised P2P host(s): one for all or one per validator (default 127.0.0.1)",
  )
  .option(
    `${OPTION_FLAGS.p2pPorts} <list>`,
    "P2P port(s): one per validator, or a base incremented per validator (default 30303)",
  )
  .option(
    `${OPTION_FLAGS.rpcPorts} <list>`,
    "JSON-RPC port(s): one per validator, or a base incremented per validator (default 8545)",
  )
  .option(`${OPTION_FLAGS.rpcHost} <interface>`, "interface the JSON-RPC server binds to (default 127.0.0.1)")
  .option(
    `${OPTION_FLAGS.rpcApis} <list>`,
    `JSON-RPC namespaces, from ${ALLOWED_RPC_APIS.join(",")} (default ETH,NET,WEB3,QBFT)`,
  )
  .option(`${OPTION_FLAGS.rpcCorsOrigins} <list>`, "browser origins allowed to call the RPC (default none)")
  .option(`${OPTION_FLAGS.hostAllowlist} <list>`, "Host headers the RPC accepts (default localhost,127.0.0.1)")
  .option(`${OPTION_FLAGS.rpcMaxActiveConnections} <n>`, "rpc-http-max-active-connections (default 80)")
  .option(`${OPTION_FLAGS.rpcMaxBatchSize} <n>`, "rpc-http-max-batch-size (default 100)")
  .option(`${OPTION_FLAGS.rpcMaxRequestContentLength} <bytes>`, "rpc-http-max-request-content-length (default 5242880)")
  .option(`${OPTION_FLAGS.dataStorageFormat} <format>`, "BONSAI (default) or FOREST (archive of all historical state)")
  .option(`${OPTION_FLAGS.logging} <level>`, "Besu log level (default INFO)")
  .option(
    `${OPTION_FLAGS.alloc} <address=wei>`,
    "prefund an account (repeatable); not needed to transact: gas is free",
    collect,
  )
  .option(`${OPTION_FLAGS.allowNodes} <enode>`, "also allowlist this enode URL, e.g. an RPC node (repeatable)", collect)
  .option(OPTION_FLAGS.dev, "INSECURE deterministic dev keys: reproducible local test networks only")
  .option(OPTION_FLAGS.allowSmallNetwork, "allow fewer than 4 validators (no fault tolerance)")
  .option("--force", "write into a non-empty output directory, replacing its keys")
  .option("--json", "print network.json instead of a summary")
  .showHelpAfterError()
  .exitOverride();

interface CliOptions {
  out: string;
  force?: boolean;
  json?: boolean;
  validators?: string;
  chainId?: string;
  blockPeriod?: string;
  epochLength?: string;
  requestTimeout?: string;
  gasLimit?: string;
  contractSizeLimit?: string;
  hosts?: string;
  p2pPorts?: string;
  rpcPorts?: string;
  rpcHost?: string;
  rpcApi?: string;
  rpcCorsOrigins?: string;
  hostAllowlist?: string;
  rpcMaxConnections?: string;
  rpcMaxBatchSize?: string;
  rpcMaxRequestBytes?: string;
  dataStorageFormat?: string;
  logging?: string;
  alloc?: string[];
  allowNode?: string[];
  dev?: boolean;
  allowSmallNetwork?: boolean;
}

/** Commander's camelCased flags → the library's option names; absent flags are undefined (library defaults apply). */
function toInput(cli: CliOptions): NetworkOptionsInput {
  return {
    validators: cli.validators,
    chainId: cli.chainId,
    blockPeriodSeconds: cli.blockPeriod,
    epochLength: cli.epochLength,
    requestTimeoutSeconds: cli.requestTimeout,
    gasLimit: cli.gasLimit,
    contractSizeLimit: cli.contractSizeLimit,
    hosts: cli.hosts,
    p2pPorts: cli.p2pPorts,
    rpcPorts: cli.rpcPorts,
    rpcHost: cli.rpcHost,
    rpcApis: cli.rpcApi,
    rpcCorsOrigins: cli.rpcCorsOrigins,
    hostAllowlist: cli.hostAllowlist,
    rpcMaxActiveConnections: cli.rpcMaxConnections,
    rpcMaxBatchSize: cli.rpcMaxBatchSize,
    rpcMaxRequestContentLength: cli.rpcMaxRequestBytes,
    dataStorageFormat: cli.dataStorageFormat,
    logging: cli.logging,
    alloc: cli.alloc,
    allowNodes: cli.allowNode,
    dev: cli.dev,
    allowSmallNetwork: cli.allowSmallNetwork,
  };
}

try {
  program.parse(process.argv);
  const cli = program.opts<CliOptions>();
  const network = generateNetwork(toInput(cli));
  const outDir = path.resolve(cli.out);
  if (network.options.dev) {
    process.stderr.write(
      "WARNING: --dev keys are INSECURE (publicly derivable); use this network for local tests only.\n",
    );
  }
  await writeNetwork(outDir, network, { force: cli.force ?? false });
  if (cli.json) {
    process.stdout.write(`${JSON.stringify(network.summary, null, 2)}\n`);
  } else {
    const { options: o, summary } = network;
    const lines = [
      `Besu QBFT network written to ${outDir}`,
      `  chain id ${o.chainId}, ${o.validators} validators, block period ${o.blockPeriodSeconds} s, ` +
        `request timeout ${o.requestTimeoutSeconds} s, epoch ${o.epochLength} blocks`,
      ...summary.validators.map((v) => `  ${v.name}  ${v.address}  ${v.rpcUrl}`),
      `  extraData ${summary.extraData}`,
      "Next: start each validator with <out>/validator-<n>/start.sh (see network/besu/README.md).",
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  }
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    const message = error instanceof BesuNetworkError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`besu-generate: ${message}\n`);
    process.exitCode = 1;
  }
}
