/**
 * Cross-field checks of the generator's options and their resolution into {@link NetworkOptions}: every node's
 * endpoint (validators and the RPC node `rpc-1`), the RPC exposure rules, the chain id, where keys come from.
 * Every problem is reported at once, named by its CLI flag, in one BesuNetworkError("INVALID_OPTIONS"); choices
 * that are allowed but risky come back as `warnings` (the CLI prints them, the configs carry them as comments).
 */
import { BesuNetworkError } from "./errors.ts";
import { isIpv4, isLoopback, OPERATOR_RPC_APIS, type JWT_ALGORITHMS, type RpcApi } from "./option-checks.ts";
import {
  MIN_BFT_VALIDATORS,
  networkOptionsSchema,
  OPTION_FLAGS,
  type NetworkOptionsInput,
  type OptionName,
  type ParsedOptions,
} from "./options.ts";

/**
 * Chain id of a network whose nodes are all on loopback when none is given: the ASCII bytes of "ITEC" (0x49544543).
 * Not 1337, which Besu's dev network (config/src/main/resources/dev.json), Hardhat's dev accounts' wallets and this
 * project's own anvil chain all use: a transaction signed for one chain id is valid on every chain with that id
 * (EIP-155 replay protection is by chain id only), so a rehearsal network must not share it with a dev chain.
 */
export const LOCAL_CHAIN_ID = 0x49544543;
/** Chain ids of well-known development chains, refused for a network that is not on loopback. */
export const DEV_CHAIN_IDS: readonly number[] = [1337, 31337];

/** Where one node listens. */
export interface NodeEndpoint {
  /** `validator-<n>` or `rpc-1`, also its directory name. */
  readonly name: string;
  readonly host: string;
  readonly p2pPort: number;
  readonly rpcPort: number;
  readonly metricsPort: number;
}

/** How one kind of node serves JSON-RPC. */
export interface RpcSettings {
  /** Interface the JSON-RPC server binds to. */
  readonly host: string;
  readonly apis: readonly RpcApi[];
  /** Host headers accepted by JSON-RPC and by the metrics endpoint (Besu applies one list to both). */
  readonly hostAllowlist: readonly string[];
  readonly corsOrigins: readonly string[];
  /** Whether the TLS and JWT options (when given) apply: only to an RPC reachable from other machines. */
  readonly secured: boolean;
}

/** Validated options with every default applied and each node's endpoint resolved. */
export interface NetworkOptions {
  readonly validators: number;
  readonly chainId: number;
  readonly blockPeriodSeconds: number;
  readonly epochLength: number;
  readonly requestTimeoutSeconds: number;
  readonly gasLimit: number;
  readonly contractSizeLimit: number | undefined;
  /** The validators' endpoints. */
  readonly nodes: readonly NodeEndpoint[];
  /** The non-validator RPC node, or null with `--no-rpc-node`. */
  readonly rpcNode: NodeEndpoint | null;
  readonly validatorRpc: RpcSettings;
  readonly rpcNodeRpc: RpcSettings;
  /** Interface P2P binds to: loopback when every node is on loopback, all interfaces otherwise. */
  readonly p2pInterface: string;
  /** Whether any host is a DNS name (Besu then needs its early-access DNS support for enode URLs). */
  readonly dnsHosts: boolean;
  /** Whether every node is on this machine (a rehearsal). */
  readonly local: boolean;
  readonly rpcMaxActiveConnections: number;
  readonly rpcMaxBatchSize: number;
  readonly rpcMaxRequestContentLength: number;
  readonly tls: { readonly keystoreFile: string; readonly passwordFile: string } | null;
  readonly jwt: { readonly publicKeyFile: string; readonly algorithm: (typeof JWT_ALGORITHMS)[number] } | null;
  readonly insecureRpc: boolean;
  readonly metricsHost: string;
  readonly txPool: "SEQUENCED" | "LAYERED";
  /** Checksummed addresses allowed to send transactions, or null: no accounts allowlist. */
  readonly accountsAllowlist: readonly string[] | null;
  /** Node public keys made on the hosts (validators in order, then rpc-1), or null: keys generated here. */
  readonly publicKeys: { readonly validators: readonly string[]; readonly rpcNode: string | null } | null;
  readonly dataStorageFormat: "BONSAI" | "FOREST";
  readonly logging: ParsedOptions["logging"];
  /** Checksummed address → 0x balance in wei. */
  readonly alloc: Readonly<Record<string, string>>;
  readonly allowNodes: readonly string[];
  readonly dev: boolean;
  /** Allowed but risky choices, one sentence each. */
  readonly warnings: readonly string[];
}

