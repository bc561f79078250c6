/**
 * `itec keys new|show` — create an encrypted JSON keystore (scrypt, the ethers/geth format) and show which account
 * the configured key source gives. The password comes from ITEC_KEYSTORE_PASSWORD or a hidden prompt, never from
 * an argument; the private key is never printed.
 */
import { existsSync, writeFileSync } from "node:fs";

import type { Command } from "commander";
import { getAddress, Wallet } from "ethers";

import { readCliEnv } from "../../core/config.ts";
import { KeyError } from "../../core/keys.ts";
import { action, group, loadKey, print, promptHidden, withSigner, type SignerOptions } from "./common.ts";

const MIN_PASSWORD = 8;

export function registerKeys(program: Command): void {
  const keys = group(program, "keys", "your signing key: create an encrypted keystore, show the account");

  keys
    .command("new")
    .description("create a new key in an encrypted JSON keystore (password: ITEC_KEYSTORE_PASSWORD or a prompt)")
    .requiredOption("--out <file>", "where to write the keystore (must not exist)")
    .option("--json", "machine-readable output (JSON on stdout)")
    .action(
      action(async (o: { out: string; json?: boolean }) => {
        const password = readCliEnv().ITEC_KEYSTORE_PASSWORD ?? (await askNewPassword());
        if (password.length < MIN_PASSWORD) {
          throw new KeyError(`the keystore password must have at least ${MIN_PASSWORD} characters`);
        }
        // Checked before the (slow, scrypt) encryption; `wx` below still refuses a file created meanwhile.
        if (existsSync(o.out)) throw new KeyError(`${o.out} exists: not overwriting a key`);
        const wallet = Wallet.createRandom();
        const json = await wallet.encrypt(password);
        try {
          // wx: never overwrite an existing key; 0600: readable by its owner only.
          writeFileSync(o.out, json, { flag: "wx", mode: 0o600 });
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          throw new KeyError(
            code === "EEXIST" ? `${o.out} exists: not overwriting a key` : `cannot write ${o.out}: ${code}`,
          );
        }
        print(o, { address: wallet.address, keystore: o.out }, () => [
          `✓ new key ${wallet.address} in ${o.out} (encrypted; keep the file and its password safe)`,
          `  use it with: --keystore ${o.out}   (password from ITEC_KEYSTORE_PASSWORD or the prompt)`,
        ]);
      }),
    );

  withSigner(keys.command("show").description("the account of the configured key (no network access)")).action(
    action(async (o: SignerOptions) => {
      const signer = await loadKey(o);
      const address = getAddress(await signer.getAddress());
      const envKeystore = readCliEnv().ITEC_KEYSTORE;
      const source = o.keystore
        ? `keystore ${o.keystore}`
        : o.devAccount !== undefined
          ? `DEV MODE test account #${o.devAccount}`
          : envKeystore
            ? `keystore ${envKeystore}`
            : "ITEC_PRIVATE_KEY";
      print(o, { address, source }, () => [`${address} (${source})`]);
    }),
  );
}

async function askNewPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new KeyError("no password: set ITEC_KEYSTORE_PASSWORD or run on a terminal to be prompted");
  }
  const first = await promptHidden("new keystore password: ");
  const second = await promptHidden("repeat it: ");
  if (first !== second) throw new KeyError("the passwords differ");
  return first;
}
