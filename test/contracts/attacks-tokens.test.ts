/**
 * Regression tests for the audit's findings on token transfers and texts (issue 13, findings 4, 7 and 8; the table
 * is docs/audit/findings-2026-12.md). Each test makes the attack that succeeded against contract v1 (its v1 form and
 * output: docs/audit/v1-attacks.test.ts.txt) and asserts that v2 refutes it, next to a control showing the same
 * path goes through when it is honest.
 *
 * Malformed UTF-8 cannot be passed through ethers' `string` encoding (it encodes JavaScript strings as valid
 * UTF-8), so {sendRaw} ABI-encodes each text as `bytes` — the same encoding as `string` — under the real selector,
 * exactly what any other client can send.
 */
import { expect } from "chai";
import {
  AbiCoder,
  concat,
  type Interface,
  getBytes,
  getCreate2Address,
  id,
  keccak256,
  toUtf8Bytes,
  type Signer,
} from "ethers";
import { network } from "hardhat";

import { PARTICIPANT_KINDS } from "../../sdk/src/enums.ts";
import {
  ADMIN_DELAY,
  deployRegistry,
  issueBatch,
  makeAttestation,
  retirementRequest,
  signAttestation,
  type RegistryFixture,
} from "../helpers/registry.ts";
import type { Create2Deployer } from "../../types/ethers-contracts/index.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const NONE = 0;
const SUSPENDED = 2;
const GOOD_BASE_URI = "https://registry.example/batches/";

/** Byte sequences that are not UTF-8 (RFC 3629), each in a different way. */
const MALFORMED: Record<string, number[]> = {
  "byte 0xff": [0xff],
  "overlong '/'": [0xc0, 0xaf],
  "UTF-16 surrogate": [0xed, 0xa0, 0x80],
  "above U+10FFFF": [0xf4, 0x90, 0x80, 0x80],
  "truncated sequence": [0xe2, 0x82],
};

/** `prefix` followed by raw `bytes` (not necessarily UTF-8). */
function text(prefix: string, bytes: number[] = []): Uint8Array {
  return getBytes(concat([toUtf8Bytes(prefix), Uint8Array.from(bytes)]));
}

async function registryFixture(): Promise<RegistryFixture> {
  return deployRegistry(connection);
}

async function withBatchFixture() {
  const f = await registryFixture();
  const { batchId } = await issueBatch(f);
  return { ...f, batchId };
}

/**
 * Sends registry function `name` with `args`, each `string` parameter ABI-encoded as `bytes` (identical on the
 * wire), so a text may hold any bytes.
 */
async function sendRaw(f: RegistryFixture, from: Signer, name: string, args: unknown[]) {
  const iface: Interface = f.registry.interface;
  const fragment = iface.getFunction(name)!;
  const types = fragment.inputs.map((p) => p.format("sighash").replaceAll(/\bstring\b/g, "bytes"));
  const data = concat([fragment.selector, AbiCoder.defaultAbiCoder().encode(types, args)]);
  return from.sendTransaction({ to: f.address, data });
}

/** Decodes a `data:application/json;base64,` URI as a strict decoder does: fatal UTF-8, then JSON. */
function strictJson(uri: string): Record<string, unknown> {
  const base64 = uri.replace(/^data:application\/json;base64,/, "");
  const json = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(base64, "base64"));
  return JSON.parse(json) as Record<string, unknown>;
}