/** One problem with the options, named by CLI flag. */
export interface OptionIssue {
  readonly option: string;
  readonly message: string;
}

function flagOf(path: readonly PropertyKey[]): string {
  const [head] = path;
  if (typeof head === "string" && head in OPTION_FLAGS) return OPTION_FLAGS[head as OptionName];
  return head === undefined ? "options" : String(head);
}

function fail(issues: readonly OptionIssue[]): never {
  const summary = issues.map((i) => `${i.option} ${i.message}`).join("; ");
  throw new BesuNetworkError("INVALID_OPTIONS", `invalid options: ${summary}`, { issues });
}

/** One value for all validators (through `step`), or exactly one per validator. */
function perValidator<T>(
  values: readonly T[],
  count: number,
  option: OptionName,
  issues: OptionIssue[],
  step?: (base: T, index: number) => T,
): T[] {
  const [first] = values;
  if (values.length === count) return [...values];
  if (values.length === 1 && first !== undefined) {
    return Array.from({ length: count }, (_, i) => (step ? step(first, i) : first));
  }
  issues.push({
    option: OPTION_FLAGS[option],
    message: `needs one value for all validators or exactly ${count} (one per validator), got ${values.length}`,
  });
  return [];
}

const uniq = <T>(values: readonly T[]): T[] => [...new Set(values)];

/** Ports already taken per host, to check explicit ports and to pick free defaults for rpc-1. */
class PortMap {
  readonly #taken = new Map<string, string>();
  readonly #issues: OptionIssue[];
  constructor(issues: OptionIssue[]) {
    this.#issues = issues;
  }
  isFree(host: string, port: number): boolean {
    return !this.#taken.has(`${host}:${port}`);
  }
  take(host: string, port: number, owner: string, option: OptionName): void {
    const key = `${host}:${port}`;
    const previous = this.#taken.get(key);
    if (previous === undefined) this.#taken.set(key, owner);
    else
      this.#issues.push({
        option: OPTION_FLAGS[option],
        message: `duplicate port ${key}: used by ${previous} and ${owner}`,
      });
  }
  firstFree(host: string, from: number): number {
    let port = from;
    while (!this.isFree(host, port)) port++;
    return port;
  }
}

function validatorEndpoints(o: ParsedOptions, ports: PortMap, issues: OptionIssue[]): NodeEndpoint[] {
  const n = o.validators;
  const hosts = perValidator(o.hosts, n, "hosts", issues);
  // A single port is a base, incremented per validator sharing a host: one value fits both the one-machine
  // rehearsal (30303, 30304, …) and one validator per host (30303 everywhere).
  const onSameHost = (i: number): number => hosts.slice(0, i).filter((h) => h === hosts[i]).length;
  const lists = {
    p2pPorts: perValidator(o.p2pPorts, n, "p2pPorts", issues, (base, i) => base + onSameHost(i)),
    rpcPorts: perValidator(o.rpcPorts, n, "rpcPorts", issues, (base, i) => base + onSameHost(i)),
    metricsPorts: perValidator(o.metricsPorts, n, "metricsPorts", issues, (base, i) => base + onSameHost(i)),
  };
  for (const [option, values] of Object.entries(lists) as [OptionName, number[]][]) {
    const over = values.find((p) => p > 65_535);
    if (over !== undefined) {
      issues.push({
        option: OPTION_FLAGS[option],
        message: `base port leaves the range for ${n} validators (reaches ${over})`,
      });
    }
  }
  if (hosts.length !== n || Object.values(lists).some((l) => l.length !== n)) return [];
  const nodes = hosts.map((host, i) => ({
    name: `validator-${i + 1}`,
    host,
    p2pPort: lists.p2pPorts[i] ?? 0,
    rpcPort: lists.rpcPorts[i] ?? 0,
    metricsPort: lists.metricsPorts[i] ?? 0,
  }));
  // Nodes sharing a host share its port space: P2P (TCP+UDP), RPC and metrics ports must all differ there.
  for (const node of nodes) {
    ports.take(node.host, node.p2pPort, `${node.name} P2P`, "p2pPorts");
    ports.take(node.host, node.rpcPort, `${node.name} RPC`, "rpcPorts");
    ports.take(node.host, node.metricsPort, `${node.name} metrics`, "metricsPorts");
  }
  return nodes;
}

