/**
 * Hardhat's public test keys sign only on development chains (31337, 1337): every path a key enters by refuses
 * them elsewhere — the oracle's ITEC_ORACLE_KEY, _KEYSTORE (also holding the dev mnemonic) and _DEV_ACCOUNT against
 * a chain that reports another id, the CLI's key before it signs a transaction or an attestation, and the remote
 * signer's address (test/oracle/remote-signer.test.ts) and the deployer of `--network besu`
 * (test/e2e/deploy-url.test.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { encryptKeystoreJsonSync, HDNodeWallet, Mnemonic, Wallet } from "ethers";

import { anvilCommand } from "../../core/chain/anvil.ts";
import { readOracleEnv } from "../../core/config.ts";
import {
  devAccount,
  DevKeyRefusedError,
  HARDHAT_TEST_MNEMONIC,
  isDevChain,
  loadSigner,
  refuseDevKeyOffDevChain,
} from "../../core/keys.ts";
import { createOracle } from "../../oracle/src/runtime/oracle.ts";
import { isCodedError } from "../../sdk/src/errors.ts";
import { refuseDevKeyFor } from "../../scripts/commands/common.ts";
import { freePort } from "../helpers/chain.ts";

const REAL_CHAIN = 2026n;
const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe("Dev keys are refused off dev chains", function () {
  this.timeout(60_000);

  it("knows the dev chains and Hardhat's 20 accounts", function () {
    expect([31337n, 1337n, 1n, 2026n].map((id) => isDevChain(id))).to.deep.equal([true, true, false, false]);
    for (const chainId of [31337n, 1337n]) {
      expect(refused(() => refuseDevKeyOffDevChain({ address: devAccount(0).address }, chainId, "k"))).to.equal(
        undefined,
      );
    }
    for (const i of [0, 1, 19]) {
      const error = refused(() => refuseDevKeyOffDevChain({ address: devAccount(i).address }, REAL_CHAIN, "the key"));
      expect(error).to.be.instanceOf(DevKeyRefusedError);
      expect((error as DevKeyRefusedError).code).to.equal("DEV_KEY_REFUSED");
      expect(String(error)).to.contain(`test account #${i} (${devAccount(i).address})`);
      expect(String(error)).to.contain(`chain ${REAL_CHAIN}`);
    }
    expect(
      refused(() => refuseDevKeyOffDevChain({ address: Wallet.createRandom().address }, REAL_CHAIN, "k")),
    ).to.equal(undefined);
    // Beyond the 20 known accounts, the mnemonic itself gives it away.
    const far = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_TEST_MNEMONIC), "m/44'/60'/0'/0/77");
    expect(refused(() => refuseDevKeyOffDevChain({ address: far.address }, REAL_CHAIN, "k"))).to.equal(undefined);
    expect(
      refused(() => refuseDevKeyOffDevChain({ address: far.address, mnemonic: far.mnemonic!.phrase }, REAL_CHAIN, "k")),
    ).to.be.instanceOf(DevKeyRefusedError);
  });

  it("loadSigner refuses a dev private key and a keystore of the dev mnemonic for a real chain id", async function () {
    const dir = mkdtempSync(join(tmpdir(), "itec-dev-keys-"));
    try {
      const devKey = devAccount(1).privateKey;
      const ok = await loadSigner({ privateKey: devKey }, undefined, { chainId: 1337n });
      expect(await ok.signer.getAddress()).to.equal(devAccount(1).address);
      const keyError = await loadSigner({ privateKey: devKey }, undefined, { chainId: REAL_CHAIN }).catch((e) => e);
      expect(isCodedError(keyError, "DEV_KEY_REFUSED")).to.equal(true);
      expect(String(keyError)).to.contain("private key from the environment");

      // A keystore holding the dev mnemonic (account 42: not among the 20 known addresses).
      const far = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_TEST_MNEMONIC), "m/44'/60'/0'/0/42");
      const keystore = join(dir, "dev.json");
      writeFileSync(
        keystore,
        encryptKeystoreJsonSync(
          {
            address: far.address,
            privateKey: far.privateKey,
            mnemonic: { entropy: far.mnemonic!.entropy, path: far.path!, locale: "en" },
          },
          "pw",
          { scrypt: { N: 1024 } },
        ),
      );
      const ksError = await loadSigner({ keystore, password: "pw" }, undefined, { chainId: REAL_CHAIN }).catch(
        (e) => e,
      );
      expect(isCodedError(ksError, "DEV_KEY_REFUSED"), String(ksError)).to.equal(true);
      expect(String(ksError)).to.contain(`keystore ${keystore}`);
      // An operator's own key loads.
      const own = Wallet.createRandom();
      const ownOk = await loadSigner({ privateKey: own.privateKey }, undefined, { chainId: REAL_CHAIN });
      expect(await ownOk.signer.getAddress()).to.equal(own.address);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("the oracle against a chain whose id is not a dev chain's", function () {
    let anvil: ChildProcess;
    let url: string;
    before(async () => {
      const port = await freePort();
      const [command, ...prefix] = anvilCommand();
      anvil = spawn(
        command!,
        [...prefix, "--host", "127.0.0.1", "--port", String(port), "--chain-id", String(REAL_CHAIN), "--silent"],
        { stdio: "ignore" },
      );
      url = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 100; i++) {
        const up = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
        }).then(
          (r) => r.ok,
          () => false,
        );
        if (up) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("anvil did not start");
    });
    after(() => {
      anvil.kill("SIGINT");
    });

    for (const [name, env] of [
      ["ITEC_ORACLE_KEY", { ITEC_ORACLE_KEY: devAccount(1).privateKey }],
      ["ITEC_ORACLE_DEV_ACCOUNT", { ITEC_ORACLE_DEV_ACCOUNT: "1" }],
    ] as const) {
      it(`refuses ${name} with a dev key`, async function () {
        const error = await createOracle(
          readOracleEnv({
            ITEC_RPC_URL: url,
            ITEC_REGISTRY_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            ITEC_DB_PATH: ":memory:",
            ITEC_LOG_LEVEL: "silent",
            ...env,
          }),
        ).then(
          (r) => (r.close(), undefined),
          (e: unknown) => e,
        );
        expect(isCodedError(error, "DEV_KEY_REFUSED"), String(error)).to.equal(true);
        expect(String(error)).to.contain(`chain ${REAL_CHAIN}`);
      });
    }
  });

  it("the CLI refuses to sign with a dev key for a real chain id (transactions and attestations)", async function () {
    await refuseDevKeyFor(devAccount(5), 1337n); // dev chain: fine
    await refuseDevKeyFor(Wallet.createRandom(), REAL_CHAIN.toString()); // own key: fine
    const error = await refuseDevKeyFor(new Wallet(devAccount(5).privateKey), REAL_CHAIN.toString()).catch((e) => e);
    expect(isCodedError(error, "DEV_KEY_REFUSED")).to.equal(true);
    expect(String(error)).to.contain("your key is Hardhat's public test account #5");
  });
});
