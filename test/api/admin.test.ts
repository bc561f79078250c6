/**
 * The API's write side for contract v2 over a real chain: the admin's transactions (names, auditing bodies and
 * accreditation, threshold, reversal, settlement), the replacement of a reversed claim and the three fraud proofs —
 * each built unsigned, refused with 403 for anyone but whom the contract allows, signed in the test's wallet,
 * relayed and mined, with the registry's state checked after.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { id as hashText, keccak256, toUtf8Bytes, type HDNodeWallet } from "ethers";

import type { Attestation } from "../../sdk/src/attestation.ts";
import { devAccount } from "../../core/keys.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import type { ACCOUNTS } from "../helpers/chain.ts";
import { DAY, METHOD, PARAMS, retirementRequest, signAttestation } from "../helpers/registry.ts";

type Unsigned = Record<string, string>;

/** Fills nonce and fees, signs with `wallet`, relays through the API as `token`'s session; waits until mined. */
async function relay(h: ApiHarness, token: string, wallet: HDNodeWallet, tx: Unsigned): Promise<string> {
  const raw = await wallet.signTransaction({
    to: tx.to!,
    data: tx.data!,
    value: 0n,
    chainId: BigInt(tx.chainId!),
    nonce: await h.chain.provider.getTransactionCount(wallet.address, "pending"),
    gasLimit: BigInt(tx.gasLimit!),
    ...(tx.gasPrice !== undefined
      ? { type: 0, gasPrice: BigInt(tx.gasPrice) }
      : { type: 2, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 0n }),
  });
  const sent = (
    await h.http
      .post("/tx/relay")
      .set({ Authorization: `Bearer ${token}` })
      .send({ signedTransaction: raw })
      .expect(202)
  ).body as { hash: string; function: string };
  const receipt = await h.chain.provider.waitForTransaction(sent.hash, 1, 30_000);
  expect(receipt?.status, sent.function).to.equal(1);
  return sent.function;
}

type DeviceTree = StandardMerkleTree<[bigint, string]>;

function deviceTree(leaves: [number, string][]): DeviceTree {
  return StandardMerkleTree.of(
    leaves.map(([i, device]) => [BigInt(i), hashText(device)] as [bigint, string]),
    ["uint256", "bytes32"],
  );
}

/** The API's DeviceProof of leaf `position` (uint256 as a decimal string). */
function proofOf(tree: DeviceTree, position: number) {
  const [index, deviceId] = tree.at(position)!;
  return { root: tree.root, index: index.toString(), deviceId, proof: tree.getProof(position) };
}