function rpcNodeEndpoint(o: ParsedOptions, local: boolean, ports: PortMap, issues: OptionIssue[]): NodeEndpoint | null {
  if (!o.rpcNode) return null;
  const host = o.rpcNodeHost ?? (local ? "127.0.0.1" : undefined);
  if (host === undefined) {
    issues.push({
      option: OPTION_FLAGS.rpcNodeHost,
      message: "is required when the validators are not on loopback: the routable address of the RPC node rpc-1",
    });
    return null;
  }
  const pick = (given: number | undefined, base: number, what: string, option: OptionName): number => {
    const chosen = given ?? ports.firstFree(host, base);
    ports.take(host, chosen, `rpc-1 ${what}`, option);
    return chosen;
  };
  return {
    name: "rpc-1",
    host,
    p2pPort: pick(o.rpcNodeP2pPort, 30_303, "P2P", "rpcNodeP2pPort"),
    rpcPort: pick(o.rpcNodeRpcPort, 8_545, "RPC", "rpcNodeRpcPort"),
    metricsPort: pick(o.rpcNodeMetricsPort, 9_545, "metrics", "rpcNodeMetricsPort"),
  };
}

/**
 * The exposure rules. A validator's RPC stays on loopback (its QBFT namespace votes as that validator); opening
 * it, or accepting any Host header or any browser origin anywhere, needs `--insecure-rpc`; the operator namespaces
 * are never served off loopback, even then.
 */
function checkExposure(o: ParsedOptions, rpcNodeRpcHost: string, issues: OptionIssue[], warnings: string[]): void {
  const insecure = (option: OptionName, what: string): void => {
    if (o.insecureRpc) warnings.push(`INSECURE RPC (${OPTION_FLAGS.insecureRpc}): ${what}`);
    else issues.push({ option: OPTION_FLAGS[option], message: `${what}; refused without ${OPTION_FLAGS.insecureRpc}` });
  };
  if (!isLoopback(o.rpcHost)) {
    insecure(
      "rpcHost",
      `${o.rpcHost} exposes the validators' JSON-RPC beyond their hosts (applications belong on the RPC node rpc-1)`,
    );
    const operator = o.rpcApis.filter((api) => OPERATOR_RPC_APIS.includes(api));
    if (operator.length > 0) {
      issues.push({
        option: OPTION_FLAGS.rpcApis,
        message: `${operator.join(",")} are never served on a non-loopback interface (${o.rpcHost}); use ${OPTION_FLAGS.rpcApis} ETH,NET,WEB3`,
      });
    }
  }
  const wildcards: [OptionName, readonly string[], string][] = [
    ["hostAllowlist", o.hostAllowlist, "the validators accept any Host header"],
    ["rpcCorsOrigins", o.rpcCorsOrigins, "any web page may call the validators' RPC from a browser"],
    ["rpcNodeHostAllowlist", o.rpcNodeHostAllowlist ?? [], "rpc-1 accepts any Host header"],
    ["rpcNodeCorsOrigins", o.rpcNodeCorsOrigins, "any web page may call rpc-1 from a browser"],
  ];
  for (const [option, values, what] of wildcards)
    if (values.includes("*")) insecure(option, `"*" in ${OPTION_FLAGS[option]}: ${what}`);
  if (o.rpcNode && !isLoopback(rpcNodeRpcHost) && !o.rpcTlsKeystoreFile && !o.rpcJwtPublicKeyFile) {
    warnings.push(
      `rpc-1 serves plain HTTP without authentication on ${rpcNodeRpcHost}: keep it on a private network behind a TLS ` +
        `proxy, or pass ${OPTION_FLAGS.rpcTlsKeystoreFile} and ${OPTION_FLAGS.rpcJwtPublicKeyFile}`,
    );
  }
}

