/**
 * Devices claimed elsewhere (issue 17 item 3, docs/adr/0056): the register of other schemes' device sets
 * (ExternalDeviceSets, deployed by the extension) — only the registry's admin registers, retires and supersedes —
 * and the fraud proof that a device of an issued batch is in an active set, which freezes the batch until settled.
 */
import { expect } from "chai";
import { ZeroHash } from "ethers";
import { network } from "hardhat";

import type { ExternalDeviceSets } from "../../types/ethers-contracts/index.ts";
import {
  B_ACTIVE,
  B_SUSPENDED,
  CH_OPEN,
  CH_SETTLED,
  K_CLAIMED_ELSEWHERE,
  challengeBatches,
  deployRegistry,
  deviceId,
  deviceProof,
  deviceTree,
  plain,
} from "./support.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const URI = "https://oem.example/takeback/2026-q3.json";

async function fixture() {
  const f = await challengeBatches(await deployRegistry(connection));
  const sets = (await ethers.getContractAt(
    "ExternalDeviceSets",
    await f.registry.EXTERNAL_DEVICE_SETS(),
  )) as unknown as ExternalDeviceSets;
  // The OEM's take-back list names batch A's second device (`shared`, index 1 in A) at its own index 2.
  const oemTree = deviceTree([deviceId("lenovo|T1"), deviceId("lenovo|T2"), f.shared]);
  const asOf = f.now - 86_400n;
  return { ...f, sets, oemTree, asOf };
}

async function withSet() {
  const f = await fixture();
  await (await f.sets.connect(f.admin).register(f.address, "OEM take-back", f.oemTree.root, URI, f.asOf, 0)).wait();
  return f;
}

