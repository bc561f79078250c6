/**
 * Options of the Besu QBFT network generator: the CLI flag of each option and one zod schema (the single source of
 * truth for the library's input type and the CLI's validation of single values). The checks that need the whole
 * picture (endpoints, open RPC, keys in or out, chain id) are in resolve.ts, which also defines the resolved
 * {@link NetworkOptions} every file is generated from.
 */
import { z } from "zod";

import {
  bindHost,
  checkAddress,
  checkAdvertisedHost,
  checkAlloc,
  checkAllowlistEntry,
  checkEnode,
  checkHostPath,
  checkInteger,
  checkPublicKey,
  checkRpcApi,
  choice,
  flag,
  integer,
  JWT_ALGORITHMS,
  list,
  LOG_LEVELS,
  text,
} from "./option-checks.ts";

/** The CLI flag of each option, used to name options in error messages. */
export const OPTION_FLAGS = {
  validators: "--validators",
  chainId: "--chain-id",
  blockPeriodSeconds: "--block-period",
  epochLength: "--epoch-length",
  requestTimeoutSeconds: "--request-timeout",
  gasLimit: "--gas-limit",
  contractSizeLimit: "--contract-size-limit",
  hosts: "--hosts",
  p2pPorts: "--p2p-ports",
  rpcPorts: "--rpc-ports",
  metricsPorts: "--metrics-ports",
  rpcHost: "--rpc-host",
  rpcApis: "--rpc-api",
  rpcCorsOrigins: "--rpc-cors-origins",
  hostAllowlist: "--host-allowlist",
  insecureRpc: "--insecure-rpc",
  rpcMaxActiveConnections: "--rpc-max-connections",
  rpcMaxBatchSize: "--rpc-max-batch-size",
  rpcMaxRequestContentLength: "--rpc-max-request-bytes",
  rpcTlsKeystoreFile: "--rpc-tls-keystore-file",
  rpcTlsKeystorePasswordFile: "--rpc-tls-keystore-password-file",
  rpcJwtPublicKeyFile: "--rpc-jwt-public-key-file",
  rpcJwtAlgorithm: "--rpc-jwt-algorithm",
  rpcNode: "--no-rpc-node",
  rpcNodeHost: "--rpc-node-host",
  rpcNodeP2pPort: "--rpc-node-p2p-port",
  rpcNodeRpcPort: "--rpc-node-rpc-port",
  rpcNodeMetricsPort: "--rpc-node-metrics-port",
  rpcNodeRpcHost: "--rpc-node-rpc-host",
  rpcNodeHostAllowlist: "--rpc-node-host-allowlist",
  rpcNodeCorsOrigins: "--rpc-node-cors-origins",
  metricsHost: "--metrics-host",
  txPool: "--tx-pool",
  accountsAllowlist: "--accounts-allowlist",
  publicKeys: "--public-keys",
  rpcNodePublicKey: "--rpc-node-public-key",
  dataStorageFormat: "--data-storage-format",
  logging: "--logging",
  alloc: "--alloc",
  allowNodes: "--allow-node",
  dev: "--dev",
  allowSmallNetwork: "--allow-small-network",
} as const;

export type OptionName = keyof typeof OPTION_FLAGS;

/** The smallest network that survives one faulty validator: n ≥ 3f + 1 with f = 1. */
export const MIN_BFT_VALIDATORS = 4;
export const MAX_VALIDATORS = 100;
/** EIP-170's limit; the registry fits under it, so the genesis only overrides it on request. */
export const DEFAULT_CONTRACT_SIZE_LIMIT = 24_576;

const port = list((p) => checkInteger(p, 1, 65_535));
const singlePort = integer(1, 65_535);
const path = text(checkHostPath);

