/**
 * Transfers (LeanERC1155 under the registry's hooks): certificates move only between active participants, by the
 * holder or an approved active operator, never out of a suspended or reversed batch; an empty batch transfer is
 * checked like any other (issue 13 finding 7), and a receiver is asked through its ERC-1155 hook whenever it has code
 * at transfer time (finding 4).
 */
import { expect } from "chai";
import { ZeroAddress } from "ethers";
import { network } from "hardhat";

import { PARTICIPANT_KINDS } from "../../sdk/src/enums.ts";
import { issueBatch } from "../helpers/registry.ts";
import { P_NONE, P_SUSPENDED, deployRegistry, withBatch } from "./support.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

async function withBatchFixture() {
  return withBatch(await deployRegistry(connection));
}

describe("ITECRegistry transfers", function () {
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
    // Transfers do not change a batch's totals.
    expect(await registry.batchTotals(batchId)).to.deep.equal([100n, 0n, 100n, 0n]);
  });

  it("lets an approved operator move certificates, and refuses an unapproved one", async function () {
    const f = await networkHelpers.loadFixture(withBatchFixture);
    const { registry, refurbisher, corporate, trader, batchId } = f;
    await expect(registry.connect(trader).safeTransferFrom(refurbisher.address, corporate.address, batchId, 1n, "0x"))
      .to.be.revertedWithCustomError(registry, "ERC1155MissingApprovalForAll")
      .withArgs(trader.address, refurbisher.address);
    await expect(
      registry.connect(trader).safeBatchTransferFrom(refurbisher.address, corporate.address, [batchId], [1n], "0x"),
    )
      .to.be.revertedWithCustomError(registry, "ERC1155MissingApprovalForAll")
      .withArgs(trader.address, refurbisher.address);
    await expect(registry.connect(refurbisher).setApprovalForAll(trader.address, true))
      .to.emit(registry, "ApprovalForAll")
      .withArgs(refurbisher.address, trader.address, true);
    expect(await registry.isApprovedForAll(refurbisher.address, trader.address)).to.equal(true);
    await registry.connect(trader).safeTransferFrom(refurbisher.address, corporate.address, batchId, 1n, "0x");
    await registry.connect(trader).safeBatchTransferFrom(refurbisher.address, corporate.address, [batchId], [2n], "0x");
    expect(await registry.balanceOf(corporate.address, batchId)).to.equal(3n);
    await registry.connect(refurbisher).setApprovalForAll(trader.address, false);
    expect(await registry.isApprovedForAll(refurbisher.address, trader.address)).to.equal(false);
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
      .withArgs(outsider.address, P_NONE);
    await expect(
      registry.connect(refurbisher).safeBatchTransferFrom(refurbisher.address, outsider.address, [batchId], [1n], "0x"),
    )
      .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
      .withArgs(outsider.address, P_NONE);
    await registry.connect(refurbisher).safeTransferFrom(refurbisher.address, corporate.address, batchId, 10n, "0x");
    await registry.suspendParticipant(corporate.address, "sanctions screening");
    await expect(
      registry.connect(refurbisher).safeTransferFrom(refurbisher.address, corporate.address, batchId, 1n, "0x"),
    )
      .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
      .withArgs(corporate.address, P_SUSPENDED);
    await expect(registry.connect(corporate).safeTransferFrom(corporate.address, trader.address, batchId, 1n, "0x"))
      .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
      .withArgs(corporate.address, P_SUSPENDED);
    await expect(
      registry.connect(corporate).safeBatchTransferFrom(corporate.address, trader.address, [batchId], [1n], "0x"),
    )
      .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
      .withArgs(corporate.address, P_SUSPENDED);
    // A suspended operator cannot act for an active holder either.
    await registry.reinstateParticipant(corporate.address, "cleared");
    await registry.connect(refurbisher).setApprovalForAll(trader.address, true);
    await registry.suspendParticipant(trader.address, "under review");
    await expect(registry.connect(trader).safeTransferFrom(refurbisher.address, corporate.address, batchId, 1n, "0x"))
      .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
      .withArgs(trader.address, P_SUSPENDED);
  });

  it("checks the parties of an empty batch transfer too (finding 7)", async function () {
    const f = await networkHelpers.loadFixture(withBatchFixture);
    const { registry, refurbisher, corporate, outsider } = f;
    await expect(
      registry.connect(refurbisher).safeBatchTransferFrom(refurbisher.address, corporate.address, [], [], "0x"),
    )
      .to.emit(registry, "TransferBatch")
      .withArgs(refurbisher.address, refurbisher.address, corporate.address, [], []);
    await expect(
      registry.connect(refurbisher).safeBatchTransferFrom(refurbisher.address, outsider.address, [], [], "0x"),
    )
      .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
      .withArgs(outsider.address, P_NONE);
    await registry.suspendParticipant(corporate.address, "sanctions screening");
    await expect(
      registry.connect(corporate).safeBatchTransferFrom(corporate.address, refurbisher.address, [], [], "0x"),
    )
      .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
      .withArgs(corporate.address, P_SUSPENDED);
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
    // Balances of a suspended batch still read (they are frozen, not cancelled).
    expect(await registry.balanceOf(refurbisher.address, other.batchId)).to.equal(100n);
  });

  it("refuses to move a reversed batch, whose balances all read 0", async function () {
    const f = await networkHelpers.loadFixture(withBatchFixture);
    const { registry, refurbisher, corporate, batchId } = f;
    await registry.connect(refurbisher).safeTransferFrom(refurbisher.address, corporate.address, batchId, 10n, "0x");
    await registry.reverseBatch(batchId, "baseline model misidentified", "https://registry.example/findings/1");
    expect(await registry.balanceOfBatch([refurbisher.address, corporate.address], [batchId, batchId])).to.deep.equal([
      0n,
      0n,
    ]);
    await expect(
      registry.connect(refurbisher).safeTransferFrom(refurbisher.address, corporate.address, batchId, 1n, "0x"),
    )
      .to.be.revertedWithCustomError(registry, "ITECBatchReversed")
      .withArgs(batchId);
    await expect(
      registry.connect(corporate).safeBatchTransferFrom(corporate.address, refurbisher.address, [batchId], [1n], "0x"),
    )
      .to.be.revertedWithCustomError(registry, "ITECBatchReversed")
      .withArgs(batchId);
  });

  it("reverts on insufficient balance, zero receiver, zero sender and mismatched arrays", async function () {
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
      registry.connect(refurbisher).safeBatchTransferFrom(refurbisher.address, ZeroAddress, [batchId], [1n], "0x"),
    )
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
    // Only the zero address itself could send "from" it; an impersonated zero address is refused as a sender.
    await networkHelpers.impersonateAccount(ZeroAddress);
    await networkHelpers.setBalance(ZeroAddress, 10n ** 18n);
    const zero = await ethers.getSigner(ZeroAddress);
    await expect(registry.connect(zero).safeTransferFrom(ZeroAddress, corporate.address, batchId, 1n, "0x"))
      .to.be.revertedWithCustomError(registry, "ERC1155InvalidSender")
      .withArgs(ZeroAddress);
    await expect(registry.connect(zero).safeBatchTransferFrom(ZeroAddress, corporate.address, [batchId], [1n], "0x"))
      .to.be.revertedWithCustomError(registry, "ERC1155InvalidSender")
      .withArgs(ZeroAddress);
    await expect(registry.connect(zero).retire(ZeroAddress, { ...retireZero, batchId }))
      .to.be.revertedWithCustomError(registry, "ERC1155InvalidSender")
      .withArgs(ZeroAddress);
  });

  it("calls the receiver hook of a contract participant and refuses a contract that does not accept", async function () {
    const f = await networkHelpers.loadFixture(withBatchFixture);
    const { registry, refurbisher, batchId } = f;
    const receiver = await ethers.deployContract("MockERC1155Receiver");
    await registry.admitParticipant(await receiver.getAddress(), PARTICIPANT_KINDS.corporate, "Custody AG");
    await registry
      .connect(refurbisher)
      .safeTransferFrom(refurbisher.address, await receiver.getAddress(), batchId, 4n, "0x");
    await registry
      .connect(refurbisher)
      .safeBatchTransferFrom(refurbisher.address, await receiver.getAddress(), [batchId], [2n], "0x");
    expect(await receiver.getFunction("received")()).to.equal(4n);
    expect(await registry.balanceOf(await receiver.getAddress(), batchId)).to.equal(6n);
    const nonReceiver = await ethers.deployContract("MockERC1271Wallet", [refurbisher.address]);
    const to = await nonReceiver.getAddress();
    await registry.admitParticipant(to, PARTICIPANT_KINDS.corporate, "Plain Wallet Ltd");
    await expect(registry.connect(refurbisher).safeTransferFrom(refurbisher.address, to, batchId, 1n, "0x"))
      .to.be.revertedWithCustomError(registry, "ERC1155InvalidReceiver")
      .withArgs(to);
    await expect(registry.connect(refurbisher).safeBatchTransferFrom(refurbisher.address, to, [batchId], [1n], "0x"))
      .to.be.revertedWithCustomError(registry, "ERC1155InvalidReceiver")
      .withArgs(to);
  });

  it("asks an account that gained code after its admission through the hook (finding 4)", async function () {
    const f = await networkHelpers.loadFixture(withBatchFixture);
    const { registry, refurbisher, outsider, batchId } = f;
    await registry.admitParticipant(outsider.address, PARTICIPANT_KINDS.corporate, "Counterfactual Wallet Ltd");
    await registry.connect(refurbisher).safeTransferFrom(refurbisher.address, outsider.address, batchId, 1n, "0x");
    // A contract that does not accept ERC-1155 now lives at the admitted address (e.g. deployed by CREATE2).
    const wallet = await ethers.deployContract("MockERC1271Wallet", [outsider.address]);
    await networkHelpers.setCode(outsider.address, await ethers.provider.getCode(await wallet.getAddress()));
    await expect(
      registry.connect(refurbisher).safeTransferFrom(refurbisher.address, outsider.address, batchId, 1n, "0x"),
    )
      .to.be.revertedWithCustomError(registry, "ERC1155InvalidReceiver")
      .withArgs(outsider.address);
    await expect(
      registry.connect(refurbisher).safeBatchTransferFrom(refurbisher.address, outsider.address, [batchId], [1n], "0x"),
    )
      .to.be.revertedWithCustomError(registry, "ERC1155InvalidReceiver")
      .withArgs(outsider.address);
    expect(await registry.balanceOf(outsider.address, batchId)).to.equal(1n);
  });
});

/** A valid retirement request but for its batch, for the zero-address sender case. */
const retireZero = {
  amount: 1n,
  beneficiaryName: "Zero",
  beneficiary: ZeroAddress,
  periodStart: 0n,
  periodEnd: 1n,
  scope3Category: 1,
  purpose: "",
};