describe("ExternalDeviceSets", function () {
  describe("register", function () {
    it("registers a set for the registry whose admin sends it, with its event and views", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { sets, admin, address, oemTree, asOf } = f;
      expect(
        await sets.connect(admin).register.staticCall(address, "OEM take-back", oemTree.root, URI, asOf, 0),
      ).to.equal(1n);
      await expect(sets.connect(admin).register(address, "OEM take-back", oemTree.root, URI, asOf, 0))
        .to.emit(sets, "ExternalDeviceSetRegistered")
        .withArgs(address, 1, oemTree.root, 0, "OEM take-back", URI, asOf);
      const set = plain(await sets.deviceSet(address, 1));
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      expect(set).to.deep.equal({
        root: oemTree.root,
        asOf,
        registeredAt: now,
        retiredAt: 0n,
        supersededBy: 0n,
        scheme: "OEM take-back",
        sourceURI: URI,
      });
      expect(await sets.count(address)).to.equal(1n);
      expect(await sets.rootOf(address, 1)).to.deep.equal([oemTree.root, true]);
      expect(await sets.rootOf(address, 2)).to.deep.equal([ZeroHash, false]);
    });

    it("refuses anyone but the registry's admin: the issuer, an auditor, an outsider, a fake registry", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const { sets, address, oemTree, asOf } = f;
      for (const signer of [f.issuer, f.auditors[0]!, f.refurbisher, f.outsider]) {
        await expect(sets.connect(signer).register(address, "OEM", oemTree.root, URI, asOf, 0))
          .to.be.revertedWithCustomError(sets, "ExternalSetUnauthorized")
          .withArgs(address, signer.address);
      }
      // An account with no code is no registry; a contract that says yes to everyone only writes its own sets.
      await expect(sets.connect(f.outsider).register(f.outsider.address, "OEM", oemTree.root, URI, asOf, 0))
        .to.be.revertedWithCustomError(sets, "ExternalSetUnauthorized")
        .withArgs(f.outsider.address, f.outsider.address);
      const fake = await ethers.deployContract("MockOpenAccessControl");
      const fakeAddress = await fake.getAddress();
      await (await sets.connect(f.outsider).register(fakeAddress, "OEM", oemTree.root, URI, asOf, 0)).wait();
      expect(await sets.rootOf(fakeAddress, 1)).to.deep.equal([oemTree.root, true]);
      // …which the real registry never reads: no set 1 of its own, so no challenge.
      await expect(
        f.registry.challengeClaimedElsewhere(deviceProof(f.treeA, 1n, f.shared), 1, deviceProof(oemTree, 2n, f.shared)),
      )
        .to.be.revertedWithCustomError(f.registry, "ITECExternalSetNotActive")
        .withArgs(1);
      expect(await sets.count(address)).to.equal(0n);
    });

    it("refuses a zero root, a future or zero asOf, empty or long texts and a root already registered", async function () {
      const f = await networkHelpers.loadFixture(withSet);
      const { sets, admin, address, oemTree, asOf } = f;
      const other = deviceTree([deviceId("x|1")]).root;
      const cases: [string, Parameters<ExternalDeviceSets["register"]>][] = [
        ["root", [address, "OEM", ZeroHash, URI, asOf, 0]],
        ["asOf", [address, "OEM", other, URI, 0, 0]],
        ["asOf", [address, "OEM", other, URI, f.now + 10n * 86_400n, 0]],
        ["scheme", [address, "", other, URI, asOf, 0]],
        ["scheme", [address, "x".repeat(201), other, URI, asOf, 0]],
        ["sourceURI", [address, "OEM", other, "", asOf, 0]],
      ];
      for (const [field, args] of cases) {
        await expect(sets.connect(admin).register(...args), field)
          .to.be.revertedWithCustomError(sets, "ExternalSetInvalid")
          .withArgs(field);
      }
      await expect(sets.connect(admin).register(address, "again", oemTree.root, URI, asOf, 0))
        .to.be.revertedWithCustomError(sets, "ExternalSetExists")
        .withArgs(address, oemTree.root, 1);
    });

    it("supersedes an active set: the old one is retired in favour of the new one", async function () {
      const f = await networkHelpers.loadFixture(withSet);
      const { sets, admin, address, asOf } = f;
      const next = deviceTree([deviceId("lenovo|T1"), deviceId("lenovo|T2"), f.shared, deviceId("lenovo|T4")]);
      await expect(sets.connect(admin).register(address, "OEM take-back", next.root, URI, asOf, 1))
        .to.emit(sets, "ExternalDeviceSetRetired")
        .withArgs(address, 1, 2, "superseded")
        .and.to.emit(sets, "ExternalDeviceSetRegistered")
        .withArgs(address, 2, next.root, 1, "OEM take-back", URI, asOf);
      expect((await sets.deviceSet(address, 1)).supersededBy).to.equal(2n);
      expect(await sets.rootOf(address, 1)).to.deep.equal([f.oemTree.root, false]);
      expect(await sets.rootOf(address, 2)).to.deep.equal([next.root, true]);
      // A retired set cannot be superseded again.
      const third = deviceTree([deviceId("z|9")]).root;
      await expect(sets.connect(admin).register(address, "OEM", third, URI, asOf, 1))
        .to.be.revertedWithCustomError(sets, "ExternalSetNotActive")
        .withArgs(address, 1);
    });
  });

  describe("retire", function () {
    it("retires an active set once, only for the admin, with a reason", async function () {
      const f = await networkHelpers.loadFixture(withSet);
      const { sets, admin, address } = f;
      await expect(sets.connect(f.outsider).retire(address, 1, "mine now"))
        .to.be.revertedWithCustomError(sets, "ExternalSetUnauthorized")
        .withArgs(address, f.outsider.address);
      await expect(sets.connect(admin).retire(address, 1, ""))
        .to.be.revertedWithCustomError(sets, "ExternalSetInvalid")
        .withArgs("reason");
      await expect(sets.connect(admin).retire(address, 1, "the scheme withdrew the list"))
        .to.emit(sets, "ExternalDeviceSetRetired")
        .withArgs(address, 1, 0, "the scheme withdrew the list");
      await expect(sets.connect(admin).retire(address, 1, "again"))
        .to.be.revertedWithCustomError(sets, "ExternalSetNotActive")
        .withArgs(address, 1);
      await expect(sets.connect(admin).retire(address, 7, "unknown"))
        .to.be.revertedWithCustomError(sets, "ExternalSetNotActive")
        .withArgs(address, 7);
      await expect(sets.deviceSet(address, 7)).to.be.revertedWithCustomError(sets, "ExternalSetNotActive");
    });
  });
});

