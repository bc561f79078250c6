/**
 * CLI: generate a Hyperledger Besu QBFT network for the I-TEC Registry.
 *
 *     npx tsx network/besu/generate.ts --validators 4 --out ./besu-net [--chain-id <id>] [--block-period 2] …
 *
 * Thin: parses arguments, calls generateNetwork/writeNetwork, prints a summary. With `--compose` it also writes the
 * container files of a one-machine consortium (compose.ts) from the network it just wrote, so the compose file and
 * the node configs come from one run. Exits non-zero with a one-line reason on any failure. See
 * network/besu/README.md and docs/containers.md.
 */
import path from "node:path";

import { Command, CommanderError } from "commander";

import { composeInputFromNetworkDir, writeComposeFiles } from "./compose-cli.ts";
import { composeFiles } from "./compose.ts";
import { BesuNetworkError } from "./errors.ts";
import { generateNetwork, writeNetwork } from "./network.ts";
import { ALLOWED_RPC_APIS } from "./option-checks.ts";
import { OPTION_FLAGS, type NetworkOptionsInput } from "./options.ts";
import { LOCAL_CHAIN_ID } from "./resolve.ts";

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const F = OPTION_FLAGS;

const program = new Command("besu-generate")
  .description("Generate genesis, node configs, keys (or take public keys) and allowlists of a Besu QBFT network")
  .requiredOption("--out <dir>", "output directory (created; must be empty unless --force)")
  .option(`${F.validators} <n>`, "number of validators (default 4, the minimum that tolerates a fault)")
  .option(`${F.chainId} <id>`, `chain id: required unless every node is on loopback (then ${LOCAL_CHAIN_ID})`)
  .option(`${F.blockPeriodSeconds} <seconds>`, "QBFT blockperiodseconds (default 2)")
  .option(`${F.epochLength} <blocks>`, "QBFT epochlength: votes reset every N blocks (default 30000)")
  .option(`${F.requestTimeoutSeconds} <seconds>`, "QBFT requesttimeoutseconds (default 2 × block period)")
  .option(`${F.gasLimit} <gas>`, "block gas limit (default 30000000)")
  .option(`${F.contractSizeLimit} <bytes>`, "genesis contractSizeLimit (default: none, EIP-170's 24576)")
  .option(`${F.hosts} <list>`, "advertised P2P host(s): one for all or one per validator (default 127.0.0.1)")
  .option(
    `${F.p2pPorts} <list>`,
    "P2P port(s): one per validator, or a base incremented per validator on one host (default 30303)",
  )
  .option(
    `${F.rpcPorts} <list>`,
    "JSON-RPC port(s): one per validator, or a base incremented per validator on one host (default 8545)",
  )
  .option(
    `${F.metricsPorts} <list>`,
    "metrics port(s): one per validator, or a base incremented per validator on one host (default 9545)",
  )
  .option(
    `${F.rpcHost} <interface>`,
    "validators' JSON-RPC interface (default 127.0.0.1; other values need --insecure-rpc)",
  )
  .option(
    `${F.rpcApis} <list>`,
    `validators' namespaces, from ${ALLOWED_RPC_APIS.join(",")} (default ETH,NET,WEB3,QBFT,PERM)`,
  )
  .option(`${F.rpcCorsOrigins} <list>`, "browser origins allowed to call the validators' RPC (default none)")
  .option(`${F.hostAllowlist} <list>`, "Host headers the validators accept (default localhost,127.0.0.1)")
  .option(F.insecureRpc, 'allow a validator RPC off loopback or "*" in a Host/CORS list (INSECURE; warned)')
  .option(`${F.rpcMaxActiveConnections} <n>`, "rpc-http-max-active-connections (default 80)")
  .option(`${F.rpcMaxBatchSize} <n>`, "rpc-http-max-batch-size (default 100)")
  .option(`${F.rpcMaxRequestContentLength} <bytes>`, "rpc-http-max-request-content-length (default 5242880)")
  .option(`${F.rpcTlsKeystoreFile} <path>`, "TLS for rpc-1 (and an open validator RPC): PKCS #12 keystore on the host")
  .option(`${F.rpcTlsKeystorePasswordFile} <path>`, "file holding that keystore's password, on the host")
  .option(`${F.rpcJwtPublicKeyFile} <path>`, "require JWTs on rpc-1 (and an open validator RPC): PEM public key")
  .option(`${F.rpcJwtAlgorithm} <alg>`, "JWT algorithm (default RS256)")
  .option(F.rpcNode, "do not generate the non-validator RPC node rpc-1")
  .option(`${F.rpcNodeHost} <host>`, "rpc-1's advertised host (required when validators are not on loopback)")
  .option(`${F.rpcNodeP2pPort} <port>`, "rpc-1's P2P port (default: 30303 or the next free on its host)")
  .option(`${F.rpcNodeRpcPort} <port>`, "rpc-1's JSON-RPC port (default: 8545 or the next free on its host)")
  .option(`${F.rpcNodeMetricsPort} <port>`, "rpc-1's metrics port (default: 9545 or the next free on its host)")
  .option(`${F.rpcNodeRpcHost} <interface>`, "rpc-1's JSON-RPC interface (default 0.0.0.0 off loopback)")
  .option(`${F.rpcNodeHostAllowlist} <list>`, "Host headers rpc-1 accepts (default: its host, localhost, 127.0.0.1)")
  .option(`${F.rpcNodeCorsOrigins} <list>`, "browser origins allowed to call rpc-1 (default none)")
  .option(`${F.metricsHost} <interface>`, "interface of every node's Prometheus endpoint (default 127.0.0.1)")
  .option(`${F.txPool} <pool>`, "SEQUENCED (default) or LAYERED (written with tx-pool-enable-balance-check=false)")
  .option(
    `${F.accountsAllowlist} <list>`,
    "accounts allowed to send transactions: deployer, admin, issuer, participants",
  )
  .option(`${F.publicKeys} <list>`, "validators' node public keys made on their hosts (besu public-key export)")
  .option(`${F.rpcNodePublicKey} <key>`, "rpc-1's node public key made on its host (with --public-keys)")
  .option(`${F.dataStorageFormat} <format>`, "BONSAI (default) or FOREST (archive of all historical state)")
  .option(`${F.logging} <level>`, "Besu log level (default INFO)")
  .option(`${F.alloc} <address=wei>`, "prefund an account (repeatable); not needed to transact: gas is free", collect)
  .option(`${F.allowNodes} <enode>`, "also allowlist this enode URL, e.g. another RPC node (repeatable)", collect)
  .option(F.dev, "INSECURE deterministic dev keys: reproducible local test networks only")
  .option(F.allowSmallNetwork, "allow fewer than 4 validators (no fault tolerance)")
  .option("--compose", "also write compose.yaml and the container files (docs/containers.md); needs --issuer")
  .option("--issuer <address>", "with --compose: the oracle's address, granted the issuer role by the deployment")
  .option(
    "--public-url <url>",
    "with --compose: the registry's public base URL behind the proxy",
    "http://localhost:8080",
  )
  .option("--force", "write into a non-empty output directory, replacing its keys")
  .option("--json", "print network.json instead of a summary")
  .showHelpAfterError()
  .exitOverride();

