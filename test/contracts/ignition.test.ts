import { expect } from "chai";
import { network } from "hardhat";

import ITECRegistryModule, { ISSUER_ROLE, METHODOLOGY, PARAMETERS } from "../../ignition/modules/ITECRegistry.ts";

const { ethers, ignition } = await network.create();

describe("Ignition module ITECRegistry", function () {
  it("deploys the registry, registers the methodology and grants the issuer role", async function () {
    const [admin, issuer] = await ethers.getSigners();
    const { registry } = await ignition.deploy(ITECRegistryModule, {
      parameters: { ITECRegistry: { externalBaseURI: "https://registry.example/batches/" } },
    });
    expect(await registry.getFunction("methodologyIdOf")(METHODOLOGY, PARAMETERS)).to.equal(1n);
    expect(await registry.getFunction("hasRole")(ISSUER_ROLE, issuer!.address)).to.equal(true);
    expect(await registry.getFunction("hasRole")(ethers.ZeroHash, admin!.address)).to.equal(true);
  });
});
