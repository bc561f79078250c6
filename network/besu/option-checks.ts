/**
 * Checks of single option values for the Besu network generator, and the zod building blocks that apply them to CLI
 * input (numbers as decimal strings, lists as comma-separated strings). Each check returns the parsed value or a
 * one-line message; options.ts turns the messages into one INVALID_OPTIONS error naming each flag.
 */
import { getAddress, isAddress, isHexString } from "ethers";
import { z } from "zod";

import { parseEnodeUrl } from "./keys.ts";

/** JSON-RPC namespaces this generator will expose over HTTP. ADMIN, DEBUG, TRACE, MINER… never. */
export const ALLOWED_RPC_APIS = ["ETH", "NET", "WEB3", "QBFT", "PERM", "TXPOOL"] as const;
export type RpcApi = (typeof ALLOWED_RPC_APIS)[number];
/**
 * Namespaces that change or reveal how the network is run: QBFT votes as this validator, PERM edits the allowlists,
 * TXPOOL lists pending transactions. Served on a loopback interface only, whatever `--insecure-rpc` says.
 */
export const OPERATOR_RPC_APIS: readonly RpcApi[] = ["QBFT", "PERM", "TXPOOL"];
export const LOG_LEVELS = ["OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL"] as const;
/** `--rpc-http-authentication-jwt-algorithm` values (Besu's JwtAlgorithm enum). */
export const JWT_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "HS256"] as const;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOSTNAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const UINT256_MAX = 2n ** 256n - 1n;

export function isIpv4(host: string): boolean {
  return IPV4.test(host);
}

/** A loopback host or interface: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host.startsWith("127.");
}

/** The outcome of checking one value: the parsed value, or a message saying what is wrong with it. */
export type Checked<T> = { readonly value: T } | { readonly error: string };

/** A whole number in [min, max] from a number or a decimal string (CLI input). */
export function checkInteger(input: unknown, min: number, max: number): Checked<number> {
  const text = String(input).trim();
  const parsed = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(parsed)) return { error: `must be a whole number, got ${JSON.stringify(String(input))}` };
  if (parsed < min || parsed > max) return { error: `must be between ${min} and ${max}, got ${parsed}` };
  return { value: parsed };
}

export function checkAdvertisedHost(host: string): Checked<string> {
  if (host === "0.0.0.0") {
    return {
      error: "0.0.0.0 is not an address peers can reach; give each node's routable IPv4 address or DNS name",
    };
  }
  if (host.includes(":")) return { error: `IPv6 is not supported here; use IPv4 or a DNS name, got ${host}` };
  if (!IPV4.test(host) && !HOSTNAME.test(host))
    return { error: `not an IPv4 address or DNS name: ${JSON.stringify(host)}` };
  return { value: host };
}

/** Host allowlist entries and CORS origins: "*" or a plain token such as a host name or an origin URL. */
export function checkAllowlistEntry(entry: string): Checked<string> {
  return /^(\*|[A-Za-z0-9][A-Za-z0-9.:/_-]*)$/.test(entry)
    ? { value: entry }
    : { error: `not a host name, origin or "*": ${JSON.stringify(entry)}` };
}

export function checkRpcApi(api: string): Checked<RpcApi> {
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
export function checkAlloc(entry: string): Checked<readonly [string, string]> {
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

export function checkAddress(entry: string): Checked<string> {
  return isAddress(entry)
    ? { value: getAddress(entry) }
    : { error: `not an account address: ${JSON.stringify(entry)}` };
}

/**
 * A node public key as `besu public-key export` prints it: 0x + 128 hex digits (the enode id). An address is not
 * enough: the node allowlist and the bootnodes need the enode id, and the address is derived from it.
 */
export function checkPublicKey(entry: string): Checked<string> {
  const key = entry.startsWith("0x") ? entry : `0x${entry}`;
  if (!isHexString(key, 64)) {
    return {
      error: `not a node public key (0x + 128 hex digits, the output of \`besu public-key export\`): ${JSON.stringify(entry)}`,
    };
  }
  return { value: key.toLowerCase() };
}

export function checkEnode(url: string): Checked<string> {
  try {
    parseEnodeUrl(url);
    return { value: url };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** A file path on a node's host (TLS keystore, JWT public key): no quotes, no control characters. */
export function checkHostPath(entry: string): Checked<string> {
  return /^[A-Za-z0-9_./-][A-Za-z0-9_./@:+-]*$/.test(entry)
    ? { value: entry }
    : { error: `not a plain file path: ${JSON.stringify(entry)}` };
}

/** A scalar option accepting a number or a string, checked by `check`. */
export function scalar<T>(check: (input: string | number | bigint) => Checked<T>) {
  return z.union([z.number(), z.string(), z.bigint()]).transform((input, ctx) => {
    const result = check(input);
    if ("error" in result) {
      ctx.addIssue({ code: "custom", message: result.error });
      return z.NEVER;
    }
    return result.value;
  });
}

export function integer(min: number, max: number) {
  return scalar((input) => checkInteger(input, min, max));
}

/** A string option checked by `check`. */
export function text<T>(check: (input: string) => Checked<T>) {
  return scalar((input) => check(String(input).trim()));
}

/** A list from an array, a single value or a comma-separated string (CLI input), blanks dropped, each item checked. */
export function list<T>(check: (item: string) => Checked<T>) {
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

export const flag = z.union([z.boolean(), z.enum(["true", "false"])]).transform((v) => v === true || v === "true");

/** An interface to bind to: an IPv4 address (0.0.0.0 = all) or a host name. */
export const bindHost = z.string().refine((h) => IPV4.test(h) || HOSTNAME.test(h), {
  error: (issue) => `not an IPv4 address or host name: ${JSON.stringify(issue.input)}`,
});

/** A case-insensitive choice among upper-case `values`. */
export function choice<const T extends readonly [string, ...string[]]>(values: T) {
  return z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(values, { error: (i) => `must be one of ${values.join(", ")}, got ${JSON.stringify(i.input)}` }));
}