function checkKeys(o: ParsedOptions, issues: OptionIssue[]): NetworkOptions["publicKeys"] {
  if (o.publicKeys === undefined) {
    if (o.rpcNodePublicKey !== undefined) {
      issues.push({
        option: OPTION_FLAGS.rpcNodePublicKey,
        message: `needs ${OPTION_FLAGS.publicKeys} (keys are made on the hosts or all here)`,
      });
    }
    return null;
  }
  if (o.dev) issues.push({ option: OPTION_FLAGS.dev, message: `cannot be combined with ${OPTION_FLAGS.publicKeys}` });
  if (o.publicKeys.length !== o.validators) {
    issues.push({
      option: OPTION_FLAGS.publicKeys,
      message: `needs exactly ${o.validators} keys (one per validator), got ${o.publicKeys.length}`,
    });
  }
  if (o.rpcNode && o.rpcNodePublicKey === undefined) {
    issues.push({
      option: OPTION_FLAGS.rpcNodePublicKey,
      message: `is required with ${OPTION_FLAGS.publicKeys} (or pass ${OPTION_FLAGS.rpcNode})`,
    });
  }
  const all = [...o.publicKeys, ...(o.rpcNode && o.rpcNodePublicKey ? [o.rpcNodePublicKey] : [])];
  if (uniq(all).length !== all.length) issues.push({ option: OPTION_FLAGS.publicKeys, message: "lists one key twice" });
  return { validators: o.publicKeys, rpcNode: o.rpcNode ? (o.rpcNodePublicKey ?? null) : null };
}

function resolveChainId(o: ParsedOptions, local: boolean, issues: OptionIssue[]): number {
  if (o.chainId === undefined) {
    if (!local) {
      issues.push({
        option: OPTION_FLAGS.chainId,
        message: "is required when the nodes are not all on loopback (pick one no other chain uses)",
      });
    }
    return LOCAL_CHAIN_ID;
  }
  if (!local && DEV_CHAIN_IDS.includes(o.chainId)) {
    issues.push({
      option: OPTION_FLAGS.chainId,
      message: `${o.chainId} is a development chain id (Besu's dev network, Hardhat, anvil): transactions signed there would be valid here`,
    });
  }
  return o.chainId;
}

/**
 * Validates generator options and resolves each node's endpoint.
 * @throws BesuNetworkError INVALID_OPTIONS listing every problem, each named by its CLI flag.
 */
