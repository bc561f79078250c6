/**
 * Regression tests for the audit's findings on who may sign and who may mint (issue 13, findings 1, 5 and 6; the
 * table is docs/audit/findings-2026-12.md). Each test makes the attack that succeeded against contract v1 (its v1
 * form and output: docs/audit/v1-attacks.test.ts.txt) and asserts that v2 refutes it, next to a control showing
 * the same call goes through when it is honest, so a refusal is the defence at work and not a broken setup.
 */
import { expect } from "chai";
import { AbiCoder, ZeroAddress, ZeroHash, getBytes, keccak256 } from "ethers";
import { network } from "hardhat";

import { sortSignatures } from "../../sdk/src/attestation.ts";
import {
  ADMIN_DELAY,
  ALL_CATEGORIES,
  DAY,
  deployRegistry,
  issueBatch,
  makeAttestation,
  signAttestation,
  type RegistryFixture,
} from "../helpers/registry.ts";
import type { MockBoundERC1271Wallet, MockERC1271Wallet } from "../../types/ethers-contracts/index.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

/** ERC-1271's "valid signature" answer: `isValidSignature.selector`. */
const ERC1271_MAGIC = "0x1626ba7e";

async function registryFixture(): Promise<RegistryFixture> {
  return deployRegistry(connection);
}

/** A validity window that covers the tests: from the epoch until ten years on. */
function until(f: RegistryFixture): bigint {
  return f.now + 3650n * DAY;
}

