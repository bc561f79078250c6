/**
 * `retire`: burning certificates against a claim kept in state — by the holder or its approved operator, on behalf
 * of a named beneficiary — with the block of its event recorded, so any verifier finds the claim's texts with one
 * single-block log read (issue 13 deliverable 5).
 */
import { expect } from "chai";
import { AbiCoder, ZeroAddress, concat, keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import { retirementRequest } from "../helpers/registry.ts";
import { C_VERIFIED, P_SUSPENDED, deployRegistry, sendRaw, withBatch, plain } from "./support.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

async function withBatchFixture() {
  return withBatch(await deployRegistry(connection));
}

const RETIRE = "retire(address,(uint256,uint32,string,address,uint32,uint32,uint8,string))";

describe("ITECRegistry retire", function () {
  it("burns, stores the claim in state and emits CertificatesRetired + TransferSingle to zero", async function () {
    const f = await networkHelpers.loadFixture(withBatchFixture);
    const { registry, refurbisher, corporate, batchId } = f;
    await registry.connect(refurbisher).safeTransferFrom(refurbisher.address, corporate.address, batchId, 40n, "0x");
    const req = retirementRequest(batchId, { amount: 12n });
    expect(await registry.connect(corporate).retire.staticCall(corporate.address, req)).to.equal(1n);
    const tx = await registry.connect(corporate).retire(corporate.address, req);
    await expect(tx)
      .to.emit(registry, "CertificatesRetired")
      .withArgs(1, batchId, corporate.address, corporate.address, req.beneficiaryName, req.purpose)
      .and.to.emit(registry, "TransferSingle")
      .withArgs(corporate.address, corporate.address, ZeroAddress, batchId, 12n);
    const receipt = (await tx.wait())!;
    const r = await registry.retirement(1);
    expect(plain(r)).to.deep.equal({
      account: corporate.address,
      batchId,
      scope3Category: 1n,
      amount: 12n,
      replacements: 0n,
      beneficiary: ZeroAddress,
      periodStart: req.periodStart,
      periodEnd: req.periodEnd,
      blockNumber: BigInt(receipt.blockNumber),
      claimHash: keccak256(AbiCoder.defaultAbiCoder().encode(["string", "string"], [req.beneficiaryName, req.purpose])),
    });
    expect(await registry.claimHashOf(req.beneficiaryName, req.purpose)).to.equal(r.claimHash);
    expect(await registry.claimStatus(1)).to.deep.equal([BigInt(C_VERIFIED), batchId]);
    expect(await registry.batchTotals(batchId)).to.deep.equal([100n, 12n, 88n, 0n]);
    expect((await registry.batch(batchId)).retired).to.equal(12n);
    expect(await registry.balanceOf(corporate.address, batchId)).to.equal(28n);
    expect(await registry.retirementCount()).to.equal(1n);
  });

  it("finds the claim's texts with one log read over the recorded block", async function () {
    const f = await networkHelpers.loadFixture(withBatchFixture);
    const { registry, refurbisher, batchId } = f;
    const purpose = "FY2026 laptop procurement — Scope 3.1, « CDP C6.5 »";
    // Other retirements in other blocks around it.
    await registry.connect(refurbisher).retire(refurbisher.address, retirementRequest(batchId, { amount: 1n }));
    await registry
      .connect(refurbisher)
      .retire(refurbisher.address, retirementRequest(batchId, { amount: 2n, purpose }));
    await registry.connect(refurbisher).retire(refurbisher.address, retirementRequest(batchId, { amount: 3n }));
    const r = await registry.retirement(2);
    const event = registry.getEvent("CertificatesRetired");
    const logs = await registry.queryFilter(event(2n), Number(r.blockNumber), Number(r.blockNumber));
    expect(logs).to.have.length(1);
    const { beneficiaryName, purpose: text } = logs[0]!.args;
    expect(text).to.equal(purpose);
    expect(keccak256(AbiCoder.defaultAbiCoder().encode(["string", "string"], [beneficiaryName, text]))).to.equal(
      r.claimHash,
    );
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
      .withArgs(1, batchId, refurbisher.address, trader.address, "Client Corp Ltd", req.purpose)
      .and.to.emit(registry, "TransferSingle")
      .withArgs(trader.address, refurbisher.address, ZeroAddress, batchId, 3n);
    const r = await registry.retirement(1);
    expect([r.account, r.beneficiary, r.scope3Category]).to.deep.equal([refurbisher.address, corporate.address, 2n]);
  });

  it("refuses a caller that is neither holder nor operator", async function () {
    const f = await networkHelpers.loadFixture(withBatchFixture);
    await expect(f.registry.connect(f.corporate).retire(f.refurbisher.address, retirementRequest(f.batchId)))
      .to.be.revertedWithCustomError(f.registry, "ITECNotHolderOrOperator")
      .withArgs(f.corporate.address, f.refurbisher.address);
  });

  it("accepts a period of one second, a period up to 2^32 − 1 and an empty purpose", async function () {
    const f = await networkHelpers.loadFixture(withBatchFixture);
    const { registry, refurbisher, batchId } = f;
    const max = 2n ** 32n - 1n;
    await registry
      .connect(refurbisher)
      .retire(refurbisher.address, retirementRequest(batchId, { periodStart: max, periodEnd: max, purpose: "" }));
    const r = await registry.retirement(1);
    expect([r.periodStart, r.periodEnd]).to.deep.equal([max, max]);
    expect(r.claimHash).to.equal(await registry.claimHashOf("Acme Corporation", ""));
  });

  const bad: [string, Parameters<typeof retirementRequest>[1], string, unknown[]][] = [
    ["a zero amount", { amount: 0n }, "ITECInvalidRetirement", ["amount"]],
    ["Scope 3 category 3", { scope3Category: 3 }, "ITECInvalidRetirement", ["scope3Category"]],
    ["Scope 3 category 0", { scope3Category: 0 }, "ITECInvalidRetirement", ["scope3Category"]],
    ["a period ending before it starts", { periodStart: 2n, periodEnd: 1n }, "ITECInvalidRetirement", ["period"]],
    ["an empty beneficiary name", { beneficiaryName: "" }, "ITECInvalidText", ["beneficiaryName", 0]],
    [
      "an over-long beneficiary name",
      { beneficiaryName: "b".repeat(1025) },
      "ITECInvalidText",
      ["beneficiaryName", 1025],
    ],
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

  it("refuses texts that are not UTF-8 (finding 8)", async function () {
    const f = await networkHelpers.loadFixture(withBatchFixture);
    const { registry, refurbisher, batchId } = f;
    const req = retirementRequest(batchId);
    const raw = (name: string, purpose: string) => [
      refurbisher.address,
      [batchId, req.amount, name, req.beneficiary, req.periodStart, req.periodEnd, req.scope3Category, purpose],
    ];
    const utf8 = (s: string) => toUtf8Bytes(s);
    const broken = concat([utf8("Acme "), "0xed", "0xa0", "0x80"]); // an encoded UTF-16 surrogate
    await expect(sendRaw(refurbisher, f.address, RETIRE, raw(broken, "0x")))
      .to.be.revertedWithCustomError(registry, "ITECUnsafeText")
      .withArgs("beneficiaryName");
    await expect(sendRaw(refurbisher, f.address, RETIRE, raw(concat([utf8(req.beneficiaryName)]), "0xf8")))
      .to.be.revertedWithCustomError(registry, "ITECUnsafeText")
      .withArgs("purpose");
  });

  it("reverts for an unknown batch, more than the balance, a suspended batch and a suspended holder", async function () {
    const f = await networkHelpers.loadFixture(withBatchFixture);
    const { registry, refurbisher, batchId } = f;
    for (const id of [0n, 99n]) {
      await expect(registry.connect(refurbisher).retire(refurbisher.address, retirementRequest(id)))
        .to.be.revertedWithCustomError(registry, "ITECUnknownBatch")
        .withArgs(id);
    }
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
      .withArgs(refurbisher.address, P_SUSPENDED);
  });

  it("refuses a suspended operator acting for an active holder, and retiring from a reversed batch", async function () {
    const f = await networkHelpers.loadFixture(withBatchFixture);
    const { registry, refurbisher, trader, batchId } = f;
    await registry.connect(refurbisher).setApprovalForAll(trader.address, true);
    await registry.suspendParticipant(trader.address, "review");
    await expect(registry.connect(trader).retire(refurbisher.address, retirementRequest(batchId)))
      .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
      .withArgs(trader.address, P_SUSPENDED);
    await registry.reverseBatch(batchId, "double counting", "");
    await expect(registry.connect(refurbisher).retire(refurbisher.address, retirementRequest(batchId)))
      .to.be.revertedWithCustomError(registry, "ITECBatchReversed")
      .withArgs(batchId);
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
    await expect(registry.connect(refurbisher).retire(refurbisher.address, retirementRequest(batchId, { amount: 1n })))
      .to.be.revertedWithCustomError(registry, "ERC1155InsufficientBalance")
      .withArgs(refurbisher.address, 0n, 1n, batchId);
    expect(await registry.batchTotals(batchId)).to.deep.equal([100n, 100n, 0n, 0n]);
  });

  it("reverts for retirement ids that do not exist", async function () {
    const { registry } = await networkHelpers.loadFixture(withBatchFixture);
    for (const id of [0, 1]) {
      await expect(registry.retirement(id))
        .to.be.revertedWithCustomError(registry, "ITECUnknownRetirement")
        .withArgs(id);
      await expect(registry.claimStatus(id))
        .to.be.revertedWithCustomError(registry, "ITECUnknownRetirement")
        .withArgs(id);
    }
    void ethers;
  });
});