describe("ITECRegistry.challengeClaimedElsewhere", function () {
  it("opens a challenge that freezes the batch, names the set, and settles as in v2", async function () {
    const f = await networkHelpers.loadFixture(withSet);
    const { registry, shared, treeA, oemTree, outsider } = f;
    const ours = deviceProof(treeA, 1n, shared);
    const theirs = deviceProof(oemTree, 2n, shared);
    expect(await registry.connect(outsider).challengeClaimedElsewhere.staticCall(ours, 1, theirs)).to.equal(1n);
    const opened = await registry.connect(outsider).challengeClaimedElsewhere(ours, 1, theirs);
    // Within the relay's cap for it (api/src/services/relay-gas.ts: 2,000,000).
    const gas = (await opened.wait())!.gasUsed;
    expect(gas).to.be.lessThan(2_000_000n);
    await expect(opened)
      .to.emit(registry, "ChallengeOpened")
      .withArgs(1, 1, 0, K_CLAIMED_ELSEWHERE, shared, 1, outsider.address)
      .and.to.emit(registry, "DeviceClaimedElsewhere")
      .withArgs(1, 1, shared)
      .and.to.emit(registry, "BatchStatusChanged")
      .withArgs(1, B_SUSPENDED);
    expect(plain(await registry.challenge(1))).to.deep.equal({
      kind: BigInt(K_CLAIMED_ELSEWHERE),
      status: BigInt(CH_OPEN),
      batchA: 1n,
      batchB: 0n,
      faultyBatchId: 0n,
      challenger: outsider.address,
      deviceId: shared,
      index: 1n,
    });
    expect((await registry.batch(2)).status, "batch B also holds the device but is not challenged").to.equal(
      BigInt(B_ACTIVE),
    );
    await expect(registry.challengeClaimedElsewhere(ours, 1, theirs))
      .to.be.revertedWithCustomError(registry, "ITECAlreadyChallenged")
      .withArgs(1);
    // Settled as any challenge: batch 1 at fault stays suspended.
    await expect(registry.settleChallenge(1, 1, "device credited by the OEM first", ""))
      .to.emit(registry, "ChallengeSettled")
      .withArgs(1, 1, f.admin.address, "device credited by the OEM first", "");
    expect((await registry.challenge(1)).status).to.equal(BigInt(CH_SETTLED));
    expect(await registry.batchHold(1)).to.deep.equal([true, 0n, true]);
    await expect(registry.challengeClaimedElsewhere(ours, 1, theirs))
      .to.be.revertedWithCustomError(registry, "ITECAlreadyChallenged")
      .withArgs(1);
  });

  it("counts a set registered after the batch was issued (a double claim is a double claim)", async function () {
    const f = await networkHelpers.loadFixture(fixture);
    const { registry, sets, admin, address, shared, treeB } = f;
    await networkHelpers.time.increase(3600);
    const later = deviceTree([f.shared]);
    const now = BigInt(await networkHelpers.time.latest());
    await (await sets.connect(admin).register(address, "EPR scheme", later.root, URI, now, 0)).wait();
    await expect(registry.challengeClaimedElsewhere(deviceProof(treeB, 2n, shared), 1, deviceProof(later, 0n, shared)))
      .to.emit(registry, "ChallengeOpened")
      .withArgs(1, 2, 0, K_CLAIMED_ELSEWHERE, shared, 2, admin.address);
    expect((await registry.batch(2)).status).to.equal(BigInt(B_SUSPENDED));
  });

  it("refuses an unknown or retired set, another device, a leaf not in the set and a batch proof that fails", async function () {
    const f = await networkHelpers.loadFixture(withSet);
    const { registry, sets, admin, address, shared, treeA, treeC, oemTree } = f;
    const ours = deviceProof(treeA, 1n, shared);
    const theirs = deviceProof(oemTree, 2n, shared);
    await expect(registry.challengeClaimedElsewhere(ours, 2, theirs))
      .to.be.revertedWithCustomError(registry, "ITECExternalSetNotActive")
      .withArgs(2);
    // Their leaf of another device, or under another root.
    const t1 = deviceProof(oemTree, 0n, deviceId("lenovo|T1"));
    await expect(registry.challengeClaimedElsewhere(ours, 1, t1))
      .to.be.revertedWithCustomError(registry, "ITECInvalidChallenge")
      .withArgs("not the set's leaf");
    await expect(registry.challengeClaimedElsewhere(ours, 1, ours))
      .to.be.revertedWithCustomError(registry, "ITECInvalidChallenge")
      .withArgs("not the set's leaf");
    // A forged leaf: right device, wrong index.
    await expect(registry.challengeClaimedElsewhere(ours, 1, { ...theirs, index: 0n }))
      .to.be.revertedWithCustomError(registry, "ITECInvalidDeviceProof")
      .withArgs(oemTree.root, 0, shared);
    // A device the set names but that the batch proof does not hold.
    await expect(registry.challengeClaimedElsewhere({ ...ours, index: 0n }, 1, theirs))
      .to.be.revertedWithCustomError(registry, "ITECInvalidDeviceProof")
      .withArgs(treeA.root, 0, shared);
    await expect(registry.challengeClaimedElsewhere({ ...theirs }, 1, theirs))
      .to.be.revertedWithCustomError(registry, "ITECUnknownDeviceRoot")
      .withArgs(oemTree.root);
    const z1 = deviceProof(treeC, 0n, deviceId("hp|Z1"));
    await expect(registry.challengeClaimedElsewhere(z1, 1, theirs))
      .to.be.revertedWithCustomError(registry, "ITECInvalidChallenge")
      .withArgs("not the set's leaf");
    await (await sets.connect(admin).retire(address, 1, "withdrawn")).wait();
    await expect(registry.challengeClaimedElsewhere(ours, 1, theirs))
      .to.be.revertedWithCustomError(registry, "ITECExternalSetNotActive")
      .withArgs(1);
    expect(await registry.challengeCount()).to.equal(0n);
  });

  it("refuses to run on the extension itself", async function () {
    const f = await networkHelpers.loadFixture(withSet);
    const extension = await ethers.getContractAt("ITECRegistryExtension", await f.registry.extension());
    await expect(
      extension.getFunction("challengeClaimedElsewhere")(
        deviceProof(f.treeA, 1n, f.shared),
        1,
        deviceProof(f.oemTree, 2n, f.shared),
      ),
    ).to.be.revertedWithCustomError(extension, "ITECNotDelegated");
  });
});
