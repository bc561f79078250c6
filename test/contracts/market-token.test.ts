/**
 * PermissionedToken, the TEST settlement token: only its admin mints and admits, tokens move only between admitted
 * accounts, allowances behave as ERC-20's (a maximal one is never spent down), and the admin role can be handed on.
 */
import { expect } from "chai";
import { MaxUint256 } from "ethers";
import { network } from "hardhat";

import type { PermissionedToken } from "../../types/ethers-contracts/index.ts";

const { ethers, networkHelpers } = await network.create();

async function tokenFixture() {
  const [admin, alice, bob, carol] = await ethers.getSigners();
  const token = (await ethers.deployContract("PermissionedToken", [
    "I-TEC Test Deposit (no value)",
    "tdEUR",
    6,
    admin!.address,
  ])) as unknown as PermissionedToken;
  await (await token.setAdmitted(alice!.address, true)).wait();
  await (await token.setAdmitted(bob!.address, true)).wait();
  await (await token.mint(alice!.address, 1_000n)).wait();
  return { token, admin: admin!, alice: alice!, bob: bob!, carol: carol! };
}

describe("PermissionedToken (TEST settlement token)", function () {
  it("describes itself and counts supply and balances", async function () {
    const { token, admin, alice } = await networkHelpers.loadFixture(tokenFixture);
    expect([await token.name(), await token.symbol(), await token.decimals()]).to.deep.equal([
      "I-TEC Test Deposit (no value)",
      "tdEUR",
      6n,
    ]);
    expect(await token.admin()).to.equal(admin.address);
    expect(await token.totalSupply()).to.equal(1_000n);
    expect(await token.balanceOf(alice.address)).to.equal(1_000n);
  });

  it("lets only the admin admit and mint, and mints only to admitted accounts", async function () {
    const { token, alice, carol } = await networkHelpers.loadFixture(tokenFixture);
    await expect(token.connect(alice).mint(alice.address, 1n))
      .to.be.revertedWithCustomError(token, "TokenUnauthorized")
      .withArgs(alice.address);
    await expect(token.connect(alice).setAdmitted(carol.address, true))
      .to.be.revertedWithCustomError(token, "TokenUnauthorized")
      .withArgs(alice.address);
    await expect(token.mint(carol.address, 1n))
      .to.be.revertedWithCustomError(token, "TokenAccountNotAdmitted")
      .withArgs(carol.address);
    await expect(token.mint(alice.address, 2n ** 128n))
      .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
      .withArgs(alice.address);
  });

  it("moves tokens only between admitted accounts, and not beyond a balance", async function () {
    const { token, alice, bob, carol } = await networkHelpers.loadFixture(tokenFixture);
    await expect(token.connect(alice).transfer(bob.address, 100n))
      .to.emit(token, "Transfer")
      .withArgs(alice.address, bob.address, 100n);
    await expect(token.connect(alice).transfer(carol.address, 1n))
      .to.be.revertedWithCustomError(token, "TokenAccountNotAdmitted")
      .withArgs(carol.address);
    await (await token.setAdmitted(bob.address, false)).wait();
    await expect(token.connect(bob).transfer(alice.address, 1n))
      .to.be.revertedWithCustomError(token, "TokenAccountNotAdmitted")
      .withArgs(bob.address);
    expect(await token.balanceOf(bob.address)).to.equal(100n);
    await expect(token.connect(alice).transfer(alice.address, 901n))
      .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
      .withArgs(alice.address, 900n, 901n);
  });

  it("spends allowances down, except a maximal one; the spender needs no admission", async function () {
    const { token, alice, bob, carol } = await networkHelpers.loadFixture(tokenFixture);
    await (await token.connect(alice).approve(carol.address, 50n)).wait();
    await (await token.connect(carol).transferFrom(alice.address, bob.address, 30n)).wait();
    expect(await token.allowance(alice.address, carol.address)).to.equal(20n);
    await expect(token.connect(carol).transferFrom(alice.address, bob.address, 21n))
      .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
      .withArgs(carol.address, 20n, 21n);
    await (await token.connect(alice).approve(carol.address, MaxUint256)).wait();
    await (await token.connect(carol).transferFrom(alice.address, bob.address, 500n)).wait();
    expect(await token.allowance(alice.address, carol.address)).to.equal(MaxUint256);
    expect(await token.balanceOf(bob.address)).to.equal(530n);
  });

  it("hands the admin role on", async function () {
    const { token, admin, alice } = await networkHelpers.loadFixture(tokenFixture);
    await expect(token.setAdmin(alice.address)).to.emit(token, "AdminChanged").withArgs(admin.address, alice.address);
    await expect(token.mint(alice.address, 1n)).to.be.revertedWithCustomError(token, "TokenUnauthorized");
    await (await token.connect(alice).mint(alice.address, 1n)).wait();
    expect(await token.totalSupply()).to.equal(1_001n);
  });
});
