/**
 * Generates every file of a Besu QBFT network for the I-TEC Registry, in memory ({@link generateNetwork}, pure apart
 * from random key generation, which can be injected), then writes them ({@link writeNetwork}). Layout:
 *
 *     <out>/genesis.json               shared by every node
 *     <out>/permissions_config.toml    node (and accounts) allowlist, shared by every node
 *     <out>/network.json               public summary: nodes, addresses, enode URLs, RPC and metrics URLs
 *     <out>/.gitignore                 keeps `*∕key` out of version control
 *     <out>/INSECURE-DEV-KEYS.txt      only with --dev
 *     <out>/validator-<n>/key          node private key (mode 0600) — absent with --public-keys (made on the host)
 *     <out>/validator-<n>/key.pub      enode id
 *     <out>/validator-<n>/config.toml  Besu options of this validator
 *     <out>/validator-<n>/start.sh     runs Besu with that config from that directory
 *     <out>/rpc-1/…                    the same for the non-validator RPC node (unless --no-rpc-node)
 *
 * The output is a list of files so that other generators (the compose file) can add theirs before writing.
 */
import { chmod, mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { computeAddress } from "ethers";

import { BesuNetworkError } from "./errors.ts";
import { buildGenesis, type QbftGenesis } from "./genesis.ts";
import { devNodeKey, enodeUrl, randomNodeKey, type NodeKey } from "./keys.ts";
import {
  CONFIG_FILE,
  GENESIS_FILE,
  KEY_FILE,
  nodeConfigToml,
  PERMISSIONS_FILE,
  permissionsConfigToml,
  PUBLIC_KEY_FILE,
  startScript,
  type ValidatorNode,
} from "./node-config.ts";
import type { NetworkOptionsInput } from "./options.ts";
import { parseNetworkOptions, type NetworkOptions, type NodeEndpoint } from "./resolve.ts";
import { BESU_VERSION } from "./version.ts";

/** One file to write, relative to the output directory. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
  /** File mode: 0o600 for private keys, 0o755 for scripts, 0o644 otherwise. */
  readonly mode: number;
}

/** One node in `network.json`. */
export interface NodeSummary {
  readonly name: string;
  readonly address: string;
  readonly enode: string;
  readonly rpcUrl: string;
  readonly metricsUrl: string;
}

/** Public facts about the network, also written to `network.json`. */
export interface NetworkSummary {
  readonly generator: "network/besu/generate.ts";
  readonly besuVersion: string;
  readonly consensus: "qbft";
  readonly insecureDevKeys: boolean;
  readonly insecureRpc: boolean;
  /** True when the node keys were made on their hosts (`--public-keys`): no private key was ever here. */
  readonly keysMadeOnHosts: boolean;
  readonly chainId: number;
  readonly blockPeriodSeconds: number;
  readonly gasLimit: number;
  readonly txPool: "SEQUENCED" | "LAYERED";
  readonly accountsAllowlist: readonly string[] | null;
  readonly extraData: string;
  readonly validators: readonly NodeSummary[];
  readonly rpcNode: NodeSummary | null;
}

export interface GeneratedNetwork {
  readonly options: NetworkOptions;
  readonly validators: readonly ValidatorNode[];
  readonly rpcNode: ValidatorNode | null;
  readonly genesis: QbftGenesis;
  readonly summary: NetworkSummary;
  readonly files: readonly GeneratedFile[];
  /** Allowed but risky choices (open RPC, no accounts allowlist…); the CLI prints them on stderr. */
  readonly warnings: readonly string[];
}

export interface GenerateDependencies {
  /** Key of node `index` (1-based; the RPC node comes after the validators) when not in dev mode. */
  readonly randomKey?: (index: number) => NodeKey;
}

/** Dev key index of rpc-1: above every validator's (at most MAX_VALIDATORS = 100), so it never changes with n. */
const RPC_NODE_DEV_KEY = 101;

const INSECURE_NOTICE = `THESE ARE INSECURE DEV KEYS.

The node keys in this directory were generated with --dev: each is keccak256("<label> <n>") of a label that is
published in network/besu/keys.ts, so anyone can recompute them. Use this network only on your own machine for
tests. For any shared or production network, generate again without --dev, and preferably with --public-keys so
that each node's key is made on its own host and never leaves it (network/besu/README.md, step 2).
`;

function url(bind: string, node: NodeEndpoint, port: number, scheme: string): string {
  return `${scheme}://${bind === "0.0.0.0" ? node.host : bind}:${port}`;
}

/** A public identity: from a private key made here, or from a public key made on the node's host. */
interface Identity {
  readonly publicKey: string;
  readonly address: string;
  readonly privateKey: string | null;
}

function fromPublicKey(publicKey: string): Identity {
  return { publicKey, address: computeAddress(`0x04${publicKey.slice(2)}`), privateKey: null };
}

function identities(
  o: NetworkOptions,
  deps: GenerateDependencies,
): { validators: Identity[]; rpcNode: Identity | null } {
  if (o.publicKeys) {
    return {
      validators: o.publicKeys.validators.map(fromPublicKey),
      rpcNode: o.publicKeys.rpcNode ? fromPublicKey(o.publicKeys.rpcNode) : null,
    };
  }
  const randomKey = deps.randomKey ?? (() => randomNodeKey());
  const make = (devIndex: number, index: number): Identity => (o.dev ? devNodeKey(devIndex) : randomKey(index));
  return {
    validators: o.nodes.map((_, i) => make(i + 1, i + 1)),
    rpcNode: o.rpcNode ? make(RPC_NODE_DEV_KEY, o.nodes.length + 1) : null,
  };
}

