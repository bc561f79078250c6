/**
 * Generates every file of a Besu QBFT network for the I-TEC Registry, in memory ({@link generateNetwork}, pure apart
 * from random key generation, which can be injected), then writes them ({@link writeNetwork}). Layout:
 *
 *     <out>/genesis.json               shared by every node
 *     <out>/permissions_config.toml    node allowlist, shared by every node
 *     <out>/network.json               public summary: validators, addresses, enode URLs, RPC URLs
 *     <out>/.gitignore                 keeps `validator-*∕key` out of version control
 *     <out>/INSECURE-DEV-KEYS.txt      only with --dev
 *     <out>/validator-<n>/key          node private key (mode 0600): the validator's identity, keep it secret
 *     <out>/validator-<n>/key.pub      enode id
 *     <out>/validator-<n>/config.toml  Besu options of this validator
 *     <out>/validator-<n>/start.sh     runs Besu with that config from that directory
 */
import { chmod, mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { BesuNetworkError } from "./errors.ts";
import { buildGenesis, type QbftGenesis } from "./genesis.ts";
import { devNodeKey, enodeUrl, randomNodeKey, type NodeKey } from "./keys.ts";
import {
  CONFIG_FILE,
  GENESIS_FILE,
  KEY_FILE,
  PERMISSIONS_FILE,
  PUBLIC_KEY_FILE,
  permissionsConfigToml,
  startScript,
  validatorConfigToml,
  type ValidatorNode,
} from "./node-config.ts";
import { parseNetworkOptions, type NetworkOptions, type NetworkOptionsInput } from "./options.ts";

/** One file to write, relative to the output directory. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
  /** File mode: 0o600 for private keys, 0o755 for scripts, 0o644 otherwise. */
  readonly mode: number;
}

/** Public facts about the network, also written to `network.json`. */
export interface NetworkSummary {
  readonly generator: "network/besu/generate.ts";
  readonly consensus: "qbft";
  readonly insecureDevKeys: boolean;
  readonly chainId: number;
  readonly blockPeriodSeconds: number;
  readonly extraData: string;
  readonly validators: readonly {
    readonly name: string;
    readonly address: string;
    readonly enode: string;
    readonly rpcUrl: string;
  }[];
}

export interface GeneratedNetwork {
  readonly options: NetworkOptions;
  readonly validators: readonly ValidatorNode[];
  readonly genesis: QbftGenesis;
  readonly summary: NetworkSummary;
  readonly files: readonly GeneratedFile[];
}

export interface GenerateDependencies {
  /** Key of validator `index` (1-based) when not in dev mode; defaults to a fresh random key. */
  readonly randomKey?: (index: number) => NodeKey;
}

const INSECURE_NOTICE = `THESE ARE INSECURE DEV KEYS.

The validator keys in this directory were generated with --dev: each is keccak256("<label> <n>") of a label that is
published in network/besu/keys.ts, so anyone can recompute them. Use this network only on your own machine for
tests. For any shared or production network, generate again without --dev (random keys) and keep each
validator-<n>/key on its own host only.
`;

function rpcUrl(o: NetworkOptions, host: string, port: number): string {
  return `http://${o.rpcHost === "0.0.0.0" ? host : o.rpcHost}:${port}`;
}

/**
 * Validates the options and generates all files of the network in memory.
 * @throws BesuNetworkError INVALID_OPTIONS for bad options (see {@link parseNetworkOptions}).
 */
export function generateNetwork(input: NetworkOptionsInput, deps: GenerateDependencies = {}): GeneratedNetwork {
  const o = parseNetworkOptions(input);
  const randomKey = deps.randomKey ?? (() => randomNodeKey());
  const keys = o.nodes.map((_, i) => (o.dev ? devNodeKey(i + 1) : randomKey(i + 1)));

  const addresses = new Set(keys.map((k) => k.address));
  if (addresses.size !== keys.length) {
    throw new BesuNetworkError("INVALID_KEY", "two validators have the same key");
  }

  const validators: ValidatorNode[] = o.nodes.map((node, i) => {
    const key = keys[i] as NodeKey;
    return {
      ...node,
      address: key.address,
      publicKey: key.publicKey,
      enode: enodeUrl(key.publicKey, node.host, node.p2pPort),
    };
  });

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

  const summary: NetworkSummary = {
    generator: "network/besu/generate.ts",
    consensus: "qbft",
    insecureDevKeys: o.dev,
    chainId: o.chainId,
    blockPeriodSeconds: o.blockPeriodSeconds,
    extraData: genesis.extraData,
    validators: validators.map((v) => ({
      name: v.name,
      address: v.address,
      enode: v.enode,
      rpcUrl: rpcUrl(o, v.host, v.rpcPort),
    })),
  };

  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  const allowlist = [
    ...validators.map((v) => v.enode),
    ...o.allowNodes.filter((e) => !validators.some((v) => v.enode === e)),
  ];
  const files: GeneratedFile[] = [
    { path: GENESIS_FILE, content: json(genesis), mode: 0o644 },
    { path: PERMISSIONS_FILE, content: permissionsConfigToml(allowlist), mode: 0o644 },
    { path: "network.json", content: json(summary), mode: 0o644 },
    {
      path: ".gitignore",
      content: "# Validator private keys never go into version control.\nvalidator-*/key\n",
      mode: 0o644,
    },
  ];
  if (o.dev) files.push({ path: "INSECURE-DEV-KEYS.txt", content: INSECURE_NOTICE, mode: 0o644 });
  validators.forEach((v, i) => {
    const key = keys[i] as NodeKey;
    const peers = validators.filter((peer) => peer !== v);
    files.push(
      { path: `${v.name}/${KEY_FILE}`, content: key.privateKey, mode: 0o600 },
      { path: `${v.name}/${PUBLIC_KEY_FILE}`, content: key.publicKey, mode: 0o644 },
      { path: `${v.name}/${CONFIG_FILE}`, content: validatorConfigToml(v, peers, o), mode: 0o644 },
      { path: `${v.name}/start.sh`, content: startScript(v), mode: 0o755 },
    );
  });

  return { options: o, validators, genesis, summary, files };
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
