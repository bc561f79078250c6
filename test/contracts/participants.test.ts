/**
 * Participants: admission with an organisation name on the ledger (issue 13, deliverable 6), renaming, suspension
 * and reinstatement. Names go into token metadata and certificates, so they must be valid UTF-8 without markup.
 */
import { expect } from "chai";
import { ZeroAddress, ZeroHash, concat, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import { PARTICIPANT_KINDS } from "../../sdk/src/enums.ts";
import type { RegistryFixture } from "../helpers/registry.ts";
import { P_ACTIVE, P_NONE, P_SUSPENDED, deployRegistry, sendRaw } from "./support.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

async function registryFixture(): Promise<RegistryFixture> {
  return deployRegistry(connection);
}

/** Names the registry must refuse, with the error each gets. */
const BAD_NAMES: [string, string, unknown[]][] = [
  ["", "ITECInvalidText", ["name", 0]],
  ["x".repeat(201), "ITECInvalidText", ["name", 201]],
  ['Quote "Ltd"', "ITECUnsafeText", ["name"]],
  ["Back\\slash", "ITECUnsafeText", ["name"]],
  ["<b>Bold</b>", "ITECUnsafeText", ["name"]],
  ["R&D", "ITECUnsafeText", ["name"]],
  ["Tab\tCo", "ITECUnsafeText", ["name"]],
  ["Line\nCo", "ITECUnsafeText", ["name"]],
  ["Del\x7fCo", "ITECUnsafeText", ["name"]],
];

describe("ITECRegistry participants", function () {
  describe("admitParticipant", function () {
    it("admits an account as active under its name and emits ParticipantAdmitted", async function () {
      const { registry, admin, outsider } = await networkHelpers.loadFixture(registryFixture);
      const name = "Société Générale de Réemploi — 株式会社";
      await expect(registry.admitParticipant(outsider.address, PARTICIPANT_KINDS.itad, name))
        .to.emit(registry, "ParticipantAdmitted")
        .withArgs(outsider.address, PARTICIPANT_KINDS.itad, admin.address, name);
      const p = await registry.participant(outsider.address);
      expect([p.kind, p.status, p.name]).to.deep.equal([BigInt(PARTICIPANT_KINDS.itad), BigInt(P_ACTIVE), name]);
    });

    it("answers kind None, status None and no name for an account never admitted", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(registryFixture);
      const p = await registry.participant(outsider.address);
      expect([p.kind, p.status, p.name]).to.deep.equal([0n, BigInt(P_NONE), ""]);
    });

    it("admits a contract account with no flag to keep in sync (receivers are checked at transfer time)", async function () {
      const { registry } = await networkHelpers.loadFixture(registryFixture);
      const receiver = await ethers.deployContract("MockERC1155Receiver");
      await registry.admitParticipant(await receiver.getAddress(), PARTICIPANT_KINDS.corporate, "Custody Wallet AG");
      const p = await registry.participant(await receiver.getAddress());
      expect([p.status, p.name]).to.deep.equal([BigInt(P_ACTIVE), "Custody Wallet AG"]);
    });

    it("accepts names of exactly 1 and 200 bytes, multi-byte characters included", async function () {
      const { registry, outsider, admin } = await networkHelpers.loadFixture(registryFixture);
      await registry.admitParticipant(outsider.address, PARTICIPANT_KINDS.trader, "X");
      const long = "é".repeat(100); // 200 bytes of UTF-8
      expect(toUtf8Bytes(long).length).to.equal(200);
      await registry.admitParticipant(admin.address, PARTICIPANT_KINDS.corporate, long);
      expect((await registry.participant(admin.address)).name).to.equal(long);
    });

    it("reverts for a non-admin, kind None, the zero address and a second admission", async function () {
      const { registry, outsider, refurbisher } = await networkHelpers.loadFixture(registryFixture);
      await expect(registry.connect(outsider).admitParticipant(outsider.address, 1, "Me Ltd"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
      await expect(registry.admitParticipant(outsider.address, 0, "None Ltd"))
        .to.be.revertedWithCustomError(registry, "ITECInvalidParticipantKind")
        .withArgs(0);
      await expect(registry.admitParticipant(ZeroAddress, 1, "Zero Ltd"))
        .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
        .withArgs(ZeroAddress, P_NONE);
      await expect(registry.admitParticipant(refurbisher.address, 1, "Refurb Co"))
        .to.be.revertedWithCustomError(registry, "ITECParticipantAlreadyAdmitted")
        .withArgs(refurbisher.address);
    });

    for (const [name, error, args] of BAD_NAMES) {
      it(`refuses the name ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}… (${name.length})` : name)} with ${error}`, async function () {
        const { registry, outsider } = await networkHelpers.loadFixture(registryFixture);
        await expect(registry.admitParticipant(outsider.address, 1, name))
          .to.be.revertedWithCustomError(registry, error)
          .withArgs(...args);
      });
    }

    it("refuses a name that is not UTF-8 (finding 8)", async function () {
      const { registry, outsider, admin } = await networkHelpers.loadFixture(registryFixture);
      for (const bytes of ["0xff", "0xc0af", "0xeda080", concat([toUtf8Bytes("Caf"), "0xe9"])]) {
        await expect(
          sendRaw(admin, await registry.getAddress(), "admitParticipant(address,uint8,string)", [
            outsider.address,
            1,
            bytes,
          ]),
          bytes,
        )
          .to.be.revertedWithCustomError(registry, "ITECUnsafeText")
          .withArgs("name");
      }
    });
  });

  describe("renameParticipant", function () {
    it("changes the name of an admitted account, also a suspended one, and emits ParticipantRenamed", async function () {
      const { registry, admin, corporate } = await networkHelpers.loadFixture(registryFixture);
      await expect(registry.renameParticipant(corporate.address, "Corporate Holdings plc"))
        .to.emit(registry, "ParticipantRenamed")
        .withArgs(corporate.address, admin.address, "Corporate Holdings plc");
      const p = await registry.participant(corporate.address);
      expect([p.kind, p.status, p.name]).to.deep.equal([
        BigInt(PARTICIPANT_KINDS.corporate),
        BigInt(P_ACTIVE),
        "Corporate Holdings plc",
      ]);
      await registry.suspendParticipant(corporate.address, "review");
      await registry.renameParticipant(corporate.address, "Corporate Group plc");
      const q = await registry.participant(corporate.address);
      expect([q.status, q.name]).to.deep.equal([BigInt(P_SUSPENDED), "Corporate Group plc"]);
    });

    it("reverts for an account never admitted, a bad name and a non-admin", async function () {
      const { registry, corporate, outsider } = await networkHelpers.loadFixture(registryFixture);
      await expect(registry.renameParticipant(outsider.address, "Ghost Ltd"))
        .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
        .withArgs(outsider.address, P_NONE);
      await expect(registry.renameParticipant(corporate.address, ""))
        .to.be.revertedWithCustomError(registry, "ITECInvalidText")
        .withArgs("name", 0);
      await expect(registry.renameParticipant(corporate.address, "A<B"))
        .to.be.revertedWithCustomError(registry, "ITECUnsafeText")
        .withArgs("name");
      await expect(registry.connect(outsider).renameParticipant(corporate.address, "Mine Ltd"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
    });
  });

  describe("suspendParticipant / reinstateParticipant", function () {
    it("suspends and reinstates with events and reasons", async function () {
      const { registry, admin, corporate } = await networkHelpers.loadFixture(registryFixture);
      await expect(registry.suspendParticipant(corporate.address, "KYC expired"))
        .to.emit(registry, "ParticipantSuspended")
        .withArgs(corporate.address, admin.address, "KYC expired");
      expect((await registry.participant(corporate.address)).status).to.equal(BigInt(P_SUSPENDED));
      await expect(registry.reinstateParticipant(corporate.address, "KYC renewed"))
        .to.emit(registry, "ParticipantReinstated")
        .withArgs(corporate.address, admin.address, "KYC renewed");
      expect((await registry.participant(corporate.address)).status).to.equal(BigInt(P_ACTIVE));
    });

    it("reverts on the wrong status, a bad reason and a non-admin caller", async function () {
      const { registry, admin, corporate, outsider } = await networkHelpers.loadFixture(registryFixture);
      await expect(registry.reinstateParticipant(corporate.address, "x"))
        .to.be.revertedWithCustomError(registry, "ITECParticipantStatus")
        .withArgs(corporate.address, P_ACTIVE, P_SUSPENDED);
      await expect(registry.suspendParticipant(outsider.address, "x"))
        .to.be.revertedWithCustomError(registry, "ITECParticipantStatus")
        .withArgs(outsider.address, P_NONE, P_ACTIVE);
      await expect(registry.suspendParticipant(corporate.address, ""))
        .to.be.revertedWithCustomError(registry, "ITECInvalidText")
        .withArgs("reason", 0);
      await expect(registry.suspendParticipant(corporate.address, "x".repeat(1025)))
        .to.be.revertedWithCustomError(registry, "ITECInvalidText")
        .withArgs("reason", 1025);
      await expect(registry.reinstateParticipant(corporate.address, ""))
        .to.be.revertedWithCustomError(registry, "ITECInvalidText")
        .withArgs("reason", 0);
      // A reason is free text (quotes allowed) but must be UTF-8.
      await registry.suspendParticipant(corporate.address, 'said "no" <twice>');
      await expect(
        sendRaw(admin, await registry.getAddress(), "reinstateParticipant(address,string)", [
          corporate.address,
          "0xfe",
        ]),
      )
        .to.be.revertedWithCustomError(registry, "ITECUnsafeText")
        .withArgs("reason");
      await expect(registry.connect(outsider).suspendParticipant(corporate.address, "x"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
      await expect(registry.connect(outsider).reinstateParticipant(corporate.address, "x"))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, ZeroHash);
    });
  });
});
