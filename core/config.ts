/**
 * The registry's configuration: every environment variable its entry points read (`npm start`, `itec serve`,
 * `itec oracle run` and the role CLI), defined once here — what it is for, an example, and a zod schema — and
 * validated once when the process starts. A wrong value stops it with one line naming the variable and how to fix
 * it; everything past the entry point receives the typed result, never `process.env`.
 *
 * docs/operations.md's table of variables is this list, rendered by {@link environmentTable} (config.test.ts).
 */
import { isIP } from "node:net";

import { getAddress, isAddress } from "ethers";
import { z } from "zod";

import { CodedError } from "../sdk/src/errors.ts";

/** Points where a test may stop the worker (fault injection); production passes no hook. */
export const FAULT_POINTS = [
  "after_lot_stored",
  "before_post",
  "after_tx_persisted",
  "after_broadcast",
  "after_receipt",
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

interface Variable {
  /** What it is for, in one sentence (the table's last column). */
  doc: string;
  /** A value that works: the fix an error suggests. */
  example: string;
  /** Never echoed in an error (keys, passwords, connection strings). */
  secret?: true;
}

/** Every variable, in the order of docs/operations.md's table. */
export const VARIABLES = {
  ITEC_RPC_URL: { doc: "the chain's JSON-RPC URL", example: "http://127.0.0.1:8545" },
  ITEC_REGISTRY_ADDRESS: {
    doc: "the registry contract's address",
    example: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  },
  ITEC_MARKET_ADDRESS: { doc: "the market contract's address: the API's offer book (unset: none)", example: "0x…" },
  ITEC_REGISTRY_DEPLOY_BLOCK: { doc: "the block the registry was deployed in: where the index starts", example: "0" },
  ITEC_CHAIN_ID: { doc: "the chain id the chain must report (detected when unset)", example: "1337" },
  ITEC_GAS_PRICE: { doc: "`auto`, or a fixed gas price in wei (`0` on a zero-fee network)", example: "0" },
  ITEC_CONFIRMATIONS: { doc: "blocks after which the oracle takes a transaction as final", example: "1" },
  ITEC_ORACLE_KEY: { doc: "the oracle's private key (hex; prefer a keystore)", example: "0x…", secret: true },
  ITEC_ORACLE_KEYSTORE: { doc: "the oracle's encrypted JSON keystore", example: "/etc/itec/oracle.json" },
  ITEC_ORACLE_KEYSTORE_PASSWORD: { doc: "the password of ITEC_ORACLE_KEYSTORE", example: "…", secret: true },
  ITEC_ORACLE_DEV_ACCOUNT: {
    doc: "DEV MODE: the oracle signs with Hardhat's public test account N (0–19)",
    example: "1",
  },
  ITEC_ORACLE_SIGNER_URL: {
    doc: "a remote signer holding the oracle's key (Web3Signer Eth1 JSON-RPC: `eth_signTransaction`)",
    example: "http://127.0.0.1:9000",
  },
  ITEC_ORACLE_ADDRESS: {
    doc: "the issuer address the oracle signs as: required with ITEC_ORACLE_SIGNER_URL, else checked against its key",
    example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  },
  ITEC_DB_PATH: {
    doc: "the oracle's job store (SQLite; unused when DATABASE_URL is set)",
    example: "/var/lib/itec/registry.db",
  },
  ITEC_WORKER_LEASE_MS: {
    doc: "how long the oracle's worker lease lasts unrenewed: a standby worker takes over after it",
    example: "30000",
  },
  ITEC_BROADCAST_MARGIN_MS: {
    doc: "the oracle sends a transaction only while its worker lease has this long left",
    example: "10000",
  },
  ITEC_POLL_MS: { doc: "milliseconds between the oracle worker's passes", example: "500" },
  ITEC_ATTESTATION_TTL_SECONDS: { doc: "how long an auditor's attestation stays valid", example: "1209600" },
  ITEC_RENEW_MARGIN_SECONDS: { doc: "attestations this close to expiry are asked for again", example: "3600" },
  ITEC_REQUIRE_AUDIT_SAMPLE: { doc: "`true`: auditors sign only a complete audit sample record", example: "true" },
  ITEC_EVIDENCE_BASE_URL: {
    doc: "the base URL of the evidence links auditors sign",
    example: "https://registry.example",
  },
  ITEC_REFERENCE_PATH: {
    doc: "another reference-data file (default: the packaged ITEC-PARAMS-1)",
    example: "ref.json",
  },
  ITEC_LOG_LEVEL: { doc: `log level (${LOG_LEVELS.join(", ")})`, example: "info" },
  ITEC_API_HOST: { doc: "the address the API listens on", example: "127.0.0.1" },
  ITEC_API_PORT: { doc: "the API's port (0: any free port)", example: "8080" },
  ITEC_PUBLIC_URL: {
    doc: "the API's public base URL: the sign-in domain and every link in answers and documents",
    example: "https://registry.example",
  },
  ITEC_SESSION_SECRET: {
    doc: "HMAC key for sign-in tokens, the same on every API instance (64+ hex digits; random per process if unset)",
    example: "<64 hex digits>",
    secret: true,
  },
  ITEC_SESSION_TTL_SECONDS: { doc: "lifetime of a sign-in token", example: "900" },
  ITEC_PUBLIC_RPC_URL: {
    doc: "the chain's JSON-RPC URL for third parties: quoted in documents, added to browser wallets (default ITEC_RPC_URL)",
    example: "https://rpc.example",
  },
  ITEC_CHAIN_NAME: {
    doc: "the chain's name in browser wallets (GET /network; default `I-TEC Registry`, `(dev)` on a dev chain)",
    example: "I-TEC Registry",
  },
  ITEC_HEAD_POLL_MS: { doc: "milliseconds between reads of the chain head (the API's read cache)", example: "250" },
  ITEC_RATE_LIMIT_AUTH: { doc: "sign-in requests per minute and client", example: "30" },
  ITEC_RATE_LIMIT_WRITE: { doc: "write requests per minute and client", example: "120" },
  ITEC_RATE_LIMIT_READ: {
    doc: "requests per minute and client to every other path (reads, pages, files)",
    example: "60000",
  },
  ITEC_RATE_LIMIT_HEALTH: { doc: "GET /health requests per minute and client", example: "600" },
  ITEC_RATE_LIMIT_READY: {
    doc: "GET /ready requests per minute and client (each reads chain, stores and index)",
    example: "60",
  },
  ITEC_WORKERS: {
    doc: "worker threads for lot calculation and report rendering (default: CPU cores − 1, at least 1)",
    example: "3",
  },
  ITEC_WORKER_QUEUE: {
    doc: "lot calculations and reports that may wait for a worker thread; beyond it: 503 SERVER_BUSY with Retry-After",
    example: "8",
  },
  ITEC_CORS_ORIGINS: {
    doc: "browser origins allowed to call the API cross-origin, comma-separated, or `*` (default: none)",
    example: "https://app.example,https://erp.example",
  },
  ITEC_TRUST_PROXY: {
    doc: "reverse proxies trusted to name the client in X-Forwarded-For: a hop count, or addresses/CIDRs/`loopback`, comma-separated",
    example: "loopback,10.0.0.0/8",
  },
  DATABASE_URL: {
    doc: "PostgreSQL for the oracle's job store, the event index and the API's shared sign-in state (SQLite when unset)",
    example: "postgres://itec@db/itec",
    secret: true,
  },
  ITEC_INDEX_DB_PATH: {
    doc: "the event index's SQLite file (default: index.db beside ITEC_DB_PATH)",
    example: "/var/lib/itec/index.db",
  },
  ITEC_INDEX_POLL_MS: { doc: "milliseconds between the event indexer's polls", example: "1000" },
  ITEC_API_URL: { doc: "the registry API the CLI talks to (`--api`)", example: "http://127.0.0.1:8080" },
  ITEC_KEYSTORE: { doc: "the CLI's encrypted JSON keystore (`--keystore`)", example: "./me.json" },
  ITEC_KEYSTORE_PASSWORD: {
    doc: "the password of the CLI's keystore (else a hidden prompt)",
    example: "…",
    secret: true,
  },
  ITEC_PRIVATE_KEY: { doc: "the CLI's private key (hex; prefer a keystore)", example: "0x…", secret: true },
  ITEC_FAULT_PAUSE_AT: {
    doc: `TEST ONLY: the worker stops at this point (${FAULT_POINTS.join(", ")})`,
    example: "before_post",
  },
  ITEC_DEMO_STOP_AFTER: {
    doc: "TEST ONLY: `npm start` interrupts itself after this step (1–6) of the demonstration",
    example: "5",
  },
  ITEC_CHAIN_SNAPSHOT_PAUSE_MS: { doc: "TEST ONLY: a pause half-way through each chain snapshot", example: "60000" },
} as const satisfies Record<string, Variable>;

export type VariableName = keyof typeof VARIABLES;

// Request limits -------------------------------------------------------------------------------------------------

/**
 * What one request may ask of the API (docs/api.md, "Limits"): bodies per route and content type, sized to the
 * documented maxima, and the rows those maxima allow. Fixed, not configured: the OpenAPI document and the problem
 * answers quote them, and a larger lot belongs in several lots (a lot is calculated in one piece).
 */
export const REQUEST_LIMITS = {
  /** Every JSON body not listed below (sign-in, relay, signatures, admin): the largest is a few KB. */
  jsonBytes: 1 << 20,
  /** Devices in one lot (`POST /lots`): ~1 s of calculation on a worker thread (bench/results/dos.json). */
  lotDevices: 50_000,
  /** A lot's CSV: 50,000 rows at up to ~320 bytes (the generator's mix averages 93). */
  lotCsvBytes: 16 << 20,
  /** A lot's JSON: 50,000 devices at up to ~640 bytes (names of fields repeat on every device). */
  lotJsonBytes: 32 << 20,
  /** Inventory rows of a Scope 3 report (`POST /reports/scope3`), JSON and CSV alike. */
  inventoryRows: 10_000,
  /** 10,000 rows of up to ~500 bytes (manufacturer and model are at most 200 characters each). */
  inventoryCsvBytes: 5 << 20,
  inventoryJsonBytes: 8 << 20,
} as const;

// The schemas of the values --------------------------------------------------------------------------------------

const whole = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, "expected a whole number")
    .transform(Number)
    .pipe(z.number().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`));
const url = z.url({ error: "expected a URL" });
const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });
const address = z
  .string()
  .refine(isAddress, "expected a 0x-prefixed 20-byte address")
  .transform((a) => getAddress(a)); // checksummed everywhere it is quoted
const logLevel = z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` });
/**
 * express's `trust proxy`, limited to what cannot be spoofed from outside: a hop count (0 = trust no proxy), or the
 * proxies' addresses/CIDRs and express's named ranges. Not `true`: every client could then pick its own address.
 */
