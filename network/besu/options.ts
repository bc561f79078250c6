/**
 * Options of the Besu QBFT network generator: one zod schema (the single source of truth for the library's input
 * type and the CLI's validation), then the cross-field checks that need the whole picture (one host per validator or
 * one for all, no two services on the same host:port, at least 4 validators). Every problem is reported at once,
 * named by its CLI flag, in one BesuNetworkError("INVALID_OPTIONS").
 */
import { getAddress, isAddress } from "ethers";
import { z } from "zod";

import { BesuNetworkError } from "./errors.ts";
import { parseEnodeUrl } from "./keys.ts";

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
  rpcHost: "--rpc-host",
  rpcApis: "--rpc-api",
  rpcCorsOrigins: "--rpc-cors-origins",
  hostAllowlist: "--host-allowlist",
  rpcMaxActiveConnections: "--rpc-max-connections",
  rpcMaxBatchSize: "--rpc-max-batch-size",
  rpcMaxRequestContentLength: "--rpc-max-request-bytes",
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
/** JSON-RPC namespaces this generator will expose over HTTP. ADMIN, DEBUG, TRACE, PERM, MINER… never. */
export const ALLOWED_RPC_APIS = ["ETH", "NET", "WEB3", "QBFT", "TXPOOL"] as const;
export const LOG_LEVELS = ["OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL"] as const;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOSTNAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const UINT256_MAX = 2n ** 256n - 1n;

export function isIpv4(host: string): boolean {
  return IPV4.test(host);
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host.startsWith("127.");
}

/** The outcome of checking one value: the parsed value, or a message saying what is wrong with it. */
type Checked<T> = { readonly value: T } | { readonly error: string };

/** A whole number in [min, max] from a number or a decimal string (CLI input). */
function checkInteger(input: unknown, min: number, max: number): Checked<number> {
  const text = String(input).trim();
  const parsed = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(parsed)) return { error: `must be a whole number, got ${JSON.stringify(String(input))}` };
  if (parsed < min || parsed > max) return { error: `must be between ${min} and ${max}, got ${parsed}` };
  return { value: parsed };
}

function checkAdvertisedHost(host: string): Checked<string> {
  if (host === "0.0.0.0") {
    return {
      error: "0.0.0.0 is not an address peers can reach; give each validator's routable IPv4 address or DNS name",
    };
  }
  if (host.includes(":")) return { error: `IPv6 is not supported here; use IPv4 or a DNS name, got ${host}` };
  if (!IPV4.test(host) && !HOSTNAME.test(host))
    return { error: `not an IPv4 address or DNS name: ${JSON.stringify(host)}` };
  return { value: host };
}

/** Host allowlist entries and CORS origins: "*" or a plain token such as a host name or an origin URL. */
function checkAllowlistEntry(entry: string): Checked<string> {
  return /^(\*|[A-Za-z0-9][A-Za-z0-9.:/_-]*)$/.test(entry)
    ? { value: entry }
    : { error: `not a host name, origin or "*": ${JSON.stringify(entry)}` };
}

function checkRpcApi(api: string): Checked<(typeof ALLOWED_RPC_APIS)[number]> {
  const upper = api.toUpperCase();
  const allowed = ALLOWED_RPC_APIS.find((a) => a === upper);
  if (allowed) return { value: allowed };
  return {
    error:
      `${JSON.stringify(api)} is not offered over HTTP by this generator (allowed: ${ALLOWED_RPC_APIS.join(", ")}); ` +
      "use ADMIN/DEBUG only over a local IPC or SSH tunnel",
  };
}

/** `address=wei` (decimal or 0x hex) → [checksummed address, 0x quantity]. */
function checkAlloc(entry: string): Checked<readonly [string, string]> {
  const [address = "", amount = "", ...rest] = entry.split("=").map((s) => s.trim());
  if (rest.length > 0 || !isAddress(address))
    return { error: `expected <address>=<wei>, got ${JSON.stringify(entry)}` };
  if (!/^(\d+|0x[0-9a-fA-F]+)$/.test(amount)) {
    return { error: `balance of ${address} must be a whole number of wei, got ${JSON.stringify(amount)}` };
  }
  const wei = BigInt(amount);
  if (wei > UINT256_MAX) return { error: `balance of ${address} exceeds 2^256 - 1` };
  return { value: [getAddress(address), `0x${wei.toString(16)}`] };
}

