/**
 * Where keys come from: an encrypted JSON keystore (password from the environment or a prompt), a private key in
 * an environment variable, a remote signer (core/chain/remote-signer.ts), or — in development only, and said so —
 * one of Hardhat's well-known test accounts. Never from a command-line argument.
 *
 * Hardhat's test mnemonic and its accounts are public: whoever reads this file can sign as them. Every path a key
 * enters by (oracle key, keystore, CLI key, remote signer's address, the deployer of `--network besu`) calls
 * {@link refuseDevKeyOffDevChain} once the chain id is known, so a dev key never signs on a chain that is not a
 * development chain.
 */
import { readFileSync } from "node:fs";

import { getAddress, HDNodeWallet, Mnemonic, Wallet, type Provider, type Signer } from "ethers";
import { CodedError } from "../sdk/src/errors.ts";

/** Hardhat's public test mnemonic. Its keys are published: development only, never on a real network. */
export const HARDHAT_TEST_MNEMONIC = "test test test test test test test test test test test junk";

export class KeyError extends CodedError<"KEY_UNAVAILABLE"> {
  constructor(message: string, options?: { cause?: unknown }) {
    super("KEY_UNAVAILABLE", message, options);
  }
}

/** A published development key (or the dev mnemonic) offered for a chain that is not a development chain. */
export class DevKeyRefusedError extends CodedError<"DEV_KEY_REFUSED"> {
  constructor(message: string, details: { address: string; chainId: string }) {
    super("DEV_KEY_REFUSED", message, { details });
  }
}

/**
 * The development chains: Hardhat's simulator (31337) and the chain id of `npm start`'s anvil and the tests
 * (1337, core/chain/anvil.ts). Anything else is treated as a real network.
 */
export const DEV_CHAIN_IDS: readonly bigint[] = [31337n, 1337n];

export function isDevChain(chainId: bigint | number | string): boolean {
  return DEV_CHAIN_IDS.includes(BigInt(chainId));
}

/**
 * How many accounts of the dev mnemonic are recognised: Hardhat's simulator has 20, anvil 10; the CLI's
 * `--dev-account` takes 0–19. Deriving them costs ~50 ms once.
 */
const DEV_ACCOUNT_COUNT = 20;
let devAddresses: Map<string, number> | undefined;

/** The index of `address` among the dev mnemonic's accounts, or undefined when it is not one of them. */
export function devAccountIndex(address: string): number | undefined {
  devAddresses ??= new Map(
    Array.from({ length: DEV_ACCOUNT_COUNT }, (_, i) => [devAccount(i).address.toLowerCase(), i] as const),
  );
  return devAddresses.get(address.toLowerCase());
}

/**
 * Throws {@link DevKeyRefusedError} when `address` is one of the dev mnemonic's accounts (or `mnemonic` is the dev
 * mnemonic, e.g. inside a keystore) and `chainId` is not a development chain. `source` names where the key came
 * from, for the message.
 */
export function refuseDevKeyOffDevChain(
  key: { address: string; mnemonic?: string | undefined },
  chainId: bigint | number | string,
  source: string,
): void {
  if (isDevChain(chainId)) return;
  const index = devAccountIndex(key.address);
  const devMnemonic = key.mnemonic !== undefined && key.mnemonic.trim().replace(/\s+/g, " ") === HARDHAT_TEST_MNEMONIC;
  if (index === undefined && !devMnemonic) return;
  const address = getAddress(key.address);
  const what =
    index !== undefined
      ? `Hardhat's public test account #${index} (${address})`
      : `an account of Hardhat's public test mnemonic (${address})`;
  throw new DevKeyRefusedError(
    `${source} is ${what}, whose private key is published; refused on chain ${chainId}, which is not a ` +
      `development chain (${DEV_CHAIN_IDS.join(", ")}): generate a key of your own (npx itec keys new) and use it`,
    { address, chainId: String(chainId) },
  );
}

/** Hardhat test account `index` (0 = admin, 1 = oracle in dev deployments …). */
export function devAccount(index: number, provider?: Provider): HDNodeWallet {
  if (!Number.isInteger(index) || index < 0 || index > 19) throw new KeyError(`dev account index ${index} is not 0…19`);
  const wallet = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_TEST_MNEMONIC), `m/44'/60'/0'/0/${index}`);
  return provider ? wallet.connect(provider) : wallet;
}

export interface KeySource {
  /** Hex private key (from an environment variable). */
  privateKey?: string | undefined;
  /** Path of an encrypted JSON keystore (ethers / geth format). */
  keystore?: string | undefined;
  /** Its password (from an environment variable). */
  password?: string | undefined;
  /** Development: index of a Hardhat test account. */
  devAccount?: number | undefined;
}

/**
 * Loads a signer from exactly one source; `describeSource` says which, for logs and CLI output. With `chainId`, a
 * dev key (or a keystore holding the dev mnemonic) is refused unless that chain is a development chain.
 */
export async function loadSigner(
  source: KeySource,
  provider?: Provider,
  options: { chainId?: bigint | undefined } = {},
): Promise<{ signer: Signer; describeSource: string }> {
  const loaded = await loadSignerFrom(source, provider);
  if (options.chainId !== undefined) {
    const mnemonic = loaded.signer instanceof HDNodeWallet ? loaded.signer.mnemonic?.phrase : undefined;
    refuseDevKeyOffDevChain({ address: loaded.signer.address, mnemonic }, options.chainId, loaded.describeSource);
  }
  return loaded;
}

async function loadSignerFrom(
  source: KeySource,
  provider?: Provider,
): Promise<{ signer: Wallet | HDNodeWallet; describeSource: string }> {
  if (source.keystore) {
    if (source.password === undefined)
      throw new KeyError(`keystore ${source.keystore} needs a password (set it in the environment)`);
    let json: string;
    try {
      json = readFileSync(source.keystore, "utf8");
    } catch (error) {
      throw new KeyError(`cannot read keystore ${source.keystore}: ${(error as Error).message}`);
    }
    let wallet: Wallet | HDNodeWallet;
    try {
      wallet = await Wallet.fromEncryptedJson(json, source.password);
    } catch {
      throw new KeyError(`cannot decrypt keystore ${source.keystore}: wrong password or not a keystore`);
    }
    return { signer: provider ? wallet.connect(provider) : wallet, describeSource: `keystore ${source.keystore}` };
  }
  if (source.privateKey) {
    let wallet: Wallet;
    try {
      wallet = new Wallet(source.privateKey.startsWith("0x") ? source.privateKey : `0x${source.privateKey}`);
    } catch {
      throw new KeyError("the private key in the environment is not a 32-byte hex key");
    }
    return { signer: provider ? wallet.connect(provider) : wallet, describeSource: "private key from the environment" };
  }
  if (source.devAccount !== undefined) {
    return {
      signer: devAccount(source.devAccount, provider),
      describeSource: `DEV MODE: Hardhat well-known test account #${source.devAccount} (public key material — never use on a real network)`,
    };
  }
  throw new KeyError("no key configured: give a keystore (+ password in the environment) or a key in the environment");
}