const TRUST_PROXY_NAMES = ["loopback", "linklocal", "uniquelocal"];
const trustProxy = z.string().transform((value, ctx): number | string[] => {
  const text = value.trim();
  if (/^\d+$/.test(text) && Number(text) <= 32) return Number(text);
  const entries = text.split(",").map((e) => e.trim());
  const bad = entries.find((entry) => {
    if (TRUST_PROXY_NAMES.includes(entry)) return false;
    const [ip = "", prefix, ...rest] = entry.split("/");
    const family = isIP(ip);
    if (family === 0 || rest.length > 0) return true;
    return prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
  });
  if (bad !== undefined) {
    ctx.addIssue({
      code: "custom",
      message: `expected a hop count (0–32) or addresses, CIDRs, ${TRUST_PROXY_NAMES.join("/")}; "${bad}" is none`,
    });
    return z.NEVER;
  }
  return entries;
});
/**
 * ITEC_CORS_ORIGINS: exact origins (scheme, host, port: what a browser sends in `Origin`, no path or trailing
 * slash), or `*` alone. A near miss such as `https://app.example/` would never match: refused, not ignored.
 */
const corsOrigins = z.string().transform((value, ctx): string[] => {
  const entries = value
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  if (entries.length === 1 && entries[0] === "*") return entries;
  const bad = entries.find(
    (e) => !URL.canParse(e) || new URL(e).origin !== e || !/^https?:$/.test(new URL(e).protocol),
  );
  if (bad !== undefined) {
    ctx.addIssue({
      code: "custom",
      message: `expected origins such as https://app.example (scheme://host[:port], no path), or * alone; "${bad}" is none`,
    });
    return z.NEVER;
  }
  return entries;
});
/** Where the shell idiom `NAME= command` has always meant "unset". */
const emptyIsUnset = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (v === "" ? undefined : v), schema);
/** A group's variables: each one must be in {@link VARIABLES}. */
const group = <S extends { [K in VariableName]?: z.ZodType }>(shape: S) => shape;

