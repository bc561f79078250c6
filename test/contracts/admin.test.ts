/**
 * The registry's governance frame: deployment, ERC-165, the two-step admin transfer with a delay (OpenZeppelin
 * AccessControlDefaultAdminRules, issue 13 finding 6), separate keys for admin / issuer / auditors (ITECRoleConflict),
 * the extension that runs only through the registry's fallback, and the external base URI of token metadata.
 */
import { expect } from "chai";
import { AbiCoder, ZeroAddress, ZeroHash, concat, id as idHash, keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import {
  ADMIN_DELAY,
  ALL_CATEGORIES,
  DAY,
  deployRegistryContracts,
  type RegistryFixture,
} from "../helpers/registry.ts";
import type { ITECRegistry } from "../../sdk/src/registry.ts";
import type { ITECRegistryExtension } from "../../types/ethers-contracts/index.ts";
import { deployRegistry } from "./support.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

async function registryFixture(): Promise<RegistryFixture> {
  return deployRegistry(connection);
}

/** ERC-165 id of an interface from its functions' signatures (XOR of their selectors). */
function interfaceId(signatures: string[]): string {
  const x = signatures.reduce((acc, s) => acc ^ BigInt(idHash(s).slice(0, 10)), 0n);
  return `0x${x.toString(16).padStart(8, "0")}`;
}

const DEFAULT_ADMIN_RULES_ID = interfaceId([
  "defaultAdmin()",
  "pendingDefaultAdmin()",
  "defaultAdminDelay()",
  "pendingDefaultAdminDelay()",
  "beginDefaultAdminTransfer(address)",
  "cancelDefaultAdminTransfer()",
  "acceptDefaultAdminTransfer()",
  "changeDefaultAdminDelay(uint48)",
  "rollbackDefaultAdminDelay()",
  "defaultAdminDelayIncreaseWait()",
]);

/** The registry's extension, under its own ABI (to call it directly). */
async function extensionOf(registry: ITECRegistry): Promise<ITECRegistryExtension> {
  const contract: unknown = await ethers.getContractAt("ITECRegistryExtension", await registry.extension());
  return contract as ITECRegistryExtension;
}

/** The message a promise is rejected with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("expected a rejection");
}

describe("ITECRegistry governance", function () {
  describe("deployment", function () {
    it("makes the deployer's admin the one default admin, with the delay, threshold 1 and empty registers", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(registryFixture);
      expect(await registry.defaultAdmin()).to.equal(admin.address);
      expect(await registry.owner()).to.equal(admin.address);
      expect(await registry.hasRole(ZeroHash, admin.address)).to.equal(true);
      expect(await registry.DEFAULT_ADMIN_ROLE()).to.equal(ZeroHash);
      expect(await registry.ISSUER_ROLE()).to.equal(idHash("ITEC_ISSUER_ROLE"));
      expect(await registry.defaultAdminDelay()).to.equal(ADMIN_DELAY);
      expect(await registry.auditorThreshold()).to.equal(1n);
      expect([
        await registry.MAX_CATEGORY(),
        await registry.MAX_TEXT_BYTES(),
        await registry.MAX_NAME_BYTES(),
      ]).to.deep.equal([6n, 1024n, 200n]);
      expect(await registry.batchCount()).to.equal(0n);
      expect(await registry.retirementCount()).to.equal(0n);
      expect(await registry.challengeCount()).to.equal(0n);
    });

    it("supports ERC-1155, its metadata extension, AccessControl, DefaultAdminRules and ERC-165 only", async function () {
      const { registry } = await networkHelpers.loadFixture(registryFixture);
      expect(DEFAULT_ADMIN_RULES_ID).to.equal("0x31498786");
      for (const iface of ["0xd9b67a26", "0x0e89341c", "0x7965db0b", DEFAULT_ADMIN_RULES_ID, "0x01ffc9a7"]) {
        expect(await registry.supportsInterface(iface), iface).to.equal(true);
      }
      // AccessControlEnumerable is gone in v2; 0xffffffff is never supported (ERC-165).
      for (const iface of ["0x5a05180f", "0xffffffff"]) {
        expect(await registry.supportsInterface(iface), iface).to.equal(false);
      }
    });

    it("names its extension, and the extension's renderer, through the registry", async function () {
      const { registry } = await networkHelpers.loadFixture(registryFixture);
      const extension = await extensionOf(registry);
      expect(await ethers.provider.getCode(await registry.extension())).to.not.equal("0x");
      expect(await registry.RENDERER()).to.equal(await extension.RENDERER());
      expect(await ethers.provider.getCode(await registry.RENDERER())).to.not.equal("0x");
    });

    it("refuses a base URI that would break the metadata, an extension without code and a zero admin", async function () {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("ITECRegistry");
      const extension = await ethers.deployContract("ITECRegistryExtension");
      const ext = await extension.getAddress();
      await expect(factory.deploy(admin!.address, DAY, 'https://x/"', ext))
        .to.be.revertedWithCustomError(factory, "ITECUnsafeText")
        .withArgs("baseURI");
      // A base URI that is not UTF-8 (finding 8): byte 0xff, encoded as raw bytes.
      const args = AbiCoder.defaultAbiCoder().encode(
        ["address", "uint48", "bytes", "address"],
        [admin!.address, DAY, concat([toUtf8Bytes("https://x/"), "0xff"]), ext],
      );
      await expect(admin!.sendTransaction({ data: concat([factory.bytecode, args]) }))
        .to.be.revertedWithCustomError(factory, "ITECUnsafeText")
        .withArgs("baseURI");
      await expect(factory.deploy(admin!.address, DAY, "https://x/", admin!.address)).to.be.revertedWithCustomError(
        factory,
        "ITECNotDelegated",
      );
      await expect(factory.deploy(ZeroAddress, DAY, "https://x/", ext))
        .to.be.revertedWithCustomError(factory, "AccessControlInvalidDefaultAdmin")
        .withArgs(ZeroAddress);
      const registry = await deployRegistryContracts(connection, admin!.address, "https://x/", 0n);
      expect(await registry.defaultAdminDelay()).to.equal(0n);
    });
  });

  describe("two-step admin transfer (AccessControlDefaultAdminRules)", function () {
    it("hands the admin role over only when the new admin accepts after the delay", async function () {
      const { registry, admin, outsider } = await networkHelpers.loadFixture(registryFixture);
      const tx = await registry.beginDefaultAdminTransfer(outsider.address);
      const now = BigInt((await ethers.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp);
      await expect(tx)
        .to.emit(registry, "DefaultAdminTransferScheduled")
        .withArgs(outsider.address, now + ADMIN_DELAY);
      expect(await registry.pendingDefaultAdmin()).to.deep.equal([outsider.address, now + ADMIN_DELAY]);
      // Too early, and not by anyone else.
      await expect(registry.connect(outsider).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(registry, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(now + ADMIN_DELAY);
      await networkHelpers.time.increase(ADMIN_DELAY);
      await expect(registry.connect(admin).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(registry, "AccessControlInvalidDefaultAdmin")
        .withArgs(admin.address);
      // Still the old admin until accepted.
      expect(await registry.defaultAdmin()).to.equal(admin.address);
      await expect(registry.connect(outsider).acceptDefaultAdminTransfer())
        .to.emit(registry, "RoleRevoked")
        .withArgs(ZeroHash, admin.address, outsider.address)
        .and.to.emit(registry, "RoleGranted")
        .withArgs(ZeroHash, outsider.address, outsider.address);
      expect(await registry.defaultAdmin()).to.equal(outsider.address);
      expect(await registry.hasRole(ZeroHash, admin.address)).to.equal(false);
      // The new admin governs; the old one no longer does.
      await expect(registry.connect(admin).suspendParticipant(outsider.address, "x"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(admin.address, ZeroHash);
      await expect(registry.connect(outsider).registerAuditorBody("Audit Body D"))
        .to.emit(registry, "AuditorBodyRegistered")
        .withArgs(4, "Audit Body D");
    });

    it("lets the admin cancel a scheduled transfer", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(registryFixture);
      await registry.beginDefaultAdminTransfer(outsider.address);
      await expect(registry.cancelDefaultAdminTransfer()).to.emit(registry, "DefaultAdminTransferCanceled");
      await networkHelpers.time.increase(ADMIN_DELAY);
      await expect(registry.connect(outsider).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(registry, "AccessControlInvalidDefaultAdmin")
        .withArgs(outsider.address);
    });

    it("refuses granting, revoking or renouncing the admin role outside the two steps", async function () {
      const { registry, admin, outsider } = await networkHelpers.loadFixture(registryFixture);
      await expect(registry.grantRole(ZeroHash, outsider.address)).to.be.revertedWithCustomError(
        registry,
        "AccessControlEnforcedDefaultAdminRules",
      );
      await expect(registry.revokeRole(ZeroHash, admin.address)).to.be.revertedWithCustomError(
        registry,
        "AccessControlEnforcedDefaultAdminRules",
      );
      // The sole admin cannot lose every admin function by a slip (finding 6): renouncing needs a scheduled exit.
      await expect(registry.renounceRole(ZeroHash, admin.address))
        .to.be.revertedWithCustomError(registry, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(0);
      await expect(registry.connect(outsider).beginDefaultAdminTransfer(outsider.address))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
    });
  });

  describe("separate keys for admin, issuer and auditors (ITECRoleConflict)", function () {
    it("refuses the issuer role to the admin or an accredited auditor", async function () {
      const { registry, admin, auditors } = await networkHelpers.loadFixture(registryFixture);
      const ISSUER = await registry.ISSUER_ROLE();
      await expect(registry.grantRole(ISSUER, admin.address))
        .to.be.revertedWithCustomError(registry, "ITECRoleConflict")
        .withArgs(admin.address, ZeroHash);
      await expect(registry.grantRole(ISSUER, auditors[0]!.address))
        .to.be.revertedWithCustomError(registry, "ITECRoleConflict")
        .withArgs(auditors[0]!.address, ISSUER);
    });

    it("refuses accreditation to the admin or the issuer", async function () {
      const { registry, admin, issuer } = await networkHelpers.loadFixture(registryFixture);
      await expect(registry.setAccreditation(admin.address, 1, ALL_CATEGORIES, 0, 1n << 39n))
        .to.be.revertedWithCustomError(registry, "ITECRoleConflict")
        .withArgs(admin.address, ZeroHash);
      await expect(registry.setAccreditation(issuer.address, 1, ALL_CATEGORIES, 0, 1n << 39n))
        .to.be.revertedWithCustomError(registry, "ITECRoleConflict")
        .withArgs(issuer.address, await registry.ISSUER_ROLE());
    });

    it("refuses an admin transfer to the issuer or an auditor at acceptance", async function () {
      const { registry, issuer, auditors } = await networkHelpers.loadFixture(registryFixture);
      const ISSUER = await registry.ISSUER_ROLE();
      await registry.beginDefaultAdminTransfer(issuer.address);
      await networkHelpers.time.increase(ADMIN_DELAY);
      await expect(registry.connect(issuer).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(registry, "ITECRoleConflict")
        .withArgs(issuer.address, ISSUER);
      await registry.beginDefaultAdminTransfer(auditors[1]!.address);
      await networkHelpers.time.increase(ADMIN_DELAY);
      await expect(registry.connect(auditors[1]).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(registry, "ITECRoleConflict")
        .withArgs(auditors[1]!.address, ZeroHash);
    });

    it("lets a former auditor take the issuer role once its accreditation is revoked", async function () {
      const { registry, admin, auditors } = await networkHelpers.loadFixture(registryFixture);
      const ISSUER = await registry.ISSUER_ROLE();
      await registry.revokeAccreditation(auditors[2]!.address, "moved to the oracle team");
      await expect(registry.grantRole(ISSUER, auditors[2]!.address))
        .to.emit(registry, "RoleGranted")
        .withArgs(ISSUER, auditors[2]!.address, admin.address);
    });
  });

  describe("extension", function () {
    it("refuses every call made to it directly rather than through the registry", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const extension = await extensionOf(f.registry);
      await expect(extension.admitParticipant(f.outsider.address, 1, "Direct Ltd")).to.be.revertedWithCustomError(
        extension,
        "ITECNotDelegated",
      );
      const proof = { root: keccak256(toUtf8Bytes("r")), index: 0n, deviceId: ZeroHash, proof: [] };
      await expect(extension.challengeTreeSize(proof)).to.be.revertedWithCustomError(extension, "ITECNotDelegated");
      await expect(extension.challengeDuplicateDevice(proof, proof)).to.be.revertedWithCustomError(
        extension,
        "ITECNotDelegated",
      );
      await expect(extension.challengeIndexReuse(proof, proof)).to.be.revertedWithCustomError(
        extension,
        "ITECNotDelegated",
      );
      // Its own storage is empty (the register lives in the registry's).
      expect(await extension.batchCount()).to.equal(0n);
      expect(await extension.auditorThreshold()).to.equal(0n);
    });

    it("reverts without data for a selector neither contract has, and refuses plain value transfers", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(registryFixture);
      const to = await registry.getAddress();
      const call = (data: string) => outsider.call({ to, data });
      // The extension has no fallback: the delegatecall fails and the registry bubbles its empty revert data.
      const noData = /missing revert data|selector was not recognized/;
      expect(await failure(call("0xdeadbeef"))).to.match(noData);
      expect(await failure(call("0x"))).to.match(noData);
      expect(await failure(outsider.sendTransaction({ to, value: 1n }))).to.match(/revert|non-payable/i);
      // A known view through the fallback answers.
      const data = registry.interface.encodeFunctionData("batchCount");
      expect(BigInt(await call(data))).to.equal(0n);
    });
  });

  describe("setExternalBaseURI", function () {
    it("changes the base (admin only) and refuses unsafe text", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      await expect(f.registry.setExternalBaseURI("https://itec.example/b/"))
        .to.emit(f.registry, "ExternalBaseURIChanged")
        .withArgs("https://itec.example/b/");
      for (const bad of ["bad\nuri", "https://x/<script>", "a&b", "https://x/\x7f"]) {
        await expect(f.registry.setExternalBaseURI(bad), JSON.stringify(bad))
          .to.be.revertedWithCustomError(f.registry, "ITECUnsafeText")
          .withArgs("baseURI");
      }
      await expect(f.registry.connect(f.outsider).setExternalBaseURI("x"))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.outsider.address, ZeroHash);
    });
  });
});