describe("attacks on auditors and admin keys (audit 2026-12)", function () {
  describe("finding 1: one key counts as two auditors", function () {
    it("counts an auditor's contract wallet accredited to the same body once: threshold 2 is not met", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const { registry, issuer, auditors } = f;
      const key = auditors[0]!; // the EOA auditor of "Audit Body A" (body 1)
      // A Safe-style wallet of the same key: it signs a wallet-bound hash, so its signature differs from the EOA's
      // and no comparison of recovered keys can link the two. Only counting bodies can.
      const wallet = (await ethers.deployContract("MockBoundERC1271Wallet", [
        key.address,
      ])) as unknown as MockBoundERC1271Wallet;
      const walletAddress = await wallet.getAddress();
      await registry.setAccreditation(walletAddress, 1, ALL_CATEGORIES, 0, until(f));
      await registry.setAuditorThreshold(2);

      const attestation = makeAttestation(f);
      const digest = await registry.attestationDigest(attestation);
      const bound = keccak256(AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [walletAddress, digest]));
      const walletSignature = await key.signMessage(getBytes(bound));
      expect(await wallet.isValidSignature(digest, walletSignature)).to.equal(ERC1271_MAGIC);
      const signatures = sortSignatures([
        ...(await signAttestation(f, attestation, [key])),
        { auditor: walletAddress, signature: walletSignature },
      ]);

      await expect(registry.connect(issuer).issue(attestation, signatures))
        .to.be.revertedWithCustomError(registry, "ITECInsufficientSignatures")
        .withArgs(1, 2);
      expect(await registry.batchCount()).to.equal(0n);

      // Control: two bodies' auditors meet the same threshold with the same attestation.
      await expect(
        registry.connect(issuer).issue(attestation, await signAttestation(f, attestation, [key, auditors[1]!])),
      ).to.emit(registry, "BatchIssued");
    });

    it("refuses one key's signature presented for itself and for its wallet accredited under another body", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const { registry, issuer, auditors } = f;
      const key = auditors[0]!;
      // The v1 attack: a wallet that asks its owner key about the bare digest accepts the key's own signature.
      const wallet = (await ethers.deployContract("MockERC1271Wallet", [key.address])) as unknown as MockERC1271Wallet;
      const walletAddress = await wallet.getAddress();
      // Even a careless admin that puts the wallet under a body of its own does not make the key count twice.
      await registry.registerAuditorBody("Shell Audit Ltd");
      await registry.setAccreditation(walletAddress, 4, ALL_CATEGORIES, 0, until(f));
      expect(await registry.auditorBodyCounts()).to.deep.equal([4n, 4n]);
      await registry.setAuditorThreshold(2);

      const attestation = makeAttestation(f);
      const [own] = await signAttestation(f, attestation, [key]);
      expect(await wallet.isValidSignature(await registry.attestationDigest(attestation), own!.signature)).to.equal(
        ERC1271_MAGIC,
      );
      const signatures = sortSignatures([own!, { auditor: walletAddress, signature: own!.signature }]);

      await expect(registry.connect(issuer).issue(attestation, signatures))
        .to.be.revertedWithCustomError(registry, "ITECSigningKeyReused")
        .withArgs(walletAddress, key.address);
      expect(await registry.batchCount()).to.equal(0n);
    });
  });

  describe("finding 5: address(0) or an account that cannot sign raises the threshold's bound", function () {
    it("refuses to accredit the zero address", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      await expect(f.registry.setAccreditation(ZeroAddress, 1, ALL_CATEGORIES, 0, until(f)))
        .to.be.revertedWithCustomError(f.registry, "ITECInvalidAccreditation")
        .withArgs("auditor");
      expect((await f.registry.accreditation(ZeroAddress)).bodyId).to.equal(0n);
      expect(await f.registry.auditorBodyCounts()).to.deep.equal([3n, 3n]);
    });

    it("bounds the threshold by the bodies with an auditor, not by addresses or empty bodies", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const { registry, auditors, outsider } = f;
      await expect(registry.setAuditorThreshold(4))
        .to.be.revertedWithCustomError(registry, "ITECInvalidThreshold")
        .withArgs(4, 3);
      // A body without auditors, and a second address of body A, add no body that can sign.
      await registry.registerAuditorBody("Dormant Audit Body");
      await registry.setAccreditation(outsider.address, 1, ALL_CATEGORIES, 0, until(f));
      expect(await registry.auditorBodyCounts()).to.deep.equal([4n, 3n]);
      await expect(registry.setAuditorThreshold(4))
        .to.be.revertedWithCustomError(registry, "ITECInvalidThreshold")
        .withArgs(4, 3);

      // The highest threshold allowed can still be met: issuance is never stranded.
      await registry.setAuditorThreshold(3);
      const { batchId } = await issueBatch(f, {}, auditors);
      expect(batchId).to.equal(1n);
      // Nor can a revocation strand it afterwards.
      await expect(registry.revokeAccreditation(auditors[2]!.address, "left the scheme"))
        .to.be.revertedWithCustomError(registry, "ITECInvalidThreshold")
        .withArgs(3, 2);
    });
  });

  describe("finding 6: the sole admin renounces; one admin key mints alone", function () {
    it("refuses the sole admin's renounce unless a transfer to nobody was scheduled and waited out", async function () {
      const { registry, admin, outsider } = await networkHelpers.loadFixture(registryFixture);
      await expect(registry.renounceRole(ZeroHash, admin.address))
        .to.be.revertedWithCustomError(registry, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(0);
      // Nor can a second admin be added to hand over to in one step.
      await expect(registry.grantRole(ZeroHash, outsider.address)).to.be.revertedWithCustomError(
        registry,
        "AccessControlEnforcedDefaultAdminRules",
      );
      // Renouncing is a public, delayed two-step: schedule it (an event anyone can watch), then wait.
      await registry.beginDefaultAdminTransfer(ZeroAddress);
      const [, schedule] = await registry.pendingDefaultAdmin();
      expect(schedule).to.equal((await latest()) + ADMIN_DELAY);
      await expect(registry.renounceRole(ZeroHash, admin.address))
        .to.be.revertedWithCustomError(registry, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(schedule);
      expect(await registry.defaultAdmin()).to.equal(admin.address);
      expect(await registry.hasRole(ZeroHash, admin.address)).to.equal(true);
      // Within the delay the admin can still cancel.
      await registry.cancelDefaultAdminTransfer();
      expect(await registry.pendingDefaultAdmin()).to.deep.equal([ZeroAddress, 0n]);
    });

    it("refuses the admin key the issuer role or an accreditation, so it cannot mint alone", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const { registry, admin, issuer, auditors } = f;
      const ISSUER = await registry.ISSUER_ROLE();
      await expect(registry.grantRole(ISSUER, admin.address))
        .to.be.revertedWithCustomError(registry, "ITECRoleConflict")
        .withArgs(admin.address, ZeroHash);
      await expect(registry.setAccreditation(admin.address, 1, ALL_CATEGORIES, 0, until(f)))
        .to.be.revertedWithCustomError(registry, "ITECRoleConflict")
        .withArgs(admin.address, ZeroHash);
      // Nor may the issuer sign, or an auditor post: three roles, three keys.
      await expect(registry.setAccreditation(issuer.address, 1, ALL_CATEGORIES, 0, until(f)))
        .to.be.revertedWithCustomError(registry, "ITECRoleConflict")
        .withArgs(issuer.address, ISSUER);
      await expect(registry.grantRole(ISSUER, auditors[0]!.address))
        .to.be.revertedWithCustomError(registry, "ITECRoleConflict")
        .withArgs(auditors[0]!.address, ISSUER);

      // So the admin's own signature counts for nothing, and it cannot post an attestation itself.
      const attestation = makeAttestation(f);
      const signatures = await signAttestation(f, attestation, [admin]);
      await expect(registry.connect(issuer).issue(attestation, signatures))
        .to.be.revertedWithCustomError(registry, "ITECSignerNotAuditor")
        .withArgs(admin.address);
      await expect(registry.issue(attestation, await signAttestation(f, attestation, [auditors[0]!])))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(admin.address, ISSUER);
      expect(await registry.batchCount()).to.equal(0n);
    });

    it("refuses to hand the admin role to the issuer or to an auditor", async function () {
      const { registry, issuer, auditors } = await networkHelpers.loadFixture(registryFixture);
      for (const [account, role] of [
        [issuer, await registry.ISSUER_ROLE()],
        [auditors[0]!, ZeroHash],
      ] as const) {
        await registry.beginDefaultAdminTransfer(account.address);
        await networkHelpers.time.increase(ADMIN_DELAY + 1n);
        await expect(registry.connect(account).acceptDefaultAdminTransfer())
          .to.be.revertedWithCustomError(registry, "ITECRoleConflict")
          .withArgs(account.address, role);
      }
    });
  });
});

/** Timestamp of the latest block. */
async function latest(): Promise<bigint> {
  return BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
}