// The groups: what each entry point reads ------------------------------------------------------------------------

const oracleShape = group({
  ITEC_RPC_URL: url.default("http://127.0.0.1:8545"),
  ITEC_REGISTRY_ADDRESS: address,
  ITEC_CHAIN_ID: z.string().regex(/^\d+$/, "expected a whole number").transform(BigInt).optional(),
  ITEC_ORACLE_KEY: z.string().optional(),
  ITEC_ORACLE_KEYSTORE: z.string().optional(),
  ITEC_ORACLE_KEYSTORE_PASSWORD: z.string().optional(),
  ITEC_ORACLE_DEV_ACCOUNT: whole(0, 19).optional(),
  ITEC_ORACLE_SIGNER_URL: emptyIsUnset(httpUrl.optional()),
  ITEC_ORACLE_ADDRESS: emptyIsUnset(address.optional()),
  ITEC_DB_PATH: z.string().min(1, "expected a file path").default(".itec/registry.db"),
  // Set: the oracle's job store (and, in itec serve, the event index) on PostgreSQL; ITEC_DB_PATH is then unused.
  DATABASE_URL: url
    .refine((u) => /^postgres(ql)?:\/\//.test(u), "expected a postgres:// or postgresql:// URL")
    .optional(),
  ITEC_WORKER_LEASE_MS: whole(1_000).default(30_000),
  ITEC_BROADCAST_MARGIN_MS: whole(0).default(10_000),
  ITEC_CONFIRMATIONS: whole(1).default(1),
  ITEC_GAS_PRICE: z
    .string()
    .regex(/^(auto|\d+)$/, "expected 'auto' or an integer wei amount")
    .default("auto"),
  ITEC_POLL_MS: whole(20).default(500),
  ITEC_ATTESTATION_TTL_SECONDS: whole(60).default(14 * 86_400),
  ITEC_RENEW_MARGIN_SECONDS: whole(0).default(3_600),
  ITEC_REQUIRE_AUDIT_SAMPLE: z.enum(["true", "false"], { error: "expected true or false" }).default("false"),
  ITEC_EVIDENCE_BASE_URL: url.default("http://127.0.0.1:8080"),
  ITEC_REFERENCE_PATH: z.string().optional(),
  ITEC_LOG_LEVEL: logLevel.default("info"),
  ITEC_FAULT_PAUSE_AT: z.enum(FAULT_POINTS, { error: `expected one of ${FAULT_POINTS.join(", ")}` }).optional(),
});

const apiShape = group({
  ...oracleShape,
  ITEC_API_HOST: z.string().min(1, "expected a host name or address").default("127.0.0.1"),
  ITEC_API_PORT: whole(0, 65_535).default(8080),
  /** Default: the address it listens on. */
  ITEC_PUBLIC_URL: httpUrl.optional(),
  ITEC_SESSION_SECRET: z
    .string()
    .regex(/^[0-9a-fA-F]{64,}$/, "expected at least 32 bytes of hex")
    .optional(),
  ITEC_SESSION_TTL_SECONDS: whole(60, 86_400).default(900),
  ITEC_PUBLIC_RPC_URL: url.optional(),
  // Default decided with the chain id (api/src/routes/network.ts): "I-TEC Registry", "(dev)" on a development chain.
  ITEC_CHAIN_NAME: emptyIsUnset(z.string().trim().min(1).max(100).optional()),
  ITEC_REGISTRY_DEPLOY_BLOCK: whole(0).default(0),
  ITEC_MARKET_ADDRESS: emptyIsUnset(address.optional()),
  ITEC_HEAD_POLL_MS: whole(50).default(250),
  ITEC_RATE_LIMIT_AUTH: whole(1).default(30),
  ITEC_RATE_LIMIT_WRITE: whole(1).default(120),
  ITEC_RATE_LIMIT_READ: whole(1).default(60_000),
  ITEC_RATE_LIMIT_HEALTH: whole(1).default(600),
  ITEC_RATE_LIMIT_READY: whole(1).default(60),
  ITEC_CORS_ORIGINS: emptyIsUnset(corsOrigins.optional()),
  ITEC_TRUST_PROXY: trustProxy.optional(),
  ITEC_WORKERS: emptyIsUnset(whole(1, 256).optional()),
  ITEC_WORKER_QUEUE: whole(0, 10_000).default(8),
});

const serveShape = group({
  ...apiShape,
  ITEC_INDEX_DB_PATH: z.string().min(1, "expected a file path").optional(),
  ITEC_INDEX_POLL_MS: whole(50).default(1000),
});

/** The oracle service (`itec oracle run`). */
export const oracleEnvSchema = z.object(oracleShape);
/** The API (with its own oracle service for calculation and signatures). */
export const apiEnvSchema = z.object(apiShape);
/** `itec serve`: worker, indexer and API (scripts/lib/services.ts). */
export const serveEnvSchema = z.object(serveShape);

/**
 * What `npm start` decides itself — its embedded chain, deployment, dev oracle key and data directory — and so never
 * reads from the environment.
 */
export const SET_BY_NPM_START = [
  "ITEC_RPC_URL",
  "ITEC_REGISTRY_ADDRESS",
  "ITEC_REGISTRY_DEPLOY_BLOCK",
  "ITEC_MARKET_ADDRESS",
  "ITEC_CHAIN_ID",
  "ITEC_GAS_PRICE",
  "ITEC_ORACLE_KEY",
  "ITEC_ORACLE_KEYSTORE",
  "ITEC_ORACLE_KEYSTORE_PASSWORD",
  "ITEC_ORACLE_DEV_ACCOUNT",
  "ITEC_ORACLE_SIGNER_URL",
  "ITEC_ORACLE_ADDRESS",
  "ITEC_DB_PATH",
  "ITEC_INDEX_DB_PATH",
  "ITEC_API_PORT",
  "ITEC_EVIDENCE_BASE_URL",
] as const satisfies readonly (keyof typeof serveShape)[];
type SetByNpmStart = (typeof SET_BY_NPM_START)[number];

/** `npm start`: the services' variables less those it sets, and its own defaults. */
export const startEnvSchema = serveEnvSchema
  .omit(Object.fromEntries(SET_BY_NPM_START.map((k) => [k, true])) as { [K in SetByNpmStart]: true })
  .extend(
    group({
      // Background loops share the API's process: poll no more often than needed (the oracle 4×/s, the head and
      // the index 1×/s; measured: tighter loops cost the API a third of its p99 headroom under load).
      ITEC_POLL_MS: whole(20).default(250),
      ITEC_HEAD_POLL_MS: whole(50).default(1000),
      ITEC_LOG_LEVEL: logLevel.default("warn"),
      ITEC_DEMO_STOP_AFTER: whole(1, 6).optional(),
      ITEC_CHAIN_SNAPSHOT_PAUSE_MS: whole(0).optional(),
    }),
  );

/** The role CLI (`itec <command>`, "CLI" in the table); flags win over these. */
export const cliEnvSchema = z.object(
  group({
    ITEC_API_URL: httpUrl.default("http://127.0.0.1:8080"),
    ITEC_RPC_URL: url.default("http://127.0.0.1:8545"),
    ITEC_REGISTRY_ADDRESS: address.optional(),
    ITEC_PUBLIC_URL: emptyIsUnset(httpUrl.optional()),
    ITEC_KEYSTORE: emptyIsUnset(z.string().optional()),
    ITEC_KEYSTORE_PASSWORD: z.string().optional(),
    ITEC_PRIVATE_KEY: emptyIsUnset(z.string().optional()),
  }),
);

export type OracleEnv = z.infer<typeof oracleEnvSchema>;
export type ApiEnv = z.infer<typeof apiEnvSchema>;
export type ServeEnv = z.infer<typeof serveEnvSchema>;
export type StartEnv = z.infer<typeof startEnvSchema>;
export type CliEnv = z.infer<typeof cliEnvSchema>;

/** The entry points and what each reads (the table's "read by" column). */
export const READERS = {
  "npm start": startEnvSchema,
  "itec serve": serveEnvSchema,
  "itec oracle run": oracleEnvSchema,
  CLI: cliEnvSchema,
} as const;

// Reading --------------------------------------------------------------------------------------------------------

export class ConfigError extends CodedError<"BAD_CONFIG"> {
  constructor(message: string, options?: { cause?: unknown }) {
    super("BAD_CONFIG", message, options);
  }
}

/**
 * Parses `env` with `schema`; a bad value throws one ConfigError whose one-line message names each bad variable,
 * what is wrong and a value that works: `invalid configuration — ITEC_INDEX_POLL_MS: expected a whole number, got
 * "abc" (e.g. ITEC_INDEX_POLL_MS=1000, or unset it)`.
 */
export function readEnv<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const issue of parsed.error.issues) {
    const name = String(issue.path[0] ?? "");
    if (seen.has(name)) continue;
    seen.add(name);
    const field = (schema.shape as Record<string, z.ZodType | undefined>)[name];
    problems.push(problem(name, issue.message, env[name], field));
  }
  throw new ConfigError(`invalid configuration — ${problems.join("; ")}`);
}