interface CliOptions {
  out: string;
  compose?: boolean;
  issuer?: string;
  publicUrl: string;
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
  metricsPorts?: string;
  rpcHost?: string;
  rpcApi?: string;
  rpcCorsOrigins?: string;
  hostAllowlist?: string;
  insecureRpc?: boolean;
  rpcMaxConnections?: string;
  rpcMaxBatchSize?: string;
  rpcMaxRequestBytes?: string;
  rpcTlsKeystoreFile?: string;
  rpcTlsKeystorePasswordFile?: string;
  rpcJwtPublicKeyFile?: string;
  rpcJwtAlgorithm?: string;
  rpcNode: boolean;
  rpcNodeHost?: string;
  rpcNodeP2pPort?: string;
  rpcNodeRpcPort?: string;
  rpcNodeMetricsPort?: string;
  rpcNodeRpcHost?: string;
  rpcNodeHostAllowlist?: string;
  rpcNodeCorsOrigins?: string;
  metricsHost?: string;
  txPool?: string;
  accountsAllowlist?: string;
  publicKeys?: string;
  rpcNodePublicKey?: string;
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
    metricsPorts: cli.metricsPorts,
    rpcHost: cli.rpcHost,
    rpcApis: cli.rpcApi,
    rpcCorsOrigins: cli.rpcCorsOrigins,
    hostAllowlist: cli.hostAllowlist,
    insecureRpc: cli.insecureRpc,
    rpcMaxActiveConnections: cli.rpcMaxConnections,
    rpcMaxBatchSize: cli.rpcMaxBatchSize,
    rpcMaxRequestContentLength: cli.rpcMaxRequestBytes,
    rpcTlsKeystoreFile: cli.rpcTlsKeystoreFile,
    rpcTlsKeystorePasswordFile: cli.rpcTlsKeystorePasswordFile,
    rpcJwtPublicKeyFile: cli.rpcJwtPublicKeyFile,
    rpcJwtAlgorithm: cli.rpcJwtAlgorithm,
    rpcNode: cli.rpcNode,
    rpcNodeHost: cli.rpcNodeHost,
    rpcNodeP2pPort: cli.rpcNodeP2pPort,
    rpcNodeRpcPort: cli.rpcNodeRpcPort,
    rpcNodeMetricsPort: cli.rpcNodeMetricsPort,
    rpcNodeRpcHost: cli.rpcNodeRpcHost,
    rpcNodeHostAllowlist: cli.rpcNodeHostAllowlist,
    rpcNodeCorsOrigins: cli.rpcNodeCorsOrigins,
    metricsHost: cli.metricsHost,
    txPool: cli.txPool,
    accountsAllowlist: cli.accountsAllowlist,
    publicKeys: cli.publicKeys,
    rpcNodePublicKey: cli.rpcNodePublicKey,
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
  for (const warning of network.warnings) process.stderr.write(`WARNING: ${warning}\n`);
  if (cli.compose && (!cli.issuer || !network.summary.rpcNode)) {
    throw new Error("--compose needs --issuer <address> and the RPC node (do not pass --no-rpc-node)");
  }
  await writeNetwork(outDir, network, { force: cli.force ?? false });
  if (cli.compose) {
    const input = await composeInputFromNetworkDir(outDir, {
      rpcNode: network.summary.rpcNode!.name,
      issuer: cli.issuer!,
      publicUrl: cli.publicUrl,
    });
    await writeComposeFiles(outDir, composeFiles(input), { force: cli.force ?? false });
  }
  if (cli.json) {
    process.stdout.write(`${JSON.stringify(network.summary, null, 2)}\n`);
  } else {
    const { options: o, summary } = network;
    const lines = [
      `Besu QBFT network written to ${outDir} (for Besu ${summary.besuVersion})`,
      `  chain id ${o.chainId}, ${o.validators} validators, block period ${o.blockPeriodSeconds} s, ` +
        `request timeout ${o.requestTimeoutSeconds} s, epoch ${o.epochLength} blocks, ${o.txPool} tx pool`,
      ...summary.validators.map((v) => `  ${v.name}  ${v.address}  ${v.rpcUrl}`),
      ...(summary.rpcNode
        ? [`  ${summary.rpcNode.name}  ${summary.rpcNode.address}  ${summary.rpcNode.rpcUrl}  (services)`]
        : []),
      `  extraData ${summary.extraData}`,
      ...(cli.compose ? ["  compose.yaml and the container files written (docs/containers.md)"] : []),
      summary.keysMadeOnHosts
        ? "Next: copy each node's directory to its host, where `besu --data-path=data public-key export` made data/key."
        : "Next: start each node with <out>/<node>/start.sh (see network/besu/README.md).",
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
