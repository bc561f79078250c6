/**
 * The relay only serves participants and only sends what will mine (issue 18, item 3): never-admitted and
 * suspended accounts may sign in but not relay; ether, a nonce other than the next, a gas limit above the
 * operation's cap, a transaction type other than 0–2 and a transaction whose simulation — with every signed
 * field — fails are refused with a 4xx problem naming what to sign instead. The caps hold the API's own builds at
 * their documented maxima.
 */
import { expect } from "chai";
import { keccak256, toUtf8Bytes, type HDNodeWallet, type TransactionRequest } from "ethers";

import { relayGasCap } from "../../api/src/services/relay-gas.ts";
import type { Attestation } from "../../sdk/src/attestation.ts";
import { startApiHarness, type ApiHarness } from "../helpers/api.ts";
import { DAY, METHOD, PARAMS, signAttestation } from "../helpers/registry.ts";

const PROBLEM = /^application\/problem\+json/;

describe("POST /tx/relay: who may relay, and only what will mine", function () {
  this.timeout(180_000);
  let h: ApiHarness;
  const tokens: Record<string, string> = {};
  const as = (role: string) => ({ Authorization: `Bearer ${tokens[role]}` });

  before(async () => {
    h = await startApiHarness();
    // auditor3 is neither admitted nor accredited (the harness accredits two auditors): a never-admitted key.
    for (const role of ["admin", "refurbisher", "corporate", "trader", "auditor1", "auditor3"] as const) {
      tokens[role] = await h.signIn(h.deployed.wallet(role));
    }
  });
  after(async () => h?.close());

  /** setApprovalForAll(operator, true), built by the API for `role`, then signed with `overrides`. */
  async function approval(role: string, overrides: Partial<TransactionRequest> = {}) {
    const wallet = h.deployed.wallet(role as "refurbisher");
    const built = (
      await h.http
        .post("/tx/approval")
        .set(as(role))
        .send({ operator: h.deployed.wallet("trader").address, approved: true })
        .expect(200)
    ).body as Record<string, string>;
    return sign(wallet, built, overrides);
  }

  async function sign(wallet: HDNodeWallet, built: Record<string, string>, overrides: Partial<TransactionRequest>) {
    return wallet.signTransaction({
      to: built.to!,
      data: built.data!,
      value: 0n,
      chainId: BigInt(built.chainId!),
      nonce: await h.chain.provider.getTransactionCount(wallet.address, "pending"),
      gasLimit: BigInt(built.gasLimit!),
      type: 2,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 0n,
      ...overrides,
    });
  }

  async function relay(role: string, raw: string, status: number) {
    const res = await h.http.post("/tx/relay").set(as(role)).send({ signedTransaction: raw }).expect(status);
    if (status >= 400) expect(res.headers["content-type"]).to.match(PROBLEM);
    return res.body as { code: string; detail: string; hash: string; [k: string]: unknown };
  }

  describe("who may relay", function () {
    it("lets a never-admitted account sign in and see its standing, but not relay (nothing is sent)", async function () {
      const outsider = h.deployed.wallet("auditor3");
      const me = (await h.http.get("/auth/me").set(as("auditor3")).expect(200)).body;
      expect(me).to.include({ status: "none", kind: "none" });
      const before = await h.chain.provider.getTransactionCount(outsider.address, "pending");
      const refused = await relay("auditor3", await approval("auditor3"), 403);
      expect(refused.code).to.equal("RELAY_NOT_ALLOWED");
      expect(refused.detail).to.include("not an admitted participant").and.include("itec participant admit");
      expect(await h.chain.provider.getTransactionCount(outsider.address, "pending")).to.equal(before);
    });

    it("refuses a suspended participant until it is reinstated", async function () {
      const trader = h.deployed.wallet("trader").address;
      await (await h.deployed.adminRegistry.suspendParticipant(trader, "review")).wait();
      await h.api.deps.reads.cache.refresh();
      const raw = await sign(
        h.deployed.wallet("trader"),
        {
          to: h.deployed.address,
          data: h.deployed.registry.interface.encodeFunctionData("setApprovalForAll", [
            h.deployed.wallet("corporate").address,
            true,
          ]),
          chainId: "1337",
          gasLimit: "100000",
        },
        {},
      );
      const refused = await relay("trader", raw, 403);
      expect(refused.code).to.equal("RELAY_NOT_ALLOWED");
      expect(refused.detail).to.match(/is suspended/);
      await (await h.deployed.adminRegistry.reinstateParticipant(trader, "review closed")).wait();
      await h.api.deps.reads.cache.refresh();
      await h.chain.provider.waitForTransaction((await relay("trader", raw, 202)).hash, 1, 30_000);
    });

    it("relays for an accredited auditor that is not a participant, and for the admin", async function () {
      const sent = await relay("auditor1", await approval("auditor1"), 202);
      expect((await h.chain.provider.waitForTransaction(sent.hash, 1, 30_000))?.status).to.equal(1);
      const admin = await relay("admin", await approval("admin"), 202);
      expect((await h.chain.provider.waitForTransaction(admin.hash, 1, 30_000))?.status).to.equal(1);
    });
  });

  describe("only what will mine", function () {
    it("refuses a call carrying ether", async function () {
      const refused = await relay("refurbisher", await approval("refurbisher", { value: 5n * 10n ** 18n }), 422);
      expect(refused.code).to.equal("TX_VALUE");
      expect(refused.detail).to.include("value 0");
    });

    it("refuses a nonce other than the account's next, naming the next", async function () {
      const wallet = h.deployed.wallet("refurbisher");
      const next = await h.chain.provider.getTransactionCount(wallet.address, "pending");
      for (const nonce of [next + 1000, next + 1]) {
        const refused = await relay("refurbisher", await approval("refurbisher", { nonce }), 409);
        expect(refused).to.include({ code: "TX_NONCE", expectedNonce: next });
        expect(refused.detail).to.include(`sign it again with nonce ${next}`);
      }
      if (next > 0) {
        const used = await relay("refurbisher", await approval("refurbisher", { nonce: next - 1 }), 409);
        expect(used.code).to.equal("TX_NONCE");
      }
      expect(await h.chain.provider.getTransactionCount(wallet.address, "pending")).to.equal(next);
    });

    it("refuses a gas limit above the operation's cap", async function () {
      const refused = await relay("refurbisher", await approval("refurbisher", { gasLimit: 30_000_000n }), 422);
      expect(refused).to.include({ code: "TX_GAS_CAP", gasCap: "100000" });
      expect(refused.detail).to.include("setApprovalForAll may ask for at most 100000 gas");
      // At the cap exactly: relayed.
      const ok = await relay("refurbisher", await approval("refurbisher", { gasLimit: 100_000n }), 202);
      await h.chain.provider.waitForTransaction(ok.hash, 1, 30_000);
    });

    it("simulates with the signed gas limit and fees: too little gas or an unpayable fee is refused", async function () {
      const wallet = h.deployed.wallet("refurbisher");
      const next = await h.chain.provider.getTransactionCount(wallet.address, "pending");
      const starved = await relay("refurbisher", await approval("refurbisher", { gasLimit: 24_000n }), 409);
      expect(starved.code).to.equal("TX_REFUSED");
      expect(starved.detail).to.match(/^the signed gas limit 24000 is too low \(it needs about \d+\)/);
      const unpayable = await relay(
        "refurbisher",
        await approval("refurbisher", { maxFeePerGas: 10n ** 24n, maxPriorityFeePerGas: 0n }),
        409,
      );
      expect(unpayable.code).to.equal("TX_REFUSED");
      expect(await h.chain.provider.getTransactionCount(wallet.address, "pending")).to.equal(next);
    });

    it("refuses transaction types other than 0, 1 and 2", async function () {
      const wallet = h.deployed.wallet("refurbisher");
      const built = { to: h.deployed.address, data: "0x", chainId: "1337", gasLimit: "100000" };
      const raw = await sign(wallet, built, {
        type: 4,
        authorizationList: [await wallet.authorize({ address: h.deployed.address, nonce: 0, chainId: 1337n })],
      });
      expect((await relay("refurbisher", raw, 422)).code).to.equal("TX_TYPE");
    });
  });

  describe("the gas caps", function () {
    /** Issues a batch of `certificates` to the refurbisher (oracle key, auditor1 signs); returns its id. */
    async function issue(certificates: bigint): Promise<bigint> {
      const now = BigInt((await h.chain.provider.getBlock("latest"))!.timestamp);
      const attestation: Attestation = {
        owner: h.deployed.wallet("refurbisher").address,
        category: 1,
        certificates,
        baselineGrams: 189_000n,
        reductionGrams: 34_000n,
        vintageStart: now - 30n * DAY,
        vintageEnd: now - DAY,
        methodology: METHOD,
        parameters: PARAMS,
        reportHash: keccak256(toUtf8Bytes("relay-scope-report")),
        referenceDataHash: keccak256(toUtf8Bytes("reference-data")),
        deviceRoot: keccak256(toUtf8Bytes("relay-scope-root")),
        sampleHash: `0x${"00".repeat(32)}`,
        evidenceURI: "https://registry.example/lots/1/report.json",
        deadline: now + 30n * DAY,
      };
      const signatures = await signAttestation({ chainId: h.chain.chainId, address: h.deployed.address }, attestation, [
        h.deployed.wallet("auditor1"),
      ]);
      await (await h.deployed.registry.connect(h.deployed.wallet("oracle")).issue(attestation, signatures)).wait();
      return h.deployed.registry.batchCount();
    }

    it("hold the API's own builds at their documented maxima (1,024-byte texts)", async function () {
      const batchId = await issue(100n);
      const iface = h.deployed.registry.interface;
      const capOf = (data: string) => {
        const parsed = iface.parseTransaction({ data })!;
        return relayGasCap(parsed.fragment, parsed.args)!;
      };
      const fits = (label: string, built: { data: string; gasLimit: string }) => {
        const cap = capOf(built.data);
        expect(BigInt(built.gasLimit), `${label}: gas limit ${built.gasLimit} ≤ cap ${cap}`).to.be.at.most(cap);
        return cap;
      };
      const retire = (
        await h.http
          .post("/tx/retire")
          .set(as("refurbisher"))
          .send({
            batchId: batchId.toString(),
            amount: "1",
            beneficiaryName: "B".repeat(1024),
            periodStart: "2026-01-01",
            periodEnd: "2026-12-31",
            scope3Category: 2,
            purpose: "P".repeat(1024),
          })
          .expect(200)
      ).body;
      fits("retire, two 1,024-byte texts", retire);
      const transfer = (
        await h.http
          .post("/tx/transfer")
          .set(as("refurbisher"))
          .send({ to: h.deployed.wallet("corporate").address, items: [{ batchId: batchId.toString(), amount: "1" }] })
          .expect(200)
      ).body;
      fits("transfer", transfer);
      const suspend = (
        await h.http
          .post(`/admin/batches/${batchId}/suspend`)
          .set(as("admin"))
          .send({ reason: "R".repeat(1024) })
          .expect(200)
      ).body;
      fits("suspendBatch, a 1,024-byte reason", suspend);
      // The caps themselves stay under the ceiling: a 30M-gas limit never fits.
      expect(capOf(retire.data)).to.be.lessThan(3_000_000n);
    });
  });
});