/**
 * Validates the options and generates all files of the network in memory.
 * @throws BesuNetworkError INVALID_OPTIONS for bad options (see {@link parseNetworkOptions}).
 */
export function generateNetwork(input: NetworkOptionsInput, deps: GenerateDependencies = {}): GeneratedNetwork {
  const o = parseNetworkOptions(input);
  const ids = identities(o, deps);
  const all = [...ids.validators, ...(ids.rpcNode ? [ids.rpcNode] : [])];
  if (new Set(all.map((k) => k.address)).size !== all.length) {
    throw new BesuNetworkError("INVALID_KEY", "two nodes have the same key");
  }
  const withIdentity = (node: NodeEndpoint, id: Identity): ValidatorNode => ({
    ...node,
    address: id.address,
    publicKey: id.publicKey,
    enode: enodeUrl(id.publicKey, node.host, node.p2pPort),
  });
  const validators = o.nodes.map((node, i) => withIdentity(node, ids.validators[i] as Identity));
  const rpcNode = o.rpcNode && ids.rpcNode ? withIdentity(o.rpcNode, ids.rpcNode) : null;

  const genesis = buildGenesis({
    chainId: o.chainId,
    blockPeriodSeconds: o.blockPeriodSeconds,
    epochLength: o.epochLength,
    requestTimeoutSeconds: o.requestTimeoutSeconds,
    gasLimit: o.gasLimit,
    contractSizeLimit: o.contractSizeLimit,
    alloc: o.alloc,
    validators: validators.map((v) => v.address),
  });

  const scheme = (secured: boolean): string => (secured && o.tls ? "https" : "http");
  const nodeSummary = (node: ValidatorNode, role: "validator" | "rpc"): NodeSummary => {
    const rpc = role === "validator" ? o.validatorRpc : o.rpcNodeRpc;
    return {
      name: node.name,
      address: node.address,
      enode: node.enode,
      rpcUrl: url(rpc.host, node, node.rpcPort, scheme(rpc.secured)),
      metricsUrl: `${url(o.metricsHost, node, node.metricsPort, "http")}/metrics`,
    };
  };
  const summary: NetworkSummary = {
    generator: "network/besu/generate.ts",
    besuVersion: BESU_VERSION,
    consensus: "qbft",
    insecureDevKeys: o.dev,
    insecureRpc: o.insecureRpc,
    keysMadeOnHosts: o.publicKeys !== null,
    chainId: o.chainId,
    blockPeriodSeconds: o.blockPeriodSeconds,
    gasLimit: o.gasLimit,
    txPool: o.txPool,
    accountsAllowlist: o.accountsAllowlist,
    extraData: genesis.extraData,
    validators: validators.map((v) => nodeSummary(v, "validator")),
    rpcNode: rpcNode ? nodeSummary(rpcNode, "rpc") : null,
  };

  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  const members = [...validators, ...(rpcNode ? [rpcNode] : [])];
  const allowlist = [
    ...members.map((v) => v.enode),
    ...o.allowNodes.filter((e) => !members.some((v) => v.enode === e)),
  ];
  const files: GeneratedFile[] = [
    { path: GENESIS_FILE, content: json(genesis), mode: 0o644 },
    { path: PERMISSIONS_FILE, content: permissionsConfigToml(allowlist, o.accountsAllowlist), mode: 0o644 },
    { path: "network.json", content: json(summary), mode: 0o644 },
    {
      path: ".gitignore",
      content: "# Node private keys never go into version control.\n*/key\n*/data/\n",
      mode: 0o644,
    },
  ];
  if (o.dev) files.push({ path: "INSECURE-DEV-KEYS.txt", content: INSECURE_NOTICE, mode: 0o644 });
  const nodeFiles = (
    node: ValidatorNode,
    id: Identity,
    bootnodes: readonly ValidatorNode[],
    role: "validator" | "rpc",
  ): void => {
    if (id.privateKey !== null) files.push({ path: `${node.name}/${KEY_FILE}`, content: id.privateKey, mode: 0o600 });
    files.push(
      { path: `${node.name}/${PUBLIC_KEY_FILE}`, content: node.publicKey, mode: 0o644 },
      { path: `${node.name}/${CONFIG_FILE}`, content: nodeConfigToml(node, bootnodes, o, role), mode: 0o644 },
      { path: `${node.name}/start.sh`, content: startScript(node), mode: 0o755 },
    );
  };
  validators.forEach((v, i) =>
    nodeFiles(
      v,
      ids.validators[i] as Identity,
      validators.filter((peer) => peer !== v),
      "validator",
    ),
  );
  if (rpcNode && ids.rpcNode) nodeFiles(rpcNode, ids.rpcNode, validators, "rpc");

  return { options: o, validators, rpcNode, genesis, summary, files, warnings: o.warnings };
}

/**
 * Writes the generated files under `outDir` (created if missing).
 * @throws BesuNetworkError OUTPUT_EXISTS when `outDir` is not empty, unless `force` (never silently replace keys).
 */
export async function writeNetwork(
  outDir: string,
  network: GeneratedNetwork,
  { force = false }: { force?: boolean } = {},
): Promise<string[]> {
  const existing = await readdir(outDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  if (existing.length > 0 && !force) {
    throw new BesuNetworkError(
      "OUTPUT_EXISTS",
      `output directory ${outDir} is not empty; choose another directory or pass --force to overwrite (this replaces validator keys)`,
      { outDir },
    );
  }
  const written: string[] = [];
  for (const file of network.files) {
    const target = path.join(outDir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.content, { mode: file.mode });
    // writeFile applies the mode only when it creates the file; make it exact when overwriting too.
    await chmod(target, file.mode);
    written.push(target);
  }
  return written;
}