function problem(name: string, message: string, raw: string | undefined, schema: z.ZodType | undefined): string {
  const variable = (VARIABLES as Record<string, Variable>)[name];
  if (!variable) return `${name}: ${message}`;
  const optional = schema?.safeParse(undefined).success ?? false;
  const fix = `(e.g. ${name}=${variable.example}${optional ? ", or unset it" : ""})`;
  if (raw === undefined) return `${name}: required, not set ${fix}`;
  return `${name}: ${message}, got ${variable.secret ? "a value not shown here" : JSON.stringify(raw)} ${fix}`;
}

export const readOracleEnv = (env?: NodeJS.ProcessEnv): OracleEnv => readEnv(oracleEnvSchema, env);
export const readApiEnv = (env?: NodeJS.ProcessEnv): ApiEnv => readEnv(apiEnvSchema, env);
export const readServeEnv = (env?: NodeJS.ProcessEnv): ServeEnv => readEnv(serveEnvSchema, env);
export const readStartEnv = (env?: NodeJS.ProcessEnv): StartEnv => readEnv(startEnvSchema, env);
export const readCliEnv = (env?: NodeJS.ProcessEnv): CliEnv => readEnv(cliEnvSchema, env);

/** The services' configuration under `npm start`: what it read from the environment, plus what it set. */
export function embeddedServeEnv(env: StartEnv, set: Pick<ServeEnv, SetByNpmStart>): ServeEnv {
  const { ITEC_DEMO_STOP_AFTER: _testHook, ITEC_CHAIN_SNAPSHOT_PAUSE_MS: _snapshotHook, ...rest } = env;
  return { ...rest, ...set };
}

