import { expect } from "chai";
import { network } from "hardhat";

import ITECRegistryModule from "../../ignition/modules/ITECRegistry.ts";
import ITECMarketModule, { MARKET_PARTICIPANT_KIND } from "../../ignition/modules/ITECMarket.ts";
import ITECMarketTestTokenModule, { TEST_TOKEN } from "../../ignition/modules/ITECMarketTestToken.ts";

const { ethers, ignition } = await network.create();
const ACTIVE = 1n;

describe("Ignition modules ITECMarket and ITECMarketTestToken", function () {
  it("deploys the market for a registry and admits it as a participant", async function () {
    const [, issuer] = await ethers.getSigners();
    const { registry } = await ignition.deploy(ITECRegistryModule, {
      parameters: { ITECRegistry: { issuer: issuer!.address, externalBaseURI: "https://registry.example/m/" } },
    });
    const registryAddress = await registry.getAddress();
    const { market } = await ignition.deploy(ITECMarketModule, {
      parameters: { ITECMarket: { registry: registryAddress } },
    });
    expect(await market.getFunction("registry")()).to.equal(registryAddress);
    const p = await registry.getFunction("participant")(await market.getAddress());
    expect([p.kind, p.status, p.name]).to.deep.equal([BigInt(MARKET_PARTICIPANT_KIND), ACTIVE, "I-TEC Market"]);
  });

  it("deploys the TEST token with the deployer as its admin and admits it on the market", async function () {
    const [deployer, issuer] = await ethers.getSigners();
    const { registry } = await ignition.deploy(ITECRegistryModule, {
      parameters: { ITECRegistry: { issuer: issuer!.address, externalBaseURI: "https://registry.example/t/" } },
    });
    const { market, token } = await ignition.deploy(ITECMarketTestTokenModule, {
      parameters: { ITECMarket: { registry: await registry.getAddress() } },
    });
    expect(await market.getFunction("tokenAdmitted")(await token.getAddress())).to.equal(true);
    expect(await token.getFunction("admin")()).to.equal(deployer!.address);
    expect(await token.getFunction("symbol")()).to.equal(TEST_TOKEN.symbol);
    expect(await token.getFunction("decimals")()).to.equal(BigInt(TEST_TOKEN.decimals));
  });
});
