/** The oracle's transaction fees: explicit price when configured, 0 on a zero-fee network, else the node's data. */
import { expect } from "chai";

import { ChainClient } from "../../core/chain/client.ts";
import { deployOverRpc, startTestChain, type TestChain } from "../helpers/chain.ts";

describe("ChainClient.feeFields", function () {
  this.timeout(60_000);
  let chain: TestChain;
  let registry: string;

  before(async () => {
    chain = await startTestChain("hardhat");
    registry = (await deployOverRpc(chain)).address;
  });
  after(async () => chain?.stop());

  const client = (gasPrice?: bigint) =>
    ChainClient.connect({
      rpcUrl: chain.url,
      registryAddress: registry,
      ...(gasPrice !== undefined ? { gasPrice } : {}),
    });

  it("uses the configured gas price as a legacy transaction", async function () {
    const c = await client(7n);
    expect(await c.feeFields()).to.deep.equal({ type: 0, gasPrice: 7n });
    c.provider.destroy();
  });

  it("uses the node's EIP-1559 fees while blocks carry a base fee, and 0 once the base fee is 0 (Besu zeroBaseFee)", async function () {
    const c = await client();
    const priced = await c.feeFields();
    expect(priced.type).to.equal(2);
    expect(priced.maxFeePerGas).to.be.a("bigint").and.not.equal(0n);
    await chain.rpc("hardhat_setNextBlockBaseFeePerGas", ["0x0"]);
    await chain.mine();
    expect((await c.provider.getBlock("latest"))!.baseFeePerGas).to.equal(0n);
    expect(await c.feeFields()).to.deep.equal({ type: 0, gasPrice: 0n });
    c.provider.destroy();
  });
});
