/**
 * The journaled EDR chain (core/chain/edr-node.ts, ADR 0062): a chain grown through the front — a deployed contract
 * that stores a slot and emits a log per call, 100+ blocks of raw and front-signed transactions, a block of two, a
 * reverted transaction, `hardhat_mine`'s empty blocks, a jump in time — is rebuilt by a fresh EDR from the journal
 * alone with the same block hashes, balances, nonces, storage and logs, and keeps going from there. Calls a replay
 * could not repeat are refused; a journal whose replay differs refuses to start.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Network, Wallet, type TransactionRequest } from "ethers";

import { startEdrNode, type EdrNode } from "../../core/chain/edr-node.ts";
import { devAccount } from "../../core/keys.ts";
import { isCodedError } from "../../sdk/src/errors.ts";

/**
 * A 16-byte contract: stores its calldata word at slot `block.number` and emits it as LOG1(topic = block.number).
 * Runtime: PUSH1 0 CALLDATALOAD DUP1 NUMBER SSTORE PUSH1 0 MSTORE NUMBER PUSH1 32 PUSH1 0 LOG1 STOP.
 */
const INIT = "0x6010600c60003960106000f3" + "60003580435560005243602060" + "00a100";
const TX_BLOCKS = 110;

describe("journaled EDR chain", function () {
  this.timeout(300_000);
  let dir: string;
  let node: EdrNode | undefined;
  let rpc: (method: string, params?: unknown[]) => Promise<unknown>;

  async function start(blockTime = 0): Promise<EdrNode> {
    node = await startEdrNode({ dir, port: 0, blockTime }, (error) => {
      throw error;
    });
    const url = node.url;
    let id = 0;
    rpc = async (method, params = []) => {
      const reply = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
      });
      const body = (await reply.json()) as { result?: unknown; error?: { message: string; code: number } };
      if (body.error) throw Object.assign(new Error(body.error.message), { rpcCode: body.error.code });
      return body.result;
    };
    return node;
  }
  async function stop(): Promise<void> {
    await node?.close();
    node = undefined;
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "itec-edr-journal-"));
  });
  after(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const admin = devAccount(0).address;
  const raw = new Wallet(devAccount(1).privateKey);
  let contract: string;
  let rawNonce = 0;
  const signed = (tx: TransactionRequest) =>
    raw.signTransaction({
      chainId: 1337,
      nonce: rawNonce++,
      gasLimit: 100_000,
      maxFeePerGas: 0,
      maxPriorityFeePerGas: 0,
      type: 2,
      ...tx,
    });
  const word = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

  /** Everything a client could have read: every block hash, balances, nonces, every stored slot, every log. */
  async function observe(): Promise<unknown> {
    const head = Number(await rpc("eth_blockNumber"));
    const hashes: string[] = [];
    for (let n = 0; n <= head; n++) {
      hashes.push(((await rpc("eth_getBlockByNumber", [`0x${n.toString(16)}`, false])) as { hash: string }).hash);
    }
    const accounts = [admin, raw.address, devAccount(2).address];
    const slots = [];
    for (let n = 0; n <= head; n++)
      slots.push(await rpc("eth_getStorageAt", [contract, `0x${n.toString(16)}`, "latest"]));
    return {
      head,
      hashes,
      balances: await Promise.all(accounts.map((a) => rpc("eth_getBalance", [a, "latest"]))),
      nonces: await Promise.all(accounts.map((a) => rpc("eth_getTransactionCount", [a, "latest"]))),
      code: await rpc("eth_getCode", [contract, "latest"]),
      slots,
      logs: await rpc("eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest", address: contract }]),
    };
  }

  let grown: { head: number; hashes: string[]; logs: unknown[] };

  it("journals a chain of 100+ blocks as it grows, one line per block, before each reply", async function () {
    await start();
    const deployHash = (await rpc("eth_sendTransaction", [{ from: admin, data: INIT }])) as string;
    contract = ((await rpc("eth_getTransactionReceipt", [deployHash])) as { contractAddress: string }).contractAddress;
    for (let i = 1; i <= TX_BLOCKS; i++) {
      // Alternate front-signed (eth_sendTransaction) and client-signed (raw) transactions.
      const hash =
        i % 2
          ? await rpc("eth_sendTransaction", [{ from: admin, to: contract, data: word(i) }])
          : await rpc("eth_sendRawTransaction", [await signed({ to: contract, data: word(i) })]);
      // The block is on disk when the reply arrives.
      const lines = readFileSync(join(dir, "blocks.jsonl"), "utf8").trimEnd().split("\n");
      expect(JSON.parse(lines.at(-1)!).number).to.equal(1 + i);
      expect(await rpc("eth_getTransactionReceipt", [hash])).to.include({ status: "0x1" });
    }
    // Two transactions in one block, value transfers among them.
    await rpc("evm_setAutomine", [false]);
    await rpc("eth_sendRawTransaction", [
      await signed({ to: devAccount(2).address, value: 10n ** 18n, gasLimit: 21_000 }),
    ]);
    await rpc("eth_sendTransaction", [{ from: admin, to: contract, data: word(999) }]);
    await rpc("evm_mine");
    await rpc("evm_setAutomine", [true]);
    // A reverted transaction (out of gas) is mined with status 0 and journaled like any other.
    const failed = await rpc("eth_sendRawTransaction", [
      await signed({ to: contract, data: word(7), gasLimit: 21_500 }),
    ]);
    expect(await rpc("eth_getTransactionReceipt", [failed])).to.include({ status: "0x0" });
    // Empty blocks, and a jump in time.
    await rpc("hardhat_mine", ["0x5", "0x3c"]);
    await rpc("evm_increaseTime", [86_400]);
    await rpc("eth_sendTransaction", [{ from: admin, to: contract, data: word(1000) }]);
    grown = (await observe()) as typeof grown;
    expect(grown.head).to.be.greaterThan(100);
    expect(grown.logs).to.have.length(TX_BLOCKS + 2);
    const journal = readFileSync(join(dir, "blocks.jsonl"), "utf8").trimEnd().split("\n");
    expect(journal).to.have.length(1 + grown.head);
    expect(journal.slice(1).map((l) => (JSON.parse(l) as { hash: string }).hash)).to.deep.equal(grown.hashes.slice(1));
    await stop();
  });

  it("replays the journal into a fresh EDR: same block hashes, balances, nonces, storage and logs", async function () {
    const restarted = await start();
    expect(restarted.replayed.blocks).to.equal(grown.head);
    expect(await observe()).to.deep.equal(grown);
  });

  it("continues after the replay: nonces, the clock and the journal carry on", async function () {
    const lastTs = Number(((await rpc("eth_getBlockByNumber", ["latest", false])) as { timestamp: string }).timestamp);
    await rpc("eth_sendRawTransaction", [await signed({ to: contract, data: word(2000) })]);
    await rpc("eth_sendTransaction", [{ from: admin, to: contract, data: word(2001) }]);
    const head = (await rpc("eth_getBlockByNumber", ["latest", false])) as { number: string; timestamp: string };
    expect(Number(head.number)).to.equal(grown.head + 2);
    expect(Number(head.timestamp)).to.be.greaterThan(lastTs);
    await stop();
    await start();
    expect(Number(await rpc("eth_blockNumber"))).to.equal(grown.head + 2);
    await stop();
  });

  it("journals the blocks its interval timer mines before any reply can show them (--block-time)", async function () {
    await start(1);
    const path = join(dir, "blocks.jsonl");
    const hash = (await rpc("eth_sendRawTransaction", [await signed({ to: contract, data: word(3000) })])) as string;
    const receipt = await (async () => {
      for (;;) {
        const r = (await rpc("eth_getTransactionReceipt", [hash])) as { blockNumber: string; blockHash: string } | null;
        if (r) return r;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    // The first reply that shows the block comes after its journal line.
    const last = JSON.parse(readFileSync(path, "utf8").trimEnd().split("\n").at(-1)!) as {
      number: number;
      hash: string;
    };
    expect(last.number).to.be.at.least(Number(receipt.blockNumber));
    const journaled = readFileSync(path, "utf8").trimEnd().split("\n").slice(1);
    expect(journaled.map((l) => (JSON.parse(l) as { hash: string }).hash)).to.include(receipt.blockHash);
    // Empty blocks keep coming, each journaled.
    const head = Number(await rpc("eth_blockNumber"));
    await new Promise((r) => setTimeout(r, 2200));
    expect(Number(await rpc("eth_blockNumber"))).to.be.greaterThan(head);
    await stop();
    const restarted = await start();
    expect(restarted.replayed.blocks).to.equal(readFileSync(path, "utf8").trimEnd().split("\n").length - 1);
    grown.head = Number(await rpc("eth_blockNumber"));
    await stop();
  });

  it("refuses calls a replay could not repeat, and unsigned sends from accounts it holds no key for", async function () {
    await start();
    for (const [method, params] of [
      ["evm_snapshot", []],
      ["evm_revert", ["0x1"]],
      ["hardhat_setBalance", [admin, "0x1"]],
      ["hardhat_setStorageAt", [contract, "0x0", word(1)]],
      ["hardhat_setPrevRandao", [word(1)]],
      ["hardhat_setNextBlockBaseFeePerGas", ["0x1"]],
      ["hardhat_impersonateAccount", [admin]],
      ["hardhat_reset", []],
    ] as const) {
      const error = await rpc(method, [...params]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as { rpcCode: number }).rpcCode, method).to.equal(-32601);
      expect((error as Error).message).to.match(/not available on the journaled embedded chain/);
    }
    const stranger = Wallet.createRandom().address;
    const error = await rpc("eth_sendTransaction", [{ from: stranger, to: admin }]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).to.match(/unknown account/);
    await stop();
  });

  it("serves standard clients: ethers reads over the front", async function () {
    const n = await start();
    const provider = new JsonRpcProvider(n.url, Network.from(1337n), { staticNetwork: true });
    expect(await provider.getStorage(contract, 2)).to.equal(word(1));
    expect(await provider.getBlockNumber()).to.equal(grown.head);
    provider.destroy();
    await stop();
  });

  it("refuses to start when a replayed block's hash differs from the journal's, in one line", async function () {
    const path = join(dir, "blocks.jsonl");
    const original = readFileSync(path, "utf8");
    const lines = original.split("\n");
    const line = JSON.parse(lines[50]!) as { number: number; hash: string };
    const forged = `0x${"ee".repeat(32)}`;
    lines[50] = JSON.stringify({ ...line, hash: forged });
    writeFileSync(path, lines.join("\n"));
    const error = await start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isCodedError(error, "CHAIN_JOURNAL_MISMATCH")).to.equal(true);
    const message = (error as Error).message;
    expect(message).to.not.include("\n");
    expect(message).to.include(`block ${line.number} replays to ${line.hash}, the journal says ${forged}`);
    expect(message).to.match(/move the journal aside to start a new chain/);
    writeFileSync(path, original);
  });

  it("refuses to start when the genesis differs (another genesis date): the header pins the only free genesis input", async function () {
    const path = join(dir, "blocks.jsonl");
    const original = readFileSync(path, "utf8");
    const lines = original.split("\n");
    const header = JSON.parse(lines[0]!) as { initialDate: string; genesisHash: string };
    lines[0] = JSON.stringify({
      ...header,
      initialDate: new Date(Date.parse(header.initialDate) + 1000).toISOString(),
    });
    writeFileSync(path, lines.join("\n"));
    const error = await start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isCodedError(error, "CHAIN_JOURNAL_MISMATCH")).to.equal(true);
    expect((error as Error).message).to.match(
      new RegExp(`the genesis is 0x[0-9a-f]{64}, the journal's is ${header.genesisHash}`),
    );
    writeFileSync(path, original);
    // Restored, it starts again.
    await start();
    expect(Number(await rpc("eth_blockNumber"))).to.equal(grown.head);
    await stop();
  });
});
