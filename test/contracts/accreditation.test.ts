/**
 * Who may sign, and what: auditing bodies, the accreditation of auditor signing addresses (body, device categories,
 * validity window — issue 13 deliverable 1), the threshold of distinct bodies, and the registered methodologies an
 * attestation must name. What issuance does with them is in issuance.test.ts.
 */
import { expect } from "chai";
import { ZeroAddress, ZeroHash } from "ethers";
import { network } from "hardhat";

import {
  ALL_CATEGORIES,
  METHOD,
  PARAMS,
  makeAttestation,
  signAttestation,
  type RegistryFixture,
} from "../helpers/registry.ts";
import { deployRegistry } from "./support.ts";

const connection = await network.create();
const { networkHelpers } = connection;

async function registryFixture(): Promise<RegistryFixture> {
  return deployRegistry(connection);
}

const UNTIL = 4_102_444_800n; // 2100-01-01

describe("ITECRegistry accreditation", function () {
  describe("auditing bodies", function () {
    it("registers bodies with sequential ids and counts those with an accredited auditor", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(registryFixture);
      expect(await registry.auditorBodyCounts()).to.deep.equal([3n, 3n]);
      const body = await registry.auditorBody(2);
      expect([body.name, body.auditors]).to.deep.equal(["Audit Body B", 1n]);
      expect(await registry.registerAuditorBody.staticCall("Bureau Veritas Audit SAS")).to.equal(4n);
      await expect(registry.registerAuditorBody("Bureau Veritas Audit SAS"))
        .to.emit(registry, "AuditorBodyRegistered")
        .withArgs(4, "Bureau Veritas Audit SAS");
      expect(await registry.auditorBodyCounts()).to.deep.equal([4n, 3n]);
      await registry.setAccreditation(outsider.address, 4, 0b10, 0, UNTIL);
      expect(await registry.auditorBodyCounts()).to.deep.equal([4n, 4n]);
    });

    it("renames a body", async function () {
      const { registry } = await networkHelpers.loadFixture(registryFixture);
      await expect(registry.renameAuditorBody(1, "Audit Body A (Europe) GmbH"))
        .to.emit(registry, "AuditorBodyRenamed")
        .withArgs(1, "Audit Body A (Europe) GmbH");
      expect((await registry.auditorBody(1)).name).to.equal("Audit Body A (Europe) GmbH");
    });

    it("reverts for unknown bodies, bad names and non-admins", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(registryFixture);
      for (const id of [0, 4]) {
        await expect(registry.auditorBody(id))
          .to.be.revertedWithCustomError(registry, "ITECUnknownAuditorBody")
          .withArgs(id);
        await expect(registry.renameAuditorBody(id, "X"))
          .to.be.revertedWithCustomError(registry, "ITECUnknownAuditorBody")
          .withArgs(id);
      }
      await expect(registry.registerAuditorBody(""))
        .to.be.revertedWithCustomError(registry, "ITECInvalidText")
        .withArgs("name", 0);
      await expect(registry.renameAuditorBody(1, "A&B"))
        .to.be.revertedWithCustomError(registry, "ITECUnsafeText")
        .withArgs("name");
      await expect(registry.connect(outsider).registerAuditorBody("Mine"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
      await expect(registry.connect(outsider).renameAuditorBody(1, "Mine"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
    });
  });

  describe("setAccreditation", function () {
    it("accredits an address for a body, categories and window, and emits AuditorAccredited", async function () {
      const { registry, admin, outsider } = await networkHelpers.loadFixture(registryFixture);
      await expect(registry.setAccreditation(outsider.address, 2, 0b0100_0010, 1_000, UNTIL))
        .to.emit(registry, "AuditorAccredited")
        .withArgs(outsider.address, 2, 0b0100_0010, 1_000, UNTIL, admin.address);
      const acc = await registry.accreditation(outsider.address);
      expect([acc.bodyId, acc.categories, acc.validFrom, acc.validUntil]).to.deep.equal([2n, 0x42n, 1_000n, UNTIL]);
      // Two addresses of one body: the body counts once.
      expect((await registry.auditorBody(2)).auditors).to.equal(2n);
      expect(await registry.auditorBodyCounts()).to.deep.equal([3n, 3n]);
    });

    it("re-accredits in place, and moves an address between bodies keeping the counts right", async function () {
      const { registry, auditors } = await networkHelpers.loadFixture(registryFixture);
      const a = auditors[0]!.address;
      await registry.setAccreditation(a, 1, 0b10, 0, 5_000_000_000n);
      expect((await registry.auditorBody(1)).auditors).to.equal(1n);
      expect((await registry.accreditation(a)).categories).to.equal(2n);
      // Body 1 loses its only auditor, body 2 gains a second one.
      await registry.setAccreditation(a, 2, ALL_CATEGORIES, 0, UNTIL);
      expect([(await registry.auditorBody(1)).auditors, (await registry.auditorBody(2)).auditors]).to.deep.equal([
        0n,
        2n,
      ]);
      expect(await registry.auditorBodyCounts()).to.deep.equal([3n, 2n]);
      await registry.setAccreditation(a, 1, ALL_CATEGORIES, 0, UNTIL);
      expect(await registry.auditorBodyCounts()).to.deep.equal([3n, 3n]);
    });

    it("refuses the zero address, no or invalid categories, an empty window and an unknown body", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(registryFixture);
      const o = outsider.address;
      await expect(registry.setAccreditation(ZeroAddress, 1, ALL_CATEGORIES, 0, UNTIL))
        .to.be.revertedWithCustomError(registry, "ITECInvalidAccreditation")
        .withArgs("auditor");
      // Bit 0 and bit 7 name no category.
      for (const categories of [0, 0x01, 0x80, 0xff]) {
        await expect(registry.setAccreditation(o, 1, categories, 0, UNTIL), String(categories))
          .to.be.revertedWithCustomError(registry, "ITECInvalidAccreditation")
          .withArgs("categories");
      }
      for (const [from, until] of [
        [UNTIL, UNTIL],
        [UNTIL, UNTIL - 1n],
      ]) {
        await expect(registry.setAccreditation(o, 1, ALL_CATEGORIES, from!, until!))
          .to.be.revertedWithCustomError(registry, "ITECInvalidAccreditation")
          .withArgs("validity");
      }
      for (const body of [0, 4]) {
        await expect(registry.setAccreditation(o, body, ALL_CATEGORIES, 0, UNTIL))
          .to.be.revertedWithCustomError(registry, "ITECUnknownAuditorBody")
          .withArgs(body);
      }
      await expect(registry.connect(outsider).setAccreditation(o, 1, ALL_CATEGORIES, 0, UNTIL))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(o, ZeroHash);
    });

    it("refuses a move that leaves fewer bodies than the threshold", async function () {
      const { registry, auditors } = await networkHelpers.loadFixture(registryFixture);
      await registry.setAuditorThreshold(3);
      await expect(registry.setAccreditation(auditors[2]!.address, 1, ALL_CATEGORIES, 0, UNTIL))
        .to.be.revertedWithCustomError(registry, "ITECInvalidThreshold")
        .withArgs(3, 2);
    });
  });

  describe("revokeAccreditation", function () {
    it("withdraws an accreditation with its reason; the address no longer signs", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const { registry, admin, auditors, issuer } = f;
      const a = auditors[1]!.address;
      await expect(registry.revokeAccreditation(a, "left the firm"))
        .to.emit(registry, "AccreditationRevoked")
        .withArgs(a, 2, admin.address, "left the firm");
      const acc = await registry.accreditation(a);
      expect([acc.bodyId, acc.categories, acc.validFrom, acc.validUntil]).to.deep.equal([0n, 0n, 0n, 0n]);
      expect((await registry.auditorBody(2)).auditors).to.equal(0n);
      expect(await registry.auditorBodyCounts()).to.deep.equal([3n, 2n]);
      const attestation = makeAttestation(f);
      await expect(registry.connect(issuer).issue(attestation, await signAttestation(f, attestation, [auditors[1]!])))
        .to.be.revertedWithCustomError(registry, "ITECSignerNotAuditor")
        .withArgs(a);
    });

    it("allows revoking every auditor (issuance then stops), but no threshold above the bodies left", async function () {
      const { registry, auditors } = await networkHelpers.loadFixture(registryFixture);
      await registry.setAuditorThreshold(2);
      await registry.revokeAccreditation(auditors[0]!.address, "x");
      await expect(registry.revokeAccreditation(auditors[1]!.address, "x"))
        .to.be.revertedWithCustomError(registry, "ITECInvalidThreshold")
        .withArgs(2, 1);
      await registry.setAuditorThreshold(1);
      await registry.revokeAccreditation(auditors[1]!.address, "x");
      await registry.revokeAccreditation(auditors[2]!.address, "x");
      expect(await registry.auditorBodyCounts()).to.deep.equal([3n, 0n]);
      await expect(registry.setAuditorThreshold(1))
        .to.be.revertedWithCustomError(registry, "ITECInvalidThreshold")
        .withArgs(1, 0);
    });

    it("reverts for an address without accreditation, an empty reason and a non-admin", async function () {
      const { registry, auditors, outsider } = await networkHelpers.loadFixture(registryFixture);
      await expect(registry.revokeAccreditation(outsider.address, "x"))
        .to.be.revertedWithCustomError(registry, "ITECSignerNotAuditor")
        .withArgs(outsider.address);
      await expect(registry.revokeAccreditation(auditors[0]!.address, ""))
        .to.be.revertedWithCustomError(registry, "ITECInvalidText")
        .withArgs("reason", 0);
      await expect(registry.connect(outsider).revokeAccreditation(auditors[0]!.address, "x"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
    });
  });

  describe("setAuditorThreshold", function () {
    it("sets the threshold between 1 and the number of bodies with an auditor (finding 5)", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(registryFixture);
      await expect(registry.setAuditorThreshold(2)).to.emit(registry, "AuditorThresholdChanged").withArgs(1, 2);
      expect(await registry.auditorThreshold()).to.equal(2n);
      // A fourth auditor in an existing body adds no body: 4 stays out of bounds.
      await registry.setAccreditation(outsider.address, 1, ALL_CATEGORIES, 0, UNTIL);
      await expect(registry.setAuditorThreshold(0))
        .to.be.revertedWithCustomError(registry, "ITECInvalidThreshold")
        .withArgs(0, 3);
      await expect(registry.setAuditorThreshold(4))
        .to.be.revertedWithCustomError(registry, "ITECInvalidThreshold")
        .withArgs(4, 3);
      await expect(registry.connect(outsider).setAuditorThreshold(1))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
    });
  });

  describe("methodologies", function () {
    it("registers a version pair once, with events, and looks it up", async function () {
      const { registry } = await networkHelpers.loadFixture(registryFixture);
      expect(await registry.methodologyIdOf(METHOD, PARAMS)).to.equal(1n);
      const m = await registry.methodology(1);
      expect([m.name, m.parameters, m.active]).to.deep.equal([METHOD, PARAMS, true]);
      await expect(registry.registerMethodology(METHOD, "ITEC-PARAMS-2"))
        .to.emit(registry, "MethodologyRegistered")
        .withArgs(2, METHOD, "ITEC-PARAMS-2")
        .and.to.emit(registry, "MethodologyStatusChanged")
        .withArgs(2, true);
      expect(await registry.methodologyIdOf(METHOD, "ITEC-PARAMS-2")).to.equal(2n);
      expect(await registry.methodologyIdOf("nope", PARAMS)).to.equal(0n);
      await expect(registry.registerMethodology(METHOD, PARAMS))
        .to.be.revertedWithCustomError(registry, "ITECMethodologyExists")
        .withArgs(1);
    });

    it("rejects empty, unsafe and unauthorised registrations", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(registryFixture);
      await expect(registry.registerMethodology("", PARAMS))
        .to.be.revertedWithCustomError(registry, "ITECInvalidText")
        .withArgs("name", 0);
      await expect(registry.registerMethodology(METHOD, ""))
        .to.be.revertedWithCustomError(registry, "ITECInvalidText")
        .withArgs("parameters", 0);
      await expect(registry.registerMethodology('IT"EC', PARAMS))
        .to.be.revertedWithCustomError(registry, "ITECUnsafeText")
        .withArgs("name");
      await expect(registry.registerMethodology(METHOD, "a\\b"))
        .to.be.revertedWithCustomError(registry, "ITECUnsafeText")
        .withArgs("parameters");
      await expect(registry.connect(outsider).registerMethodology("x", "y"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
    });

    it("disables and re-enables a methodology for new issuance", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const { registry, issuer, auditors, outsider } = f;
      await expect(registry.setMethodologyActive(1, false))
        .to.emit(registry, "MethodologyStatusChanged")
        .withArgs(1, false);
      expect((await registry.methodology(1)).active).to.equal(false);
      const a = makeAttestation(f);
      await expect(registry.connect(issuer).issue(a, await signAttestation(f, a, [auditors[0]!])))
        .to.be.revertedWithCustomError(registry, "ITECMethodologyNotApproved")
        .withArgs(METHOD, PARAMS);
      await registry.setMethodologyActive(1, true);
      await expect(registry.connect(issuer).issue(a, await signAttestation(f, a, [auditors[0]!]))).to.emit(
        registry,
        "BatchIssued",
      );
      for (const id of [0, 9]) {
        await expect(registry.setMethodologyActive(id, true))
          .to.be.revertedWithCustomError(registry, "ITECUnknownMethodology")
          .withArgs(id);
        await expect(registry.methodology(id))
          .to.be.revertedWithCustomError(registry, "ITECUnknownMethodology")
          .withArgs(id);
      }
      await expect(registry.connect(outsider).setMethodologyActive(1, false))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
    });
  });
});
