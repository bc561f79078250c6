import { network } from "hardhat";
import { deployRegistry } from "../helpers/registry.ts";
import { invariantSetup } from "./invariants-model.ts";
import { registryChannel } from "./invariants-chain.ts";
const connection = await network.create();
describe("probe", function () {
  it("views", async function () {
    this.timeout(0);
    const f = await invariantSetup(await deployRegistry(connection));
    const c = registryChannel(connection.provider, f.address);
    const N = 300;
    const time = async (name: string, fn: () => Promise<unknown>) => {
      await fn();
      const t = performance.now();
      for (let i = 0; i < N; i++) await fn();
      console.log(name, ((performance.now() - t) / N).toFixed(3), "ms");
    };
    await time("chainId", () => connection.provider.request({ method: "eth_chainId" }));
    await time("blockNumber", () => connection.provider.request({ method: "eth_blockNumber" }));
    await time("batchCount", () => c.view("batchCount"));
    await time("batchHold", () => c.view("batchHold", [1n]));
    await time("participant", () => c.view("participant", [f.admin.address]));
    await time("balanceOfBatch1", () => c.view("balanceOfBatch", [[f.admin.address], [1n]]));
    const a = Array.from({ length: 45 }, () => f.admin.address);
    const ids = Array.from({ length: 45 }, (_, i) => BigInt((i % 5) + 1));
    await time("balanceOfBatch45", () => c.view("balanceOfBatch", [a, ids]));
    await time("22 parallel", () => Promise.all(Array.from({ length: 22 }, () => c.view("batchHold", [1n]))));
    await time("22 serial", async () => { for (let i = 0; i < 22; i++) await c.view("batchHold", [1n]); });
  });
});
