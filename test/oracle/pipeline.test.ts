/**
 * The oracle pipeline against a real chain over HTTP JSON-RPC: lot → report → auditor signatures (EOA and
 * ERC-1271) → posted → minted batch whose on-chain figures and hashes equal the report's; and every refusal.
 */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { pino } from "pino";

import { attestationFromJson, REJECTION_TYPES } from "../../sdk/src/attestation.ts";
import { CATEGORY_CODES } from "../../sdk/src/enums.ts";
import { ChainClient } from "../../core/chain/client.ts";
import { OracleError } from "../../core/errors.ts";
import { toProblem } from "../../api/src/problem.ts";
import { readLotCsv } from "../../core/calc/lot/index.ts";
import { type DeviceInput } from "../../core/calc/index.ts";
import type { OracleDeps } from "../../oracle/src/pipeline/config.ts";
import { Oracle } from "../../oracle/src/pipeline/oracle.ts";
import { MAX_SIGNATURE_BYTES } from "../../oracle/src/pipeline/signatures.ts";
import { loadReferenceTable } from "../../core/calc/reference-file.ts";
import { devAccount } from "../../core/keys.ts";
import { JobStore } from "../../oracle/src/store/jobs.ts";
import { ITECRegistry__factory } from "../../types/ethers-contracts/index.ts";
import {
  ACCOUNTS,
  deployContractWallet,
  deployOverRpc,
  startTestChain,
  type DeployedRegistry,
  type TestChain,
} from "../helpers/chain.ts";
import { startRpcProxy } from "../helpers/proxy.ts";
import { signView } from "../helpers/sign.ts";

const reference = loadReferenceTable();
const silent = pino({ level: "silent" });
const SECTION9 = "test/vectors/section9-lot.csv";
/** The lot default transport of the worked examples (docs/methodology.md §9). */
const S9_TRANSPORT = "hgv:600;van:250";

interface Harness {
  chain: TestChain;
  deployed: DeployedRegistry;
  oracle: Oracle;
  store: JobStore;
  clock: { now: Date };
  rpcUrl: string;
  close(): Promise<void>;
}

async function harness(
  options: { rpcUrl?: (chainUrl: string) => Promise<string> } = {},
): Promise<Harness & { proxy?: Awaited<ReturnType<typeof startRpcProxy>> }> {
  const chain = await startTestChain();
  const deployed = await deployOverRpc(chain, { auditors: 2 });
  const proxy = options.rpcUrl ? await startRpcProxy(chain.url) : undefined;
  const rpcUrl = proxy ? proxy.url : chain.url;
  const client = await ChainClient.connect({ rpcUrl, registryAddress: deployed.address, chainId: 1337n });
  const store = await JobStore.open(":memory:");
  const clock = { now: new Date() };
  const oracle = new Oracle({
    store,
    chain: client,
    signer: devAccount(ACCOUNTS.oracle, client.provider),
    reference,
    logger: silent,
    now: () => clock.now,
  });
  return {
    chain,
    deployed,
    oracle,
    store,
    clock,
    rpcUrl,
    ...(proxy ? { proxy } : {}),
    close: async () => {
      client.provider.destroy();
      await store.close();
      await proxy?.close();
      await chain.stop();
    },
  };
}

async function section9(): Promise<DeviceInput[]> {
  return readLotCsv(SECTION9);
}

/** Runs worker passes until `done` or the pass limit; mines a block between passes on interval-mined chains. */
async function advance(h: Harness, done: () => Promise<boolean>, passes = 40): Promise<void> {
  for (let i = 0; i < passes && !(await done()); i++) {
    await h.oracle.tick();
    if (!(await done())) await new Promise((r) => setTimeout(r, h.chain.kind === "anvil" ? 300 : 10));
  }
}

/**
 * (Re-)accredits `auditor`: for body `bodyId`, or a new body named `body`; for `categories` (default all) from
 * `from` until `until` (default: from the epoch for ten years).
 */
async function accredit(
  deployed: DeployedRegistry,
  auditor: string,
  options: { bodyId?: number; body?: string; categories?: number; from?: bigint; until?: bigint },
): Promise<void> {
  const admin = deployed.adminRegistry;
  let bodyId = options.bodyId;
  if (bodyId === undefined) {
    await (await admin.registerAuditorBody(options.body ?? "Audit Body X")).wait();
    bodyId = Number((await deployed.registry.auditorBodyCounts()).registered);
  }
  const until = options.until ?? BigInt(Math.floor(Date.now() / 1000)) + 3650n * 86_400n;
  await (await admin.setAccreditation(auditor, bodyId, options.categories ?? 0x7e, options.from ?? 0n, until)).wait();
}

