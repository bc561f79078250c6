/**
 * The issuer's key in a remote signer (ITEC_ORACLE_SIGNER_URL + ITEC_ORACLE_ADDRESS): the oracle, built by its
 * runtime from configuration exactly as `itec serve` builds it, mints a batch through a Web3Signer stand-in; a
 * signer that returns a transaction from another key or to another contract is refused before anything is stored
 * or sent; a signer that is down, refuses, or does not hold the address stops the start with a coded error.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { Transaction, Wallet } from "ethers";

import { RemoteSigner, RemoteSignerError } from "../../core/chain/remote-signer.ts";
import { readOracleEnv } from "../../core/config.ts";
import { readLotCsv } from "../../core/calc/lot/index.ts";
import { devAccount, DevKeyRefusedError } from "../../core/keys.ts";
import { createOracle, type OracleRuntime } from "../../oracle/src/runtime/oracle.ts";
import { isCodedError } from "../../sdk/src/errors.ts";
import {
  ACCOUNTS,
  deployOverRpc,
  freePort,
  startTestChain,
  type DeployedRegistry,
  type TestChain,
} from "../helpers/chain.ts";
import { signView } from "../helpers/sign.ts";
import { startFakeWeb3Signer, type FakeWeb3Signer } from "../helpers/web3signer.ts";

const ISSUER = devAccount(ACCOUNTS.oracle);

describe("Oracle with a remote signer", function () {
  this.timeout(120_000);
  let chain: TestChain;
  let deployed: DeployedRegistry;
  let fake: FakeWeb3Signer;
  let dir: string;
  const runtimes: OracleRuntime[] = [];

  const envFor = (url: string, address = ISSUER.address) =>
    readOracleEnv({
      ITEC_RPC_URL: chain.url,
      ITEC_REGISTRY_ADDRESS: deployed.address,
      ITEC_DB_PATH: join(dir, `oracle-${runtimes.length}-${Date.now()}.db`),
      ITEC_ORACLE_SIGNER_URL: url,
      ITEC_ORACLE_ADDRESS: address,
      ITEC_LOG_LEVEL: "silent",
    });

  before(async () => {
    chain = await startTestChain();
    deployed = await deployOverRpc(chain, { auditors: 1 });
    fake = await startFakeWeb3Signer({ key: ISSUER, otherKey: devAccount(9), chainId: chain.chainId });
    dir = mkdtempSync(join(tmpdir(), "itec-remote-signer-"));
  });
  after(async () => {
    for (const r of runtimes) await r.close();
    await fake.close();
    await chain.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("mints a batch signed by the remote signer; refuses its transactions from another key or to another contract", async function () {
    const runtime = await createOracle(envFor(fake.url));
    runtimes.push(runtime);
    const { oracle } = runtime;
    const lot = await oracle.submitLot({
      devices: await readLotCsv("test/vectors/section9-lot.csv"),
      defaultTransport: "hgv:600;van:250",
      refurbisher: deployed.wallet("refurbisher").address,
      lotRef: "remote-signer",
    });
    const auditor = deployed.wallet("auditor1");
    const id = `${lot.id}-desktop`;
    expect(
      (await oracle.addSignature(id, auditor.address, await signView(auditor, await oracle.getAttestation(id)))).state,
    ).to.equal("ready");

    const tickUntil = async (done: () => boolean | Promise<boolean>, ms = 30_000) => {
      const deadline = Date.now() + ms;
      while (!(await done()) && Date.now() < deadline) {
        await oracle.tick();
        if (!(await done())) await new Promise((r) => setTimeout(r, 100));
      }
    };

    // A signer holding another key: its transaction is decoded, found to be from someone else, and refused.
    fake.mode = "other-key";
    await tickUntil(() => fake.signed.length >= 1);
    let batch = await oracle.getBatch(id);
    expect(batch.state).to.equal("ready");
    expect(batch.transactions).to.deep.equal([]); // nothing stored, so nothing broadcast
    expect(batch.error).to.match(/remote signer .* returned a transaction from 0x/i);
    expect(batch.error).to.contain(devAccount(9).address);
    expect(await chain.provider.getTransaction(fake.signed[0]!.hash)).to.equal(null);

    // The right key, but signing a transaction to another contract: refused too.
    fake.mode = "other-to";
    await tickUntil(() => fake.signed.length >= 2);
    batch = await oracle.getBatch(id);
    expect(batch.state).to.equal("ready");
    expect(batch.transactions).to.deep.equal([]);
    expect(batch.error).to.match(/whose to is 0x000000000000000000000000000000000000dead/);
    expect(await chain.provider.getTransaction(fake.signed[1]!.hash)).to.equal(null);

    // An honest signer: the batch is posted and minted by the issuer's address.
    fake.mode = "honest";
    await tickUntil(async () => (await oracle.getBatch(id)).state === "confirmed");
    batch = await oracle.getBatch(id);
    expect(batch.state).to.equal("confirmed");
    const honest = fake.signed[fake.signed.length - 1]!;
    expect(honest.params.from?.toLowerCase()).to.equal(ISSUER.address.toLowerCase());
    // What the oracle stored before broadcasting is exactly what the signer returned, and that is what was mined.
    expect(batch.transactions.map((t) => t.hash)).to.deep.equal([honest.hash]);
    const mined = await chain.provider.getTransaction(honest.hash);
    expect(mined!.from).to.equal(ISSUER.address);
    expect(mined!.to).to.equal(deployed.address);
    expect(
      await deployed.registry.balanceOf(deployed.wallet("refurbisher").address, BigInt(batch.token_id!)),
    ).to.be.greaterThan(0n);
  });

  it("refuses to start when the signer does not hold the configured address", async function () {
    const other = Wallet.createRandom().address;
    const error = await createOracle(envFor(fake.url, other)).then(
      (r) => (runtimes.push(r), undefined),
      (e: unknown) => e,
    );
    expect(isCodedError(error, "REMOTE_SIGNER_MISMATCH"), String(error)).to.equal(true);
    expect(String(error)).to.contain(`does not hold ${other}`);
    expect(String(error)).to.contain(ISSUER.address); // what it does hold: the next step is obvious
  });

  it("checks a local key against ITEC_ORACLE_ADDRESS too, and refuses a remote signer without it", async function () {
    const own = Wallet.createRandom();
    const local = (extra: Record<string, string>) =>
      createOracle(
        readOracleEnv({
          ITEC_RPC_URL: chain.url,
          ITEC_REGISTRY_ADDRESS: deployed.address,
          ITEC_DB_PATH: join(dir, `local-${Date.now()}.db`),
          ITEC_LOG_LEVEL: "silent",
          ...extra,
        }),
      ).then(
        (r) => (r.close(), undefined),
        (e: unknown) => e,
      );
    expect(await local({ ITEC_ORACLE_KEY: own.privateKey, ITEC_ORACLE_ADDRESS: own.address })).to.equal(undefined);
    const wrong = await local({ ITEC_ORACLE_KEY: own.privateKey, ITEC_ORACLE_ADDRESS: ISSUER.address });
    expect(isCodedError(wrong, "KEY_UNAVAILABLE"), String(wrong)).to.equal(true);
    expect(String(wrong)).to.contain(`is ${own.address}, not ITEC_ORACLE_ADDRESS ${ISSUER.address}`);
    const noAddress = await local({ ITEC_ORACLE_SIGNER_URL: fake.url });
    expect(String(noAddress)).to.contain("ITEC_ORACLE_SIGNER_URL needs ITEC_ORACLE_ADDRESS");
    const both = await local({
      ITEC_ORACLE_SIGNER_URL: fake.url,
      ITEC_ORACLE_ADDRESS: ISSUER.address,
      ITEC_ORACLE_KEY: own.privateKey,
    });
    expect(String(both)).to.contain("are both set");
  });

  it("names a signer that is down, and one that refuses, with a coded error and the next step", async function () {
    const down = `http://127.0.0.1:${await freePort()}`;
    const unavailable = await RemoteSigner.open(
      { url: down, address: ISSUER.address, timeoutMs: 2000 },
      null,
      1337n,
    ).catch((e: unknown) => e);
    expect(unavailable).to.be.instanceOf(RemoteSignerError);
    expect((unavailable as RemoteSignerError).code).to.equal("REMOTE_SIGNER_UNAVAILABLE");
    expect(String(unavailable)).to.contain("ITEC_ORACLE_SIGNER_URL");

    fake.mode = "refuse";
    try {
      const signer = await RemoteSigner.open({ url: fake.url, address: ISSUER.address }, chain.provider, 1337n);
      const refused = await signer
        .signTransaction({
          to: deployed.address,
          data: "0x",
          nonce: 0,
          gasLimit: 21_000n,
          gasPrice: 0n,
          chainId: 1337n,
        })
        .catch((e: unknown) => e);
      expect((refused as RemoteSignerError).code).to.equal("REMOTE_SIGNER_REFUSED");
      expect(String(refused)).to.contain("Signing not allowed");
    } finally {
      fake.mode = "honest";
    }
  });

  it("signs a legacy zero-price transaction (Besu) exactly as asked, and checks the chain id it was signed for", async function () {
    const signer = await RemoteSigner.open({ url: fake.url, address: ISSUER.address }, chain.provider, 1337n);
    const raw = await signer.signTransaction({
      to: deployed.address,
      data: "0x1234",
      nonce: 7,
      gasLimit: 50_000n,
      gasPrice: 0n,
      chainId: 1337n,
    });
    const tx = Transaction.from(raw);
    expect([tx.from, tx.to, tx.data, tx.nonce, tx.gasLimit, tx.gasPrice, tx.chainId, tx.type]).to.deep.equal([
      ISSUER.address,
      deployed.address,
      "0x1234",
      7,
      50_000n,
      0n,
      1337n,
      0,
    ]);
    // The stand-in, like Web3Signer, signs for its own configured chain id: asked for another, it is refused.
    const wrongChain = await signer
      .signTransaction({ to: deployed.address, data: "0x", nonce: 0, gasLimit: 21_000n, gasPrice: 0n, chainId: 2026n })
      .catch((e: unknown) => e);
    expect((wrongChain as RemoteSignerError).code).to.equal("REMOTE_SIGNER_MISMATCH");
    expect(String(wrongChain)).to.contain("chainId is 1337, not 2026");
  });

  it("refuses a remote signer whose address is a published dev key on a chain that is not a dev chain", async function () {
    const error = await RemoteSigner.open({ url: fake.url, address: ISSUER.address }, null, 2026n).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DevKeyRefusedError);
    expect(String(error)).to.contain("the remote signer's key");
  });
});
