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

  it("makes the deployer the admin, so its setup calls succeed whoever issues (a separate issuer account)", async function () {
    const signers = await ethers.getSigners();
    const issuer = signers[9]!;
    const { registry } = await ignition.deploy(ITECRegistryModule, {
      parameters: { ITECRegistry: { issuer: issuer.address, externalBaseURI: "https://registry.example/b/" } },
    });
    expect(await registry.getFunction("hasRole")(ISSUER_ROLE, issuer.address)).to.equal(true);
    expect(await registry.getFunction("hasRole")(ISSUER_ROLE, signers[1]!.address)).to.equal(false);
    expect(await registry.getFunction("hasRole")(ethers.ZeroHash, signers[0]!.address)).to.equal(true);
    expect(await registry.getFunction("getRoleMemberCount")(ethers.ZeroHash)).to.equal(1n);
  });

  it("requires externalBaseURI: no default link that could name another registry", async function () {
    let error: unknown;
    try {
      await ignition.deploy(ITECRegistryModule, { parameters: { ITECRegistry: {} } });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/externalBaseURI/);
  });
});