describe("Oracle pipeline", function () {
  this.timeout(120_000);

  describe("whole flow", function () {
    let h: Harness;
    before(async () => {
      h = await harness();
    });
    after(async () => h.close());

    it("takes the §9 lot to minted batches whose on-chain figures and hashes equal the report's (EOA + ERC-1271, threshold 2)", async function () {
      const { deployed, oracle, store } = h;
      const refurbisher = deployed.wallet("refurbisher").address;
      const lot = await oracle.submitLot({
        devices: await section9(),
        defaultTransport: S9_TRANSPORT,
        refurbisher,
        lotRef: "S9",
      });
      expect(lot.status).to.equal("calculated");
      const states = Object.fromEntries((await store.batchesOfLot(lot.id)).map((b) => [b.category, b.state]));
      expect(states).to.deep.equal({
        laptop: "not_issuable",
        desktop: "awaiting_signatures",
        server: "awaiting_signatures",
      });
      expect((await store.batch(`${lot.id}-laptop`))!.reason).to.equal("NO_VERIFIED_REDUCTION");
      const report = JSON.parse(await oracle.getReport(lot.id)) as {
        batches: {
          category: string;
          baselineKg: string;
          reductionKg: string;
          certificates: number;
          deviceRoot: string;
        }[];
      };
      expect(keccak256(toUtf8Bytes(await oracle.getReport(lot.id)))).to.equal(lot.report_hash);

      // Threshold 2 (auditing bodies): one EOA auditor and one ERC-1271 contract wallet (owned by the second
      // auditor's key), accredited for a third body.
      const auditor1 = deployed.wallet("auditor1");
      const walletOwner = deployed.wallet("auditor2");
      const contractWallet = await deployContractWallet(deployed, walletOwner.address);
      await accredit(deployed, contractWallet, { body: "Audit Body C" });
      await (await deployed.adminRegistry.setAuditorThreshold(2)).wait();

      for (const category of ["desktop", "server"]) {
        const id = `${lot.id}-${category}`;
        const view = await oracle.getAttestation(id);
        // What the auditor reviews equals the report.
        const rb = report.batches.find((b) => b.category === category)!;
        expect(view.review.baselineKgPerDevice).to.equal(rb.baselineKg);
        expect(view.review.reductionKgPerDevice).to.equal(rb.reductionKg);
        expect(view.review.reportHash).to.equal(lot.report_hash);
        expect(view.threshold).to.equal(2);
        expect((await oracle.addSignature(id, auditor1.address, await signView(auditor1, view))).state).to.equal(
          "awaiting_signatures",
        );
        const byWallet = await signView(walletOwner, view);
        expect((await oracle.addSignature(id, contractWallet, byWallet)).state).to.equal("ready");
      }

      await advance(h, async () => (await store.batchesInState("confirmed")).length === 2);
      const registry = deployed.registry;
      const issuedEvents = await registry.queryFilter(registry.filters.BatchIssued());
      expect(issuedEvents).to.have.length(2);
      for (const category of ["desktop", "server"] as const) {
        const row = (await store.batch(`${lot.id}-${category}`))!;
        expect(row.state).to.equal("confirmed");
        const tokenId = BigInt(row.token_id!);
        const rb = report.batches.find((b) => b.category === category)!;
        const onChain = await registry.batch(tokenId);
        const kgToGrams = (kg: string) => BigInt(kg.replace(".", ""));
        expect(onChain.category).to.equal(BigInt(CATEGORY_CODES[category]));
        expect(onChain.issued).to.equal(BigInt(rb.certificates));
        expect(onChain.baselineGrams).to.equal(kgToGrams(rb.baselineKg));
        expect(onChain.reductionGrams).to.equal(kgToGrams(rb.reductionKg));
        expect(await registry.batchOfReport(lot.report_hash!, CATEGORY_CODES[category])).to.equal(tokenId);
        expect(await registry.batchOfDeviceRoot(rb.deviceRoot)).to.equal(tokenId);
        expect(await registry.balanceOf(deployed.wallet("refurbisher").address, tokenId)).to.equal(
          BigInt(rb.certificates),
        );
        const event = issuedEvents.find((e) => e.args.batchId === tokenId)!;
        expect(event.args.reportHash).to.equal(lot.report_hash);
        expect(event.args.referenceDataHash).to.equal(`0x${reference.sha256}`);
        expect(event.args.deviceRoot).to.equal(rb.deviceRoot);
        expect(event.args.auditors.map((a) => a.toLowerCase()).sort()).to.deep.equal(
          [auditor1.address, contractWallet].map((a) => a.toLowerCase()).sort(),
        );
        const transitions = (await store.transitions(row.id)).map((t) => t.to_state);
        expect(transitions).to.deep.equal([
          "submitted",
          "calculated",
          "awaiting_signatures",
          "ready",
          "posted",
          "confirmed",
        ]);
      }
      expect((await oracle.metrics()).batchesByState.confirmed).to.equal(2);
    });

    it("excludes a device already in a pending or issued batch as SERIAL_DUPLICATE and recalculates", async function () {
      const { deployed, oracle, store } = h;
      const refurbisher = deployed.wallet("refurbisher").address;
      const rows = await section9();
      // The R740 server (issued above) comes back in a new lot, next to a fresh server.
      const server = rows.find((r) => r.category === "server")!;
      const fresh = { ...server, serial: "NEW-R740-777", line: 3 };
      const lot = await oracle.submitLot({ devices: [server, fresh], refurbisher, lotRef: "dup-check" });
      const report = JSON.parse(await oracle.getReport(lot.id)) as { devices: { serial: string; excluded?: string }[] };
      const bySerial = Object.fromEntries(report.devices.map((d) => [d.serial, d.excluded ?? null]));
      expect(bySerial).to.deep.equal({ "S9-R740-003": "SERIAL_DUPLICATE", "NEW-R740-777": null });
      const batch = (await store.batch(`${lot.id}-server`))!;
      expect(batch.certificates).to.equal(1);
      expect(await store.devicesOfBatch(batch.id)).to.have.length(1);
    });

    it("refuses a lot with no eligible device and stores nothing, saying why (no transport; devices taken)", async function () {
      const { deployed, oracle, store } = h;
      const refurbisher = deployed.wallet("refurbisher").address;
      const laptops = (await section9()).filter((d) => d.category === "laptop");
      const lots = (await store.listLots({ refurbisher, limit: 100, offset: 0 })).length;
      const noTransport = await oracle.submitLot({ devices: laptops, refurbisher }).catch((e: unknown) => e);
      expect(noTransport).to.be.instanceOf(OracleError);
      const e1 = noTransport as OracleError;
      expect(e1.code).to.equal("LOT_NOTHING_ELIGIBLE");
      expect(toProblem(e1).status).to.equal(422);
      expect(e1.message).to.equal(
        "none of the lot's 4 devices is eligible (excluded: BAD_INPUT 4), so nothing was stored: 4 rows have no " +
          "transport and the lot has no default transport: give the lot's legs (defaultTransport, e.g. " +
          "hgv:600;van:250; `itec lot submit --transport`) or fill the transport column, then submit again",
      );
      const summary = e1.details!.summary as { missingTransport: number; problemGroups: { rows: number }[] };
      expect(summary.missingTransport).to.equal(4);
      expect(summary.problemGroups.map((g) => g.rows)).to.deep.equal([4]);

      // The R740 server is in a confirmed batch: a lot of it alone certifies nothing, and is not stored.
      const server = (await section9()).find((d) => d.category === "server")!;
      const taken = (await oracle
        .submitLot({ devices: [server], refurbisher })
        .catch((e: unknown) => e)) as OracleError;
      expect(taken.code).to.equal("LOT_NOTHING_ELIGIBLE");
      expect(taken.message).to.match(
        /\(excluded: SERIAL_DUPLICATE 1\), so nothing was stored: its eligible devices are already in L1-server,/,
      );
      expect(await store.listLots({ refurbisher, limit: 100, offset: 0 })).to.have.length(lots);
    });

    it("refuses a duplicate lot, an unknown refurbisher, a bad address and an empty lot", async function () {
      const { deployed, oracle } = h;
      const refurbisher = deployed.wallet("refurbisher").address;
      const expectError = async (p: Promise<unknown>, code: string) => {
        try {
          await p;
        } catch (error) {
          expect(error).to.be.instanceOf(OracleError);
          expect((error as OracleError).code).to.equal(code);
          return error as OracleError;
        }
        throw new Error(`expected ${code}`);
      };
      const dup = await expectError(
        oracle.submitLot({ devices: await section9(), defaultTransport: S9_TRANSPORT, refurbisher, lotRef: "S9" }),
        "LOT_DUPLICATE",
      );
      expect(dup.details).to.deep.equal({ lotId: "L1", identical: true });
      await expectError(
        oracle.submitLot({
          devices: await section9(),
          defaultTransport: S9_TRANSPORT,
          refurbisher: deployed.wallet("auditor1").address,
        }),
        "NOT_A_PARTICIPANT",
      );
      await expectError(
        oracle.submitLot({ devices: await section9(), defaultTransport: S9_TRANSPORT, refurbisher: "0x1234" }),
        "INVALID_ADDRESS",
      );
      await expectError(oracle.submitLot({ devices: [], refurbisher, lotRef: "empty" }), "LOT_INVALID");
    });
  });

  describe("refusals and recovery", function () {
    let h: Harness & { proxy?: Awaited<ReturnType<typeof startRpcProxy>> };
    let lotId: string;
    beforeEach(async () => {
      h = await harness({ rpcUrl: (u) => Promise.resolve(u) });
      const lot = await h.oracle.submitLot({
        devices: await section9(),
        refurbisher: h.deployed.wallet("refurbisher").address,
      });
      lotId = lot.id;
    });
    afterEach(async () => h.close());

    const codeOf = async (p: Promise<unknown>) => {
      try {
        await p;
        return "ok";
      } catch (error) {
        return (error as OracleError).code;
      }
    };

    it("refuses a signature from a non-auditor and one over tampered figures; only a verified signer's refusal is recorded in its name", async function () {
      const { oracle, deployed, store } = h;
      const id = `${lotId}-desktop`;
      const view = await oracle.getAttestation(id);
      const outsider = deployed.wallet("corporate");
      expect(await codeOf(oracle.addSignature(id, outsider.address, await signView(outsider, view)))).to.equal(
        "SIGNER_NOT_AUDITOR",
      );
      const auditor = deployed.wallet("auditor1");
      const tampered = structuredClone(view);
      tampered.typedData.message.reductionGrams = String(
        BigInt(view.typedData.message.reductionGrams as string) + 1000n,
      );
      const overTampered = await signView(auditor, tampered);
      expect(await codeOf(oracle.addSignature(id, auditor.address, overTampered))).to.equal("SIGNATURE_INVALID");
      expect(await codeOf(oracle.addSignature(id, auditor.address, "0xdeadbeef"))).to.equal("SIGNATURE_INVALID");
      // Anyone can post under any address: what does not verify for the named auditor is never that auditor's.
      // (A signature over other figures recovers to an unrelated address: it proves nothing about its sender.)
      const refused = (await store.signatures(id)).filter((s) => s.status === "refused");
      expect(refused.map((s) => s.auditor)).to.deep.equal([outsider.address]);
      expect((await store.unattributedSignatures(id)).map((s) => [s.claimed_auditor, s.signature])).to.deep.equal([
        [auditor.address, overTampered],
        [auditor.address, "0xdeadbeef"],
      ]);
      expect((await oracle.getAttestation(id)).signatures.map((s) => s.auditor)).to.deep.equal([outsider.address]);
      expect((await oracle.getBatch(id)).signatures.map((s) => s.auditor)).to.deep.equal([outsider.address]);
      expect((await oracle.metrics()).counters).to.include({ signaturesRefused: 3, signaturesUnattributed: 2 });

      // Length: at most MAX_SIGNATURE_BYTES (an EOA's is 65; ERC-1271 ones may be longer). Beyond it, or not hex
      // bytes, the signature is refused without being verified or stored.
      expect(MAX_SIGNATURE_BYTES).to.equal(2048);
      const atLimit = `0x${"ab".repeat(MAX_SIGNATURE_BYTES)}`;
      expect(await codeOf(oracle.addSignature(id, auditor.address, atLimit))).to.equal("SIGNATURE_INVALID");
      for (const bad of [`0x${"ab".repeat(MAX_SIGNATURE_BYTES + 1)}`, "0x", "0xabc", "deadbeef"]) {
        expect(await codeOf(oracle.addSignature(id, auditor.address, bad)), bad.slice(0, 10)).to.equal(
          "SIGNATURE_INVALID",
        );
      }
      const tooLong = await oracle
        .addSignature(id, auditor.address, `0x${"ab".repeat(MAX_SIGNATURE_BYTES + 1)}`)
        .catch((e: unknown) => e as OracleError);
      expect((tooLong as OracleError).message).to.match(/longer than 2048 bytes/);
      expect(await store.unattributedSignatures(id)).to.have.length(3);
      expect((await store.unattributedSignatures(id)).at(-1)!.signature).to.equal(atLimit);
      expect(await codeOf(oracle.rejectBatch(id, auditor.address, "no", `0x${"00".repeat(4096)}`))).to.equal(
        "SIGNATURE_INVALID",
      );
      expect((await store.signatures(id)).filter((s) => s.status === "refused")).to.have.length(1);
      expect((await store.batch(id))!.state).to.equal("awaiting_signatures");

      // The genuine signature is then accepted, once.
      expect((await oracle.addSignature(id, auditor.address, await signView(auditor, view))).state).to.equal("ready");
      expect(await codeOf(oracle.addSignature(id, auditor.address, await signView(auditor, view)))).to.equal(
        "ALREADY_SIGNED",
      );
    });

    it("answers identical signatures sent at once with one acceptance and ALREADY_SIGNED (409) for the others", async function () {
      const { oracle, deployed, store } = h;
      const id = `${lotId}-desktop`;
      const auditor = deployed.wallet("auditor1");
      const signature = await signView(auditor, await oracle.getAttestation(id));
      const results = await Promise.allSettled(
        [1, 2, 3].map(() => oracle.addSignature(id, auditor.address, signature)),
      );
      const outcomes = results.map((r) =>
        r.status === "fulfilled"
          ? "ok"
          : r.reason instanceof OracleError
            ? `${r.reason.code} ${toProblem(r.reason).status}`
            : String(r.reason),
      );
      expect(outcomes.sort()).to.deep.equal(["ALREADY_SIGNED 409", "ALREADY_SIGNED 409", "ok"]);
      expect((await store.signatures(id)).map((s) => [s.auditor, s.status])).to.deep.equal([
        [auditor.address, "accepted"],
      ]);
      expect((await store.batch(id))!.state).to.equal("ready");
      expect((await store.transitions(id)).filter((t) => t.to_state === "ready")).to.have.length(1);
      expect((await oracle.metrics()).counters.signaturesAccepted).to.equal(1);
    });

    it("refuses signatures on an expired attestation, then renews it and drops the old signatures", async function () {
      const { oracle, deployed, store, clock } = h;
      const id = `${lotId}-server`;
      const auditor = deployed.wallet("auditor1");
      const view = await oracle.getAttestation(id);
      await oracle.addSignature(id, auditor.address, await signView(auditor, view));
      const other = deployed.wallet("auditor2");
      clock.now = new Date(Date.parse(view.deadline) + 1000);
      expect(await codeOf(oracle.addSignature(id, other.address, await signView(other, view)))).to.equal(
        "ATTESTATION_EXPIRED",
      );
      // The same answer for a signature that does not verify, but that one is not recorded in auditor2's name.
      expect(await codeOf(oracle.addSignature(id, other.address, `0x${"11".repeat(65)}`))).to.equal(
        "ATTESTATION_EXPIRED",
      );
      expect((await store.signatures(id)).filter((s) => s.status === "refused").map((s) => s.auditor)).to.deep.equal([
        other.address,
      ]);
      expect((await store.unattributedSignatures(id)).map((s) => s.claimed_auditor)).to.deep.equal([other.address]);
      await oracle.tick();
      const renewed = await oracle.getAttestation(id);
      expect(renewed.state).to.equal("awaiting_signatures");
      expect(renewed.digest).to.not.equal(view.digest);
      expect(Date.parse(renewed.deadline)).to.be.greaterThan(clock.now.getTime());
      expect(
        (await store.signatures(id)).find((s) => s.auditor === auditor.address && s.status === "dropped"),
      ).to.not.equal(undefined);
      expect((await store.transitions(id)).at(-1)!.note).to.match(/^attestation expired/);
      // The chain's clock is real time; move the oracle's clock back so the renewed attestation is postable.
      clock.now = new Date();
    });

    it("drops a signature whose auditor's accreditation was revoked before posting, then posts with a current auditor", async function () {
      const { oracle, deployed, store } = h;
      const id = `${lotId}-desktop`;
      const a1 = deployed.wallet("auditor1");
      const view = await oracle.getAttestation(id);
      await oracle.addSignature(id, a1.address, await signView(a1, view));
      await (await deployed.adminRegistry.revokeAccreditation(a1.address, "left the body")).wait();
      await oracle.tick();
      expect((await store.batch(id))!.state).to.equal("awaiting_signatures");
      expect((await store.signatures(id)).at(-1)!.reason).to.equal(
        `no longer counts before posting: ${a1.address} is not an accredited auditor of the registry`,
      );
      expect((await store.transitions(id)).at(-1)!.note).to.match(
        /^0 valid signature\(s\) from 0 auditing body\(ies\); 1 bodies/,
      );
      const a2 = deployed.wallet("auditor2");
      await oracle.addSignature(id, a2.address, await signView(a2, view));
      await advance(h, async () => (await store.batch(id))!.state === "confirmed");
      expect((await store.batch(id))!.state).to.equal("confirmed");
    });

    it("counts auditing bodies, not addresses: two auditors of one body count once", async function () {
      const { oracle, deployed, store } = h;
      const id = `${lotId}-desktop`;
      const [a1, a2, a3] = (["auditor1", "auditor2", "auditor3"] as const).map((r) => deployed.wallet(r));
      await accredit(deployed, a3!.address, { bodyId: 1 }); // a second address of auditor1's body
      await (await deployed.adminRegistry.setAuditorThreshold(2)).wait();
      const view = await oracle.getAttestation(id);
      expect((await oracle.addSignature(id, a1!.address, await signView(a1!, view))).state).to.equal(
        "awaiting_signatures",
      );
      expect((await oracle.addSignature(id, a3!.address, await signView(a3!, view))).state).to.equal(
        "awaiting_signatures",
      );
      expect((await oracle.addSignature(id, a2!.address, await signView(a2!, view))).state).to.equal("ready");
      expect((await store.transitions(id)).at(-1)!.note).to.equal("2 of 2 auditing bodies (3 auditor signatures)");
      await advance(h, async () => (await store.batch(id))!.state === "confirmed");
      expect((await store.batch(id))!.state).to.equal("confirmed");
      const [issued] = await deployed.registry.queryFilter(deployed.registry.filters.BatchIssued());
      expect(issued!.args.auditors).to.have.length(3);
    });

    it("refuses a signature from an auditor not accredited for the batch's category or outside its window", async function () {
      const { oracle, deployed, store } = h;
      const id = `${lotId}-desktop`;
      const a2 = deployed.wallet("auditor2");
      const view = await oracle.getAttestation(id);
      const now = BigInt((await h.chain.provider.getBlock("latest"))!.timestamp);
      const refusal = async () => {
        const error = await oracle.addSignature(id, a2.address, await signView(a2, view)).then(
          () => undefined,
          (e: unknown) => e as OracleError,
        );
        expect(error?.code).to.equal("SIGNER_NOT_AUDITOR");
        return error!.message;
      };
      await accredit(deployed, a2.address, { bodyId: 2, categories: 0x02 }); // laptops only
      expect(await refusal()).to.equal(
        `${a2.address}'s accreditation (auditing body 2) does not cover desktop batches`,
      );
      // An accreditation that has already ended cannot be recorded (the contract refuses it): record one ending in
      // 30 s, then let the chain's clock pass it.
      await accredit(deployed, a2.address, { bodyId: 2, from: now - 10n * 86_400n, until: now + 30n });
      await h.chain.provider.send("evm_increaseTime", [60]);
      await h.chain.provider.send("evm_mine", []);
      expect(await refusal()).to.match(/\(auditing body 2\) ended at \d{4}-/);
      await accredit(deployed, a2.address, { bodyId: 2, from: now + 86_400n, until: now + 10n * 86_400n });
      expect(await refusal()).to.match(/\(auditing body 2\) starts only at \d{4}-/);
      expect((await store.signatures(id)).map((s) => s.status)).to.deep.equal(["refused", "refused", "refused"]);
      expect((await store.batch(id))!.state).to.equal("awaiting_signatures");
    });

    it("never posts an issuance the registry would refuse: an accreditation ending before the next block is dropped", async function () {
      const { oracle, deployed, store } = h;
      const id = `${lotId}-desktop`;
      const [a1, a2] = (["auditor1", "auditor2"] as const).map((r) => deployed.wallet(r));
      const view = await oracle.getAttestation(id);
      expect((await oracle.addSignature(id, a1!.address, await signView(a1!, view))).state).to.equal("ready");
      // Still valid now, but not by the time a posted transaction is mined (within the margin).
      const now = BigInt((await h.chain.provider.getBlock("latest"))!.timestamp);
      await accredit(deployed, a1!.address, { bodyId: 1, from: 0n, until: now + 30n });
      await oracle.tick();
      expect((await store.batch(id))!.state).to.equal("awaiting_signatures");
      expect((await store.signatures(id)).at(-1)!.reason).to.match(/^no longer counts before posting: .* ends at /);
      expect(await store.txsOfBatch(id)).to.have.length(0);
      expect(await deployed.registry.batchCount()).to.equal(0n);
      await oracle.addSignature(id, a2!.address, await signView(a2!, view));
      await advance(h, async () => (await store.batch(id))!.state === "confirmed");
      expect((await store.batch(id))!.state).to.equal("confirmed");
    });

    it("fails a batch whose stored report no longer matches the attested hash", async function () {
      const { oracle, deployed, store } = h;
      const id = `${lotId}-desktop`;
      const a1 = deployed.wallet("auditor1");
      await oracle.addSignature(id, a1.address, await signView(a1, await oracle.getAttestation(id)));
      await store.db.run("UPDATE lots SET report_json = replace(report_json, '500.640', '900.640') WHERE id = ?", [
        lotId,
      ]);
      await oracle.tick();
      const row = (await store.batch(id))!;
      expect(row.state).to.equal("failed");
      expect(row.error).to.match(/^REPORT_HASH_MISMATCH/);
      expect(await deployed.registry.batchCount()).to.equal(0n);
    });

    it("records a revert with its decoded custom error and never retries it", async function () {
      const { oracle, deployed, store } = h;
      const id = `${lotId}-server`;
      const a1 = deployed.wallet("auditor1");
      await oracle.addSignature(id, a1.address, await signView(a1, await oracle.getAttestation(id)));
      const refurbisher = deployed.wallet("refurbisher").address;
      await (await deployed.adminRegistry.suspendParticipant(refurbisher, "KYC lapsed")).wait();
      await oracle.tick();
      const row = (await store.batch(id))!;
      expect(row.state).to.equal("failed");
      expect(row.error).to.equal(`ITECAccountNotActive(account=${refurbisher}, status=2)`);
      expect(await store.txsOfBatch(id)).to.have.length(0);
      await oracle.tick();
      expect((await store.batch(id))!.state).to.equal("failed");
      expect(await store.devicesOfBatch(id)).to.have.length(0);
    });

    it("treats 'already issued' as success after checking it is the same batch", async function () {
      const { oracle, deployed, store } = h;
      const id = `${lotId}-server`;
      const a1 = deployed.wallet("auditor1");
      const view = await oracle.getAttestation(id);
      const signature = await signView(a1, view);
      await oracle.addSignature(id, a1.address, signature);
      // Someone (e.g. a previous run of the oracle) already posted exactly this attestation.
      const a = attestationFromJson(JSON.parse((await store.batch(id))!.attestation_json!) as Record<string, unknown>);
      const issuer = ITECRegistry__factory.connect(deployed.address, devAccount(ACCOUNTS.oracle, h.chain.provider));
      await (await issuer.issue(a, [{ auditor: a1.address, signature }])).wait();
      await oracle.tick();
      const row = (await store.batch(id))!;
      expect(row.state).to.equal("confirmed");
      expect(row.token_id).to.equal("1");
      expect((await store.transitions(id)).at(-1)!.note).to.match(
        /already issued on-chain as batch #1; verified same batch/,
      );
      expect(await deployed.registry.batchCount()).to.equal(1n);
    });

    it("lets an auditor reject a batch with a signed reason, releasing its devices", async function () {
      const { oracle, deployed, store } = h;
      const id = `${lotId}-desktop`;
      const a1 = deployed.wallet("auditor1");
      const view = await oracle.getAttestation(id);
      const reason = "erasure certificates do not match serials";
      const signature = await a1.signTypedData(view.typedData.domain, REJECTION_TYPES, {
        attestationDigest: view.digest,
        reason,
      });
      expect(await codeOf(oracle.rejectBatch(id, deployed.wallet("corporate").address, reason, signature))).to.equal(
        "SIGNATURE_INVALID",
      );
      const row = await oracle.rejectBatch(id, a1.address, reason, signature);
      expect(row.state).to.equal("rejected");
      expect(row.reason).to.equal(reason);
      expect(await store.devicesOfBatch(id)).to.have.length(0);
      expect(await codeOf(oracle.addSignature(id, a1.address, await signView(a1, view)))).to.equal("BATCH_STATE");
    });

    it("keeps a ready batch while the chain is unreachable and posts it once the node is back", async function () {
      const { oracle, deployed, store, proxy, clock } = h;
      const id = `${lotId}-server`;
      const a1 = deployed.wallet("auditor1");
      await oracle.addSignature(id, a1.address, await signView(a1, await oracle.getAttestation(id)));
      proxy!.down();
      await oracle.tick();
      await oracle.tick();
      let row = (await store.batch(id))!;
      expect(row.state).to.equal("ready");
      expect(row.attempts).to.be.greaterThan(0);
      expect(row.error).to.match(/^transient/);
      expect((await oracle.metrics()).counters.transientRetries).to.be.greaterThan(0);
      proxy!.up();
      clock.now = new Date(Date.now() + 120_000); // past the backoff
      await advance(h, async () => (await store.batch(id))!.state === "confirmed");
      row = (await store.batch(id))!;
      expect(row.state).to.equal("confirmed");
      expect(row.failures, "transient errors are not failures").to.equal(0);
      expect(await deployed.registry.batchCount()).to.equal(1n);
    });

    /** A second oracle on the harness's store whose step throws for the batches in `failing` at `point`. */
    function faultyWorker(failing: Map<string, string>, config: OracleDeps["config"]): Oracle {
      const chain = h.oracle.chain;
      return new Oracle({
        store: h.store,
        chain,
        signer: devAccount(ACCOUNTS.oracle, chain.provider),
        reference,
        logger: silent,
        now: () => h.clock.now,
        config,
        faults: (point, context) => {
          if (failing.get(context.batch as string) === point) {
            return Promise.reject(new Error(`corrupt batch data (${point})`));
          }
          return Promise.resolve();
        },
      });
    }

    it("sets aside a batch whose step keeps failing: the others are posted, it is failed after maxAttempts", async function () {
      const { deployed, store, clock } = h;
      const bad = `${lotId}-desktop`;
      const good = `${lotId}-server`;
      const worker = faultyWorker(new Map([[bad, "before_post"]]), { maxAttempts: 3 });
      const a1 = deployed.wallet("auditor1");
      for (const id of [bad, good])
        await worker.addSignature(id, a1.address, await signView(a1, await worker.getAttestation(id)));
      // The bad batch comes first in the pass; the good one is posted all the same.
      expect((await store.batchesInState("ready")).map((b) => b.id)).to.deep.equal([bad, good]);
      await worker.tick();
      let row = (await store.batch(bad))!;
      expect(row.state).to.equal("ready");
      expect(row.failures).to.equal(1);
      expect(row.error).to.equal("error: corrupt batch data (before_post)");
      expect(row.next_attempt_at).to.be.greaterThan(clock.now.getTime());
      expect((await store.batch(good))!.state).to.be.oneOf(["posted", "confirmed"]);
      // Not retried before its backoff.
      await worker.tick();
      expect((await store.batch(bad))!.failures).to.equal(1);
      for (
        let i = 0;
        i < 40 && !((await store.batch(bad))!.state === "failed" && (await store.batch(good))!.state === "confirmed");
        i++
      ) {
        clock.now = new Date(clock.now.getTime() + 120_000); // past any backoff
        await worker.tick();
        await new Promise((r) => setTimeout(r, h.chain.kind === "anvil" ? 300 : 10));
      }
      row = (await store.batch(bad))!;
      expect(row.state).to.equal("failed");
      expect(row.error).to.equal("corrupt batch data (before_post) (ready; 3 failed attempts)");
      expect((await store.transitions(bad)).at(-1)!.note).to.equal(
        "ready: gave up after 3 failed attempts: corrupt batch data (before_post)",
      );
      expect(await store.devicesOfBatch(bad), "a failed batch releases its devices").to.have.length(0);
      expect(await store.txsOfBatch(bad)).to.have.length(0);
      expect((await store.batch(good))!.state).to.equal("confirmed");
      expect(await deployed.registry.batchCount()).to.equal(1n);
      expect((await worker.metrics()).counters.stepFailures).to.equal(3);
    });

    it("never fails a posted batch on errors (its transaction may be mined): it keeps reconciling it", async function () {
      const { deployed, store, clock } = h;
      const stuck = `${lotId}-server`;
      const other = `${lotId}-desktop`;
      const failing = new Map([[stuck, "after_receipt"]]);
      const worker = faultyWorker(failing, { maxAttempts: 2 });
      const a1 = deployed.wallet("auditor1");
      for (const id of [stuck, other]) {
        await worker.addSignature(id, a1.address, await signView(a1, await worker.getAttestation(id)));
      }
      for (
        let i = 0;
        i < 60 && !((await store.batch(stuck))!.failures >= 4 && (await store.batch(other))!.state === "confirmed");
        i++
      ) {
        clock.now = new Date(clock.now.getTime() + 120_000);
        await worker.tick();
        await new Promise((r) => setTimeout(r, h.chain.kind === "anvil" ? 300 : 10));
      }
      let row = (await store.batch(stuck))!;
      expect(row.state).to.equal("posted");
      expect(row.failures).to.be.at.least(4);
      expect(row.error).to.equal("error: corrupt batch data (after_receipt)");
      expect(await store.devicesOfBatch(stuck)).to.not.have.length(0);
      expect((await store.batch(other))!.state).to.equal("confirmed");
      failing.clear();
      for (let i = 0; i < 10 && (await store.batch(stuck))!.state !== "confirmed"; i++) {
        clock.now = new Date(clock.now.getTime() + 120_000);
        await worker.tick();
      }
      row = (await store.batch(stuck))!;
      expect(row.state).to.equal("confirmed");
      expect(await store.txsOfBatch(stuck)).to.have.length(1);
      expect(await deployed.registry.batchCount()).to.equal(2n);
    });

    it("refuses an as-of date after tomorrow (UTC) or before 2000-01-01, before storing or reserving anything", async function () {
      const { oracle, deployed, store, clock } = h;
      const refurbisher = deployed.wallet("refurbisher").address;
      const day = (offsetDays: number) =>
        new Date(clock.now.getTime() + offsetDays * 86_400_000).toISOString().slice(0, 10);
      const reserved = await store.db.get("SELECT COUNT(*) AS n FROM batch_devices");
      // A fresh device, so that an accepted lot would reserve it.
      const fresh = { ...(await section9()).find((d) => d.category === "server")!, serial: "ASOF-NEW-1", line: 2 };
      for (const asOf of ["9999-12-31", day(2), "1999-12-31", "2026-02-30", "tomorrow"]) {
        const error = await oracle
          .submitLot({ devices: [fresh], refurbisher, lotRef: `asof-${asOf}`, asOf })
          .then(() => undefined)
          .catch((e: unknown) => e);
        expect(error, asOf).to.be.instanceOf(OracleError);
        expect((error as OracleError).code, asOf).to.equal("LOT_INVALID");
        expect(toProblem(error).status, asOf).to.equal(422);
        expect((error as OracleError).details).to.include({ field: "asOf" });
        expect((error as OracleError).message, asOf).to.match(
          /^as-of date (\S+ is out of range: a lot is calculated as of a day from 2000-01-01 to today|"\S+" is not a YYYY-MM-DD calendar date)/,
        );
      }
      expect((await store.listLots()).map((l) => l.id)).to.deep.equal([lotId]);
      expect(await store.db.get("SELECT COUNT(*) AS n FROM batch_devices")).to.deep.equal(reserved);
      // Tomorrow is within the clock slack; 2000-01-01 is the first day accepted.
      const lot = await oracle.submitLot({ devices: [fresh], refurbisher, lotRef: "asof-tomorrow", asOf: day(1) });
      expect(lot.as_of).to.equal(day(1));
      const early = await oracle
        .submitLot({ devices: [fresh], refurbisher, lotRef: "asof-2000", asOf: "2000-01-01" })
        .then(() => "accepted")
        .catch((e: unknown) => (e as Error).message);
      expect(early).to.not.match(/out of range/);
    });
  });
});
