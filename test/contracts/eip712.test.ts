import { expect } from "chai";
import { keccak256, toUtf8Bytes, TypedDataEncoder } from "ethers";
import { network } from "hardhat";

import {
  attestationDigest,
  attestationDomain,
  attestationTypedData,
  attestationTypeString,
  ATTESTATION_TYPES,
  EIP712_NAME,
  EIP712_VERSION,
} from "../../sdk/src/attestation.ts";
import { deployRegistry, makeAttestation, signAttestation, type RegistryFixture } from "../helpers/registry.ts";

const connection = await network.create();
const { networkHelpers, provider } = connection;

async function registryFixture(): Promise<RegistryFixture> {
  return deployRegistry(connection);
}

describe("EIP-712 attestation (TypeScript ↔ Solidity parity)", function () {
  it("has the same type hash in TypeScript and in the contract", async function () {
    const { registry } = await networkHelpers.loadFixture(registryFixture);
    expect(keccak256(toUtf8Bytes(attestationTypeString()))).to.equal(await registry.ATTESTATION_TYPEHASH());
    expect(TypedDataEncoder.from(ATTESTATION_TYPES).primaryType).to.equal("Attestation");
  });

  it("builds the domain the contract reports through eip712Domain()", async function () {
    const f = await networkHelpers.loadFixture(registryFixture);
    const d = await f.registry.eip712Domain();
    expect([d.name, d.version, d.chainId, d.verifyingContract]).to.deep.equal([
      EIP712_NAME,
      EIP712_VERSION,
      f.chainId,
      f.address,
    ]);
    const domain = attestationDomain(d.chainId, d.verifyingContract);
    const a = makeAttestation(f);
    expect(attestationDigest(domain, a)).to.equal(await f.registry.attestationDigest(a));
  });

  it("accepts a signature a node account makes with raw eth_signTypedData_v4", async function () {
    const f = await networkHelpers.loadFixture(registryFixture);
    const a = makeAttestation(f);
    const payload = attestationTypedData(attestationDomain(f.chainId, f.address), a);
    // What a wallet receives: JSON with EIP712Domain spelled out and integers as strings.
    expect(payload.types.EIP712Domain?.map((t) => t.name)).to.deep.equal([
      "name",
      "version",
      "chainId",
      "verifyingContract",
    ]);
    const auditor = f.auditors[0]!.address;
    const signature = (await provider.request({
      method: "eth_signTypedData_v4",
      params: [auditor, JSON.stringify(payload)],
    })) as string;
    await expect(f.registry.connect(f.issuer).issue(a, [{ auditor, signature }])).to.emit(f.registry, "BatchIssued");
  });

  it("binds the audit sample hash: signatures over another sample record do not issue (ADR 0055)", async function () {
    const f = await networkHelpers.loadFixture(registryFixture);
    const a = makeAttestation(f);
    expect(attestationTypeString()).to.contain("bytes32 deviceRoot,bytes32 sampleHash,string evidenceURI");
    const sigs = await signAttestation(f, a, [f.auditors[0]!]);
    // The oracle posting a record other than the one the auditors signed (say, an outcome flipped) is refused.
    const other = { ...a, sampleHash: keccak256(toUtf8Bytes("another sample record")) };
    expect(await f.registry.attestationDigest(other)).to.not.equal(await f.registry.attestationDigest(a));
    await expect(f.registry.connect(f.issuer).issue(other, sigs)).to.be.revertedWithCustomError(
      f.registry,
      "ITECInvalidSignature",
    );
    await expect(f.registry.connect(f.issuer).issue(a, sigs))
      .to.emit(f.registry, "BatchIssued")
      .withArgs(1, a.owner, a.reportHash, a.referenceDataHash, a.deviceRoot, a.sampleHash, a.evidenceURI, a.deadline, [
        f.auditors[0]!.address,
      ]);
  });
});