describe("Registry API: admin, replacement and fraud-proof transactions (contract v2)", function () {
  this.timeout(120_000);
  let h: ApiHarness;
  const tokens: Record<string, string> = {};
  const newAuditor = devAccount(9);
  let issued = 0;

  /** Issues a batch of `category` to the refurbisher directly (oracle key, auditor1); returns its id. */
  async function issue(category: number, certificates: bigint, tree?: DeviceTree): Promise<bigint> {
    issued += 1;
    const now = BigInt((await h.chain.provider.getBlock("latest"))!.timestamp);
    const attestation: Attestation = {
      owner: h.deployed.wallet("refurbisher").address,
      category,
      certificates,
      baselineGrams: 189_000n,
      reductionGrams: 34_000n,
      vintageStart: now - 30n * DAY,
      vintageEnd: now - DAY,
      methodology: METHOD,
      parameters: PARAMS,
      reportHash: keccak256(toUtf8Bytes(`admin-test-report-${issued}`)),
      referenceDataHash: keccak256(toUtf8Bytes("reference-data")),
      deviceRoot: tree?.root ?? keccak256(toUtf8Bytes(`admin-test-root-${issued}`)),
      sampleHash: `0x${"00".repeat(32)}`,
      evidenceURI: `https://registry.example/lots/${issued}/report.json`,
      deadline: now + 30n * DAY,
    };
    const signatures = await signAttestation({ chainId: h.chain.chainId, address: h.deployed.address }, attestation, [
      h.deployed.wallet("auditor1"),
    ]);
    const issuer = h.deployed.registry.connect(h.deployed.wallet("oracle"));
    await (await issuer.issue(attestation, signatures)).wait();
    return h.deployed.registry.batchCount();
  }

  before(async () => {
    h = await startApiHarness();
    for (const role of ["admin", "refurbisher", "corporate", "trader"] as const) {
      tokens[role] = await h.signIn(h.deployed.wallet(role));
    }
  });
  after(async () => h?.close());

  const as = (role: string) => ({ Authorization: `Bearer ${tokens[role]}` });
  const wallet = (role: keyof typeof ACCOUNTS) => h.deployed.wallet(role);

  it("names participants, registers and renames auditing bodies, accredits and revokes — the admin only", async function () {
    const registry = h.deployed.registry;
    const account = devAccount(8).address;
    const steps: { method: "post" | "put"; path: string; body: Record<string, unknown>; description: string }[] = [
      {
        method: "post",
        path: "/admin/participants",
        body: { account, kind: "itad", name: "Nordic Reuse AB" },
        description: `admit ${account} as itad "Nordic Reuse AB"`,
      },
      {
        method: "put",
        path: `/admin/participants/${account}/name`,
        body: { name: "Nordic Reuse Group AB" },
        description: `rename ${account} "Nordic Reuse Group AB"`,
      },
      {
        method: "post",
        path: "/admin/auditor-bodies",
        body: { name: "Audit Body N" },
        description: 'register auditing body "Audit Body N"',
      },
      {
        method: "put",
        path: "/admin/auditor-bodies/3/name",
        body: { name: "Audit Body North" },
        description: 'rename auditing body #3 "Audit Body North"',
      },
      {
        method: "put",
        path: `/admin/auditors/${newAuditor.address}/accreditation`,
        body: { bodyId: 3, categories: ["laptop", "server"], validFrom: "2026-01-01", validUntil: "2036-12-31" },
        description: `accredit ${newAuditor.address} for auditing body #3: laptop, server from 2026-01-01 to 2036-12-31`,
      },
      {
        method: "put",
        path: "/admin/auditors/threshold",
        body: { threshold: 3 },
        description: "require signatures of 3 auditing bodies",
      },
    ];
    for (const step of steps) {
      const denied = await h.http[step.method](step.path).set(as("trader")).send(step.body).expect(403);
      expect(denied.body.code, step.path).to.equal("FORBIDDEN");
      const built = (await h.http[step.method](step.path).set(as("admin")).send(step.body).expect(200))
        .body as Unsigned;
      expect(built.description, step.path).to.equal(step.description);
      expect(built.to).to.equal(h.deployed.address);
      await relay(h, tokens.admin!, wallet("admin"), built);
    }
    const p = await registry.participant(account);
    expect([p.kind, p.status, p.name]).to.deep.equal([2n, 1n, "Nordic Reuse Group AB"]);
    expect((await registry.auditorBody(3)).name).to.equal("Audit Body North");
    const a = await registry.accreditation(newAuditor.address);
    expect(a.bodyId).to.equal(3n);
    expect(a.categories).to.equal(BigInt((1 << 1) | (1 << 6)));
    expect(a.validFrom).to.equal(BigInt(Date.parse("2026-01-01T00:00:00Z") / 1000));
    expect(a.validUntil).to.equal(BigInt(Date.parse("2036-12-31T23:59:59Z") / 1000));
    expect(await registry.auditorThreshold()).to.equal(3n);

    // Revoking one of three bodies' only auditor would strand the threshold of 3: the registry refuses, and so the
    // API. At threshold 2, it leaves exactly the threshold, and says so.
    const revoke = (reason: string) =>
      h.http.post(`/admin/auditors/${newAuditor.address}/revoke`).set(as("admin")).send({ reason });
    const refused = (await revoke("left the body").expect(422)).body;
    expect(refused.code).to.equal("WOULD_REVERT");
    expect(refused.revert.name).to.equal("ITECInvalidThreshold");
    const lower = (await h.http.put("/admin/auditors/threshold").set(as("admin")).send({ threshold: 2 }).expect(200))
      .body as Unsigned;
    await relay(h, tokens.admin!, wallet("admin"), lower);
    const built = (await revoke("left the body").expect(200)).body as Unsigned;
    expect(built.description).to.equal(
      `revoke the accreditation of ${newAuditor.address}: left the body — leaves 2 auditing bodies with an ` +
        "auditor, the threshold: each must sign",
    );
    expect(
      (await h.http.post(`/admin/auditors/${newAuditor.address}/revoke`).set(as("trader")).send({ reason: "x" }))
        .status,
    ).to.equal(403);
    await relay(h, tokens.admin!, wallet("admin"), built);
    expect((await registry.accreditation(newAuditor.address)).bodyId).to.equal(0n);
    const back = (await h.http.put("/admin/auditors/threshold").set(as("admin")).send({ threshold: 1 }).expect(200))
      .body as Unsigned;
    await relay(h, tokens.admin!, wallet("admin"), back);
  });

  it("refuses names and accreditations the registry would refuse: 422 with a pointer, or WOULD_REVERT", async function () {
    const admin = as("admin");
    const account = devAccount(8).address;
    for (const [body, pointer] of [
      [{ account, kind: "trader", name: 'Acme "Best"' }, "/body/name"],
      [{ account, kind: "trader", name: "" }, "/body/name"],
      [{ account, kind: "trader", name: "é".repeat(101) }, "/body/name"], // 202 bytes of UTF-8
      [{ account, kind: "trader", name: "Line\nbreak" }, "/body/name"],
    ] as const) {
      const res = await h.http.post("/admin/participants").set(admin).send(body).expect(422);
      expect(
        res.body.errors.map((e: { pointer: string }) => e.pointer),
        JSON.stringify(body),
      ).to.include(pointer);
    }
    const accreditation = (body: Record<string, unknown>) =>
      h.http.put(`/admin/auditors/${newAuditor.address}/accreditation`).set(admin).send(body);
    const valid = { bodyId: 1, categories: ["laptop"], validFrom: "2026-01-01", validUntil: "2026-12-31" };
    for (const [change, pointer] of [
      [{ categories: ["laptop", "laptop"] }, "/body/categories"],
      [{ categories: [] }, "/body/categories"],
      [{ categories: ["toaster"] }, "/body/categories/0"],
      [{ validUntil: "2025-12-31" }, "/body/validUntil"],
      [{ bodyId: 0 }, "/body/bodyId"],
    ] as const) {
      const res = await accreditation({ ...valid, ...change }).expect(422);
      expect(
        res.body.errors.map((e: { pointer: string }) => e.pointer),
        JSON.stringify(change),
      ).to.include(pointer);
    }
    // Separate keys: the admin cannot accredit itself; an unknown body is refused.
    const self = await h.http
      .put(`/admin/auditors/${wallet("admin").address}/accreditation`)
      .set(admin)
      .send(valid)
      .expect(422);
    expect(self.body.revert.name).to.equal("ITECRoleConflict");
    expect((await accreditation({ ...valid, bodyId: 99 }).expect(422)).body.revert.name).to.equal(
      "ITECUnknownAuditorBody",
    );
    const again = await h.http
      .post("/admin/participants")
      .set(admin)
      .send({ account: wallet("trader").address, kind: "trader", name: "Trader GmbH" })
      .expect(422);
    expect(again.body.revert.name).to.equal("ITECParticipantAlreadyAdmitted");
  });

  it("reverses a batch (admin) and lets the holder replace the reversed claim with another batch's certificates", async function () {
    const registry = h.deployed.registry;
    const refurbisher = wallet("refurbisher");
    const b1 = await issue(1, 10n);
    const b2 = await issue(1, 10n);
    const b3 = await issue(2, 10n); // desktops: another category
    await (
      await registry.connect(refurbisher).retire(refurbisher.address, retirementRequest(b1, { amount: 3n }))
    ).wait();
    const retirementId = await registry.retirementCount();

    const reversal = { reason: "devices double counted", evidenceURI: "https://registry.example/findings/1" };
    expect(
      (await h.http.post(`/admin/batches/${b1}/reverse`).set(as("trader")).send(reversal).expect(403)).body.code,
    ).to.equal("FORBIDDEN");
    const reverse = (await h.http.post(`/admin/batches/${b1}/reverse`).set(as("admin")).send(reversal).expect(200))
      .body as Unsigned;
    expect(reverse.description).to.equal(`reverse batch #${b1}: devices double counted`);
    expect(await relay(h, tokens.admin!, wallet("admin"), reverse)).to.equal("reverseBatch");
    expect((await registry.batch(b1)).status).to.equal(2n);
    expect((await registry.claimStatus(retirementId))[0]).to.equal(1n); // Reversed
    const final = await h.http.post(`/admin/batches/${b1}/suspend`).set(as("admin")).send({ reason: "x" }).expect(422);
    expect(final.body.revert.name).to.equal("ITECBatchReversed");

    const replace = (fromBatchId: bigint) =>
      h.http
        .post("/tx/replace")
        .set(as("refurbisher"))
        .send({ retirementId: String(retirementId), fromBatchId: String(fromBatchId) });
    expect((await replace(b3).expect(422)).body.revert.name).to.equal("ITECCategoryMismatch");
    const built = (await replace(b2).expect(200)).body as Unsigned;
    expect(built.description).to.equal(
      `replace reversed retirement #${retirementId} with certificates of batch #${b2} held by ${refurbisher.address}`,
    );
    expect(await relay(h, tokens.refurbisher!, refurbisher, built)).to.equal("replaceRetirement");
    const [status, batchId] = await registry.claimStatus(retirementId);
    expect([status, batchId]).to.deep.equal([2n, b2]); // Replaced, resting on b2
    expect(await registry.balanceOf(refurbisher.address, b2)).to.equal(7n);
    expect((await replace(b2).expect(422)).body.revert.name).to.equal("ITECClaimNotReversed");
  });

  it("builds the three fraud proofs for any signed-in account, and the admin settles one", async function () {
    const registry = h.deployed.registry;
    const tag = `${Date.now()}`;
    const t1 = deviceTree([
      [0, `a-${tag}`],
      [1, `b-${tag}`],
    ]);
    const t2 = deviceTree([
      [0, `b-${tag}`],
      [1, `c-${tag}`],
    ]);
    const t3 = deviceTree([
      [0, `d-${tag}`],
      [0, `e-${tag}`], // index 0 twice
      [2, `f-${tag}`], // beyond the batch's 2 certificates
    ]);
    const b1 = await issue(1, 2n, t1);
    const b2 = await issue(1, 2n, t2);
    const b3 = await issue(2, 2n, t3);
    const corporate = wallet("corporate");
    const challenge = (kind: string, body: Record<string, unknown>) =>
      h.http.post(`/tx/challenges/${kind}`).set(as("corporate")).send(body);

    const wrong = { ...proofOf(t1, 1), proof: [hashText(`not a sibling ${tag}`)] };
    const invalid = await challenge("duplicate-device", { a: wrong, b: proofOf(t2, 0) }).expect(422);
    expect(invalid.body.revert.name).to.equal("ITECInvalidDeviceProof");
    const duplicate = (await challenge("duplicate-device", { a: proofOf(t1, 1), b: proofOf(t2, 0) }).expect(200))
      .body as Unsigned;
    expect(await relay(h, tokens.corporate!, corporate, duplicate)).to.equal("challengeDuplicateDevice");
    const first = await registry.challengeCount();
    expect([(await registry.batch(b1)).status, (await registry.batch(b2)).status]).to.deep.equal([1n, 1n]);

    const tooBig = (await challenge("tree-size", { proof: proofOf(t3, 2) }).expect(200)).body as Unsigned;
    expect(await relay(h, tokens.corporate!, corporate, tooBig)).to.equal("challengeTreeSize");
    const reused = (await challenge("index-reuse", { a: proofOf(t3, 0), b: proofOf(t3, 1) }).expect(200))
      .body as Unsigned;
    expect(await relay(h, tokens.corporate!, corporate, reused)).to.equal("challengeIndexReuse");
    expect((await registry.batchHold(b3)).openChallenges).to.equal(2n);
    // The same proof twice: refused, naming the challenge it repeats.
    const twice = await challenge("tree-size", { proof: proofOf(t3, 2) }).expect(422);
    expect(twice.body.revert.name).to.equal("ITECAlreadyChallenged");

    const settlement = { faultyBatchId: String(b2), reason: "b2 lists b1's device", evidenceURI: "ipfs://finding" };
    const settle = (id: bigint, body: Record<string, unknown>, role = "admin") =>
      h.http.post(`/admin/challenges/${id}/settle`).set(as(role)).send(body);
    expect((await settle(first, settlement, "corporate").expect(403)).body.code).to.equal("FORBIDDEN");
    const outsider = await settle(first, { ...settlement, faultyBatchId: String(b3) }).expect(422);
    expect(outsider.body.revert.name).to.equal("ITECInvalidSettlement");
    const built = (await settle(first, settlement).expect(200)).body as Unsigned;
    expect(built.description).to.equal(`settle challenge #${first}: batch #${b2} at fault — b2 lists b1's device`);
    expect(await relay(h, tokens.admin!, wallet("admin"), built)).to.equal("settleChallenge");
    expect((await registry.batch(b1)).status).to.equal(0n); // released
    expect((await registry.batchHold(b2)).adminSuspended).to.equal(true); // at fault: stays suspended
    const neither = (
      await settle(first + 1n, { faultyBatchId: null, reason: "index fixed", evidenceURI: "" }).expect(200)
    ).body as Unsigned;
    expect(neither.description).to.equal(`settle challenge #${first + 1n}: no batch at fault — index fixed`);
  });

  it("relays only the registry functions a wallet signs here (not the admin handover)", async function () {
    const data = h.deployed.registry.interface.encodeFunctionData("beginDefaultAdminTransfer", [
      wallet("trader").address,
    ]);
    const admin = wallet("admin");
    const raw = await admin.signTransaction({
      to: h.deployed.address,
      data,
      chainId: h.chain.chainId,
      nonce: await h.chain.provider.getTransactionCount(admin.address, "pending"),
      gasLimit: 100_000n,
      type: 2,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 0n,
    });
    const res = await h.http.post("/tx/relay").set(as("admin")).send({ signedTransaction: raw }).expect(422);
    expect(res.body.code).to.equal("TX_FUNCTION_NOT_ALLOWED");
  });
});
