/**
 * `issue`: what an attestation must hold, what a batch stores and emits, and whose signatures count — accredited,
 * in scope and in their window, counted by distinct auditing body (issue 13 finding 1), EOA or ERC-1271 wallet,
 * never one key twice.
 */
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { ZeroAddress, ZeroHash, concat, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import { PARTICIPANT_KINDS } from "../../sdk/src/enums.ts";
import {
  ALL_CATEGORIES,
  DAY,
  issueBatch,
  makeAttestation,
  signAttestation,
  type RegistryFixture,
} from "../helpers/registry.ts";
import { B_ACTIVE, P_NONE, P_SUSPENDED, byAuditor, deployRegistry, sendRaw, plain } from "./support.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

async function registryFixture(): Promise<RegistryFixture> {
  return deployRegistry(connection);
}

const UNTIL = 4_102_444_800n; // 2100-01-01

describe("ITECRegistry issue", function () {
  it("stores the batch, indexes report and root, mints to the owner and emits BatchIssued + TransferSingle", async function () {
    const f = await networkHelpers.loadFixture(registryFixture);
    const { registry, issuer, auditors, refurbisher } = f;
    const a = makeAttestation(f, { category: 2, certificates: 3n });
    const sigs = await signAttestation(f, a, [auditors[0]!]);
    expect(await registry.connect(issuer).issue.staticCall(a, sigs)).to.equal(1n);
    await expect(registry.connect(issuer).issue(a, sigs))
      .to.emit(registry, "BatchIssued")
      .withArgs(
        1,
        refurbisher.address,
        a.reportHash,
        a.referenceDataHash,
        a.deviceRoot,
        a.sampleHash,
        a.evidenceURI,
        a.deadline,
        [auditors[0]!.address],
      )
      .and.to.emit(registry, "TransferSingle")
      .withArgs(issuer.address, ZeroAddress, refurbisher.address, 1, 3);
    const b = await registry.batch(1);
    expect(plain(b)).to.deep.equal({
      issued: 3n,
      retired: 0n,
      baselineGrams: a.baselineGrams,
      reductionGrams: a.reductionGrams,
      category: 2n,
      status: BigInt(B_ACTIVE),
      vintageStart: a.vintageStart,
      vintageEnd: a.vintageEnd,
      methodologyId: 1n,
    });
    expect(await registry.balanceOf(refurbisher.address, 1)).to.equal(3n);
    expect(await registry.batchTotals(1)).to.deep.equal([3n, 0n, 3n, 0n]);
    expect(await registry.batchHold(1)).to.deep.equal([false, 0n, false]);
    expect(await registry.batchOfReport(a.reportHash, 2)).to.equal(1n);
    expect(await registry.batchOfReport(a.reportHash, 1)).to.equal(0n);
    expect(await registry.batchOfDeviceRoot(a.deviceRoot)).to.equal(1n);
    expect(await registry.batchCount()).to.equal(1n);
    expect(await registry.attestationDigest(a)).to.equal(await registry.attestationDigest(a));
  });

  it("issues a second category of the same report as a separate batch", async function () {
    const f = await networkHelpers.loadFixture(registryFixture);
    const first = await issueBatch(f, { category: 1 });
    const second = await issueBatch(f, { category: 6, reportHash: first.attestation.reportHash });
    expect(second.batchId).to.equal(2n);
    expect(await f.registry.batchOfReport(first.attestation.reportHash, 6)).to.equal(2n);
  });

  it("mints to a contract owner through its receiver hook, and refuses an owner that does not accept", async function () {
    const f = await networkHelpers.loadFixture(registryFixture);
    const receiver = await ethers.deployContract("MockERC1155Receiver");
    await f.registry.admitParticipant(await receiver.getAddress(), PARTICIPANT_KINDS.refurbisher, "Vault Refurb");
    await issueBatch(f, { owner: await receiver.getAddress(), certificates: 7n });
    expect(await receiver.getFunction("received")()).to.equal(7n);
    const wallet = await ethers.deployContract("MockERC1271Wallet", [f.outsider.address]);
    await f.registry.admitParticipant(await wallet.getAddress(), PARTICIPANT_KINDS.refurbisher, "Wallet Refurb");
    const a = makeAttestation(f, { owner: await wallet.getAddress() });
    await expect(f.registry.connect(f.issuer).issue(a, await signAttestation(f, a, [f.auditors[0]!])))
      .to.be.revertedWithCustomError(f.registry, "ERC1155InvalidReceiver")
      .withArgs(await wallet.getAddress());
  });

  it("reverts a replayed attestation and a reused device root", async function () {
    const f = await networkHelpers.loadFixture(registryFixture);
    const a = makeAttestation(f);
    const sigs = await signAttestation(f, a, [f.auditors[0]!]);
    await f.registry.connect(f.issuer).issue(a, sigs);
    await expect(f.registry.connect(f.issuer).issue(a, sigs))
      .to.be.revertedWithCustomError(f.registry, "ITECReportAlreadyIssued")
      .withArgs(a.reportHash, a.category, 1);
    const b = makeAttestation(f, { deviceRoot: a.deviceRoot });
    await expect(f.registry.connect(f.issuer).issue(b, await signAttestation(f, b, [f.auditors[0]!])))
      .to.be.revertedWithCustomError(f.registry, "ITECDeviceRootAlreadyUsed")
      .withArgs(a.deviceRoot, 1);
  });

  it("reverts an expired attestation with its deadline and the block time", async function () {
    const f = await networkHelpers.loadFixture(registryFixture);
    const a = makeAttestation(f, { deadline: f.now + 100n });
    const sigs = await signAttestation(f, a, [f.auditors[0]!]);
    await networkHelpers.time.setNextBlockTimestamp(f.now + 201n);
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

  it("reverts an over-long or non-UTF-8 evidence URI", async function () {
    const f = await networkHelpers.loadFixture(registryFixture);
    const a = makeAttestation(f, { evidenceURI: "https://x/" + "a".repeat(1020) });
    await expect(f.registry.connect(f.issuer).issue(a, await signAttestation(f, a, [f.auditors[0]!])))
      .to.be.revertedWithCustomError(f.registry, "ITECInvalidText")
      .withArgs("evidenceURI", 1030);
    // The signatures are checked after the texts, so none is needed to reach the UTF-8 check.
    const b = makeAttestation(f);
    const raw = [
      ...[b.owner, b.category, b.certificates, b.baselineGrams, b.reductionGrams, b.vintageStart, b.vintageEnd],
      ...[toUtf8Bytes(b.methodology), toUtf8Bytes(b.parameters), b.reportHash, b.referenceDataHash, b.deviceRoot],
      b.sampleHash,
      ...[concat([toUtf8Bytes("https://x/"), "0xc0af"]), b.deadline],
    ];
    const signature =
      "issue((address,uint8,uint32,uint40,uint40,uint40,uint40,string,string,bytes32,bytes32,bytes32,bytes32,string,uint64),(address,bytes)[])";
    await expect(sendRaw(f.issuer, f.address, signature, [raw, []]))
      .to.be.revertedWithCustomError(f.registry, "ITECUnsafeText")
      .withArgs("evidenceURI");
  });

  it("reverts when the owner is the zero address, unknown or suspended", async function () {
    const f = await networkHelpers.loadFixture(registryFixture);
    const zero = makeAttestation(f, { owner: ZeroAddress });
    await expect(f.registry.connect(f.issuer).issue(zero, await signAttestation(f, zero, [f.auditors[0]!])))
      .to.be.revertedWithCustomError(f.registry, "ERC1155InvalidReceiver")
      .withArgs(ZeroAddress);
    const unknown = makeAttestation(f, { owner: f.outsider.address });
    await expect(f.registry.connect(f.issuer).issue(unknown, await signAttestation(f, unknown, [f.auditors[0]!])))
      .to.be.revertedWithCustomError(f.registry, "ITECAccountNotActive")
      .withArgs(f.outsider.address, P_NONE);
    await f.registry.suspendParticipant(f.refurbisher.address, "audit");
    const suspended = makeAttestation(f);
    await expect(f.registry.connect(f.issuer).issue(suspended, await signAttestation(f, suspended, [f.auditors[0]!])))
      .to.be.revertedWithCustomError(f.registry, "ITECAccountNotActive")
      .withArgs(f.refurbisher.address, P_SUSPENDED);
  });

  describe("auditor signatures", function () {
    it("requires the threshold of distinct bodies (2 of 3)", async function () {
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
        .withArgs(1, anyValue, anyValue, anyValue, anyValue, anyValue, anyValue, anyValue, [
          two[0]!.auditor,
          two[1]!.auditor,
        ]);
    });

    it("counts two signing addresses of one body once (finding 1)", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      await f.registry.setAccreditation(f.outsider.address, 1, ALL_CATEGORIES, 0, UNTIL);
      await f.registry.setAuditorThreshold(2);
      const a = makeAttestation(f);
      await expect(f.registry.connect(f.issuer).issue(a, await signAttestation(f, a, [f.auditors[0]!, f.outsider])))
        .to.be.revertedWithCustomError(f.registry, "ITECInsufficientSignatures")
        .withArgs(1, 2);
      // Three signatures of two bodies meet it.
      await expect(
        f.registry
          .connect(f.issuer)
          .issue(a, await signAttestation(f, a, [f.auditors[0]!, f.outsider, f.auditors[1]!])),
      ).to.emit(f.registry, "BatchIssued");
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
      // The zero address is never an auditor: it cannot head the list either.
      await expect(f.registry.connect(f.issuer).issue(a, [{ auditor: ZeroAddress, signature: one!.signature }, one!]))
        .to.be.revertedWithCustomError(f.registry, "ITECSignersNotDistinct")
        .withArgs(ZeroAddress, ZeroAddress);
    });

    it("rejects a signer without accreditation, out of scope for the category, expired or not yet valid", async function () {
      const f = await networkHelpers.loadFixture(registryFixture);
      const { registry, issuer, auditors, outsider } = f;
      const a = makeAttestation(f, { category: 6 });
      await expect(registry.connect(issuer).issue(a, await signAttestation(f, a, [outsider])))
        .to.be.revertedWithCustomError(registry, "ITECSignerNotAuditor")
        .withArgs(outsider.address);
      // Laptops only (bit 1): not a server batch.
      await registry.setAccreditation(auditors[0]!.address, 1, 0b10, 0, UNTIL);
      await expect(registry.connect(issuer).issue(a, await signAttestation(f, a, [auditors[0]!])))
        .to.be.revertedWithCustomError(registry, "ITECAuditorNotAccredited")
        .withArgs(auditors[0]!.address, 6);
      const now = BigInt(await networkHelpers.time.latest());
      await registry.setAccreditation(auditors[1]!.address, 2, ALL_CATEGORIES, now + 1000n, UNTIL);
      await expect(registry.connect(issuer).issue(a, await signAttestation(f, a, [auditors[1]!])))
        .to.be.revertedWithCustomError(registry, "ITECAuditorNotYetValid")
        .withArgs(auditors[1]!.address, now + 1000n);
      // The window is inclusive at both ends, and expiry needs no transaction.
      const until = now + 5000n;
      await registry.setAccreditation(auditors[2]!.address, 3, ALL_CATEGORIES, 0, until);
      const sig = await signAttestation(f, a, [auditors[2]!]);
      await networkHelpers.time.setNextBlockTimestamp(until + 1n);
      await expect(registry.connect(issuer).issue(a, sig))
        .to.be.revertedWithCustomError(registry, "ITECAuditorExpired")
        .withArgs(auditors[2]!.address, until);
      const b = makeAttestation(f, { category: 6 });
      await registry.setAccreditation(auditors[2]!.address, 3, ALL_CATEGORIES, 0, until + 10n);
      const sigB = await signAttestation(f, b, [auditors[2]!]);
      await networkHelpers.time.setNextBlockTimestamp(until + 10n);
      await expect(registry.connect(issuer).issue(b, sigB)).to.emit(registry, "BatchIssued");
    });

    it("rejects a signature attributed to the wrong auditor, over tampered figures or malformed", async function () {
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
      const otherContract = await signAttestation(f, a, [f.auditors[0]!], { verifyingContract: f.outsider.address });
      await expect(f.registry.connect(f.issuer).issue(a, otherContract))
        .to.be.revertedWithCustomError(f.registry, "ITECInvalidSignature")
        .withArgs(f.auditors[0]!.address);
    });

    describe("ERC-1271 contract wallets", function () {
      /** A wallet owned by `owner`'s key, accredited as a new body's auditor (or `bodyId`'s). */
      async function walletAuditor(f: RegistryFixture, ownerIndex: number, bodyId?: number) {
        const wallet = await ethers.deployContract("MockERC1271Wallet", [f.auditors[ownerIndex]!.address]);
        const address = await wallet.getAddress();
        let body = bodyId;
        if (body === undefined) {
          await f.registry.registerAuditorBody("Wallet Audit LLP");
          body = Number((await f.registry.auditorBodyCounts())[0]);
        }
        await f.registry.setAccreditation(address, body, ALL_CATEGORIES, 0, UNTIL);
        return address;
      }

      it("accepts a wallet auditor together with an EOA auditor of another body", async function () {
        const f = await networkHelpers.loadFixture(registryFixture);
        const wallet = await walletAuditor(f, 2);
        await f.registry.setAuditorThreshold(2);
        const a = makeAttestation(f);
        const [eoa] = await signAttestation(f, a, [f.auditors[0]!]);
        // The wallet's owner key signs the digest; the wallet vouches for it through isValidSignature.
        const [ownerSig] = await signAttestation(f, a, [f.auditors[2]!]);
        const sigs = byAuditor([eoa!, { auditor: wallet, signature: ownerSig!.signature }]);
        await expect(f.registry.connect(f.issuer).issue(a, sigs)).to.emit(f.registry, "BatchIssued");
        // A wallet whose owner did not sign is refused.
        const b = makeAttestation(f);
        const [wrong] = await signAttestation(f, b, [f.auditors[1]!]);
        const [eoaB] = await signAttestation(f, b, [f.auditors[0]!]);
        const bad = byAuditor([eoaB!, { auditor: wallet, signature: wrong!.signature }]);
        await expect(f.registry.connect(f.issuer).issue(b, bad))
          .to.be.revertedWithCustomError(f.registry, "ITECInvalidSignature")
          .withArgs(wallet);
      });

      it("refuses a wallet whose signature is by a key that signs as another entry (finding 1)", async function () {
        const f = await networkHelpers.loadFixture(registryFixture);
        // The wallet is a body of its own, so only the key check stands between one key and threshold 2.
        const wallet = await walletAuditor(f, 0);
        await f.registry.setAuditorThreshold(2);
        const a = makeAttestation(f);
        const [eoa] = await signAttestation(f, a, [f.auditors[0]!]);
        const sigs = byAuditor([eoa!, { auditor: wallet, signature: eoa!.signature }]);
        await expect(f.registry.connect(f.issuer).issue(a, sigs))
          .to.be.revertedWithCustomError(f.registry, "ITECSigningKeyReused")
          .withArgs(wallet, f.auditors[0]!.address);
      });

      it("counts a wallet and an EOA of the same body once", async function () {
        const f = await networkHelpers.loadFixture(registryFixture);
        const wallet = await walletAuditor(f, 2, 1);
        await f.registry.setAuditorThreshold(2);
        const a = makeAttestation(f);
        const [eoa] = await signAttestation(f, a, [f.auditors[0]!]);
        const [ownerSig] = await signAttestation(f, a, [f.auditors[2]!]);
        const sigs = byAuditor([eoa!, { auditor: wallet, signature: ownerSig!.signature }]);
        await expect(f.registry.connect(f.issuer).issue(a, sigs))
          .to.be.revertedWithCustomError(f.registry, "ITECInsufficientSignatures")
          .withArgs(1, 2);
      });
    });
  });
});