describe("attacks on transfers and texts (audit 2026-12)", function () {
  describe("finding 4: a stale 'has code' flag skips the receiver hook", function () {
    it("calls the hook of a contract deployed by CREATE2 at an admitted address, and refuses what it does not accept", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      const { registry, refurbisher, issuer, batchId } = f;
      const deployer = (await ethers.deployContract("Create2Deployer")) as unknown as Create2Deployer;
      // A counterfactual wallet: known address, no code yet, no onERC1155Received once deployed.
      const { data: initCode } = await (
        await ethers.getContractFactory("MockERC1271Wallet")
      ).getDeployTransaction(f.outsider.address);
      const salt = id("counterfactual wallet");
      const wallet = await deployer.addressOf(salt, keccak256(initCode));
      expect(wallet).to.equal(getCreate2Address(await deployer.getAddress(), salt, keccak256(initCode)));
      expect(await ethers.provider.getCode(wallet)).to.equal("0x");
      await registry.admitParticipant(wallet, PARTICIPANT_KINDS.corporate, "Counterfactual Wallet Ltd");
      // Control: while it has no code it receives like any account.
      await registry.connect(refurbisher).safeTransferFrom(refurbisher.address, wallet, batchId, 1, "0x");

      await deployer.deploy(salt, initCode);
      expect(await ethers.provider.getCode(wallet)).to.not.equal("0x");

      const from = registry.connect(refurbisher);
      await expect(from.safeTransferFrom(refurbisher.address, wallet, batchId, 5, "0x"))
        .to.be.revertedWithCustomError(registry, "ERC1155InvalidReceiver")
        .withArgs(wallet);
      await expect(from.safeBatchTransferFrom(refurbisher.address, wallet, [batchId], [5], "0x"))
        .to.be.revertedWithCustomError(registry, "ERC1155InvalidReceiver")
        .withArgs(wallet);
      // Nor can a batch be minted to it.
      const attestation = makeAttestation(f, { owner: wallet });
      const signatures = await signAttestation(f, attestation, [f.auditors[0]!]);
      await expect(registry.connect(issuer).issue(attestation, signatures))
        .to.be.revertedWithCustomError(registry, "ERC1155InvalidReceiver")
        .withArgs(wallet);
      expect(await registry.balanceOf(wallet, batchId)).to.equal(1n);
    });
  });

  describe("finding 7: an empty safeBatchTransferFrom skips the participant check", function () {
    it("refuses an empty batch transfer from, to or by an account that is not active", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      const { registry, refurbisher, corporate, trader, outsider } = f;
      // Control: between active participants an empty batch transfer goes through, as ERC-1155 allows.
      await expect(
        registry.connect(refurbisher).safeBatchTransferFrom(refurbisher.address, trader.address, [], [], "0x"),
      )
        .to.emit(registry, "TransferBatch")
        .withArgs(refurbisher.address, refurbisher.address, trader.address, [], []);

      await registry.connect(refurbisher).setApprovalForAll(corporate.address, true);
      await registry.suspendParticipant(corporate.address, "KYC expired");
      const attempts = [
        // [caller, from, to, the account refused]
        [corporate, corporate.address, refurbisher.address, corporate.address, SUSPENDED],
        [refurbisher, refurbisher.address, corporate.address, corporate.address, SUSPENDED],
        [corporate, refurbisher.address, trader.address, corporate.address, SUSPENDED],
        [refurbisher, refurbisher.address, outsider.address, outsider.address, NONE],
      ] as const;
      for (const [caller, from, to, refused, status] of attempts) {
        await expect(registry.connect(caller).safeBatchTransferFrom(from, to, [], [], "0x"))
          .to.be.revertedWithCustomError(registry, "ITECAccountNotActive")
          .withArgs(refused, status);
      }
    });
  });

  describe("finding 8: texts are not checked as UTF-8", function () {
    it("refuses a base URI that is not UTF-8 at deployment", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      const { admin } = f;
      const extension = await ethers.deployContract("ITECRegistryExtension");
      const { bytecode } = await ethers.getContractFactory("ITECRegistry");
      const deploy = (baseURI: Uint8Array) =>
        admin.sendTransaction({
          data: concat([
            bytecode,
            AbiCoder.defaultAbiCoder().encode(
              ["address", "uint48", "bytes", "address"],
              [admin.address, ADMIN_DELAY, baseURI, extension.target],
            ),
          ]),
        });
      for (const [name, bytes] of Object.entries(MALFORMED)) {
        await expect(deploy(text(GOOD_BASE_URI, bytes)), name)
          .to.be.revertedWithCustomError(f.registry, "ITECUnsafeText")
          .withArgs("baseURI");
      }
      // Control: the same raw deployment with a valid base URI goes through.
      const receipt = await (await deploy(text(GOOD_BASE_URI))).wait();
      expect(await ethers.provider.getCode(receipt!.contractAddress!)).to.not.equal("0x");
    });

    it("refuses a base URI that is not UTF-8 in setExternalBaseURI, so uri() stays strict JSON", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      for (const [name, bytes] of Object.entries(MALFORMED)) {
        await expect(sendRaw(f, f.admin, "setExternalBaseURI", [text(GOOD_BASE_URI, bytes)]), name)
          .to.be.revertedWithCustomError(f.registry, "ITECUnsafeText")
          .withArgs("baseURI");
      }
      // Control: multi-byte UTF-8 through the same raw path is accepted, and the metadata stays strict JSON.
      const accepted = "https://registry.example/zürich/";
      await sendRaw(f, f.admin, "setExternalBaseURI", [toUtf8Bytes(accepted)]);
      expect(strictJson(await f.registry.uri(f.batchId)).external_url).to.equal(`${accepted}${f.batchId}`);
    });

    it("refuses a retirement whose purpose or beneficiary name is not UTF-8", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      const { refurbisher, batchId } = f;
      const request = (purpose: Uint8Array, beneficiaryName: Uint8Array) => {
        const r = retirementRequest(batchId);
        return [
          r.batchId,
          r.amount,
          beneficiaryName,
          r.beneficiary,
          r.periodStart,
          r.periodEnd,
          r.scope3Category,
          purpose,
        ];
      };
      const name = toUtf8Bytes("Acme Corporation");
      for (const [label, bytes] of Object.entries(MALFORMED)) {
        await expect(
          sendRaw(f, refurbisher, "retire", [refurbisher.address, request(text("FY2026 ", bytes), name)]),
          label,
        )
          .to.be.revertedWithCustomError(f.registry, "ITECUnsafeText")
          .withArgs("purpose");
        await expect(
          sendRaw(f, refurbisher, "retire", [refurbisher.address, request(text("FY2026"), text("Acme ", bytes))]),
          label,
        )
          .to.be.revertedWithCustomError(f.registry, "ITECUnsafeText")
          .withArgs("beneficiaryName");
      }
      expect(await f.registry.retirementCount()).to.equal(0n);
      // Control: valid multi-byte UTF-8 through the same raw path is retired, and its event decodes.
      const purpose = "FY2026 — Zürich office, €12k, 🌍";
      await expect(sendRaw(f, refurbisher, "retire", [refurbisher.address, request(toUtf8Bytes(purpose), name)]))
        .to.emit(f.registry, "CertificatesRetired")
        .withArgs(1, batchId, refurbisher.address, refurbisher.address, "Acme Corporation", purpose);
    });

    it("refuses organisation names and reasons that are not UTF-8", async function () {
      const f = await networkHelpers.loadFixture(withBatchFixture);
      const { admin, outsider, corporate } = f;
      const bad = text("Acme ", MALFORMED["byte 0xff"]);
      const calls: [string, unknown[], string][] = [
        ["admitParticipant", [outsider.address, PARTICIPANT_KINDS.corporate, bad], "name"],
        ["renameParticipant", [corporate.address, bad], "name"],
        ["registerAuditorBody", [bad], "name"],
        ["renameAuditorBody", [1, bad], "name"],
        ["registerMethodology", [bad, toUtf8Bytes("ITEC-PARAMS-9")], "name"],
        ["suspendParticipant", [corporate.address, bad], "reason"],
        ["suspendBatch", [f.batchId, bad], "reason"],
      ];
      for (const [fn, args, field] of calls) {
        await expect(sendRaw(f, admin, fn, args), fn)
          .to.be.revertedWithCustomError(f.registry, "ITECUnsafeText")
          .withArgs(field);
      }
      // Control: the same raw path admits a name in valid UTF-8.
      await sendRaw(f, admin, "admitParticipant", [
        outsider.address,
        PARTICIPANT_KINDS.corporate,
        toUtf8Bytes("Société Générale"),
      ]);
      expect((await f.registry.participant(outsider.address)).name).to.equal("Société Générale");
    });
  });
});