export const networkOptionsSchema = z.strictObject({
  /** Number of validators (≥ 4 unless allowSmallNetwork). */
  validators: integer(1, MAX_VALIDATORS).default(MIN_BFT_VALIDATORS),
  /** Required unless every node is on loopback (then LOCAL_CHAIN_ID, see resolve.ts). */
  chainId: integer(1, Number.MAX_SAFE_INTEGER).optional(),
  /** QBFT `blockperiodseconds`: the minimum block time. */
  blockPeriodSeconds: integer(1, 3600).default(2),
  /** QBFT `epochlength`: pending validator votes are discarded every this many blocks. */
  epochLength: integer(1, Number.MAX_SAFE_INTEGER).default(30_000),
  /** QBFT `requesttimeoutseconds`; defaults to twice the block period, as Besu's tuning guide suggests. */
  requestTimeoutSeconds: integer(1, 3600).optional(),
  /** Block gas limit. 30M holds a registry deployment (~5M) or ~190 issuances (~157k each, gas.json) per block. */
  gasLimit: integer(5_000, Number.MAX_SAFE_INTEGER).default(30_000_000),
  /** Genesis `contractSizeLimit`, written only when given (the registry fits under EIP-170's 24,576 bytes). */
  contractSizeLimit: integer(DEFAULT_CONTRACT_SIZE_LIMIT, 2_147_483_647).optional(),
  /** Advertised P2P host of each validator (one for all, or one per validator). */
  hosts: list(checkAdvertisedHost).default(["127.0.0.1"]),
  /** P2P port of each validator, or one base port incremented per validator sharing a host. */
  p2pPorts: port.default([30_303]),
  /** JSON-RPC HTTP port of each validator, or one base port incremented per validator sharing a host. */
  rpcPorts: port.default([8_545]),
  /** Prometheus metrics port of each validator, or one base port incremented per validator sharing a host. */
  metricsPorts: port.default([9_545]),
  /** Interface the validators' JSON-RPC binds to: loopback; anything else needs insecureRpc. */
  rpcHost: bindHost.default("127.0.0.1"),
  /** The validators' namespaces: what operators need (voting, allowlist reloads), on loopback only. */
  rpcApis: list(checkRpcApi).default(["ETH", "NET", "WEB3", "QBFT", "PERM"]),
  /** Browser origins allowed to call the validators' RPC; none by default. */
  rpcCorsOrigins: list(checkAllowlistEntry).default([]),
  /** Host headers the validators' RPC and metrics accept (DNS-rebinding protection). */
  hostAllowlist: list(checkAllowlistEntry).default(["localhost", "127.0.0.1"]),
  /** Acknowledge open RPC: a validator RPC off loopback, or "*" in a host allowlist or CORS list. */
  insecureRpc: flag.default(false),
  rpcMaxActiveConnections: integer(1, 100_000).default(80),
  /** Requests per JSON-RPC batch; ethers v6 batches at most 100 (`batchMaxCount`). */
  rpcMaxBatchSize: integer(1, 100_000).default(100),
  rpcMaxRequestContentLength: integer(1_024, 1_073_741_824).default(5_242_880),
  /** PKCS #12 keystore of the RPC's TLS certificate, a path on the node's host (with its password file). */
  rpcTlsKeystoreFile: path.optional(),
  rpcTlsKeystorePasswordFile: path.optional(),
  /** Public key (PEM) that verifies the JWTs clients present, a path on the node's host. */
  rpcJwtPublicKeyFile: path.optional(),
  rpcJwtAlgorithm: choice(JWT_ALGORITHMS).optional(),
  /** Generate the non-validator RPC node `rpc-1` that serves the registry's services. */
  rpcNode: flag.default(true),
  /** Advertised P2P host of rpc-1; required when the validators are not on loopback. */
  rpcNodeHost: text(checkAdvertisedHost).optional(),
  rpcNodeP2pPort: singlePort.optional(),
  rpcNodeRpcPort: singlePort.optional(),
  rpcNodeMetricsPort: singlePort.optional(),
  /** Interface rpc-1's JSON-RPC binds to; all interfaces when rpc-1 is not on loopback. */
  rpcNodeRpcHost: bindHost.optional(),
  /** Host headers rpc-1 accepts; its own host, localhost and 127.0.0.1 by default. */
  rpcNodeHostAllowlist: list(checkAllowlistEntry).optional(),
  rpcNodeCorsOrigins: list(checkAllowlistEntry).default([]),
  /** Interface every node's Prometheus endpoint binds to. */
  metricsHost: bindHost.default("127.0.0.1"),
  /** Besu's transaction pool: SEQUENCED (default, see node-config.ts) or LAYERED. */
  txPool: choice(["SEQUENCED", "LAYERED"] as const).default("SEQUENCED"),
  /** Accounts allowed to send transactions (deployer, admin, issuer, participants); none = no accounts allowlist. */
  accountsAllowlist: list(checkAddress).optional(),
  /** Validators' node public keys made on their own hosts (`besu public-key export`): no private key is written. */
  publicKeys: list(checkPublicKey).optional(),
  rpcNodePublicKey: text(checkPublicKey).optional(),
  /** BONSAI (pruned history of state, Besu's default) or FOREST (full archive of state). */
  dataStorageFormat: choice(["BONSAI", "FOREST"] as const).default("BONSAI"),
  logging: choice(LOG_LEVELS).default("INFO"),
  /** Prefunded accounts, `address=wei`. Not needed for transactions (gas is free); useful for value transfers. */
  alloc: list(checkAlloc).default([]),
  /** Extra enode URLs to put in the node allowlist (more RPC nodes, future validators). */
  allowNodes: list(checkEnode).default([]),
  /** Use INSECURE deterministic dev keys instead of random ones (reproducible throwaway networks). */
  dev: flag.default(false),
  /** Permit fewer than 4 validators (no fault tolerance: a test network only). */
  allowSmallNetwork: flag.default(false),
});

/** What callers may pass: numbers or decimal strings, arrays or comma-separated strings. */
export type NetworkOptionsInput = z.input<typeof networkOptionsSchema>;
/** The schema's output: single values checked, defaults applied, nothing cross-checked yet. */
export type ParsedOptions = z.output<typeof networkOptionsSchema>;
