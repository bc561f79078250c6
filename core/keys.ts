/**
 * Where keys come from: an encrypted JSON keystore (password from the environment or a prompt), a private key in
 * an environment variable, or — in development only, and said so — one of Hardhat's well-known test accounts.
 * Never from a command-line argument.
 */
import { readFileSync } from "node:fs";

import { HDNodeWallet, Mnemonic, Wallet, type Provider, type Signer } from "ethers";
import { CodedError } from "../sdk/src/errors.ts";

/** Hardhat's public test mnemonic. Its keys are published: development only, never on a real network. */
export const HARDHAT_TEST_MNEMONIC = "test test test test test test test test test test test junk";

export class KeyError extends CodedError<"KEY_UNAVAILABLE"> {
  constructor(message: string, options?: { cause?: unknown }) {
    super("KEY_UNAVAILABLE", message, options);
  }
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

/** Loads a signer from exactly one source; `describeSource` says which, for logs and CLI output. */
export async function loadSigner(
  source: KeySource,
  provider?: Provider,
): Promise<{ signer: Signer; describeSource: string }> {
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