function checkEnode(url: string): Checked<string> {
  try {
    parseEnodeUrl(url);
    return { value: url };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** A scalar option accepting a number or a string, checked by `check`. */
function scalar<T>(check: (input: string | number | bigint) => Checked<T>) {
  return z.union([z.number(), z.string(), z.bigint()]).transform((input, ctx) => {
    const result = check(input);
    if ("error" in result) {
      ctx.addIssue({ code: "custom", message: result.error });
      return z.NEVER;
    }
    return result.value;
  });
}

function integer(min: number, max: number) {
  return scalar((input) => checkInteger(input, min, max));
}

/** A list from an array, a single value or a comma-separated string (CLI input), blanks dropped, each item checked. */
function list<T>(check: (item: string) => Checked<T>) {
  const item = z.union([z.string(), z.number()]);
  return z.union([item, z.array(item)]).transform((input, ctx) => {
    const items = (Array.isArray(input) ? input.map(String) : String(input).split(","))
      .map((s) => s.trim())
      .filter((s) => s !== "");
    const values: T[] = [];
    for (const entry of items) {
      const result = check(entry);
      if ("error" in result) ctx.addIssue({ code: "custom", message: result.error });
      else values.push(result.value);
    }
    return values;
  });
}

const flag = z.union([z.boolean(), z.enum(["true", "false"])]).transform((v) => v === true || v === "true");

const bindHost = z.string().refine((h) => IPV4.test(h) || HOSTNAME.test(h), {
  error: (issue) => `not an IPv4 address or host name: ${JSON.stringify(issue.input)}`,
});

export const networkOptionsSchema = z.strictObject({
  /** Number of validators (≥ 4 unless allowSmallNetwork). */
  validators: integer(1, MAX_VALIDATORS).default(MIN_BFT_VALIDATORS),
  chainId: integer(1, Number.MAX_SAFE_INTEGER).default(1337),
  /** QBFT `blockperiodseconds`: the minimum block time. */
  blockPeriodSeconds: integer(1, 3600).default(2),
  /** QBFT `epochlength`: pending validator votes are discarded every this many blocks. */
  epochLength: integer(1, Number.MAX_SAFE_INTEGER).default(30_000),
  /** QBFT `requesttimeoutseconds`; defaults to twice the block period, as Besu's tuning guide suggests. */
  requestTimeoutSeconds: integer(1, 3600).optional(),
  /** Block gas limit. 30M holds a registry deployment (~5M) and hundreds of issuances (~150k each) per block. */
  gasLimit: integer(5_000, Number.MAX_SAFE_INTEGER).default(30_000_000),
  /** Genesis `contractSizeLimit`, written only when given (the registry fits under EIP-170's 24,576 bytes). */
  contractSizeLimit: integer(DEFAULT_CONTRACT_SIZE_LIMIT, 2_147_483_647).optional(),
  /** Advertised P2P host of each validator (one for all, or one per validator). */
  hosts: list(checkAdvertisedHost).default(["127.0.0.1"]),
  /** P2P port of each validator, or one base port incremented per validator. */
  p2pPorts: list((p) => checkInteger(p, 1, 65_535)).default([30_303]),
  /** JSON-RPC HTTP port of each validator, or one base port incremented per validator. */
  rpcPorts: list((p) => checkInteger(p, 1, 65_535)).default([8_545]),
  /** Interface the JSON-RPC server binds to. Loopback by default: put a reverse proxy with TLS in front. */
  rpcHost: bindHost.default("127.0.0.1"),
  rpcApis: list(checkRpcApi).default(["ETH", "NET", "WEB3", "QBFT"]),
  /** Browser origins allowed to call the RPC; none by default (the registry's API calls it server-side). */
  rpcCorsOrigins: list(checkAllowlistEntry).default([]),
  /** Host headers the RPC accepts (DNS-rebinding protection). */
  hostAllowlist: list(checkAllowlistEntry).default(["localhost", "127.0.0.1"]),
  rpcMaxActiveConnections: integer(1, 100_000).default(80),
  /** Requests per JSON-RPC batch; ethers v6 batches at most 100 (`batchMaxCount`). */
  rpcMaxBatchSize: integer(1, 100_000).default(100),
  rpcMaxRequestContentLength: integer(1_024, 1_073_741_824).default(5_242_880),
  /** BONSAI (pruned history of state, Besu's default) or FOREST (full archive of state). */
  dataStorageFormat: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(["BONSAI", "FOREST"], { error: (i) => `must be BONSAI or FOREST, got ${JSON.stringify(i.input)}` }))
    .default("BONSAI"),
  logging: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(
      z.enum(LOG_LEVELS, { error: (i) => `must be one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(i.input)}` }),
    )
    .default("INFO"),
  /** Prefunded accounts, `address=wei`. Not needed for transactions (gas is free); useful for value transfers. */
  alloc: list(checkAlloc).default([]),
  /** Extra enode URLs to put in the node allowlist (RPC nodes, future validators). */
  allowNodes: list(checkEnode).default([]),
  /** Use INSECURE deterministic dev keys instead of random ones (reproducible throwaway networks). */
  dev: flag.default(false),
  /** Permit fewer than 4 validators (no fault tolerance: a test network only). */
  allowSmallNetwork: flag.default(false),
});

/** What callers may pass: numbers or decimal strings, arrays or comma-separated strings. */
export type NetworkOptionsInput = z.input<typeof networkOptionsSchema>;

/** Where one validator listens. */
export interface NodeEndpoint {
  /** `validator-<n>`, also its directory name. */
  readonly name: string;
  readonly host: string;
  readonly p2pPort: number;
  readonly rpcPort: number;
}

/** Validated options with every default applied and each validator's endpoint resolved. */
export interface NetworkOptions {
  readonly validators: number;
  readonly chainId: number;
  readonly blockPeriodSeconds: number;
  readonly epochLength: number;
  readonly requestTimeoutSeconds: number;
  readonly gasLimit: number;
  readonly contractSizeLimit: number | undefined;
  readonly nodes: readonly NodeEndpoint[];
  readonly rpcHost: string;
  /** Interface P2P binds to: loopback when every validator is on loopback, all interfaces otherwise. */
  readonly p2pInterface: string;
  /** Whether any host is a DNS name (Besu then needs its early-access DNS support for enode URLs). */
  readonly dnsHosts: boolean;
  readonly rpcApis: readonly string[];
  readonly rpcCorsOrigins: readonly string[];
  readonly hostAllowlist: readonly string[];
  readonly rpcMaxActiveConnections: number;
  readonly rpcMaxBatchSize: number;
  readonly rpcMaxRequestContentLength: number;
  readonly dataStorageFormat: "BONSAI" | "FOREST";
  readonly logging: (typeof LOG_LEVELS)[number];
  /** Checksummed address → 0x balance in wei. */
  readonly alloc: Readonly<Record<string, string>>;
  readonly allowNodes: readonly string[];
  readonly dev: boolean;
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

/** One value for all validators, or exactly one per validator; a single port is a base incremented per validator. */
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

/**
 * Validates generator options and resolves each validator's endpoint.
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

  if (o.validators < MIN_BFT_VALIDATORS && !o.allowSmallNetwork) {
    issues.push({
      option: OPTION_FLAGS.validators,
      message:
        `must be at least ${MIN_BFT_VALIDATORS}: QBFT tolerates f faulty validators only with n ≥ 3f + 1, got ${o.validators} ` +
        `(pass ${OPTION_FLAGS.allowSmallNetwork} for a throwaway test network)`,
    });
  }

  const n = o.validators;
  const hosts = perValidator(o.hosts, n, "hosts", issues);
  const p2pPorts = perValidator(o.p2pPorts, n, "p2pPorts", issues, (base, i) => base + i);
  const rpcPorts = perValidator(o.rpcPorts, n, "rpcPorts", issues, (base, i) => base + i);
  for (const [option, ports] of [
    ["p2pPorts", p2pPorts],
    ["rpcPorts", rpcPorts],
  ] as const) {
    const over = ports.find((p) => p > 65_535);
    if (over !== undefined) {
      issues.push({
        option: OPTION_FLAGS[option],
        message: `base port leaves the range for ${n} validators (reaches ${over})`,
      });
    }
  }

  const nodes: NodeEndpoint[] =
    hosts.length === n && p2pPorts.length === n && rpcPorts.length === n
      ? hosts.map((host, i) => ({
          name: `validator-${i + 1}`,
          host,
          p2pPort: p2pPorts[i] ?? 0,
          rpcPort: rpcPorts[i] ?? 0,
        }))
      : [];

  // Validators sharing a host share its port space: P2P (TCP+UDP) and RPC ports must all differ there.
  const taken = new Map<string, string>();
  for (const node of nodes) {
    for (const [what, port] of [
      ["P2P", node.p2pPort],
      ["RPC", node.rpcPort],
    ] as const) {
      const key = `${node.host}:${port}`;
      const owner = taken.get(key);
      const self = `${node.name} ${what}`;
      if (owner !== undefined) {
        issues.push({
          option: what === "P2P" ? OPTION_FLAGS.p2pPorts : OPTION_FLAGS.rpcPorts,
          message: `duplicate port ${key}: used by ${owner} and ${self}`,
        });
      } else {
        taken.set(key, self);
      }
    }
  }

  const alloc: Record<string, string> = {};
  for (const [address, balance] of o.alloc) {
    if (address in alloc) issues.push({ option: OPTION_FLAGS.alloc, message: `duplicate account ${address}` });
    alloc[address] = balance;
  }

  if (issues.length > 0) fail(issues);

  return {
    validators: n,
    chainId: o.chainId,
    blockPeriodSeconds: o.blockPeriodSeconds,
    epochLength: o.epochLength,
    requestTimeoutSeconds: o.requestTimeoutSeconds ?? 2 * o.blockPeriodSeconds,
    gasLimit: o.gasLimit,
    contractSizeLimit: o.contractSizeLimit,
    nodes,
    rpcHost: o.rpcHost,
    p2pInterface: nodes.every((node) => isLoopback(node.host)) ? "127.0.0.1" : "0.0.0.0",
    dnsHosts: nodes.some((node) => !IPV4.test(node.host)),
    rpcApis: [...new Set(o.rpcApis)],
    rpcCorsOrigins: o.rpcCorsOrigins,
    hostAllowlist: o.hostAllowlist,
    rpcMaxActiveConnections: o.rpcMaxActiveConnections,
    rpcMaxBatchSize: o.rpcMaxBatchSize,
    rpcMaxRequestContentLength: o.rpcMaxRequestContentLength,
    dataStorageFormat: o.dataStorageFormat,
    logging: o.logging,
    alloc,
    allowNodes: o.allowNodes,
    dev: o.dev,
  };
}