export function parseNetworkOptions(input: NetworkOptionsInput): NetworkOptions {
  const parsed = networkOptionsSchema.safeParse(input);
  if (!parsed.success) {
    fail(
      parsed.error.issues.map((issue) => ({
        option: flagOf(issue.path),
        message: issue.code === "unrecognized_keys" ? `unknown option(s): ${issue.keys.join(", ")}` : issue.message,
      })),
    );
  }
  const o = parsed.data;
  const issues: OptionIssue[] = [];
  const warnings: string[] = [];

  if (o.validators < MIN_BFT_VALIDATORS && !o.allowSmallNetwork) {
    issues.push({
      option: OPTION_FLAGS.validators,
      message:
        `must be at least ${MIN_BFT_VALIDATORS}: QBFT tolerates f faulty validators only with n ≥ 3f + 1, got ${o.validators} ` +
        `(pass ${OPTION_FLAGS.allowSmallNetwork} for a throwaway test network)`,
    });
  }
  const ports = new PortMap(issues);
  const nodes = validatorEndpoints(o, ports, issues);
  const local =
    nodes.every((node) => isLoopback(node.host)) && (o.rpcNodeHost === undefined || isLoopback(o.rpcNodeHost));
  const rpcNode = rpcNodeEndpoint(o, local, ports, issues);
  const rpcNodeRpcHost = o.rpcNodeRpcHost ?? (rpcNode && !isLoopback(rpcNode.host) ? "0.0.0.0" : "127.0.0.1");
  checkExposure(o, rpcNodeRpcHost, issues, warnings);
  const publicKeys = checkKeys(o, issues);
  const chainId = resolveChainId(o, local, issues);

  if ((o.rpcTlsKeystoreFile === undefined) !== (o.rpcTlsKeystorePasswordFile === undefined)) {
    issues.push({
      option: OPTION_FLAGS.rpcTlsKeystoreFile,
      message: `and ${OPTION_FLAGS.rpcTlsKeystorePasswordFile} go together`,
    });
  }
  if (o.rpcJwtAlgorithm !== undefined && o.rpcJwtPublicKeyFile === undefined) {
    issues.push({ option: OPTION_FLAGS.rpcJwtAlgorithm, message: `needs ${OPTION_FLAGS.rpcJwtPublicKeyFile}` });
  }
  if (!local && o.publicKeys === undefined) {
    warnings.push(
      o.dev
        ? "--dev keys on a network that is not on loopback: anyone can recompute them and sign as its validators"
        : `node private keys were generated on this machine for other hosts: move each only to its own host, or use ${OPTION_FLAGS.publicKeys} so that none leaves a host`,
    );
  }
  if (o.accountsAllowlist === undefined && !local) {
    warnings.push(
      `no ${OPTION_FLAGS.accountsAllowlist}: on a zero-gas chain any key holder that reaches a node can fill blocks for free`,
    );
  }

  const alloc: Record<string, string> = {};
  for (const [address, balance] of o.alloc) {
    if (address in alloc) issues.push({ option: OPTION_FLAGS.alloc, message: `duplicate account ${address}` });
    alloc[address] = balance;
  }
  if (issues.length > 0) fail(issues);

  const allHosts = uniq([...nodes.map((n) => n.host), ...(rpcNode ? [rpcNode.host] : [])]);
  return {
    validators: o.validators,
    chainId,
    blockPeriodSeconds: o.blockPeriodSeconds,
    epochLength: o.epochLength,
    requestTimeoutSeconds: o.requestTimeoutSeconds ?? 2 * o.blockPeriodSeconds,
    gasLimit: o.gasLimit,
    contractSizeLimit: o.contractSizeLimit,
    nodes,
    rpcNode,
    validatorRpc: {
      host: o.rpcHost,
      apis: uniq(o.rpcApis),
      hostAllowlist: uniq(o.hostAllowlist),
      corsOrigins: o.rpcCorsOrigins,
      secured: !isLoopback(o.rpcHost),
    },
    rpcNodeRpc: {
      host: rpcNodeRpcHost,
      apis: ["ETH", "NET", "WEB3"],
      hostAllowlist: o.rpcNodeHostAllowlist ?? uniq([...(rpcNode ? [rpcNode.host] : []), "localhost", "127.0.0.1"]),
      corsOrigins: o.rpcNodeCorsOrigins,
      secured: true,
    },
    p2pInterface: allHosts.every(isLoopback) ? "127.0.0.1" : "0.0.0.0",
    dnsHosts: allHosts.some((host) => !isIpv4(host)),
    local,
    rpcMaxActiveConnections: o.rpcMaxActiveConnections,
    rpcMaxBatchSize: o.rpcMaxBatchSize,
    rpcMaxRequestContentLength: o.rpcMaxRequestContentLength,
    tls:
      o.rpcTlsKeystoreFile && o.rpcTlsKeystorePasswordFile
        ? { keystoreFile: o.rpcTlsKeystoreFile, passwordFile: o.rpcTlsKeystorePasswordFile }
        : null,
    jwt: o.rpcJwtPublicKeyFile
      ? { publicKeyFile: o.rpcJwtPublicKeyFile, algorithm: o.rpcJwtAlgorithm ?? "RS256" }
      : null,
    insecureRpc: o.insecureRpc,
    metricsHost: o.metricsHost,
    txPool: o.txPool,
    accountsAllowlist: o.accountsAllowlist === undefined ? null : uniq(o.accountsAllowlist),
    publicKeys,
    dataStorageFormat: o.dataStorageFormat,
    logging: o.logging,
    alloc,
    allowNodes: o.allowNodes,
    dev: o.dev,
    warnings,
  };
}