// Documentation --------------------------------------------------------------------------------------------------

/** docs/operations.md's variables: name, readers, default (per reader where they differ, or "required"), purpose. */
export function environmentTable(): [name: string, readBy: string, defaults: string, doc: string][] {
  return Object.entries(VARIABLES).map(([name, variable]) => {
    const readers: string[] = [];
    const byDefault = new Map<string, string[]>();
    for (const [reader, schema] of Object.entries(READERS)) {
      const field = (schema.shape as Record<string, z.ZodType | undefined>)[name];
      if (!field) continue;
      const empty = field.safeParse(undefined);
      const shown = !empty.success ? "required" : empty.data === undefined ? "—" : `\`${plain(empty.data)}\``;
      readers.push(reader);
      byDefault.set(shown, [...(byDefault.get(shown) ?? []), reader]);
    }
    const defaults =
      byDefault.size === 1
        ? [...byDefault.keys()][0]!
        : [...byDefault].map(([shown, by]) => `${shown} (${by.join(", ")})`).join("; ");
    return [`\`${name}\``, readers.join(", "), defaults, variable.doc];
  });
}

function plain(value: unknown): string {
  if (typeof value === "string") return value;
  return typeof value === "number" || typeof value === "bigint" ? value.toString() : JSON.stringify(value);
}
