import { expect } from "chai";
import { network } from "hardhat";

import ITECRegistryModule, {
  DEFAULT_ADMIN_DELAY,
  ISSUER_ROLE,
  METHODOLOGY,
  PARAMETERS,
} from "../../ignition/modules/ITECRegistry.ts";
import ITECRegistryHandoverModule from "../../ignition/modules/ITECRegistryHandover.ts";

const { ethers, ignition, networkHelpers } = await network.create();
/** Any address that is not the deployer's. */
const ISSUER = "0x000000000000000000000000000000000000dEaD";

describe("Ignition module ITECRegistry", function () {
  it("deploys the extension and the registry, registers the methodology and grants the issuer role", async function () {
    const [admin, issuer] = await ethers.getSigners();
    const { registry, extension } = await ignition.deploy(ITECRegistryModule, {
      parameters: { ITECRegistry: { issuer: issuer!.address, externalBaseURI: "https://registry.example/batches/" } },
    });
    expect(await registry.getFunction("extension")()).to.equal(await extension.getAddress());
    // The extension's views answer through the registry's address (delegatecall).
    expect(await registry.getFunction("methodologyIdOf")(METHODOLOGY, PARAMETERS)).to.equal(1n);
    expect(await registry.getFunction("hasRole")(ISSUER_ROLE, issuer!.address)).to.equal(true);
    expect(await registry.getFunction("defaultAdmin")()).to.equal(admin!.address);
    expect(await registry.getFunction("defaultAdminDelay")()).to.equal(DEFAULT_ADMIN_DELAY);
  });

  it("makes the deployer the admin, so its setup calls succeed whoever issues (a separate issuer account)", async function () {
    const signers = await ethers.getSigners();
    const issuer = signers[9]!;
    const { registry } = await ignition.deploy(ITECRegistryModule, {
      parameters: {
        ITECRegistry: { issuer: issuer.address, externalBaseURI: "https://registry.example/b/", adminDelay: 3600 },
      },
    });
    expect(await registry.getFunction("hasRole")(ISSUER_ROLE, issuer.address)).to.equal(true);
    expect(await registry.getFunction("hasRole")(ISSUER_ROLE, signers[1]!.address)).to.equal(false);
    expect(await registry.getFunction("defaultAdmin")()).to.equal(signers[0]!.address);
    expect(await registry.getFunction("defaultAdminDelay")()).to.equal(3600n);
  });

  it("hands the registry to another admin in two steps, after the delay (the module header's procedure)", async function () {
    const [deployer, issuer, , , , , , , , , next] = await ethers.getSigners();
    const { registry } = await ignition.deploy(ITECRegistryModule, {
      parameters: {
        ITECRegistry: { issuer: issuer!.address, externalBaseURI: "https://registry.example/c/", adminDelay: 3600 },
      },
    });
    const asDeployer = registry.connect(deployer!);
    const asNext = registry.connect(next!);
    // One step is refused: the admin role is never granted directly.
    await expect(asDeployer.getFunction("grantRole")(ethers.ZeroHash, next!.address)).to.be.revertedWithCustomError(
      registry,
      "AccessControlEnforcedDefaultAdminRules",
    );
    await (await asDeployer.getFunction("beginDefaultAdminTransfer")(next!.address)).wait();
    await expect(asNext.getFunction("acceptDefaultAdminTransfer")()).to.be.revertedWithCustomError(
      registry,
      "AccessControlEnforcedDefaultAdminDelay", // before the delay
    );
    await networkHelpers.time.increase(3601);
    await (await asNext.getFunction("acceptDefaultAdminTransfer")()).wait();
    expect(await registry.getFunction("defaultAdmin")()).to.equal(next!.address);
    expect(await registry.getFunction("hasRole")(ethers.ZeroHash, deployer!.address)).to.equal(false);
  });

  it("ITECRegistryHandover begins the handover to the configured admin, who accepts after the delay", async function () {
    const [deployer, issuer, , , , , , , , , , multisig] = await ethers.getSigners();
    const { registry } = await ignition.deploy(ITECRegistryHandoverModule, {
      parameters: {
        ITECRegistry: { issuer: issuer!.address, externalBaseURI: "https://registry.example/h/", adminDelay: 600 },
        ITECRegistryHandover: { admin: multisig!.address },
      },
    });
    // Set up by the deployer (methodology, issuer), then handed over: pending until the new admin accepts.
    expect(await registry.getFunction("methodologyIdOf")(METHODOLOGY, PARAMETERS)).to.equal(1n);
    expect(await registry.getFunction("hasRole")(ISSUER_ROLE, issuer!.address)).to.equal(true);
    expect(await registry.getFunction("defaultAdmin")()).to.equal(deployer!.address);
    expect((await registry.getFunction("pendingDefaultAdmin")())[0]).to.equal(multisig!.address);
    await networkHelpers.time.increase(601);
    await (await registry.connect(multisig!).getFunction("acceptDefaultAdminTransfer")()).wait();
    expect(await registry.getFunction("defaultAdmin")()).to.equal(multisig!.address);
  });

  it("requires externalBaseURI: no default link that could name another registry", async function () {
    let error: unknown;
    try {
      await ignition.deploy(ITECRegistryModule, { parameters: { ITECRegistry: { issuer: ISSUER } } });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/externalBaseURI/);
  });

  it("requires issuer: no default account (a one-key deployment over HTTP has no account #1)", async function () {
    let error: unknown;
    try {
      await ignition.deploy(ITECRegistryModule, {
        parameters: { ITECRegistry: { externalBaseURI: "https://registry.example/d/" } },
      });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/issuer/);
  });
});
