import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { ZeroAddress, ZeroHash, keccak256, toUtf8Bytes, AbiCoder, id as idHash } from "ethers";
import { network } from "hardhat";

import { PARTICIPANT_KINDS } from "../../sdk/src/enums.ts";
import {
  DAY,
  METHOD,
  PARAMS,
  deployRegistry,
  issueBatch,
  makeAttestation,
  retirementRequest,
  signAttestation,
  type RegistryFixture,
} from "../helpers/registry.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const NONE = 0;
const ACTIVE = 1;
const SUSPENDED = 2;

async function registryFixture(): Promise<RegistryFixture> {
  return deployRegistry(connection);
}

async function withBatchFixture() {
  const f = await registryFixture();
  const { batchId, attestation } = await issueBatch(f);
  return { ...f, batchId, attestation };
}

describe("ITECRegistry", function () {
  describe("deployment", function () {
    it("grants the admin role, sets threshold 1 and supports ERC-1155, metadata, AccessControl and ERC-165", async function () {
      const { registry, admin } = await networkHelpers.loadFixture(registryFixture);
      expect(await registry.hasRole(await registry.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
      expect(await registry.auditorThreshold()).to.equal(1n);
      expect(await registry.batchCount()).to.equal(0n);
      expect(await registry.retirementCount()).to.equal(0n);
      for (const iface of ["0xd9b67a26", "0x0e89341c", "0x7965db0b", "0x5a05180f", "0x01ffc9a7"]) {
        expect(await registry.supportsInterface(iface), iface).to.equal(true);
      }
      expect(await registry.supportsInterface("0xffffffff")).to.equal(false);
    });

    it("rejects an external base URI that would break the metadata JSON", async function () {
      const [admin] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("ITECRegistry");
      await expect(factory.deploy(admin!.address, 'https://x/"')).to.be.revertedWithCustomError(
        factory,
        "ITECUnsafeText",
      );
    });
  });

  describe("participants", function () {
    describe("admitParticipant", function () {
      it("admits an EOA as active and emits ParticipantAdmitted", async function () {
        const { registry, admin, outsider } = await networkHelpers.loadFixture(registryFixture);
        await expect(registry.admitParticipant(outsider.address, PARTICIPANT_KINDS.itad))
          .to.emit(registry, "ParticipantAdmitted")
          .withArgs(outsider.address, PARTICIPANT_KINDS.itad, admin.address);
        const p = await registry.participant(outsider.address);
        expect([p.kind, p.status, p.hasCode]).to.deep.equal([BigInt(PARTICIPANT_KINDS.itad), BigInt(ACTIVE), false]);
      });

      it("records that a contract account has code", async function () {
        const { registry } = await networkHelpers.loadFixture(registryFixture);
        const receiver = await ethers.deployContract("MockERC1155Receiver");
        await registry.admitParticipant(await receiver.getAddress(), PARTICIPANT_KINDS.corporate);
        expect((await registry.participant(await receiver.getAddress())).hasCode).to.equal(true);
      });

      it("reverts for a non-admin, kind None, the zero address and a second admission", async function () {
        const { registry, outsider, refurbisher } = await networkHelpers.loadFixture(registryFixture);
        await expect(registry.connect(outsider).admitParticipant(outsider.address, 1))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(outsider.address, ZeroHash);
        await expect(registry.admitParticipant(outsider.address, 0))
          .to.be.revertedWithCustomError(registry, "ITECInvalidParticipantKind")
          .withArgs(0);
        await expect(registry.admitParticipant(ZeroAddress, 1))
          .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
          .withArgs(ZeroAddress, NONE);
        await expect(registry.admitParticipant(refurbisher.address, 1))
          .to.be.revertedWithCustomError(registry, "ITECParticipantAlreadyAdmitted")
          .withArgs(refurbisher.address);
      });
    });

    describe("suspendParticipant / reinstateParticipant", function () {
      it("suspends and reinstates with events and reasons", async function () {
        const { registry, admin, corporate } = await networkHelpers.loadFixture(registryFixture);
        await expect(registry.suspendParticipant(corporate.address, "KYC expired"))
          .to.emit(registry, "ParticipantSuspended")
          .withArgs(corporate.address, admin.address, "KYC expired");
        expect((await registry.participant(corporate.address)).status).to.equal(BigInt(SUSPENDED));
        await expect(registry.reinstateParticipant(corporate.address, "KYC renewed"))
          .to.emit(registry, "ParticipantReinstated")
          .withArgs(corporate.address, admin.address, "KYC renewed");
        expect((await registry.participant(corporate.address)).status).to.equal(BigInt(ACTIVE));
      });

      it("reverts on the wrong status, an empty reason and a non-admin caller", async function () {
        const { registry, corporate, outsider } = await networkHelpers.loadFixture(registryFixture);
        await expect(registry.reinstateParticipant(corporate.address, "x"))
          .to.be.revertedWithCustomError(registry, "ITECParticipantStatus")
          .withArgs(corporate.address, ACTIVE, SUSPENDED);
        await expect(registry.suspendParticipant(outsider.address, "x"))
          .to.be.revertedWithCustomError(registry, "ITECParticipantStatus")
          .withArgs(outsider.address, NONE, ACTIVE);
        await expect(registry.suspendParticipant(corporate.address, ""))
          .to.be.revertedWithCustomError(registry, "ITECInvalidText")
          .withArgs("reason", 0);
        await expect(registry.suspendParticipant(corporate.address, "x".repeat(1025)))
          .to.be.revertedWithCustomError(registry, "ITECInvalidText")
          .withArgs("reason", 1025);
        await expect(registry.connect(outsider).suspendParticipant(corporate.address, "x"))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(outsider.address, ZeroHash);
        await expect(registry.connect(outsider).reinstateParticipant(corporate.address, "x"))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(outsider.address, ZeroHash);
      });
    });

    describe("syncParticipantCode", function () {
      it("picks up code deployed after admission, so the receiver hook is called", async function () {
        const f = await networkHelpers.loadFixture(withBatchFixture);
        const { registry, refurbisher, outsider, batchId } = f;
        await registry.admitParticipant(outsider.address, PARTICIPANT_KINDS.corporate);
        // A contract that does not accept ERC-1155 now lives at the admitted address (counterfactual wallet).
        const wallet = await ethers.deployContract("MockERC1271Wallet", [outsider.address]);
        const code = await ethers.provider.getCode(await wallet.getAddress());
        await networkHelpers.setCode(outsider.address, code);
        await expect(registry.syncParticipantCode(outsider.address))
          .to.emit(registry, "ParticipantCodeSynced")
          .withArgs(outsider.address, true);
        await expect(
          registry.connect(refurbisher).safeTransferFrom(refurbisher.address, outsider.address, batchId, 1n, "0x"),
        )
          .to.be.revertedWithCustomError(registry, "ERC1155InvalidReceiver")
          .withArgs(outsider.address);
      });

      it("reverts for an account never admitted", async function () {
        const { registry, outsider } = await networkHelpers.loadFixture(registryFixture);
        await expect(registry.syncParticipantCode(outsider.address))
          .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
          .withArgs(outsider.address, NONE);
      });
    });
  });

  describe("auditors and threshold", function () {
    it("adds and removes auditors through AccessControl roles", async function () {
      const { registry, admin, outsider } = await networkHelpers.loadFixture(registryFixture);
      const AUDITOR = await registry.AUDITOR_ROLE();
      expect(AUDITOR).to.equal(idHash("ITEC_AUDITOR_ROLE"));
      expect(await registry.ISSUER_ROLE()).to.equal(idHash("ITEC_ISSUER_ROLE"));
      await expect(registry.grantRole(AUDITOR, outsider.address))
        .to.emit(registry, "RoleGranted")
        .withArgs(AUDITOR, outsider.address, admin.address);
      expect(await registry.getRoleMemberCount(AUDITOR)).to.equal(4n);
      await expect(registry.revokeRole(AUDITOR, outsider.address))
        .to.emit(registry, "RoleRevoked")
        .withArgs(AUDITOR, outsider.address, admin.address);
    });

    it("sets the threshold between 1 and the number of auditors", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(registryFixture);
      await expect(registry.setAuditorThreshold(2)).to.emit(registry, "AuditorThresholdChanged").withArgs(1, 2);
      expect(await registry.auditorThreshold()).to.equal(2n);
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
      await registry.connect(issuer).issue(a, await signAttestation(f, a, [auditors[0]!]));
      await expect(registry.setMethodologyActive(9, true))
        .to.be.revertedWithCustomError(registry, "ITECUnknownMethodology")
        .withArgs(9);
      await expect(registry.methodology(0))
        .to.be.revertedWithCustomError(registry, "ITECUnknownMethodology")
        .withArgs(0);
      await expect(registry.connect(outsider).setMethodologyActive(1, false))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
    });
  });

  describe("issue", function () {
    it("stores the batch, indexes report and root, mints to the owner and emits BatchIssued + TransferSingle", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const { registry, issuer, auditors, refurbisher } = f;
      const a = makeAttestation(f, { category: 2, certificates: 3n });
      const sigs = await signAttestation(f, a, [auditors[0]!]);
      await expect(registry.connect(issuer).issue(a, sigs))
        .to.emit(registry, "BatchIssued")
        .withArgs(1, refurbisher.address, a.reportHash, a.referenceDataHash, a.deviceRoot, a.evidenceURI, a.deadline, [
          auditors[0]!.address,
        ])
        .and.to.emit(registry, "TransferSingle")
        .withArgs(issuer.address, ZeroAddress, refurbisher.address, 1, 3);
      const b = await registry.batch(1);
      expect({
        issued: b.issued,
        retired: b.retired,
        baselineGrams: b.baselineGrams,
        reductionGrams: b.reductionGrams,
        category: b.category,
        suspended: b.suspended,
        vintageStart: b.vintageStart,
        vintageEnd: b.vintageEnd,
        methodologyId: b.methodologyId,
      }).to.deep.equal({
        issued: 3n,
        retired: 0n,
        baselineGrams: a.baselineGrams,
        reductionGrams: a.reductionGrams,
        category: 2n,
        suspended: false,
        vintageStart: a.vintageStart,
        vintageEnd: a.vintageEnd,
        methodologyId: 1n,
      });
      expect(await registry.balanceOf(refurbisher.address, 1)).to.equal(3n);
      expect(await registry.batchTotals(1)).to.deep.equal([3n, 0n, 3n]);
      expect(await registry.batchOfReport(a.reportHash, 2)).to.equal(1n);
      expect(await registry.batchOfReport(a.reportHash, 1)).to.equal(0n);
      expect(await registry.batchOfDeviceRoot(a.deviceRoot)).to.equal(1n);
      expect(await registry.batchCount()).to.equal(1n);
    });

    it("issues a second category of the same report as a separate batch", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const first = await issueBatch(f, { category: 1 });
      const second = await issueBatch(f, { category: 6, reportHash: first.attestation.reportHash });
      expect(second.batchId).to.equal(2n);
      expect(await f.registry.batchOfReport(first.attestation.reportHash, 6)).to.equal(2n);
    });

    it("reverts a replayed attestation with ITECReportAlreadyIssued", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const a = makeAttestation(f);
      const sigs = await signAttestation(f, a, [f.auditors[0]!]);
      await f.registry.connect(f.issuer).issue(a, sigs);
      await expect(f.registry.connect(f.issuer).issue(a, sigs))
        .to.be.revertedWithCustomError(f.registry, "ITECReportAlreadyIssued")
        .withArgs(a.reportHash, a.category, 1);
    });

    it("reverts a reused device root with ITECDeviceRootAlreadyUsed", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const { attestation } = await issueBatch(f);
      const a = makeAttestation(f, { deviceRoot: attestation.deviceRoot });
      await expect(f.registry.connect(f.issuer).issue(a, await signAttestation(f, a, [f.auditors[0]!])))
        .to.be.revertedWithCustomError(f.registry, "ITECDeviceRootAlreadyUsed")
        .withArgs(attestation.deviceRoot, 1);
    });

    it("reverts an expired attestation with its deadline and the block time", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const a = makeAttestation(f, { deadline: f.now + 100n });
      const sigs = await signAttestation(f, a, [f.auditors[0]!]);
      await networkHelpers.time.increaseTo(f.now + 200n);
      await expect(f.registry.connect(f.issuer).issue(a, sigs))
        .to.be.revertedWithCustomError(f.registry, "ITECAttestationExpired")
        .withArgs(a.deadline, f.now + 201n);
    });

    it("reverts when the caller is not the issuer", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const a = makeAttestation(f);
      const sigs = await signAttestation(f, a, [f.auditors[0]!]);
      await expect(f.registry.connect(f.auditors[0]).issue(a, sigs))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.auditors[0]!.address, await f.registry.ISSUER_ROLE());
    });

    const invalid: [string, (f: RegistryFixture) => Parameters<typeof makeAttestation>[1]][] = [
      ["category", () => ({ category: 0 })],
      ["category", () => ({ category: 7 })],
      ["certificates", () => ({ certificates: 0n })],
      ["reductionGrams", () => ({ reductionGrams: 0n })],
      ["baselineGrams", () => ({ baselineGrams: 1000n, reductionGrams: 1001n })],
      ["vintage", (f) => ({ vintageStart: f.now - DAY, vintageEnd: f.now - 2n * DAY })],
      ["vintage", (f) => ({ vintageStart: f.now, vintageEnd: f.now + 10n * DAY })],
      ["reportHash", () => ({ reportHash: ZeroHash })],
      ["deviceRoot", () => ({ deviceRoot: ZeroHash })],
    ];
    for (const [field, overrides] of invalid) {
      it(`reverts ITECInvalidAttestation("${field}") for ${JSON.stringify(overrides({ now: 0n } as RegistryFixture), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`, async function () {
        const f = await networkHelpers.loadFixture(registryFixture);
        const a = makeAttestation(f, overrides(f));
        await expect(f.registry.connect(f.issuer).issue(a, await signAttestation(f, a, [f.auditors[0]!])))
          .to.be.revertedWithCustomError(f.registry, "ITECInvalidAttestation")
          .withArgs(field);
      });
    }

    it("reverts an over-long evidence URI with ITECInvalidText", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const a = makeAttestation(f, { evidenceURI: "https://x/" + "a".repeat(1020) });
      await expect(f.registry.connect(f.issuer).issue(a, await signAttestation(f, a, [f.auditors[0]!])))
        .to.be.revertedWithCustomError(f.registry, "ITECInvalidText")
        .withArgs("evidenceURI", 1030);
    });

    it("reverts when the owner is unknown or suspended", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const unknown = makeAttestation(f, { owner: f.outsider.address });
      await expect(f.registry.connect(f.issuer).issue(unknown, await signAttestation(f, unknown, [f.auditors[0]!])))
        .to.be.revertedWithCustomError(f.registry, "ITECAccountNotActive")
        .withArgs(f.outsider.address, NONE);
      await f.registry.suspendParticipant(f.refurbisher.address, "audit");
      const suspended = makeAttestation(f);
      await expect(f.registry.connect(f.issuer).issue(suspended, await signAttestation(f, suspended, [f.auditors[0]!])))
        .to.be.revertedWithCustomError(f.registry, "ITECAccountNotActive")
        .withArgs(f.refurbisher.address, SUSPENDED);
    });

    describe("auditor signatures", function () {
      it("requires the threshold of distinct auditors (2 of 3)", async function () {
        const f = await networkHelpers.loadFixture(registryFixture);
        await f.registry.setAuditorThreshold(2);
        const a = makeAttestation(f);
        await expect(f.registry.connect(f.issuer).issue(a, await signAttestation(f, a, [f.auditors[0]!])))
          .to.be.revertedWithCustomError(f.registry, "ITECInsufficientSignatures")
          .withArgs(1, 2);
        await expect(f.registry.connect(f.issuer).issue(a, []))
          .to.be.revertedWithCustomError(f.registry, "ITECInsufficientSignatures")
          .withArgs(0, 2);
        const two = await signAttestation(f, a, [f.auditors[2]!, f.auditors[0]!]);
        await expect(f.registry.connect(f.issuer).issue(a, two))
          .to.emit(f.registry, "BatchIssued")
          .withArgs(1, anyValue, anyValue, anyValue, anyValue, anyValue, anyValue, [two[0]!.auditor, two[1]!.auditor]);
      });

      it("rejects the same auditor twice and unsorted signers", async function () {
        const f = await networkHelpers.loadFixture(registryFixture);
        await f.registry.setAuditorThreshold(2);
        const a = makeAttestation(f);
        const [one] = await signAttestation(f, a, [f.auditors[0]!]);
        await expect(f.registry.connect(f.issuer).issue(a, [one!, one!]))
          .to.be.revertedWithCustomError(f.registry, "ITECSignersNotDistinct")
          .withArgs(one!.auditor, one!.auditor);
        const sorted = await signAttestation(f, a, [f.auditors[0]!, f.auditors[1]!]);
        const reversed = [sorted[1]!, sorted[0]!];
        await expect(f.registry.connect(f.issuer).issue(a, reversed))
          .to.be.revertedWithCustomError(f.registry, "ITECSignersNotDistinct")
          .withArgs(reversed[0]!.auditor, reversed[1]!.auditor);
      });

      it("rejects a signature from an account without the auditor role, also after revocation", async function () {
        const f = await networkHelpers.loadFixture(registryFixture);
        const a = makeAttestation(f);
        await expect(f.registry.connect(f.issuer).issue(a, await signAttestation(f, a, [f.outsider])))
          .to.be.revertedWithCustomError(f.registry, "ITECSignerNotAuditor")
          .withArgs(f.outsider.address);
        const sigs = await signAttestation(f, a, [f.auditors[1]!]);
        await f.registry.revokeRole(await f.registry.AUDITOR_ROLE(), f.auditors[1]!.address);
        await expect(f.registry.connect(f.issuer).issue(a, sigs))
          .to.be.revertedWithCustomError(f.registry, "ITECSignerNotAuditor")
          .withArgs(f.auditors[1]!.address);
      });

      it("rejects a signature attributed to the wrong auditor or over tampered figures", async function () {
        const f = await networkHelpers.loadFixture(registryFixture);
        const a = makeAttestation(f);
        const [byA0] = await signAttestation(f, a, [f.auditors[0]!]);
        await expect(
          f.registry.connect(f.issuer).issue(a, [{ auditor: f.auditors[1]!.address, signature: byA0!.signature }]),
        )
          .to.be.revertedWithCustomError(f.registry, "ITECInvalidSignature")
          .withArgs(f.auditors[1]!.address);
        const tampered = { ...a, reductionGrams: a.reductionGrams + 1n };
        await expect(f.registry.connect(f.issuer).issue(tampered, [byA0!]))
          .to.be.revertedWithCustomError(f.registry, "ITECInvalidSignature")
          .withArgs(f.auditors[0]!.address);
        await expect(f.registry.connect(f.issuer).issue(a, [{ auditor: byA0!.auditor, signature: "0x1234" }]))
          .to.be.revertedWithCustomError(f.registry, "ITECInvalidSignature")
          .withArgs(byA0!.auditor);
      });

      it("rejects signatures made for another chain id or another contract (wrong domain)", async function () {
        const f = await networkHelpers.loadFixture(registryFixture);
        const a = makeAttestation(f);
        const otherChain = await signAttestation(f, a, [f.auditors[0]!], { chainId: f.chainId + 1n });
        await expect(f.registry.connect(f.issuer).issue(a, otherChain))
          .to.be.revertedWithCustomError(f.registry, "ITECInvalidSignature")
          .withArgs(f.auditors[0]!.address);
        const otherContract = await signAttestation(f, a, [f.auditors[0]!], {
          verifyingContract: f.outsider.address,
        });
        await expect(f.registry.connect(f.issuer).issue(a, otherContract))
          .to.be.revertedWithCustomError(f.registry, "ITECInvalidSignature")
          .withArgs(f.auditors[0]!.address);
      });

      it("accepts an ERC-1271 contract wallet auditor together with an EOA auditor", async function () {
        const f = await networkHelpers.loadFixture(registryFixture);
        const wallet = await ethers.deployContract("MockERC1271Wallet", [f.auditors[2]!.address]);
        const walletAddress = await wallet.getAddress();
        await f.registry.grantRole(await f.registry.AUDITOR_ROLE(), walletAddress);
        await f.registry.setAuditorThreshold(2);
        const a = makeAttestation(f);
        const [eoa] = await signAttestation(f, a, [f.auditors[0]!]);
        // The wallet's owner key signs the digest; the wallet vouches for it through isValidSignature.
        const [ownerSig] = await signAttestation(f, a, [f.auditors[2]!]);
        const sigs = [eoa!, { auditor: walletAddress, signature: ownerSig!.signature }].sort((x, y) =>
          BigInt(x.auditor) < BigInt(y.auditor) ? -1 : 1,
        );
        await expect(f.registry.connect(f.issuer).issue(a, sigs)).to.emit(f.registry, "BatchIssued");
        // A wallet whose owner did not sign is refused.
        const b = makeAttestation(f);
        const [wrong] = await signAttestation(f, b, [f.auditors[1]!]);
        const [eoaB] = await signAttestation(f, b, [f.auditors[0]!]);
        const bad = [eoaB!, { auditor: walletAddress, signature: wrong!.signature }].sort((x, y) =>
          BigInt(x.auditor) < BigInt(y.auditor) ? -1 : 1,
        );
        await expect(f.registry.connect(f.issuer).issue(b, bad))
          .to.be.revertedWithCustomError(f.registry, "ITECInvalidSignature")
          .withArgs(walletAddress);
      });
    });
  });

  describe("transfers", function () {
    it("moves certificates between active participants (single and batch)", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      const { registry, refurbisher, corporate, batchId } = f;
      await expect(
        registry.connect(refurbisher).safeTransferFrom(refurbisher.address, corporate.address, batchId, 30n, "0x"),
      )
        .to.emit(registry, "TransferSingle")
        .withArgs(refurbisher.address, refurbisher.address, corporate.address, batchId, 30n);
      const second = await issueBatch(f);
      await expect(
        registry
          .connect(refurbisher)
          .safeBatchTransferFrom(refurbisher.address, corporate.address, [batchId, second.batchId], [5n, 7n], "0x"),
      )
        .to.emit(registry, "TransferBatch")
        .withArgs(refurbisher.address, refurbisher.address, corporate.address, [batchId, second.batchId], [5n, 7n]);
      expect(
        await registry.balanceOfBatch(
          [refurbisher.address, corporate.address, corporate.address],
          [batchId, batchId, second.batchId],
        ),
      ).to.deep.equal([65n, 35n, 7n]);
    });

    it("lets an approved operator move certificates, and refuses an unapproved one", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      const { registry, refurbisher, corporate, trader, batchId } = f;
      await expect(registry.connect(trader).safeTransferFrom(refurbisher.address, corporate.address, batchId, 1n, "0x"))
        .to.be.revertedWithCustomError(registry, "ERC1155MissingApprovalForAll")
        .withArgs(trader.address, refurbisher.address);
      await expect(registry.connect(refurbisher).setApprovalForAll(trader.address, true))
        .to.emit(registry, "ApprovalForAll")
        .withArgs(refurbisher.address, trader.address, true);
      expect(await registry.isApprovedForAll(refurbisher.address, trader.address)).to.equal(true);
      await registry.connect(trader).safeTransferFrom(refurbisher.address, corporate.address, batchId, 1n, "0x");
      expect(await registry.balanceOf(corporate.address, batchId)).to.equal(1n);
      await expect(registry.connect(refurbisher).setApprovalForAll(ZeroAddress, true))
        .to.be.revertedWithCustomError(registry, "ERC1155InvalidOperator")
        .withArgs(ZeroAddress);
    });

    it("refuses unknown or suspended receivers, senders and operators on every path", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      const { registry, refurbisher, corporate, trader, outsider, batchId } = f;
      await expect(
        registry.connect(refurbisher).safeTransferFrom(refurbisher.address, outsider.address, batchId, 1n, "0x"),
      )
        .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
        .withArgs(outsider.address, NONE);
      await expect(
        registry
          .connect(refurbisher)
          .safeBatchTransferFrom(refurbisher.address, outsider.address, [batchId], [1n], "0x"),
      )
        .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
        .withArgs(outsider.address, NONE);
      await registry.connect(refurbisher).safeTransferFrom(refurbisher.address, corporate.address, batchId, 10n, "0x");
      await registry.suspendParticipant(corporate.address, "sanctions screening");
      await expect(
        registry.connect(refurbisher).safeTransferFrom(refurbisher.address, corporate.address, batchId, 1n, "0x"),
      )
        .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
        .withArgs(corporate.address, SUSPENDED);
      await expect(registry.connect(corporate).safeTransferFrom(corporate.address, trader.address, batchId, 1n, "0x"))
        .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
        .withArgs(corporate.address, SUSPENDED);
      await expect(
        registry.connect(corporate).safeBatchTransferFrom(corporate.address, trader.address, [batchId], [1n], "0x"),
      )
        .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
        .withArgs(corporate.address, SUSPENDED);
      // A suspended operator cannot act for an active holder either.
      await registry.reinstateParticipant(corporate.address, "cleared");
      await registry.connect(refurbisher).setApprovalForAll(trader.address, true);
      await registry.suspendParticipant(trader.address, "under review");
      await expect(registry.connect(trader).safeTransferFrom(refurbisher.address, corporate.address, batchId, 1n, "0x"))
        .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
        .withArgs(trader.address, SUSPENDED);
    });

    it("refuses to move a suspended batch, single or inside a batch transfer", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      const { registry, refurbisher, corporate, batchId } = f;
      const other = await issueBatch(f);
      await registry.suspendBatch(other.batchId, "audit finding");
      await expect(
        registry.connect(refurbisher).safeTransferFrom(refurbisher.address, corporate.address, other.batchId, 1n, "0x"),
      )
        .to.be.revertedWithCustomError(registry, "ITECBatchSuspended")
        .withArgs(other.batchId);
      await expect(
        registry
          .connect(refurbisher)
          .safeBatchTransferFrom(refurbisher.address, corporate.address, [batchId, other.batchId], [1n, 1n], "0x"),
      )
        .to.be.revertedWithCustomError(registry, "ITECBatchSuspended")
        .withArgs(other.batchId);
    });

    it("reverts on insufficient balance, zero receiver and mismatched arrays", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      const { registry, refurbisher, corporate, batchId } = f;
      await expect(
        registry.connect(refurbisher).safeTransferFrom(refurbisher.address, corporate.address, batchId, 101n, "0x"),
      )
        .to.be.revertedWithCustomError(registry, "ERC1155InsufficientBalance")
        .withArgs(refurbisher.address, 100n, 101n, batchId);
      await expect(registry.connect(refurbisher).safeTransferFrom(refurbisher.address, ZeroAddress, batchId, 1n, "0x"))
        .to.be.revertedWithCustomError(registry, "ERC1155InvalidReceiver")
        .withArgs(ZeroAddress);
      await expect(
        registry
          .connect(refurbisher)
          .safeBatchTransferFrom(refurbisher.address, corporate.address, [batchId], [1n, 2n], "0x"),
      )
        .to.be.revertedWithCustomError(registry, "ERC1155InvalidArrayLength")
        .withArgs(1, 2);
      await expect(registry.balanceOfBatch([refurbisher.address], []))
        .to.be.revertedWithCustomError(registry, "ERC1155InvalidArrayLength")
        .withArgs(0, 1);
    });

    it("calls the receiver hook of a contract participant and refuses a contract that does not accept", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      const { registry, refurbisher, batchId } = f;
      const receiver = await ethers.deployContract("MockERC1155Receiver");
      await registry.admitParticipant(await receiver.getAddress(), PARTICIPANT_KINDS.corporate);
      await registry
        .connect(refurbisher)
        .safeTransferFrom(refurbisher.address, await receiver.getAddress(), batchId, 4n, "0x");
      expect(await receiver.getFunction("received")()).to.equal(4n);
      const nonReceiver = await ethers.deployContract("MockERC1271Wallet", [refurbisher.address]);
      await registry.admitParticipant(await nonReceiver.getAddress(), PARTICIPANT_KINDS.corporate);
      await expect(
        registry
          .connect(refurbisher)
          .safeTransferFrom(refurbisher.address, await nonReceiver.getAddress(), batchId, 1n, "0x"),
      )
        .to.be.revertedWithCustomError(registry, "ERC1155InvalidReceiver")
        .withArgs(await nonReceiver.getAddress());
      await expect(
        registry
          .connect(refurbisher)
          .safeBatchTransferFrom(refurbisher.address, await nonReceiver.getAddress(), [batchId], [1n], "0x"),
      )
        .to.be.revertedWithCustomError(registry, "ERC1155InvalidReceiver")
        .withArgs(await nonReceiver.getAddress());
    });
  });

  describe("retire", function () {
    it("burns, stores the claim in state and emits CertificatesRetired + TransferSingle to zero", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      const { registry, refurbisher, corporate, batchId } = f;
      await registry.connect(refurbisher).safeTransferFrom(refurbisher.address, corporate.address, batchId, 40n, "0x");
      const req = retirementRequest(batchId, { amount: 12n });
      await expect(registry.connect(corporate).retire(corporate.address, req))
        .to.emit(registry, "CertificatesRetired")
        .withArgs(1, batchId, corporate.address, corporate.address, req.beneficiaryName, req.purpose)
        .and.to.emit(registry, "TransferSingle")
        .withArgs(corporate.address, corporate.address, ZeroAddress, batchId, 12n);
      const r = await registry.retirement(1);
      expect({
        account: r.account,
        batchId: r.batchId,
        scope3Category: r.scope3Category,
        amount: r.amount,
        beneficiary: r.beneficiary,
        periodStart: r.periodStart,
        periodEnd: r.periodEnd,
        claimHash: r.claimHash,
      }).to.deep.equal({
        account: corporate.address,
        batchId,
        scope3Category: 1n,
        amount: 12n,
        beneficiary: ZeroAddress,
        periodStart: req.periodStart,
        periodEnd: req.periodEnd,
        claimHash: keccak256(
          AbiCoder.defaultAbiCoder().encode(["string", "string"], [req.beneficiaryName, req.purpose]),
        ),
      });
      expect(await registry.claimHashOf(req.beneficiaryName, req.purpose)).to.equal(r.claimHash);
      expect(await registry.batchTotals(batchId)).to.deep.equal([100n, 12n, 88n]);
      expect((await registry.batch(batchId)).retired).to.equal(12n);
      expect(await registry.balanceOf(corporate.address, batchId)).to.equal(28n);
      expect(await registry.retirementCount()).to.equal(1n);
    });

    it("lets an approved operator retire on behalf of a named beneficiary, recording holder and beneficiary", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      const { registry, refurbisher, corporate, trader, batchId } = f;
      await registry.connect(refurbisher).setApprovalForAll(trader.address, true);
      const req = retirementRequest(batchId, {
        amount: 3n,
        beneficiaryName: "Client Corp Ltd",
        beneficiary: corporate.address,
        scope3Category: 2,
      });
      await expect(registry.connect(trader).retire(refurbisher.address, req))
        .to.emit(registry, "CertificatesRetired")
        .withArgs(1, batchId, refurbisher.address, trader.address, "Client Corp Ltd", req.purpose);
      const r = await registry.retirement(1);
      expect([r.account, r.beneficiary, r.scope3Category]).to.deep.equal([refurbisher.address, corporate.address, 2n]);
    });

    it("refuses a caller that is neither holder nor operator", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      await expect(f.registry.connect(f.corporate).retire(f.refurbisher.address, retirementRequest(f.batchId)))
        .to.be.revertedWithCustomError(f.registry, "ITECNotHolderOrOperator")
        .withArgs(f.corporate.address, f.refurbisher.address);
    });

    const bad: [string, Parameters<typeof retirementRequest>[1], string, unknown[]][] = [
      ["a zero amount", { amount: 0n }, "ITECInvalidRetirement", ["amount"]],
      ["Scope 3 category 3", { scope3Category: 3 }, "ITECInvalidRetirement", ["scope3Category"]],
      ["Scope 3 category 0", { scope3Category: 0 }, "ITECInvalidRetirement", ["scope3Category"]],
      ["a period ending before it starts", { periodStart: 2n, periodEnd: 1n }, "ITECInvalidRetirement", ["period"]],
      ["an empty beneficiary name", { beneficiaryName: "" }, "ITECInvalidText", ["beneficiaryName", 0]],
      ["an over-long purpose", { purpose: "p".repeat(1025) }, "ITECInvalidText", ["purpose", 1025]],
    ];
    for (const [what, overrides, error, args] of bad) {
      it(`reverts ${error} for ${what}`, async function () {
        const f = await networkHelpers.loadFixture(withBatchFixture);
        await expect(
          f.registry.connect(f.refurbisher).retire(f.refurbisher.address, retirementRequest(f.batchId, overrides)),
        )
          .to.be.revertedWithCustomError(f.registry, error)
          .withArgs(...args);
      });
    }

    it("reverts for an unknown batch, more than the balance, a suspended batch and a suspended holder", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      const { registry, refurbisher, batchId } = f;
      await expect(registry.connect(refurbisher).retire(refurbisher.address, retirementRequest(99n)))
        .to.be.revertedWithCustomError(registry, "ITECUnknownBatch")
        .withArgs(99);
      await expect(
        registry.connect(refurbisher).retire(refurbisher.address, retirementRequest(batchId, { amount: 101n })),
      )
        .to.be.revertedWithCustomError(registry, "ERC1155InsufficientBalance")
        .withArgs(refurbisher.address, 100n, 101n, batchId);
      await registry.suspendBatch(batchId, "finding");
      await expect(registry.connect(refurbisher).retire(refurbisher.address, retirementRequest(batchId)))
        .to.be.revertedWithCustomError(registry, "ITECBatchSuspended")
        .withArgs(batchId);
      await registry.reinstateBatch(batchId, "closed");
      await registry.suspendParticipant(refurbisher.address, "review");
      await expect(registry.connect(refurbisher).retire(refurbisher.address, retirementRequest(batchId)))
        .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
        .withArgs(refurbisher.address, SUSPENDED);
    });

    it("never lets retired certificates move again", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      const { registry, refurbisher, corporate, batchId } = f;
      await registry.connect(refurbisher).retire(refurbisher.address, retirementRequest(batchId, { amount: 100n }));
      expect(await registry.balanceOf(refurbisher.address, batchId)).to.equal(0n);
      await expect(
        registry.connect(refurbisher).safeTransferFrom(refurbisher.address, corporate.address, batchId, 1n, "0x"),
      )
        .to.be.revertedWithCustomError(registry, "ERC1155InsufficientBalance")
        .withArgs(refurbisher.address, 0n, 1n, batchId);
      await expect(
        registry.connect(refurbisher).retire(refurbisher.address, retirementRequest(batchId, { amount: 1n })),
      )
        .to.be.revertedWithCustomError(registry, "ERC1155InsufficientBalance")
        .withArgs(refurbisher.address, 0n, 1n, batchId);
      expect(await registry.batchTotals(batchId)).to.deep.equal([100n, 100n, 0n]);
    });

    it("reverts for retirement ids that do not exist", async function () {
      const { registry } = await networkHelpers.loadFixture(withBatchFixture);
      await expect(registry.retirement(0)).to.be.revertedWithCustomError(registry, "ITECUnknownRetirement").withArgs(0);
      await expect(registry.retirement(1)).to.be.revertedWithCustomError(registry, "ITECUnknownRetirement").withArgs(1);
    });
  });

  describe("batch suspension", function () {
    it("suspends and reinstates with events and reasons", async function () {
      const { registry, admin, batchId } = await networkHelpers.loadFixture(withBatchFixture);
      await expect(registry.suspendBatch(batchId, "audit finding"))
        .to.emit(registry, "BatchSuspended")
        .withArgs(batchId, admin.address, "audit finding");
      expect((await registry.batch(batchId)).suspended).to.equal(true);
      await expect(registry.reinstateBatch(batchId, "finding closed"))
        .to.emit(registry, "BatchReinstated")
        .withArgs(batchId, admin.address, "finding closed");
      expect((await registry.batch(batchId)).suspended).to.equal(false);
    });

    it("reverts for unknown, already suspended, not suspended, empty reason and non-admin", async function () {
      const { registry, batchId, outsider } = await networkHelpers.loadFixture(withBatchFixture);
      await expect(registry.suspendBatch(42, "x"))
        .to.be.revertedWithCustomError(registry, "ITECUnknownBatch")
        .withArgs(42);
      await expect(registry.reinstateBatch(batchId, "x"))
        .to.be.revertedWithCustomError(registry, "ITECBatchNotSuspended")
        .withArgs(batchId);
      await registry.suspendBatch(batchId, "x");
      await expect(registry.suspendBatch(batchId, "x"))
        .to.be.revertedWithCustomError(registry, "ITECBatchSuspended")
        .withArgs(batchId);
      await expect(registry.reinstateBatch(batchId, ""))
        .to.be.revertedWithCustomError(registry, "ITECInvalidText")
        .withArgs("reason", 0);
      await expect(registry.connect(outsider).reinstateBatch(batchId, "x"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
      await expect(registry.connect(outsider).suspendBatch(batchId, "x"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
    });

    it("answers unknown batches with ITECUnknownBatch in views", async function () {
      const { registry } = await networkHelpers.loadFixture(registryFixture);
      await expect(registry.batch(1)).to.be.revertedWithCustomError(registry, "ITECUnknownBatch").withArgs(1);
      await expect(registry.batchTotals(1)).to.be.revertedWithCustomError(registry, "ITECUnknownBatch").withArgs(1);
      await expect(registry.uri(1)).to.be.revertedWithCustomError(registry, "ITECUnknownBatch").withArgs(1);
    });
  });

  describe("challengeDuplicateDevice", function () {
    async function duplicateFixture() {
      const f = await registryFixture();
      const device = (s: string) => keccak256(toUtf8Bytes(s));
      const shared = device("dell|CN0ABC123");
      const treeA = StandardMerkleTree.of([[device("hp|X1")], [shared], [device("hp|X2")]], ["bytes32"]);
      const treeB = StandardMerkleTree.of(
        [[device("hp|Y1")], [device("hp|Y2")], [shared], [device("hp|Y3")]],
        ["bytes32"],
      );
      const treeC = StandardMerkleTree.of([[device("hp|Z1")], [device("hp|Z2")]], ["bytes32"]);
      await issueBatch(f, { deviceRoot: treeA.root, certificates: 3n });
      await issueBatch(f, { deviceRoot: treeB.root, certificates: 4n });
      await issueBatch(f, { deviceRoot: treeC.root, certificates: 2n });
      return { ...f, shared, treeA, treeB, treeC, device };
    }

    it("suspends the later batch when one device is proven in two batches (either argument order)", async function () {
      const { registry, shared, treeA, treeB, outsider } = await networkHelpers.loadFixture(duplicateFixture);
      const args = [shared, treeB.root, treeB.getProof([shared]), treeA.root, treeA.getProof([shared])] as const;
      expect(await registry.connect(outsider).challengeDuplicateDevice.staticCall(...args)).to.equal(2n);
      await expect(registry.connect(outsider).challengeDuplicateDevice(...args))
        .to.emit(registry, "DuplicateDeviceChallenged")
        .withArgs(shared, 1, 2, outsider.address)
        .and.to.emit(registry, "BatchSuspended")
        .withArgs(2, outsider.address, "duplicate device proven on-chain");
      expect((await registry.batch(2)).suspended).to.equal(true);
      expect((await registry.batch(1)).suspended).to.equal(false);
      await expect(registry.challengeDuplicateDevice(...args))
        .to.be.revertedWithCustomError(registry, "ITECBatchSuspended")
        .withArgs(2);
    });

    it("rejects unknown roots, the same batch twice and proofs that do not verify", async function () {
      const { registry, shared, treeA, treeB, treeC, device } = await networkHelpers.loadFixture(duplicateFixture);
      const unknown = device("not a root");
      await expect(registry.challengeDuplicateDevice(shared, unknown, [], treeB.root, treeB.getProof([shared])))
        .to.be.revertedWithCustomError(registry, "ITECUnknownDeviceRoot")
        .withArgs(unknown);
      await expect(registry.challengeDuplicateDevice(shared, treeA.root, treeA.getProof([shared]), unknown, []))
        .to.be.revertedWithCustomError(registry, "ITECUnknownDeviceRoot")
        .withArgs(unknown);
      await expect(
        registry.challengeDuplicateDevice(
          shared,
          treeA.root,
          treeA.getProof([shared]),
          treeA.root,
          treeA.getProof([shared]),
        ),
      )
        .to.be.revertedWithCustomError(registry, "ITECSameBatch")
        .withArgs(1);
      await expect(registry.challengeDuplicateDevice(shared, treeC.root, [], treeB.root, treeB.getProof([shared])))
        .to.be.revertedWithCustomError(registry, "ITECInvalidDeviceProof")
        .withArgs(shared, treeC.root);
      await expect(registry.challengeDuplicateDevice(shared, treeA.root, treeA.getProof([shared]), treeC.root, []))
        .to.be.revertedWithCustomError(registry, "ITECInvalidDeviceProof")
        .withArgs(shared, treeC.root);
    });
  });

  describe("uri", function () {
    it("returns on-chain JSON metadata with the batch's figures in kg and a link", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      await issueBatch(f, { category: 6, baselineGrams: 984_960n, reductionGrams: 261_023n, certificates: 1n });
      const uri = await f.registry.uri(1);
      expect(uri.startsWith("data:application/json;base64,")).to.equal(true);
      const json = JSON.parse(Buffer.from(uri.slice(29), "base64").toString("utf8")) as Record<string, unknown>;
      expect(json).to.deep.include({
        name: "I-TEC batch #1 (server)",
        decimals: 0,
        external_url: "https://registry.example/batches/1",
      });
      expect(json.properties).to.deep.include({
        category: "server",
        baseline_kgco2e_per_device: "984.960",
        verified_reduction_kgco2e_per_device: "261.023",
        certified_intensity_kgco2e_per_device: "723.937",
        issued: 1,
        retired: 0,
        suspended: false,
        methodology: METHOD,
        parameters: PARAMS,
      });
    });

    it("pads grams below one kilogram and changes the external base URI (admin only)", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      await issueBatch(f, { baselineGrams: 1_005n, reductionGrams: 7n });
      await expect(f.registry.setExternalBaseURI("https://itec.example/b/"))
        .to.emit(f.registry, "ExternalBaseURIChanged")
        .withArgs("https://itec.example/b/");
      const json = JSON.parse(Buffer.from((await f.registry.uri(1)).slice(29), "base64").toString("utf8")) as {
        external_url: string;
        properties: Record<string, unknown>;
      };
      expect(json.external_url).to.equal("https://itec.example/b/1");
      expect(json.properties.baseline_kgco2e_per_device).to.equal("1.005");
      expect(json.properties.verified_reduction_kgco2e_per_device).to.equal("0.007");
      await expect(f.registry.setExternalBaseURI("bad\nuri"))
        .to.be.revertedWithCustomError(f.registry, "ITECUnsafeText")
        .withArgs("baseURI");
      await expect(f.registry.connect(f.outsider).setExternalBaseURI("x"))
        .to.be.revertedWithCustomError(f.registry, "AccessControlUnauthorizedAccount")
        .withArgs(f.outsider.address, ZeroHash);
    });
  });
});
