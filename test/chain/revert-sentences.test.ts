/**
 * Every custom error the registry can revert with reads as one sentence with the next step: the table covers the
 * whole ABI (a new error without a sentence fails here), and the sentences use their arguments.
 */
import { expect } from "chai";
import { AbiCoder, Interface, ZeroAddress, ZeroHash, id } from "ethers";

import { decodeRegistryError, registryErrorNames } from "../../core/chain/errors.ts";
import { REVERT_SENTENCES, revertSentence } from "../../core/chain/revert-sentences.ts";

const ACCOUNT = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955";

/** A revert as a node returns it: the error's selector and ABI-encoded arguments, inside an ethers-like error. */
function revertOf(signature: string, values: unknown[]) {
  const iface = new Interface([`error ${signature}`]);
  const fragment = iface.fragments[0] as unknown as { name: string };
  return { code: "CALL_EXCEPTION", data: iface.encodeErrorResult(fragment.name, values) };
}

describe("revert sentences", function () {
  describe("REVERT_SENTENCES", function () {
    it("has a sentence for every custom error in the registry's ABI, and none for errors it cannot raise", function () {
      const names = registryErrorNames();
      expect(names.length).to.be.greaterThan(30);
      const missing = names.filter((n) => REVERT_SENTENCES[n] === undefined);
      expect(missing, "errors without a sentence in core/chain/revert-sentences.ts").to.deep.equal([]);
      expect(Object.keys(REVERT_SENTENCES).filter((n) => !names.includes(n))).to.deep.equal([]);
      expect(names).to.include.members(["AccessControlUnauthorizedAccount", "ERC1155InsufficientBalance"]);
    });

    it("says what is wrong, then the next step, with the error's arguments and nothing undefined", function () {
      const sample: Record<string, string> = {
        account: ACCOUNT,
        status: "0",
        expected: "1",
        auditor: ACCOUNT,
        batchId: "7",
        field: "purpose",
        length: "2000",
      };
      for (const name of registryErrorNames()) {
        const text = REVERT_SENTENCES[name]!(new Proxy(sample, { get: (t, k: string) => t[k] ?? "42" }));
        expect(text, name).to.match(/^[^\n]+: [^\n]+$/);
        expect(text, name).not.to.match(/undefined|NaN|\[object/);
      }
    });
  });

  describe("decodeRegistryError", function () {
    it("decodes the raw error and its sentence (ITECAccountNotActive: not admitted, suspended)", function () {
      const none = decodeRegistryError(revertOf("ITECAccountNotActive(address account, uint8 status)", [ACCOUNT, 0]))!;
      expect(none.message).to.equal(`ITECAccountNotActive(account=${ACCOUNT}, status=0)`);
      expect(none.sentence).to.equal(
        `${ACCOUNT} is not an admitted participant: the registry admin can admit it with ` +
          `\`itec participant admit ${ACCOUNT} --kind <refurbisher|itad|corporate|trader> --name "…"\``,
      );
      const suspended = decodeRegistryError(
        revertOf("ITECAccountNotActive(address account, uint8 status)", [ACCOUNT, 2]),
      )!;
      expect(suspended.sentence).to.match(/is a suspended participant: .*`itec participant reinstate 0x14dC/);
    });

    it("names the missing role of AccessControlUnauthorizedAccount and how to get it", function () {
      const sig = "AccessControlUnauthorizedAccount(address account, bytes32 neededRole)";
      expect(decodeRegistryError(revertOf(sig, [ACCOUNT, ZeroHash]))!.sentence).to.equal(
        `${ACCOUNT} is not the registry admin, which this needs: sign with the registry admin's key`,
      );
      expect(decodeRegistryError(revertOf(sig, [ACCOUNT, id("ITEC_ISSUER_ROLE")]))!.sentence).to.match(
        /is not the issuer \(oracle\), which this needs: only the oracle's key issues batches/,
      );
    });

    it("states a holder's balance for ERC1155InsufficientBalance", function () {
      const r = decodeRegistryError(
        revertOf("ERC1155InsufficientBalance(address sender, uint256 balance, uint256 needed, uint256 tokenId)", [
          ACCOUNT,
          1,
          2,
          3,
        ]),
      )!;
      expect(r.name).to.equal("ERC1155InsufficientBalance");
      expect(r.sentence).to.equal(
        `${ACCOUNT} holds 1 I-TEC(s) of batch #3, fewer than the 2 asked: see its holdings with ` +
          `\`itec cert balance ${ACCOUNT}\``,
      );
    });

    it("explains the v2 errors with their values: accreditation, bodies, claim status, reversal", function () {
      const sentence = (sig: string, values: unknown[]) => decodeRegistryError(revertOf(sig, values))!.sentence;
      expect(sentence("ITECAuditorNotAccredited(address auditor, uint8 category)", [ACCOUNT, 6])).to.equal(
        `${ACCOUNT} is not accredited for server devices: an auditor accredited for that category signs instead, ` +
          "or the registry admin extends its accreditation",
      );
      expect(sentence("ITECAuditorExpired(address auditor, uint40 validUntil)", [ACCOUNT, 1_767_225_600])).to.include(
        "ended at 2026-01-01T00:00:00Z",
      );
      expect(sentence("ITECInsufficientSignatures(uint256 provided, uint256 required)", [1, 2])).to.match(
        /^the attestation has signatures of 1 auditing body and 2 are required: /,
      );
      expect(sentence("ITECInvalidThreshold(uint256 threshold, uint256 bodies)", [3, 2])).to.include(
        "a threshold of 3 is not possible with 2 auditing bodies",
      );
      expect(sentence("ITECClaimNotReversed(uint256 retirementId, uint8 status)", [4, 2])).to.match(
        /^retirement #4 is replaced, not reversed: only a reversed claim can be replaced/,
      );
      expect(sentence("ITECCategoryMismatch(uint8 expected, uint8 actual)", [1, 2])).to.include(
        "the claim is for laptop devices, and a replacement must burn certificates of the same category, not desktop",
      );
      expect(sentence("ITECBatchReversed(uint256 batchId)", [7])).to.match(/^batch #7 was reversed: /);
      expect(sentence("ITECRoleConflict(address account, bytes32 role)", [ACCOUNT, ZeroHash])).to.include(
        "already holds the registry admin role",
      );
      expect(sentence("ITECInvalidText(string field, uint256 length)", ["name", 201])).to.include("at most 200 bytes");
    });

    it("keeps an unknown revert's raw text in its sentence", function () {
      const data = `0xdeadbeef${AbiCoder.defaultAbiCoder().encode(["address"], [ZeroAddress]).slice(2)}`;
      const r = decodeRegistryError({ code: "CALL_EXCEPTION", data })!;
      expect(r.name).to.equal("UnknownRevert");
      expect(revertSentence(r)).to.match(/^the registry refuses this transaction \(reverted with data 0xdeadbeef/);
    });
  });
});
