/**
 * What every role CLI shares: the API/RPC/key options, where the signing key comes from (keystore, environment or
 * — in development only, and said so — a Hardhat test account; never an argument), signing in, signing and
 * relaying the API's unsigned transactions, argument parsers, prompts, and one-line errors.
 */
import { createInterface } from "node:readline/promises";

import { InvalidArgumentError, Option, type Command } from "commander";
import { getAddress, HDNodeWallet, isAddress, JsonRpcProvider, Network, type Signer } from "ethers";

import { ChainError } from "../../core/chain/errors.ts";
import { readCliEnv } from "../../core/config.ts";
import { revertSentence } from "../../core/chain/revert-sentences.ts";
import { devAccount, KeyError, loadSigner, refuseDevKeyOffDevChain } from "../../core/keys.ts";
import { ApiClient, ApiError, type UnsignedTx } from "../../sdk/src/api-client.ts";

/** Dev-mode role names → Hardhat test account indices (the roles `npm start` uses). */
export const DEV_ROLES = { admin: 0, auditor1: 2, auditor2: 3, refurbisher: 5, corporate: 6, trader: 7 } as const;

export interface ApiOptions {
  api: string;
  json?: boolean;
}

export interface SignerOptions extends ApiOptions {
  rpc: string;
  keystore?: string;
  devAccount?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------------------------

/** A command group whose bad-argument errors stay one line (no help dump after the message). */
export function group(program: Command, name: string, description: string): Command {
  return program.command(name).description(description).showHelpAfterError(false);
}

/** `--api` and `--json` (read-only commands). */
export function withApi(cmd: Command): Command {
  return cmd
    .option("--api <url>", "registry API base URL (env ITEC_API_URL)", readCliEnv().ITEC_API_URL)
    .option("--json", "machine-readable output (JSON on stdout)");
}

/** `--api`, `--json`, `--rpc` and the key sources (commands that sign). */
export function withSigner(cmd: Command): Command {
  return withApi(cmd)
    .option("--rpc <url>", "JSON-RPC URL for your nonce and fees (env ITEC_RPC_URL)", readCliEnv().ITEC_RPC_URL)
    .option(
      "--keystore <file>",
      "encrypted JSON keystore (env ITEC_KEYSTORE); password from ITEC_KEYSTORE_PASSWORD or a hidden prompt",
    )
    .addOption(
      new Option(
        "--dev-account <role|index>",
        `DEV MODE: a Hardhat public test key (${Object.keys(DEV_ROLES).join("|")}|0-19)`,
      ).argParser(parseDevAccount),
    )
    .addHelpText(
      "after",
      "\nKeys: --keystore <file>, or a hex key in env ITEC_PRIVATE_KEY, or --dev-account (public test keys, " +
        "development only).\nNever pass a key or password as an argument.",
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Argument parsers (commander turns their InvalidArgumentError into a one-line message)
// ---------------------------------------------------------------------------------------------------------------

export function parseAddress(value: string): string {
  if (!isAddress(value))
    throw new InvalidArgumentError("not an Ethereum address (0x + 40 hex digits, valid checksum).");
  return getAddress(value);
}

export function parsePositiveInt(value: string): string {
  if (!/^[1-9][0-9]{0,76}$/.test(value)) throw new InvalidArgumentError("expected a positive integer.");
  return value;
}

export function parseBatchJobId(value: string): string {
  if (!/^L[1-9][0-9]{0,9}-(laptop|desktop|monitor|smartphone|tablet|server)$/.test(value)) {
    throw new InvalidArgumentError("expected a batch job id like L12-laptop.");
  }
  return value;
}

export function parseLotId(value: string): string {
  if (!/^L[1-9][0-9]{0,9}$/.test(value)) throw new InvalidArgumentError("expected a lot id like L12.");
  return value;
}

export function parseDay(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw new InvalidArgumentError("expected a calendar date YYYY-MM-DD.");
  }
  return value;
}

export function parseDevAccount(value: string): number {
  if (value in DEV_ROLES) return DEV_ROLES[value as keyof typeof DEV_ROLES];
  if (/^(1?[0-9])$/.test(value)) return Number(value);
  throw new InvalidArgumentError(`expected ${Object.keys(DEV_ROLES).join(", ")} or an index 0-19.`);
}

// ---------------------------------------------------------------------------------------------------------------
// Keys and sessions
// ---------------------------------------------------------------------------------------------------------------

/**
 * The caller's key from exactly one source: `--keystore` (or env ITEC_KEYSTORE), `--dev-account`, or env
 * ITEC_PRIVATE_KEY. Explicit flags win over the environment. Dev mode says so on stderr.
 */
export async function loadKey(o: Pick<SignerOptions, "keystore" | "devAccount">): Promise<Signer> {
  if (o.keystore !== undefined && o.devAccount !== undefined) {
    throw new KeyError("give one key source: --keystore or --dev-account, not both");
  }
  const env = readCliEnv();
  const envKeystore = env.ITEC_KEYSTORE;
  if (o.keystore === undefined && o.devAccount === undefined && envKeystore && env.ITEC_PRIVATE_KEY) {
    throw new KeyError("both ITEC_KEYSTORE and ITEC_PRIVATE_KEY are set: keep one key source");
  }
  const keystore = o.keystore ?? (o.devAccount === undefined ? envKeystore : undefined);
  if (keystore !== undefined) {
    const password =
      env.ITEC_KEYSTORE_PASSWORD ??
      (process.stdin.isTTY ? await promptHidden(`password for ${keystore}: `) : undefined);
    if (password === undefined) {
      throw new KeyError(`keystore ${keystore} needs a password: set ITEC_KEYSTORE_PASSWORD or run on a terminal`);
    }
    return (await loadSigner({ keystore, password })).signer;
  }
  if (o.devAccount !== undefined) {
    const wallet = devAccount(o.devAccount);
    const role = Object.entries(DEV_ROLES).find(([, i]) => i === o.devAccount)?.[0];
    process.stderr.write(
      `itec: DEV MODE: signing with Hardhat's well-known test account #${o.devAccount}${role ? ` (${role})` : ""} ` +
        `${wallet.address}; its private key is public, never use it on a real network\n`,
    );
    return wallet;
  }
  const privateKey = env.ITEC_PRIVATE_KEY;
  if (privateKey) return (await loadSigner({ privateKey })).signer;
  throw new KeyError(
    "no key: pass --keystore <file> (password in ITEC_KEYSTORE_PASSWORD), set ITEC_PRIVATE_KEY, or use --dev-account in development",
  );
}

/** A provider for signing only (nonce and fees): the chain id comes from the API's transaction, so no detection. */
export function signingProvider(rpcUrl: string, chainId: string | bigint): JsonRpcProvider {
  return new JsonRpcProvider(rpcUrl, Network.from(BigInt(chainId)), { staticNetwork: true, cacheTimeout: -1 });
}

export interface Session {
  api: ApiClient;
  signer: Signer;
  address: string;
}

/**
 * A published dev key (--dev-account, or one pasted into ITEC_PRIVATE_KEY or a keystore) signs only for a
 * development chain: refused (DEV_KEY_REFUSED) before anything is signed for `chainId` otherwise.
 */
export async function refuseDevKeyFor(signer: Signer, chainId: unknown): Promise<void> {
  if (typeof chainId !== "string" && typeof chainId !== "bigint" && typeof chainId !== "number") return;
  const mnemonic = signer instanceof HDNodeWallet ? signer.mnemonic?.phrase : undefined;
  refuseDevKeyOffDevChain({ address: await signer.getAddress(), mnemonic }, BigInt(chainId), "your key");
}

/** Loads the key and signs in to the API with it (Sign-In with Ethereum). */
export async function signIn(o: SignerOptions): Promise<Session> {
  const signer = await loadKey(o);
  const api = new ApiClient(o.api);
  const address = await api.signIn(signer);
  return { api, signer, address };
}

export interface Sent {
  hash: string;
  description: string;
  from: string;
  provider: JsonRpcProvider;
}

/**
 * Signs the API's unsigned transaction with the caller's own key (nonce and fees from `--rpc`), relays it through
 * the API and waits until it is mined. The caller destroys `provider` when done with it.
 */
export async function signAndSend(s: Session, o: SignerOptions, tx: UnsignedTx): Promise<Sent> {
  await refuseDevKeyFor(s.signer, tx.chainId);
  const provider = signingProvider(o.rpc, tx.chainId);
  try {
    const hash = await s.api.signAndRelay(s.signer.connect(provider), tx);
    return { hash, description: tx.description, from: tx.from, provider };
  } catch (error) {
    provider.destroy();
    if (error instanceof ApiError) throw error;
    throw new Error(`cannot sign the transaction with the chain at ${o.rpc} (nonce, fees): ${oneLine(error)}`, {
      cause: error,
    });
  }
}

/** Builds with `build`, signs, relays, waits; prints the result. For the admin's and holders' simple calls. */
export async function transact(
  o: SignerOptions,
  build: (s: Session) => Promise<UnsignedTx>,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const s = await signIn(o);
  const tx = await build(s).catch((error: unknown) => {
    // The API only builds the transaction: a dropped connection here changed nothing.
    if (error instanceof ApiError && error.code === "API_CONNECTION_LOST") {
      throw new ApiError(0, {
        code: "API_UNREACHABLE",
        detail: `the connection to the registry API at ${s.api.baseUrl} dropped while it built the transaction; nothing was signed or sent: run \`${thisCommand()}\` again`,
      });
    }
    throw error;
  });
  const sent = await signAndSend(s, o, tx);
  sent.provider.destroy();
  print(o, { ...extra, description: sent.description, from: sent.from, txHash: sent.hash }, () => [
    `✓ ${sent.description}`,
    `  tx ${sent.hash} (signed by ${sent.from})`,
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Output, prompts and errors
// ---------------------------------------------------------------------------------------------------------------

/** Whether a command printed its answer (then a failure after it adds no `--json` error document). */
let printed = false;

/** JSON (`--json`) or the human-readable lines. */
export function print(o: { json?: boolean }, json: unknown, human: () => string[]): void {
  printed = true;
  process.stdout.write(o.json ? `${JSON.stringify(json, null, 2)}\n` : `${human().join("\n")}\n`);
}

/** How far the listing is behind the chain, in one line. */
export function indexNote(index: { lastBlock: number | null; head: number; lagBlocks: number | null }): string {
  return index.lastBlock === null
    ? `(index has not caught up yet; chain head ${index.head})`
    : `(index at block ${index.lastBlock}, chain head ${index.head}${index.lagBlocks ? `, ${index.lagBlocks} behind` : ""})`;
}

/** Display width: combining marks (the bar of B̄ and V̄) take no column. */
export function width(text: string): number {
  return text.replace(/[\u0300-\u036f]/g, "").length;
}

export function padEnd(text: string, n: number): string {
  return text + " ".repeat(Math.max(0, n - width(text)));
}

export function padStart(text: string, n: number): string {
  return " ".repeat(Math.max(0, n - width(text))) + text;
}

/** Aligned columns; columns in `right` are right-aligned. */
export function table(header: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string[] {
  const widths = header.map((h, k) => Math.max(width(h), ...rows.map((r) => width(r[k] ?? ""))));
  const line = (r: string[]) =>
    r
      .map((c, k) => (right.has(k) ? padStart(c, widths[k]!) : padEnd(c, widths[k]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `  key         value` lines of a record. */
export function field(key: string, value: string, keyWidth = 24): string {
  return `  ${padEnd(key, keyWidth)}${value}`;
}

/** Asks y/N on a terminal; off a terminal the caller must have passed `--yes`. */
export async function confirm(question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new Error("not a terminal: pass --yes to confirm");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer !== "y" && answer !== "yes") throw new Error("cancelled: nothing was signed");
  } finally {
    rl.close();
  }
}

/** Reads a line without echoing it (passwords), on a terminal only. */
export async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new KeyError("cannot prompt for a password: not a terminal");
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    let value = "";
    const done = (error?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003" || ch === "\u0004") return done(new KeyError("cancelled"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

/** The first line of an error, preferring ethers' short message. */
export function oneLine(error: unknown): string {
  const short = (error as { shortMessage?: unknown } | undefined)?.shortMessage;
  if (typeof short === "string" && short) return short.split("\n")[0]!;
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}

/** This very command line, quoted for a POSIX shell: what to run again. */
export function thisCommand(): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
  return ["itec", ...process.argv.slice(2).map(quote)].join(" ");
}

/** An error's one line, its code and (for contract reverts) the raw error, as `--json` prints them. */
export interface ErrorReport {
  code: string | undefined;
  message: string;
  status?: number;
  /** The custom error the registry reverted with: name and arguments, and the raw `Name(arg=value, …)`. */
  revert?: { name: string; args: Record<string, string>; message?: string };
  problem?: Record<string, unknown>;
}

/** The one-line report of any error a command hits (API problems keep their code; reverts read as a sentence). */
export function errorReport(error: unknown, ifUnsure?: () => string): ErrorReport {
  if (error instanceof ApiError) {
    const revert = revertOf(error.body);
    if (error.code === "WOULD_REVERT" && revert) {
      // The sentence from the one table (the API sends it too; computed here so an older API reads the same).
      return {
        code: error.code,
        message: revertSentence({ message: revert.name, ...revert }),
        status: error.status,
        revert,
        problem: error.body,
      };
    }
    const unsure = error.code === "API_CONNECTION_LOST" && ifUnsure ? ` — ${ifUnsure()}` : "";
    return {
      code: error.code,
      message: `${error.code}: ${oneLine(error)}${unsure}`,
      ...(error.status ? { status: error.status } : {}),
      problem: error.body,
    };
  }
  if (error instanceof ChainError || error instanceof KeyError) {
    return { code: error.code, message: `${error.code}: ${oneLine(error)}` };
  }
  return { code: undefined, message: oneLine(error) };
}

function revertOf(body: Record<string, unknown>): ErrorReport["revert"] {
  const r = body.revert as { name?: unknown; args?: unknown; message?: unknown } | undefined;
  if (!r || typeof r.name !== "string" || !r.args || typeof r.args !== "object") return undefined;
  return {
    name: r.name,
    args: r.args as Record<string, string>,
    ...(typeof r.message === "string" ? { message: r.message } : {}),
  };
}

/**
 * Wraps a command action: any failure becomes one line with its stable code where there is one (API problems
 * keep their detail and code; a contract revert reads as the sentence that says what to do), which `itec` prints
 * as `itec: <line>` with exit code 1. With `--json` the error is also printed on stdout as `{ "error": … }`, the
 * raw revert (name and arguments) included. `ifUnsure` says how to find out whether a request whose connection
 * dropped was carried out (API_CONNECTION_LOST).
 */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<void>,
  options: { ifUnsure?: (...args: A) => string } = {},
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      const report = errorReport(error, options.ifUnsure && (() => options.ifUnsure!(...args)));
      // commander passes (…arguments, options, command): the options are second to last.
      const opts = args.length >= 2 ? (args[args.length - 2] as { json?: unknown } | undefined) : undefined;
      // One JSON document on stdout: a command that printed its answer (e.g. a review that failed a check) keeps it.
      if (opts && typeof opts === "object" && opts.json === true && !printed) {
        process.stdout.write(`${JSON.stringify({ error: report }, null, 2)}\n`);
      }
      throw new Error(report.message, { cause: error });
    }
  };
}
